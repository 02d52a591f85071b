package io.github.metaflowui.core;

import io.github.metaflowui.core.StatusRules.RunFacts;
import io.github.metaflowui.core.StatusRules.RunVerdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * {@link StatusRules#runStatus}: the run table of the contract (§3.6), row by row, with a fixed clock.
 * {@code attE} is only looked at when {@code okE} is false; a retry of {@code end} in flight is running
 * with or without a heartbeat (only its duration needs one).
 */
class StatusRulesRunStatusTest {
    private static final Instant NOW = Instant.parse("2026-12-03T13:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Instant CREATED = Instant.parse("2026-12-03T12:00:00Z");
    private static final Instant END_OK_AT = Instant.parse("2026-12-03T12:30:00Z");

    static Stream<Arguments> table() {
        return Stream.of(
                // 1. end retry in flight: running, no finish, duration from the heartbeat
                arguments("1: end attempt newer than a failed attempt_ok is running",
                        run().endOk(false, END_OK_AT).endAttempt(END_OK_AT.plusSeconds(60)).heartbeat(NOW.minusSeconds(30)),
                        Status.RUNNING, "a retry of the end step is running", Optional.empty(),
                        Optional.of(Duration.ofMinutes(59).plusSeconds(30))),
                arguments("1: end retry in flight without heartbeat is still running; duration falls through to okE",
                        run().endOk(false, END_OK_AT).endAttempt(END_OK_AT.plusSeconds(60)),
                        Status.RUNNING, "a retry of the end step is running", Optional.empty(),
                        Optional.of(Duration.ofMinutes(30))),
                arguments("1: end retry in flight with a stale heartbeat is still running",
                        run().endOk(false, END_OK_AT).endAttempt(END_OK_AT.plusSeconds(60)).heartbeat(END_OK_AT),
                        Status.RUNNING, "a retry of the end step is running", Optional.empty(),
                        Optional.of(Duration.ofMinutes(30))),
                arguments("1: an end attempt older than attempt_ok is not a retry",
                        run().endOk(false, END_OK_AT).endAttempt(END_OK_AT.minusSeconds(60)).heartbeat(NOW),
                        Status.FAILED, "end step failed", Optional.of(END_OK_AT), Optional.of(Duration.ofMinutes(30))),
                arguments("1: an end attempt at the same instant as attempt_ok is not a retry",
                        run().endOk(false, END_OK_AT).endAttempt(END_OK_AT).heartbeat(NOW),
                        Status.FAILED, "end step failed", Optional.of(END_OK_AT), Optional.of(Duration.ofMinutes(30))),
                arguments("1: attE is ignored when okE is true",
                        run().endOk(true, END_OK_AT).endAttempt(END_OK_AT.plusSeconds(60)).heartbeat(NOW),
                        Status.COMPLETED, "end step succeeded", Optional.of(END_OK_AT),
                        Optional.of(Duration.ofMinutes(30))),
                // 2. okE true: completed at okE
                arguments("2: end attempt_ok true is completed",
                        run().endOk(true, END_OK_AT).heartbeat(END_OK_AT.minusSeconds(5)),
                        Status.COMPLETED, "end step succeeded", Optional.of(END_OK_AT),
                        Optional.of(Duration.ofMinutes(30))),
                arguments("2: completed needs no heartbeat and never goes stale",
                        run().created(NOW.minus(Duration.ofDays(30)))
                                .endOk(true, NOW.minus(Duration.ofDays(30)).plusSeconds(90)),
                        Status.COMPLETED, "end step succeeded",
                        Optional.of(NOW.minus(Duration.ofDays(30)).plusSeconds(90)), Optional.of(Duration.ofSeconds(90))),
                // 3. okE false: failed at okE
                arguments("3: end attempt_ok false is failed even with a fresh heartbeat",
                        run().endOk(false, END_OK_AT).heartbeat(NOW),
                        Status.FAILED, "end step failed", Optional.of(END_OK_AT), Optional.of(Duration.ofMinutes(30))),
                // 4. heartbeat within 360 s: running, duration from the heartbeat
                arguments("4: heartbeat exactly 360 s old is running",
                        run().heartbeat(NOW.minusSeconds(360)),
                        Status.RUNNING, "heartbeat 6 min ago", Optional.empty(), Optional.of(Duration.ofMinutes(54))),
                arguments("4: heartbeat 10 s old is running",
                        run().heartbeat(NOW.minusSeconds(10)),
                        Status.RUNNING, "heartbeat 10 s ago", Optional.empty(),
                        Optional.of(Duration.ofMinutes(59).plusSeconds(50))),
                arguments("4: heartbeat 300 s in the future counts by its absolute age",
                        run().heartbeat(NOW.plusSeconds(300)),
                        Status.RUNNING, "heartbeat 5 min ago", Optional.empty(), Optional.of(Duration.ofMinutes(65))),
                // 5. otherwise failed
                arguments("5: heartbeat 361 s old is failed at the heartbeat",
                        run().heartbeat(NOW.minusSeconds(361)),
                        Status.FAILED,
                        "no heartbeat for 6 min and the end step did not finish (runs are presumed dead after 6 min)",
                        Optional.of(NOW.minusSeconds(361)), Optional.of(Duration.ofMinutes(53).plusSeconds(59))),
                arguments("5: heartbeat 361 s in the future is failed too (absolute age)",
                        run().heartbeat(NOW.plusSeconds(361)),
                        Status.FAILED, "no heartbeat for 6 min", Optional.of(NOW.plusSeconds(361)),
                        Optional.of(Duration.ofMinutes(66).plusSeconds(1))),
                arguments("5: no heartbeat is failed at once, with no finish and duration now - created",
                        run(),
                        Status.FAILED, "the run has no heartbeat and its end step has not succeeded", Optional.empty(),
                        Optional.of(Duration.ofHours(1))),
                arguments("5: no heartbeat, created exactly one day ago still has a duration",
                        run().created(NOW.minus(Duration.ofDays(1))),
                        Status.FAILED, "no heartbeat", Optional.empty(), Optional.of(Duration.ofDays(1))),
                arguments("5: no heartbeat, created one day and 1 s ago has no duration",
                        run().created(NOW.minus(Duration.ofDays(1)).minusSeconds(1)),
                        Status.FAILED, "no heartbeat", Optional.empty(), Optional.empty()),
                // negative durations (writer and database clocks disagree) are reported, not rejected
                arguments("clock skew: a heartbeat 2 s before creation gives a negative duration",
                        run().created(NOW.minusSeconds(10)).heartbeat(NOW.minusSeconds(12)),
                        Status.RUNNING, "heartbeat 12 s ago", Optional.empty(), Optional.of(Duration.ofSeconds(-2))),
                arguments("clock skew: attempt_ok stamped before creation gives a negative duration",
                        run().created(END_OK_AT.plusMillis(250)).endOk(true, END_OK_AT),
                        Status.COMPLETED, "end step succeeded", Optional.of(END_OK_AT),
                        Optional.of(Duration.ofMillis(-250))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void derives_run_status_finish_and_duration_like_the_ui_backend(String row, RunBuilder given, Status status,
                                                                    String reason, Optional<Instant> finishedAt,
                                                                    Optional<Duration> duration) {
        RunVerdict v = StatusRules.runStatus(given.build(), CLOCK);

        assertThat(v.status().status()).as("status").isEqualTo(status);
        assertThat(v.status().reason()).as("reason").contains(reason);
        assertThat(v.finishedAt()).as("finishedAt").isEqualTo(finishedAt);
        assertThat(v.duration()).as("duration").isEqualTo(duration);
    }

    @Test
    void big_foreach_run_12_is_running_in_the_snapshot_and_failed_after_the_cutoff() {
        // Given BigForeachFlow run 12 of the service fixture (ts_epoch 1796302187795)
        Instant created = Instant.ofEpochMilli(1796302187795L);

        // When the running snapshot was taken (heartbeat 1796302561, recorded about 40 s before the kill)
        RunVerdict snapshot = StatusRules.runStatus(
                new RunFacts(created, Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.of(Instant.ofEpochSecond(1796302561L))),
                Clock.fixed(Instant.ofEpochSecond(1796302561L + 40), ZoneOffset.UTC));

        // Then the UI backend said running, finished_at null, duration 373205 ms
        assertThat(snapshot.status().status()).isEqualTo(Status.RUNNING);
        assertThat(snapshot.finishedAt()).isEmpty();
        assertThat(snapshot.duration()).contains(Duration.ofMillis(373205));

        // When the last heartbeat (1796302601) is older than the 360 s cutoff
        RunVerdict later = StatusRules.runStatus(
                new RunFacts(created, Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.of(Instant.ofEpochSecond(1796302601L))),
                Clock.fixed(Instant.ofEpochSecond(1796302601L + 361), ZoneOffset.UTC));

        // Then failed, finished_at 1796302601000, duration 413205 ms
        assertThat(later.status().status()).isEqualTo(Status.FAILED);
        assertThat(later.finishedAt()).contains(Instant.ofEpochMilli(1796302601000L));
        assertThat(later.duration()).contains(Duration.ofMillis(413205));
    }

    @Test
    void retry_flow_run_5_is_completed_with_its_recorded_finish_and_duration() {
        // Given RetryFlow run 5: created 1796301867443, end attempt_ok True at 1796301871445
        RunFacts facts = new RunFacts(Instant.ofEpochMilli(1796301867443L), Optional.of(true),
                Optional.of(Instant.ofEpochMilli(1796301871445L)), Optional.empty(),
                Optional.of(Instant.ofEpochSecond(1796301867L)));

        RunVerdict v = StatusRules.runStatus(facts, CLOCK);

        assertThat(v.status()).isEqualTo(StatusInfo.of(Status.COMPLETED, "end step succeeded"));
        assertThat(v.finishedAt()).contains(Instant.ofEpochMilli(1796301871445L));
        assertThat(v.duration()).contains(Duration.ofMillis(4002));
    }

    @Test
    void the_cutoff_is_six_minutes_and_the_stale_limit_one_day() {
        assertThat(StatusRules.RUN_INACTIVE_CUTOFF).isEqualTo(Duration.ofSeconds(360));
        assertThat(StatusRules.TASK_HEARTBEAT_THRESHOLD).isEqualTo(Duration.ofSeconds(60));
        assertThat(StatusRules.NO_HEARTBEAT_STALE).isEqualTo(Duration.ofDays(1));
    }

    static RunBuilder run() {
        return new RunBuilder();
    }

    static final class RunBuilder {
        private Instant created = CREATED;
        private Optional<Boolean> endOk = Optional.empty();
        private Optional<Instant> endOkAt = Optional.empty();
        private Optional<Instant> endAttemptAt = Optional.empty();
        private Optional<Instant> heartbeat = Optional.empty();

        RunBuilder created(Instant t) {
            created = t;
            return this;
        }

        RunBuilder endOk(boolean ok, Instant at) {
            endOk = Optional.of(ok);
            endOkAt = Optional.of(at);
            return this;
        }

        RunBuilder endAttempt(Instant t) {
            endAttemptAt = Optional.of(t);
            return this;
        }

        RunBuilder heartbeat(Instant t) {
            heartbeat = Optional.of(t);
            return this;
        }

        RunFacts build() {
            return new RunFacts(created, endOk, endOkAt, endAttemptAt, heartbeat);
        }

        @Override
        public String toString() {
            return build().toString();
        }
    }
}

package io.github.metaflowui.core;

import io.github.metaflowui.core.StatusRules.LocalRunFacts;
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

/** {@link StatusRules#localRunStatus}: every rule of the class javadoc's local list, in order, with a fixed clock. */
class StatusRulesLocalRunStatusTest {
    private static final Instant NOW = Instant.parse("2026-12-03T13:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Instant CREATED = Instant.parse("2026-12-03T12:00:00Z");
    private static final Instant END_OK_AT = Instant.parse("2026-12-03T12:30:00Z");
    private static final Duration SINCE_CREATED = Duration.ofHours(1);

    static Stream<Arguments> rules() {
        return Stream.of(
                // 1. a retry of end started after its last outcome: running
                arguments("1: end retry started after a failed end attempt is running",
                        local().endOk(false, END_OK_AT).endAttempt(END_OK_AT.plusSeconds(1)).lastActivity(END_OK_AT),
                        Status.RUNNING, "a retry of the end step is running", Optional.empty(),
                        Optional.of(SINCE_CREATED)),
                arguments("1: an end attempt before its outcome is not a retry",
                        local().endOk(false, END_OK_AT).endAttempt(END_OK_AT.minusSeconds(1)).lastActivity(END_OK_AT),
                        Status.FAILED, "end step failed", Optional.of(END_OK_AT), Optional.of(Duration.ofMinutes(30))),
                // 2. end attempt_ok: completed or failed
                arguments("2: end attempt_ok true is completed",
                        local().endOk(true, END_OK_AT).lastActivity(END_OK_AT),
                        Status.COMPLETED, "end step succeeded", Optional.of(END_OK_AT),
                        Optional.of(Duration.ofMinutes(30))),
                arguments("2: end attempt_ok true wins over an earlier failed task (a retried step)",
                        local().endOk(true, END_OK_AT).failed("flaky/2", END_OK_AT.minusSeconds(120))
                                .lastActivity(END_OK_AT),
                        Status.COMPLETED, "end step succeeded", Optional.of(END_OK_AT),
                        Optional.of(Duration.ofMinutes(30))),
                arguments("2: end attempt_ok true without its time finishes at the last activity",
                        local().endOk(true).lastActivity(END_OK_AT.plusSeconds(2)),
                        Status.COMPLETED, "end step succeeded", Optional.of(END_OK_AT.plusSeconds(2)),
                        Optional.of(Duration.ofMinutes(30).plusSeconds(2))),
                arguments("2: end attempt_ok false is failed",
                        local().endOk(false, END_OK_AT).lastActivity(NOW),
                        Status.FAILED, "end step failed", Optional.of(END_OK_AT), Optional.of(Duration.ofMinutes(30))),
                // 3. a failed task without a retry within the cutoff: failed; within: running
                arguments("3: a task failed 361 s ago with no retry is failed at the failure",
                        local().failed("explode/2", NOW.minusSeconds(361)).lastActivity(NOW.minusSeconds(361)),
                        Status.FAILED, "task explode/2 failed and no retry followed",
                        Optional.of(NOW.minusSeconds(361)), Optional.of(Duration.ofMinutes(53).plusSeconds(59))),
                arguments("3: a task failed exactly 360 s ago is running; a retry may follow",
                        local().failed("explode/2", NOW.minusSeconds(360)).lastActivity(NOW.minusSeconds(360)),
                        Status.RUNNING, "task explode/2 failed 6 min ago; a retry may follow", Optional.empty(),
                        Optional.of(SINCE_CREATED)),
                arguments("3: a failure wins over a task still unfinished",
                        local().failed("explode/2", NOW.minusSeconds(600)).unfinished("other/3", NOW.minusSeconds(60))
                                .lastActivity(NOW.minusSeconds(60)),
                        Status.FAILED, "task explode/2 failed and no retry followed",
                        Optional.of(NOW.minusSeconds(600)), Optional.of(Duration.ofMinutes(50))),
                arguments("3: a failed task without a failure time is not considered",
                        local().failedTaskOnly("explode/2").lastActivity(NOW.minusSeconds(30)),
                        Status.RUNNING, "last activity 30 s ago", Optional.empty(), Optional.of(SINCE_CREATED)),
                // 4. an attempt started less than a day ago and not finished: running
                arguments("4: a task started 2 h ago and not finished is running",
                        local().created(NOW.minus(Duration.ofHours(3))).unfinished("train/2", NOW.minus(Duration.ofHours(2)))
                                .lastActivity(NOW.minus(Duration.ofHours(2))),
                        Status.RUNNING, "task train/2 started 2 h ago and has not finished (local runs have no heartbeat)",
                        Optional.empty(), Optional.of(Duration.ofHours(3))),
                arguments("4: a task started exactly one day ago is still running",
                        local().created(NOW.minus(Duration.ofDays(2))).unfinished("train/2", NOW.minus(Duration.ofDays(1)))
                                .lastActivity(NOW.minus(Duration.ofDays(1))),
                        Status.RUNNING, "task train/2 started 1 day ago and has not finished", Optional.empty(),
                        Optional.of(Duration.ofDays(2))),
                arguments("4: a task started one day and 1 s ago falls through to inactivity",
                        local().created(NOW.minus(Duration.ofDays(2)))
                                .unfinished("train/2", NOW.minus(Duration.ofDays(1)).minusSeconds(1))
                                .lastActivity(NOW.minus(Duration.ofDays(1)).minusSeconds(1)),
                        Status.FAILED, "no activity for 1 day; the run stopped before its end step",
                        Optional.of(NOW.minus(Duration.ofDays(1)).minusSeconds(1)),
                        Optional.of(Duration.ofDays(1).minusSeconds(1))),
                arguments("4: a task unfinished for over a day with recent activity elsewhere is running",
                        local().created(NOW.minus(Duration.ofDays(2)))
                                .unfinished("train/2", NOW.minus(Duration.ofDays(1)).minusSeconds(1))
                                .lastActivity(NOW.minusSeconds(5)),
                        Status.RUNNING, "last activity 5 s ago", Optional.empty(), Optional.of(Duration.ofDays(2))),
                // 5. any file changed within the cutoff: running
                arguments("5: activity exactly 360 s ago is running",
                        local().lastActivity(NOW.minusSeconds(360)),
                        Status.RUNNING, "last activity 6 min ago", Optional.empty(), Optional.of(SINCE_CREATED)),
                // 6. otherwise failed, stopped before its end step
                arguments("6: activity 361 s ago is failed at the last activity",
                        local().lastActivity(NOW.minusSeconds(361)),
                        Status.FAILED, "no activity for 6 min; the run stopped before its end step",
                        Optional.of(NOW.minusSeconds(361)), Optional.of(Duration.ofMinutes(53).plusSeconds(59))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void derives_local_run_status_from_what_the_files_say(String rule, LocalBuilder given, Status status,
                                                          String reason, Optional<Instant> finishedAt,
                                                          Optional<Duration> duration) {
        RunVerdict v = StatusRules.localRunStatus(given.build(), CLOCK);

        assertThat(v.status().status()).as("status").isEqualTo(status);
        assertThat(v.status().reason()).as("reason").contains(reason);
        assertThat(v.finishedAt()).as("finishedAt").isEqualTo(finishedAt);
        assertThat(v.duration()).as("duration").isEqualTo(duration);
    }

    @Test
    void failing_flow_local_run_is_failed_at_its_explode_outcome() {
        // Given FailingFlow/1796301624448446: run _self.json ts_epoch 1796301624450, explode/2 attempt_ok False
        // at 1796301625626, no end step
        Instant failedAt = Instant.ofEpochMilli(1796301625626L);
        LocalRunFacts facts = new LocalRunFacts(Instant.ofEpochMilli(1796301624450L), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of("explode/2"), Optional.of(failedAt),
                Optional.empty(), Optional.empty(), failedAt);

        // When looked at long after
        RunVerdict v = StatusRules.localRunStatus(facts, CLOCK);

        // Then
        assertThat(v.status()).isEqualTo(StatusInfo.of(Status.FAILED, "task explode/2 failed and no retry followed"));
        assertThat(v.finishedAt()).contains(failedAt);
        assertThat(v.duration()).contains(Duration.ofMillis(1176));
    }

    static LocalBuilder local() {
        return new LocalBuilder();
    }

    static final class LocalBuilder {
        private Instant created = CREATED;
        private Optional<Boolean> endOk = Optional.empty();
        private Optional<Instant> endOkAt = Optional.empty();
        private Optional<Instant> endAttemptAt = Optional.empty();
        private Optional<String> failedTask = Optional.empty();
        private Optional<Instant> failedAt = Optional.empty();
        private Optional<String> unfinishedTask = Optional.empty();
        private Optional<Instant> unfinishedSince = Optional.empty();
        private Instant lastActivity = CREATED;

        LocalBuilder created(Instant t) {
            created = t;
            return this;
        }

        LocalBuilder endOk(boolean ok) {
            endOk = Optional.of(ok);
            return this;
        }

        LocalBuilder endOk(boolean ok, Instant at) {
            endOk = Optional.of(ok);
            endOkAt = Optional.of(at);
            return this;
        }

        LocalBuilder endAttempt(Instant t) {
            endAttemptAt = Optional.of(t);
            return this;
        }

        LocalBuilder failed(String task, Instant at) {
            failedTask = Optional.of(task);
            failedAt = Optional.of(at);
            return this;
        }

        LocalBuilder failedTaskOnly(String task) {
            failedTask = Optional.of(task);
            return this;
        }

        LocalBuilder unfinished(String task, Instant since) {
            unfinishedTask = Optional.of(task);
            unfinishedSince = Optional.of(since);
            return this;
        }

        LocalBuilder lastActivity(Instant t) {
            lastActivity = t;
            return this;
        }

        LocalRunFacts build() {
            return new LocalRunFacts(created, endOk, endOkAt, endAttemptAt, failedTask, failedAt, unfinishedTask,
                    unfinishedSince, lastActivity);
        }

        @Override
        public String toString() {
            return build().toString();
        }
    }
}

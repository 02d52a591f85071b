package io.github.metaflowui.core;

import io.github.metaflowui.core.StatusRules.AttemptFacts;
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
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * {@link StatusRules#attempt}: the eight rules of the class javadoc, in order, with a fixed clock.
 * Each row names the rule it exercises; the reason text is API, so its key phrases are asserted.
 */
class StatusRulesAttemptTest {
    private static final Instant NOW = Instant.parse("2026-12-03T13:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Instant CREATED = Instant.parse("2026-12-03T12:00:00Z");
    private static final Instant STARTED = Instant.parse("2026-12-03T12:00:05Z");
    private static final Instant OK_AT = Instant.parse("2026-12-03T12:10:00Z");
    private static final Instant DONE_AT = Instant.parse("2026-12-03T12:10:01Z");
    private static final Instant NEXT_AT = Instant.parse("2026-12-03T12:20:00Z");

    static Stream<Arguments> rules() {
        return Stream.of(
                // 1. attempt_ok true: completed, finished at the later of attempt-done and attempt_ok
                arguments("1: attempt_ok true is completed",
                        facts().started(STARTED).ok(true, OK_AT).done(DONE_AT),
                        Status.COMPLETED, "attempt 0 succeeded (attempt_ok is True)", Optional.of(DONE_AT)),
                arguments("1: attempt_ok true finishes at attempt_ok when it is later than attempt-done",
                        facts().started(STARTED).ok(true, DONE_AT).done(OK_AT),
                        Status.COMPLETED, "attempt 0 succeeded", Optional.of(DONE_AT)),
                arguments("1: attempt_ok true wins over a later attempt and a stale heartbeat",
                        facts().started(STARTED).ok(true, OK_AT).next(NEXT_AT).heartbeat(NOW.minusSeconds(3600)),
                        Status.COMPLETED, "attempt 0 succeeded", Optional.of(OK_AT)),
                arguments("1: attempt_ok true without any finish time has no finish",
                        facts().started(STARTED).ok(true),
                        Status.COMPLETED, "attempt 0 succeeded", Optional.empty()),
                // 2. attempt_ok false: failed
                arguments("2: attempt_ok false is failed",
                        facts().started(STARTED).ok(false, OK_AT).done(DONE_AT),
                        Status.FAILED, "attempt 0 failed (attempt_ok is False)", Optional.of(DONE_AT)),
                arguments("2: attempt_ok false wins over a fresh heartbeat",
                        facts().started(STARTED).ok(false, OK_AT).heartbeat(NOW.minusSeconds(1)),
                        Status.FAILED, "attempt_ok is False", Optional.of(OK_AT)),
                // 3. finished, outcome not recorded: unknown
                arguments("3: attempt-done without attempt_ok is unknown",
                        facts().started(STARTED).done(DONE_AT),
                        Status.UNKNOWN, "attempt 0 finished but its outcome (attempt_ok) is not recorded",
                        Optional.of(DONE_AT)),
                arguments("3: a finish without outcome wins over a later attempt",
                        facts().started(STARTED).done(DONE_AT).next(NEXT_AT),
                        Status.UNKNOWN, "not recorded", Optional.of(DONE_AT)),
                // 4. a later attempt started: failed, finished when the next one started
                arguments("4: a started later attempt fails this one",
                        facts().started(STARTED).next(NEXT_AT),
                        Status.FAILED, "attempt 0 was followed by attempt 1", Optional.of(NEXT_AT)),
                arguments("4: a later attempt wins over a fresh heartbeat",
                        facts().started(STARTED).next(NEXT_AT).heartbeat(NOW.minusSeconds(2)),
                        Status.FAILED, "was followed by attempt 1", Optional.of(NEXT_AT)),
                arguments("4: the numbers follow the attempt",
                        facts().attempt(2).started(STARTED).next(NEXT_AT),
                        Status.FAILED, "attempt 2 was followed by attempt 3", Optional.of(NEXT_AT)),
                // 5. heartbeat older than 60 s: failed, finished at the heartbeat
                arguments("5: heartbeat 61 s old is failed",
                        facts().started(STARTED).heartbeat(NOW.minusSeconds(61)),
                        Status.FAILED, "no heartbeat for 1 min (the task is presumed dead after 1 min)",
                        Optional.of(NOW.minusSeconds(61))),
                arguments("5: heartbeat 60 s and 1 ms old is failed",
                        facts().started(STARTED).heartbeat(NOW.minusSeconds(60).minusMillis(1)),
                        Status.FAILED, "no heartbeat for 1 min", Optional.of(NOW.minusSeconds(60).minusMillis(1))),
                arguments("5: heartbeat exactly 60 s old is still running",
                        facts().started(STARTED).heartbeat(NOW.minusSeconds(60)),
                        Status.RUNNING, "attempt 0 running, heartbeat 1 min ago", Optional.empty()),
                arguments("5: heartbeat 59 s old is running",
                        facts().started(STARTED).heartbeat(NOW.minusSeconds(59)),
                        Status.RUNNING, "attempt 0 running, heartbeat 59 s ago", Optional.empty()),
                arguments("5: an old heartbeat fails even a task that never started",
                        facts().heartbeat(NOW.minusSeconds(3 * 60)),
                        Status.FAILED, "no heartbeat for 3 min", Optional.of(NOW.minusSeconds(3 * 60))),
                arguments("5: a heartbeat from the future (clock skew) is running",
                        facts().started(STARTED).heartbeat(NOW.plusSeconds(5)),
                        Status.RUNNING, "heartbeat 5 s ago", Optional.empty()),
                // 6. no heartbeat and over a day since start (or creation): failed
                arguments("6: no heartbeat, started one day and 1 s ago is failed",
                        facts().created(NOW.minus(Duration.ofDays(1)).minusSeconds(10))
                                .started(NOW.minus(Duration.ofDays(1)).minusSeconds(1)),
                        Status.FAILED, "attempt 0 never finished: started 1 day ago and there is no heartbeat",
                        Optional.empty()),
                arguments("6: no heartbeat, started exactly one day ago is still running",
                        facts().created(NOW.minus(Duration.ofDays(1)).minusSeconds(10))
                                .started(NOW.minus(Duration.ofDays(1))),
                        Status.RUNNING, "attempt 0 running since 1 day ago", Optional.empty()),
                arguments("6: no heartbeat, never started, created one day and 1 s ago is failed",
                        facts().created(NOW.minus(Duration.ofDays(1)).minusSeconds(1)),
                        Status.FAILED, "never finished: started 1 day ago", Optional.empty()),
                arguments("6: no heartbeat, started three days ago says so",
                        facts().created(NOW.minus(Duration.ofDays(3))).started(NOW.minus(Duration.ofDays(3))),
                        Status.FAILED, "started 3 days ago and there is no heartbeat", Optional.empty()),
                arguments("6: does not apply with a fresh heartbeat",
                        facts().created(NOW.minus(Duration.ofDays(2))).started(NOW.minus(Duration.ofDays(2)))
                                .heartbeat(NOW.minusSeconds(10)),
                        Status.RUNNING, "attempt 0 running, heartbeat 10 s ago", Optional.empty()),
                // 7. no heartbeat, never started: pending
                arguments("7: no heartbeat and no start is pending",
                        facts().created(NOW.minusSeconds(5 * 60)),
                        Status.PENDING, "registered, not started yet", Optional.empty()),
                arguments("7: never started, created exactly one day ago is still pending",
                        facts().created(NOW.minus(Duration.ofDays(1))),
                        Status.PENDING, "registered, not started yet", Optional.empty()),
                // 8. otherwise running
                arguments("8: started without heartbeat is running",
                        facts().started(NOW.minusSeconds(10 * 60)),
                        Status.RUNNING, "attempt 0 running since 10 min ago", Optional.empty()),
                arguments("8: a fresh heartbeat before any attempt record is running, not pending",
                        facts().heartbeat(NOW.minusSeconds(3)),
                        Status.RUNNING, "attempt 0 running, heartbeat 3 s ago", Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void derives_the_status_reason_and_finish_of_an_attempt(String rule, FactsBuilder given, Status status,
                                                            String reason, Optional<Instant> finishedAt) {
        AttemptFacts facts = given.build();

        Attempt attempt = StatusRules.attempt(facts, CLOCK);

        assertThat(attempt.status().status()).as("status").isEqualTo(status);
        assertThat(attempt.status().reason()).as("reason").contains(reason);
        assertThat(attempt.finishedAt()).as("finishedAt").isEqualTo(finishedAt);
        assertThat(attempt.startedAt()).as("startedAt is the attempt record's time").isEqualTo(facts.startedAt());
        assertThat(attempt.id()).isEqualTo(facts.attempt());
    }

    @Test
    void reports_retry_flow_flaky_attempt_zero_as_failed_with_its_real_times() {
        // Given RetryFlow run 5, task flaky/23, attempt 0 as recorded by the metadata service
        AttemptFacts facts = new AttemptFacts(0, Instant.ofEpochMilli(1796301868365L),
                Optional.of(Instant.ofEpochMilli(1796301868988L)), Optional.of(Instant.ofEpochMilli(1796301869017L)),
                Optional.of(false), Optional.of(Instant.ofEpochMilli(1796301869006L)),
                Optional.of(Instant.ofEpochMilli(1796301869892L)), Optional.of(Instant.ofEpochSecond(1796301868L)));

        // When derived a day later
        Attempt a = StatusRules.attempt(facts, Clock.fixed(Instant.ofEpochMilli(1796388268365L), ZoneOffset.UTC));

        // Then the recorded outcome decides, whatever the clock says
        assertThat(a.status()).isEqualTo(StatusInfo.of(Status.FAILED, "attempt 0 failed (attempt_ok is False)"));
        assertThat(a.startedAt()).contains(Instant.ofEpochMilli(1796301868988L));
        assertThat(a.finishedAt()).contains(Instant.ofEpochMilli(1796301869017L));
        assertThat(a.duration()).contains(Duration.ofMillis(29));
    }

    @Test
    void a_running_attempt_has_no_duration_yet() {
        Attempt a = StatusRules.attempt(facts().started(STARTED).heartbeat(NOW.minusSeconds(5)).build(), CLOCK);

        assertThat(a.status().status()).isEqualTo(Status.RUNNING);
        assertThat(a.duration()).isEmpty();
    }

    @Test
    void the_same_facts_flip_from_running_to_failed_only_because_the_clock_moved() {
        AttemptFacts facts = facts().started(STARTED).heartbeat(NOW).build();

        Attempt fresh = StatusRules.attempt(facts, Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC));
        Attempt stale = StatusRules.attempt(facts, Clock.fixed(NOW.plusSeconds(61), ZoneOffset.UTC));

        assertThat(fresh.status().status()).isEqualTo(Status.RUNNING);
        assertThat(stale.status().status()).isEqualTo(Status.FAILED);
        assertThat(stale.finishedAt()).contains(NOW);
    }

    @Test
    void attempt_facts_reject_null_parts_by_name() {
        assertThatNullPointerException()
                .isThrownBy(() -> new AttemptFacts(0, CREATED, Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty(), null))
                .withMessage("heartbeat");
        assertThatNullPointerException()
                .isThrownBy(() -> new AttemptFacts(0, null, Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty(), Optional.empty()))
                .withMessage("taskCreated");
    }

    static FactsBuilder facts() {
        return new FactsBuilder();
    }

    /** Readable rows: only what a row sets is present. */
    static final class FactsBuilder {
        private int attempt;
        private Instant created = CREATED;
        private Optional<Instant> started = Optional.empty();
        private Optional<Instant> done = Optional.empty();
        private Optional<Boolean> ok = Optional.empty();
        private Optional<Instant> okAt = Optional.empty();
        private Optional<Instant> next = Optional.empty();
        private Optional<Instant> heartbeat = Optional.empty();

        FactsBuilder attempt(int a) {
            attempt = a;
            return this;
        }

        FactsBuilder created(Instant t) {
            created = t;
            return this;
        }

        FactsBuilder started(Instant t) {
            started = Optional.of(t);
            return this;
        }

        FactsBuilder done(Instant t) {
            done = Optional.of(t);
            return this;
        }

        FactsBuilder ok(boolean value) {
            ok = Optional.of(value);
            return this;
        }

        FactsBuilder ok(boolean value, Instant at) {
            ok = Optional.of(value);
            okAt = Optional.of(at);
            return this;
        }

        FactsBuilder next(Instant t) {
            next = Optional.of(t);
            return this;
        }

        FactsBuilder heartbeat(Instant t) {
            heartbeat = Optional.of(t);
            return this;
        }

        AttemptFacts build() {
            return new AttemptFacts(attempt, created, started, done, ok, okAt, next, heartbeat);
        }

        @Override
        public String toString() {
            return build().toString();
        }
    }
}

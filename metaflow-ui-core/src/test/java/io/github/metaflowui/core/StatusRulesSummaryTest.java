package io.github.metaflowui.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** {@link StatusRules#stepStatus}, {@link StatusRules#taskStatus} and {@link StatusRules#human}. */
class StatusRulesSummaryTest {

    static Stream<Arguments> steps() {
        return Stream.of(
                arguments(TaskCounts.EMPTY, Status.PENDING, "no tasks yet"),
                arguments(new TaskCounts(0, 0, 3, 0, 0), Status.COMPLETED, "all 3 tasks completed"),
                arguments(new TaskCounts(0, 1, 197, 2, 0), Status.RUNNING, "1 of 200 tasks running"),
                arguments(new TaskCounts(5, 1, 0, 1, 1), Status.RUNNING, "1 of 8 tasks running"),
                arguments(new TaskCounts(0, 0, 281, 4, 0), Status.FAILED, "4 of 285 tasks failed"),
                arguments(new TaskCounts(2, 0, 3, 1, 1), Status.FAILED, "1 of 7 tasks failed"),
                arguments(new TaskCounts(2, 0, 3, 0, 1), Status.PENDING, "2 of 6 tasks pending"),
                arguments(new TaskCounts(2, 0, 0, 0, 0), Status.PENDING, "2 of 2 tasks pending"),
                arguments(new TaskCounts(0, 0, 3, 0, 1), Status.UNKNOWN, "1 of 4 tasks have no recorded outcome"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("steps")
    void step_status_is_running_then_failed_then_pending_then_unknown_then_completed(TaskCounts counts,
                                                                                     Status status, String reason) {
        assertThat(StatusRules.stepStatus(counts)).isEqualTo(StatusInfo.of(status, reason));
    }

    @Test
    void task_without_attempts_is_pending() {
        assertThat(StatusRules.taskStatus(List.of()))
                .isEqualTo(StatusInfo.of(Status.PENDING, "registered, not started yet"));
    }

    @Test
    void task_status_is_the_highest_attempt_whatever_the_list_order() {
        Attempt failed0 = attempt(0, Status.FAILED, "attempt 0 failed (attempt_ok is False)");
        Attempt ok1 = attempt(1, Status.COMPLETED, "attempt 1 succeeded (attempt_ok is True)");
        Attempt running2 = attempt(2, Status.RUNNING, "attempt 2 running since 5 s ago");

        assertThat(StatusRules.taskStatus(List.of(failed0, ok1))).isEqualTo(ok1.status());
        assertThat(StatusRules.taskStatus(List.of(ok1, failed0))).isEqualTo(ok1.status());
        assertThat(StatusRules.taskStatus(List.of(running2, failed0, ok1))).isEqualTo(running2.status());
        assertThat(StatusRules.taskStatus(List.of(failed0))).isEqualTo(failed0.status());
    }

    static Stream<Arguments> durations() {
        return Stream.of(
                arguments(Duration.ZERO, "0 s"),
                arguments(Duration.ofMillis(999), "0 s"),
                arguments(Duration.ofSeconds(45), "45 s"),
                arguments(Duration.ofMillis(59_999), "59 s"),
                arguments(Duration.ofSeconds(60), "1 min"),
                arguments(Duration.ofSeconds(119), "1 min"),
                arguments(Duration.ofSeconds(360), "6 min"),
                arguments(Duration.ofSeconds(3599), "59 min"),
                arguments(Duration.ofHours(1), "1 h"),
                arguments(Duration.ofHours(3).plusMinutes(5), "3 h 5 min"),
                arguments(Duration.ofHours(3).plusMinutes(5).plusSeconds(59), "3 h 5 min"),
                arguments(Duration.ofSeconds(86_399), "23 h 59 min"),
                arguments(Duration.ofDays(1), "1 day"),
                arguments(Duration.ofDays(1).plusHours(23), "1 day"),
                arguments(Duration.ofDays(2), "2 days"),
                arguments(Duration.ofDays(400), "400 days"),
                arguments(Duration.ofSeconds(-45), "45 s"),
                arguments(Duration.ofMinutes(-6), "6 min"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("durations")
    void human_durations_are_short_and_ignore_the_sign(Duration d, String expected) {
        assertThat(StatusRules.human(d)).isEqualTo(expected);
    }

    private static Attempt attempt(int id, Status status, String reason) {
        return new Attempt(id, StatusInfo.of(status, reason), Optional.of(Instant.EPOCH), Optional.empty());
    }
}

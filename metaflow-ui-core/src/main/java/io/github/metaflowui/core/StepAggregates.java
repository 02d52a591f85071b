package io.github.metaflowui.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A step summarised without listing its tasks: counts by status (one per task, its latest attempt),
 * attempts and retries, the first start and last finish, and the distribution of task durations.
 * What a page showing a 100,000-task step needs instead of the tasks themselves.
 *
 * @param step           the step
 * @param counts         tasks per status
 * @param attempts       attempts of all tasks together
 * @param retriedTasks   tasks with more than one attempt
 * @param firstStartedAt the earliest task start
 * @param lastFinishedAt the latest task finish (whether or not every task finished)
 * @param durations      durations of the tasks that finished (first start to last finish)
 */
public record StepAggregates(StepRef step, TaskCounts counts, long attempts, long retriedTasks,
                             Optional<Instant> firstStartedAt, Optional<Instant> lastFinishedAt,
                             DurationStats durations) {
    public StepAggregates {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(firstStartedAt, "firstStartedAt");
        Objects.requireNonNull(lastFinishedAt, "lastFinishedAt");
        Objects.requireNonNull(durations, "durations");
    }

    /** Adds up tasks one at a time, in any order; not thread-safe. */
    public static final class Accumulator {
        private final StepRef step;
        private int pending;
        private int running;
        private int completed;
        private int failed;
        private int unknown;
        private long attempts;
        private long retried;
        private long firstStart = Long.MAX_VALUE;
        private long lastFinish = Long.MIN_VALUE;
        private long[] durations = new long[64];
        private int n;

        public Accumulator(StepRef step) {
            this.step = Objects.requireNonNull(step, "step");
        }

        public Accumulator add(Task task) {
            Optional<Instant> started = task.startedAt();
            Optional<Instant> finished = task.finishedAt();
            return add(task.status().status(), task.attempts().size(),
                    started.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE),
                    finished.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE),
                    task.duration().map(Duration::toMillis).orElse(Long.MIN_VALUE));
        }

        /**
         * Adds one task from its parts; {@code Long.MIN_VALUE} stands for an absent time or duration.
         */
        public Accumulator add(Status status, int attemptCount, long startedMs, long finishedMs, long durationMs) {
            switch (status) {
                case PENDING: pending++; break;
                case RUNNING: running++; break;
                case COMPLETED: completed++; break;
                case FAILED: failed++; break;
                default: unknown++;
            }
            attempts += attemptCount;
            if (attemptCount > 1) {
                retried++;
            }
            if (startedMs != Long.MIN_VALUE) {
                firstStart = Math.min(firstStart, startedMs);
            }
            if (finishedMs != Long.MIN_VALUE) {
                lastFinish = Math.max(lastFinish, finishedMs);
            }
            if (durationMs != Long.MIN_VALUE) {
                if (n == durations.length) {
                    durations = Arrays.copyOf(durations, n * 2);
                }
                durations[n++] = Math.max(0, durationMs);
            }
            return this;
        }

        public StepAggregates build() {
            return new StepAggregates(step, new TaskCounts(pending, running, completed, failed, unknown), attempts,
                    retried, firstStart == Long.MAX_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(firstStart)),
                    lastFinish == Long.MIN_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastFinish)),
                    DurationStats.of(durations.clone(), n));
        }
    }
}

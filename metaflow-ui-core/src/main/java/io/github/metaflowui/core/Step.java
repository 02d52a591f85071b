package io.github.metaflowui.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One step of a run, summarised over its tasks. Metaflow stores no step status; it is derived from
 * the step's tasks (any running: running; any failed: failed; all completed: completed).
 *
 * @param ref        flow, run and step name
 * @param createdAt  when the step was registered
 * @param status     derived from the tasks, with the reason
 * @param counts     tasks per status (one per task, its latest attempt)
 * @param startedAt  the earliest task start, if any task started
 * @param finishedAt the latest task finish, when every task has finished
 */
public record Step(StepRef ref, Instant createdAt, StatusInfo status, TaskCounts counts,
                   Optional<Instant> startedAt, Optional<Instant> finishedAt) {
    public Step {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
    }

    public String name() {
        return ref.step();
    }

    /** Finish (or, while running, nothing) minus start. */
    public Optional<Duration> duration() {
        if (startedAt.isPresent() && finishedAt.isPresent()) {
            return Optional.of(Duration.between(startedAt.get(), finishedAt.get()));
        }
        return Optional.empty();
    }
}

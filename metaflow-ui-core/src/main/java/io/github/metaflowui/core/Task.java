package io.github.metaflowui.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One task with all its attempts. Its status, start and finish are those of the latest attempt.
 *
 * @param ref          flow, run, step and task id
 * @param createdAt    when the task was registered ({@code ts_epoch})
 * @param attempts     every attempt known, ordered by id, oldest first; empty while pending
 * @param status       status of the latest attempt (pending when there is none)
 * @param foreachLabel e.g. {@code items[3]} for a foreach split, when known
 */
public record Task(TaskRef ref, Instant createdAt, List<Attempt> attempts, StatusInfo status,
                   Optional<String> foreachLabel) {
    public Task {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(createdAt, "createdAt");
        attempts = attempts.stream().sorted(Comparator.comparingInt(Attempt::id)).toList();
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(foreachLabel, "foreachLabel");
    }

    public String step() {
        return ref.step().step();
    }

    public TaskId id() {
        return ref.task();
    }

    public Optional<Attempt> latestAttempt() {
        return attempts.isEmpty() ? Optional.empty() : Optional.of(attempts.get(attempts.size() - 1));
    }

    /** The latest attempt's id, 0 when there is none yet. */
    public int currentAttempt() {
        return latestAttempt().map(Attempt::id).orElse(0);
    }

    /** When the first attempt started. */
    public Optional<Instant> startedAt() {
        return attempts.isEmpty() ? Optional.empty() : attempts.get(0).startedAt();
    }

    /** When the latest attempt finished, if it did. */
    public Optional<Instant> finishedAt() {
        return latestAttempt().flatMap(Attempt::finishedAt);
    }

    public Optional<Duration> duration() {
        Optional<Instant> s = startedAt();
        Optional<Instant> f = finishedAt();
        return s.isPresent() && f.isPresent() ? Optional.of(Duration.between(s.get(), f.get())) : Optional.empty();
    }
}

package io.github.metaflowui.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** One attempt of a task (attempts are retries, numbered from 0). */
public record Attempt(int id, StatusInfo status, Optional<Instant> startedAt, Optional<Instant> finishedAt) {
    public Attempt {
        if (id < 0) {
            throw new IllegalArgumentException("attempt id must be >= 0, got " + id);
        }
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
    }

    public Optional<Duration> duration() {
        if (startedAt.isPresent() && finishedAt.isPresent()) {
            return Optional.of(Duration.between(startedAt.get(), finishedAt.get()));
        }
        return Optional.empty();
    }
}

package io.github.metaflowui.core.watch;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A poll failed; the watcher keeps the last good snapshot and tries again.
 *
 * @param cause    why (usually a {@link io.github.metaflowui.core.MetaflowException})
 * @param failures how many polls in a row have failed
 * @param since    when the first of them failed
 * @param retryIn  when the next poll is due
 */
public record WatchError(RuntimeException cause, int failures, Instant since, Duration retryIn) {
    public WatchError {
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(retryIn, "retryIn");
    }

    /** The cause's message, or its class name when it has none. */
    public String message() {
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}

package io.github.metaflowui.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of a task's log.
 *
 * @param row       0-based index of the line across the whole log
 * @param timestamp when it was written (empty for legacy logs and unparseable lines)
 * @param text      the message, without the mflog prefix
 * @param stream    stdout or stderr
 */
public record LogLine(long row, Optional<Instant> timestamp, String text, LogStream stream) {
    public LogLine {
        if (row < 0) {
            throw new IllegalArgumentException("row must be >= 0");
        }
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(stream, "stream");
    }
}

package io.github.metaflowui.core;

import java.util.List;

/**
 * A window of log lines in forward order (row ascending), with the size of the whole log.
 *
 * @param attempt    the attempt the lines belong to
 * @param lines      the lines, row ascending
 * @param totalLines how many lines the whole log has
 */
public record LogPage(int attempt, List<LogLine> lines, long totalLines) {
    public LogPage {
        lines = List.copyOf(lines);
        if (totalLines < 0) {
            throw new IllegalArgumentException("totalLines must be >= 0");
        }
    }
}

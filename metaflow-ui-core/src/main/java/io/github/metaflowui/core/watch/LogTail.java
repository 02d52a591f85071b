package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.TaskRef;

import java.util.List;
import java.util.Objects;

/**
 * The end of one log stream of one attempt, as one poll saw it. Two tails are the same (for the
 * watcher) when the attempt and the line count are; {@code lines} are the lines that poll read:
 * the last lines of the log on a first or full poll, else only the lines added since the previous
 * poll (row numbers tell where they go).
 *
 * @param task       the task
 * @param stream     stdout or stderr
 * @param attempt    the attempt the lines belong to
 * @param totalLines how many lines the log has
 * @param lines      the lines read by this poll, row ascending
 */
public record LogTail(TaskRef task, LogStream stream, int attempt, long totalLines, List<LogLine> lines) {
    public LogTail {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(stream, "stream");
        lines = List.copyOf(lines);
        if (totalLines < 0) {
            throw new IllegalArgumentException("totalLines must be >= 0");
        }
    }

    /** {@code Flow/Run/Step/Task/out} or {@code .../err}. */
    public String key() {
        return task.pathspec() + "/" + (stream == LogStream.STDERR ? "err" : "out");
    }

    /** The row of the first line read, or {@code totalLines} when none was. */
    public long firstRow() {
        return lines.isEmpty() ? totalLines : lines.get(0).row();
    }
}

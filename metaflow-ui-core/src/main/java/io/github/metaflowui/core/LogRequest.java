package io.github.metaflowui.core;

import java.util.Objects;

/**
 * Which lines of a log to read: a window of rows counted from the start, or from the end.
 * {@code fromStart(0, 100)} is rows 0..99; {@code fromEnd(0, 100)} is the last 100 rows;
 * {@code fromEnd(100, 100)} the 100 before those.
 */
public final class LogRequest {
    /** The attempt value that means "the task's latest attempt". */
    public static final int LATEST_ATTEMPT = -1;
    public static final int MAX_LIMIT = 10_000;

    private final int attempt;
    private final long offset;
    private final int limit;
    private final boolean fromEnd;

    private LogRequest(int attempt, long offset, int limit, boolean fromEnd) {
        if (attempt < LATEST_ATTEMPT) {
            throw new IllegalArgumentException("attempt must be >= 0 (or LATEST_ATTEMPT), got " + attempt);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        this.attempt = attempt;
        this.offset = offset;
        this.limit = limit;
        this.fromEnd = fromEnd;
    }

    /** Rows {@code offset .. offset+limit-1} of the latest attempt's log. */
    public static LogRequest fromStart(long offset, int limit) {
        return new LogRequest(LATEST_ATTEMPT, offset, limit, false);
    }

    /** The {@code limit} rows that end {@code offset} rows before the last line. */
    public static LogRequest fromEnd(long offset, int limit) {
        return new LogRequest(LATEST_ATTEMPT, offset, limit, true);
    }

    /** The same window of a given attempt. */
    public LogRequest attempt(int attempt) {
        return new LogRequest(attempt, offset, limit, fromEnd);
    }

    public int attempt() {
        return attempt;
    }

    public boolean latestAttempt() {
        return attempt == LATEST_ATTEMPT;
    }

    public long offset() {
        return offset;
    }

    public int limit() {
        return limit;
    }

    public boolean fromEnd() {
        return fromEnd;
    }

    /** The first row (inclusive) this request covers in a log of {@code total} lines. */
    public long firstRow(long total) {
        if (!fromEnd) {
            return Math.min(offset, total);
        }
        return Math.max(0, endRow(total) - limit);
    }

    /** The last row (exclusive) this request covers in a log of {@code total} lines. */
    public long endRow(long total) {
        // compared before adding or subtracting, so that huge offsets cannot overflow
        if (offset >= total) {
            return fromEnd ? 0 : total;
        }
        return fromEnd ? total - offset : Math.min(total, offset + limit);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogRequest r && r.attempt == attempt && r.offset == offset && r.limit == limit
                && r.fromEnd == fromEnd;
    }

    @Override
    public int hashCode() {
        return Objects.hash(attempt, offset, limit, fromEnd);
    }

    @Override
    public String toString() {
        return "LogRequest[attempt=" + (attempt == LATEST_ATTEMPT ? "latest" : attempt) + ", offset=" + offset
                + ", limit=" + limit + ", fromEnd=" + fromEnd + "]";
    }
}

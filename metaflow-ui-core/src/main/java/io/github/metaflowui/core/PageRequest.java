package io.github.metaflowui.core;

import java.util.Objects;
import java.util.Optional;

/** Asks a backend for one page: its size and, after the first, the cursor a previous page gave. */
public final class PageRequest {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 1000;

    private final int limit;
    private final String cursor;

    private PageRequest(int limit, String cursor) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        this.limit = limit;
        this.cursor = cursor;
    }

    public static PageRequest first(int limit) {
        return new PageRequest(limit, null);
    }

    public static PageRequest after(String cursor, int limit) {
        return new PageRequest(limit, Objects.requireNonNull(cursor, "cursor"));
    }

    public int limit() {
        return limit;
    }

    public Optional<String> cursor() {
        return Optional.ofNullable(cursor);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PageRequest p && p.limit == limit && Objects.equals(p.cursor, cursor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(limit, cursor);
    }

    @Override
    public String toString() {
        return "PageRequest[limit=" + limit + ", cursor=" + cursor + "]";
    }
}

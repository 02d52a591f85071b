package io.github.metaflowui.core;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of results and the opaque cursor of the next page, if there is one. A page may be
 * empty and still have a next cursor (e.g. when a filter matched nothing in this slice).
 */
public record Page<T>(List<T> items, Optional<String> nextCursor) {
    public Page {
        items = List.copyOf(items);
        Objects.requireNonNull(nextCursor, "nextCursor");
    }

    public static <T> Page<T> last(List<T> items) {
        return new Page<>(items, Optional.empty());
    }

    public static <T> Page<T> of(List<T> items, String nextCursorOrNull) {
        return new Page<>(items, Optional.ofNullable(nextCursorOrNull));
    }

    public boolean hasNext() {
        return nextCursor.isPresent();
    }
}

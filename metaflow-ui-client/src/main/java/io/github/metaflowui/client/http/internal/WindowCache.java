package io.github.metaflowui.client.http.internal;

import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Remembers, for a short while, a sorted window of a list that had to be selected from an
 * unpaginated answer (a legacy server), so that iterating page after page costs one download per
 * window instead of one per page. Purely an optimisation: a miss just means a new download, and
 * first pages are never served from it (they must show new data).
 */
public final class WindowCache<R> {
    /** Rows in order and whether more exist after them. */
    public record Slice<R>(List<R> rows, boolean more) {
    }

    private record Entry<R>(R after, List<R> rows, boolean exhausted, long createdNanos) {
    }

    private final BoundedCache<String, Entry<R>> cache;
    private final long ttlNanos;

    public WindowCache(int entries, java.time.Duration ttl) {
        this.cache = new BoundedCache<>(entries);
        this.ttlNanos = ttl.toNanos();
    }

    /** The {@code limit} rows after {@code after} if the cached window for {@code key} holds them. */
    public Optional<Slice<R>> serve(String key, Comparator<? super R> order, R after, int limit) {
        if (after == null) {
            return Optional.empty();
        }
        Optional<Entry<R>> hit = cache.get(key);
        if (hit.isEmpty() || System.nanoTime() - hit.get().createdNanos() > ttlNanos) {
            return Optional.empty();
        }
        Entry<R> e = hit.get();
        int start;
        if (e.after() != null && order.compare(e.after(), after) == 0) {
            start = 0;
        } else {
            int idx = Collections.binarySearch(e.rows(), after, order);
            if (idx < 0) {
                return Optional.empty();
            }
            start = idx + 1;
        }
        int end = start + limit;
        if (end <= e.rows().size()) {
            return Optional.of(new Slice<>(e.rows().subList(start, end), end < e.rows().size() || !e.exhausted()));
        }
        if (e.exhausted()) {
            return Optional.of(new Slice<>(e.rows().subList(start, e.rows().size()), false));
        }
        return Optional.empty();
    }

    /** Stores a window: {@code rows} are every row after {@code after} in order, complete when {@code exhausted}. */
    public void put(String key, R after, List<R> rows, boolean exhausted) {
        cache.put(key, new Entry<>(after, List.copyOf(rows), exhausted, System.nanoTime()));
    }
}

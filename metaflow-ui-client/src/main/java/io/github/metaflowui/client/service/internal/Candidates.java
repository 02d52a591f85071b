package io.github.metaflowui.client.service.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.metaflowui.client.http.internal.Cursors;
import io.github.metaflowui.client.http.internal.JsonBodies;
import io.github.metaflowui.client.http.internal.TopN;
import io.github.metaflowui.client.http.internal.WindowCache;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The rows that may make a page of runs or tasks (before their statuses are known), as
 * {@link RunListing} and {@link TaskListing} gather them: from the service's own cursor pages, from
 * a window of the legacy full array, or merged over several flows or steps.
 *
 * @param rows         in the listing's order, at most a page
 * @param more         whether rows may follow the last one
 * @param serverCursor the service's cursor for the next page, when the service pages itself
 */
record Candidates<R>(List<R> rows, boolean more, Optional<String> serverCursor) {

    /** Rows we page ourselves: the first {@code limit} (and "more" when there were others). */
    static <R> Candidates<R> firstOf(List<R> rows, boolean more, int limit) {
        if (rows.size() > limit) {
            return new Candidates<>(new ArrayList<>(rows.subList(0, limit)), true, Optional.empty());
        }
        return new Candidates<>(rows, more, Optional.empty());
    }

    /** A slice served from the window cache. */
    static <R> Candidates<R> of(WindowCache.Slice<R> slice) {
        return new Candidates<>(slice.rows(), slice.more(), Optional.empty());
    }

    /** The first {@code limit} rows of several sources (flows, steps) together, in {@code order}. */
    static <R> Candidates<R> merge(List<Candidates<R>> sources, Comparator<? super R> order, int limit) {
        List<R> all = new ArrayList<>();
        boolean more = false;
        for (Candidates<R> c : sources) {
            all.addAll(c.rows());
            more |= c.more();
        }
        all.sort(order);
        return firstOf(all, more, limit);
    }

    /**
     * Selects a window of the legacy full array (every row, unpaged) as it streams: the rows after
     * {@code after} that pass {@code filter}, at most {@code max(limit, window)} of them, kept in
     * {@code windows} under {@code key} for the next pages; returns the first page.
     */
    static <R> Candidates<R> select(InputStream body, Function<JsonNode, R> parse, Predicate<? super R> filter,
                                    Comparator<? super R> order, R after, int limit, int window,
                                    WindowCache<R> windows, String key) throws IOException {
        TopN<R> top = new TopN<>(order, Math.max(limit, window));
        JsonBodies.forEachElement(body, n -> {
            R r = parse.apply(n);
            if (filter.test(r) && (after == null || order.compare(r, after) > 0)) {
                top.offer(r);
            }
            return true;
        });
        List<R> rows = top.sorted();
        windows.put(key, after, rows, !top.overflowed());
        return firstOf(rows, top.overflowed(), limit);
    }

    /** The next page's cursor, or null: the service's own, else a keyset after the last row when more may follow. */
    String nextCursor(String kind, Function<R, ObjectNode> keysetCursor) {
        if (serverCursor.isPresent()) {
            return Cursors.encode(Cursors.object().put("t", kind).put("s", serverCursor.get()));
        }
        if (more && !rows.isEmpty()) {
            return Cursors.encode(keysetCursor.apply(rows.get(rows.size() - 1)));
        }
        return null;
    }
}

package io.github.metaflowui.servlet.internal;

import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageFetcher;
import io.github.metaflowui.core.PageRequest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * One page of a backend list for the API, by {@code _page} (an offset) or by {@code _cursor} (a
 * position). Our cursor is a backend cursor plus how many items of the backend page it starts
 * after, so that it can end a page anywhere: {@code base64url("<skip>:<backend cursor>")}, an empty
 * backend cursor meaning the first page. A deep {@code _page} starts where the backend says it is
 * ({@link io.github.metaflowui.core.spi.MetaflowBackend#runsCursorAt}) when it can, instead of
 * reading everything before it.
 */
final class PageWindow {
    private static final int MAX_BACKEND_PAGES = 100_000;

    private PageWindow() {
    }

    /**
     * The rows of the page, whether another follows, the cursor of the next page, and the last page
     * number when this page showed it (null when unknown, e.g. for cursor pages).
     */
    record Result<T>(List<T> rows, boolean hasNext, String nextCursor, Long last) {
    }

    /**
     * @param cursor   the request's {@code _cursor}, or null to use {@code page}
     * @param seek     a backend cursor after {@code offset} items, when the backend can find one
     * @param extra    a filter the backend could not apply (then offsets cannot be sought)
     */
    static <T> Result<T> read(PageFetcher<T> fetch, String cursor, int page, int limit,
                              LongFunction<Optional<String>> seek, Predicate<T> extra, boolean filtered) {
        String backendCursor = null;
        long rawSkip = 0;
        long matchSkip = 0;
        boolean sought = false;
        long offset = 0;
        if (cursor != null) {
            String decoded = decode(cursor);
            int colon = decoded.indexOf(':');
            try {
                rawSkip = Long.parseLong(decoded.substring(0, colon));
            } catch (RuntimeException e) {
                throw ApiProblem.badRequest("_cursor is not a cursor of this API: '" + Bounded.text(cursor, 60) + "'");
            }
            String rest = decoded.substring(colon + 1);
            backendCursor = rest.isEmpty() ? null : rest;
        } else {
            offset = (long) (page - 1) * limit;
            if (offset > 0 && !filtered) {
                Optional<String> at = seek.apply(offset);
                if (at.isPresent()) {
                    backendCursor = at.get();
                    sought = true;
                } else {
                    matchSkip = offset;
                }
            } else {
                matchSkip = offset;
            }
        }
        // pages of the asked size: a page costs one backend page, and the next is read only to learn
        // whether another row follows (what upstream services see is what Metaflow's own UI sends)
        int size = Math.min(PageRequest.MAX_LIMIT, limit);
        List<T> rows = new ArrayList<>(limit);
        String request = backendCursor;
        String lastPageCursor = null;
        long lastIndex = -1;
        boolean more = false;
        Set<String> seen = new HashSet<>();
        for (int n = 0; n < MAX_BACKEND_PAGES && !more; n++) {
            Page<T> p;
            try {
                p = fetch.fetch(request == null ? PageRequest.first(size) : PageRequest.after(request, size));
            } catch (IllegalArgumentException e) {
                if (cursor != null) {
                    throw ApiProblem.badRequest("_cursor cannot be continued: " + Bounded.text(e.getMessage(), 200));
                }
                throw e;
            }
            List<T> items = p.items();
            for (int i = 0; i < items.size(); i++) {
                if (rawSkip > 0) {
                    rawSkip--;
                    continue;
                }
                T t = items.get(i);
                if (!extra.test(t)) {
                    continue;
                }
                if (matchSkip > 0) {
                    matchSkip--;
                    continue;
                }
                if (rows.size() == limit) {
                    more = true;
                    break;
                }
                rows.add(t);
                lastPageCursor = request;
                lastIndex = i;
            }
            if (more || p.nextCursor().isEmpty()) {
                break;
            }
            if (!seen.add(p.nextCursor().get())) {
                throw new IllegalStateException("backend repeated the page cursor '" + p.nextCursor().get() + "'");
            }
            request = p.nextCursor().get();
            rawSkip = 0;
        }
        String next = null;
        if (more && lastIndex >= 0) {
            next = encode((lastIndex + 1) + ":" + (lastPageCursor == null ? "" : lastPageCursor));
        } else if (more) {
            next = cursor;
        }
        if (sought && rows.isEmpty()) {
            // past the end: walk there instead, to learn where the end is (pages.last)
            return read(fetch, null, page, limit, x -> Optional.empty(), extra, filtered);
        }
        Long last = null;
        if (!more && cursor == null) {
            if (!rows.isEmpty()) {
                last = (long) page;
            } else if (!sought) {
                long before = offset - matchSkip; // rows that exist before this (empty) page
                last = Math.max(1, (before + limit - 1) / limit);
            }
        }
        return new Result<>(rows, more, next, last);
    }

    static String encode(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor.trim()), StandardCharsets.UTF_8);
            if (s.indexOf(':') < 1) {
                throw new IllegalArgumentException("no skip");
            }
            return s;
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("_cursor is not a cursor of this API: '" + Bounded.text(cursor, 60) + "'");
        }
    }
}

package io.github.metaflowui.client.uibackend.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.client.http.internal.Json;
import io.github.metaflowui.client.http.internal.Query;
import io.github.metaflowui.client.uibackend.internal.UiApi.Envelope;
import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Log windows over the UI backend's paged log endpoints (contract §3.7). A window is read with pages
 * of 100, 1,000 or 10,000 lines (the smallest that fits the window) so that requests repeat and hit
 * the server's cache; the total line count comes from {@code pages.last} and the rows of the last page:
 * <ul>
 *   <li>from the start: the pages covering the window, plus the last page when none of them is it
 *       (1 to 3 requests);</li>
 *   <li>from the end: {@code _order=-row&_page=1}, which is the last forward page and gives the total
 *       at once, plus the forward pages before it that the window reaches into.</li>
 * </ul>
 */
public final class UiLogs {
    private final UiApi api;

    public UiLogs(UiApi api) {
        this.api = api;
    }

    private record Fetched(TreeMap<Long, JsonNode> rows, Optional<Integer> last, boolean found) {
    }

    public LogPage read(String taskPath, int attempt, LogStream stream, LogRequest request) {
        String path = taskPath + "/logs/" + stream.shortName();
        int ps = pageSize(request.limit());
        TreeMap<Long, JsonNode> rows = new TreeMap<>();
        long total;
        if (!request.fromEnd()) {
            long first = request.offset();
            long end = first + request.limit();
            int pFirst = (int) (first / ps) + 1;
            int pLast = (int) ((end - 1) / ps) + 1;
            Optional<Integer> last = Optional.empty();
            Optional<Long> knownTotal = Optional.empty();
            for (int p = pFirst; p <= pLast; p++) {
                Fetched f = fetch(path, attempt, ps, p, false);
                if (!f.found()) {
                    return new LogPage(attempt, List.of(), 0);
                }
                rows.putAll(f.rows());
                last = f.last().or(() -> Optional.of(1));
                if (p == last.get()) {
                    knownTotal = Optional.of((long) (last.get() - 1) * ps + f.rows().size());
                    break;
                }
                if (p > last.get()) {
                    break; // the window starts after the end of the log
                }
            }
            if (knownTotal.isEmpty()) {
                int lastPage = last.orElse(1);
                Fetched f = fetch(path, attempt, ps, lastPage, false);
                rows.putAll(f.rows());
                knownTotal = Optional.of((long) (lastPage - 1) * ps + f.rows().size());
            }
            total = knownTotal.get();
        } else {
            Fetched tail = fetch(path, attempt, ps, 1, true);
            if (!tail.found()) {
                return new LogPage(attempt, List.of(), 0);
            }
            int lastPage = tail.last().orElse(1);
            total = (long) (lastPage - 1) * ps + tail.rows().size();
            rows.putAll(tail.rows());
            long first = request.firstRow(total);
            long tailStart = (long) (lastPage - 1) * ps;
            if (first < tailStart) {
                int pFirst = (int) (first / ps) + 1;
                for (int p = pFirst; p < lastPage; p++) {
                    rows.putAll(fetch(path, attempt, ps, p, false).rows());
                }
            }
        }
        long first = request.firstRow(total);
        long end = request.endRow(total);
        List<LogLine> lines = new ArrayList<>((int) Math.max(0, end - first));
        for (var e : rows.subMap(first, end).entrySet()) {
            JsonNode n = e.getValue();
            JsonNode line = n.get("line");
            lines.add(new LogLine(e.getKey(), Json.longValue(n, "timestamp").map(Instant::ofEpochMilli),
                    line == null || line.isNull() ? "" : line.asText(), stream));
        }
        return new LogPage(attempt, lines, total);
    }

    private Fetched fetch(String path, int attempt, int ps, int page, boolean reverse) {
        Query q = Query.of("attempt_id", attempt).and("_limit", ps).and("_page", page);
        if (reverse) {
            q = q.and("_order", "-row");
        }
        Optional<Envelope> e = api.getIfFound(path, q);
        if (e.isEmpty()) {
            return new Fetched(new TreeMap<>(), Optional.empty(), false);
        }
        TreeMap<Long, JsonNode> rows = new TreeMap<>();
        for (JsonNode n : e.get().list()) {
            Json.longValue(n, "row").ifPresent(r -> rows.put(r, n));
        }
        return new Fetched(rows, e.get().last(), true);
    }

    static int pageSize(int limit) {
        if (limit <= 100) {
            return 100;
        }
        if (limit <= 1000) {
            return 1000;
        }
        return LogRequest.MAX_LIMIT;
    }
}

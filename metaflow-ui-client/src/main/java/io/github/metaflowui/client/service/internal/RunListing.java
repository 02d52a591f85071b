package io.github.metaflowui.client.service.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.metaflowui.client.http.UnsupportedQueryException;
import io.github.metaflowui.client.http.internal.Cursors;
import io.github.metaflowui.client.http.internal.Fanout;
import io.github.metaflowui.client.http.internal.HttpTransport;
import io.github.metaflowui.client.http.internal.JsonBodies;
import io.github.metaflowui.client.http.internal.Query;
import io.github.metaflowui.client.http.internal.WindowCache;
import io.github.metaflowui.client.http.internal.WindowCache.Slice;
import io.github.metaflowui.client.service.internal.Rows.RunRow;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunId;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import static io.github.metaflowui.client.http.internal.HttpTransport.path;

/**
 * Lists runs from the metadata service, one page per call. See
 * {@link io.github.metaflowui.client.service.MetadataServiceBackend} for the strategies and what a
 * page costs.
 */
public final class RunListing {
    /** The service's page size when a filter turns cursor mode on without {@code _limit}. */
    public static final int SERVICE_DEFAULT_LIMIT = 50;
    private static final String KIND = "runs";

    private final HttpTransport http;
    private final ServiceApi api;
    private final RunStatuses statuses;
    private final Fanout fanout;
    private final int window;
    private final WindowCache<RunRow> windows = new WindowCache<>(4, Duration.ofSeconds(60));

    public RunListing(ServiceApi api, RunStatuses statuses, Fanout fanout, int window) {
        this.http = api.http();
        this.api = api;
        this.statuses = statuses;
        this.fanout = fanout;
        this.window = window;
    }

    public Page<Run> list(RunQuery q, PageRequest page) {
        if (q.sort() != RunQuery.Sort.CREATED && q.sort() != RunQuery.Sort.FLOW && q.sort() != RunQuery.Sort.USER
                && q.sort() != RunQuery.Sort.RUN) {
            throw new UnsupportedQueryException("the metadata service cannot sort runs by " + q.sort().field()
                    + ": that needs the status of every run; sort by ts_epoch, flow_id, user or run, or use the UI backend");
        }
        Set<String> statusWire = new LinkedHashSet<>();
        for (Status s : q.statuses()) {
            if (s == Status.RUNNING || s == Status.COMPLETED || s == Status.FAILED) {
                statusWire.add(s.wireName());
            }
        }
        if (!q.statuses().isEmpty() && statusWire.isEmpty()) {
            return Page.last(List.of());
        }
        Comparator<RunRow> order = order(q.sort(), q.order());
        boolean nativeOrder = q.sort() == RunQuery.Sort.CREATED && q.order() == SortOrder.DESC;
        JsonNode cursor = page.cursor().map(c -> Cursors.decode(c, KIND)).orElse(null);
        RunRow after = cursor != null && cursor.has("k") ? keyset(cursor.get("k")) : null;
        String serverCursor = cursor != null && cursor.hasNonNull("s") ? cursor.get("s").asText() : null;

        Candidates<RunRow> candidates;
        if (q.flow().isPresent() && nativeOrder && after == null) {
            candidates = serverPaged(q.flow().get(), q, page.limit(), statusWire, serverCursor);
        } else {
            List<String> flows = q.flow().map(List::of).orElseGet(this::flowNames);
            RunRow from = after;
            candidates = Candidates.merge(fanout.map(flows, f -> candidates(f, q, from, page.limit(), nativeOrder,
                    statusWire)), order, page.limit());
        }
        List<Run> runs = fanout.map(candidates.rows(), statuses::resolve);
        List<Run> matching = new ArrayList<>(runs.size());
        for (Run r : runs) {
            if (q.statuses().isEmpty() || q.statuses().contains(r.status().status())) {
                matching.add(r);
            }
        }
        return Page.of(matching, candidates.nextCursor(KIND, RunListing::keysetCursor));
    }

    /**
     * One flow, newest first: the service's own cursor pages when it has them ({@code X-Limit} in the
     * answer); otherwise the answer is the legacy full array, from which the page is selected while it streams.
     */
    private Candidates<RunRow> serverPaged(String flow, RunQuery q, int limit, Set<String> statusWire, String serverCursor) {
        Query filters = serverFilters(q, statusWire);
        Query query = filters;
        if (filters.isEmpty() || limit != SERVICE_DEFAULT_LIMIT) {
            query = query.and("_limit", limit);
        }
        if (serverCursor != null) {
            query = query.and("_cursor", serverCursor);
        }
        Comparator<RunRow> order = order(RunQuery.Sort.CREATED, SortOrder.DESC);
        Predicate<RunRow> filter = r -> matchesRow(q, r);
        return http.get(path("flows", flow, "runs"), query, (info, body) -> {
            if (info.header("x-limit").isPresent()) {
                List<RunRow> rows = new ArrayList<>();
                JsonBodies.forEachElement(body, n -> {
                    RunRow r = Rows.run(n);
                    if (filter.test(r)) {
                        rows.add(r);
                    }
                    return true;
                });
                rows.sort(order);
                return new Candidates<>(rows, false, info.header("x-next-cursor").filter(s -> !s.isBlank()));
            }
            return legacy(key(flow, q), body, filter, order, null, limit);
        });
    }

    /** The first {@code limit} runs of one flow after {@code after}, with whether more may follow. */
    private Candidates<RunRow> candidates(String flow, RunQuery q, RunRow after, int limit, boolean nativeOrder,
                                  Set<String> statusWire) {
        Comparator<RunRow> order = order(q.sort(), q.order());
        Predicate<RunRow> filter = r -> flow.equals(r.flow()) && matchesRow(q, r);
        String key = key(flow, q);
        Optional<Slice<RunRow>> cached = windows.serve(key, order, after, limit);
        if (cached.isPresent()) {
            return Candidates.of(cached.get());
        }
        Query query = Query.empty();
        if (nativeOrder) {
            query = serverFilters(q, statusWire);
            if (after != null) {
                query = query.and("ts_epoch:le", after.ts());
            }
            query = query.and("_limit", limit + 1);
        }
        return http.get(path("flows", flow, "runs"), query, (info, body) -> {
            if (info.header("x-limit").isPresent()) {
                List<RunRow> rows = new ArrayList<>();
                int[] received = new int[1];
                JsonBodies.forEachElement(body, n -> {
                    received[0]++;
                    RunRow r = Rows.run(n);
                    if (filter.test(r) && (after == null || order.compare(r, after) > 0)) {
                        rows.add(r);
                    }
                    return true;
                });
                rows.sort(order);
                boolean more = received[0] >= limit + 1 || info.header("x-next-cursor").isPresent();
                return Candidates.firstOf(rows, more, limit);
            }
            return legacy(key, body, filter, order, after, limit);
        });
    }

    /** Selects a window of the legacy full array as it streams, keeps it for the next pages, returns a page. */
    private Candidates<RunRow> legacy(String key, InputStream body, Predicate<RunRow> filter, Comparator<RunRow> order,
                                      RunRow after, int limit) throws IOException {
        return Candidates.select(body, Rows::run, filter, order, after, limit, window, windows, key);
    }

    private List<String> flowNames() {
        List<String> names = new ArrayList<>();
        api.flows(f -> names.add(f.name()));
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /** The filters the service applies itself (any of them also turns its cursor mode on). */
    static Query serverFilters(RunQuery q, Set<String> statusWire) {
        Query query = Query.empty();
        if (!statusWire.isEmpty()) {
            query = query.and("status:eq", String.join(",", statusWire));
        }
        // user_name covers "verified owner or recorded user": the owner is either user_name or none.
        if (!q.users().isEmpty() && q.users().stream().noneMatch(u -> u.contains(","))) {
            query = query.and("user_name:eq", String.join(",", q.users()));
        }
        if (!q.tagsAll().isEmpty() && q.tagsAll().stream().noneMatch(t -> t.contains(","))) {
            query = query.and("_tags:all", String.join(",", q.tagsAll()));
        }
        if (!q.tagsAny().isEmpty() && q.tagsAny().stream().noneMatch(t -> t.contains(","))) {
            query = query.and("_tags:any", String.join(",", q.tagsAny()));
        }
        if (q.createdFrom().isPresent()) {
            query = query.and("ts_epoch:ge", q.createdFrom().get().toEpochMilli());
        }
        if (q.createdBefore().isPresent()) {
            query = query.and("ts_epoch:lt", q.createdBefore().get().toEpochMilli());
        }
        return query;
    }

    /** Every criterion but the status, which needs the run's status first. */
    static boolean matchesRow(RunQuery q, RunRow r) {
        if (q.flow().isPresent() && !q.flow().get().equals(r.flow())) {
            return false;
        }
        if (!q.users().isEmpty() && !q.users().contains(r.userName())
                && !(r.user().isPresent() && q.users().contains(r.user().get()))) {
            return false;
        }
        for (String t : q.tagsAll()) {
            if (!r.hasTag(t)) {
                return false;
            }
        }
        if (!q.tagsAny().isEmpty() && q.tagsAny().stream().noneMatch(r::hasTag)) {
            return false;
        }
        if (q.createdFrom().isPresent() && r.ts() < q.createdFrom().get().toEpochMilli()) {
            return false;
        }
        return q.createdBefore().isEmpty() || r.ts() < q.createdBefore().get().toEpochMilli();
    }

    /** The query's order, ties broken by newest first, then flow, then run id (newest first). */
    static Comparator<RunRow> order(RunQuery.Sort sort, SortOrder direction) {
        Comparator<RunRow> primary;
        switch (sort) {
            case FLOW:
                primary = Comparator.comparing(RunRow::flow);
                break;
            case USER:
                primary = Comparator.comparing(RunRow::displayUser);
                break;
            case RUN:
                primary = (a, b) -> RunId.of(a.id()).compareTo(RunId.of(b.id()));
                break;
            default:
                primary = Comparator.comparingLong(RunRow::ts);
        }
        if (direction == SortOrder.DESC) {
            primary = primary.reversed();
        }
        Comparator<RunRow> byId = (a, b) -> RunId.of(b.id()).compareTo(RunId.of(a.id()));
        return primary.thenComparing(Comparator.comparingLong(RunRow::ts).reversed())
                .thenComparing(RunRow::flow)
                .thenComparing(byId);
    }

    private static String key(String flow, RunQuery q) {
        return flow + "|" + q;
    }

    private static ObjectNode keysetCursor(RunRow r) {
        ObjectNode k = Cursors.object().put("ts", r.ts()).put("f", r.flow()).put("id", r.id()).put("u", r.displayUser());
        ObjectNode c = Cursors.object().put("t", KIND);
        c.set("k", k);
        return c;
    }

    private static RunRow keyset(JsonNode k) {
        String user = k.path("u").asText("");
        if (!k.has("ts") || !k.has("f") || !k.has("id")) {
            throw new IllegalArgumentException("not a runs cursor of this backend: missing keyset fields");
        }
        return new RunRow(k.get("f").asText(), k.get("id").asText(), user, Optional.of(user), k.get("ts").asLong(),
                List.of(), List.of(), Optional.empty(), Optional.empty());
    }
}

package io.github.metaflowui.client.uibackend.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.metaflowui.client.http.internal.Cursors;
import io.github.metaflowui.client.http.internal.Json;
import io.github.metaflowui.client.http.internal.Query;
import io.github.metaflowui.client.http.internal.TaskOrders;
import io.github.metaflowui.client.uibackend.internal.UiApi.Envelope;
import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.github.metaflowui.client.http.internal.HttpTransport.path;

/**
 * Flow, run and task lists of the UI backend. Always sends {@code _order}. Pages 1 to
 * {@value #KEYSET_AFTER_PAGE} use {@code _page}; deeper pages of lists ordered by a real column use a
 * keyset predicate ({@code ts_epoch:le=}, {@code flow_id:gt=}) instead, because {@code _page} is an
 * OFFSET whose cost grows with the page number.
 */
public final class UiListing {
    /** Deeper than this, run and flow lists page with a keyset predicate. */
    public static final int KEYSET_AFTER_PAGE = 5;
    public static final String PARAMETERS_STEP = "_parameters";

    private final UiApi api;
    private final Clock clock;

    public UiListing(UiApi api, Clock clock) {
        this.api = api;
        this.clock = clock;
    }

    public Page<Flow> flows(PageRequest page) {
        JsonNode c = page.cursor().map(s -> Cursors.decode(s, "uiflows")).orElse(null);
        int p = c == null ? 1 : c.path("p").asInt(1);
        String after = c == null ? null : c.path("after").asText(null);
        Query q = Query.empty();
        int pageNo = p;
        if (p > KEYSET_AFTER_PAGE && after != null) {
            q = q.and("flow_id:gt", after);
            pageNo = 1;
        }
        q = q.and("_order", "+flow_id").and("_limit", page.limit()).and("_page", pageNo);
        Envelope e = api.get("/flows", q);
        List<Flow> flows = new ArrayList<>();
        for (JsonNode n : e.list()) {
            flows.add(UiRows.flow(n));
        }
        String next = null;
        if (e.next().isPresent() && !flows.isEmpty() && flows.size() >= page.limit()) {
            next = Cursors.encode(Cursors.object().put("t", "uiflows").put("p", p + 1)
                    .put("after", flows.get(flows.size() - 1).name()));
        }
        return Page.of(flows, next);
    }

    public Page<Run> runs(RunQuery rq, PageRequest page) {
        String path = rq.flow().map(f -> path("flows", f, "runs")).orElse("/runs");
        JsonNode c = page.cursor().map(s -> Cursors.decode(s, "uiruns")).orElse(null);
        int p = c == null ? 1 : c.path("p").asInt(1);
        boolean keyset = c != null && p > KEYSET_AFTER_PAGE && rq.sort() == RunQuery.Sort.CREATED && c.has("ts");
        Set<String> seen = new HashSet<>();
        if (c != null) {
            c.path("seen").forEach(n -> seen.add(n.asText()));
        }
        Query q = filters(rq);
        if (keyset) {
            q = q.and(rq.order() == SortOrder.DESC ? "ts_epoch:le" : "ts_epoch:ge", c.get("ts").asLong());
        }
        q = q.and("_order", rq.order().prefix() + orderField(rq.sort()));
        int limit = keyset ? Math.min(UiApi.MAX_LIMIT, page.limit() + seen.size()) : page.limit();
        q = q.and("_limit", limit).and("_page", keyset ? 1 : p);
        Envelope e = api.get(path, q);
        List<JsonNode> rows = e.list();
        List<Run> runs = new ArrayList<>();
        long lastTs = Long.MIN_VALUE;
        for (JsonNode n : rows) {
            String id = n.path("flow_id").asText() + "/" + UiRows.runId(n);
            if (keyset && seen.contains(id)) {
                continue;
            }
            runs.add(UiRows.run(n, clock));
            lastTs = Json.longValue(n, "ts_epoch").orElse(lastTs);
        }
        String next = null;
        boolean more = keyset ? rows.size() >= limit : e.next().isPresent() && rows.size() >= limit;
        if (more && !runs.isEmpty()) {
            ObjectNode nc = Cursors.object().put("t", "uiruns").put("p", p + 1).put("ts", lastTs);
            ArrayNode s = nc.putArray("seen");
            long prevTs = c != null && c.has("ts") ? c.get("ts").asLong() : Long.MIN_VALUE;
            if (prevTs == lastTs) {
                seen.forEach(s::add);
            }
            for (Run r : runs) {
                if (r.createdAt().toEpochMilli() == lastTs) {
                    s.add(r.flow() + "/" + r.id().value());
                }
            }
            next = Cursors.encode(nc);
        }
        return Page.of(runs, next);
    }

    static Query filters(RunQuery rq) {
        Query q = Query.empty();
        if (!rq.statuses().isEmpty()) {
            List<String> wire = rq.statuses().stream().map(Status::wireName).sorted().toList();
            q = q.and("status", String.join(",", wire));
        }
        if (!rq.users().isEmpty() && rq.users().stream().noneMatch(u -> u.contains(","))) {
            q = q.and("user_name", String.join(",", rq.users()));
        }
        if (!rq.tagsAll().isEmpty()) {
            q = q.and("_tags:all", String.join(",", rq.tagsAll()));
        }
        if (!rq.tagsAny().isEmpty()) {
            q = q.and("_tags:any", String.join(",", rq.tagsAny()));
        }
        if (rq.createdFrom().isPresent()) {
            q = q.and("ts_epoch:ge", rq.createdFrom().get().toEpochMilli());
        }
        if (rq.createdBefore().isPresent()) {
            q = q.and("ts_epoch:lt", rq.createdBefore().get().toEpochMilli());
        }
        return q;
    }

    static String orderField(RunQuery.Sort sort) {
        switch (sort) {
            case FINISHED:
                return "finished_at";
            case DURATION:
                return "duration";
            case FLOW:
                return "flow_id";
            case USER:
                return "user";
            case STATUS:
                return "status";
            case RUN:
                return "run_number";
            default:
                return "ts_epoch";
        }
    }

    /**
     * Tasks, one per task: the UI backend lists one row per attempt, so rows are grouped by task.
     * Ordered by creation or task id, page 1 is {@code _page=1} and later pages start at the last
     * task of the previous page with a keyset predicate ({@code ts_epoch:ge=} / {@code task_id:ge=}),
     * that task being held back so that its attempts are never split across pages. Ordered by start,
     * finish or duration (values of an attempt, not of a task), every task is read and sorted here.
     */
    public Page<Task> tasks(RunRef run, TaskQuery tq, PageRequest page) {
        if (tq.step().isPresent() && tq.step().get().equals(PARAMETERS_STEP)) {
            return Page.last(List.of());
        }
        String path = path("flows", run.flow(), "runs", run.run().value(), "tasks");
        if (tq.sort() != TaskQuery.Sort.CREATED && tq.sort() != TaskQuery.Sort.TASK_ID) {
            return materialized(run, path, tq, page);
        }
        boolean byId = tq.sort() == TaskQuery.Sort.TASK_ID;
        String field = byId ? "task_id" : "ts_epoch";
        JsonNode c = page.cursor().map(s -> Cursors.decode(s, "uitasks")).orElse(null);
        Set<String> skip = new HashSet<>();
        int skipRows = 0;
        Query q = Query.empty();
        if (tq.step().isPresent()) {
            q = q.and("step_name", tq.step().get());
        }
        if (c != null) {
            if (!c.has("k")) {
                throw new IllegalArgumentException("not a uitasks cursor of this backend: missing keyset");
            }
            q = q.and(field + (tq.order() == SortOrder.DESC ? ":le" : ":ge"), c.get("k").asLong());
            c.path("skip").forEach(n -> skip.add(n.asText()));
            skipRows = c.path("sr").asInt(0);
        }
        int limit = Math.min(UiApi.MAX_LIMIT, page.limit() + skipRows);
        q = q.and("_order", tq.order().prefix() + field).and("_limit", limit).and("_page", 1);
        Envelope e = api.get(path, q);
        List<JsonNode> rows = e.list();
        Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
        for (JsonNode n : rows) {
            String id = n.path("step_name").asText() + "/" + UiRows.taskId(n);
            if (!skip.contains(id)) {
                groups.computeIfAbsent(id, k -> new ArrayList<>()).add(n);
            }
        }
        boolean full = rows.size() >= limit;
        List<List<JsonNode>> ordered = new ArrayList<>(groups.values());
        List<List<JsonNode>> emit = ordered;
        List<JsonNode> held = null;
        if (full && ordered.size() > 1) {
            held = ordered.get(ordered.size() - 1);
            emit = ordered.subList(0, ordered.size() - 1);
        } else if (full && ordered.size() == 1) {
            List<JsonNode> only = ordered.get(0);
            JsonNode r = only.get(0);
            api.getIfFound(path("flows", run.flow(), "runs", run.run().value(), "steps", r.path("step_name").asText(),
                    "tasks", UiRows.taskId(r), "attempts"), Query.empty()).ifPresent(a -> {
                        only.clear();
                        only.addAll(a.list());
                    });
        }
        List<Task> tasks = new ArrayList<>();
        for (List<JsonNode> g : emit) {
            if (g.isEmpty() || PARAMETERS_STEP.equals(g.get(0).path("step_name").asText())) {
                continue;
            }
            Task t = UiRows.task(run, g);
            if (tq.statuses().isEmpty() || tq.statuses().contains(t.status().status())) {
                tasks.add(t);
            }
        }
        String next = null;
        if (full && !ordered.isEmpty()) {
            List<JsonNode> boundary = held != null ? held : ordered.get(ordered.size() - 1);
            long k = Json.longValue(boundary.get(0), field).orElse(0L);
            ObjectNode nc = Cursors.object().put("t", "uitasks").put("k", k);
            ArrayNode sk = nc.putArray("skip");
            int sr = 0;
            long prevK = c != null && c.has("k") ? c.get("k").asLong() : Long.MIN_VALUE;
            if (prevK == k) {
                for (String s : skip) {
                    sk.add(s);
                }
                sr += c.path("sr").asInt(0);
            }
            for (List<JsonNode> g : emit) {
                if (!g.isEmpty() && Json.longValue(g.get(0), field).orElse(Long.MIN_VALUE) == k) {
                    sk.add(g.get(0).path("step_name").asText() + "/" + UiRows.taskId(g.get(0)));
                    sr += g.size();
                }
            }
            if (held == null) {
                List<JsonNode> only = ordered.get(0);
                sk.add(only.get(0).path("step_name").asText() + "/" + UiRows.taskId(only.get(0)));
                sr += only.size();
            }
            nc.put("sr", sr);
            next = Cursors.encode(nc);
        }
        return Page.of(tasks, next);
    }

    private Page<Task> materialized(RunRef run, String path, TaskQuery tq, PageRequest page) {
        long offset = 0;
        if (page.cursor().isPresent()) {
            JsonNode c = Cursors.decode(page.cursor().get(), "uitasks");
            offset = c.path("o").asLong(-1);
            if (offset < 0) {
                throw new IllegalArgumentException("not a uitasks cursor of this backend: missing offset");
            }
        }
        Query q = tq.step().map(s -> Query.of("step_name", s)).orElse(Query.empty()).and("_order", "+ts_epoch");
        List<Task> tasks = new ArrayList<>(groupAll(run, api.all(path, q)));
        tasks.removeIf(t -> !tq.statuses().isEmpty() && !tq.statuses().contains(t.status().status()));
        tasks.sort(TaskOrders.of(tq.sort(), tq.order()));
        int from = (int) Math.min(offset, tasks.size());
        int to = Math.min(tasks.size(), from + page.limit());
        String next = to < tasks.size() ? Cursors.encode(Cursors.object().put("t", "uitasks").put("o", to)) : null;
        return Page.of(tasks.subList(from, to), next);
    }

    /** Groups attempt rows into tasks (skipping {@code _parameters}), in first-seen order. */
    public static List<Task> groupAll(RunRef run, List<JsonNode> rows) {
        Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
        for (JsonNode n : rows) {
            if (PARAMETERS_STEP.equals(n.path("step_name").asText())) {
                continue;
            }
            groups.computeIfAbsent(n.path("step_name").asText() + "/" + UiRows.taskId(n), k -> new ArrayList<>()).add(n);
        }
        List<Task> out = new ArrayList<>(groups.size());
        for (List<JsonNode> g : groups.values()) {
            out.add(UiRows.task(run, g));
        }
        return out;
    }
}

package io.github.metaflowui.synthetic.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.metaflowui.synthetic.internal.Facts.Artifact;
import io.github.metaflowui.synthetic.internal.Facts.Meta;
import io.github.metaflowui.synthetic.internal.Plans.RunPlan;
import io.github.metaflowui.synthetic.internal.Plans.StepPlan;
import io.github.metaflowui.synthetic.internal.Rows.TaskAt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metadata service's read endpoints (contract §2.2, §2.7): bare JSON arrays, or cursor pages
 * ({@code _limit}, {@code _cursor}, {@code X-Limit}, {@code X-Next-Cursor}) when asked; run filters
 * with {@code status} added to the rows when filtered by it.
 */
final class ServiceRoutes {
    static final String VERSION = "2.5.1";
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;

    private final Archive a;

    ServiceRoutes(Archive a) {
        this.a = a;
    }

    /** An answer: headers and body. */
    record Answer(Map<String, String> headers, Web.Body body) {
        static Answer of(Web.Body body) {
            return new Answer(Map.of(), body);
        }
    }

    Answer route(Web.Request q, long nowMs) {
        int n = q.size();
        if (n == 0 || !q.seg(0).equals("flows")) {
            throw new Web.Problem(404, null);
        }
        if (n == 1) {
            return flows(q);
        }
        String flow = q.seg(1);
        int f = a.flowIndex(flow);
        if (f < 0) {
            if (n == 2) {
                throw Rows.notFound();
            }
            if (n == 3 && q.seg(2).equals("runs")) {
                return Answer.of(g -> { g.writeStartArray(); g.writeEndArray(); });
            }
            throw Rows.notFound();
        }
        if (n == 2) {
            return Answer.of(g -> flow(g, f));
        }
        if (!q.seg(2).equals("runs")) {
            throw new Web.Problem(404, null);
        }
        if (n == 3) {
            return runs(q, f, nowMs);
        }
        int run = Rows.run(a, flow, q.seg(3));
        if (n == 4) {
            return Answer.of(g -> run(g, run, nowMs, false));
        }
        RunPlan plan = Plans.plan(a, run);
        String what = q.seg(4);
        if (n == 5) {
            switch (what) {
                case "steps":
                    return Answer.of(g -> {
                        g.writeStartArray();
                        step(g, run, Rows.PARAMETERS, plan.paramsCreated);
                        for (StepPlan s : plan.steps) {
                            step(g, run, s.name, s.created);
                        }
                        g.writeEndArray();
                    });
                case "metadata":
                    return Answer.of(g -> {
                        g.writeStartArray();
                        parametersMetadata(g, plan);
                        for (StepPlan s : plan.steps) {
                            for (int k = 0; k < s.size; k++) {
                                for (Meta m : Facts.metadata(a, plan, s, k)) {
                                    meta(g, run, s.name, s.taskId(k), m);
                                }
                            }
                        }
                        g.writeEndArray();
                    });
                case "artifacts":
                    return Answer.of(g -> {
                        g.writeStartArray();
                        for (StepPlan s : plan.steps) {
                            for (int k = 0; k < s.size; k++) {
                                latestArtifacts(g, new TaskAt(plan, s, k, s.taskId(k)), -1);
                            }
                        }
                        g.writeEndArray();
                    });
                default:
                    throw new Web.Problem(404, null);
            }
        }
        if (!what.equals("steps")) {
            throw new Web.Problem(404, null);
        }
        String stepName = q.seg(5);
        StepPlan step = Rows.step(plan, stepName);
        if (n == 6) {
            return Answer.of(g -> step(g, run, stepName, step == null ? plan.paramsCreated : step.created));
        }
        if (n == 7 && q.seg(6).equals("tasks")) {
            return tasks(q, plan, step, nowMs);
        }
        if (n == 7 && q.seg(6).equals("artifacts")) {
            return Answer.of(g -> {
                g.writeStartArray();
                if (step == null) {
                    parametersArtifacts(g, plan);
                } else {
                    for (int k = 0; k < step.size; k++) {
                        latestArtifacts(g, new TaskAt(plan, step, k, step.taskId(k)), -1);
                    }
                }
                g.writeEndArray();
            });
        }
        if (!q.seg(6).equals("tasks") || n < 8) {
            throw new Web.Problem(404, null);
        }
        TaskAt t = Rows.task(a, plan, stepName, q.seg(7));
        if (n == 8) {
            return Answer.of(g -> task(g, t, nowMs));
        }
        String sub = q.seg(8);
        if (n == 9 && sub.equals("metadata")) {
            return Answer.of(g -> {
                g.writeStartArray();
                List<Meta> ms = t.parameters() ? parameterMeta(plan) : Facts.metadata(a, plan, t.step(), t.k());
                for (int i = ms.size() - 1; i >= 0; i--) { // ts_epoch DESC, id DESC
                    meta(g, run, stepName, t.taskId(), ms.get(i));
                }
                g.writeEndArray();
            });
        }
        if (n == 9 && sub.equals("artifacts")) {
            return Answer.of(g -> {
                g.writeStartArray();
                if (t.parameters()) {
                    parametersArtifacts(g, plan);
                } else {
                    latestArtifacts(g, t, -1);
                }
                g.writeEndArray();
            });
        }
        if (n == 11 && sub.equals("attempt") && q.seg(10).equals("artifacts") && Archive.isDigits(q.seg(9))
                && q.seg(9).length() < 4) {
            int attempt = Integer.parseInt(q.seg(9));
            return Answer.of(g -> {
                g.writeStartArray();
                if (!t.parameters()) {
                    latestArtifacts(g, t, attempt);
                }
                g.writeEndArray();
            });
        }
        if (n == 10 && sub.equals("artifacts") && !t.parameters()) {
            String name = q.seg(9);
            int latest = t.step().attempts[t.k()] - 1;
            for (Artifact art : Facts.artifacts(a, plan, t.step(), t.k())) {
                if (art.name().equals(name) && art.attempt() == latest) {
                    return Answer.of(g -> artifact(g, t, art));
                }
            }
            throw Rows.notFound();
        }
        throw new Web.Problem(404, null);
    }

    // ------------------------------------------------------------------ flows

    private Answer flows(Web.Request q) {
        boolean paged = q.params.containsKey("_limit") || q.params.containsKey("_cursor");
        List<Integer> order = new ArrayList<>();
        for (int f = 0; f < a.flows.length; f++) {
            order.add(f);
        }
        if (!paged) {
            return Answer.of(g -> {
                g.writeStartArray();
                for (int f : order) {
                    flow(g, f);
                }
                g.writeEndArray();
            });
        }
        order.sort((x, y) -> {
            int c = Long.compare(Rows.flowCreated(a, y), Rows.flowCreated(a, x));
            return c != 0 ? c : a.flows[y].compareTo(a.flows[x]);
        });
        int limit = limit(q);
        Map<String, String> cursor = cursor(q);
        int from = 0;
        if (cursor != null) {
            long ts = parseLong(cursor.get("ts_epoch"));
            String id = cursor.getOrDefault("flow_id", "");
            while (from < order.size()) {
                int f = order.get(from);
                long t = Rows.flowCreated(a, f);
                if (t < ts || (t == ts && a.flows[f].compareTo(id) < 0)) {
                    break;
                }
                from++;
            }
        }
        int to = Math.min(order.size(), from + limit);
        List<Integer> page = order.subList(from, to);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Limit", Integer.toString(limit));
        if (to < order.size()) {
            int last = page.get(page.size() - 1);
            headers.put("X-Next-Cursor", encodeCursor("ts_epoch", Long.toString(Rows.flowCreated(a, last)),
                    "flow_id", "\"" + a.flows[last] + "\""));
        }
        return new Answer(headers, g -> {
            g.writeStartArray();
            for (int f : page) {
                flow(g, f);
            }
            g.writeEndArray();
        });
    }

    private void flow(JsonGenerator g, int f) throws IOException {
        g.writeStartObject();
        g.writeStringField("flow_id", a.flows[f]);
        g.writeNullField("user_name");
        g.writeNumberField("ts_epoch", Rows.flowCreated(a, f));
        g.writeNullField("tags");
        g.writeNullField("system_tags");
        g.writeEndObject();
    }

    // ------------------------------------------------------------------ runs

    private Answer runs(Web.Request q, int f, long nowMs) {
        RunFilter filter = new RunFilter(a);
        filter.flow = f;
        boolean filtered = false;
        boolean withStatus = false;
        for (Map.Entry<String, List<String>> e : q.params.entrySet()) {
            String key = e.getKey();
            String field = key.contains(":") ? key.substring(0, key.indexOf(':')) : key;
            String op = key.contains(":") ? key.substring(key.indexOf(':') + 1) : "eq";
            List<String> values = new ArrayList<>();
            for (String v : e.getValue()) {
                for (String p : v.split(",")) {
                    values.add(p);
                }
            }
            switch (field) {
                case "status":
                    requireOp(op, "eq", field);
                    values.forEach(filter::status);
                    withStatus = true;
                    filtered = true;
                    break;
                case "user_name":
                    requireOp(op, "eq", field);
                    filter.userNames = new HashSet<>(values);
                    filtered = true;
                    break;
                case "user":
                    requireOp(op, "eq", field);
                    filter.users = new HashSet<>(values);
                    filtered = true;
                    break;
                case "_tags":
                    if (op.equals("any")) {
                        filter.tagsAny = values;
                    } else if (op.equals("all") || op.equals("eq")) {
                        filter.tagsAll = values;
                    } else {
                        throw new Web.Problem(400, "\"unsupported tag operator " + op + "\"");
                    }
                    filtered = true;
                    break;
                case "ts_epoch":
                    long v = parseTs(values.isEmpty() ? "" : values.get(0));
                    switch (op) {
                        case "ge": filter.createdFrom = Math.max(filter.createdFrom, v); break;
                        case "gt": filter.createdFrom = Math.max(filter.createdFrom, v + 1); break;
                        case "le": filter.createdTo = Math.min(filter.createdTo, v); break;
                        case "lt": filter.createdTo = Math.min(filter.createdTo, v - 1); break;
                        case "eq": filter.createdFrom = v; filter.createdTo = v; break;
                        default: throw new Web.Problem(400, "\"unsupported operator " + op + " for ts_epoch\"");
                    }
                    filtered = true;
                    break;
                default:
                    break;
            }
        }
        filter.prepare();
        boolean paged = filtered || q.params.containsKey("_limit") || q.params.containsKey("_cursor");
        int[] list = a.runsOfFlow[f];
        boolean status = withStatus;
        if (!paged) {
            return Answer.of(g -> {
                g.writeStartArray();
                for (int i = list.length - 1; i >= 0; i--) {
                    run(g, list[i], nowMs, false);
                }
                g.writeEndArray();
            });
        }
        int limit = limit(q);
        Map<String, String> cursor = cursor(q);
        int from = list.length - 1;
        if (cursor != null) {
            long ts = parseLong(cursor.get("ts_epoch"));
            long rn = parseLong(cursor.get("run_number"));
            // rows strictly below (ts, run_number) in (ts_epoch DESC, run_number DESC)
            from = seek(list, ts, rn);
        }
        List<Integer> page = new ArrayList<>(limit);
        int i = from;
        for (; i >= 0 && page.size() < limit; i--) {
            if (filter.test(list[i])) {
                page.add(list[i]);
            }
        }
        boolean more = false;
        for (int j = i; j >= 0; j--) {
            if (filter.test(list[j])) {
                more = true;
                break;
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Limit", Integer.toString(limit));
        if (more && !page.isEmpty()) {
            int last = page.get(page.size() - 1);
            headers.put("X-Next-Cursor", encodeCursor("ts_epoch", Long.toString(a.created[last]), "run_number",
                    Long.toString(last + 1L)));
        }
        return new Answer(headers, g -> {
            g.writeStartArray();
            for (int r : page) {
                run(g, r, nowMs, status);
            }
            g.writeEndArray();
        });
    }

    /** The position (from the end) of the first run strictly below (ts, rn), by binary search. */
    private int seek(int[] list, long ts, long rn) {
        int lo = 0;
        int hi = list.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int r = list[mid];
            boolean below = a.created[r] < ts || (a.created[r] == ts && r + 1L < rn);
            if (below) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - 1;
    }

    void run(JsonGenerator g, int r, long nowMs, boolean status) throws IOException {
        g.writeStartObject();
        g.writeStringField("flow_id", a.flows[a.flow[r]]);
        Rows.exposedRunNumber(g, a, r);
        g.writeStringField("user_name", a.userName(r));
        g.writeNumberField("ts_epoch", a.created[r]);
        Rows.tags(g, a, r);
        g.writeNumberField("last_heartbeat_ts", a.heartbeatSec(r, nowMs));
        String user = a.user(r);
        if (user != null) {
            g.writeStringField("user", user);
        }
        if (status) {
            g.writeStringField("status", Archive.wire(a.state[r]));
        }
        g.writeEndObject();
    }

    private void step(JsonGenerator g, int r, String name, long created) throws IOException {
        g.writeStartObject();
        g.writeStringField("flow_id", a.flows[a.flow[r]]);
        g.writeStringField("run_number", a.runId(r));
        g.writeStringField("step_name", name);
        g.writeStringField("user_name", a.userName(r));
        g.writeNumberField("ts_epoch", created);
        Rows.tags(g, a, r);
        g.writeEndObject();
    }

    // ------------------------------------------------------------------ tasks

    private Answer tasks(Web.Request q, RunPlan plan, StepPlan step, long nowMs) {
        boolean paged = q.params.containsKey("_limit") || q.params.containsKey("_cursor");
        int size = step == null ? 1 : step.size;
        if (!paged) {
            return Answer.of(g -> {
                g.writeStartArray();
                for (int k = 0; k < size; k++) {
                    task(g, step == null ? new TaskAt(plan, null, 0, a.firstTaskId(plan.run))
                            : new TaskAt(plan, step, k, step.taskId(k)), nowMs);
                }
                g.writeEndArray();
            });
        }
        // ts_epoch DESC, task_id DESC: tasks are created in id order, so that is k descending
        int limit = limit(q);
        Map<String, String> cursor = cursor(q);
        int from = size - 1;
        if (cursor != null && step != null) {
            long ts = parseLong(cursor.get("ts_epoch"));
            long id = parseLong(cursor.get("task_id"));
            while (from >= 0 && !(step.taskCreated[from] < ts || (step.taskCreated[from] == ts && step.taskId(from) < id))) {
                from--;
            }
        }
        int to = Math.max(-1, from - limit);
        int first = from;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Limit", Integer.toString(limit));
        if (to >= 0 && step != null) {
            int last = to + 1;
            headers.put("X-Next-Cursor", encodeCursor("ts_epoch", Long.toString(step.taskCreated[last]), "task_id",
                    Long.toString(step.taskId(last))));
        }
        int stop = to;
        return new Answer(headers, g -> {
            g.writeStartArray();
            for (int k = first; k > stop; k--) {
                task(g, step == null ? new TaskAt(plan, null, 0, a.firstTaskId(plan.run))
                        : new TaskAt(plan, step, k, step.taskId(k)), nowMs);
            }
            g.writeEndArray();
        });
    }

    private void task(JsonGenerator g, TaskAt t, long nowMs) throws IOException {
        int r = t.plan().run;
        g.writeStartObject();
        g.writeStringField("flow_id", a.flows[a.flow[r]]);
        Rows.exposedRunNumber(g, a, r);
        g.writeStringField("step_name", t.parameters() ? Rows.PARAMETERS : t.step().name);
        g.writeNumberField("task_id", t.taskId());
        g.writeStringField("user_name", a.userName(r));
        g.writeNumberField("ts_epoch", t.parameters() ? t.plan().paramsCreated : t.step().taskCreated[t.k()]);
        Rows.tags(g, a, r);
        if (t.parameters()) {
            g.writeNullField("last_heartbeat_ts");
        } else {
            g.writeNumberField("last_heartbeat_ts", Rows.taskHeartbeatSec(a, t.step(), t.k(), nowMs));
        }
        g.writeEndObject();
    }

    // ------------------------------------------------------------------ metadata and artifacts

    private List<Meta> parameterMeta(RunPlan plan) {
        long id = a.firstTaskId(plan.run);
        long ts = plan.paramsCreated;
        List<Meta> out = new ArrayList<>();
        out.add(new Meta(Facts.metaId(id, 0), "attempt-done", "0", null, "attempt-done", ts + 3, 0));
        out.add(new Meta(Facts.metaId(id, 1), "start_step", "start", null, "graph_structure", ts + 4, -1));
        out.add(new Meta(Facts.metaId(id, 2), "end_step", "end", null, "graph_structure", ts + 4, -1));
        return out;
    }

    private void parametersMetadata(JsonGenerator g, RunPlan plan) throws IOException {
        for (Meta m : parameterMeta(plan)) {
            meta(g, plan.run, Rows.PARAMETERS, a.firstTaskId(plan.run), m);
        }
    }

    private void meta(JsonGenerator g, int r, String step, long taskId, Meta m) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", m.id());
        g.writeStringField("flow_id", a.flows[a.flow[r]]);
        Rows.exposedRunNumber(g, a, r);
        g.writeStringField("step_name", step);
        g.writeNumberField("task_id", taskId);
        g.writeStringField("field_name", m.field());
        g.writeStringField("value", m.value());
        g.writeStringField("type", m.type());
        g.writeStringField("user_name", a.userName(r));
        g.writeNumberField("ts_epoch", m.ts());
        if (m.attempt() >= 0) {
            Web.stringList(g, "tags", List.of("attempt_id:" + m.attempt()));
        } else {
            g.writeNullField("tags");
        }
        g.writeNullField("system_tags");
        g.writeEndObject();
    }

    /** The artifacts of one attempt (or, with -1, of the latest finished attempt). */
    private void latestArtifacts(JsonGenerator g, TaskAt t, int attempt) throws IOException {
        List<Artifact> all = Facts.artifacts(a, t.plan(), t.step(), t.k());
        int want = attempt;
        if (want < 0) {
            for (Artifact art : all) {
                want = Math.max(want, art.attempt());
            }
        }
        for (Artifact art : all) {
            if (art.attempt() == want) {
                artifact(g, t, art);
            }
        }
    }

    private void parametersArtifacts(JsonGenerator g, RunPlan plan) throws IOException {
        TaskAt t = new TaskAt(plan, null, 0, a.firstTaskId(plan.run));
        List<String> names = new ArrayList<>(Facts.parameters(a, plan.run).keySet());
        names.add("name");
        names.add("script_name");
        names.add("_graph_info");
        for (String name : names) {
            artifact(g, t, new Artifact(name, 0, Facts.sha(a.seed, t.taskId(), 0, name), plan.paramsCreated + 2, null));
        }
    }

    void artifact(JsonGenerator g, TaskAt t, Artifact art) throws IOException {
        int r = t.plan().run;
        g.writeStartObject();
        g.writeStringField("flow_id", a.flows[a.flow[r]]);
        Rows.exposedRunNumber(g, a, r);
        g.writeStringField("step_name", t.parameters() ? Rows.PARAMETERS : t.step().name);
        g.writeNumberField("task_id", t.taskId());
        g.writeStringField("name", art.name());
        g.writeStringField("location", ":root:" + Facts.DS_ROOT);
        g.writeStringField("ds_type", "local");
        g.writeStringField("sha", art.sha());
        g.writeStringField("type", "metaflow.artifact");
        g.writeStringField("content_type", "gzip+pickle-v4");
        g.writeStringField("user_name", a.userName(r));
        g.writeNumberField("attempt_id", art.attempt());
        g.writeNumberField("ts_epoch", art.ts());
        Rows.tags(g, a, r);
        g.writeEndObject();
    }

    // ------------------------------------------------------------------ paging helpers

    private static void requireOp(String op, String want, String field) {
        if (!op.equals(want)) {
            throw new Web.Problem(400, "\"unsupported operator " + op + " for " + field + "\"");
        }
    }

    private static int limit(Web.Request q) {
        String v = q.param("_limit").orElse(Integer.toString(DEFAULT_LIMIT)).trim();
        int limit;
        try {
            limit = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new Web.Problem(500, "{\"detail\": \"invalid _limit\", \"status\": 500, \"title\": \"Internal Server Error\", \"type\": \"about:blank\"}");
        }
        return Math.max(1, Math.min(MAX_LIMIT, limit));
    }

    private static long parseTs(String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new Web.Problem(400, "\"ts_epoch must be an integer\"");
        }
    }

    private static long parseLong(String v) {
        if (v == null) {
            throw new Web.Problem(400, "\"Invalid cursor\"");
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new Web.Problem(400, "\"Invalid cursor\"");
        }
    }

    static String encodeCursor(String k1, String v1, String k2, String v2) {
        String json = "{\"" + k1 + "\": " + v1 + ", \"" + k2 + "\": " + v2 + "}";
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The flat fields of a cursor, or null when none was given. */
    private static Map<String, String> cursor(Web.Request q) {
        String c = q.param("_cursor").orElse(null);
        if (c == null) {
            return null;
        }
        try {
            byte[] json = Base64.getDecoder().decode(c.trim());
            Map<String, String> out = new HashMap<>();
            try (JsonParser p = Web.JSON.createParser(json)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new Web.Problem(400, "\"Invalid cursor\"");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.getCurrentName();
                    p.nextToken();
                    out.put(name, p.getText());
                }
            }
            return out;
        } catch (IllegalArgumentException | IOException e) {
            throw new Web.Problem(400, "\"Invalid cursor\"");
        }
    }
}

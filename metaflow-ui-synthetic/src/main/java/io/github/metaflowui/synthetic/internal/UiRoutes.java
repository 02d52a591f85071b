package io.github.metaflowui.synthetic.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.github.metaflowui.synthetic.internal.Facts.Artifact;
import io.github.metaflowui.synthetic.internal.Facts.Meta;
import io.github.metaflowui.synthetic.internal.Plans.RunPlan;
import io.github.metaflowui.synthetic.internal.Plans.StepPlan;
import io.github.metaflowui.synthetic.internal.Rows.TaskAt;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The UI backend's read endpoints under {@code /api} (contract §3.2 to §3.7): envelopes with
 * OFFSET paging ({@code _page}, {@code _limit}), {@code _order} on real and derived columns, run
 * filters, one task row per attempt, paged logs. Derived orders sort the whole matching set on every
 * request, as the database does.
 */
final class UiRoutes {
    private static final int DEFAULT_LIMIT = 10;
    private static final int MAX_LIMIT = 1000;

    private final Archive a;
    private final ServiceRoutes service;
    private final int[] flowRank;
    private final int[] userRank;

    UiRoutes(Archive a, ServiceRoutes service) {
        this.a = a;
        this.service = service;
        this.flowRank = ranks(a.flows);
        this.userRank = ranks(Names.USERS);
    }

    private static int[] ranks(String[] names) {
        Integer[] idx = new Integer[names.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (x, y) -> names[x].compareTo(names[y]));
        int[] rank = new int[names.length];
        for (int i = 0; i < idx.length; i++) {
            rank[idx[i]] = i;
        }
        return rank;
    }

    /** Writes the answer, or throws a {@link Web.Problem} (404 with the envelope's empty data). */
    Web.Body route(Web.Request q, long nowMs) {
        List<String> s = q.segments.subList(1, q.size()); // after "api"
        int n = s.size();
        if (n == 1 && s.get(0).equals("runs")) {
            return runs(q, -1, nowMs);
        }
        if (n == 0 || !s.get(0).equals("flows")) {
            throw new Web.Problem(404, "{\"data\": {}, \"status\": 404}");
        }
        if (n == 1) {
            return flows(q);
        }
        int f = a.flowIndex(s.get(1));
        if (f < 0) {
            throw notFound(n == 3);
        }
        if (n == 2) {
            return single(q, g -> flowRow(g, f));
        }
        if (!s.get(2).equals("runs")) {
            throw notFound(false);
        }
        if (n == 3) {
            return runs(q, f, nowMs);
        }
        int run = a.findRun(s.get(1), s.get(3));
        if (run < 0) {
            throw notFound(false);
        }
        if (n == 4) {
            return single(q, g -> runRow(g, run, nowMs));
        }
        RunPlan plan = Plans.plan(a, run);
        String what = s.get(4);
        if (n == 5) {
            switch (what) {
                case "steps":
                    return steps(q, plan, nowMs);
                case "tasks":
                    return tasks(q, plan, null, nowMs);
                case "dag":
                    return single(q, g -> g.writeRawValue(Facts.dagJson(a, run)));
                case "parameters":
                    return single(q, g -> {
                        g.writeStartObject();
                        for (Map.Entry<String, String> e : Facts.parameters(a, run).entrySet()) {
                            g.writeObjectFieldStart(e.getKey());
                            g.writeFieldName("value");
                            g.writeRawValue(e.getValue());
                            g.writeEndObject();
                        }
                        g.writeEndObject();
                    });
                default:
                    throw notFound(false);
            }
        }
        if (!what.equals("steps")) {
            throw notFound(false);
        }
        String stepName = s.get(5);
        StepPlan step = plan.step(stepName);
        if (step == null && !stepName.equals(Rows.PARAMETERS)) {
            throw notFound(n == 7);
        }
        if (n == 6) {
            return single(q, g -> stepRow(g, plan, step, nowMs));
        }
        if (!s.get(6).equals("tasks")) {
            throw notFound(false);
        }
        if (n == 7) {
            return tasks(q, plan, stepName, nowMs);
        }
        if (step == null) {
            throw notFound(n > 8);
        }
        TaskAt t = Rows.task(a, plan, stepName, s.get(7));
        if (n == 8) {
            int latest = step.attempts[t.k()] - 1;
            return single(q, g -> attemptRow(g, t, latest, nowMs, false));
        }
        String sub = s.get(8);
        if (n == 9) {
            switch (sub) {
                case "attempts":
                    return list(q, DEFAULT_LIMIT, (g, offset, limit) -> {
                        int count = 0;
                        for (int at = step.attempts[t.k()] - 1; at >= 0; at--) {
                            if (count >= offset && count < offset + limit) {
                                attemptRow(g, t, at, nowMs, true);
                            }
                            count++;
                        }
                        return (int) Math.max(0, Math.min(limit, count - offset));
                    });
                case "metadata":
                    return metadata(q, t);
                case "artifacts":
                    return artifacts(q, t);
                default:
                    throw notFound(false);
            }
        }
        if (n == 10 && sub.equals("logs") && (s.get(9).equals("out") || s.get(9).equals("err"))) {
            return logs(q, t, s.get(9).equals("err"), nowMs);
        }
        throw notFound(false);
    }

    private static Web.Problem notFound(boolean list) {
        return new Web.Problem(404, list ? "{\"data\": [], \"status\": 404}" : "{\"data\": {}, \"status\": 404}");
    }

    // ------------------------------------------------------------------ envelopes

    @FunctionalInterface
    private interface ListWriter {
        /** Writes the rows of the page, returns how many. */
        int write(JsonGenerator g, long offset, long limit) throws IOException;
    }

    private Web.Body single(Web.Request q, Web.Body data) {
        return g -> {
            g.writeStartObject();
            g.writeFieldName("data");
            data.write(g);
            g.writeNumberField("status", 200);
            g.writeObjectFieldStart("links");
            g.writeStringField("self", self(q));
            g.writeEndObject();
            query(g, q);
            g.writeEndObject();
        };
    }

    private Web.Body list(Web.Request q, int defaultLimit, ListWriter rows) {
        return list(q, defaultLimit, MAX_LIMIT, null, rows);
    }

    /** A list page; {@code last} is the last page number when known (logs), else null. */
    private Web.Body list(Web.Request q, int defaultLimit, int maxLimit, Long last, ListWriter rows) {
        int page = Math.max(1, q.intParam("_page", 1));
        int asked = q.intParam("_limit", defaultLimit);
        long limit = asked == 0 ? Long.MAX_VALUE / 4 : Math.min(maxLimit, Math.max(1, asked));
        long offset = (page - 1) * limit;
        return g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("data");
            int count = rows.write(g, offset, limit);
            g.writeEndArray();
            g.writeNumberField("status", 200);
            boolean next = count >= limit;
            g.writeObjectFieldStart("links");
            g.writeStringField("self", self(q));
            g.writeStringField("first", pageUrl(q, 1));
            g.writeStringField("prev", pageUrl(q, Math.max(page - 1, 1)));
            if (next) {
                g.writeStringField("next", pageUrl(q, page + 1));
            } else {
                g.writeNullField("next");
            }
            if (last != null) {
                g.writeStringField("last", pageUrl(q, last));
            } else {
                g.writeNullField("last");
            }
            g.writeEndObject();
            g.writeObjectFieldStart("pages");
            g.writeNumberField("self", page);
            g.writeNumberField("first", 1);
            g.writeNumberField("prev", Math.max(page - 1, 1));
            if (next) {
                g.writeNumberField("next", page + 1);
            } else {
                g.writeNullField("next");
            }
            if (last != null) {
                g.writeNumberField("last", last);
            } else {
                g.writeNullField("last");
            }
            g.writeEndObject();
            query(g, q);
            g.writeEndObject();
        };
    }

    private static String self(Web.Request q) {
        return q.path + (q.rawQuery == null || q.rawQuery.isEmpty() ? "" : "?" + q.rawQuery);
    }

    private static String pageUrl(Web.Request q, long page) {
        StringBuilder b = new StringBuilder(q.path).append('?');
        if (q.rawQuery != null) {
            for (String part : q.rawQuery.split("&")) {
                if (!part.isEmpty() && !part.startsWith("_page=")) {
                    b.append(part).append('&');
                }
            }
        }
        return b.append("_page=").append(page).toString();
    }

    private static void query(JsonGenerator g, Web.Request q) throws IOException {
        g.writeObjectFieldStart("query");
        for (Map.Entry<String, List<String>> e : q.params.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue().isEmpty() ? "" : e.getValue().get(0));
        }
        g.writeEndObject();
    }

    // ------------------------------------------------------------------ flows and runs

    private Web.Body flows(Web.Request q) {
        List<Integer> order = new ArrayList<>();
        String after = q.param("flow_id:gt").orElse(null);
        for (int f = 0; f < a.flows.length; f++) {
            if (after == null || a.flows[f].compareTo(after) > 0) {
                order.add(f);
            }
        }
        boolean desc = q.param("_order").map(o -> !o.startsWith("+") && !o.startsWith(" ")).orElse(false);
        order.sort((x, y) -> desc ? a.flows[y].compareTo(a.flows[x]) : a.flows[x].compareTo(a.flows[y]));
        return list(q, DEFAULT_LIMIT, (g, offset, limit) -> {
            int count = 0;
            for (long i = offset; i < order.size() && count < limit; i++) {
                flowRow(g, order.get((int) i));
                count++;
            }
            return count;
        });
    }

    private void flowRow(JsonGenerator g, int f) throws IOException {
        g.writeStartObject();
        g.writeStringField("flow_id", a.flows[f]);
        g.writeNullField("user_name");
        g.writeNumberField("ts_epoch", Rows.flowCreated(a, f));
        g.writeNullField("tags");
        g.writeNullField("system_tags");
        g.writeEndObject();
    }

    private Web.Body runs(Web.Request q, int f, long nowMs) {
        RunFilter filter = new RunFilter(a);
        filter.flow = f;
        for (Map.Entry<String, List<String>> e : q.params.entrySet()) {
            String key = e.getKey();
            String field = key.contains(":") ? key.substring(0, key.indexOf(':')) : key;
            String op = key.contains(":") ? key.substring(key.indexOf(':') + 1) : "eq";
            List<String> values = q.values(key);
            switch (field) {
                case "status":
                    values.forEach(filter::status);
                    break;
                case "user_name":
                    filter.userNames = new HashSet<>(values);
                    break;
                case "user":
                    filter.users = new HashSet<>(values);
                    break;
                case "flow_id":
                    values.forEach(filter::flowName);
                    break;
                case "_tags":
                    if (op.equals("any")) {
                        filter.tagsAny = values;
                    } else {
                        filter.tagsAll = values;
                    }
                    break;
                case "ts_epoch": {
                    long v;
                    try {
                        v = Long.parseLong(values.isEmpty() ? "" : values.get(0));
                    } catch (NumberFormatException ex) {
                        throw new Web.Problem(500, "{\"data\": \"{\\\"err_msg\\\": \\\"invalid ts_epoch\\\"}\", \"status\": 500}");
                    }
                    switch (op) {
                        case "ge": filter.createdFrom = Math.max(filter.createdFrom, v); break;
                        case "gt": filter.createdFrom = Math.max(filter.createdFrom, v + 1); break;
                        case "le": filter.createdTo = Math.min(filter.createdTo, v); break;
                        case "lt": filter.createdTo = Math.min(filter.createdTo, v - 1); break;
                        default: filter.createdFrom = v; filter.createdTo = v;
                    }
                    break;
                }
                default:
                    break;
            }
        }
        filter.prepare();
        List<String[]> order = orders(q);
        int[] candidates = f >= 0 ? a.runsOfFlow[f] : null;
        int count = f >= 0 ? candidates.length : a.n;
        boolean natural = order.isEmpty() || order.get(0)[0].equals("ts_epoch");
        boolean desc = order.isEmpty() || order.get(0)[1].equals("-");
        if (natural) {
            return list(q, DEFAULT_LIMIT, (g, offset, limit) -> {
                long skipped = 0;
                int written = 0;
                for (int i = 0; i < count && written < limit; i++) {
                    int pos = desc ? count - 1 - i : i;
                    int r = candidates == null ? pos : candidates[pos];
                    if (!filter.test(r)) {
                        continue;
                    }
                    if (skipped < offset) {
                        skipped++;
                        continue;
                    }
                    runRow(g, r, nowMs);
                    written++;
                }
                return written;
            });
        }
        return list(q, DEFAULT_LIMIT, (g, offset, limit) -> {
            int[] rows = new int[count];
            int m = 0;
            for (int i = 0; i < count; i++) {
                int r = candidates == null ? i : candidates[i];
                if (filter.test(r)) {
                    rows[m++] = r;
                }
            }
            IntSort.sort(rows, m, runOrder(order, nowMs));
            int written = 0;
            for (long i = offset; i < m && written < limit; i++) {
                runRow(g, rows[(int) i], nowMs);
                written++;
            }
            return written;
        });
    }

    /** {@code _order} terms as {field, "+"|"-"}; no sign means descending. */
    private static List<String[]> orders(Web.Request q) {
        List<String[]> out = new ArrayList<>();
        for (String term : q.values("_order")) {
            String t = term.trim();
            String dir = "-";
            if (term.startsWith("+") || term.startsWith(" ")) {
                dir = "+";
                t = term.substring(1).trim();
            } else if (t.startsWith("-")) {
                t = t.substring(1);
            }
            out.add(new String[]{t, dir});
        }
        return out;
    }

    private IntSort.Order runOrder(List<String[]> order, long nowMs) {
        IntSort.Order result = null;
        for (String[] o : order) {
            IntSort.Order one;
            switch (o[0]) {
                case "finished_at":
                    one = (x, y) -> Long.compare(nullsLast(a.uiFinishedMs(x, nowMs)), nullsLast(a.uiFinishedMs(y, nowMs)));
                    break;
                case "duration":
                    one = (x, y) -> Long.compare(a.uiDurationMs(x, nowMs), a.uiDurationMs(y, nowMs));
                    break;
                case "flow_id":
                    one = (x, y) -> Integer.compare(flowRank[a.flow[x]], flowRank[a.flow[y]]);
                    break;
                case "user":
                case "user_name":
                    one = (x, y) -> Integer.compare(userKey(x), userKey(y));
                    break;
                case "status":
                    one = (x, y) -> Byte.compare(a.state[x], a.state[y]);
                    break;
                case "ts_epoch":
                    one = (x, y) -> Long.compare(a.created[x], a.created[y]);
                    break;
                case "run_number":
                case "run":
                case "run_id":
                    one = Integer::compare;
                    break;
                default:
                    continue; // outside the allow-list: dropped silently
            }
            IntSort.Order dir = o[1].equals("+") ? one : (x, y) -> one.compare(y, x);
            IntSort.Order prev = result;
            result = prev == null ? dir : (x, y) -> {
                int c = prev.compare(x, y);
                return c != 0 ? c : dir.compare(x, y);
            };
        }
        return result == null ? Integer::compare : result;
    }

    private int userKey(int run) {
        return a.scheduler(run) ? Integer.MAX_VALUE : userRank[(a.owner[run] >> 1) & 63];
    }

    private static long nullsLast(long v) {
        return v == Long.MIN_VALUE ? Long.MAX_VALUE : v;
    }

    void runRow(JsonGenerator g, int r, long nowMs) throws IOException {
        g.writeStartObject();
        g.writeStringField("flow_id", a.flows[a.flow[r]]);
        g.writeNumberField("run_number", r + 1L);
        if (a.scheduler(r)) {
            g.writeStringField("run_id", a.runId(r));
        } else {
            g.writeNullField("run_id");
        }
        g.writeStringField("user_name", a.userName(r));
        String user = a.user(r);
        if (user == null) {
            g.writeNullField("user");
        } else {
            g.writeStringField("user", user);
        }
        g.writeStringField("run", a.runId(r));
        g.writeStringField("status", Archive.wire(a.state[r]));
        g.writeNumberField("ts_epoch", a.created[r]);
        Web.nullableLong(g, "finished_at", a.uiFinishedMs(r, nowMs));
        g.writeNumberField("duration", a.uiDurationMs(r, nowMs));
        g.writeNumberField("last_heartbeat_ts", a.heartbeatSec(r, nowMs));
        Rows.tags(g, a, r);
        g.writeEndObject();
    }

    // ------------------------------------------------------------------ steps

    private Web.Body steps(Web.Request q, RunPlan plan, long nowMs) {
        List<StepPlan> all = new ArrayList<>();
        all.add(null);
        all.addAll(plan.steps);
        return list(q, DEFAULT_LIMIT, (g, offset, limit) -> {
            int written = 0;
            for (long i = offset; i < all.size() && written < limit; i++) {
                stepRow(g, plan, all.get((int) i), nowMs);
                written++;
            }
            return written;
        });
    }

    private void stepRow(JsonGenerator g, RunPlan plan, StepPlan step, long nowMs) throws IOException {
        int r = plan.run;
        long created = step == null ? plan.paramsCreated : step.created;
        g.writeStartObject();
        g.writeStringField("flow_id", a.flows[a.flow[r]]);
        g.writeNumberField("run_number", r + 1L);
        g.writeStringField("run_id", a.runId(r));
        g.writeStringField("step_name", step == null ? Rows.PARAMETERS : step.name);
        g.writeStringField("user_name", a.userName(r));
        g.writeNumberField("ts_epoch", created);
        g.writeNumberField("duration", step == null ? 3 : step.lastActivity(nowMs) - created);
        Rows.tags(g, a, r);
        g.writeEndObject();
    }

    // ------------------------------------------------------------------ tasks

    private Web.Body tasks(Web.Request q, RunPlan plan, String pathStep, long nowMs) {
        Set<String> steps = new HashSet<>(q.values("step_name"));
        if (pathStep != null) {
            steps = Set.of(pathStep);
        }
        long tsFrom = Long.MIN_VALUE;
        long tsTo = Long.MAX_VALUE;
        long idFrom = Long.MIN_VALUE;
        long idTo = Long.MAX_VALUE;
        int attemptEq = -1;
        for (String key : q.params.keySet()) {
            String field = key.contains(":") ? key.substring(0, key.indexOf(':')) : key;
            String op = key.contains(":") ? key.substring(key.indexOf(':') + 1) : "eq";
            if (!field.equals("ts_epoch") && !field.equals("task_id") && !field.equals("attempt_id")) {
                continue;
            }
            long v;
            try {
                v = Long.parseLong(q.param(key).orElse("").trim());
            } catch (NumberFormatException ex) {
                throw new Web.Problem(500, "{\"data\": \"{\\\"err_msg\\\": \\\"invalid " + field + "\\\"}\", \"status\": 500}");
            }
            if (field.equals("attempt_id")) {
                attemptEq = (int) v;
                continue;
            }
            long lo = op.equals("ge") ? v : op.equals("gt") ? v + 1 : op.equals("eq") ? v : Long.MIN_VALUE;
            long hi = op.equals("le") ? v : op.equals("lt") ? v - 1 : op.equals("eq") ? v : Long.MAX_VALUE;
            if (field.equals("ts_epoch")) {
                tsFrom = Math.max(tsFrom, lo);
                tsTo = Math.min(tsTo, hi);
            } else {
                idFrom = Math.max(idFrom, lo);
                idTo = Math.min(idTo, hi);
            }
        }
        List<StepPlan> chosen = new ArrayList<>();
        for (StepPlan sp : plan.steps) {
            if (steps.isEmpty() || steps.contains(sp.name)) {
                chosen.add(sp);
            }
        }
        int total = 0;
        for (StepPlan sp : chosen) {
            total += sp.size * Plans.MAX_ATTEMPTS;
        }
        // a row is (step, k, attempt): step index in the high bits
        long[] rows = new long[total];
        int m = 0;
        for (int si = 0; si < chosen.size(); si++) {
            StepPlan sp = chosen.get(si);
            for (int k = 0; k < sp.size; k++) {
                long ts = sp.taskCreated[k];
                long id = sp.taskId(k);
                if (ts < tsFrom || ts > tsTo || id < idFrom || id > idTo) {
                    continue;
                }
                for (int at = 0; at < sp.attempts[k]; at++) {
                    if (attemptEq < 0 || at == attemptEq) {
                        rows[m++] = (long) si << 32 | (long) k << 2 | at;
                    }
                }
            }
        }
        List<String[]> order = new ArrayList<>();
        if (pathStep != null) {
            order.add(new String[]{"attempt_id", "-"});
        }
        order.addAll(orders(q));
        int size = m;
        boolean postprocess = q.param("postprocess").map(v -> v.equals("true")).orElse(false);
        return list(q, DEFAULT_LIMIT, (g, offset, limit) -> {
            int[] idx = new int[size];
            for (int i = 0; i < size; i++) {
                idx[i] = i;
            }
            IntSort.Order o = taskOrder(order, rows, chosen, nowMs);
            if (o != null) {
                IntSort.sort(idx, size, o);
            }
            int written = 0;
            for (long i = offset; i < size && written < limit; i++) {
                long row = rows[idx[(int) i]];
                StepPlan sp = chosen.get((int) (row >>> 32));
                int k = (int) ((row & 0xffffffffL) >>> 2);
                attemptRow(g, new TaskAt(plan, sp, k, sp.taskId(k)), (int) (row & 3), nowMs, postprocess);
                written++;
            }
            return written;
        });
    }

    private IntSort.Order taskOrder(List<String[]> order, long[] rows, List<StepPlan> steps, long nowMs) {
        IntSort.Order result = null;
        for (String[] o : order) {
            java.util.function.IntToLongFunction key;
            switch (o[0]) {
                case "ts_epoch":
                    key = i -> step(rows, steps, i).taskCreated[k(rows, i)];
                    break;
                case "task_id":
                    key = i -> step(rows, steps, i).taskId(k(rows, i));
                    break;
                case "attempt_id":
                    key = i -> rows[i] & 3;
                    break;
                case "started_at":
                    key = i -> step(rows, steps, i).start[slot(rows, i)];
                    break;
                case "finished_at":
                    key = i -> {
                        StepPlan sp = step(rows, steps, i);
                        int sl = slot(rows, i);
                        return sp.outcome[sl] == Plans.LIVE ? Long.MAX_VALUE : sp.finish[sl];
                    };
                    break;
                case "duration":
                    key = i -> {
                        StepPlan sp = step(rows, steps, i);
                        int sl = slot(rows, i);
                        long end = sp.outcome[sl] == Plans.LIVE ? nowMs : sp.finish[sl];
                        return end - sp.start[sl];
                    };
                    break;
                default:
                    continue;
            }
            IntSort.Order one = (x, y) -> Long.compare(key.applyAsLong(x), key.applyAsLong(y));
            IntSort.Order dir = o[1].equals("+") ? one : (x, y) -> one.compare(y, x);
            IntSort.Order prev = result;
            result = prev == null ? dir : (x, y) -> {
                int c = prev.compare(x, y);
                return c != 0 ? c : dir.compare(x, y);
            };
        }
        return result;
    }

    private static StepPlan step(long[] rows, List<StepPlan> steps, int i) {
        return steps.get((int) (rows[i] >>> 32));
    }

    private static int k(long[] rows, int i) {
        return (int) ((rows[i] & 0xffffffffL) >>> 2);
    }

    private static int slot(long[] rows, int i) {
        return k(rows, i) * Plans.MAX_ATTEMPTS + (int) (rows[i] & 3);
    }

    private void attemptRow(JsonGenerator g, TaskAt t, int attempt, long nowMs, boolean label) throws IOException {
        int r = t.plan().run;
        StepPlan sp = t.step();
        int k = t.k();
        int slot = k * Plans.MAX_ATTEMPTS + attempt;
        byte o = sp.outcome[slot];
        long hb = Rows.taskHeartbeatSec(a, sp, k, nowMs);
        g.writeStartObject();
        g.writeStringField("flow_id", a.flows[a.flow[r]]);
        g.writeNumberField("run_number", r + 1L);
        g.writeStringField("run_id", a.runId(r));
        g.writeStringField("step_name", sp.name);
        g.writeNumberField("task_id", t.taskId());
        g.writeNullField("task_name");
        g.writeStringField("user_name", a.userName(r));
        g.writeStringField("status", o == Plans.OK ? "completed" : o == Plans.FAIL ? "failed" : "running");
        g.writeNullField("task_ok");
        g.writeNumberField("ts_epoch", sp.taskCreated[k]);
        g.writeNumberField("started_at", sp.start[slot]);
        if (o == Plans.LIVE) {
            g.writeNullField("finished_at");
            g.writeNumberField("duration", hb * 1000 - sp.start[slot]);
        } else {
            g.writeNumberField("finished_at", sp.finish[slot]);
            g.writeNumberField("duration", sp.finish[slot] - sp.start[slot]);
        }
        g.writeNumberField("attempt_id", attempt);
        Rows.tags(g, a, r);
        g.writeNumberField("last_heartbeat_ts", hb);
        if (label && sp.foreach) {
            g.writeStringField("foreach_label", Facts.foreachLabel(sp, k));
        }
        g.writeEndObject();
    }

    // ------------------------------------------------------------------ metadata, artifacts, logs

    private Web.Body metadata(Web.Request q, TaskAt t) {
        List<Meta> all = Facts.metadata(a, t.plan(), t.step(), t.k());
        int r = t.plan().run;
        return list(q, DEFAULT_LIMIT, (g, offset, limit) -> {
            int written = 0;
            for (long i = offset; i < all.size() && written < limit; i++) {
                Meta m = all.get((int) i);
                g.writeStartObject();
                g.writeNumberField("id", m.id());
                g.writeStringField("flow_id", a.flows[a.flow[r]]);
                g.writeNumberField("run_number", r + 1L);
                g.writeStringField("run_id", a.runId(r));
                g.writeStringField("step_name", t.step().name);
                g.writeNumberField("task_id", t.taskId());
                g.writeNullField("task_name");
                if (m.attempt() >= 0) {
                    g.writeNumberField("attempt_id", m.attempt());
                } else {
                    g.writeNullField("attempt_id");
                }
                g.writeStringField("field_name", m.field());
                g.writeStringField("value", m.value());
                g.writeStringField("type", m.type());
                g.writeStringField("user_name", a.userName(r));
                g.writeNumberField("ts_epoch", m.ts());
                Web.stringList(g, "tags", m.attempt() >= 0 ? List.of("attempt_id:" + m.attempt()) : List.of());
                g.writeNullField("system_tags");
                g.writeEndObject();
                written++;
            }
            return written;
        });
    }

    private Web.Body artifacts(Web.Request q, TaskAt t) {
        List<Artifact> all = new ArrayList<>(Facts.artifacts(a, t.plan(), t.step(), t.k()));
        String name = q.param("name").orElse(null);
        int attempt = q.intParam("attempt_id", -1);
        all.removeIf(x -> (name != null && !x.name().equals(name)) || (attempt >= 0 && x.attempt() != attempt));
        boolean newestFirst = !q.param("_order").map(o -> o.startsWith("+") || o.startsWith(" ")).orElse(false);
        if (newestFirst) {
            all.sort((x, y) -> Integer.compare(y.attempt(), x.attempt()));
        }
        boolean content = q.param("postprocess").map(v -> v.equals("true")).orElse(false);
        return list(q, DEFAULT_LIMIT, (g, offset, limit) -> {
            int written = 0;
            for (long i = offset; i < all.size() && written < limit; i++) {
                Artifact art = all.get((int) i);
                g.writeStartObject();
                g.writeStringField("flow_id", a.flows[a.flow[t.plan().run]]);
                g.writeNumberField("run_number", t.plan().run + 1L);
                g.writeStringField("run_id", a.runId(t.plan().run));
                g.writeStringField("step_name", t.step().name);
                g.writeNumberField("task_id", t.taskId());
                g.writeNullField("task_name");
                g.writeStringField("name", art.name());
                g.writeStringField("location", ":root:" + Facts.DS_ROOT);
                g.writeStringField("ds_type", "local");
                g.writeStringField("sha", art.sha());
                g.writeStringField("type", "metaflow.artifact");
                g.writeStringField("content_type", "gzip+pickle-v4");
                g.writeStringField("user_name", a.userName(t.plan().run));
                g.writeNumberField("attempt_id", art.attempt());
                g.writeNumberField("ts_epoch", art.ts());
                Rows.tags(g, a, t.plan().run);
                if (content) {
                    g.writeStringField("content", art.content());
                }
                g.writeEndObject();
                written++;
            }
            return written;
        });
    }

    private Web.Body logs(Web.Request q, TaskAt t, boolean stderr, long nowMs) {
        StepPlan sp = t.step();
        int k = t.k();
        int attempt = q.intParam("attempt_id", sp.attempts[k] - 1);
        if (attempt < 0 || attempt >= sp.attempts[k]) {
            throw notFound(true);
        }
        int total = Facts.logLines(a, t.plan(), sp, k, attempt, stderr);
        int asked = q.intParam("_limit", 1000);
        int limit = asked <= 0 ? 1000 : Math.min(10_000, asked);
        long last = Math.max(1, (total + (long) limit - 1) / limit);
        boolean reverse = q.param("_order").map(o -> o.trim().startsWith("-row")).orElse(false);
        int page = Math.max(1, q.intParam("_page", 1));
        return list(q, 1000, 10_000, last, (g, offset, lim) -> {
            long fwdPage = reverse ? last - page + 1 : page;
            if (fwdPage < 1) {
                return 0;
            }
            long from = (fwdPage - 1) * limit;
            long to = Math.min(total, from + limit);
            int written = 0;
            for (long i = 0; i < to - from; i++) {
                int row = (int) (reverse ? to - 1 - i : from + i);
                g.writeStartObject();
                g.writeNumberField("row", row);
                g.writeNumberField("timestamp", Facts.logTime(sp, k, attempt, row, total, nowMs));
                g.writeStringField("line", Facts.logLine(a, t.plan(), sp, k, attempt, stderr, row, total));
                g.writeEndObject();
                written++;
            }
            return written;
        });
    }

    ServiceRoutes service() {
        return service;
    }
}

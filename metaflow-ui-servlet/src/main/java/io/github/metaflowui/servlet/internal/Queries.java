package io.github.metaflowui.servlet.internal;

import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The run and task queries a request's parameters describe, shared by the JSON API and live events. */
final class Queries {
    static final Map<String, RunQuery.Sort> RUN_ORDER = orderedMap(
            "ts_epoch", RunQuery.Sort.CREATED,
            "finished_at", RunQuery.Sort.FINISHED,
            "duration", RunQuery.Sort.DURATION,
            "flow_id", RunQuery.Sort.FLOW,
            "user", RunQuery.Sort.USER,
            "user_name", RunQuery.Sort.USER,
            "status", RunQuery.Sort.STATUS,
            "run", RunQuery.Sort.RUN,
            "run_number", RunQuery.Sort.RUN,
            "run_id", RunQuery.Sort.RUN);
    static final Map<String, TaskQuery.Sort> TASK_ORDER = orderedMap(
            "ts_epoch", TaskQuery.Sort.CREATED,
            "started_at", TaskQuery.Sort.STARTED,
            "finished_at", TaskQuery.Sort.FINISHED,
            "duration", TaskQuery.Sort.DURATION,
            "task_id", TaskQuery.Sort.TASK_ID);

    private Queries() {
    }

    /**
     * Runs to list.
     *
     * @param query what to ask the backend
     * @param extra what to keep of its answer (several {@code flow_id} values)
     * @param empty the parameters match nothing (e.g. an empty time window)
     */
    record Runs(RunQuery query, Predicate<Run> extra, boolean empty, boolean filtered) {
    }

    record Tasks(TaskQuery query, Predicate<Task> extra, boolean empty, boolean filtered) {
    }

    static Runs runs(Params p, String pathFlow) {
        RunQuery.Builder q = RunQuery.builder();
        Predicate<Run> extra = r -> true;
        boolean filtered = false;
        boolean empty = false;

        Set<String> flows = p.list("flow_id");
        if (pathFlow != null) {
            q.flow(pathFlow);
            empty = !flows.isEmpty() && !flows.contains(pathFlow);
        } else if (flows.size() == 1) {
            q.flow(flows.iterator().next());
        } else if (flows.size() > 1) {
            extra = r -> flows.contains(r.flow());
            filtered = true;
        }
        p.statuses().forEach(q::status);
        p.list("user", "user_name").forEach(q::user);
        p.list("_tags", "_tags:all").forEach(q::tag);
        p.list("_tags:any").forEach(q::anyTag);

        Long from = maxOf(p.epochMillis("ts_epoch:ge"), plusOne(p.epochMillis("ts_epoch:gt")));
        Long before = minOf(p.epochMillis("ts_epoch:lt"), plusOne(p.epochMillis("ts_epoch:le")));
        if (from != null && before != null && from >= before) {
            empty = true; // an empty time window matches nothing
        } else {
            if (from != null) {
                q.createdFrom(Instant.ofEpochMilli(from));
            }
            if (before != null) {
                q.createdBefore(Instant.ofEpochMilli(before));
            }
        }

        List<Params.Order> orders = p.orders();
        for (Params.Order o : orders) {
            if (!RUN_ORDER.containsKey(o.field())) {
                throw ApiProblem.badRequest("unknown _order field '" + o.field() + "' for runs; expected one of "
                        + "ts_epoch, finished_at, duration, flow_id, user, status, run");
            }
        }
        if (!orders.isEmpty()) {
            // the backend orders by one field (ties by run id); later fields cannot change that order
            q.sort(RUN_ORDER.get(orders.get(0).field()), orders.get(0).order());
        }
        return new Runs(q.build(), extra, empty, filtered);
    }

    static Tasks tasks(Params p, String pathStep) {
        TaskQuery.Builder q = TaskQuery.builder();
        Predicate<Task> extra = t -> true;
        boolean filtered = false;
        boolean empty = false;
        Set<String> steps = p.list("step_name");
        if (pathStep != null) {
            q.step(pathStep);
            empty = !steps.isEmpty() && !steps.contains(pathStep);
        } else if (steps.size() == 1) {
            q.step(steps.iterator().next());
        } else if (steps.size() > 1) {
            extra = t -> steps.contains(t.step());
            filtered = true;
        }
        p.statuses().forEach(q::status);
        String search = p.get("q").map(String::trim).orElse("");
        if (search.length() > Api.SEARCH_MAX_QUERY) {
            throw ApiProblem.badRequest("q must be at most " + Api.SEARCH_MAX_QUERY + " characters, got "
                    + search.length());
        }
        if (!search.isEmpty()) {
            String needle = search.toLowerCase(java.util.Locale.ROOT);
            Predicate<Task> byStep = extra;
            extra = t -> byStep.test(t) && (t.id().value().toLowerCase(java.util.Locale.ROOT).contains(needle)
                    || t.foreachLabel().map(l -> foreachMatches(l, needle)).orElse(false));
            filtered = true;
        }
        List<Params.Order> orders = p.orders();
        for (Params.Order o : orders) {
            if (!TASK_ORDER.containsKey(o.field())) {
                throw ApiProblem.badRequest("unknown _order field '" + o.field() + "' for tasks; expected one of "
                        + "ts_epoch, started_at, finished_at, duration, task_id");
            }
        }
        if (!orders.isEmpty()) {
            q.sort(TASK_ORDER.get(orders.get(0).field()), orders.get(0).order());
        }
        return new Tasks(q.build(), extra, empty, filtered);
    }

    /** One {@code var[index]=value} part of a foreach label; the index is absent in older labels. */
    private static final Pattern FOREACH_PART = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(?:\\[(\\d+)])?=(.*)",
            Pattern.DOTALL);
    /** Between parts: ", " before the next {@code var=} or {@code var[i]=} (a value may hold ", " itself). */
    private static final Pattern FOREACH_SPLIT = Pattern.compile(", (?=[A-Za-z_][A-Za-z0-9_]*(?:\\[\\d+])?=)");

    /**
     * Whether a task's foreach label (e.g. {@code letters[2]=c, numbers[0]=1}) matches a lower-case
     * search: a plain text matches a foreach value or index, never a variable name (so {@code b}
     * finds {@code letters[1]=b}, not every {@code numbers[...]}); a text written like the label
     * itself ({@code items[3]}, {@code =42}, {@code letters[2]=c, numbers[1]}) matches the label text.
     */
    static boolean foreachMatches(String label, String needle) {
        String lower = label.toLowerCase(java.util.Locale.ROOT);
        if (needle.indexOf('[') >= 0 || needle.indexOf('=') >= 0) {
            return lower.contains(needle);
        }
        for (String part : FOREACH_SPLIT.split(lower)) {
            Matcher m = FOREACH_PART.matcher(part);
            if (!m.matches()) {
                if (part.contains(needle)) {
                    return true; // not in the usual shape: all of it is the value
                }
                continue;
            }
            if (m.group(3).contains(needle) || (m.group(2) != null && m.group(2).contains(needle))) {
                return true;
            }
        }
        return false;
    }

    private static Long plusOne(OptionalLong v) {
        return v.isPresent() ? v.getAsLong() + 1 : null;
    }

    private static Long maxOf(OptionalLong a, Long b) {
        if (a.isEmpty()) {
            return b;
        }
        return b == null ? a.getAsLong() : Math.max(a.getAsLong(), b);
    }

    private static Long minOf(OptionalLong a, Long b) {
        if (a.isEmpty()) {
            return b;
        }
        return b == null ? a.getAsLong() : Math.min(a.getAsLong(), b);
    }

    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> orderedMap(Object... kv) {
        Map<String, V> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (V) kv[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }
}

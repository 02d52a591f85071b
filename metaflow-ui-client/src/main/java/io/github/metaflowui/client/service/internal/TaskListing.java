package io.github.metaflowui.client.service.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.metaflowui.client.http.internal.Cursors;
import io.github.metaflowui.client.http.internal.Fanout;
import io.github.metaflowui.client.http.internal.HttpTransport;
import io.github.metaflowui.client.http.internal.JsonBodies;
import io.github.metaflowui.client.http.internal.Query;
import io.github.metaflowui.client.http.internal.TaskOrders;
import io.github.metaflowui.client.http.internal.WindowCache;
import io.github.metaflowui.client.http.internal.WindowCache.Slice;
import io.github.metaflowui.client.service.internal.Rows.MetaRow;
import io.github.metaflowui.client.service.internal.Rows.StepRow;
import io.github.metaflowui.client.service.internal.Rows.TaskRow;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.StatusRules;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskCounts;
import io.github.metaflowui.core.TaskId;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.github.metaflowui.client.http.internal.HttpTransport.path;

/**
 * Tasks and steps from the metadata service. See
 * {@link io.github.metaflowui.client.service.MetadataServiceBackend} for what each call costs.
 */
public final class TaskListing {
    /** Up to this many tasks, metadata is read per task; above, with one streamed run-wide read. */
    public static final int PER_TASK_METADATA_LIMIT = 8;
    private static final String KIND = "tasks";

    private final HttpTransport http;
    private final ServiceApi api;
    private final Fanout fanout;
    private final Clock clock;
    private final int window;
    private final WindowCache<TaskRow> windows = new WindowCache<>(4, Duration.ofSeconds(60));

    public TaskListing(ServiceApi api, Fanout fanout, Clock clock, int window) {
        this.http = api.http();
        this.api = api;
        this.fanout = fanout;
        this.clock = clock;
        this.window = window;
    }

    public Page<Task> list(RunRef run, TaskQuery q, PageRequest page) {
        if (q.step().isPresent() && q.step().get().equals(ServiceApi.PARAMETERS_STEP)) {
            return Page.last(List.of());
        }
        boolean rowOrder = q.sort() == TaskQuery.Sort.CREATED || q.sort() == TaskQuery.Sort.TASK_ID;
        if (!rowOrder) {
            return materialized(run, q, page);
        }
        Comparator<TaskRow> order = order(q.sort(), q.order());
        JsonNode cursor = page.cursor().map(c -> Cursors.decode(c, KIND)).orElse(null);
        TaskRow after = cursor != null && cursor.has("k") ? keyset(cursor.get("k")) : null;
        String serverCursor = cursor != null && cursor.hasNonNull("s") ? cursor.get("s").asText() : null;

        Candidates<TaskRow> candidates;
        if (q.step().isPresent() && q.sort() == TaskQuery.Sort.CREATED && q.order() == SortOrder.DESC && after == null) {
            candidates = serverPaged(run, q, page.limit(), serverCursor, order);
        } else {
            List<String> steps = q.step().map(List::of).orElseGet(() -> stepNames(run));
            candidates = Candidates.merge(fanout.map(steps, s -> candidates(run, s, q, order, after, page.limit())),
                    order, page.limit());
        }
        List<Task> tasks = derive(run, candidates.rows());
        List<Task> matching = tasks.stream().filter(t -> q.statuses().isEmpty() || q.statuses().contains(t.status().status()))
                .toList();
        return Page.of(matching, candidates.nextCursor(KIND, TaskListing::keysetCursor));
    }

    /** One step newest first: the service's cursor pages, or a page selected from the legacy full array. */
    private Candidates<TaskRow> serverPaged(RunRef run, TaskQuery q, int limit, String serverCursor, Comparator<TaskRow> order) {
        String step = q.step().orElseThrow();
        Query query = Query.of("_limit", limit);
        if (serverCursor != null) {
            query = query.and("_cursor", serverCursor);
        }
        String key = key(run, step, q);
        return http.get(path("flows", run.flow(), "runs", run.run().value(), "steps", step, "tasks"), query,
                (info, body) -> {
                    if (info.header("x-limit").isPresent()) {
                        List<TaskRow> rows = new ArrayList<>();
                        JsonBodies.forEachElement(body, n -> rows.add(Rows.task(n)));
                        rows.sort(order);
                        return new Candidates<>(rows, false, info.header("x-next-cursor").filter(s -> !s.isBlank()));
                    }
                    return select(key, body, order, null, limit);
                });
    }

    private Candidates<TaskRow> candidates(RunRef run, String step, TaskQuery q, Comparator<TaskRow> order, TaskRow after,
                                  int limit) {
        String key = key(run, step, q);
        Optional<Slice<TaskRow>> cached = windows.serve(key, order, after, limit);
        if (cached.isPresent()) {
            return Candidates.of(cached.get());
        }
        return http.get(path("flows", run.flow(), "runs", run.run().value(), "steps", step, "tasks"), Query.empty(),
                (info, body) -> select(key, body, order, after, limit));
    }

    private Candidates<TaskRow> select(String key, java.io.InputStream body, Comparator<TaskRow> order, TaskRow after,
                                       int limit) throws java.io.IOException {
        return Candidates.select(body, Rows::task, r -> true, order, after, limit, window, windows, key);
    }

    /** Every task of the run (or step) with its status, sorted and filtered here; an offset cursor. */
    private Page<Task> materialized(RunRef run, TaskQuery q, PageRequest page) {
        long offset = 0;
        if (page.cursor().isPresent()) {
            JsonNode c = Cursors.decode(page.cursor().get(), KIND);
            if (!c.has("o") || c.get("o").asLong(-1) < 0) {
                throw new IllegalArgumentException("not a tasks cursor of this backend: missing offset");
            }
            offset = c.get("o").asLong();
        }
        List<String> steps = q.step().map(List::of).orElseGet(() -> stepNames(run));
        List<TaskRow> rows = new ArrayList<>();
        for (List<TaskRow> part : fanout.map(steps, s -> {
            List<TaskRow> out = new ArrayList<>();
            api.tasks(run, s, out::add);
            return out;
        })) {
            rows.addAll(part);
        }
        List<Task> tasks = new ArrayList<>(derive(run, rows));
        tasks.removeIf(t -> !q.statuses().isEmpty() && !q.statuses().contains(t.status().status()));
        tasks.sort(TaskOrders.of(q.sort(), q.order()));
        int from = (int) Math.min(offset, tasks.size());
        int to = Math.min(tasks.size(), from + page.limit());
        String next = to < tasks.size() ? Cursors.encode(Cursors.object().put("t", KIND).put("o", to)) : null;
        return Page.of(tasks.subList(from, to), next);
    }

    /** The steps of a run (without {@code _parameters}) with task counts, in creation order. */
    public List<Step> steps(RunRef run) {
        List<StepRow> stepRows = new ArrayList<>(api.steps(run));
        stepRows.removeIf(s -> s.name().equals(ServiceApi.PARAMETERS_STEP));
        stepRows.sort(Comparator.comparingLong(StepRow::ts).thenComparing(StepRow::name));
        List<List<TaskRow>> perStep = fanout.map(stepRows, s -> {
            List<TaskRow> out = new ArrayList<>();
            api.tasks(run, s.name(), out::add);
            return out;
        });
        List<TaskRow> all = new ArrayList<>();
        perStep.forEach(all::addAll);
        Map<String, List<MetaRow>> meta = metadata(run, all);
        List<Step> out = new ArrayList<>(stepRows.size());
        for (int i = 0; i < stepRows.size(); i++) {
            StepRow s = stepRows.get(i);
            List<Task> tasks = new ArrayList<>();
            for (TaskRow r : perStep.get(i)) {
                tasks.add(TaskDerivation.task(run.step(s.name()).task(r.id()), r, meta.getOrDefault(r.id(), List.of()), clock));
            }
            TaskCounts counts = TaskCounts.of(tasks);
            Optional<Instant> started = tasks.stream().map(Task::startedAt).flatMap(Optional::stream).min(Comparator.naturalOrder());
            boolean allDone = !tasks.isEmpty() && tasks.stream().allMatch(t -> t.status().status().isTerminal()
                    && t.finishedAt().isPresent());
            Optional<Instant> finished = allDone
                    ? tasks.stream().map(Task::finishedAt).flatMap(Optional::stream).max(Comparator.naturalOrder())
                    : Optional.empty();
            out.add(new Step(run.step(s.name()), Instant.ofEpochMilli(s.ts()), StatusRules.stepStatus(counts), counts,
                    started, finished));
        }
        return out;
    }

    /** One task with its attempts, or empty if the service does not know it. */
    public Optional<Task> task(TaskRef ref) {
        if (ref.step().step().equals(ServiceApi.PARAMETERS_STEP)) {
            return Optional.empty();
        }
        Optional<TaskRow> row = api.task(ref);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(TaskDerivation.task(ref, row.get(), api.taskMetadata(ref), clock));
    }

    private List<Task> derive(RunRef run, List<TaskRow> rows) {
        Map<String, List<MetaRow>> meta = metadata(run, rows);
        List<Task> out = new ArrayList<>(rows.size());
        for (TaskRow r : rows) {
            out.add(TaskDerivation.task(run.step(r.step()).task(r.id()), r, meta.getOrDefault(r.id(), List.of()), clock));
        }
        return out;
    }

    /** Metadata of the given tasks: per task when few, else one streamed {@code R/metadata}. */
    private Map<String, List<MetaRow>> metadata(RunRef run, List<TaskRow> rows) {
        if (rows.isEmpty()) {
            return Map.of();
        }
        if (rows.size() <= PER_TASK_METADATA_LIMIT) {
            List<List<MetaRow>> per = fanout.map(rows, r -> api.taskMetadata(run.step(r.step()).task(r.id())));
            Map<String, List<MetaRow>> out = new java.util.HashMap<>();
            for (int i = 0; i < rows.size(); i++) {
                out.put(rows.get(i).id(), per.get(i));
            }
            return out;
        }
        Set<String> ids = new HashSet<>();
        rows.forEach(r -> ids.add(r.id()));
        return api.runMetadata(run, ids);
    }

    private List<String> stepNames(RunRef run) {
        List<StepRow> steps = new ArrayList<>(api.steps(run));
        steps.removeIf(s -> s.name().equals(ServiceApi.PARAMETERS_STEP));
        steps.sort(Comparator.comparingLong(StepRow::ts).thenComparing(StepRow::name));
        return steps.stream().map(StepRow::name).toList();
    }

    static Comparator<TaskRow> order(TaskQuery.Sort sort, SortOrder direction) {
        Comparator<TaskRow> byId = (a, b) -> TaskId.of(a.id()).compareTo(TaskId.of(b.id()));
        Comparator<TaskRow> primary = sort == TaskQuery.Sort.TASK_ID
                ? byId.thenComparingLong(TaskRow::ts)
                : Comparator.comparingLong(TaskRow::ts).thenComparing(byId);
        primary = primary.thenComparing(TaskRow::step);
        return direction == SortOrder.DESC ? primary.reversed() : primary;
    }

    private static String key(RunRef run, String step, TaskQuery q) {
        return run.pathspec() + "/" + step + "|" + q.sort() + "|" + q.order();
    }

    private static ObjectNode keysetCursor(TaskRow r) {
        ObjectNode c = Cursors.object().put("t", KIND);
        c.set("k", Cursors.object().put("ts", r.ts()).put("id", r.id()).put("step", r.step()));
        return c;
    }

    private static TaskRow keyset(JsonNode k) {
        if (!k.has("ts") || !k.has("id") || !k.has("step")) {
            throw new IllegalArgumentException("not a tasks cursor of this backend: missing keyset fields");
        }
        return new TaskRow(k.get("step").asText(), k.get("id").asText(), k.get("ts").asLong(), Optional.empty());
    }
}

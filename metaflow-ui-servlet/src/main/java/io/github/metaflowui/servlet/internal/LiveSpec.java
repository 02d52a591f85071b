package io.github.metaflowui.servlet.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.diff.Differ;
import io.github.metaflowui.core.diff.Snapshot;
import io.github.metaflowui.core.spi.MetaflowBackend;
import io.github.metaflowui.core.watch.Activity;
import io.github.metaflowui.core.watch.LogTail;
import io.github.metaflowui.core.watch.Poll;
import io.github.metaflowui.core.watch.Resource;
import io.github.metaflowui.core.watch.Resources;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One resource a live-events client asks for, written like the API path it mirrors (without the
 * {@code api} prefix), query included: {@code /runs?status=running}, {@code /flows/F/runs},
 * {@code /flows/F/runs/R}, {@code .../R/steps}, {@code .../R/tasks?step_name=s&_page=2},
 * {@code .../R/steps/S/tasks/T}, {@code .../tasks/T/artifacts}, {@code .../tasks/T/metadata} (every attempt's
 * records, sent whole as one entity: a snapshot's {@code data} is {@code [[rows]]}, a change's {@code data}
 * is {@code [rows]}), {@code .../tasks/T/logs/out?attempt_id=1}. List resources cover the
 * page the query names ({@code _page}, {@code _limit}) within the first {@value #MAX_ROWS} rows.
 *
 * @param text     the resource as the client wrote it
 * @param resource what the watcher polls (equal resources share one poll)
 * @param writer   how an entity is written, in the API's JSON shape
 */
record LiveSpec<T>(String text, Resource<T> resource, EntityWriter<T> writer) {
    static final int MAX_ROWS = PageRequest.MAX_LIMIT;
    static final int MAX_TEXT = 2000;

    /** Writes one entity as JSON. */
    @FunctionalInterface
    interface EntityWriter<T> {
        void write(JsonGenerator g, T entity) throws IOException;
    }

    LiveSpec {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(writer, "writer");
    }

    boolean isLog() {
        return writer == LOG_WRITER;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final EntityWriter LOG_WRITER = (g, e) -> {
        throw new IllegalStateException("log tails are written by the hub");
    };

    /**
     * Parses a resource.
     *
     * @throws ApiProblem (400) naming the resource and what is wrong with it
     */
    static LiveSpec<?> parse(String text, int defaultLimit) {
        if (text.length() > MAX_TEXT) {
            throw bad(text.substring(0, 60) + "...", "longer than " + MAX_TEXT + " characters");
        }
        if (!text.startsWith("/")) {
            throw bad(text, "it must be an API path starting with '/', e.g. /runs or /flows/F/runs/R/tasks");
        }
        int q = text.indexOf('?');
        String path = q < 0 ? text : text.substring(0, q);
        Params p;
        List<String> s;
        try {
            p = new Params(query(q < 0 ? "" : text.substring(q + 1)));
            s = segments(path);
        } catch (IllegalArgumentException e) {
            throw bad(text, e.getMessage());
        }
        try {
            return parse(text, s, p, defaultLimit);
        } catch (ApiProblem e) {
            throw bad(text, e.detail());
        } catch (IllegalArgumentException e) {
            throw bad(text, e.getMessage()); // e.g. a blank run id
        }
    }

    @SuppressWarnings("unchecked")
    private static LiveSpec<?> parse(String text, List<String> s, Params p, int defaultLimit) {
        int n = s.size();
        if (n == 1 && s.get(0).equals("runs")) {
            return runs(text, p, null, defaultLimit);
        }
        if (n < 3 || !s.get(0).equals("flows") || !s.get(2).equals("runs")) {
            throw notLive();
        }
        String flow = s.get(1);
        if (n == 3) {
            return runs(text, p, flow, defaultLimit);
        }
        RunRef run = RunRef.of(flow, s.get(3));
        if (n == 4) {
            return new LiveSpec<>(text, Resources.run(run), Views::run);
        }
        if (n == 5 && s.get(4).equals("steps")) {
            return new LiveSpec<>(text, Resources.steps(run), Views::step);
        }
        if (n == 5 && s.get(4).equals("tasks")) {
            return tasks(text, p, run, null, defaultLimit);
        }
        if (n < 7 || !s.get(4).equals("steps") || !s.get(6).equals("tasks")) {
            throw notLive();
        }
        String step = s.get(5);
        if (n == 7) {
            return tasks(text, p, run, step, defaultLimit);
        }
        TaskRef task = run.step(step).task(s.get(7));
        if (n == 8) {
            return new LiveSpec<>(text, Resources.task(task), (g, t) -> Views.task(g, t, true));
        }
        if (n == 9 && s.get(8).equals("artifacts")) {
            return new LiveSpec<>(text, TaskRecords.artifacts(task), (g, list) -> {
                g.writeStartArray();
                for (io.github.metaflowui.core.ArtifactRecord a : list.records()) {
                    Views.artifact(g, task, a);
                }
                g.writeEndArray();
            });
        }
        if (n == 9 && s.get(8).equals("metadata")) {
            return new LiveSpec<>(text, TaskRecords.metadata(task), (g, list) -> {
                g.writeStartArray();
                for (io.github.metaflowui.core.MetadataRecord m : list.records()) {
                    Views.metadata(g, task, m);
                }
                g.writeEndArray();
            });
        }
        if (n == 10 && s.get(8).equals("logs") && (s.get(9).equals("out") || s.get(9).equals("err"))) {
            LogStream stream = s.get(9).equals("out") ? LogStream.STDOUT : LogStream.STDERR;
            int attempt = p.attempt().orElse(LogRequest.LATEST_ATTEMPT);
            return new LiveSpec<LogTail>(text, Resources.logTail(task, stream, attempt), LOG_WRITER);
        }
        throw notLive();
    }

    private static LiveSpec<?> runs(String text, Params p, String flow, int defaultLimit) {
        int[] window = window(p, defaultLimit);
        Queries.Runs spec = Queries.runs(p, flow);
        if (spec.filtered()) {
            throw ApiProblem.badRequest("live updates follow one flow_id at a time");
        }
        if (spec.empty()) {
            return new LiveSpec<io.github.metaflowui.core.Run>(text, new Nothing<>(text), Views::run);
        }
        return new LiveSpec<>(text, Resources.runs(spec.query(), window[0], window[1]), Views::run);
    }

    private static LiveSpec<?> tasks(String text, Params p, RunRef run, String step, int defaultLimit) {
        int[] window = window(p, defaultLimit);
        Queries.Tasks spec = Queries.tasks(p, step);
        if (spec.filtered()) {
            throw ApiProblem.badRequest("live updates follow one step_name at a time, and no search (q)");
        }
        if (spec.empty()) {
            return new LiveSpec<io.github.metaflowui.core.Task>(text, new Nothing<>(text), (g, t) -> Views.task(g, t, false));
        }
        return new LiveSpec<>(text, Resources.tasks(run, spec.query(), window[0], window[1]),
                (g, t) -> Views.task(g, t, false));
    }

    private static int[] window(Params p, int defaultLimit) {
        int page = p.page();
        int limit = p.limit(defaultLimit, MAX_ROWS);
        long offset = (long) (page - 1) * limit;
        if (offset + limit > MAX_ROWS) {
            throw ApiProblem.badRequest("live updates cover the first " + MAX_ROWS + " rows; _page " + page
                    + " with _limit " + limit + " ends at row " + (offset + limit));
        }
        return new int[] {(int) offset, limit};
    }

    private static ApiProblem notLive() {
        return ApiProblem.badRequest("no live resource there; expected /runs, /flows/{flow}/runs, a run, its steps,"
                + " its tasks, a task, a task's artifacts or metadata, or a task's logs/out|err");
    }

    private static ApiProblem bad(String text, String why) {
        return ApiProblem.badRequest("resource '" + text.replaceAll("\\p{Cntrl}", "?") + "': " + why);
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        String rest = path.substring(1);
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        for (String raw : rest.split("/", -1)) {
            String seg = PathCodec.decodeSegment(raw);
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                throw new IllegalArgumentException("the path has an empty, '.' or '..' segment");
            }
            out.add(seg);
        }
        return out;
    }

    private static Map<String, String[]> query(String q) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        if (!q.isEmpty()) {
            for (String part : q.split("&")) {
                if (part.isEmpty()) {
                    continue;
                }
                int eq = part.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                m.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
        }
        Map<String, String[]> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.toArray(new String[0])));
        return out;
    }

    /** A query that matches nothing (e.g. an empty time window): one empty poll, then nothing. */
    private record Nothing<T>(String text) implements Resource<T> {
        @Override
        public Poll<T> poll(MetaflowBackend backend, Snapshot<T> previous) {
            return new Poll<>(Snapshot.empty(), Activity.FINISHED);
        }

        @Override
        public Differ<T> differ() {
            return Differ.of(x -> io.github.metaflowui.core.StatusInfo.of(io.github.metaflowui.core.Status.UNKNOWN, ""));
        }

        @Override
        public String describe() {
            return "nothing (" + text + ")";
        }
    }
}

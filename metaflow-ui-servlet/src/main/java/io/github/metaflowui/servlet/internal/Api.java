package io.github.metaflowui.servlet.internal;

import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.ArtifactValue;
import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Dag;
import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Paged;
import io.github.metaflowui.core.Parameter;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunGroups;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.StepAggregates;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.index.IndexedBackend;
import io.github.metaflowui.core.spi.MetaflowBackend;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The JSON API under {@code {mount}/api/}, following the Metaflow UI backend's resource paths and
 * envelopes (see {@link Envelope}). Read-only; every answer is {@code no-store}.
 *
 * <h2>Logs</h2> {@code .../logs/out|err} pages a log {@code _limit} rows at a time (default 1000,
 * at most 10000). In forward order page N holds rows {@code (N-1)*limit .. N*limit-1}. With
 * {@code _order=-row} page 1 holds the <em>last</em> {@code _limit} rows, newest first, page 2 the
 * {@code _limit} rows before them, and so on; only the last page in that direction may be short.
 * (Upstream makes page 1 the short tail of the forward paging, which is rarely what a viewer wants.)
 * Every row keeps its forward, 0-based {@code row} number. {@code pages.last} is
 * {@code max(1, ceil(total/limit))} and {@code pages.total_lines} the line count of the whole log.
 *
 * <h2>Lists</h2> {@code pages.next} is set only when another row exists. {@code pages.last} is set
 * when the total is known without extra requests: for lists the backend returns whole (steps,
 * metadata, artifacts, attempts) and for any page that reached the end of its list (the last page,
 * or one past it); otherwise it is null. Run lists also take {@code _at=flow/run}, so that a view can reopen
 * at a run: the answer is the page (of {@code _limit}) that holds that run, {@code pages.self} saying which and
 * {@code pages.at} the run's 0-based position in the list; when the run is not in the list (within its first
 * {@value #AT_MAX_SCAN} runs) it is the first page, with {@code pages.at} null.
 *
 * <h2>Errors</h2> {@code application/problem+json}: 400 for bad parameters, 404 for unknown paths and
 * missing objects, 502 when the backend cannot answer ({@link MetaflowException}), 500 for anything
 * else (logged, never shown).
 */
public final class Api {
    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    private static final int SEARCH_DEFAULT_LIMIT = 200;
    private static final int SEARCH_MAX_LIMIT = 1000;
    static final int SEARCH_MAX_QUERY = 200;
    private static final Pattern ANSI = Pattern.compile("\\x1b\\[[0-9;:?]*[A-Za-z]");

    /** Longest artifact display text asked of the backend. */
    public static final int ARTIFACT_MAX_CHARS = 64 * 1024;
    private static final int LIST_LIMIT = 1000;
    private static final int LOG_DEFAULT_LIMIT = 1000;

    /** Runs at the top of a first page of runs whose task tables are read ahead. */
    private static final int WARM_PER_LIST = 5;
    private final MetaflowBackend backend;
    private final MetaflowClient client;
    private final Clock clock;
    private final String title;
    private final int runsPageSize;
    private final Extras extras;
    private final Cards cards;

    public Api(MetaflowBackend backend, Clock clock, String title, int runsPageSize) {
        this(backend, clock, title, runsPageSize, Extras.none());
    }

    public Api(MetaflowBackend backend, Clock clock, String title, int runsPageSize, Extras extras) {
        this(backend, clock, title, runsPageSize, extras, "'self'");
    }

    /** @param frameAncestors the UI page's {@code frame-ancestors} sources (cards are framed by the page) */
    public Api(MetaflowBackend backend, Clock clock, String title, int runsPageSize, Extras extras,
               String frameAncestors) {
        this.cards = new Cards(backend, frameAncestors);
        this.extras = Objects.requireNonNull(extras, "extras");
        this.backend = Objects.requireNonNull(backend, "backend");
        // never closed here: the host owns the backend
        this.client = MetaflowClient.of(backend);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.title = Objects.requireNonNull(title, "title");
        this.runsPageSize = runsPageSize;
    }

    /** One API request; {@code segments} are the decoded path segments after {@code api}. */
    private record Call(HttpServletRequest req, HttpServletResponse resp, List<String> segments, Params params,
                        Envelope envelope, boolean head) {
    }

    /** Answers a request whose path below the mount is {@code api/<segments>}. Never throws for bad input. */
    public void handle(HttpServletRequest req, HttpServletResponse resp, List<String> segments, boolean head)
            throws IOException {
        Call c = new Call(req, resp, segments, new Params(req), new Envelope(req), head);
        try {
            byte[] body = route(c);
            if (body != null) {
                Responses.json(resp, 200, body, head);
            }
        } catch (ApiProblem p) {
            fail(c, p.status(), p.title(), p.detail(), null);
        } catch (MetaflowException e) {
            LOG.warn("Metaflow backend failed for {}: {}: {}", Bounded.text(req.getRequestURI(), Bounded.URI),
                    e.getClass().getSimpleName(), shortDetail(e));
            fail(c, 502, "Metaflow data source unavailable", shortDetail(e), e);
        } catch (RuntimeException e) {
            LOG.error("Unexpected error answering {}", Bounded.text(req.getRequestURI(), Bounded.URI), e);
            fail(c, 500, "Internal Server Error", "unexpected error while answering this request; see the server log",
                    e);
        }
    }

    private void fail(Call c, int status, String title, String detail, RuntimeException cause) throws IOException {
        if (c.resp().isCommitted()) {
            // a streamed download broke midway: the status is gone, abort the connection instead
            throw new IOException("response already started; aborting after: " + detail, cause);
        }
        c.resp().reset();
        Responses.problem(c.resp(), status, title, detail, c.head());
    }

    private static String shortDetail(MetaflowException e) {
        return Bounded.text(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), Bounded.MESSAGE);
    }

    // ---------------------------------------------------------------- routing

    private byte[] route(Call c) throws IOException {
        List<String> s = c.segments();
        int n = s.size();
        if (n == 1 && s.get(0).equals("ping")) {
            return c.envelope().single(g -> g.writeString("pong"));
        }
        if (n == 1 && s.get(0).equals("config")) {
            return config(c);
        }
        if (n == 1 && s.get(0).equals("runs")) {
            return runs(c, null);
        }
        if (n == 2 && s.get(0).equals("autocomplete")) {
            return autocomplete(c, s.get(1));
        }
        if (n >= 1 && s.get(0).equals("flows")) {
            if (n == 1) {
                return flows(c);
            }
            String flow = s.get(1);
            if (n == 2) {
                Flow f = backend.flow(flow).orElseThrow(() -> ApiProblem.notFound("flow '" + flow + "' not found"));
                return c.envelope().single(g -> Views.flow(g, f));
            }
            if (s.get(2).equals("runs")) {
                if (n == 3) {
                    return runs(c, flow);
                }
                return runScoped(c, RunRef.of(flow, s.get(3)), s.subList(4, n));
            }
        }
        throw notFound(c);
    }

    private static ApiProblem notFound(Call c) {
        return ApiProblem.notFound("no API resource at 'api/" + String.join("/", c.segments()) + "'");
    }

    private byte[] runScoped(Call c, RunRef ref, List<String> rest) throws IOException {
        int n = rest.size();
        if (n == 0) {
            Run run = requireRun(ref);
            warm(ref); // a run page asks for its run first: its tasks come next
            List<Triggers.Trigger> triggers = Triggers.of(backend, ref);
            return c.envelope().single(g -> Views.run(g, run, triggers));
        }
        String what = rest.get(0);
        if (n == 1) {
            switch (what) {
                case "parameters": {
                    requireRun(ref);
                    List<Parameter> parameters = backend.parameters(ref);
                    return c.envelope().single(g -> Views.parameters(g, parameters));
                }
                case "dag": {
                    requireRun(ref);
                    Dag dag = backend.dag(ref).orElseThrow(
                            () -> ApiProblem.notFound("no DAG is recorded for run '" + ref + "'"));
                    return c.envelope().single(g -> Views.dag(g, dag));
                }
                case "extras": {
                    Run run = requireRun(ref);
                    return c.envelope().single(extras.run(run));
                }
                case "steps":
                    return steps(c, ref);
                case "tasks":
                    return tasks(c, ref, null);
                default:
                    throw notFound(c);
            }
        }
        if (!what.equals("steps")) {
            throw notFound(c);
        }
        String step = rest.get(1);
        if (n == 2) {
            return step(c, ref, step);
        }
        if (n == 3 && rest.get(2).equals("aggregates")) {
            return aggregates(c, ref, step);
        }
        if (!rest.get(2).equals("tasks")) {
            throw notFound(c);
        }
        if (n == 3) {
            return tasks(c, ref, step);
        }
        return taskScoped(c, ref.step(step).task(rest.get(3)), rest.subList(4, n));
    }

    private byte[] taskScoped(Call c, TaskRef ref, List<String> rest) throws IOException {
        int n = rest.size();
        if (n == 0) {
            Task task = requireTask(ref);
            return c.envelope().single(g -> Views.task(g, task, true));
        }
        String what = rest.get(0);
        if (what.equals("cards")) {
            return cards(c, ref, rest);
        }
        if (n == 1) {
            switch (what) {
                case "attempts":
                    return attempts(c, ref);
                case "metadata":
                    return metadata(c, ref);
                case "artifacts":
                    return artifacts(c, ref);
                case "extras":
                    return taskExtras(c, ref);
                default:
                    throw notFound(c);
            }
        }
        if (n == 2 && what.equals("artifacts")) {
            return artifactValue(c, ref, rest.get(1));
        }
        if (what.equals("logs") && n == 3 && rest.get(2).equals("search")) {
            return searchLog(c, ref, logStream(c, rest.get(1)));
        }
        if (what.equals("logs") && (n == 2 || (n == 3 && rest.get(2).equals("download")))) {
            LogStream stream = logStream(c, rest.get(1));
            if (n == 2) {
                return logs(c, ref, stream);
            }
            download(c, ref, stream);
            return null;
        }
        throw notFound(c);
    }

    /** {@code cards}, {@code cards/{hash}} (HTML, see {@link Cards}), {@code cards/{hash}/data}. */
    private byte[] cards(Call c, TaskRef ref, List<String> rest) throws IOException {
        int n = rest.size();
        if (n > 3 || (n == 3 && !rest.get(2).equals("data"))) {
            throw notFound(c);
        }
        if (n >= 2) {
            Cards.requireHash(rest.get(1));
        }
        requireTask(ref);
        if (n == 1) {
            return listInMemory(c, cards.list(ref), Cards::write);
        }
        if (n == 3) {
            byte[] body = cards.data(ref, rest.get(1));
            Responses.json(c.resp(), 200, body, c.head());
            return null;
        }
        boolean download = c.params().get("download").map(v -> v.equals("1") || v.equals("true")).orElse(false);
        cards.html(ref, rest.get(1), download, c.resp(), c.head());
        return null;
    }

    private static LogStream logStream(Call c, String name) {
        if (name.equals("out")) {
            return LogStream.STDOUT;
        }
        if (name.equals("err")) {
            return LogStream.STDERR;
        }
        throw notFound(c);
    }

    // ---------------------------------------------------------------- lookups

    private Run requireRun(RunRef ref) {
        return backend.run(ref).orElseThrow(() -> ApiProblem.notFound("run '" + ref + "' not found"));
    }

    private Task requireTask(TaskRef ref) {
        return backend.task(ref).orElseThrow(() -> ApiProblem.notFound("task '" + ref + "' not found"));
    }

    /** The attempt a request names ({@code attempt_id}), checked against the task; else its latest. */
    private static int attemptOf(Call c, Task task) {
        OptionalInt asked = c.params().attempt();
        if (asked.isEmpty()) {
            return task.currentAttempt();
        }
        int a = asked.getAsInt();
        if (task.attempts().stream().noneMatch(x -> x.id() == a)) {
            String known = task.attempts().isEmpty() ? "none yet"
                    : task.attempts().stream().map(x -> Integer.toString(x.id())).collect(Collectors.joining(", "));
            throw ApiProblem.notFound("attempt " + a + " not found for task '" + task.ref() + "' (attempts: "
                    + known + ")");
        }
        return a;
    }

    // ---------------------------------------------------------------- resources

    private byte[] config(Call c) {
        Instant now = clock.instant();
        String description = backend.describe();
        return c.envelope().single(g -> {
            g.writeStartObject();
            g.writeStringField("title", title);
            g.writeStringField("backend", description);
            g.writeNumberField("server_time", now.toEpochMilli());
            g.writeNumberField("runs_page_size", runsPageSize);
            extras.writeConfig(g);
            g.writeEndObject();
        });
    }

    private byte[] flows(Call c) {
        int page = c.params().page();
        int limit = c.params().limit(runsPageSize, PageRequest.MAX_LIMIT);
        List<Params.Order> orders = c.params().orders();
        Comparator<Flow> sort = null;
        for (Params.Order o : orders) {
            Comparator<Flow> cmp;
            switch (o.field()) {
                case "flow_id":
                    cmp = Comparator.comparing(Flow::name);
                    break;
                case "ts_epoch":
                    cmp = Comparator.comparing(Flow::createdAt);
                    break;
                default:
                    throw ApiProblem.badRequest("unknown _order field '" + o.field() + "' for flows; expected one of"
                            + " flow_id, ts_epoch");
            }
            cmp = o.order() == SortOrder.ASC ? cmp : cmp.reversed();
            sort = sort == null ? cmp : sort.thenComparing(cmp);
        }
        Stream<Flow> all;
        if (sort == null || (orders.get(0).field().equals("flow_id") && orders.get(0).order() == SortOrder.ASC)) {
            all = Paged.of(backend::listFlows, fetchSize(limit)).stream(); // the backend's own order
        } else {
            List<Flow> everything = new ArrayList<>(Paged.of(backend::listFlows, PageRequest.MAX_LIMIT).toList());
            everything.sort(sort.thenComparing(Flow::name));
            all = everything.stream();
        }
        Slice<Flow> slice = Slice.of(all, page, limit);
        return c.envelope().list(page, slice.hasNext(), slice.last(), null, g -> {
            for (Flow f : slice.rows()) {
                Views.flow(g, f);
            }
        });
    }

    /** How many of the newest runs the user and tag suggestions are taken from. */
    static final int AUTOCOMPLETE_SCAN = 5_000;

    /**
     * Suggestions for a filter field: {@code autocomplete/flows|users|tags|projects|branches?q=part}. Values
     * that contain {@code q} (ignoring case), those starting with it first, then alphabetical. Users, tags,
     * projects and branches (the values of the system tags {@code project:} and {@code project_branch:}) come
     * from the newest {@value #AUTOCOMPLETE_SCAN} runs (of {@code flow_id} when given).
     */
    private byte[] autocomplete(Call c, String kind) {
        String q = c.params().get("q").orElse("").strip().toLowerCase(Locale.ROOT);
        int limit = c.params().limit(20, 200);
        Set<String> values = new HashSet<>();
        switch (kind) {
            case "flows":
                Paged.of(backend::listFlows, PageRequest.MAX_LIMIT).stream().forEach(f -> values.add(f.name()));
                break;
            case "users":
            case "tags":
            case "projects":
            case "branches": {
                Set<String> flows = c.params().list("flow_id");
                RunQuery query = flows.size() == 1 ? RunQuery.ofFlow(flows.iterator().next()) : RunQuery.all();
                Paged.of(pr -> backend.listRuns(query, pr), PageRequest.MAX_LIMIT).stream()
                        .limit(AUTOCOMPLETE_SCAN)
                        .forEach(r -> {
                            switch (kind) {
                                case "users" -> values.add(r.displayUser());
                                case "tags" -> values.addAll(r.allTags());
                                case "projects" -> r.systemTag("project").ifPresent(values::add);
                                default -> r.systemTag("project_branch").ifPresent(values::add);
                            }
                        });
                break;
            }
            default:
                throw ApiProblem.notFound("no suggestions for '" + Bounded.text(kind, 40)
                        + "'; expected flows, users, tags, projects or branches");
        }
        List<String> matches = values.stream()
                .filter(v -> v != null && !v.isEmpty() && v.toLowerCase(Locale.ROOT).contains(q))
                .sorted(Comparator.comparing((String v) -> !v.toLowerCase(Locale.ROOT).startsWith(q))
                        .thenComparing(Comparator.naturalOrder()))
                .limit(limit + 1L)
                .toList();
        boolean more = matches.size() > limit;
        List<String> shown = more ? matches.subList(0, limit) : matches;
        return c.envelope().list(1, more, null, null, g -> {
            for (String v : shown) {
                g.writeString(v);
            }
        });
    }

    private byte[] runs(Call c, String pathFlow) {
        Params p = c.params();
        int page = p.page();
        int limit = p.limit(runsPageSize, PageRequest.MAX_LIMIT);
        Queries.Runs spec = Queries.runs(p, pathFlow);
        if (spec.empty()) {
            return c.envelope().list(page, false, 1L, null, g -> { });
        }
        RunQuery query = spec.query();
        if (p.get("_group").isPresent()) {
            return groupedRuns(c, spec, pathFlow);
        }
        Optional<String> at = p.get("_at").map(String::trim).filter(v -> !v.isEmpty());
        OptionalLong atIndex = OptionalLong.empty();
        if (at.isPresent() && cursor(c) == null) {
            atIndex = indexOfRun(query, spec.extra(), runKey(at.get(), pathFlow));
            page = atIndex.isPresent() ? (int) Math.min(Params.MAX_PAGE, atIndex.getAsLong() / limit + 1) : 1;
        }
        boolean withAt = at.isPresent() && cursor(c) == null;
        Long atField = atIndex.isPresent() ? atIndex.getAsLong() : null;
        PageWindow.Result<Run> slice = PageWindow.read(pr -> backend.listRuns(query, pr), cursor(c), page, limit,
                offset -> backend.runsCursorAt(query, offset), spec.extra(), spec.filtered());
        if (pathFlow != null && slice.rows().isEmpty() && page == 1 && backend.flow(pathFlow).isEmpty()) {
            throw ApiProblem.notFound("flow '" + pathFlow + "' not found");
        }
        if (page == 1 && cursor(c) == null) {
            // the runs at the top of a list are the ones opened next
            slice.rows().stream().limit(WARM_PER_LIST).forEach(r -> warm(r.ref()));
        }
        return c.envelope().list(page, slice.hasNext(), slice.last(), null, true, slice.nextCursor(), !withAt ? null : g -> {
            if (atField == null) {
                g.writeNullField("at");
            } else {
                g.writeNumberField("at", atField);
            }
        }, g -> {
            for (Run r : slice.rows()) {
                Views.run(g, r);
            }
        });
    }

    /** Groups per page of a grouped run list, by default and at most; runs per group likewise. */
    static final int GROUPS_DEFAULT = 10;
    static final int GROUPS_MAX = 100;
    static final int GROUP_RUNS_DEFAULT = 6;
    static final int GROUP_RUNS_MAX = 100;
    private static final String GROUP_CURSOR = "g:";

    /**
     * {@code _group=flow_id|user}: the list as groups, in the order of each group's first run in the list's
     * order (its newest run by default), {@code _limit} groups a page (default {@value #GROUPS_DEFAULT}), each
     * with its first {@code _group_limit} runs (default {@value #GROUP_RUNS_DEFAULT}), {@code count} (its runs in
     * the list) and {@code more}. {@code pages.next_cursor} continues after the page's last group;
     * {@code pages.exact} says whether the whole list was read (the run index reads all of it; without it the
     * newest {@value MetaflowBackend#GROUP_SCAN} runs are read and counts are of those).
     */
    private byte[] groupedRuns(Call c, Queries.Runs spec, String pathFlow) {
        Params p = c.params();
        String field = p.get("_group").orElse("").trim();
        RunGroups.By by;
        switch (field) {
            case "flow_id":
            case "flow":
                by = RunGroups.By.FLOW;
                break;
            case "user":
            case "user_name":
                by = RunGroups.By.USER;
                break;
            default:
                throw ApiProblem.badRequest("_group must be flow_id or user, got '" + Bounded.text(field, 40) + "'");
        }
        if (p.page() > 1 || p.get("_at").isPresent()) {
            throw ApiProblem.badRequest("a grouped run list pages with _cursor (pages.next_cursor), not _page or _at");
        }
        int groups = p.limit(GROUPS_DEFAULT, GROUPS_MAX);
        int perGroup = p.intParam("_group_limit", GROUP_RUNS_DEFAULT, 1, GROUP_RUNS_MAX);
        String cur = cursor(c);
        if (cur != null && !cur.startsWith(GROUP_CURSOR)) {
            throw ApiProblem.badRequest("_cursor of a grouped run list must come from its pages.next_cursor");
        }
        Optional<String> after = cur == null ? Optional.empty() : Optional.of(cur.substring(GROUP_CURSOR.length()));
        RunGroups result;
        try {
            result = spec.filtered()
                    ? RunGroups.of(() -> Paged.of(pr -> backend.listRuns(spec.query(), pr), PageRequest.MAX_LIMIT)
                            .stream().filter(spec.extra()).iterator(), by, perGroup, after, groups,
                            MetaflowBackend.GROUP_SCAN)
                    : backend.groupRuns(spec.query(), by, perGroup, after, groups);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(Bounded.text(e.getMessage(), Bounded.MESSAGE));
        }
        if (pathFlow != null && result.groups().isEmpty() && after.isEmpty() && backend.flow(pathFlow).isEmpty()) {
            throw ApiProblem.notFound("flow '" + pathFlow + "' not found");
        }
        List<RunGroups.Group> shown = result.groups();
        String next = result.more() && !shown.isEmpty() ? GROUP_CURSOR + shown.get(shown.size() - 1).key() : null;
        String groupField = by == RunGroups.By.FLOW ? "flow_id" : "user";
        return c.envelope().list(1, next != null, null, null, true, next, g -> {
            g.writeStringField("group", groupField);
            g.writeBooleanField("exact", result.exact());
            g.writeNumberField("scanned", result.scanned());
        }, g -> {
            for (RunGroups.Group grp : shown) {
                g.writeStartObject();
                g.writeStringField("group", grp.key());
                g.writeNumberField("count", grp.count());
                g.writeBooleanField("more", grp.more());
                g.writeArrayFieldStart("runs");
                for (Run r : grp.runs()) {
                    Views.run(g, r);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
        });
    }

    /** Starts reading the run's task table ahead of time, when the backend is the run index (bounded there). */
    private void warm(RunRef ref) {
        if (backend instanceof IndexedBackend) {
            ((IndexedBackend) backend).warm(ref);
        }
    }

    /** How many runs of a list {@code _at} looks through for its run before it gives up. */
    static final int AT_MAX_SCAN = 200_000;

    /** {@code _at}: "flow/run", or just "run" under a flow's path; the key the list's rows have. */
    private static String runKey(String at, String pathFlow) {
        String key = at.contains("/") || pathFlow == null ? at : pathFlow + "/" + at;
        int slash = key.indexOf('/');
        if (slash < 1 || slash == key.length() - 1 || key.indexOf('/', slash + 1) >= 0 || key.length() > 500) {
            throw ApiProblem.badRequest("_at must name a run as flow/run, got '" + Bounded.text(at, 60) + "'");
        }
        return key;
    }

    /**
     * The 0-based position of the run {@code key} in the list, found by reading the list in backend pages
     * (keyset cursors where the backend has them) within its first {@value #AT_MAX_SCAN} runs; empty when
     * the run is not there (it no longer matches, or it is deeper than that).
     */
    private OptionalLong indexOfRun(RunQuery query, Predicate<Run> extra, String key) {
        long index = 0;
        PageRequest request = PageRequest.first(PageRequest.MAX_LIMIT);
        Set<String> seen = new HashSet<>();
        while (index < AT_MAX_SCAN) {
            Page<Run> p = backend.listRuns(query, request);
            for (Run r : p.items()) {
                if (!extra.test(r)) {
                    continue;
                }
                if ((r.flow() + "/" + r.id().value()).equals(key)) {
                    return OptionalLong.of(index);
                }
                index++;
            }
            if (p.nextCursor().isEmpty() || !seen.add(p.nextCursor().get())) {
                break;
            }
            request = PageRequest.after(p.nextCursor().get(), PageRequest.MAX_LIMIT);
        }
        return OptionalLong.empty();
    }

    private byte[] steps(Call c, RunRef ref) {
        Comparator<Step> order = stepOrder(c.params().orders());
        requireRun(ref);
        List<Step> steps = backend.steps(ref);
        if (order != null) {
            steps = steps.stream().sorted(order).toList();
        }
        return listInMemory(c, steps, (g, s) -> Views.step(g, s));
    }

    /** {@code _order} for steps; null keeps the backend's (graph) order. */
    private static Comparator<Step> stepOrder(List<Params.Order> orders) {
        Comparator<Step> sort = null;
        for (Params.Order o : orders) {
            Function<Step, Long> key;
            switch (o.field()) {
                case "step_name":
                    key = null;
                    break;
                case "ts_epoch":
                    key = s -> s.createdAt().toEpochMilli();
                    break;
                case "started_at":
                    key = s -> s.startedAt().map(Instant::toEpochMilli).orElse(null);
                    break;
                case "finished_at":
                    key = s -> s.finishedAt().map(Instant::toEpochMilli).orElse(null);
                    break;
                case "duration":
                    key = s -> s.duration().map(java.time.Duration::toMillis).orElse(null);
                    break;
                default:
                    throw ApiProblem.badRequest("unknown _order field '" + o.field() + "' for steps; expected one of "
                            + "step_name, ts_epoch, started_at, finished_at, duration");
            }
            Comparator<Step> cmp = key == null ? Comparator.comparing(Step::name)
                    : Comparator.comparing(key, Comparator.nullsLast(Comparator.<Long>naturalOrder()));
            if (o.order() == SortOrder.DESC) {
                cmp = key == null ? cmp.reversed()
                        : Comparator.comparing(key, Comparator.nullsLast(Comparator.<Long>reverseOrder()));
            }
            sort = sort == null ? cmp : sort.thenComparing(cmp);
        }
        return sort;
    }

    private byte[] step(Call c, RunRef ref, String name) {
        requireRun(ref);
        Step step = backend.steps(ref).stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> ApiProblem.notFound("step '" + name + "' not found in run '" + ref + "'"));
        return c.envelope().single(g -> Views.step(g, step));
    }

    private byte[] tasks(Call c, RunRef ref, String pathStep) {
        Params p = c.params();
        int page = p.page();
        int limit = p.limit(runsPageSize, PageRequest.MAX_LIMIT);
        requireRun(ref);
        Queries.Tasks spec = Queries.tasks(p, pathStep);
        if (spec.empty()) {
            return c.envelope().list(page, false, 1L, null, g -> { });
        }
        TaskQuery query = spec.query();
        PageWindow.Result<Task> slice = PageWindow.read(pr -> backend.listTasks(ref, query, pr), cursor(c), page, limit,
                offset -> backend.tasksCursorAt(ref, query, offset), spec.extra(), spec.filtered());
        if (pathStep != null && slice.rows().isEmpty() && page == 1
                && backend.steps(ref).stream().noneMatch(s -> s.name().equals(pathStep))) {
            throw ApiProblem.notFound("step '" + pathStep + "' not found in run '" + ref + "'");
        }
        return c.envelope().list(page, slice.hasNext(), slice.last(), null, true, slice.nextCursor(), g -> {
            for (Task t : slice.rows()) {
                Views.task(g, t, false);
            }
        });
    }

    /** {@code _cursor}, when given: it wins over {@code _page}. */
    private static String cursor(Call c) {
        return c.params().get("_cursor").map(String::trim).filter(v -> !v.isEmpty()).orElse(null);
    }

    private byte[] aggregates(Call c, RunRef ref, String step) {
        requireRun(ref);
        StepAggregates agg = backend.aggregates(ref, step);
        if (agg.counts().total() == 0 && backend.steps(ref).stream().noneMatch(s -> s.name().equals(step))) {
            throw ApiProblem.notFound("step '" + step + "' not found in run '" + ref + "'");
        }
        return c.envelope().single(g -> Views.aggregates(g, agg));
    }

    private byte[] attempts(Call c, TaskRef ref) {
        Task task = requireTask(ref);
        List<Attempt> newestFirst = new ArrayList<>(task.attempts());
        Collections.reverse(newestFirst);
        return listInMemory(c, newestFirst, (g, a) -> Views.attempt(g, task, a));
    }

    /** Configured links and plugin panels of a task page, for {@code attempt_id} or the latest attempt. */
    private byte[] taskExtras(Call c, TaskRef ref) {
        Run run = requireRun(ref.run());
        Task task = requireTask(ref);
        int attempt = c.params().attempt().isPresent() || !task.attempts().isEmpty() ? attemptOf(c, task) : 0;
        List<MetadataRecord> metadata = extras.wantsTaskMetadata() ? backend.metadata(ref) : List.of();
        return c.envelope().single(extras.task(run, task, attempt, metadata));
    }

    /** Metadata of a task; with {@code attempt_id}, only the records of that attempt (which must exist). */
    private byte[] metadata(Call c, TaskRef ref) {
        OptionalInt attempt = existingAttempt(c, requireTask(ref));
        List<MetadataRecord> records = backend.metadata(ref).stream()
                .filter(m -> attempt.isEmpty() || m.attemptId().equals(attempt))
                .toList();
        return listInMemory(c, records, (g, m) -> Views.metadata(g, ref, m));
    }

    /** Artifact records of a task; with {@code attempt_id}, only that attempt's (which must exist). */
    private byte[] artifacts(Call c, TaskRef ref) {
        OptionalInt attempt = existingAttempt(c, requireTask(ref));
        List<ArtifactRecord> records = backend.artifacts(ref).stream()
                .filter(a -> attempt.isEmpty() || a.attemptId() == attempt.getAsInt())
                .toList();
        return listInMemory(c, records, (g, a) -> Views.artifact(g, ref, a));
    }

    /** The attempt a request names, checked against the task (404 like logs), or empty for all. */
    private static OptionalInt existingAttempt(Call c, Task task) {
        return c.params().attempt().isPresent() ? OptionalInt.of(attemptOf(c, task)) : OptionalInt.empty();
    }

    private byte[] artifactValue(Call c, TaskRef ref, String name) {
        Task task = requireTask(ref);
        int attempt = attemptOf(c, task);
        Optional<ArtifactValue> value = readArtifactValue(ref, name, attempt);
        if (value.isPresent()) {
            return c.envelope().single(g -> Views.artifactValue(g, name, attempt, value.get()));
        }
        ArtifactRecord record = backend.artifacts(ref).stream()
                .filter(a -> a.name().equals(name) && a.attemptId() == attempt)
                .findFirst()
                .orElseThrow(() -> ApiProblem.notFound("artifact '" + name + "' not found in attempt " + attempt
                        + " of task '" + ref + "'"));
        return c.envelope().single(g -> Views.unavailableArtifactValue(g, record));
    }

    /** The value, or an unavailable one when it is there but cannot be decoded. */
    private Optional<ArtifactValue> readArtifactValue(TaskRef ref, String name, int attempt) {
        try {
            return backend.artifactValue(ref, name, attempt, ARTIFACT_MAX_CHARS);
        } catch (MetaflowException.DecodeException e) {
            LOG.warn("Artifact {} of attempt {} of task {} cannot be decoded: {}", Bounded.text(name, Bounded.URI),
                    attempt, Bounded.text(ref.toString(), Bounded.URI), shortDetail(e));
            String type = backend.artifacts(ref).stream()
                    .filter(a -> a.name().equals(name) && a.attemptId() == attempt)
                    .findFirst().flatMap(ArtifactRecord::pythonType).orElse("unknown");
            return Optional.of(ArtifactValue.unavailable(type, shortDetail(e)));
        }
    }

    private byte[] logs(Call c, TaskRef ref, LogStream stream) {
        Params p = c.params();
        int page = p.page();
        int limit = p.limit(LOG_DEFAULT_LIMIT, LogRequest.MAX_LIMIT);
        boolean reverse = false;
        List<Params.Order> orders = p.orders();
        if (orders.size() > 1 || (orders.size() == 1 && !orders.get(0).field().equals("row"))) {
            throw ApiProblem.badRequest("_order for logs must be -row (newest first) or +row, got '"
                    + p.get("_order").orElse("") + "'");
        }
        if (orders.size() == 1) {
            // unlike lists, a plain "row" means forward here, as upstream treats only "-row" as reversed
            reverse = p.get("_order").orElse("").trim().startsWith("-");
        }
        Task task = requireTask(ref);
        int attempt = task.attempts().isEmpty() && p.attempt().isEmpty() ? LogRequest.LATEST_ATTEMPT
                : attemptOf(c, task);
        long offset = (long) (page - 1) * limit;
        LogRequest window = (reverse ? LogRequest.fromEnd(offset, limit) : LogRequest.fromStart(offset, limit))
                .attempt(attempt);
        LogPage logs = backend.logs(ref, stream, window);
        long total = logs.totalLines();
        long last = Math.max(1, (total + limit - 1) / limit);
        boolean hasNext = (long) page * limit < total;
        List<LogLine> lines = new ArrayList<>(logs.lines());
        if (reverse) {
            Collections.reverse(lines);
        }
        return c.envelope().list(page, hasNext, last, total, g -> {
            for (LogLine l : lines) {
                Views.logLine(g, l);
            }
        });
    }

    /**
     * The lines of one log that contain {@code q} (ignoring case and ANSI colour codes), in order,
     * at most {@code _limit} (default 200, at most 1000). Streams through the whole log page by
     * page, so it finds lines the viewer never loaded; {@code truncated} says more matches exist.
     */
    private byte[] searchLog(Call c, TaskRef ref, LogStream stream) {
        Params p = c.params();
        String q = p.get("q").orElse("");
        if (q.isBlank()) {
            throw ApiProblem.badRequest("q (the text to search for) must not be empty");
        }
        if (q.length() > SEARCH_MAX_QUERY) {
            throw ApiProblem.badRequest("q must be at most " + SEARCH_MAX_QUERY + " characters, got " + q.length());
        }
        int limit = p.limit(SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT);
        Task task = requireTask(ref);
        int attempt = task.attempts().isEmpty() && p.attempt().isEmpty() ? LogRequest.LATEST_ATTEMPT
                : attemptOf(c, task);
        String needle = q.toLowerCase(Locale.ROOT);
        List<LogLine> hits = new ArrayList<>();
        boolean truncated = false;
        long scanned = 0;
        for (LogLine line : client.logLines(ref, stream, attempt)) {
            scanned++;
            if (ANSI.matcher(line.text()).replaceAll("").toLowerCase(Locale.ROOT).contains(needle)) {
                if (hits.size() == limit) {
                    truncated = true;
                    break;
                }
                hits.add(line);
            }
        }
        boolean more = truncated;
        long seen = scanned;
        return c.envelope().single(g -> {
            g.writeStartObject();
            g.writeStringField("q", q);
            g.writeNumberField("limit", limit);
            g.writeBooleanField("truncated", more);
            g.writeNumberField("scanned_lines", seen);
            g.writeArrayFieldStart("rows");
            for (LogLine l : hits) {
                Views.logLine(g, l);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private void download(Call c, TaskRef ref, LogStream stream) throws IOException {
        Task task = requireTask(ref);
        int attempt = attemptOf(c, task);
        HttpServletResponse resp = c.resp();
        resp.setStatus(200);
        resp.setContentType(Responses.TEXT);
        Responses.apiHeaders(resp);
        resp.setHeader("Content-Disposition", "attachment; filename=\"" + downloadName(ref, stream, attempt) + "\"");
        if (c.head()) {
            // send the headers now: finishing an empty response would claim Content-Length: 0, and the
            // real length would cost reading the whole log
            resp.flushBuffer();
            return;
        }
        Paged<LogLine> lines = client.logLines(ref, stream, task.attempts().isEmpty()
                ? LogRequest.LATEST_ATTEMPT : attempt);
        Writer out = new BufferedWriter(new OutputStreamWriter(resp.getOutputStream(), StandardCharsets.UTF_8),
                16 * 1024);
        boolean first = true;
        for (LogLine line : lines) {
            if (!first) {
                out.write('\n');
            }
            out.write(line.text());
            first = false;
        }
        out.flush();
    }

    /** {@code stdout_<flow>_<run>_<step>_<task>-<attempt>.txt}, with anything unusual in a file name replaced. */
    static String downloadName(TaskRef ref, LogStream stream, int attempt) {
        String raw = stream.fileName() + "_" + ref.run().flow() + "_" + ref.run().run().value() + "_"
                + ref.step().step() + "_" + ref.task().value() + "-" + attempt;
        StringBuilder out = new StringBuilder(raw.length() + 4);
        for (int i = 0; i < raw.length() && out.length() < 200; i++) {
            char ch = raw.charAt(i);
            boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '-' || ch == '_' || (ch == '.' && i > 0);
            out.append(ok ? ch : '_');
        }
        return out.append(".txt").toString();
    }

    // ---------------------------------------------------------------- helpers

    @FunctionalInterface
    private interface RowWriter<T> {
        void write(com.fasterxml.jackson.core.JsonGenerator g, T row) throws IOException;
    }

    /** Pages a list the backend returns whole ({@code _limit} default and maximum 1000). */
    private <T> byte[] listInMemory(Call c, List<T> all, RowWriter<T> writer) {
        int page = c.params().page();
        int limit = c.params().limit(LIST_LIMIT, LIST_LIMIT);
        Slice<T> slice = Slice.of(all.stream(), page, limit);
        long last = Math.max(1, (all.size() + (long) limit - 1) / limit);
        return c.envelope().list(page, slice.hasNext(), last, null, g -> {
            for (T row : slice.rows()) {
                writer.write(g, row);
            }
        });
    }

    /**
     * One page of a sequence, whether another row follows it, and the last page number when this
     * page reached the end of the sequence (the total is then known for free), else null.
     */
    private record Slice<T>(List<T> rows, boolean hasNext, Long last) {
        static <T> Slice<T> of(Stream<T> all, int page, int limit) {
            Iterator<T> it = all.iterator();
            long skip = (long) (page - 1) * limit;
            long skipped = 0;
            while (skipped < skip && it.hasNext()) {
                it.next();
                skipped++;
            }
            List<T> rows = new ArrayList<>(Math.min(limit + 1, 1024));
            while (rows.size() <= limit && it.hasNext()) {
                rows.add(it.next());
            }
            if (rows.size() > limit) {
                return new Slice<>(rows.subList(0, limit), true, null);
            }
            long total = skipped + rows.size();
            return new Slice<>(rows, false, Math.max(1, (total + limit - 1) / limit));
        }
    }

    /**
     * How many items to ask the backend for per call: the page size itself, so that a page costs one
     * backend page, plus one more only to learn whether another row follows (when the backend gave a
     * next cursor). Upstream services see the same requests Metaflow's own UI sends.
     */
    private static int fetchSize(int limit) {
        return Math.min(PageRequest.MAX_LIMIT, limit);
    }
}

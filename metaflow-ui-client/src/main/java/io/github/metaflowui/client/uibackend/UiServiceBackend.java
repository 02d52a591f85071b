package io.github.metaflowui.client.uibackend;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.client.http.HttpOptions;
import io.github.metaflowui.client.http.MetaflowServiceConfig;
import io.github.metaflowui.client.http.internal.BoundedCache;
import io.github.metaflowui.client.http.internal.HttpTransport;
import io.github.metaflowui.client.http.internal.Json;
import io.github.metaflowui.client.http.internal.Query;
import io.github.metaflowui.client.http.internal.Settings;
import io.github.metaflowui.client.uibackend.internal.UiApi;
import io.github.metaflowui.client.uibackend.internal.UiApi.Envelope;
import io.github.metaflowui.client.uibackend.internal.UiListing;
import io.github.metaflowui.client.uibackend.internal.UiLogs;
import io.github.metaflowui.client.uibackend.internal.UiRows;
import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.ArtifactValue;
import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Card;
import io.github.metaflowui.core.CardHtml;
import io.github.metaflowui.core.CardTooLargeException;
import io.github.metaflowui.core.Dag;
import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Parameter;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.StatusRules;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskCounts;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static io.github.metaflowui.client.http.internal.HttpTransport.path;

/**
 * A {@link MetaflowBackend} over Metaflow's UI backend service ({@code ui_backend_service}, contract §3),
 * whose {@code /api} serves runs and tasks with their statuses already derived, paged logs, graphs and
 * parameter values. Point it at the API root, e.g. {@code http://metaflow-ui.example.com/api}.
 * Immutable, thread-safe, {@link AutoCloseable}; build with {@link #builder()}.
 *
 * <p>Lists always send {@code _order} (the service has no default order). Runs and flows page with
 * {@code _page} for the first {@value UiListing#KEYSET_AFTER_PAGE} pages and with a keyset predicate
 * ({@code ts_epoch:le=}) beyond, since {@code _page} is an OFFSET. The service lists one row per task
 * attempt; tasks are grouped here into one {@link Task} with its attempts, and a task is never split
 * across pages. Statuses are the service's, with a reason reconstructed from its fields.
 *
 * <p>Costs: a runs page is 1 request; {@code run}, {@code task} (its {@code attempts} endpoint),
 * {@code dag}, {@code parameters} 1 each; {@code steps} reads the steps, the graph (for the step order)
 * and every task attempt of the run (pages of 1,000); {@code metadata} and {@code artifacts} read every
 * page of 1,000; {@code logs} 1 to 3 requests (see {@code UiLogs}), plus 1 to find the latest attempt;
 * {@code cards} and {@code cardData} 1, {@code cardHtml} 2 (the HTML and the list, for the card's type).
 */
public final class UiServiceBackend implements MetaflowBackend {
    private final HttpTransport http;
    private final UiApi api;
    private final UiListing listing;
    private final UiLogs logs;
    private final Clock clock;
    private final BoundedCache<RunRef, Dag> dags = new BoundedCache<>(256);

    private UiServiceBackend(Builder b) {
        this.http = new HttpTransport("UI backend", b.baseUri, b.headers, b.httpOptions);
        this.api = new UiApi(http);
        this.clock = b.clock;
        this.listing = new UiListing(api, b.clock);
        this.logs = new UiLogs(api);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String describe() {
        return "Metaflow " + http.describe();
    }

    @Override
    public Page<Flow> listFlows(PageRequest page) {
        return listing.flows(Objects.requireNonNull(page, "page"));
    }

    @Override
    public Optional<Flow> flow(String name) {
        return api.getIfFound(path("flows", Objects.requireNonNull(name, "name")), Query.empty())
                .filter(e -> e.data().isObject() && !e.data().isEmpty()).map(e -> UiRows.flow(e.data()));
    }

    @Override
    public Page<Run> listRuns(RunQuery query, PageRequest page) {
        return listing.runs(Objects.requireNonNull(query, "query"), Objects.requireNonNull(page, "page"));
    }

    @Override
    public Optional<Run> run(RunRef run) {
        return api.getIfFound(runPath(run), Query.empty())
                .filter(e -> e.data().isObject() && !e.data().isEmpty()).map(e -> UiRows.run(e.data(), clock));
    }

    /** Steps in graph order (creation order for steps the graph does not name), with task counts. */
    @Override
    public List<Step> steps(RunRef run) {
        List<JsonNode> stepRows = api.all(runPath(run) + "/steps", Query.of("_order", "+ts_epoch"));
        List<Task> tasks = UiListing.groupAll(run, api.all(runPath(run) + "/tasks", Query.of("_order", "+ts_epoch")));
        Map<String, List<Task>> byStep = new HashMap<>();
        for (Task t : tasks) {
            byStep.computeIfAbsent(t.step(), k -> new ArrayList<>()).add(t);
        }
        List<String> order = dag(run).map(Dag::stepOrder).orElse(List.of());
        Map<String, JsonNode> rowsByName = new LinkedHashMap<>();
        for (JsonNode s : stepRows) {
            String name = Json.text(s, "step_name").orElse("");
            if (!name.isEmpty() && !name.equals(UiListing.PARAMETERS_STEP)) {
                rowsByName.putIfAbsent(name, s);
            }
        }
        List<String> names = new ArrayList<>(rowsByName.keySet());
        names.sort(Comparator.comparingInt((String n) -> order.contains(n) ? order.indexOf(n) : Integer.MAX_VALUE));
        List<Step> out = new ArrayList<>(names.size());
        for (String name : names) {
            JsonNode s = rowsByName.get(name);
            List<Task> ts = byStep.getOrDefault(name, List.of());
            TaskCounts counts = TaskCounts.of(ts);
            Optional<Instant> started = ts.stream().map(Task::startedAt).flatMap(Optional::stream).min(Comparator.naturalOrder());
            boolean allDone = !ts.isEmpty() && ts.stream().allMatch(t -> t.status().status().isTerminal()
                    && t.finishedAt().isPresent());
            Optional<Instant> finished = allDone
                    ? ts.stream().map(Task::finishedAt).flatMap(Optional::stream).max(Comparator.naturalOrder())
                    : Optional.empty();
            out.add(new Step(run.step(name), Instant.ofEpochMilli(Json.longValue(s, "ts_epoch").orElse(0L)),
                    StatusRules.stepStatus(counts), counts, started, finished));
        }
        return out;
    }

    @Override
    public Page<Task> listTasks(RunRef run, TaskQuery query, PageRequest page) {
        return listing.tasks(Objects.requireNonNull(run, "run"), Objects.requireNonNull(query, "query"),
                Objects.requireNonNull(page, "page"));
    }

    @Override
    public Optional<Task> task(TaskRef task) {
        if (task.step().step().equals(UiListing.PARAMETERS_STEP)) {
            return Optional.empty();
        }
        Optional<Envelope> e = api.getIfFound(taskPath(task) + "/attempts", Query.empty());
        if (e.isEmpty() || e.get().list().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(UiRows.task(task.run(), e.get().list()));
    }

    @Override
    public List<Attempt> attempts(TaskRef task) {
        return task(task).map(Task::attempts).orElse(List.of());
    }

    @Override
    public List<MetadataRecord> metadata(TaskRef task) {
        List<MetadataRecord> out = new ArrayList<>();
        for (JsonNode n : api.all(taskPath(task) + "/metadata", Query.of("_order", "+ts_epoch"))) {
            out.add(UiRows.metadata(n));
        }
        out.sort(Comparator.comparing(MetadataRecord::timestamp).thenComparingLong(MetadataRecord::id));
        return out;
    }

    @Override
    public List<ArtifactRecord> artifacts(TaskRef task) {
        List<ArtifactRecord> out = new ArrayList<>();
        for (JsonNode n : api.all(taskPath(task) + "/artifacts", Query.of("_order", "+attempt_id"))) {
            out.add(UiRows.artifact(n));
        }
        out.sort(Comparator.comparingInt(ArtifactRecord::attemptId).thenComparing(ArtifactRecord::name));
        return out;
    }

    /**
     * The value the UI backend renders for small artifacts ({@code postprocess=true}, below its 4 KB
     * limit). Rendered when it is JSON; otherwise shown as the service's text, unrendered.
     */
    @Override
    public Optional<ArtifactValue> artifactValue(TaskRef task, String name, int attempt, int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be >= 1, got " + maxChars);
        }
        Query q = Query.of("name", name).and("attempt_id", attempt).and("postprocess", "true")
                .and("_order", "-attempt_id").and("_limit", 1).and("_page", 1);
        Optional<Envelope> e = api.getIfFound(taskPath(task) + "/artifacts", q);
        if (e.isEmpty() || e.get().list().isEmpty()) {
            return Optional.empty();
        }
        JsonNode content = e.get().list().get(0).get("content");
        if (content == null || content.isNull()) {
            return Optional.empty();
        }
        String text = content.isTextual() ? content.asText() : content.toString();
        String type = "unknown";
        boolean rendered = false;
        try {
            JsonNode v = Json.MAPPER.readTree(text);
            if (v != null && !v.isMissingNode()) {
                type = UiRows.pythonType(v);
                text = v.toString();
                rendered = true;
            }
        } catch (IOException notJson) {
            // shown as the service's text
        }
        boolean truncated = text.length() > maxChars;
        return Optional.of(new ArtifactValue(type, truncated ? text.substring(0, maxChars) : text, rendered, truncated));
    }

    @Override
    public LogPage logs(TaskRef task, LogStream stream, LogRequest request) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(request, "request");
        int attempt = request.attempt();
        if (request.latestAttempt()) {
            Optional<Envelope> t = api.getIfFound(taskPath(task), Query.empty());
            if (t.isEmpty() || !t.get().data().isObject() || t.get().data().isEmpty()) {
                return new LogPage(0, List.of(), 0);
            }
            attempt = Json.longValue(t.get().data(), "attempt_id").orElse(0L).intValue();
        }
        return logs.read(taskPath(task), attempt, stream, request);
    }

    @Override
    public Optional<Dag> dag(RunRef run) {
        Optional<Dag> cached = dags.get(run);
        if (cached.isPresent()) {
            return cached;
        }
        Optional<Dag> dag = api.getIfFound(runPath(run) + "/dag", Query.empty())
                .filter(e -> e.data().isObject() && e.data().has("steps")).map(e -> UiRows.dag(run.flow(), e.data()));
        dag.ifPresent(d -> dags.put(run, d));
        return dag;
    }

    @Override
    public List<Parameter> parameters(RunRef run) {
        Optional<Envelope> e = api.getIfFound(runPath(run) + "/parameters", Query.empty());
        if (e.isEmpty() || !e.get().data().isObject()) {
            return List.of();
        }
        List<Parameter> out = new ArrayList<>();
        e.get().data().properties().forEach(f -> {
            JsonNode v = f.getValue().has("value") ? f.getValue().get("value") : f.getValue();
            if (v.isTextual() && v.asText().startsWith("Artifact too large")) {
                out.add(new Parameter(f.getKey(), new ArtifactValue("unknown", v.asText(), false, false)));
            } else {
                out.add(new Parameter(f.getKey(), new ArtifactValue(UiRows.pythonType(v), v.toString(), true, false)));
            }
        });
        out.sort(Comparator.comparing(Parameter::name));
        return out;
    }

    // ------------------------------------------------------------------ cards

    /**
     * {@code GET …/tasks/{task}/cards} (the service's default page of 1,000): {@code id}, {@code hash},
     * {@code type} per card. Rows without a usable hash are left out. The service discovers cards in
     * the background, so a first answer can be empty: poll.
     */
    @Override
    public List<Card> cards(TaskRef task) {
        if (task.step().step().equals(UiListing.PARAMETERS_STEP)) {
            return List.of();
        }
        Optional<Envelope> e = api.getIfFound(taskPath(task) + "/cards", Query.empty());
        if (e.isEmpty()) {
            return List.of();
        }
        List<Card> out = new ArrayList<>();
        for (JsonNode row : e.get().list()) {
            Optional<String> hash = Json.text(row, "hash");
            if (hash.isEmpty() || !Card.isValidHash(hash.get())) {
                continue;
            }
            Optional<String> id = Json.text(row, "id").filter(v -> !v.isBlank() && !v.equals("None"));
            out.add(Card.of(Json.text(row, "type").orElse("unknown"), hash.get(), id));
        }
        return out;
    }

    /**
     * {@code GET …/cards/{hash}}: the HTML, read up to {@code maxBytes}. Empty for a 404 (no such card,
     * or the service is still rendering it; it waits up to 5 s before saying so).
     */
    @Override
    public Optional<CardHtml> cardHtml(TaskRef task, String hash, long maxBytes) {
        if (!Card.isValidHash(hash) || task.step().step().equals(UiListing.PARAMETERS_STEP)) {
            return Optional.empty();
        }
        String what = "card " + hash + " of task " + task.pathspec();
        Optional<byte[]> html = http.getDocument(taskPath(task) + "/cards/" + hash, Query.empty(),
                (info, body) -> bounded(body, maxBytes, what, info.header("content-length")));
        if (html.isEmpty()) {
            return Optional.empty();
        }
        Card card = cards(task).stream().filter(c -> c.hash().startsWith(hash) || hash.startsWith(c.hash()))
                .findFirst().orElse(Card.of("unknown", hash, Optional.empty()));
        return Optional.of(new CardHtml(card, html.get()));
    }

    /** {@code GET …/cards/{hash}/data}: the service's {@code {"data", "id", "type"}} as JSON text; empty for a 404. */
    @Override
    public Optional<String> cardData(TaskRef task, String hash, long maxBytes) {
        if (!Card.isValidHash(hash) || task.step().step().equals(UiListing.PARAMETERS_STEP)) {
            return Optional.empty();
        }
        String what = "the realtime data of card " + hash + " of task " + task.pathspec();
        return http.getDocument(taskPath(task) + "/cards/" + hash + "/data", Query.empty(),
                (info, body) -> new String(bounded(body, maxBytes, what, info.header("content-length")),
                        StandardCharsets.UTF_8));
    }

    private static byte[] bounded(InputStream body, long maxBytes, String what, Optional<String> contentLength)
            throws IOException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        long declared = contentLength.map(v -> {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return -1L;
            }
        }).orElse(-1L);
        if (declared > maxBytes) {
            throw new CardTooLargeException(what, declared, maxBytes);
        }
        byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (bytes.length > maxBytes) {
            throw new CardTooLargeException(what, -1, maxBytes);
        }
        return bytes;
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return describe();
    }

    private static String runPath(RunRef run) {
        return path("flows", run.flow(), "runs", run.run().value());
    }

    private static String taskPath(TaskRef t) {
        return path("flows", t.run().flow(), "runs", t.run().run().value(), "steps", t.step().step(), "tasks",
                t.task().value());
    }

    /** Builds a {@link UiServiceBackend}; validated in {@link #build()}. */
    public static final class Builder {
        private URI baseUri;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private HttpOptions httpOptions = HttpOptions.defaults();
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The API root, e.g. {@code http://metaflow-ui.example.com/api} (the service's {@code PATH_PREFIX}). */
        public Builder baseUri(URI baseUri) {
            this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
            return this;
        }

        public Builder baseUri(String baseUri) {
            Objects.requireNonNull(baseUri, "baseUri");
            try {
                return baseUri(URI.create(baseUri.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("baseUri is not a valid URL: " + e.getMessage());
            }
        }

        /** Sent with every request. The value is never logged or shown. */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "header name"), Objects.requireNonNull(value, "header value"));
            return this;
        }

        /** Sent as {@code x-api-key}. */
        public Builder apiKey(String apiKey) {
            return header("x-api-key", Objects.requireNonNull(apiKey, "apiKey"));
        }

        public Builder config(MetaflowServiceConfig config) {
            baseUri(config.url());
            config.requestHeaders().forEach(this::header);
            return this;
        }

        public Builder httpOptions(HttpOptions httpOptions) {
            this.httpOptions = Objects.requireNonNull(httpOptions, "httpOptions");
            return this;
        }

        /** Used for the heartbeat ages in status reasons. Default: the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid setting */
        public UiServiceBackend build() {
            baseUri = Settings.validateBaseUri(baseUri, "UI backend");
            Settings.validateHeaders(headers);
            return new UiServiceBackend(this);
        }
    }
}

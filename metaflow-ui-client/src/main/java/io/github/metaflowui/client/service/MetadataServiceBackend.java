package io.github.metaflowui.client.service;

import io.github.metaflowui.client.http.HttpOptions;
import io.github.metaflowui.client.http.MetaflowServiceConfig;
import io.github.metaflowui.client.http.internal.Fanout;
import io.github.metaflowui.client.http.internal.HttpTransport;
import io.github.metaflowui.client.http.internal.Settings;
import io.github.metaflowui.client.local.LocalCardReader;
import io.github.metaflowui.client.service.internal.LocalDatastoreLogReader;
import io.github.metaflowui.client.service.internal.Rows;
import io.github.metaflowui.client.service.internal.Rows.MetaRow;
import io.github.metaflowui.client.service.internal.RunListing;
import io.github.metaflowui.client.service.internal.RunStatuses;
import io.github.metaflowui.client.service.internal.ServiceApi;
import io.github.metaflowui.client.service.internal.TaskDerivation;
import io.github.metaflowui.client.service.internal.TaskListing;
import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.ArtifactValue;
import io.github.metaflowui.core.Card;
import io.github.metaflowui.core.CardHtml;
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
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import static io.github.metaflowui.client.http.internal.Cursors.decode;
import static io.github.metaflowui.client.http.internal.Cursors.encode;
import static io.github.metaflowui.client.http.internal.Cursors.object;

/**
 * A {@link MetaflowBackend} over Metaflow's metadata service REST API (contract §2): flows, runs,
 * steps, tasks, their metadata and artifact records, with run and task statuses derived here the
 * way the UI backend derives them (§3.6, {@link io.github.metaflowui.core.StatusRules}).
 * Immutable, thread-safe, {@link AutoCloseable}; build with {@link #builder()}.
 *
 * <h2>Paging</h2>
 * Lists use the service's cursor pagination ({@code _limit}, {@code _cursor}, {@code X-Next-Cursor})
 * when it has it, detected per answer by its {@code X-Limit} header. Older services ignore those
 * parameters and answer with the whole list; it is then decoded with Jackson's streaming parser and
 * only the page (plus a window of up to {@link Builder#legacyWindow(int) legacyWindow} rows kept briefly
 * for the following pages) is ever held, so a million-run flow never sits in memory.
 *
 * <h2>What a call costs</h2>
 * <ul>
 *   <li>{@code listRuns}, one flow, newest first (the default): one request for the page
 *       ({@code GET /flows/F/runs?_limit=N[&_cursor=…]}, with {@code status:eq=}, {@code user_name:eq=},
 *       {@code _tags:all=}/{@code _tags:any=}, {@code ts_epoch:ge=}/{@code lt=} filters applied by the
 *       service). When the query filters on status, the service reports each run's status and the page
 *       costs that <b>one request</b>. Otherwise each run of the page costs {@code GET R/steps}, plus
 *       {@code GET …/steps/end/tasks} and {@code GET …/tasks/T/metadata} once it reached its {@code end}
 *       step: at most {@code 1 + 3n} requests for {@code n} runs, issued {@link Builder#concurrency(int)}
 *       at a time; runs that completed are cached (they cannot change) and cost nothing afterwards.
 *       All flows: one more request ({@code GET /flows}) and one per flow per page, merged here.
 *       Sorting by flow, user or run id streams each flow's whole list; sorting by finish time,
 *       duration or status is refused ({@link io.github.metaflowui.client.http.UnsupportedQueryException}):
 *       it would need every run's status.</li>
 *   <li>{@code run}: 1 + the status requests above.</li>
 *   <li>{@code listTasks}: by creation time or task id, 1 request per step involved (one step newest first
 *       uses the service's cursor), then the page's metadata: one {@code GET T/metadata} per task for up to
 *       8 tasks, else one streamed {@code GET R/metadata}. By start, finish or duration: every task of the
 *       run (or step) is loaded, one request per step plus the metadata.</li>
 *   <li>{@code steps}: {@code GET R/steps}, one {@code GET S/tasks} per step, and the metadata as above.</li>
 *   <li>{@code task}: 2 ({@code GET T}, {@code GET T/metadata}); {@code metadata}: 1; {@code artifacts}:
 *       2, or 1 + one per attempt for retried tasks; {@code parameters}: 1.</li>
 *   <li>{@code logs}: 1 ({@code GET T/metadata}, for {@code ds-type}/{@code ds-root} and the latest
 *       attempt), then the datastore is read directly: the service does not serve logs. A local datastore
 *       that is readable here is read with {@link io.github.metaflowui.client.local.LocalLogReader}; other
 *       datastores need a {@link DatastoreLogReader}; otherwise a {@link LogsUnavailableException} says so.</li>
 *   <li>{@code cards}, {@code cardHtml}, {@code cardData}: 1 ({@code GET T/metadata}), then, like logs, the
 *       task's local datastore ({@code <ds-root>/mf.cards}) when it is readable here; otherwise none.</li>
 *   <li>{@code dag} and {@code artifactValue}: nothing; values are pickles in the datastore, which the
 *       service cannot render (use the UI backend). {@code parameters} gives names with unrendered values.</li>
 * </ul>
 */
public final class MetadataServiceBackend implements MetaflowBackend {
    private static final String PARAMETERS_STEP = ServiceApi.PARAMETERS_STEP;

    private final HttpTransport http;
    private final ServiceApi api;
    private final Fanout fanout;
    private final RunStatuses statuses;
    private final RunListing runs;
    private final TaskListing tasks;
    private final List<DatastoreLogReader> logReaders;
    private final boolean readLocalDatastore;
    private final ConcurrentMap<Path, LocalCardReader> cardReaders = new ConcurrentHashMap<>();

    private MetadataServiceBackend(Builder b) {
        this.http = new HttpTransport("metadata service", b.baseUri, b.headers, b.httpOptions);
        this.api = new ServiceApi(http);
        this.fanout = new Fanout("metaflow-service", b.concurrency);
        this.statuses = new RunStatuses(api, b.clock);
        this.runs = new RunListing(api, statuses, fanout, b.legacyWindow);
        this.tasks = new TaskListing(api, fanout, b.clock, b.legacyWindow);
        List<DatastoreLogReader> readers = new ArrayList<>();
        if (b.readLocalDatastore) {
            readers.add(new LocalDatastoreLogReader());
        }
        readers.addAll(b.logReaders);
        this.logReaders = List.copyOf(readers);
        this.readLocalDatastore = b.readLocalDatastore;
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
        String after = page.cursor().map(c -> decode(c, "flows").path("after").asText(null)).orElse(null);
        List<Flow> all = new ArrayList<>();
        api.flows(all::add);
        all.sort(Comparator.comparing(Flow::name));
        List<Flow> rest = after == null ? all : all.stream().filter(f -> f.name().compareTo(after) > 0).toList();
        List<Flow> items = rest.subList(0, Math.min(page.limit(), rest.size()));
        String next = rest.size() > page.limit()
                ? encode(object().put("t", "flows").put("after", items.get(items.size() - 1).name())) : null;
        return Page.of(items, next);
    }

    @Override
    public Optional<Flow> flow(String name) {
        Objects.requireNonNull(name, "name");
        return api.flow(name);
    }

    @Override
    public Page<Run> listRuns(RunQuery query, PageRequest page) {
        return runs.list(Objects.requireNonNull(query, "query"), Objects.requireNonNull(page, "page"));
    }

    @Override
    public Optional<Run> run(RunRef run) {
        return api.run(Objects.requireNonNull(run, "run")).map(statuses::resolve);
    }

    @Override
    public List<Step> steps(RunRef run) {
        return tasks.steps(Objects.requireNonNull(run, "run"));
    }

    @Override
    public Page<Task> listTasks(RunRef run, TaskQuery query, PageRequest page) {
        return tasks.list(Objects.requireNonNull(run, "run"), Objects.requireNonNull(query, "query"),
                Objects.requireNonNull(page, "page"));
    }

    @Override
    public Optional<Task> task(TaskRef task) {
        return tasks.task(Objects.requireNonNull(task, "task"));
    }

    @Override
    public List<MetadataRecord> metadata(TaskRef task) {
        if (task.step().step().equals(PARAMETERS_STEP)) {
            return List.of();
        }
        List<MetaRow> rows = new ArrayList<>(api.taskMetadata(task));
        rows.sort(Comparator.comparingLong(MetaRow::ts).thenComparingLong(MetaRow::id));
        return rows.stream().map(MetaRow::toRecord).toList();
    }

    @Override
    public List<ArtifactRecord> artifacts(TaskRef task) {
        if (task.step().step().equals(PARAMETERS_STEP)) {
            return List.of();
        }
        TreeSet<Integer> attempts = new TreeSet<>();
        for (MetaRow m : api.taskMetadata(task)) {
            if (m.field().equals("attempt")) {
                Rows.parseAttempt(m.value()).ifPresent(attempts::add);
            }
        }
        List<ArtifactRecord> out = new ArrayList<>();
        if (attempts.size() <= 1) {
            out.addAll(api.taskArtifacts(task));
        } else {
            for (List<ArtifactRecord> part : fanout.map(List.copyOf(attempts), a -> api.attemptArtifacts(task, a))) {
                out.addAll(part);
            }
        }
        out.sort(Comparator.comparingInt(ArtifactRecord::attemptId).thenComparing(ArtifactRecord::name));
        return out;
    }

    /** Always empty: artifact values are pickles in the datastore, which the metadata service cannot render. */
    @Override
    public Optional<ArtifactValue> artifactValue(TaskRef task, String name, int attempt, int maxChars) {
        return Optional.empty();
    }

    @Override
    public LogPage logs(TaskRef task, LogStream stream, LogRequest request) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(request, "request");
        if (task.step().step().equals(PARAMETERS_STEP)) {
            return new LogPage(Math.max(0, request.attempt()), List.of(), 0);
        }
        List<MetaRow> meta = api.taskMetadata(task);
        int attempt = request.latestAttempt() ? TaskDerivation.latestAttempt(meta).orElse(0) : request.attempt();
        Optional<String> type = forAttempt(meta, "ds-type", attempt);
        Optional<String> root = forAttempt(meta, "ds-root", attempt);
        if (type.isEmpty() || root.isEmpty()) {
            return new LogPage(attempt, List.of(), 0); // never started: no datastore recorded, no log yet
        }
        DatastoreLocation location = new DatastoreLocation(type.get(), root.get());
        for (DatastoreLogReader reader : logReaders) {
            Optional<LogPage> page = reader.read(location, task, stream, attempt, request);
            if (page.isPresent()) {
                return page.get();
            }
        }
        String where = "local".equals(location.type())
                ? "the local datastore at " + location.root() + ", which is not readable on this machine"
                : "the " + location.type() + " datastore at " + location.root();
        throw new LogsUnavailableException("the logs of " + task.pathspec() + " are in " + where
                + "; the metadata service does not serve logs: read them through the Metaflow UI backend, or "
                + ("local".equals(location.type()) ? "run this where that directory is readable"
                : "configure a DatastoreLogReader for " + location.type() + " datastores"), location);
    }

    /** Always empty: the graph is a pickled artifact, which the metadata service cannot render. */
    @Override
    public Optional<Dag> dag(RunRef run) {
        return Optional.empty();
    }

    /**
     * The run's parameter names (artifacts of its {@code _parameters} step, minus Metaflow's own), with
     * unrendered values: the values are pickles in the datastore.
     */
    @Override
    public List<Parameter> parameters(RunRef run) {
        Map<String, Parameter> byName = new LinkedHashMap<>();
        for (ArtifactRecord a : api.stepArtifacts(run, PARAMETERS_STEP)) {
            if (a.isInternal() || a.name().equals("name") || a.name().equals("script_name")) {
                continue;
            }
            byName.put(a.name(), new Parameter(a.name(), new ArtifactValue("unknown",
                    "(stored in the " + a.dsType() + " datastore; the metadata service cannot show values)", false, false)));
        }
        List<Parameter> out = new ArrayList<>(byName.values());
        out.sort(Comparator.comparing(Parameter::name));
        return out;
    }

    // ------------------------------------------------------------------ cards

    /**
     * The task's cards, when its datastore is local and readable here (as for logs): read from
     * {@code <ds-root>/mf.cards} with {@link LocalCardReader}. The metadata service itself knows
     * nothing of cards; for other datastores (or with {@link Builder#readLocalDatastore} off) there
     * are none. 1 request ({@code GET T/metadata}).
     */
    @Override
    public List<Card> cards(TaskRef task) {
        return cardReader(task).map(r -> r.list(task)).orElse(List.of());
    }

    @Override
    public Optional<CardHtml> cardHtml(TaskRef task, String hash, long maxBytes) {
        return cardReader(task).flatMap(r -> r.html(task, hash, maxBytes));
    }

    @Override
    public Optional<String> cardData(TaskRef task, String hash, long maxBytes) {
        return cardReader(task).flatMap(r -> r.data(task, hash, maxBytes));
    }

    private Optional<LocalCardReader> cardReader(TaskRef task) {
        Objects.requireNonNull(task, "task");
        if (!readLocalDatastore || task.step().step().equals(PARAMETERS_STEP)) {
            return Optional.empty();
        }
        List<MetaRow> meta = api.taskMetadata(task);
        int attempt = TaskDerivation.latestAttempt(meta).orElse(0);
        Optional<String> type = forAttempt(meta, "ds-type", attempt);
        Optional<String> root = forAttempt(meta, "ds-root", attempt);
        if (type.isEmpty() || root.isEmpty()) {
            return Optional.empty();
        }
        Optional<Path> dir = LocalDatastoreLogReader.readableRoot(new DatastoreLocation(type.get(), root.get()));
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        if (cardReaders.size() > 16) {
            cardReaders.clear();
        }
        return Optional.of(cardReaders.computeIfAbsent(dir.get(), LocalCardReader::forDatastore));
    }

    @Override
    public void close() {
        fanout.close();
        http.close();
    }

    @Override
    public String toString() {
        return describe();
    }

    private static Optional<String> forAttempt(List<MetaRow> meta, String field, int attempt) {
        Optional<MetaRow> exact = meta.stream()
                .filter(m -> m.field().equals(field) && m.attemptTag().map(a -> a == attempt).orElse(false))
                .max(Comparator.comparingLong(MetaRow::ts).thenComparingLong(MetaRow::id));
        return exact.or(() -> TaskDerivation.newest(meta, field)).map(MetaRow::value).filter(v -> !v.isBlank());
    }

    /** Builds a {@link MetadataServiceBackend}; validated in {@link #build()}. */
    public static final class Builder {
        private URI baseUri;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private HttpOptions httpOptions = HttpOptions.defaults();
        private Clock clock = Clock.systemUTC();
        private final List<DatastoreLogReader> logReaders = new ArrayList<>();
        private boolean readLocalDatastore = true;
        private int concurrency = 4;
        private int legacyWindow = 10_000;

        private Builder() {
        }

        /** The service root, e.g. {@code http://metadata.example.com:8080/} (with a path prefix if it has one). */
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

        /** Sent with every request (e.g. a gateway's auth header). The value is never logged or shown. */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "header name"), Objects.requireNonNull(value, "header value"));
            return this;
        }

        /** Sent as {@code x-api-key}, as Metaflow does with {@code METAFLOW_SERVICE_AUTH_KEY}. */
        public Builder apiKey(String apiKey) {
            return header("x-api-key", Objects.requireNonNull(apiKey, "apiKey"));
        }

        /** URL and headers from Metaflow-style configuration. */
        public Builder config(MetaflowServiceConfig config) {
            baseUri(config.url());
            config.requestHeaders().forEach(this::header);
            return this;
        }

        public Builder httpOptions(HttpOptions httpOptions) {
            this.httpOptions = Objects.requireNonNull(httpOptions, "httpOptions");
            return this;
        }

        /** The clock statuses are derived with (heartbeat ages). Default: the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** A reader for logs in datastores the built-in local reader cannot reach (S3, ...); tried in order. */
        public Builder logReader(DatastoreLogReader reader) {
            logReaders.add(Objects.requireNonNull(reader, "reader"));
            return this;
        }

        /** Whether logs of tasks whose local datastore is readable here are read from it. Default: true. */
        public Builder readLocalDatastore(boolean readLocalDatastore) {
            this.readLocalDatastore = readLocalDatastore;
            return this;
        }

        /** How many requests one call may have in flight (per-run status, per-task metadata). Default 4. */
        public Builder concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        /**
         * How many rows are kept from an unpaginated answer of an older service for the following pages.
         * Default 10,000; more costs memory, fewer costs downloads.
         */
        public Builder legacyWindow(int legacyWindow) {
            this.legacyWindow = legacyWindow;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid setting */
        public MetadataServiceBackend build() {
            baseUri = Settings.validateBaseUri(baseUri, "metadata service");
            Settings.validateHeaders(headers);
            if (concurrency < 1 || concurrency > 64) {
                throw new IllegalArgumentException("concurrency must be between 1 and 64, got " + concurrency);
            }
            if (legacyWindow < 100 || legacyWindow > 1_000_000) {
                throw new IllegalArgumentException("legacyWindow must be between 100 and 1000000, got " + legacyWindow);
            }
            return new MetadataServiceBackend(this);
        }
    }
}

package io.github.metaflowui.client.local;

import io.github.metaflowui.client.local.internal.Keyset;
import io.github.metaflowui.client.local.internal.LocalFiles;
import io.github.metaflowui.client.local.internal.LocalStore;
import io.github.metaflowui.client.local.internal.PickleBlobs;
import io.github.metaflowui.client.local.internal.PythonValues;
import io.github.metaflowui.client.local.internal.TaskReader;
import io.github.metaflowui.client.local.internal.TaskScan;
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
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Parameter;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusRules;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskCounts;
import io.github.metaflowui.core.TaskId;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The runs of a local {@code .metaflow} directory, as Metaflow's {@code local} metadata provider
 * wrote them. Immutable, thread-safe and strictly read-only: it never creates, writes, moves or
 * locks anything under the root.
 *
 * <pre>{@code
 * MetaflowBackend local = LocalMetaflowBackend.builder().root(Path.of("/data/project")).build();
 * }</pre>
 *
 * <h2>How it reads the directory</h2>
 * <ul>
 *   <li>Only directories holding {@code _meta/_self.json} are flows, runs, steps and tasks (runs
 *       recorded by a metadata service leave datastore files without {@code _meta}).</li>
 *   <li>Paths recorded inside the data ({@code ds-root}, artifact {@code location}) name the machine
 *       that ran the flow; everything is resolved relative to the directory actually read.</li>
 *   <li>Run status follows {@link StatusRules#localRunStatus}; the end step is the one named by the
 *       {@code _parameters} task's {@code end_step} metadata ({@code end} if absent). Attempt outcomes
 *       come from the {@code attempt_ok} record tagged {@code attempt_id:N}, else from
 *       {@code N.runtime}'s {@code success} (the status reason then says so).</li>
 *   <li>A task's foreach label is one {@code var[index]=value} per nested foreach, joined by
 *       {@code ", "}: {@code items[3]=3}, {@code letters[2]=c, numbers[0]=1}.</li>
 *   <li>Run and task lists are keyset-paged: a cursor is the position of the last item served,
 *       so a page never repeats or skips items when new runs appear. Runs default to newest
 *       first by {@code ts_epoch}, ties broken by run id.</li>
 *   <li>Artifact values are decoded with a restricted pickle reader that never runs code; see
 *       {@link #artifactValue}.</li>
 *   <li>A run whose files are broken is listed with {@link Status#UNKNOWN} and the reason; reading
 *       its details fails with a {@link MetaflowException.DecodeException}. Problems are told
 *       relative to the Metaflow object ("the run record of LinearFlow/123 is malformed JSON"),
 *       never by server path or parser message: those are logged once, with the exception's cause
 *       holding them.</li>
 * </ul>
 */
public final class LocalMetaflowBackend implements MetaflowBackend {
    private static final String DOT_METAFLOW = ".metaflow";
    /** Parameters are rendered up to this many characters. */
    public static final int PARAMETER_MAX_CHARS = 10_000;

    private final Path root;
    private final LocalStore store;
    private final LocalLogReader logs;
    private final LocalCardReader cards;

    private LocalMetaflowBackend(Path root, Clock clock, Path cardRoot) {
        this.root = root;
        this.store = new LocalStore(root, clock);
        this.logs = LocalLogReader.of(root);
        this.cards = cardRoot == null ? LocalCardReader.forDatastore(root) : LocalCardReader.of(cardRoot);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * True when {@code dir} is a directory that is a {@code .metaflow} directory (named so, or
     * holding some {@code <Flow>/_meta/_self.json}) or that contains a {@code .metaflow} directory.
     */
    public static boolean isMetaflowDirectory(Path dir) {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            return false;
        }
        if (Files.isDirectory(dir.resolve(DOT_METAFLOW))) {
            return true;
        }
        Path name = dir.toAbsolutePath().normalize().getFileName();
        if (name != null && name.toString().equals(DOT_METAFLOW)) {
            return true;
        }
        try {
            for (String child : LocalFiles.list(dir)) {
                if (LocalFiles.isSafeName(child) && Files.isRegularFile(dir.resolve(child).resolve("_meta").resolve("_self.json"))) {
                    return true;
                }
            }
        } catch (MetaflowException e) {
            return false;
        }
        return false;
    }

    /** The {@code .metaflow} directory inside {@code dir} if there is one, else {@code dir} itself. */
    public static Path resolveRoot(Path dir) {
        Objects.requireNonNull(dir, "dir");
        Path inner = dir.resolve(DOT_METAFLOW);
        Path chosen = Files.isDirectory(inner) ? inner : dir;
        return chosen.toAbsolutePath().normalize();
    }

    /** The {@code .metaflow} directory read. */
    public Path root() {
        return root;
    }

    /** The log reader over the same directory. */
    public LocalLogReader logReader() {
        return logs;
    }

    @Override
    public String describe() {
        return "local directory " + root;
    }

    // ------------------------------------------------------------------ flows

    @Override
    public Page<Flow> listFlows(PageRequest page) {
        return read(() -> {
            Objects.requireNonNull(page, "page");
            List<Flow> flows = new ArrayList<>();
            for (String name : store.flowNames()) {
                store.flow(name).ifPresent(flows::add);
            }
            return Keyset.page(flows, f -> new Keyset.Key(null, f.name(), f.name(), ""),
                    Keyset.comparator(SortOrder.ASC, String::compareTo), "flows:NAME:ASC", page);
        });
    }

    @Override
    public Optional<Flow> flow(String name) {
        return read(() -> {
            Objects.requireNonNull(name, "name");
            return store.flow(name);
        });
    }

    // ------------------------------------------------------------------ runs

    @Override
    public Page<Run> listRuns(RunQuery query, PageRequest page) {
        return read(() -> {
            Objects.requireNonNull(query, "query");
            Objects.requireNonNull(page, "page");
            List<String> flows = query.flow().map(List::of).orElseGet(store::flowNames);
            List<LocalStore.RunEntry> entries = new ArrayList<>();
            for (String flow : flows) {
                for (LocalStore.RunEntry e : store.runEntries(flow)) {
                    if (matchesRecord(query, e)) {
                        entries.add(e);
                    }
                }
            }
            String orderName = "runs:" + query.sort() + ":" + query.order();
            Comparator<Keyset.Key> order = Keyset.comparator(query.order(), LocalStore::compareRunIds);
            boolean needStatus = !query.statuses().isEmpty() || query.sort() == RunQuery.Sort.FINISHED
                    || query.sort() == RunQuery.Sort.DURATION || query.sort() == RunQuery.Sort.STATUS;
            if (!needStatus) {
                Page<LocalStore.RunEntry> p = Keyset.page(entries, e -> entryKey(query.sort(), e), order, orderName, page);
                List<Run> runs = new ArrayList<>(p.items().size());
                for (LocalStore.RunEntry e : p.items()) {
                    runs.add(store.run(e));
                }
                return new Page<>(runs, p.nextCursor());
            }
            List<Run> runs = new ArrayList<>();
            for (LocalStore.RunEntry e : entries) {
                Run r = store.run(e);
                if (query.statuses().isEmpty() || query.statuses().contains(r.status().status())) {
                    runs.add(r);
                }
            }
            return Keyset.page(runs, r -> runKey(query.sort(), r), order, orderName, page);
        });
    }

    private static boolean matchesRecord(RunQuery q, LocalStore.RunEntry e) {
        Optional<LocalStore.RunSelf> s = e.self();
        if (!q.users().isEmpty()) {
            if (s.isEmpty() || (!q.users().contains(s.get().displayUser()) && !q.users().contains(s.get().userName()))) {
                return false;
            }
        }
        if (!q.tagsAll().isEmpty() || !q.tagsAny().isEmpty()) {
            if (s.isEmpty()) {
                return false;
            }
            List<String> tags = new ArrayList<>(s.get().tags());
            tags.addAll(s.get().systemTags());
            if (!tags.containsAll(q.tagsAll())) {
                return false;
            }
            if (!q.tagsAny().isEmpty() && q.tagsAny().stream().noneMatch(tags::contains)) {
                return false;
            }
        }
        Instant created = e.created();
        if (q.createdFrom().isPresent() && created.isBefore(q.createdFrom().get())) {
            return false;
        }
        return q.createdBefore().isEmpty() || created.isBefore(q.createdBefore().get());
    }

    private static Keyset.Key entryKey(RunQuery.Sort sort, LocalStore.RunEntry e) {
        String id = e.ref().run().value();
        String flow = e.ref().flow();
        switch (sort) {
            case CREATED:
                return new Keyset.Key(e.created().toEpochMilli(), null, id, flow);
            case FLOW:
                return new Keyset.Key(null, flow, id, flow);
            case USER:
                return new Keyset.Key(null, e.self().map(LocalStore.RunSelf::displayUser).orElse(""), id, flow);
            case RUN:
                return new Keyset.Key(null, null, id, flow);
            default:
                throw new IllegalStateException("sort " + sort + " needs the run status");
        }
    }

    private static Keyset.Key runKey(RunQuery.Sort sort, Run r) {
        String id = r.id().value();
        String flow = r.flow();
        switch (sort) {
            case CREATED:
                return new Keyset.Key(r.createdAt().toEpochMilli(), null, id, flow);
            case FINISHED:
                return new Keyset.Key(r.finishedAt().map(Instant::toEpochMilli).orElse(null), null, id, flow);
            case DURATION:
                return new Keyset.Key(r.duration().map(Duration::toMillis).orElse(null), null, id, flow);
            case FLOW:
                return new Keyset.Key(null, flow, id, flow);
            case USER:
                return new Keyset.Key(null, r.displayUser(), id, flow);
            case STATUS:
                return new Keyset.Key(null, r.status().status().wireName(), id, flow);
            case RUN:
            default:
                return new Keyset.Key(null, null, id, flow);
        }
    }

    @Override
    public Optional<Run> run(RunRef run) {
        return read(() -> {
            Objects.requireNonNull(run, "run");
            return store.runEntry(run).map(store::run);
        });
    }

    // ------------------------------------------------------------------ steps and tasks

    @Override
    public List<Step> steps(RunRef run) {
        return read(() -> {
            Objects.requireNonNull(run, "run");
            Optional<Path> dir = existingRunDir(run);
            if (dir.isEmpty()) {
                return List.of();
            }
            LocalStore.RunTree tree = store.tree(run, dir.get());
            Clock clock = store.clock();
            Map<String, List<Task>> byStep = new LinkedHashMap<>();
            for (TaskScan t : tree.tasks()) {
                byStep.computeIfAbsent(t.ref().step().step(), k -> new ArrayList<>()).add(t.toTask(clock));
            }
            List<LocalStore.StepEntry> ordered = new ArrayList<>(tree.steps());
            ordered.sort(Comparator.comparing(LocalStore.StepEntry::created).thenComparing(LocalStore.StepEntry::name));
            List<String> graphOrder = List.of();
            try {
                graphOrder = store.dag(run).map(Dag::stepOrder).orElse(List.of());
            } catch (MetaflowException e) {
                // logged once; the steps are ordered by creation instead
                store.faults().publicForm(e);
            }
            if (!graphOrder.isEmpty()) {
                List<String> order = graphOrder;
                ordered.sort(Comparator.comparingInt((LocalStore.StepEntry s) -> {
                    int i = order.indexOf(s.name());
                    return i < 0 ? Integer.MAX_VALUE : i;
                }).thenComparing(LocalStore.StepEntry::created).thenComparing(LocalStore.StepEntry::name));
            }
            List<Step> out = new ArrayList<>(ordered.size());
            for (LocalStore.StepEntry s : ordered) {
                List<Task> tasks = byStep.getOrDefault(s.name(), List.of());
                TaskCounts counts = TaskCounts.of(tasks);
                Optional<Instant> started = tasks.stream().map(Task::startedAt).flatMap(Optional::stream)
                        .min(Comparator.naturalOrder());
                Optional<Instant> finished = Optional.empty();
                if (!tasks.isEmpty() && tasks.stream().allMatch(t -> t.finishedAt().isPresent())) {
                    finished = tasks.stream().map(t -> t.finishedAt().get()).max(Comparator.naturalOrder());
                }
                out.add(new Step(run.step(s.name()), s.created(), StatusRules.stepStatus(counts), counts, started, finished));
            }
            return out;
        });
    }

    @Override
    public Page<Task> listTasks(RunRef run, TaskQuery query, PageRequest page) {
        return read(() -> {
            Objects.requireNonNull(run, "run");
            Objects.requireNonNull(query, "query");
            Objects.requireNonNull(page, "page");
            String orderName = "tasks:" + query.sort() + ":" + query.order();
            Comparator<Keyset.Key> order = Keyset.comparator(query.order(), (a, b) -> TaskId.of(a).compareTo(TaskId.of(b)));
            Optional<Path> dir = existingRunDir(run);
            if (dir.isEmpty() || query.step().map(s -> s.equals(LocalStore.PARAMETERS_STEP)).orElse(false)) {
                return Page.last(List.of());
            }
            List<TaskScan> scans = query.step().isPresent()
                    ? store.stepTasks(run, dir.get(), query.step().get())
                    : store.tree(run, dir.get()).tasks();
            Clock clock = store.clock();
            List<Task> tasks = new ArrayList<>(scans.size());
            for (TaskScan s : scans) {
                Task t = s.toTask(clock);
                if (query.matches(t)) {
                    tasks.add(t);
                }
            }
            return Keyset.page(tasks, t -> taskKey(query.sort(), t), order, orderName, page);
        });
    }

    private static Keyset.Key taskKey(TaskQuery.Sort sort, Task t) {
        String id = t.id().value();
        String step = t.step();
        Function<Optional<Instant>, Long> ms = o -> o.map(Instant::toEpochMilli).orElse(null);
        switch (sort) {
            case CREATED:
                return new Keyset.Key(t.createdAt().toEpochMilli(), null, id, step);
            case STARTED:
                return new Keyset.Key(ms.apply(t.startedAt()), null, id, step);
            case FINISHED:
                return new Keyset.Key(ms.apply(t.finishedAt()), null, id, step);
            case DURATION:
                return new Keyset.Key(t.duration().map(Duration::toMillis).orElse(null), null, id, step);
            case TASK_ID:
            default:
                return new Keyset.Key(null, null, id, step);
        }
    }

    @Override
    public Optional<Task> task(TaskRef task) {
        return read(() -> {
            Objects.requireNonNull(task, "task");
            return taskDir(task).flatMap(dir -> store.taskReader().scan(task, dir)).map(s -> s.toTask(store.clock()));
        });
    }

    @Override
    public List<MetadataRecord> metadata(TaskRef task) {
        return read(() -> {
            Objects.requireNonNull(task, "task");
            return taskDir(task).map(dir -> store.taskReader().metadata(dir)).orElse(List.of());
        });
    }

    @Override
    public List<ArtifactRecord> artifacts(TaskRef task) {
        return read(() -> {
            Objects.requireNonNull(task, "task");
            return taskDir(task).map(dir -> store.taskReader().artifacts(dir)).orElse(List.of());
        });
    }

    /**
     * The display form of an artifact, read from the content-addressed store of this directory.
     * Values whose recorded type is a plain one (int, float, str, bool, None, list, tuple, dict,
     * set) are decoded and shown as compact JSON, as Python's
     * {@code json.dumps(v, separators=(',', ':'), ensure_ascii=False)} would (tuples and sets as
     * arrays; non-finite floats as the strings {@code "NaN"}, {@code "Infinity"}); others are not
     * decoded and show as {@code <type> (<size> bytes)}. Blobs over 16 MiB on disk or 64 MiB
     * decompressed are refused with a {@link MetaflowException.DecodeException}.
     *
     * @param attempt the attempt, or a negative value for the latest attempt that has the artifact
     */
    @Override
    public Optional<ArtifactValue> artifactValue(TaskRef task, String name, int attempt, int maxChars) {
        return read(() -> {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(name, "name");
            if (maxChars < 0) {
                throw new IllegalArgumentException("maxChars must be >= 0, got " + maxChars);
            }
            Optional<Path> dir = taskDir(task);
            if (dir.isEmpty()) {
                return Optional.empty();
            }
            TaskReader reader = store.taskReader();
            TaskReader.DataJson data = null;
            if (attempt >= 0) {
                data = reader.dataJson(dir.get(), attempt);
            } else {
                OptionalInt latest = TaskReader.latestAttempt(dir.get());
                for (int a = latest.orElse(0); a >= 0 && data == null; a--) {
                    TaskReader.DataJson d = reader.dataJson(dir.get(), a);
                    if (d.objects().containsKey(name)) {
                        data = d;
                    }
                }
            }
            if (data == null || !data.objects().containsKey(name)) {
                return Optional.empty();
            }
            return value(task.run().flow(), data, name, maxChars);
        });
    }

    private Optional<ArtifactValue> value(String flow, TaskReader.DataJson data, String name, int maxChars) {
        String sha = data.objects().get(name);
        Long recordedSize = data.sizes().get(name);
        OptionalLong size = recordedSize == null ? OptionalLong.empty() : OptionalLong.of(recordedSize);
        Optional<String> type = Optional.ofNullable(data.types().get(name)).map(PythonValues::typeName);
        if (type.isPresent() && !PythonValues.PLAIN_TYPES.contains(type.get())) {
            return Optional.of(PythonValues.unrendered(type.get(), size, maxChars));
        }
        Path blob = PickleBlobs.blobPath(root, flow, sha);
        Optional<byte[]> pickle = PickleBlobs.readPickle(blob);
        if (pickle.isEmpty()) {
            return Optional.empty();
        }
        Object value = PickleBlobs.unpickle(pickle.get(), blob);
        String pythonType = type.orElseGet(() -> PythonValues.typeOf(value));
        OptionalLong shownSize = size.isPresent() ? size : OptionalLong.of(pickle.get().length);
        return Optional.of(PythonValues.render(value, pythonType, shownSize, maxChars));
    }

    // ------------------------------------------------------------------ logs, graph, parameters

    @Override
    public LogPage logs(TaskRef task, LogStream stream, LogRequest request) {
        return read(() -> {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(request, "request");
            Optional<Path> dir = taskDir(task);
            int attempt = request.latestAttempt()
                    ? dir.map(TaskReader::latestAttempt).orElse(OptionalInt.empty()).orElse(0)
                    : request.attempt();
            if (dir.isEmpty()) {
                return new LogPage(attempt, List.of(), 0);
            }
            return logs.read(task, stream, attempt, request);
        });
    }

    @Override
    public Optional<Dag> dag(RunRef run) {
        return read(() -> {
            Objects.requireNonNull(run, "run");
            return store.dag(run);
        });
    }

    /**
     * The run's parameters: the {@code _parameters} task's artifacts whose names do not start with
     * {@code _}, except {@code name} and {@code script_name} (as the UI backend does), by name,
     * rendered like {@link #artifactValue} up to {@link #PARAMETER_MAX_CHARS} characters. A value that
     * cannot be decoded (a corrupt or oversized blob) is {@linkplain ArtifactValue#unavailable unavailable},
     * with the reason; the other parameters are still shown.
     */
    @Override
    public List<Parameter> parameters(RunRef run) {
        return read(() -> {
            Objects.requireNonNull(run, "run");
            Optional<Path> runDir = existingRunDir(run);
            if (runDir.isEmpty()) {
                return List.of();
            }
            for (Path task : store.parameterTaskDirs(runDir.get())) {
                int attempt = TaskReader.latestAttempt(task).orElse(0);
                TaskReader.DataJson data = store.taskReader().dataJson(task, attempt);
                if (data.objects().isEmpty()) {
                    continue;
                }
                List<String> names = new ArrayList<>();
                for (String n : data.objects().keySet()) {
                    if (!n.startsWith("_") && !Set.of("name", "script_name").contains(n)) {
                        names.add(n);
                    }
                }
                names.sort(Comparator.naturalOrder());
                List<Parameter> out = new ArrayList<>(names.size());
                for (String n : names) {
                    parameter(run, data, n).ifPresent(out::add);
                }
                return out;
            }
            return List.of();
        });
    }

    /** One parameter; a value that cannot be decoded is unavailable, with the reason, and spoils no other. */
    private Optional<Parameter> parameter(RunRef run, TaskReader.DataJson data, String name) {
        try {
            return value(run.flow(), data, name, PARAMETER_MAX_CHARS).map(v -> new Parameter(name, v));
        } catch (MetaflowException e) {
            String type = Optional.ofNullable(data.types().get(name)).map(PythonValues::typeName).orElse("unknown");
            return Optional.of(new Parameter(name, ArtifactValue.unavailable(type,
                    store.faults().publicForm(e).getMessage())));
        }
    }

    // ------------------------------------------------------------------ cards

    /**
     * The task's cards, read from the card store ({@code <root>/mf.cards} unless the builder set
     * {@link Builder#cardRoot}); see {@link LocalCardReader} for the layout. A task that does not
     * exist has none.
     */
    @Override
    public List<Card> cards(TaskRef task) {
        return read(() -> taskDir(Objects.requireNonNull(task, "task")).isEmpty() ? List.of() : cards.list(task));
    }

    @Override
    public Optional<CardHtml> cardHtml(TaskRef task, String hash, long maxBytes) {
        return read(() -> taskDir(Objects.requireNonNull(task, "task")).isEmpty() ? Optional.empty()
                : cards.html(task, hash, maxBytes));
    }

    @Override
    public Optional<String> cardData(TaskRef task, String hash, long maxBytes) {
        return read(() -> taskDir(Objects.requireNonNull(task, "task")).isEmpty() ? Optional.empty()
                : cards.data(task, hash, maxBytes));
    }

    /** The card reader over this directory's card store. */
    public LocalCardReader cardReader() {
        return cards;
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Runs one call, telling a problem with a file of the store relative to the Metaflow object
     * ("the run record of LinearFlow/123 is malformed JSON") rather than by server path; the path
     * and the technical detail are logged once.
     */
    private <T> T read(Supplier<T> call) {
        try {
            return call.get();
        } catch (MetaflowException e) {
            throw store.faults().publicForm(e);
        }
    }

    private Optional<Path> existingRunDir(RunRef run) {
        return store.runExists(run) ? store.runDir(run) : Optional.empty();
    }

    private Optional<Path> taskDir(TaskRef task) {
        if (task.step().step().equals(LocalStore.PARAMETERS_STEP)) {
            return Optional.empty();
        }
        return store.taskDir(task);
    }

    @Override
    public String toString() {
        return "LocalMetaflowBackend[" + root + "]";
    }

    private static boolean isMetaflowObject(Path dir) {
        return Files.isRegularFile(dir.resolve("_meta").resolve("_self.json"));
    }

    /**
     * Why a flow, run, step or task directory is not a root: what it is, and the {@code .metaflow}
     * directory above it (the first parent that is not itself such a directory).
     */
    private static String tooDeep(Path dir) {
        Path object = dir.toAbsolutePath().normalize();
        Path top = object;
        while (top != null && isMetaflowObject(top)) {
            top = top.getParent();
        }
        String what = "the directory of a Metaflow object";
        String advice = "";
        if (top != null) {
            List<String> names = new ArrayList<>();
            top.relativize(object).forEach(p -> names.add(p.toString()));
            List<String> kinds = List.of("flow", "run", "step", "task");
            if (names.size() <= kinds.size()) {
                what = "the directory of " + kinds.get(names.size() - 1) + " " + String.join("/", names);
            }
            advice = ": use the " + DOT_METAFLOW + " directory that holds it, " + top;
        }
        return dir + " is " + what + ", not a Metaflow directory" + advice;
    }

    /** Builds a {@link LocalMetaflowBackend}; {@link #root(Path)} is required. */
    public static final class Builder {
        private Path root;
        private Clock clock = Clock.systemUTC();
        private Path cardRoot;

        private Builder() {
        }

        /**
         * Where the cards are: Metaflow's {@code METAFLOW_CARD_LOCALROOT} when it was set for the runs.
         * Default: {@code mf.cards} inside the {@code .metaflow} directory, as Metaflow does.
         */
        public Builder cardRoot(Path cardRoot) {
            this.cardRoot = Objects.requireNonNull(cardRoot, "cardRoot");
            return this;
        }

        /** A {@code .metaflow} directory (whatever its name) or a directory that contains {@code .metaflow}. */
        public Builder root(Path root) {
            this.root = Objects.requireNonNull(root, "root");
            return this;
        }

        /** The clock that statuses are judged by; the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @throws IllegalArgumentException if the root is not set, does not exist, is not a
         *                                  directory, cannot be read, is not a Metaflow directory, or
         *                                  is the directory of a flow, run, step or task inside one
         *                                  (the message then names the {@code .metaflow} directory)
         */
        public LocalMetaflowBackend build() {
            if (root == null) {
                throw new IllegalArgumentException("root is required: call root(Path) with the .metaflow directory");
            }
            if (!Files.exists(root)) {
                throw new IllegalArgumentException("Metaflow directory " + root + " does not exist");
            }
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException(root + " is not a directory");
            }
            if (!Files.isReadable(root) || !Files.isExecutable(root)) {
                throw new IllegalArgumentException("Metaflow directory " + root + " is not readable");
            }
            if (isMetaflowObject(root)) {
                throw new IllegalArgumentException(tooDeep(root));
            }
            if (!isMetaflowDirectory(root)) {
                throw new IllegalArgumentException(root + " is not a Metaflow directory: it contains neither a "
                        + DOT_METAFLOW + " directory nor any <Flow>/_meta/_self.json");
            }
            Path resolved = resolveRoot(root);
            if (!Files.isReadable(resolved) || !Files.isExecutable(resolved)) {
                throw new IllegalArgumentException("Metaflow directory " + resolved + " is not readable");
            }
            return new LocalMetaflowBackend(resolved, clock, cardRoot);
        }
    }
}

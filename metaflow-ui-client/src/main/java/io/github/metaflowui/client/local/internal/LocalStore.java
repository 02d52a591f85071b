package io.github.metaflowui.client.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.core.Dag;
import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunId;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.StatusRules;
import io.github.metaflowui.core.TaskId;
import io.github.metaflowui.core.TaskRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads flows, runs and run trees from a local {@code .metaflow} directory and caches what cannot
 * change any more. Thread-safe; every cache is bounded.
 *
 * <ul>
 *   <li>a run's {@code _self.json} is re-used while its size and modification time are unchanged
 *       (it is the one file Metaflow rewrites, on tag mutation);</li>
 *   <li>the status facts of a run whose end step succeeded are kept for good (keyed by the run
 *       directory), as is its whole tree of tasks (in a smaller cache) and its graph;</li>
 *   <li>anything else is re-read on every call, with per-task scans re-used as {@link TaskReader}
 *       describes.</li>
 * </ul>
 */
public final class LocalStore {
    public static final String PARAMETERS_STEP = "_parameters";
    private static final Logger LOG = LoggerFactory.getLogger(LocalStore.class);

    private final Path root;
    private final Clock clock;
    private final TaskReader tasks;
    private final LruCache<Path, CachedSelf> selves = new LruCache<>(100_000);
    private final LruCache<Path, StatusRules.LocalRunFacts> finalFacts = new LruCache<>(100_000);
    private final LruCache<Path, StoppedFacts> stoppedFacts = new LruCache<>(100_000);
    private final LruCache<Path, String> endSteps = new LruCache<>(100_000);
    private final LruCache<Path, RunTree> finalTrees = new LruCache<>(64);
    private final LruCache<Path, Dag> dags = new LruCache<>(1_000);
    private final LocalFaults faults;

    public LocalStore(Path root, Clock clock) {
        this.root = Objects.requireNonNull(root, "root");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tasks = new TaskReader(clock, 50_000);
        this.faults = new LocalFaults(root, LOG);
    }

    /** How problems with this store's files are told outside (and logged once). */
    public LocalFaults faults() {
        return faults;
    }

    public Path root() {
        return root;
    }

    public Clock clock() {
        return clock;
    }

    public TaskReader taskReader() {
        return tasks;
    }

    /** A run's {@code _self.json}. */
    public record RunSelf(String userName, List<String> tags, List<String> systemTags, Instant created) {
        public RunSelf {
            tags = List.copyOf(tags);
            systemTags = List.copyOf(systemTags);
        }

        /** The verified owner: the user name when the system tags hold {@code user:<name>}. */
        public Optional<String> user() {
            return systemTags.contains("user:" + userName) ? Optional.of(userName) : Optional.empty();
        }

        public String displayUser() {
            return user().orElse(userName);
        }
    }

    /** A run directory and its record, or why the record could not be read. */
    public record RunEntry(RunRef ref, Path dir, Optional<RunSelf> self, Optional<String> error) {
        public Instant created() {
            if (self.isPresent()) {
                return self.get().created();
            }
            String id = ref.run().value();
            if (ref.run().isNumeric() && id.length() == 16) {
                long micros = Long.parseLong(id);
                return Instant.ofEpochSecond(micros / 1_000_000L, (micros % 1_000_000L) * 1000L);
            }
            return Instant.EPOCH;
        }
    }

    /** A step directory of a run. */
    public record StepEntry(String name, Path dir, Instant created) {
    }

    /** Every step (but {@code _parameters}) and task of a run. */
    public record RunTree(List<StepEntry> steps, List<TaskScan> tasks) {
        public RunTree {
            steps = List.copyOf(steps);
            tasks = List.copyOf(tasks);
        }
    }

    private record CachedSelf(long size, Instant modified, RunSelf self) {
    }

    /**
     * Facts of a run that did not reach its end step and has no attempt in progress, with the
     * modification times they were read at: the run and step directories (a new step or task adds
     * an entry to one of them) and the failed tasks' directories (a retry adds files there), or
     * those of the end step's tasks when the end step failed.
     */
    private record StoppedFacts(List<Instant> signature, List<Path> taskDirs, StatusRules.LocalRunFacts facts) {
        StoppedFacts {
            signature = List.copyOf(signature);
            taskDirs = List.copyOf(taskDirs);
        }
    }

    // ---------------------------------------------------------------- flows

    /** Names of the directories that hold {@code _meta/_self.json}, sorted. */
    public List<String> children(Path dir) {
        List<String> out = new ArrayList<>();
        for (String name : LocalFiles.list(dir)) {
            if (LocalFiles.isSafeName(name) && LocalFiles.isFile(dir.resolve(name).resolve("_meta").resolve("_self.json"))) {
                out.add(name);
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    public List<String> flowNames() {
        return children(root);
    }

    public Optional<Flow> flow(String name) {
        Optional<Path> dir = LocalFiles.child(root, name);
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        Optional<JsonNode> self = LocalFiles.readJsonIfExists(dir.get().resolve("_meta").resolve("_self.json"));
        return self.map(s -> Flow.of(name, Instant.ofEpochMilli(LocalFiles.longValue(s, "ts_epoch").orElse(0L))));
    }

    // ---------------------------------------------------------------- runs

    public Optional<Path> runDir(RunRef ref) {
        return LocalFiles.child(root, ref.flow()).flatMap(flow -> LocalFiles.child(flow, ref.run().value()));
    }

    /** The run directories of one flow (those with {@code _meta/_self.json}). */
    public List<RunEntry> runEntries(String flow) {
        Optional<Path> dir = LocalFiles.child(root, flow);
        if (dir.isEmpty()) {
            return List.of();
        }
        Path flowDir = dir.get();
        List<RunEntry> out = new ArrayList<>();
        for (String name : LocalFiles.list(flowDir)) {
            if (!LocalFiles.isSafeName(name)) {
                continue;
            }
            entry(RunRef.of(flow, name), flowDir.resolve(name)).ifPresent(out::add);
        }
        return out;
    }

    public Optional<RunEntry> runEntry(RunRef ref) {
        return runDir(ref).flatMap(dir -> entry(ref, dir));
    }

    private Optional<RunEntry> entry(RunRef ref, Path dir) {
        Path selfPath = dir.resolve("_meta").resolve("_self.json");
        Optional<BasicFileAttributes> attrs = LocalFiles.attributes(selfPath);
        if (attrs.isEmpty() || !attrs.get().isRegularFile()) {
            return Optional.empty();
        }
        long size = attrs.get().size();
        Instant modified = attrs.get().lastModifiedTime().toInstant();
        Optional<CachedSelf> hit = selves.get(selfPath);
        if (hit.isPresent() && hit.get().size() == size && hit.get().modified().equals(modified)) {
            return Optional.of(new RunEntry(ref, dir, Optional.of(hit.get().self()), Optional.empty()));
        }
        try {
            JsonNode json = LocalFiles.readJson(selfPath);
            if (!json.isObject()) {
                throw new LocalFaults.Undecodable(selfPath, "is not a JSON object", "", null);
            }
            RunSelf self = new RunSelf(LocalFiles.text(json, "user_name").orElse(""),
                    LocalFiles.strings(json, "tags"), LocalFiles.strings(json, "system_tags"),
                    Instant.ofEpochMilli(LocalFiles.longValue(json, "ts_epoch").orElse(0L)));
            selves.put(selfPath, new CachedSelf(size, modified, self));
            return Optional.of(new RunEntry(ref, dir, Optional.of(self), Optional.empty()));
        } catch (MetaflowException e) {
            return Optional.of(new RunEntry(ref, dir, Optional.empty(),
                    Optional.of(faults.publicForm(e).getMessage())));
        }
    }

    /** The run with its derived status. A run whose files cannot be read is {@link Status#UNKNOWN}, with the reason. */
    public Run run(RunEntry e) {
        if (e.self().isEmpty()) {
            return new Run(e.ref(), "", Optional.empty(), e.created(), List.of(), List.of(),
                    StatusInfo.of(Status.UNKNOWN, e.error().orElse("the run record cannot be read")),
                    Optional.empty(), Optional.empty(), Optional.empty());
        }
        RunSelf self = e.self().get();
        StatusInfo status;
        Optional<Instant> finished = Optional.empty();
        Optional<Duration> duration = Optional.empty();
        try {
            StatusRules.RunVerdict v = StatusRules.localRunStatus(facts(e), clock);
            status = v.status();
            finished = v.finishedAt();
            duration = v.duration();
        } catch (MetaflowException ex) {
            status = StatusInfo.of(Status.UNKNOWN, "the run's files cannot be read: "
                    + faults.publicForm(ex).getMessage());
        }
        return new Run(e.ref(), self.userName(), self.user(), self.created(), self.tags(), self.systemTags(), status,
                finished, duration, Optional.empty());
    }

    /** The name of the run's end step: {@code _parameters}' {@code end_step} metadata, else {@code end}. */
    public String endStep(Path runDir) {
        Optional<String> hit = endSteps.get(runDir);
        if (hit.isPresent()) {
            return hit.get();
        }
        for (Path task : parameterTaskDirs(runDir)) {
            Path meta = task.resolve("_meta");
            long newest = Long.MIN_VALUE;
            String found = null;
            for (String f : LocalFiles.list(meta)) {
                Optional<MetaFileName.Metadata> m = MetaFileName.metadata(f);
                if (m.isPresent() && m.get().field().equals("end_step") && m.get().millis() >= newest) {
                    Optional<String> v = LocalFiles.text(LocalFiles.readJson(meta.resolve(f)), "value");
                    if (v.isPresent() && LocalFiles.isSafeName(v.get())) {
                        newest = m.get().millis();
                        found = v.get();
                    }
                }
            }
            if (found != null) {
                endSteps.put(runDir, found);
                return found;
            }
        }
        return "end";
    }

    /** The task directories of the {@code _parameters} step (normally just {@code 0}). */
    public List<Path> parameterTaskDirs(Path runDir) {
        Path step = runDir.resolve(PARAMETERS_STEP);
        List<String> ids = children(step);
        ids.sort((a, b) -> TaskId.of(a).compareTo(TaskId.of(b)));
        List<Path> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            out.add(step.resolve(id));
        }
        return out;
    }

    /** What the files say about the run's status (see {@link StatusRules#localRunStatus}). */
    public StatusRules.LocalRunFacts facts(RunEntry e) {
        Optional<StatusRules.LocalRunFacts> hit = finalFacts.get(e.dir());
        if (hit.isPresent()) {
            return hit.get();
        }
        Optional<StoppedFacts> stopped = stoppedFacts.get(e.dir());
        if (stopped.isPresent()) {
            Optional<List<Instant>> now = signature(e.dir(), stopped.get().taskDirs());
            if (now.isPresent() && now.get().equals(stopped.get().signature())) {
                return stopped.get().facts();
            }
            stoppedFacts.remove(e.dir());
        }
        Instant created = e.created();
        String end = endStep(e.dir());
        Optional<List<Instant>> before = signature(e.dir(), List.of());
        Instant lastActivity = LocalFiles.mtime(e.dir()).orElse(created);
        Optional<Boolean> endOk = Optional.empty();
        Optional<Instant> endOkAt = Optional.empty();
        Optional<Instant> endAttemptAt = Optional.empty();
        List<Path> endDirs = new ArrayList<>();
        for (TaskScan t : stepTasks(e.ref(), e.dir(), end)) {
            requireReadable(t);
            endDirs.add(t.dir());
            lastActivity = max(lastActivity, t.lastModified());
            for (TaskScan.AttemptScan a : t.attempts()) {
                if (a.ok().isPresent()) {
                    Instant at = finishedAt(a, t);
                    if (endOkAt.isEmpty() || !at.isBefore(endOkAt.get())) {
                        endOk = a.ok();
                        endOkAt = Optional.of(at);
                    }
                }
                if (a.started().isPresent() && (endAttemptAt.isEmpty() || a.started().get().isAfter(endAttemptAt.get()))) {
                    endAttemptAt = a.started();
                }
            }
        }
        if (endOk.isPresent()) {
            StatusRules.LocalRunFacts f = new StatusRules.LocalRunFacts(created, endOk, endOkAt, endAttemptAt,
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), lastActivity);
            boolean retrying = endAttemptAt.isPresent() && endOkAt.get().isBefore(endAttemptAt.get());
            if (endOk.get() && !retrying) {
                finalFacts.put(e.dir(), f);
            } else if (!retrying) {
                // the end step failed: kept while no retry of it starts
                keepStopped(e.dir(), before, endDirs, f);
            }
            return f;
        }
        RunTree tree = tree(e.ref(), e.dir());
        Optional<String> failedTask = Optional.empty();
        List<Path> failedDirs = new ArrayList<>();
        Optional<Instant> failedAt = Optional.empty();
        Optional<String> unfinishedTask = Optional.empty();
        Optional<Instant> unfinishedSince = Optional.empty();
        boolean inProgress = false;
        for (StepEntry s : tree.steps()) {
            lastActivity = max(lastActivity, LocalFiles.mtime(s.dir()).orElse(lastActivity));
        }
        for (TaskScan t : tree.tasks()) {
            requireReadable(t);
            lastActivity = max(lastActivity, t.lastModified());
            Optional<TaskScan.AttemptScan> latest = t.latest();
            if (latest.isEmpty()) {
                inProgress = true; // registered, not started yet
                continue;
            }
            TaskScan.AttemptScan a = latest.get();
            String name = t.ref().step().step() + "/" + t.ref().task().value();
            if (!a.finished()) {
                inProgress = true;
            }
            if (t.latestFailed()) {
                failedDirs.add(t.dir());
                Instant at = finishedAt(a, t);
                if (failedAt.isEmpty() || at.isAfter(failedAt.get())) {
                    failedAt = Optional.of(at);
                    // "explode/2 (2 attempts)": the reason then says retries did happen before the last failure
                    failedTask = Optional.of(t.attempts().size() > 1 ? name + " (" + t.attempts().size() + " attempts)"
                            : name);
                }
            } else if (!a.finished() && a.started().isPresent()) {
                if (unfinishedSince.isEmpty() || a.started().get().isAfter(unfinishedSince.get())) {
                    unfinishedSince = a.started();
                    unfinishedTask = Optional.of(name);
                }
            }
        }
        StatusRules.LocalRunFacts facts = new StatusRules.LocalRunFacts(created, Optional.empty(), Optional.empty(),
                endAttemptAt, failedTask, failedAt, unfinishedTask, unfinishedSince, lastActivity);
        if (!inProgress) {
            keepStopped(e.dir(), before, failedDirs, facts);
        }
        return facts;
    }

    /**
     * When an attempt that has an outcome finished: the later of its {@code attempt_ok} and
     * {@code attempt-done} records (as the task's own finish is), so that a run never finishes
     * before its last task.
     */
    private static Instant finishedAt(TaskScan.AttemptScan a, TaskScan t) {
        if (a.okAt().isPresent() && a.done().isPresent()) {
            return max(a.okAt().get(), a.done().get());
        }
        return a.okAt().orElse(a.done().orElse(t.lastModified()));
    }

    /** A run's status cannot be derived while one of its tasks cannot be read. */
    private static void requireReadable(TaskScan t) {
        if (t.problem().isPresent()) {
            throw t.problem().get();
        }
    }

    /** Keeps the facts of a stopped run while nothing it is made of changes (see {@link StoppedFacts}). */
    private void keepStopped(Path runDir, Optional<List<Instant>> before, List<Path> taskDirs,
                             StatusRules.LocalRunFacts facts) {
        if (before.isEmpty()) {
            return;
        }
        Optional<List<Instant>> sig = signature(runDir, taskDirs);
        Instant settled = clock.instant().minus(Duration.ofSeconds(2));
        if (sig.isPresent() && sig.get().size() >= before.get().size()
                && sig.get().subList(0, before.get().size()).equals(before.get())
                && sig.get().stream().allMatch(t -> t.isBefore(settled))) {
            stoppedFacts.put(runDir, new StoppedFacts(sig.get(), taskDirs, facts));
        }
    }

    /**
     * Modification times of the run directory, of its step directories (by name), and of some task
     * directories and their {@code _meta}; empty if one of them vanished.
     */
    private Optional<List<Instant>> signature(Path runDir, List<Path> taskDirs) {
        List<Instant> out = new ArrayList<>();
        Optional<Instant> run = LocalFiles.mtime(runDir);
        if (run.isEmpty()) {
            return Optional.empty();
        }
        out.add(run.get());
        List<String> steps = new ArrayList<>(LocalFiles.list(runDir));
        steps.sort(Comparator.naturalOrder());
        for (String step : steps) {
            Optional<Instant> m = LocalFiles.mtime(runDir.resolve(step));
            if (m.isEmpty()) {
                return Optional.empty();
            }
            out.add(m.get());
        }
        for (Path taskDir : taskDirs) {
            for (Path p : List.of(taskDir, taskDir.resolve("_meta"))) {
                Optional<Instant> m = LocalFiles.mtime(p);
                if (m.isEmpty()) {
                    return Optional.empty();
                }
                out.add(m.get());
            }
        }
        return Optional.of(out);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** Steps ({@code _parameters} excluded) and tasks of a run. */
    public RunTree tree(RunRef ref, Path runDir) {
        Optional<RunTree> hit = finalTrees.get(runDir);
        if (hit.isPresent()) {
            return hit.get();
        }
        // only a tree read entirely after the run was known to be over may be kept: one read while the
        // end step was still writing its outcome would otherwise be served for good
        boolean overBefore = finalFacts.get(runDir).isPresent();
        List<StepEntry> steps = new ArrayList<>();
        List<TaskScan> all = new ArrayList<>();
        for (String step : children(runDir)) {
            if (step.equals(PARAMETERS_STEP)) {
                continue;
            }
            Path dir = runDir.resolve(step);
            Instant created = LocalFiles.readJsonIfExists(dir.resolve("_meta").resolve("_self.json"))
                    .flatMap(j -> LocalFiles.longValue(j, "ts_epoch")).map(Instant::ofEpochMilli).orElse(Instant.EPOCH);
            steps.add(new StepEntry(step, dir, created));
            all.addAll(stepTasks(ref, runDir, step));
        }
        RunTree tree = new RunTree(steps, all);
        Instant settled = clock.instant().minus(Duration.ofSeconds(2)); // later writes may share a time tick
        if (overBefore && all.stream().allMatch(t -> t.lastModified().isBefore(settled))) {
            finalTrees.put(runDir, tree);
        }
        return tree;
    }

    /**
     * The tasks of one step. A task whose files cannot be read is listed as {@link TaskScan#unreadable}
     * (see {@link TaskScan#problem()}), so that one broken task does not hide the others.
     */
    public List<TaskScan> stepTasks(RunRef ref, Path runDir, String step) {
        Optional<Path> stepPath = LocalFiles.child(runDir, step);
        if (stepPath.isEmpty()) {
            return List.of();
        }
        Path stepDir = stepPath.get();
        List<TaskScan> out = new ArrayList<>();
        for (String id : LocalFiles.list(stepDir)) {
            if (!LocalFiles.isSafeName(id) || id.equals("_meta")) {
                continue;
            }
            TaskRef task = new TaskRef(ref.step(step), TaskId.of(id));
            Path dir = stepDir.resolve(id);
            try {
                tasks.scan(task, dir).ifPresent(out::add);
            } catch (MetaflowException e) {
                out.add(TaskScan.unreadable(task, dir, seen(dir), faults.publicForm(e)));
            }
        }
        return out;
    }

    /** When a task whose files cannot all be read was created: its record's time, else its directory's. */
    private static Instant seen(Path dir) {
        try {
            Optional<Long> ts = LocalFiles.readJsonIfExists(dir.resolve("_meta").resolve("_self.json"))
                    .flatMap(j -> LocalFiles.longValue(j, "ts_epoch"));
            if (ts.isPresent()) {
                return Instant.ofEpochMilli(ts.get());
            }
        } catch (MetaflowException e) {
            // the record itself is broken: fall back to the directory
        }
        try {
            return LocalFiles.mtime(dir).orElse(Instant.EPOCH);
        } catch (MetaflowException e) {
            return Instant.EPOCH;
        }
    }

    public Optional<Path> taskDir(TaskRef ref) {
        return runDir(ref.run()).flatMap(d -> LocalFiles.child(d, ref.step().step()))
                .flatMap(d -> LocalFiles.child(d, ref.task().value()));
    }

    // ---------------------------------------------------------------- graph

    /** The run's graph from the {@code _graph_info} artifact of its {@code _parameters} task. */
    public Optional<Dag> dag(RunRef ref) {
        Optional<Path> runDir = runDir(ref);
        if (runDir.isEmpty()) {
            return Optional.empty();
        }
        Optional<Dag> hit = dags.get(runDir.get());
        if (hit.isPresent()) {
            return hit;
        }
        for (Path task : parameterTaskDirs(runDir.get())) {
            int attempt = TaskReader.latestAttempt(task).orElse(0);
            String sha = tasks.dataJson(task, attempt).objects().get("_graph_info");
            if (sha == null) {
                continue;
            }
            Path blob = PickleBlobs.blobPath(root, ref.flow(), sha);
            Optional<Object> value = PickleBlobs.load(blob);
            if (value.isEmpty()) {
                continue;
            }
            Dag dag = GraphInfo.toDag(ref.flow(), value.get(), blob);
            dags.put(runDir.get(), dag);
            return Optional.of(dag);
        }
        return Optional.empty();
    }

    /** Whether the run exists (has a readable or unreadable record). */
    public boolean runExists(RunRef ref) {
        return runDir(ref).map(d -> LocalFiles.isFile(d.resolve("_meta").resolve("_self.json"))).orElse(false);
    }

    /** Compares run ids without parsing them. */
    public static int compareRunIds(String a, String b) {
        return RunId.of(a).compareTo(RunId.of(b));
    }
}

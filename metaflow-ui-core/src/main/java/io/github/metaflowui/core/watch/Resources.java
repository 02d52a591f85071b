package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.PageFetcher;
import io.github.metaflowui.core.Paged;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.diff.Differ;
import io.github.metaflowui.core.diff.Fingerprint;
import io.github.metaflowui.core.diff.Snapshot;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The standard {@link Resource}s. Each poll is a handful of backend calls whatever the number of
 * listeners. Entities are keyed by pathspec ({@code Flow/Run}, {@code Flow/Run/Step},
 * {@code Flow/Run/Step/Task}, {@code Flow/Run/Step/Task/out|err}).
 *
 * <p>Every poll's snapshot is {@linkplain Snapshot#builder(Fingerprint) fingerprinted} as the backend's
 * pages are read, so the polls in between are compared by fingerprint ({@link Differ}: a change
 * hidden by a 64-bit collision is possible, with a probability of about 2<sup>-64</sup> per entity
 * and poll); the periodic full resync compares {@linkplain Differ#exact() exactly}, so such a change
 * would be delivered by the next resync at the latest.
 *
 * <p>How soon each polls again: fast while something in it runs, slow while nothing does, never
 * again once the run it belongs to has finished ({@link Activity}). The run-scoped resources ask
 * the backend for the run's status only when nothing they hold is running.
 */
public final class Resources {
    /** The largest window of runs or tasks one resource covers (offset + limit). */
    public static final int MAX_WINDOW = PageRequest.MAX_LIMIT;
    /** How many lines a log tail reads at first (and at each full resync, or after a burst). */
    public static final int TAIL_LINES = 1000;

    private static final StatusInfo NO_STATUS = StatusInfo.of(Status.UNKNOWN, "logs have no status");
    private static final Kind<Run> RUNS = new Kind<>(r -> r.ref().pathspec(), Fingerprint.runs(),
            Differ.runs(), Quiet::sameRun);
    private static final Kind<Step> STEPS = new Kind<>(s -> s.ref().pathspec(), Fingerprint.steps(),
            Differ.steps(), Quiet::sameStep);
    private static final Kind<Task> TASKS = new Kind<>(t -> t.ref().pathspec(), Fingerprint.tasks(),
            Differ.tasks(), Quiet::sameTask);
    private static final Kind<LogTail> TAILS = new Kind<>(LogTail::key, Resources::fingerprint,
            Differ.of(t -> NO_STATUS), Quiet::sameTail);

    private Resources() {
    }

    /** The first {@code limit} runs matching {@code query}, in its order, after skipping {@code offset}. */
    public static Resource<Run> runs(RunQuery query, int offset, int limit) {
        return new RunsResource(query, offset, limit);
    }

    /** The newest 100 runs matching {@code query}. */
    public static Resource<Run> runs(RunQuery query) {
        return runs(query, 0, 100);
    }

    /** One run (an empty snapshot while it does not exist). */
    public static Resource<Run> run(RunRef run) {
        return new RunResource(run);
    }

    /** The steps of a run, with their task counts. */
    public static Resource<Step> steps(RunRef run) {
        return new StepsResource(run);
    }

    /** A window of the tasks of a run that match {@code query}, in its order. */
    public static Resource<Task> tasks(RunRef run, TaskQuery query, int offset, int limit) {
        return new TasksResource(run, query, offset, limit);
    }

    /**
     * Every task of a run: {@code ceil(n / 1000)} backend calls per poll, so for very large runs
     * prefer a window or the steps' counts.
     */
    public static Resource<Task> tasks(RunRef run) {
        return new TasksResource(run, TaskQuery.all(), 0, Integer.MAX_VALUE);
    }

    /** One task, with all its attempts. */
    public static Resource<Task> task(TaskRef task) {
        return new TaskResource(task);
    }

    /**
     * The tail of one log stream: first the last {@link #TAIL_LINES} lines, then every poll only the
     * lines added since. {@code attempt} is {@link LogRequest#LATEST_ATTEMPT} to follow the task's
     * latest attempt (a retry starts a new tail), or a fixed attempt.
     */
    public static Resource<LogTail> logTail(TaskRef task, LogStream stream, int attempt) {
        return new LogTailResource(task, stream, attempt);
    }

    // ---------------------------------------------------------------- implementations

    /**
     * How one entity type is keyed, fingerprinted and compared: quietly between polls (what only
     * the passing of time changes is the same), exactly at a full resync.
     */
    private record Kind<T>(Function<T, String> key, Fingerprint<? super T> fingerprint, Differ<T> quiet,
                           Differ<T> strict) {
        Kind(Function<T, String> key, Fingerprint<? super T> fingerprint, Differ<T> differ,
             BiPredicate<? super T, ? super T> same) {
            this(key, fingerprint, differ.withEquivalence(same), differ.exact());
        }

        Snapshot.Builder<T> builder() {
            return Snapshot.builder(fingerprint);
        }

        Snapshot<T> one(T entity) {
            return builder().add(key.apply(entity), entity).build();
        }
    }

    /** A standard resource: its kind gives its differs. */
    private interface Standard<T> extends Resource<T> {
        Kind<T> kind();

        @Override
        default Differ<T> differ() {
            return kind().quiet();
        }

        @Override
        default Differ<T> strictDiffer() {
            return kind().strict();
        }
    }

    /** Every field of a log tail, its lines included. */
    private static long fingerprint(LogTail t) {
        Fingerprint.Hasher h = Fingerprint.hasher().add(t.task()).add(t.stream()).add(t.attempt()).add(t.totalLines())
                .add(t.lines().size());
        for (LogLine l : t.lines()) {
            h.add(l.row()).add(l.timestamp()).add(l.text()).add(l.stream());
        }
        return h.finish();
    }

    private static void checkWindow(int offset, int limit) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        if (limit != Integer.MAX_VALUE && (long) offset + limit > MAX_WINDOW) {
            throw new IllegalArgumentException("offset + limit must be at most " + MAX_WINDOW + ", got "
                    + ((long) offset + limit));
        }
    }

    private static String window(int offset, int limit) {
        return limit == Integer.MAX_VALUE ? "" : " [" + offset + ", " + ((long) offset + limit) + ")";
    }

    /**
     * Reads the window {@code [offset, offset + limit)} of a paged listing into a snapshot, page by
     * page, each entity fingerprinted as soon as its page is read. {@code running[0]} is set when
     * {@code running} holds for an entity read.
     */
    private static <T> Snapshot<T> window(Kind<T> kind, PageFetcher<T> fetch, int offset, int limit,
                                          Predicate<T> running, boolean[] anyRunning) {
        int pageSize = (int) Math.min(PageRequest.MAX_LIMIT, (long) offset + limit);
        Snapshot.Builder<T> b = kind.builder();
        long skip = offset;
        long left = limit;
        for (Iterator<T> it = Paged.of(fetch, pageSize).iterator(); left > 0 && it.hasNext(); ) {
            T e = it.next();
            if (skip > 0) {
                skip--;
                continue;
            }
            b.add(kind.key().apply(e), e);
            left--;
            anyRunning[0] |= running.test(e);
        }
        return b.build();
    }

    private static boolean running(StatusInfo s) {
        return s.status() == Status.RUNNING || s.status() == Status.PENDING;
    }

    /** The activity of something inside a run: active while it runs, else decided by the run's status. */
    private static Activity runScoped(MetaflowBackend backend, RunRef run, boolean running) {
        if (running) {
            return Activity.ACTIVE;
        }
        Optional<Run> r = backend.run(run);
        if (r.isEmpty()) {
            return Activity.IDLE;
        }
        Status s = r.get().status().status();
        return s.isTerminal() ? Activity.FINISHED : Activity.ACTIVE;
    }

    private record RunsResource(RunQuery query, int offset, int limit) implements Standard<Run> {
        RunsResource {
            Objects.requireNonNull(query, "query");
            checkWindow(offset, limit);
        }

        @Override
        public Poll<Run> poll(MetaflowBackend backend, Snapshot<Run> previous) {
            backend.checkRunsFresh(); // an index serving its last state while its source is down fails the poll
            boolean[] running = {false};
            Snapshot<Run> s = window(RUNS, p -> backend.listRuns(query, p), offset, limit,
                    r -> !r.status().status().isTerminal(), running);
            return new Poll<>(s, running[0] ? Activity.ACTIVE : Activity.IDLE);
        }

        @Override
        public Kind<Run> kind() {
            return RUNS;
        }

        @Override
        public String describe() {
            return "runs " + query + window(offset, limit);
        }
    }

    private record RunResource(RunRef run) implements Standard<Run> {
        RunResource {
            Objects.requireNonNull(run, "run");
        }

        @Override
        public Poll<Run> poll(MetaflowBackend backend, Snapshot<Run> previous) {
            Optional<Run> r = backend.run(run);
            if (r.isEmpty()) {
                return new Poll<>(Snapshot.empty(), Activity.IDLE);
            }
            Activity a = r.get().status().status().isTerminal() ? Activity.FINISHED : Activity.ACTIVE;
            return new Poll<>(RUNS.one(r.get()), a);
        }

        @Override
        public Kind<Run> kind() {
            return RUNS;
        }

        @Override
        public String describe() {
            return "run " + run;
        }
    }

    private record StepsResource(RunRef run) implements Standard<Step> {
        StepsResource {
            Objects.requireNonNull(run, "run");
        }

        @Override
        public Poll<Step> poll(MetaflowBackend backend, Snapshot<Step> previous) {
            Snapshot.Builder<Step> b = STEPS.builder();
            boolean running = false;
            for (Step s : backend.steps(run)) {
                b.add(s.ref().pathspec(), s);
                running |= running(s.status());
            }
            return new Poll<>(b.build(), runScoped(backend, run, running));
        }

        @Override
        public Kind<Step> kind() {
            return STEPS;
        }

        @Override
        public String describe() {
            return "steps of " + run;
        }
    }

    private record TasksResource(RunRef run, TaskQuery query, int offset, int limit) implements Standard<Task> {
        TasksResource {
            Objects.requireNonNull(run, "run");
            Objects.requireNonNull(query, "query");
            checkWindow(offset, limit);
        }

        @Override
        public Poll<Task> poll(MetaflowBackend backend, Snapshot<Task> previous) {
            boolean[] running = {false};
            Snapshot<Task> s = window(TASKS, p -> backend.listTasks(run, query, p), offset, limit,
                    t -> running(t.status()), running);
            return new Poll<>(s, runScoped(backend, run, running[0]));
        }

        @Override
        public Kind<Task> kind() {
            return TASKS;
        }

        @Override
        public String describe() {
            return "tasks of " + run + " " + query + window(offset, limit);
        }
    }

    private record TaskResource(TaskRef task) implements Standard<Task> {
        TaskResource {
            Objects.requireNonNull(task, "task");
        }

        @Override
        public Poll<Task> poll(MetaflowBackend backend, Snapshot<Task> previous) {
            Optional<Task> t = backend.task(task);
            Snapshot<Task> s = t.map(TASKS::one).orElse(Snapshot.empty());
            return new Poll<>(s, runScoped(backend, task.run(), t.isPresent() && running(t.get().status())));
        }

        @Override
        public Kind<Task> kind() {
            return TASKS;
        }

        @Override
        public String describe() {
            return "task " + task;
        }
    }

    private record LogTailResource(TaskRef task, LogStream stream, int attempt) implements Standard<LogTail> {
        LogTailResource {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(stream, "stream");
            LogRequest.fromEnd(0, 1).attempt(attempt); // validates
        }

        @Override
        public Poll<LogTail> poll(MetaflowBackend backend, Snapshot<LogTail> previous) {
            Optional<LogTail> prev = previous.values().stream().findFirst();
            LogTail tail = null;
            if (prev.isPresent()) {
                LogTail p = prev.get();
                int ask = attempt == LogRequest.LATEST_ATTEMPT ? LogRequest.LATEST_ATTEMPT : p.attempt();
                LogPage page = backend.logs(task, stream, LogRequest.fromStart(p.totalLines(), TAIL_LINES).attempt(ask));
                int served = page.attempt() >= 0 ? page.attempt() : p.attempt();
                boolean contiguous = served == p.attempt() && page.totalLines() >= p.totalLines()
                        && p.totalLines() + page.lines().size() == page.totalLines();
                if (contiguous) {
                    tail = new LogTail(task, stream, served, page.totalLines(), page.lines());
                }
            }
            if (tail == null) {
                // first poll, resync, a new attempt, a burst of more than TAIL_LINES, or a log that shrank
                LogPage page = backend.logs(task, stream, LogRequest.fromEnd(0, TAIL_LINES).attempt(attempt));
                int served = page.attempt() >= 0 ? page.attempt() : Math.max(0, attempt);
                tail = new LogTail(task, stream, served, page.totalLines(), page.lines());
            }
            return new Poll<>(TAILS.one(tail), activity(backend, tail.attempt()));
        }

        private Activity activity(MetaflowBackend backend, int served) {
            Optional<Task> t = backend.task(task);
            if (t.isEmpty()) {
                return Activity.IDLE;
            }
            Optional<Attempt> a = t.get().attempts().stream().filter(x -> x.id() == served).findFirst();
            boolean attemptDone = a.isPresent() && a.get().status().status().isTerminal();
            if (attempt != LogRequest.LATEST_ATTEMPT) {
                return attemptDone ? Activity.FINISHED : Activity.ACTIVE;
            }
            return runScoped(backend, task.run(), !attemptDone || !t.get().status().status().isTerminal());
        }

        @Override
        public Kind<LogTail> kind() {
            return TAILS;
        }

        /** The tail's lines are not compared, only where it ends: a full resync is no stricter. */
        @Override
        public Differ<LogTail> strictDiffer() {
            return TAILS.quiet().exact();
        }

        @Override
        public String describe() {
            return (stream == LogStream.STDERR ? "stderr" : "stdout") + " of " + task
                    + (attempt == LogRequest.LATEST_ATTEMPT ? "" : " attempt " + attempt);
        }
    }
}

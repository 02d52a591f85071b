package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.PageRequest;
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
import io.github.metaflowui.core.diff.Snapshot;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The standard {@link Resource}s. Each poll is a handful of backend calls whatever the number of
 * listeners. Entities are keyed by pathspec ({@code Flow/Run}, {@code Flow/Run/Step},
 * {@code Flow/Run/Step/Task}, {@code Flow/Run/Step/Task/out|err}).
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
    private static final Differ<Run> RUNS = Differ.runs().withEquivalence(Quiet::sameRun);
    private static final Differ<Step> STEPS = Differ.steps().withEquivalence(Quiet::sameStep);
    private static final Differ<Task> TASKS = Differ.tasks().withEquivalence(Quiet::sameTask);
    private static final Differ<LogTail> TAILS = Differ.<LogTail>of(t -> NO_STATUS).withEquivalence(Quiet::sameTail);

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

    private static boolean anyRunning(Collection<? extends Object> entities) {
        for (Object e : entities) {
            Status s = e instanceof Task t ? t.status().status() : e instanceof Step st ? st.status().status() : null;
            if (s == Status.RUNNING || s == Status.PENDING) {
                return true;
            }
        }
        return false;
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

    private record RunsResource(RunQuery query, int offset, int limit) implements Resource<Run> {
        RunsResource {
            Objects.requireNonNull(query, "query");
            checkWindow(offset, limit);
        }

        @Override
        public Poll<Run> poll(MetaflowBackend backend, Snapshot<Run> previous) {
            int pageSize = Math.min(PageRequest.MAX_LIMIT, offset + limit);
            List<Run> runs = Paged.of(p -> backend.listRuns(query, p), pageSize).stream()
                    .skip(offset).limit(limit).toList();
            boolean running = runs.stream().anyMatch(r -> !r.status().status().isTerminal());
            return new Poll<>(Snapshot.of(runs, r -> r.ref().pathspec()), running ? Activity.ACTIVE : Activity.IDLE);
        }

        @Override
        public Differ<Run> differ() {
            return RUNS;
        }

        @Override
        public Differ<Run> strictDiffer() {
            return Differ.runs();
        }

        @Override
        public String describe() {
            return "runs " + query + " [" + offset + ", " + (offset + limit) + ")";
        }
    }

    private record RunResource(RunRef run) implements Resource<Run> {
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
            return new Poll<>(Snapshot.of(run.pathspec(), r.get()), a);
        }

        @Override
        public Differ<Run> differ() {
            return RUNS;
        }

        @Override
        public Differ<Run> strictDiffer() {
            return Differ.runs();
        }

        @Override
        public String describe() {
            return "run " + run;
        }
    }

    private record StepsResource(RunRef run) implements Resource<Step> {
        StepsResource {
            Objects.requireNonNull(run, "run");
        }

        @Override
        public Poll<Step> poll(MetaflowBackend backend, Snapshot<Step> previous) {
            List<Step> steps = backend.steps(run);
            return new Poll<>(Snapshot.of(steps, s -> s.ref().pathspec()), runScoped(backend, run, anyRunning(steps)));
        }

        @Override
        public Differ<Step> differ() {
            return STEPS;
        }

        @Override
        public Differ<Step> strictDiffer() {
            return Differ.steps();
        }

        @Override
        public String describe() {
            return "steps of " + run;
        }
    }

    private record TasksResource(RunRef run, TaskQuery query, int offset, int limit) implements Resource<Task> {
        TasksResource {
            Objects.requireNonNull(run, "run");
            Objects.requireNonNull(query, "query");
            checkWindow(offset, limit);
        }

        @Override
        public Poll<Task> poll(MetaflowBackend backend, Snapshot<Task> previous) {
            int pageSize = (int) Math.min(PageRequest.MAX_LIMIT, (long) offset + limit);
            List<Task> tasks = Paged.of(p -> backend.listTasks(run, query, p), pageSize).stream()
                    .skip(offset).limit(limit).toList();
            return new Poll<>(Snapshot.of(tasks, t -> t.ref().pathspec()), runScoped(backend, run, anyRunning(tasks)));
        }

        @Override
        public Differ<Task> differ() {
            return TASKS;
        }

        @Override
        public Differ<Task> strictDiffer() {
            return Differ.tasks();
        }

        @Override
        public String describe() {
            return "tasks of " + run + " " + query + (limit == Integer.MAX_VALUE ? "" : " [" + offset + ", "
                    + (offset + limit) + ")");
        }
    }

    private record TaskResource(TaskRef task) implements Resource<Task> {
        TaskResource {
            Objects.requireNonNull(task, "task");
        }

        @Override
        public Poll<Task> poll(MetaflowBackend backend, Snapshot<Task> previous) {
            Optional<Task> t = backend.task(task);
            Snapshot<Task> s = t.map(x -> Snapshot.of(task.pathspec(), x)).orElse(Snapshot.empty());
            return new Poll<>(s, runScoped(backend, task.run(), anyRunning(s.values())));
        }

        @Override
        public Differ<Task> differ() {
            return TASKS;
        }

        @Override
        public Differ<Task> strictDiffer() {
            return Differ.tasks();
        }

        @Override
        public String describe() {
            return "task " + task;
        }
    }

    private record LogTailResource(TaskRef task, LogStream stream, int attempt) implements Resource<LogTail> {
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
            Snapshot<LogTail> s = Snapshot.of(tail.key(), tail);
            return new Poll<>(s, activity(backend, tail.attempt()));
        }

        private Activity activity(MetaflowBackend backend, int served) {
            Optional<Task> t = backend.task(task);
            if (t.isEmpty()) {
                return Activity.IDLE;
            }
            Optional<io.github.metaflowui.core.Attempt> a = t.get().attempts().stream().filter(x -> x.id() == served)
                    .findFirst();
            boolean attemptDone = a.isPresent() && a.get().status().status().isTerminal();
            if (attempt != LogRequest.LATEST_ATTEMPT) {
                return attemptDone ? Activity.FINISHED : Activity.ACTIVE;
            }
            return runScoped(backend, task.run(), !attemptDone || !t.get().status().status().isTerminal());
        }

        @Override
        public Differ<LogTail> differ() {
            return TAILS;
        }

        @Override
        public String describe() {
            return (stream == LogStream.STDERR ? "stderr" : "stdout") + " of " + task
                    + (attempt == LogRequest.LATEST_ATTEMPT ? "" : " attempt " + attempt);
        }
    }
}

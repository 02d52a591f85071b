package io.github.metaflowui.core.testing;

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
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Parameter;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.StatusRules;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.StepRef;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskCounts;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory backend whose data a test changes step by step; counts calls and can be told to fail.
 * Thread-safe enough for one writer (the test) and the watcher's reader. Shared with other modules' tests
 * through core's test-jar.
 */
public final class ScriptedBackend implements MetaflowBackend {
    /** When every scripted run and task was created. */
    public static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");

    private final Map<RunRef, Run> runs = new LinkedHashMap<>();
    private final Map<RunRef, Map<TaskRef, Task>> tasks = new LinkedHashMap<>();
    /** A log is "line 1" ... "line N", each followed by the log's padding (generated, not stored). */
    private static final class Log {
        int lines;
        String padding = "";
    }

    private final Map<String, Log> logs = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private volatile RuntimeException failure;
    private volatile int failuresLeft;

    @Override
    public String describe() {
        return "a scripted backend";
    }

    // ---------------------------------------------------------------- scripting

    /** Sets a run's status (creating it), with the given user tags. */
    public synchronized ScriptedBackend run(String pathspec, Status status, String reason, String... tags) {
        RunRef ref = RunRef.of(pathspec.split("/")[0], pathspec.split("/")[1]);
        Run prev = runs.get(ref);
        Instant created = prev != null ? prev.createdAt() : T0.plusSeconds(runs.size());
        boolean done = status.isTerminal();
        runs.put(ref, new Run(ref, "alice", Optional.of("alice"), created, List.of(tags), List.of("user:alice"),
                StatusInfo.of(status, reason), done ? Optional.of(created.plusSeconds(60)) : Optional.empty(),
                Optional.empty(), Optional.empty()));
        tasks.computeIfAbsent(ref, r -> new LinkedHashMap<>());
        return this;
    }

    public synchronized ScriptedBackend task(String pathspec, Status... attemptStatuses) {
        TaskRef ref = TaskRef.parse(pathspec);
        List<Attempt> attempts = new ArrayList<>();
        for (int a = 0; a < attemptStatuses.length; a++) {
            Status s = attemptStatuses[a];
            attempts.add(new Attempt(a, StatusInfo.of(s, "attempt " + a + " " + s.wireName()),
                    Optional.of(T0.plusSeconds(a)), s.isTerminal() ? Optional.of(T0.plusSeconds(a + 1)) : Optional.empty()));
        }
        Task t = new Task(ref, T0, attempts, StatusRules.taskStatus(attempts), Optional.empty());
        tasks.computeIfAbsent(ref.run(), r -> new LinkedHashMap<>()).put(ref, t);
        return this;
    }

    public synchronized ScriptedBackend log(String pathspec, LogStream stream, int attempt, int lines) {
        return log(pathspec, stream, attempt, lines, "");
    }

    /** Appends lines "line N" followed by {@code padding}. */
    public synchronized ScriptedBackend log(String pathspec, LogStream stream, int attempt, int lines, String padding) {
        Log l = logs.computeIfAbsent(pathspec + "/" + stream + "/" + attempt, k -> new Log());
        l.lines += lines;
        l.padding = padding;
        return this;
    }

    /** The next {@code n} data calls throw {@code e}. */
    public void failNext(int n, RuntimeException e) {
        failure = e;
        failuresLeft = n;
    }

    public int calls(String method) {
        return calls.getOrDefault(method, new AtomicInteger()).get();
    }

    public int totalCalls() {
        return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    private void call(String method) {
        calls.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
        if (failuresLeft > 0) {
            failuresLeft--;
            throw failure;
        }
    }

    // ---------------------------------------------------------------- SPI

    @Override
    public synchronized Page<Flow> listFlows(PageRequest page) {
        call("listFlows");
        return Page.last(runs.keySet().stream().map(RunRef::flow).distinct().sorted()
                .map(f -> Flow.of(f, T0)).toList());
    }

    @Override
    public synchronized Optional<Flow> flow(String name) {
        call("flow");
        return runs.keySet().stream().anyMatch(r -> r.flow().equals(name)) ? Optional.of(Flow.of(name, T0))
                : Optional.empty();
    }

    /** The current tasks of a run, in creation order. */
    public synchronized List<Task> tasksOf(RunRef run) {
        return List.copyOf(tasks.getOrDefault(run, Map.of()).values());
    }

    public synchronized Optional<Run> runNow(RunRef run) {
        return Optional.ofNullable(runs.get(run));
    }

    @Override
    public synchronized Page<Run> listRuns(RunQuery query, PageRequest page) {
        call("listRuns");
        List<Run> all = runs.values().stream().filter(query::matches)
                .sorted(Comparator.comparing(Run::createdAt).reversed()).toList();
        return slice(all, page);
    }

    @Override
    public synchronized Optional<Run> run(RunRef run) {
        call("run");
        return Optional.ofNullable(runs.get(run));
    }

    @Override
    public synchronized List<Step> steps(RunRef run) {
        call("steps");
        Map<String, List<Task>> byStep = new LinkedHashMap<>();
        for (Task t : tasks.getOrDefault(run, Map.of()).values()) {
            byStep.computeIfAbsent(t.step(), s -> new ArrayList<>()).add(t);
        }
        List<Step> out = new ArrayList<>();
        byStep.forEach((name, list) -> {
            TaskCounts c = TaskCounts.of(list);
            out.add(new Step(new StepRef(run, name), T0, StatusRules.stepStatus(c), c, Optional.of(T0), Optional.empty()));
        });
        return out;
    }

    @Override
    public synchronized Page<Task> listTasks(RunRef run, TaskQuery query, PageRequest page) {
        call("listTasks");
        List<Task> all = tasks.getOrDefault(run, Map.of()).values().stream().filter(query::matches).toList();
        return slice(all, page);
    }

    @Override
    public synchronized Optional<Task> task(TaskRef task) {
        call("task");
        return Optional.ofNullable(tasks.getOrDefault(task.run(), Map.of()).get(task));
    }

    @Override
    public List<MetadataRecord> metadata(TaskRef task) {
        return List.of();
    }

    @Override
    public List<ArtifactRecord> artifacts(TaskRef task) {
        return List.of();
    }

    @Override
    public Optional<ArtifactValue> artifactValue(TaskRef task, String name, int attempt, int maxChars) {
        return Optional.empty();
    }

    @Override
    public synchronized LogPage logs(TaskRef task, LogStream stream, LogRequest request) {
        call("logs");
        int attempt = request.latestAttempt()
                ? Optional.ofNullable(tasks.getOrDefault(task.run(), Map.of()).get(task)).map(Task::currentAttempt).orElse(0)
                : request.attempt();
        Log log = logs.getOrDefault(task.pathspec() + "/" + stream + "/" + attempt, new Log());
        long from = request.firstRow(log.lines);
        long to = request.endRow(log.lines);
        List<LogLine> lines = new ArrayList<>();
        for (long r = from; r < to; r++) {
            lines.add(new LogLine(r, Optional.empty(), "line " + (r + 1) + log.padding, stream));
        }
        return new LogPage(attempt, lines, log.lines);
    }

    @Override
    public Optional<Dag> dag(RunRef run) {
        return Optional.empty();
    }

    @Override
    public List<Parameter> parameters(RunRef run) {
        return List.of();
    }

    private static <T> Page<T> slice(List<T> all, PageRequest page) {
        int from = page.cursor().map(Integer::parseInt).orElse(0);
        int to = Math.min(all.size(), from + page.limit());
        return Page.of(all.subList(Math.min(from, to), to), to < all.size() ? Integer.toString(to) : null);
    }

    public static MetaflowException.NoAnswerException unreachable() {
        return new MetaflowException.NoAnswerException("connection refused: metadata service at 127.0.0.1:1");
    }

    public static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}

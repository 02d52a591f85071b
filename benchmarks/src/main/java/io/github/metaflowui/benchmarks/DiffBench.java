package io.github.metaflowui.benchmarks;

import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.diff.Differ;
import io.github.metaflowui.core.diff.Fingerprint;
import io.github.metaflowui.core.diff.Snapshot;
import io.github.metaflowui.core.watch.Resources;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The diff engine on two snapshots of {@code tasks} tasks (100,000 by default) where 1 % changed
 * (status changes, retries, failures, removals, additions), built as two polls would build them: no
 * instance shared, each fingerprinted as the watcher's resources build them. {@code baseline} is the
 * least a diff that compares entities does (look each key up in a hash map, compare with
 * {@code equals}); {@code diff} trusts fingerprints, {@code exactDiff} compares every pair with
 * {@code equals}. The {@code build*} benchmarks show what fingerprints add to building a snapshot:
 * from tasks already in memory (cold, the worst case) and while the tasks are being made (as a poll
 * decodes them). {@code java -jar metaflow-ui-benchmarks.jar jmh DiffBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 4)
public class DiffBench {
    @Param("100000")
    public int tasks;

    private Snapshot<Task> before;
    private Snapshot<Task> after;
    private Map<String, Task> beforeMap;
    private Map<String, Task> afterMap;
    private List<Task> afterTasks;
    private Instant t0;
    private final Differ<Task> strict = Differ.tasks();
    private final Differ<Task> exact = Differ.tasks().exact();
    private final Differ<Task> quiet = Resources.tasks(RunRef.of("BigFlow", "12")).differ();

    @Setup(Level.Trial)
    public void setUp() {
        Random rnd = new Random(42);
        t0 = Instant.parse("2026-12-03T12:00:00Z");
        List<Task> a = new ArrayList<>(tasks);
        List<Task> b = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            String id = Integer.toString(i + 2);
            Status s = i % 5 == 0 ? Status.RUNNING : Status.COMPLETED;
            a.add(task(id, s, 1, t0));
            int roll = rnd.nextInt(1000);
            if (roll < 4) {
                b.add(task(id, s == Status.RUNNING ? Status.COMPLETED : Status.RUNNING, 1, t0));
            } else if (roll < 7) {
                b.add(task(id, s, 2, t0));
            } else if (roll < 8) {
                continue; // removed
            } else if (roll < 10) {
                b.add(task(id, Status.FAILED, 1, t0));
            } else {
                b.add(task(id, s, 1, t0));
            }
        }
        for (int i = 0; i < tasks / 1000; i++) {
            b.add(task(Integer.toString(tasks + 2 + i), Status.PENDING, 0, t0));
        }
        before = Snapshot.of(a, t -> t.ref().pathspec(), Fingerprint.tasks());
        after = Snapshot.of(b, t -> t.ref().pathspec(), Fingerprint.tasks());
        beforeMap = new LinkedHashMap<>(before.asMap());
        afterMap = new LinkedHashMap<>(after.asMap());
        afterTasks = b;
    }

    private static Task task(String id, Status s, int attempts, Instant t0) {
        List<Attempt> list = new ArrayList<>();
        for (int n = 0; n < attempts; n++) {
            Status st = n == attempts - 1 ? s : Status.FAILED;
            list.add(new Attempt(n, StatusInfo.of(st, "attempt " + n + " " + st.wireName()), Optional.of(t0.plusSeconds(n)),
                    st.isTerminal() ? Optional.of(t0.plusSeconds(n + 1)) : Optional.empty()));
        }
        StatusInfo status = list.isEmpty() ? StatusInfo.of(Status.PENDING, "registered, not started yet")
                : list.get(list.size() - 1).status();
        return new Task(TaskRef.of("BigFlow", "12", "square", id), t0, list, status, Optional.of("items[" + id + "]"));
    }

    @Benchmark
    public int baseline() {
        Map<String, Task> old = beforeMap;
        int differ = 0;
        for (Map.Entry<String, Task> e : afterMap.entrySet()) {
            Task prev = old.get(e.getKey());
            if (prev == null || !prev.equals(e.getValue())) {
                differ++;
            }
        }
        return differ;
    }

    @Benchmark
    public int diff() {
        return strict.diff(before, after).size();
    }

    @Benchmark
    public int quietDiff() {
        return quiet.diff(before, after).size();
    }

    @Benchmark
    public int exactDiff() {
        return exact.diff(before, after).size();
    }

    /** A snapshot of tasks already in memory, without fingerprints. */
    @Benchmark
    public Snapshot<Task> buildPlain() {
        return Snapshot.of(afterTasks, t -> t.ref().pathspec());
    }

    /** The same, fingerprinting each task (reading every task's graph once more, from memory). */
    @Benchmark
    public Snapshot<Task> buildFingerprinted() {
        return Snapshot.of(afterTasks, t -> t.ref().pathspec(), Fingerprint.tasks());
    }

    /** Making the tasks (as a poll decodes them) and a snapshot of them, without fingerprints. */
    @Benchmark
    public Snapshot<Task> decodePlain() {
        return decode(Snapshot.builder());
    }

    /** The same, fingerprinting each task just after it is made. */
    @Benchmark
    public Snapshot<Task> decodeFingerprinted() {
        return decode(Snapshot.builder(Fingerprint.tasks()));
    }

    private Snapshot<Task> decode(Snapshot.Builder<Task> b) {
        for (int i = 0; i < tasks; i++) {
            Task t = task(Integer.toString(i + 2), i % 5 == 0 ? Status.RUNNING : Status.COMPLETED, 1, t0);
            b.add(t.ref().pathspec(), t);
        }
        return b.build();
    }
}

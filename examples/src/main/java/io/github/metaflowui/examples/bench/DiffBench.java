package io.github.metaflowui.examples.bench;

import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.diff.Differ;
import io.github.metaflowui.core.diff.Snapshot;
import io.github.metaflowui.core.watch.Resources;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The diff engine on two 100,000-task snapshots where 1 % of the tasks changed (status changes,
 * retries, a few added and removed), built as two polls would build them: no instance shared.
 * Prints p50/p90/p99 of the strict differ, of the watcher's quiet differ, and of a baseline that only
 * looks every key up and compares with {@code equals} (what any diff must at least do).
 *
 * <pre>java -cp examples/target/metaflow-ui-standalone.jar io.github.metaflowui.examples.bench.DiffBench [tasks] [rounds]</pre>
 */
public final class DiffBench {
    private DiffBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Random rnd = new Random(42);
        Instant t0 = Instant.parse("2026-12-03T12:00:00Z");
        List<Task> before = new ArrayList<>(n);
        List<Task> after = new ArrayList<>(n);
        int changed = 0;
        for (int i = 0; i < n; i++) {
            String id = Integer.toString(i + 2);
            Status s = i % 5 == 0 ? Status.RUNNING : Status.COMPLETED;
            before.add(task(id, s, 1, t0));
            int roll = rnd.nextInt(1000);
            if (roll < 4) {
                after.add(task(id, s == Status.RUNNING ? Status.COMPLETED : Status.RUNNING, 1, t0)); // status
                changed++;
            } else if (roll < 7) {
                after.add(task(id, s, 2, t0)); // retried
                changed++;
            } else if (roll < 8) {
                changed++; // removed
            } else if (roll < 10) {
                after.add(task(id, s == Status.FAILED ? Status.COMPLETED : Status.FAILED, 1, t0)); // failed
                changed++;
            } else {
                after.add(task(id, s, 1, t0)); // equal, another instance
            }
        }
        for (int i = 0; i < n / 1000; i++) {
            after.add(task(Integer.toString(n + 2 + i), Status.PENDING, 0, t0)); // new
            changed++;
        }
        Snapshot<Task> a = Snapshot.of(before, t -> t.ref().pathspec());
        Snapshot<Task> b = Snapshot.of(after, t -> t.ref().pathspec());
        Differ<Task> strict = Differ.tasks();
        Differ<Task> quiet = Resources.tasks(io.github.metaflowui.core.RunRef.of("BigFlow", "12")).differ();

        System.out.printf("DiffBench: %,d tasks before, %,d after, %,d (%.2f %%) changed; %d rounds after warm-up%n",
                a.size(), b.size(), changed, 100.0 * changed / n, rounds);
        double[] base = measure(rounds, () -> baseline(a, b));
        double[] s = measure(rounds, () -> strict.diff(a, b).size());
        double[] q = measure(rounds, () -> quiet.diff(a, b).size());
        System.out.printf("changes found: strict %d, quiet %d%n", strict.diff(a, b).size(), quiet.diff(a, b).size());
        report("baseline (lookup + equals per key)", base, null);
        report("Differ.tasks().diff", s, base);
        report("watcher's quiet differ", q, base);
    }

    private static Task task(String id, Status s, int attempts, Instant t0) {
        List<Attempt> list = new ArrayList<>();
        for (int a = 0; a < attempts; a++) {
            boolean last = a == attempts - 1;
            Status st = last ? s : Status.FAILED;
            list.add(new Attempt(a, StatusInfo.of(st, "attempt " + a + " " + st.wireName()),
                    Optional.of(t0.plusSeconds(a)), st.isTerminal() ? Optional.of(t0.plusSeconds(a + 1)) : Optional.empty()));
        }
        StatusInfo status = list.isEmpty() ? StatusInfo.of(Status.PENDING, "registered, not started yet")
                : list.get(list.size() - 1).status();
        return new Task(TaskRef.of("BigFlow", "12", "square", id), t0, list, status, Optional.of("items[" + id + "]"));
    }

    /** The least any diff does: every key of the newer snapshot looked up in the older, compared with equals. */
    private static int baseline(Snapshot<Task> a, Snapshot<Task> b) {
        Map<String, Task> old = a.asMap();
        int differ = 0;
        for (Map.Entry<String, Task> e : b.asMap().entrySet()) {
            Task prev = old.get(e.getKey());
            if (prev == null || !prev.equals(e.getValue())) {
                differ++;
            }
        }
        return differ;
    }

    private static double[] measure(int rounds, java.util.function.IntSupplier body) {
        int sink = 0;
        for (int i = 0; i < Math.max(50, rounds / 2); i++) {
            sink += body.getAsInt(); // warm-up: let the JIT compile it
        }
        double[] ms = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            sink += body.getAsInt();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        if (sink == 42) {
            System.out.print("");
        }
        Arrays.sort(ms);
        return ms;
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static void report(String name, double[] ms, double[] base) {
        String ratio = base == null ? "" : String.format(" (%.2fx the baseline's p50)", pct(ms, .5) / pct(base, .5));
        System.out.printf("%-36s p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %6.2f ms%s%n", name, pct(ms, .5),
                pct(ms, .9), pct(ms, .99), ms[ms.length - 1], ratio);
    }
}

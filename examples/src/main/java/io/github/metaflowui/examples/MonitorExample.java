package io.github.metaflowui.examples;

import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.spi.MetaflowBackend;
import io.github.metaflowui.core.watch.MetaflowMonitor;
import io.github.metaflowui.core.watch.Watcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Monitoring runs from a Java service: prints every status change of a flow's runs, raises an alert
 * when one fails, and waits for a run to finish.
 *
 * <pre>
 * java -cp metaflow-ui-standalone.jar io.github.metaflowui.examples.MonitorExample [--metaflow-dir DIR --flow FLOW]
 * </pre>
 *
 * Without {@code --metaflow-dir} it watches the demo: simulated runs in a temporary copy of the
 * bundled sample data, and stops after the second demo run (which fails on purpose).
 */
public final class MonitorExample {
    private MonitorExample() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out));
    }

    /** Runs the example; returns the exit code. */
    static int run(String[] args, PrintStream out) throws InterruptedException {
        Path dir = null;
        String flow = DemoRuns.FLOW;
        double speed = 1.0;
        Duration wait = Duration.ofMinutes(10);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--metaflow-dir" -> dir = Path.of(args[++i]);
                case "--flow" -> flow = args[++i];
                case "--speed" -> speed = Double.parseDouble(args[++i]);
                case "--wait-minutes" -> wait = Duration.ofMinutes(Long.parseLong(args[++i]));
                default -> {
                    out.println("usage: MonitorExample [--metaflow-dir DIR --flow FLOW] [--wait-minutes N]");
                    return 2;
                }
            }
        }
        boolean demo = dir == null;
        Path root = demo ? SampleData.writableCopy() : dir;
        try (MetaflowBackend backend = LocalMetaflowBackend.builder().root(root).build();
             Watcher watcher = Watcher.builder(backend).activeInterval(Duration.ofMillis(Math.max(50, (long) (1000 / speed))))
                     .idleInterval(Duration.ofMillis(Math.max(100, (long) (5000 / speed)))).build();
             MetaflowMonitor monitor = MetaflowMonitor.of(watcher);
             DemoRuns runs = demo ? new DemoRuns(root, Clock.systemUTC(), speed) : null) {

            if (runs != null) {
                SampleData.stopBeforeCleanup(runs);
            }
            // runs whose alert or done line has been printed (the demo waits for them before it stops)
            Map<RunRef, CompletableFuture<Void>> reported = new ConcurrentHashMap<>();
            Function<RunRef, CompletableFuture<Void>> report = ref -> reported.computeIfAbsent(ref, k -> new CompletableFuture<>());
            // 1. alert on every failed run of the flow
            monitor.onRunFailed(flow, r -> {
                out.println("ALERT " + r.ref() + " failed: " + r.status().reason());
                report.apply(r.ref()).complete(null);
            });
            // 2. a line for every run that completes
            monitor.onRunStatus(RunQuery.ofFlow(flow), Status.COMPLETED, r -> {
                out.println("done  " + r.ref() + " in " + r.duration().map(Duration::toSeconds).orElse(0L) + " s");
                report.apply(r.ref()).complete(null);
            });
            monitor.onError(e -> out.println("(the data source failed " + e.failures() + " time(s): " + e.message()
                    + "; retrying)"));
            if (!demo) {
                out.println("Watching the runs of " + flow + " in " + backend.describe() + "; Ctrl+C to stop.");
                Thread.sleep(wait.toMillis());
                return 0;
            }
            runs.start();
            // 3. follow the demo runs one by one: their status changes, then their end
            List<RunRef> followed = new ArrayList<>();
            for (int n = 1; n <= 2; n++) {
                RunRef ref = awaitRun(runs, n);
                followed.add(ref);
                out.println("following " + ref);
                var sub = monitor.statusChanges(ref, c -> out.println("  " + c));
                try {
                    Run last = monitor.awaitFinished(ref, wait);
                    out.println("finished " + last.ref() + ": " + last.status().status().wireName() + " ("
                            + last.status().reason() + ")");
                } catch (TimeoutException e) {
                    out.println(e.getMessage());
                    return 1;
                } finally {
                    sub.close();
                }
            }
            // the alert and done lines come from the flow's runs list, polled on its own: wait for them
            // (a loaded machine can be seconds late), but never longer than the example waits for a run
            try {
                CompletableFuture.allOf(followed.stream().map(report).toArray(CompletableFuture[]::new))
                        .get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                out.println("no alert or done line for every run within " + wait.toMinutes() + " min");
                return 1;
            }
            return 0;
        }
    }

    private static RunRef awaitRun(DemoRuns runs, int n) throws InterruptedException {
        while (runs.run(n) == null) {
            Thread.sleep(20);
        }
        return RunRef.of(DemoRuns.FLOW, runs.run(n)); // the n-th, even when a later one started meanwhile
    }
}

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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

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

            // 1. alert on every failed run of the flow
            Set<RunRef> alerted = ConcurrentHashMap.newKeySet();
            monitor.onRunFailed(flow, r -> {
                out.println("ALERT " + r.ref() + " failed: " + r.status().reason());
                alerted.add(r.ref());
            });
            // 2. a line for every run that completes
            monitor.onRunStatus(RunQuery.ofFlow(flow), Status.COMPLETED,
                    r -> out.println("done  " + r.ref() + " in " + r.duration().map(Duration::toSeconds).orElse(0L) + " s"));
            monitor.onError(e -> out.println("(the data source failed " + e.failures() + " time(s): " + e.message()
                    + "; retrying)"));
            if (!demo) {
                out.println("Watching the runs of " + flow + " in " + backend.describe() + "; Ctrl+C to stop.");
                Thread.sleep(wait.toMillis());
                return 0;
            }
            runs.start();
            // 3. follow the demo runs one by one: their status changes, then their end
            Run last = null;
            for (int n = 1; n <= 2; n++) {
                RunRef ref = awaitRun(runs, n);
                out.println("following " + ref);
                var sub = monitor.statusChanges(ref, c -> out.println("  " + c));
                try {
                    last = monitor.awaitFinished(ref, wait);
                    out.println("finished " + last.ref() + ": " + last.status().status().wireName() + " ("
                            + last.status().reason() + ")");
                } catch (TimeoutException e) {
                    out.println(e.getMessage());
                    return 1;
                } finally {
                    sub.close();
                }
            }
            // the last run fails on purpose; its alert comes from the flow's runs, polled on their own: wait for it
            long until = System.nanoTime() + Math.max(10_000, (long) (3000 / speed)) * 1_000_000L;
            boolean failed = last.status().status() == Status.FAILED;
            while (failed && !alerted.contains(last.ref()) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            return 0;
        }
    }

    private static RunRef awaitRun(DemoRuns runs, int n) throws InterruptedException {
        while (runs.runsStarted() < n) {
            Thread.sleep(20);
        }
        return RunRef.of(DemoRuns.FLOW, runs.currentRun());
    }
}

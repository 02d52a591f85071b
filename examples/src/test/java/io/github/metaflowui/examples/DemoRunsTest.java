package io.github.metaflowui.examples;

import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.watch.MetaflowMonitor;
import io.github.metaflowui.core.watch.Watcher;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo mode's simulated runs, read back through the real local backend, sped up 20 times: tasks
 * appear while the run is running, a retry, a completed run, then a failed one.
 */
class DemoRunsTest {
    private static final double SPEED = 20;

    @Test
    void simulated_runs_progress_retry_complete_and_fail_in_a_copy_of_the_sample_data() throws Exception {
        Path copy = SampleData.writableCopy();
        assertThat(copy).isNotEqualTo(SampleData.materialize());
        try (LocalMetaflowBackend backend = LocalMetaflowBackend.builder().root(copy).build();
             MetaflowClient client = MetaflowClient.of(backend);
             Watcher watcher = Watcher.builder(backend).activeInterval(Duration.ofMillis(50))
                     .idleInterval(Duration.ofMillis(100)).build();
             MetaflowMonitor monitor = MetaflowMonitor.of(watcher);
             DemoRuns demo = new DemoRuns(copy, Clock.systemUTC(), SPEED, 100).start()) {

            RunRef first = awaitRun(demo, 1);
            List<Integer> taskCounts = new ArrayList<>();
            List<String> statuses = new ArrayList<>();
            var sub = monitor.statusChanges(first, c -> statuses.add(c.to().status().wireName()));
            var finished = monitor.whenFinished(first);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!finished.isDone()) {
                assertThat(System.nanoTime()).as("the first run finishes").isLessThan(deadline);
                taskCounts.add(client.tasks(first, TaskQuery.all()).toList().size());
                Thread.sleep(100);
            }
            Run done = monitor.awaitFinished(first, Duration.ofMinutes(1));
            sub.close();

            assertThat(done.status().status()).isEqualTo(Status.COMPLETED);
            assertThat(done.status().reason()).isEqualTo("end step succeeded");
            assertThat(done.tags()).containsExactly("demo");
            assertThat(statuses).startsWith("running").endsWith("completed");
            assertThat(taskCounts).as("tasks appear while the run runs").isSortedAccordingTo(Integer::compare);
            assertThat(taskCounts.stream().distinct().count()).isGreaterThan(3);
            List<Task> tasks = client.tasks(first, TaskQuery.all()).toList();
            assertThat(tasks).hasSize(21).allSatisfy(t -> assertThat(t.status().status()).isEqualTo(Status.COMPLETED));
            Task retried = tasks.stream().filter(t -> t.attempts().size() == 2).findFirst().orElseThrow();
            assertThat(retried.step()).isEqualTo("inner");
            assertThat(retried.attempts()).map(Attempt::status).map(s -> s.status()).containsExactly(Status.FAILED,
                    Status.COMPLETED);
            String stderr = client.logLines(retried.ref(), LogStream.STDERR, 0).stream().map(LogLine::text)
                    .collect(Collectors.joining("\n"));
            assertThat(stderr).contains("ConnectionError: demo: the pair service timed out on attempt 0")
                    .endsWith("Task failed.");
            List<String> stdout = client.logLines(retried.ref(), LogStream.STDOUT, LogRequest.LATEST_ATTEMPT).stream()
                    .map(LogLine::text).toList();
            assertThat(stdout).first().asString().startsWith("[demo] inner/" + retried.id() + " attempt 1 started");
            assertThat(stdout).anyMatch(l -> l.startsWith("inner pair "));
            assertThat(backend.dag(first)).isPresent();

            RunRef second = awaitRun(demo, 2);
            Run failed = monitor.awaitFinished(second, Duration.ofMinutes(1));
            assertThat(failed.status().status()).isEqualTo(Status.FAILED);
            assertThat(failed.status().reason()).isEqualTo("end step failed");
            assertThat(Files.readString(copy.resolve(DemoRuns.FLOW).resolve("latest_run"))).isEqualTo(second.run().value());
        }
    }

    @Test
    void the_monitor_example_prints_status_changes_and_alerts_on_the_failed_run() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = MonitorExample.run(new String[] {"--speed", "20", "--wait-minutes", "2"},
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(code).as(out).isZero();
        assertThat(out).contains("following NestedForeachFlow/")
                .containsPattern("finished NestedForeachFlow/\\d+: completed \\(end step succeeded\\)")
                .containsPattern("finished NestedForeachFlow/\\d+: failed \\(end step failed\\)")
                .containsPattern("ALERT NestedForeachFlow/\\d+ failed: end step failed")
                .containsPattern("done  NestedForeachFlow/\\d+ in \\d+ s")
                .containsPattern("NestedForeachFlow/\\d+: running -> completed \\(end step succeeded\\)");
    }

    private static RunRef awaitRun(DemoRuns demo, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (demo.run(n) == null) {
            assertThat(System.nanoTime()).as("run %d started", n).isLessThan(deadline);
            Thread.sleep(10);
        }
        assertThat(demo.runsStarted()).isGreaterThanOrEqualTo(n);
        return RunRef.of(DemoRuns.FLOW, demo.run(n)); // the n-th, even when a later one started meanwhile
    }
}

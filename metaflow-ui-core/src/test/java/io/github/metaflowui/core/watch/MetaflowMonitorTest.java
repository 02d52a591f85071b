package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.testing.ScriptedBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import static io.github.metaflowui.core.testing.ScriptedBackend.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The monitoring API for Java services, on a fake clock (and, for blocking waits, real threads). */
class MetaflowMonitorTest {
    private final ManualScheduler scheduler = new ManualScheduler(Instant.parse("2026-12-03T12:00:00Z"));
    private final ScriptedBackend backend = new ScriptedBackend();
    private final Watcher watcher = Watcher.builder(backend).clock(scheduler.clock()).scheduler(scheduler).build();
    private final MetaflowMonitor monitor = MetaflowMonitor.of(watcher);

    @AfterEach
    void close() {
        monitor.close();
        watcher.close();
    }

    @Test
    void tells_when_a_run_of_a_flow_fails_from_now_on() {
        backend.run("TrainFlow/1", Status.FAILED, "end step failed").run("TrainFlow/2", Status.RUNNING, "r")
                .run("OtherFlow/3", Status.RUNNING, "r");
        List<String> alerts = new ArrayList<>();
        monitor.onRunFailed("TrainFlow", run -> alerts.add(run.ref() + ": " + run.status().reason()));
        scheduler.runDue();

        backend.run("TrainFlow/2", Status.FAILED, "task train/4 failed and no retry followed")
                .run("OtherFlow/3", Status.FAILED, "end step failed")
                .run("TrainFlow/5", Status.FAILED, "the run has no heartbeat and its end step has not succeeded")
                .run("TrainFlow/6", Status.RUNNING, "r");
        scheduler.advance(seconds(2));
        scheduler.advance(seconds(2));

        assertThat(alerts).containsExactly("TrainFlow/2: task train/4 failed and no retry followed",
                "TrainFlow/5: the run has no heartbeat and its end step has not succeeded");
    }

    @Test
    void streams_the_status_changes_of_one_run() {
        backend.run("TrainFlow/7", Status.RUNNING, "heartbeat 1 s ago");
        List<String> seen = new ArrayList<>();
        Subscription s = monitor.statusChanges(RunRef.of("TrainFlow", "7"), c -> seen.add(c.toString()));
        scheduler.runDue();

        backend.run("TrainFlow/7", Status.RUNNING, "heartbeat 3 s ago");
        scheduler.advance(seconds(2));
        backend.run("TrainFlow/7", Status.COMPLETED, "end step succeeded");
        scheduler.advance(seconds(2));
        s.close();

        assertThat(seen).containsExactly("TrainFlow/7: running (heartbeat 1 s ago)",
                "TrainFlow/7: running -> completed (end step succeeded)");
    }

    @Test
    void a_run_that_appears_later_is_reported_when_it_does() {
        List<String> seen = new ArrayList<>();
        monitor.statusChanges(RunRef.of("TrainFlow", "8"), c -> seen.add(c.toString()));
        scheduler.runDue();
        backend.run("TrainFlow/8", Status.RUNNING, "heartbeat 1 s ago");
        scheduler.advance(seconds(15));

        assertThat(seen).containsExactly("TrainFlow/8: running (heartbeat 1 s ago)");
    }

    @Test
    void completes_when_the_run_finishes_even_across_an_outage() throws Exception {
        backend.run("TrainFlow/9", Status.RUNNING, "r");
        List<String> errors = new ArrayList<>();
        monitor.onError(e -> errors.add(e.message()));
        CompletableFuture<Run> done = monitor.whenFinished(RunRef.of("TrainFlow", "9"));
        scheduler.runDue();
        assertThat(done).isNotDone();

        backend.failNext(2, ScriptedBackend.unreachable());
        backend.run("TrainFlow/9", Status.FAILED, "end step failed");
        scheduler.advance(seconds(10));

        assertThat(done).isCompleted();
        assertThat(done.get().status().reason()).isEqualTo("end step failed");
        assertThat(errors).containsExactly("connection refused: metadata service at 127.0.0.1:1",
                "connection refused: metadata service at 127.0.0.1:1");
        assertThat(watcher.watchedResources()).as("watching stopped").isZero();
    }

    @Test
    void await_returns_the_final_run_on_real_threads() throws Exception {
        backend.run("TrainFlow/10", Status.RUNNING, "r");
        try (MetaflowMonitor real = MetaflowMonitor.of(Watcher.builder(backend)
                .activeInterval(Duration.ofMillis(20)).build())) {
            Thread finisher = new Thread(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                backend.run("TrainFlow/10", Status.COMPLETED, "end step succeeded");
            });
            finisher.start();

            Run finished = real.awaitFinished(RunRef.of("TrainFlow", "10"), Duration.ofMinutes(1));

            assertThat(finished.status().status()).isEqualTo(Status.COMPLETED);
            assertThat(finished.status().reason()).isEqualTo("end step succeeded");
        }
    }

    @Test
    void await_gives_up_after_its_timeout() {
        backend.run("TrainFlow/11", Status.RUNNING, "r");
        try (MetaflowMonitor real = MetaflowMonitor.of(Watcher.builder(backend)
                .activeInterval(Duration.ofMillis(20)).build())) {
            assertThatThrownBy(() -> real.awaitFinished(RunRef.of("TrainFlow", "11"), Duration.ofMillis(100)))
                    .isInstanceOf(TimeoutException.class)
                    .hasMessage("run TrainFlow/11 did not finish within PT0.1S");
            assertThat(real.watcher().watchedResources()).isZero();
        }
    }
}

package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.diff.Snapshot;
import io.github.metaflowui.core.testing.ScriptedBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.metaflowui.core.testing.ScriptedBackend.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The watcher, driven by a fake clock and a scripted backend: no real time, no threads. */
class WatcherTest {
    private static final RunRef RUN = RunRef.of("TrainFlow", "12");

    private final ManualScheduler scheduler = new ManualScheduler(Instant.parse("2026-12-03T12:00:00Z"));
    private final ScriptedBackend backend = new ScriptedBackend();
    private final Watcher watcher = Watcher.builder(backend)
            .clock(scheduler.clock())
            .scheduler(scheduler)
            .activeInterval(seconds(2))
            .idleInterval(seconds(15))
            .resyncInterval(Duration.ofMinutes(5))
            .initialBackoff(seconds(1))
            .maxBackoff(seconds(8))
            .build();

    @AfterEach
    void close() {
        watcher.close();
    }

    @Test
    void delivers_the_first_snapshot_then_each_change_once_in_order() {
        backend.run("TrainFlow/12", Status.RUNNING, "heartbeat 1 s ago").task("TrainFlow/12/start/1", Status.RUNNING);
        Recorder<Task> rec = new Recorder<>();

        watcher.watch(Resources.tasks(RUN), rec);
        scheduler.runDue();
        backend.task("TrainFlow/12/start/1", Status.COMPLETED).task("TrainFlow/12/train/2", Status.RUNNING);
        scheduler.advance(seconds(2));
        scheduler.advance(seconds(2)); // nothing new
        backend.task("TrainFlow/12/train/2", Status.FAILED, Status.RUNNING);
        scheduler.advance(seconds(2));

        assertThat(rec.take()).containsExactly(
                "snapshot TrainFlow/12/start/1 running#1",
                "changes ~running>TrainFlow/12/start/1 completed#1, +TrainFlow/12/train/2 running#1",
                "changes *TrainFlow/12/train/2 running#2");
    }

    @Test
    void changes_made_during_an_upstream_failure_are_delivered_once_after_it() {
        backend.run("TrainFlow/12", Status.RUNNING, "r").task("TrainFlow/12/start/1", Status.RUNNING);
        Recorder<Task> rec = new Recorder<>();
        watcher.watch(Resources.tasks(RUN), rec);
        scheduler.runDue();

        backend.failNext(3, ScriptedBackend.unreachable());
        backend.task("TrainFlow/12/start/1", Status.COMPLETED);
        scheduler.advance(seconds(2));  // fails, retry in 1 s
        scheduler.advance(seconds(1));  // fails, retry in 2 s
        backend.task("TrainFlow/12/train/2", Status.RUNNING);
        scheduler.advance(seconds(2));  // fails, retry in 4 s
        assertThat(scheduler.nextDue()).isEqualTo(scheduler.now().plusSeconds(4));
        scheduler.advance(seconds(4));  // succeeds
        scheduler.advance(seconds(2));  // nothing new

        assertThat(rec.take()).containsExactly(
                "snapshot TrainFlow/12/start/1 running#1",
                "error #1 retry in 1 s: connection refused: metadata service at 127.0.0.1:1",
                "error #2 retry in 2 s: connection refused: metadata service at 127.0.0.1:1",
                "error #3 retry in 4 s: connection refused: metadata service at 127.0.0.1:1",
                "recovered",
                "changes ~running>TrainFlow/12/start/1 completed#1, +TrainFlow/12/train/2 running#1");
    }

    @Test
    void backoff_doubles_up_to_its_maximum_and_the_error_says_since_when() {
        backend.run("TrainFlow/12", Status.RUNNING, "r");
        AtomicReference<WatchError> last = new AtomicReference<>();
        Recorder<Run> rec = new Recorder<>() {
            @Override
            public synchronized void onError(WatchError error) {
                super.onError(error);
                last.set(error);
            }
        };
        backend.failNext(6, ScriptedBackend.unreachable());
        Instant start = scheduler.now();

        watcher.watch(Resources.run(RUN), rec);
        scheduler.advance(Duration.ofMinutes(1));

        assertThat(rec.take()).map(e -> e.replaceAll(":.*", "")).containsExactly(
                "error #1 retry in 1 s", "error #2 retry in 2 s", "error #3 retry in 4 s", "error #4 retry in 8 s",
                "error #5 retry in 8 s", "error #6 retry in 8 s", "recovered", "snapshot TrainFlow/12 running");
        assertThat(last.get().since()).isEqualTo(start);
        assertThat(last.get().cause()).isInstanceOf(io.github.metaflowui.core.MetaflowException.NoAnswerException.class);
    }

    @Test
    void one_poll_per_resource_however_many_listeners() {
        backend.run("TrainFlow/12", Status.RUNNING, "r").task("TrainFlow/12/start/1", Status.RUNNING);
        Recorder<Task> first = new Recorder<>();
        watcher.watch(Resources.tasks(RUN), first);
        scheduler.runDue();
        int afterOne = backend.totalCalls();

        List<Recorder<Task>> more = java.util.stream.IntStream.range(0, 50).mapToObj(i -> new Recorder<Task>()).toList();
        more.forEach(r -> watcher.watch(Resources.tasks(RUN), r));

        assertThat(backend.totalCalls()).as("late listeners get the snapshot without a poll").isEqualTo(afterOne);
        assertThat(more).allSatisfy(r -> assertThat(r.take()).containsExactly("snapshot TrainFlow/12/start/1 running#1"));

        backend.task("TrainFlow/12/start/1", Status.COMPLETED);
        scheduler.advance(seconds(2));

        assertThat(backend.calls("listTasks")).isEqualTo(2);
        assertThat(watcher.watchedResources()).isEqualTo(1);
        assertThat(watcher.pollCount()).isEqualTo(2);
        assertThat(more).allSatisfy(r -> assertThat(r.take())
                .containsExactly("changes ~running>TrainFlow/12/start/1 completed#1"));
    }

    @Test
    void polls_fast_while_running_slowly_while_idle_and_stops_when_the_run_finished() {
        backend.run("TrainFlow/12", Status.RUNNING, "r").task("TrainFlow/12/start/1", Status.RUNNING);
        Recorder<Step> rec = new Recorder<>();
        watcher.watch(Resources.steps(RUN), rec);
        scheduler.runDue();
        assertThat(scheduler.nextDue()).isEqualTo(scheduler.now().plusSeconds(2));

        backend.task("TrainFlow/12/start/1", Status.COMPLETED); // between steps: the run is still running
        scheduler.advance(seconds(2));
        assertThat(scheduler.nextDue()).isEqualTo(scheduler.now().plusSeconds(2));

        backend.run("TrainFlow/12", Status.COMPLETED, "end step succeeded");
        scheduler.advance(seconds(2));
        long polls = watcher.pollCount();
        scheduler.advance(Duration.ofHours(1));

        assertThat(scheduler.nextDue()).isNull();
        assertThat(watcher.pollCount()).isEqualTo(polls);
        assertThat(rec.take()).containsExactly("snapshot TrainFlow/12/start running 1",
                "changes ~running>TrainFlow/12/start completed 1", "finished");
    }

    @Test
    void a_runs_window_polls_slowly_when_nothing_runs() {
        backend.run("TrainFlow/1", Status.COMPLETED, "end step succeeded");
        Recorder<Run> rec = new Recorder<>();
        watcher.watch(Resources.runs(RunQuery.all()), rec);
        scheduler.runDue();

        assertThat(scheduler.nextDue()).isEqualTo(scheduler.now().plusSeconds(15));

        backend.run("TrainFlow/2", Status.RUNNING, "heartbeat 1 s ago");
        scheduler.advance(seconds(15));

        assertThat(scheduler.nextDue()).isEqualTo(scheduler.now().plusSeconds(2));
        assertThat(rec.take()).containsExactly("snapshot TrainFlow/1 completed", "changes +TrainFlow/2 running");
    }

    @Test
    void what_only_time_changes_waits_for_the_periodic_resync() {
        backend.run("TrainFlow/12", Status.RUNNING, "heartbeat 1 s ago");
        Recorder<Run> rec = new Recorder<>();
        watcher.watch(Resources.run(RUN), rec);
        scheduler.runDue();

        backend.run("TrainFlow/12", Status.RUNNING, "heartbeat 3 s ago");
        scheduler.advance(seconds(2));
        assertThat(rec.take()).containsExactly("snapshot TrainFlow/12 running");

        backend.run("TrainFlow/12", Status.RUNNING, "heartbeat 1 min ago");
        scheduler.advance(seconds(2));
        assertThat(rec.take()).containsExactly("changes *TrainFlow/12 running");

        backend.run("TrainFlow/12", Status.RUNNING, "heartbeat 2 min ago");
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(rec.take()).containsExactly("resync *TrainFlow/12 running");
        assertThat(rec.state.get("TrainFlow/12").orElseThrow().status().reason()).isEqualTo("heartbeat 2 min ago");
    }

    @Test
    void a_failing_listener_does_not_stop_the_others_or_the_watcher() {
        backend.run("TrainFlow/12", Status.RUNNING, "r");
        Recorder<Run> good = new Recorder<>();
        watcher.watch(Resources.run(RUN), new WatchListener<>() {
            @Override
            public void onChanges(ChangeSet<Run> changes) {
                throw new IllegalStateException("listener bug");
            }
        });
        watcher.watch(Resources.run(RUN), good);
        scheduler.runDue();

        backend.run("TrainFlow/12", Status.FAILED, "end step failed");
        scheduler.advance(seconds(2));

        assertThat(good.take()).containsExactly("snapshot TrainFlow/12 running",
                "changes ~running>TrainFlow/12 failed", "finished");
    }

    @Test
    void the_last_unsubscribe_stops_polling_and_close_stops_everything() {
        backend.run("TrainFlow/12", Status.RUNNING, "r");
        Subscription a = watcher.watch(Resources.run(RUN), new Recorder<>());
        Subscription b = watcher.watch(Resources.run(RUN), new Recorder<>());
        scheduler.runDue();

        a.close();
        a.close();
        assertThat(scheduler.pending()).isEqualTo(1);
        b.close();
        assertThat(scheduler.pending()).isZero();
        assertThat(watcher.watchedResources()).isZero();

        watcher.watch(Resources.steps(RUN), new Recorder<>());
        watcher.close();
        assertThat(scheduler.pending()).isZero();
        assertThatIllegalStateException().isThrownBy(() -> watcher.watch(Resources.run(RUN), new Recorder<>()))
                .withMessage("the watcher is closed");
    }

    @Test
    void a_late_listener_of_a_finished_resource_gets_the_final_state_and_a_fresh_look_when_it_is_old() {
        backend.run("TrainFlow/12", Status.COMPLETED, "end step succeeded");
        watcher.watch(Resources.run(RUN), new Recorder<>());
        scheduler.runDue();
        int calls = backend.totalCalls();

        Recorder<Run> soon = new Recorder<>();
        watcher.watch(Resources.run(RUN), soon);
        assertThat(soon.take()).containsExactly("snapshot TrainFlow/12 completed", "finished");
        assertThat(backend.totalCalls()).isEqualTo(calls);

        scheduler.advance(Duration.ofMinutes(10));
        Recorder<Run> later = new Recorder<>();
        watcher.watch(Resources.run(RUN), later);
        scheduler.runDue();
        assertThat(backend.totalCalls()).isEqualTo(calls + 1);
        assertThat(later.take()).containsExactly("snapshot TrainFlow/12 completed", "finished");
    }

    @Test
    void a_task_window_follows_its_query_and_order() {
        backend.run("TrainFlow/12", Status.RUNNING, "r");
        for (int i = 1; i <= 5; i++) {
            backend.task("TrainFlow/12/square/" + i, Status.RUNNING);
        }
        Recorder<Task> rec = new Recorder<>();
        watcher.watch(Resources.tasks(RUN, TaskQuery.builder().status(Status.RUNNING).build(), 1, 2), rec);
        scheduler.runDue();
        backend.task("TrainFlow/12/square/2", Status.COMPLETED);
        scheduler.advance(seconds(2));

        assertThat(rec.take()).containsExactly(
                "snapshot TrainFlow/12/square/2 running#1, TrainFlow/12/square/3 running#1",
                "changes -TrainFlow/12/square/2 running#1, +TrainFlow/12/square/4 running#1");
        assertThat(rec.changeSets.get(0).orderChanged()).isTrue();
    }

    @Test
    void a_log_tail_reads_the_end_then_only_new_lines_and_starts_over_for_a_retry() {
        TaskRef task = TaskRef.of("TrainFlow", "12", "train", "2");
        backend.run("TrainFlow/12", Status.RUNNING, "r").task("TrainFlow/12/train/2", Status.RUNNING)
                .log("TrainFlow/12/train/2", LogStream.STDOUT, 0, 1500);
        Recorder<LogTail> rec = new Recorder<>();
        watcher.watch(Resources.logTail(task, LogStream.STDOUT, LogRequest.LATEST_ATTEMPT), rec);
        scheduler.runDue();

        backend.log("TrainFlow/12/train/2", LogStream.STDOUT, 0, 3);
        scheduler.advance(seconds(2));
        scheduler.advance(seconds(2));
        backend.log("TrainFlow/12/train/2", LogStream.STDOUT, 0, 2500); // a burst beyond one read
        scheduler.advance(seconds(2));
        backend.task("TrainFlow/12/train/2", Status.FAILED, Status.RUNNING).log("TrainFlow/12/train/2", LogStream.STDOUT, 1, 2);
        scheduler.advance(seconds(2));
        backend.task("TrainFlow/12/train/2", Status.FAILED, Status.COMPLETED);
        backend.run("TrainFlow/12", Status.COMPLETED, "end step succeeded");
        scheduler.advance(seconds(2));

        assertThat(rec.take()).containsExactly(
                "snapshot TrainFlow/12/train/2/out a0 n1500 rows 500+1000",
                "changes *TrainFlow/12/train/2/out a0 n1503 rows 1500+3",
                "changes *TrainFlow/12/train/2/out a0 n4003 rows 3003+1000",
                "changes *TrainFlow/12/train/2/out a1 n2 rows 0+2",
                "finished");
    }

    @Test
    void the_default_scheduler_uses_named_daemon_threads() throws InterruptedException {
        backend.run("TrainFlow/12", Status.COMPLETED, "end step succeeded");
        CountDownLatch seen = new CountDownLatch(1);
        AtomicReference<Thread> thread = new AtomicReference<>();
        try (Watcher real = Watcher.builder(backend).threadNamePrefix("metaflow-watch-test").build()) {
            real.watch(Resources.run(RUN), new WatchListener<>() {
                @Override
                public void onSnapshot(Snapshot<Run> snapshot) {
                    thread.set(Thread.currentThread());
                    seen.countDown();
                }
            });
            assertThat(seen.await(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(thread.get().getName()).startsWith("metaflow-watch-test-");
        assertThat(thread.get().isDaemon()).isTrue();
        thread.get().join(TimeUnit.SECONDS.toMillis(30));
        assertThat(thread.get().isAlive()).as("stopped by close()").isFalse();
    }

    @Test
    void the_builder_says_what_is_wrong() {
        assertThatIllegalArgumentException().isThrownBy(() -> Watcher.builder(backend).activeInterval(Duration.ZERO).build())
                .withMessage("activeInterval must be positive, got PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> Watcher.builder(backend).threads(0).build())
                .withMessage("threads must be >= 1, got 0");
        assertThatIllegalArgumentException().isThrownBy(() -> Watcher.builder(backend)
                        .initialBackoff(seconds(10)).maxBackoff(seconds(5)).build())
                .withMessage("maxBackoff (PT5S) must not be shorter than initialBackoff (PT10S)");
        assertThatIllegalArgumentException().isThrownBy(() -> Resources.runs(RunQuery.all(), 900, 200))
                .withMessage("offset + limit must be at most 1000, got 1100");
    }

    @ParameterizedTest(name = "\"{0}\" ~ \"{1}\": {2}")
    @CsvSource(delimiter = '|', value = {
            "heartbeat 12 s ago|heartbeat 14 s ago|true",
            "heartbeat 59 s ago|heartbeat 1 min ago|false",
            "attempt 0 running since 3 min ago|attempt 0 running since 12 min ago|true",
            "3 of 10 tasks running|4 of 10 tasks running|true",
            "a|a|true",
            "a1|a|false",
            "running|failed|false",
            "''|''|true",
    })
    void reasons_compare_up_to_their_numbers(String a, String b, boolean same) {
        assertThat(Quiet.sameIgnoringNumbers(a, b)).isEqualTo(same);
        assertThat(Quiet.sameIgnoringNumbers(b, a)).isEqualTo(same);
    }
}

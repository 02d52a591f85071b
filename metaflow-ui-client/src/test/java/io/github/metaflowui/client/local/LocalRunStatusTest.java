package io.github.metaflowui.client.local;

import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Statuses of runs that are not finished, made by removing the last files of real runs from a copy
 * (keeping directory times, so that nothing depends on when the test runs).
 */
class LocalRunStatusTest {
    private static final String RUN = "1796301579117609";
    private static final RunRef LINEAR = RunRef.of("LinearFlow", RUN);

    private static LocalMetaflowBackend backend(Path root, String now) {
        return LocalMetaflowBackend.builder().root(root)
                .clock(Clock.fixed(Instant.parse(now), ZoneOffset.UTC)).build();
    }

    /** Deletes the files of {@code dir} whose names start with one of the prefixes, keeping the directory time. */
    private static void deleteFiles(Path dir, String... prefixes) {
        try {
            FileTime time = Files.getLastModifiedTime(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    for (String prefix : prefixes) {
                        if (f.getFileName().toString().startsWith(prefix)) {
                            Files.delete(f);
                        }
                    }
                }
            }
            Files.setLastModifiedTime(dir, time);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Leaves the end task of LinearFlow's first run started but not finished. */
    private static Path unfinishEnd(Path tmp) {
        LocalFixture.copy("LinearFlow/" + RUN, tmp);
        Path end = tmp.resolve("LinearFlow/" + RUN + "/end/3");
        deleteFiles(end, "0.DONE.lock", "0.runtime", "0.task_end", "0.data.json");
        deleteFiles(end.resolve("_meta"), "sysmeta_attempt_ok_", "sysmeta_attempt-done_", "0_artifact_");
        return end;
    }

    @Test
    void a_run_whose_end_task_started_and_has_not_finished_is_running(@TempDir Path tmp) {
        LocalFixture.copy("LinearFlow/_meta", tmp);
        unfinishEnd(tmp);
        LocalMetaflowBackend backend = backend(tmp, "2026-12-03T13:00:00Z");

        Run run = backend.run(LINEAR).orElseThrow();
        Task end = backend.task(TaskRef.of("LinearFlow", RUN, "end", "3")).orElseThrow();

        assertThat(run.status().status()).isEqualTo(Status.RUNNING);
        assertThat(run.status().reason())
                .isEqualTo("task end/3 started 20 min ago and has not finished (local runs have no heartbeat)");
        assertThat(run.finishedAt()).isEmpty();
        assertThat(end.status().status()).isEqualTo(Status.RUNNING);
        assertThat(end.status().reason()).isEqualTo("attempt 0 running since 20 min ago");
        assertThat(end.finishedAt()).isEmpty();
        List<Step> steps = backend.steps(LINEAR);
        assertThat(steps.get(2).status().status()).isEqualTo(Status.RUNNING);
        assertThat(steps.get(2).finishedAt()).isEmpty();
    }

    @Test
    void a_task_that_never_finished_is_failed_after_a_day(@TempDir Path tmp) {
        LocalFixture.copy("LinearFlow/_meta", tmp);
        unfinishEnd(tmp);
        LocalMetaflowBackend backend = backend(tmp, "2026-12-05T00:00:00Z");

        Task end = backend.task(TaskRef.of("LinearFlow", RUN, "end", "3")).orElseThrow();

        assertThat(end.status().status()).isEqualTo(Status.FAILED);
        assertThat(end.status().reason()).isEqualTo("attempt 0 never finished: started 1 day ago and there is no heartbeat");
    }

    @Test
    void a_running_run_is_read_again_and_completes_when_its_files_appear(@TempDir Path tmp) throws IOException {
        LocalFixture.copy("LinearFlow/_meta", tmp);
        Path end = unfinishEnd(tmp);
        LocalMetaflowBackend backend = backend(tmp, "2026-12-03T13:00:00Z");
        assertThat(backend.run(LINEAR).orElseThrow().status().status()).isEqualTo(Status.RUNNING);

        // the task finishes: its outcome and done records appear (the directories' times change)
        Path source = LocalFixture.root().resolve("LinearFlow/" + RUN + "/end/3/_meta");
        for (String f : List.of("sysmeta_attempt_ok_1796301581001.json", "sysmeta_attempt-done_1796301581002.json")) {
            Files.copy(source.resolve(f), end.resolve("_meta").resolve(f));
        }
        Files.copy(source.getParent().resolve("0.DONE.lock"), end.resolve("0.DONE.lock"));
        Files.setLastModifiedTime(end, FileTime.from(Instant.parse("2026-12-03T12:59:00Z")));
        Files.setLastModifiedTime(end.resolve("_meta"), FileTime.from(Instant.parse("2026-12-03T12:59:00Z")));

        Run run = backend.run(LINEAR).orElseThrow();

        assertThat(run.status().status()).isEqualTo(Status.COMPLETED);
        assertThat(run.finishedAt()).contains(Instant.ofEpochMilli(1796301581002L));
        assertThat(backend.task(TaskRef.of("LinearFlow", RUN, "end", "3")).orElseThrow().status().status())
                .isEqualTo(Status.COMPLETED);
    }

    @Test
    void a_failed_task_may_still_be_retried_within_the_inactivity_cutoff() {
        // the explode task of this run failed at 12:40:25.626 (its attempt_ok record)
        LocalMetaflowBackend soon = backend(LocalFixture.root(), "2026-12-03T12:41:25.626Z");
        LocalMetaflowBackend later = backend(LocalFixture.root(), "2026-12-03T12:46:26Z");
        RunRef failing = RunRef.of("FailingFlow", "1796301624448446");

        Run whileWaiting = soon.run(failing).orElseThrow();
        Run afterCutoff = later.run(failing).orElseThrow();

        assertThat(whileWaiting.status().status()).isEqualTo(Status.RUNNING);
        assertThat(whileWaiting.status().reason()).isEqualTo("task explode/2 failed 1 min ago; a retry may follow");
        assertThat(afterCutoff.status().status()).isEqualTo(Status.FAILED);
        assertThat(afterCutoff.finishedAt()).contains(Instant.parse("2026-12-03T12:40:25.626Z"));
    }

    @Test
    void an_attempt_without_attempt_ok_takes_its_outcome_from_the_runtime_file_and_says_so(@TempDir Path tmp) {
        LocalFixture.copy("RetryFlow/1796301615558176", tmp);
        LocalFixture.copy("RetryFlow/_meta", tmp);
        deleteFiles(tmp.resolve("RetryFlow/1796301615558176/flaky/2/_meta"), "sysmeta_attempt_ok_");
        LocalMetaflowBackend backend = LocalFixture.backend(tmp);

        Task flaky = backend.task(TaskRef.of("RetryFlow", "1796301615558176", "flaky", "2")).orElseThrow();

        assertThat(flaky.attempts()).extracting(a -> a.status().status()).containsExactly(Status.FAILED,
                Status.COMPLETED);
        assertThat(flaky.attempts()).extracting(a -> a.status().reason()).containsExactly(
                "attempt 0 failed (no attempt_ok recorded; 0.runtime says success=false)",
                "attempt 1 succeeded (no attempt_ok recorded; 1.runtime says success=true)");
        Attempt first = flaky.attempts().get(0);
        assertThat(first.startedAt()).contains(Instant.parse("2026-12-03T12:40:16.682849Z"));
        assertThat(first.finishedAt()).contains(Instant.ofEpochMilli(1796301616689L));
    }

    @Test
    void an_attempt_that_finished_without_any_outcome_is_unknown(@TempDir Path tmp) {
        LocalFixture.copy("RetryFlow/1796301615558176", tmp);
        LocalFixture.copy("RetryFlow/_meta", tmp);
        Path flaky = tmp.resolve("RetryFlow/1796301615558176/flaky/2");
        deleteFiles(flaky.resolve("_meta"), "sysmeta_attempt_ok_");
        deleteFiles(flaky, "1.runtime");
        LocalMetaflowBackend backend = LocalFixture.backend(tmp);

        Task task = backend.task(TaskRef.of("RetryFlow", "1796301615558176", "flaky", "2")).orElseThrow();

        assertThat(task.status().status()).isEqualTo(Status.UNKNOWN);
        assertThat(task.status().reason()).isEqualTo("attempt 1 finished but its outcome (attempt_ok) is not recorded");
        assertThat(backend.steps(RunRef.of("RetryFlow", "1796301615558176")).get(1).status().status())
                .isEqualTo(Status.UNKNOWN);
    }

    @Test
    void a_stopped_run_is_read_again_when_a_retry_of_its_failed_task_starts(@TempDir Path tmp) throws IOException {
        LocalFixture.copy("FailingFlow/_meta", tmp);
        LocalFixture.copy("FailingFlow/1796301624448446", tmp);
        LocalMetaflowBackend backend = LocalFixture.backend(tmp);
        RunRef ref = RunRef.of("FailingFlow", "1796301624448446");
        assertThat(backend.run(ref).orElseThrow().status().status()).isEqualTo(Status.FAILED);
        assertThat(backend.run(ref).orElseThrow().status().status()).isEqualTo(Status.FAILED);

        // attempt 1 of explode/2 starts 30 s after attempt 0 failed
        Path explode = tmp.resolve("FailingFlow/1796301624448446/explode/2");
        Files.writeString(explode.resolve("1.attempt.json"), "{\"time\": 1796301655.626}");
        Files.writeString(explode.resolve("_meta/sysmeta_attempt_1796301655630.json"), "{\"field_name\": \"attempt\", "
                + "\"value\": \"1\", \"type\": \"attempt\", \"tags\": [\"attempt_id:1\"], \"user_name\": \"alice\", "
                + "\"ts_epoch\": 1796301655630}");
        Files.setLastModifiedTime(explode, FileTime.from(Instant.parse("2026-12-03T12:40:55.700Z")));
        Files.setLastModifiedTime(explode.resolve("_meta"), FileTime.from(Instant.parse("2026-12-03T12:40:55.700Z")));

        Run run = backend.run(ref).orElseThrow();
        Task task = backend.task(TaskRef.of("FailingFlow", "1796301624448446", "explode", "2")).orElseThrow();

        assertThat(run.status().status()).isEqualTo(Status.RUNNING);
        assertThat(run.status().reason())
                .isEqualTo("task explode/2 started 11 h 19 min ago and has not finished (local runs have no heartbeat)");
        assertThat(task.attempts()).extracting(a -> a.status().status()).containsExactly(Status.FAILED, Status.RUNNING);
    }
}

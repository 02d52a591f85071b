package io.github.metaflowui.synthetic;

import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local layout written by {@link LocalArchiveWriter} reads back through the real local backend. */
class LocalArchiveReadBackTest {
    static final Instant AS_OF = Instant.parse("2026-12-03T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(AS_OF.plusSeconds(20), ZoneOffset.UTC);

    @TempDir
    static Path dir;
    static SyntheticArchive archive;
    static LocalArchiveWriter.Written written;
    static LocalMetaflowBackend backend;

    @BeforeAll
    static void write() {
        archive = SyntheticArchive.generateLocal(ArchiveSpec.of(150, 700, AS_OF).withFlows(6));
        written = LocalArchiveWriter.write(archive, dir);
        backend = LocalMetaflowBackend.builder().root(dir).clock(CLOCK).build();
    }

    @Test
    void every_run_reads_back_with_the_status_the_archive_says() {
        Map<String, Status> expected = new HashMap<>();
        for (int i = 0; i < archive.runCount(); i++) {
            expected.put(archive.ref(i).pathspec(), archive.status(i));
        }
        List<Run> runs = MetaflowClient.of(backend, 100).runs(RunQuery.all()).toList();

        assertThat(runs).hasSize(150);
        List<String> mismatches = runs.stream()
                .filter(r -> expected.get(r.ref().pathspec()) != r.status().status())
                .map(r -> r.ref() + " is " + r.status() + ", expected " + expected.get(r.ref().pathspec()))
                .toList();
        assertThat(mismatches).isEmpty();
        assertThat(runs).extracting(r -> r.ref().pathspec()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        // newest first, as the archive numbers them oldest first
        assertThat(runs.get(0).ref()).isEqualTo(archive.ref(149));
        assertThat(written.files()).isGreaterThan(5_000);
    }

    @Test
    void the_big_run_has_every_task_with_retries_and_final_failures() {
        List<Step> steps = backend.steps(archive.bigRun());

        assertThat(steps).extracting(Step::name).containsExactly("start", "sweep");
        Step sweep = steps.get(1);
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        sweep.counts().asMap().forEach((s, n) -> {
            if (n > 0) {
                counts.put(s, n);
            }
        });
        assertThat(counts).isEqualTo(archive.bigStepCounts());
        assertThat(sweep.counts().total()).isEqualTo(700);
        Run big = backend.run(archive.bigRun()).orElseThrow();
        assertThat(big.status().status()).isEqualTo(Status.FAILED);
        assertThat(big.status().reason()).contains("failed and no retry followed");
    }

    @Test
    void foreach_labels_attempts_logs_graph_and_parameters_are_readable() {
        Task retried = MetaflowClient.of(backend, 1000).tasks(archive.bigRun(), TaskQuery.ofStep("sweep")).stream()
                .filter(t -> t.attempts().size() == 2).findFirst().orElseThrow();
        assertThat(retried.attempts().get(0).status().status()).isEqualTo(Status.FAILED);
        assertThat(retried.status().status()).isEqualTo(Status.COMPLETED);
        assertThat(retried.foreachLabel()).hasValueSatisfying(l -> assertThat(l).startsWith("params["));

        var err = backend.logs(retried.ref(), LogStream.STDERR, LogRequest.fromStart(0, 100).attempt(0));
        assertThat(err.lines().get(0).text()).isEqualTo("Traceback (most recent call last):");
        assertThat(err.lines().get(err.lines().size() - 1).text()).startsWith("RuntimeError: simulated failure on attempt 0");
        var out = backend.logs(retried.ref(), LogStream.STDOUT, LogRequest.fromStart(0, 100));
        assertThat(out.lines().get(0).text()).startsWith("Starting HyperparameterSweepFlow.sweep (task ");
        assertThat(out.lines().get(0).timestamp()).isPresent();

        assertThat(backend.dag(archive.bigRun()).orElseThrow().stepOrder()).containsExactly("start", "sweep", "join", "end");
        assertThat(backend.parameters(archive.bigRun())).extracting(p -> p.name()).containsExactly("alpha", "epochs", "label");
    }

    @Test
    void refuses_to_write_over_an_existing_directory() {
        assertThatThrownBy(() -> LocalArchiveWriter.write(archive, dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already exists");
    }
}

package io.github.metaflowui.client.local;

import io.github.metaflowui.core.ArtifactValue;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.core.Parameter;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad roots are refused with precise messages; broken files break only what they belong to. */
class LocalBackendErrorsTest {

    @Test
    void a_missing_directory_is_refused(@TempDir Path tmp) {
        Path missing = tmp.resolve("nope");

        assertThatThrownBy(() -> LocalMetaflowBackend.builder().root(missing).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Metaflow directory " + missing + " does not exist");
    }

    @Test
    void a_file_is_refused(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("file.txt"), "hello");

        assertThatThrownBy(() -> LocalMetaflowBackend.builder().root(file).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + " is not a directory");
        assertThat(LocalMetaflowBackend.isMetaflowDirectory(file)).isFalse();
    }

    @Test
    void a_directory_without_metaflow_data_is_refused(@TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("SomeFolder/_meta"));
        Files.writeString(tmp.resolve("notes.txt"), "not metaflow");

        assertThatThrownBy(() -> LocalMetaflowBackend.builder().root(tmp).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(tmp + " is not a Metaflow directory: it contains neither a .metaflow directory nor any "
                        + "<Flow>/_meta/_self.json");
        assertThat(LocalMetaflowBackend.isMetaflowDirectory(tmp)).isFalse();
    }

    @Test
    void the_root_is_required() {
        assertThatThrownBy(() -> LocalMetaflowBackend.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("root is required: call root(Path) with the .metaflow directory");
    }

    @Test
    void an_empty_dot_metaflow_directory_is_fine_and_holds_nothing(@TempDir Path tmp) throws IOException {
        Path dot = Files.createDirectories(tmp.resolve(".metaflow"));

        LocalMetaflowBackend direct = LocalFixture.backend(dot);
        LocalMetaflowBackend parent = LocalFixture.backend(tmp);

        assertThat(direct.root()).isEqualTo(dot.toAbsolutePath().normalize());
        assertThat(parent.root()).isEqualTo(dot.toAbsolutePath().normalize());
        assertThat(LocalMetaflowBackend.isMetaflowDirectory(tmp)).isTrue();
        assertThat(LocalMetaflowBackend.resolveRoot(tmp)).isEqualTo(dot.toAbsolutePath().normalize());
        assertThat(MetaflowClient.of(parent).flows().toList()).isEmpty();
        assertThat(MetaflowClient.of(parent).runs(RunQuery.all()).toList()).isEmpty();
        assertThat(parent.describe()).isEqualTo("local directory " + dot.toAbsolutePath().normalize());
    }

    @Test
    void a_directory_containing_dot_metaflow_reads_the_runs_inside(@TempDir Path tmp) {
        LocalFixture.copy("LinearFlow", tmp.resolve(".metaflow"));

        LocalMetaflowBackend backend = LocalFixture.backend(tmp);

        assertThat(MetaflowClient.of(backend).runs(RunQuery.all()).toList()).hasSize(3);
    }

    @Test
    void the_fixture_folder_is_a_metaflow_directory_whatever_its_name() {
        assertThat(LocalMetaflowBackend.isMetaflowDirectory(LocalFixture.root())).isTrue();
        assertThat(LocalMetaflowBackend.resolveRoot(LocalFixture.root()))
                .isEqualTo(LocalFixture.root().toAbsolutePath().normalize());
    }

    @Test
    void a_run_with_a_corrupted_record_is_listed_as_unknown_and_the_others_still_are(@TempDir Path tmp) {
        LocalFixture.copy("LinearFlow", tmp);
        Path broken = tmp.resolve("LinearFlow/1796301600405831/_meta/_self.json");
        LocalFixture.overwrite(broken, "{\"run_number\": \"1796301600405831\", trunc");
        LocalMetaflowBackend backend = LocalFixture.backend(tmp);

        List<Run> runs = MetaflowClient.of(backend).runs(RunQuery.all()).toList();

        assertThat(runs).extracting(r -> r.id().value(), r -> r.status().status()).containsExactly(
                org.assertj.core.groups.Tuple.tuple("1796301602989289", Status.COMPLETED),
                org.assertj.core.groups.Tuple.tuple("1796301600405831", Status.UNKNOWN),
                org.assertj.core.groups.Tuple.tuple("1796301579117609", Status.COMPLETED));
        Run bad = runs.get(1);
        assertThat(bad.status().reason()).isEqualTo("the run record of LinearFlow/1796301600405831 is malformed JSON");
        assertThat(bad.createdAt()).isEqualTo(java.time.Instant.parse("2026-12-03T12:40:00.405831Z"));
        assertThat(backend.run(RunRef.of("LinearFlow", "1796301600405831")).orElseThrow().status().status())
                .isEqualTo(Status.UNKNOWN);
        assertThat(MetaflowClient.of(backend).runs(RunQuery.builder().status(Status.UNKNOWN).build()).toList())
                .hasSize(1);
    }

    @Test
    void a_corrupted_outcome_file_makes_that_run_unknown_and_its_task_unreadable(@TempDir Path tmp)
            throws IOException {
        Path okFile = corruptEndOutcomeOfRetryFlow(tmp);
        LocalMetaflowBackend backend = LocalFixture.backend(tmp);

        List<Run> runs = MetaflowClient.of(backend).runs(RunQuery.all()).toList();

        assertThat(runs).extracting(r -> r.status().status())
                .containsExactly(Status.COMPLETED, Status.UNKNOWN, Status.COMPLETED);
        assertThat(runs.get(1).status().reason()).isEqualTo("the run's files cannot be read: the attempt_ok "
                + "metadata of task RetryFlow/1796301618523831/end/3 is malformed JSON");
        assertThatThrownBy(() -> backend.task(TaskRef.of("RetryFlow", "1796301618523831", "end", "3")))
                .isInstanceOf(MetaflowException.DecodeException.class)
                .hasMessage("the attempt_ok metadata of task RetryFlow/1796301618523831/end/3 is malformed JSON")
                .cause().hasMessageStartingWith(okFile + " is malformed JSON: Unrecognized token 'not'");
        assertThat(backend.task(TaskRef.of("RetryFlow", "1796301618523831", "flaky", "2"))).isPresent();
    }

    @Test
    void a_corrupted_artifact_blob_fails_naming_the_blob_and_not_its_server_path(@TempDir Path tmp)
            throws IOException {
        LocalFixture.copy("LinearFlow", tmp);
        Path blob = tmp.resolve("LinearFlow/data/31/31d415581f0a178dbec4ba818db4087ae9b5cd75");
        Files.write(blob, new byte[]{0x1f, (byte) 0x8b, 1, 2, 3});
        LocalMetaflowBackend backend = LocalFixture.backend(tmp);

        assertThatThrownBy(() -> backend.artifactValue(TaskRef.of("LinearFlow", "1796301579117609", "end", "3"),
                "total", 0, 100))
                .isInstanceOf(MetaflowException.DecodeException.class)
                .hasMessage("the artifact blob 31d41558 of flow LinearFlow is not valid gzip")
                .cause().hasMessageStartingWith(blob + " is not valid gzip: ZipException");
    }

    @Test
    void a_missing_blob_is_no_value(@TempDir Path tmp) throws IOException {
        LocalFixture.copy("LinearFlow", tmp);
        Files.delete(tmp.resolve("LinearFlow/data/31/31d415581f0a178dbec4ba818db4087ae9b5cd75"));
        LocalMetaflowBackend backend = LocalFixture.backend(tmp);

        assertThat(backend.artifactValue(TaskRef.of("LinearFlow", "1796301579117609", "end", "3"), "total", 0, 100))
                .isEmpty();
    }

    @Test
    void a_negative_max_chars_is_refused() {
        LocalMetaflowBackend backend = LocalFixture.backend();

        assertThatThrownBy(() -> backend.artifactValue(TaskRef.of("LinearFlow", "1796301579117609", "end", "3"),
                "total", 0, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxChars must be >= 0, got -1");
    }

    @Test
    void runs_recorded_by_a_metadata_service_have_no_meta_folder_and_are_not_listed(@TempDir Path tmp)
            throws IOException {
        LocalFixture.copy("LinearFlow", tmp);
        Files.createDirectories(tmp.resolve("LinearFlow/5/start/2"));
        Files.writeString(tmp.resolve("LinearFlow/5/start/2/0.runtime_stdout.log"), "x\n");

        LocalMetaflowBackend backend = LocalFixture.backend(tmp);

        assertThat(MetaflowClient.of(backend).runs(RunQuery.all()).toList()).extracting(r -> r.id().value())
                .doesNotContain("5").hasSize(3);
        assertThat(backend.run(RunRef.of("LinearFlow", "5"))).isEmpty();
    }

    @Test
    void a_corrupted_parameter_blob_makes_that_parameter_unavailable_and_spares_the_others(@TempDir Path tmp)
            throws IOException {
        LocalFixture.copy("ParamsLogsFlow", tmp);
        Path alphaBlob = tmp.resolve("ParamsLogsFlow/data/e7/e79416050c083d24cf5fb8c9b35c5b01db35bff2");
        Files.write(alphaBlob, new byte[]{0x1f, (byte) 0x8b, 1, 2, 3});
        LocalMetaflowBackend backend = LocalFixture.backend(tmp);

        List<Parameter> params = backend.parameters(RunRef.of("ParamsLogsFlow", "1796301628865091"));

        assertThat(params).extracting(Parameter::name).containsExactly("alpha", "config", "count", "label", "verbose");
        ArtifactValue alpha = params.get(0).value();
        assertThat(alpha.available()).isFalse();
        assertThat(alpha.pythonType()).isEqualTo("float");
        assertThat(alpha.unavailableReason()).contains("the artifact blob e7941605 of flow ParamsLogsFlow is not valid gzip");
        assertThat(params.subList(1, 5)).allMatch(p -> p.value().available());
        assertThat(params.get(2).value().display()).isEqualTo("5000");
    }

    @Test
    void a_task_with_a_corrupted_file_is_listed_as_unknown_and_the_other_tasks_still_are(@TempDir Path tmp)
            throws IOException {
        corruptEndOutcomeOfRetryFlow(tmp);
        LocalMetaflowBackend backend = LocalFixture.backend(tmp);
        RunRef run = RunRef.of("RetryFlow", "1796301618523831");

        List<Task> tasks = MetaflowClient.of(backend).tasks(run, TaskQuery.all()).toList();
        List<Step> steps = backend.steps(run);

        assertThat(tasks).extracting(t -> t.ref().toString(), t -> t.status().status()).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("RetryFlow/1796301618523831/start/1", Status.COMPLETED),
                org.assertj.core.groups.Tuple.tuple("RetryFlow/1796301618523831/flaky/2", Status.COMPLETED),
                org.assertj.core.groups.Tuple.tuple("RetryFlow/1796301618523831/end/3", Status.UNKNOWN));
        Task end = tasks.stream().filter(t -> t.step().equals("end")).findFirst().orElseThrow();
        assertThat(end.status().reason()).isEqualTo("the task's files cannot be read: the attempt_ok metadata of "
                + "task RetryFlow/1796301618523831/end/3 is malformed JSON");
        assertThat(end.attempts()).isEmpty();
        assertThat(steps).extracting(Step::name, s -> s.status().status()).containsExactly(
                org.assertj.core.groups.Tuple.tuple("start", Status.COMPLETED),
                org.assertj.core.groups.Tuple.tuple("flaky", Status.COMPLETED),
                org.assertj.core.groups.Tuple.tuple("end", Status.UNKNOWN));
        assertThat(backend.run(run).orElseThrow().status().status()).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void names_no_file_system_can_hold_are_simply_not_found() {
        LocalMetaflowBackend backend = LocalFixture.backend();
        String longName = "x".repeat(300);
        String longUtf8 = "é".repeat(200); // 200 characters, 400 bytes
        for (String bad : List.of(longName, longUtf8)) {
            RunRef run = RunRef.of("LinearFlow", bad);
            TaskRef task = TaskRef.of("LinearFlow", "1796301579117609", "end", bad);

            assertThat(backend.flow(bad)).isEmpty();
            assertThat(backend.run(run)).isEmpty();
            assertThat(backend.run(RunRef.of(bad, "1"))).isEmpty();
            assertThat(backend.steps(run)).isEmpty();
            assertThat(backend.listTasks(RunRef.of("LinearFlow", "1796301579117609"), TaskQuery.ofStep(bad),
                    io.github.metaflowui.core.PageRequest.first(10)).items()).isEmpty();
            assertThat(backend.task(task)).isEmpty();
            assertThat(backend.task(TaskRef.of("LinearFlow", "1796301579117609", bad, "3"))).isEmpty();
            assertThat(backend.metadata(task)).isEmpty();
            assertThat(backend.artifacts(task)).isEmpty();
            assertThat(backend.artifactValue(task, "total", 0, 100)).isEmpty();
            assertThat(backend.logs(task, io.github.metaflowui.core.LogStream.STDOUT,
                    io.github.metaflowui.core.LogRequest.fromStart(0, 10)).lines()).isEmpty();
            assertThat(backend.dag(run)).isEmpty();
            assertThat(backend.parameters(run)).isEmpty();
            assertThat(MetaflowClient.of(backend).runs(RunQuery.builder().flow(bad).build()).toList()).isEmpty();
        }
    }

    @Test
    void a_flow_run_step_or_task_directory_is_refused_naming_the_metaflow_directory_above_it() {
        Path root = LocalFixture.root().toAbsolutePath().normalize();
        record Case(String relative, String what) {
        }
        for (Case c : List.of(
                new Case("LinearFlow", "flow LinearFlow"),
                new Case("LinearFlow/1796301579117609", "run LinearFlow/1796301579117609"),
                new Case("LinearFlow/1796301579117609/end", "step LinearFlow/1796301579117609/end"),
                new Case("LinearFlow/1796301579117609/end/3", "task LinearFlow/1796301579117609/end/3"))) {
            Path dir = root.resolve(c.relative());

            assertThatThrownBy(() -> LocalMetaflowBackend.builder().root(dir).build())
                    .as(c.relative())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(dir + " is the directory of " + c.what() + ", not a Metaflow directory: use the "
                            + ".metaflow directory that holds it, " + root);
        }
    }

    /** Copies the RetryFlow runs and breaks the attempt_ok record of end/3 in run 1796301618523831. */
    private static Path corruptEndOutcomeOfRetryFlow(Path tmp) throws IOException {
        LocalFixture.copy("RetryFlow", tmp);
        Path meta = tmp.resolve("RetryFlow/1796301618523831/end/3/_meta");
        Path okFile;
        try (var files = Files.list(meta)) {
            okFile = files.filter(p -> p.getFileName().toString().startsWith("sysmeta_attempt_ok_")).findFirst()
                    .orElseThrow();
        }
        LocalFixture.overwrite(okFile, "not json at all");
        return okFile;
    }
}

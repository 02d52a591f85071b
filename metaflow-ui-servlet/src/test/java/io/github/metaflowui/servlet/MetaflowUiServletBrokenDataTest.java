package io.github.metaflowui.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.servlet.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A copy of the real ParamsLogsFlow run with broken files: the blob of parameter {@code alpha}, the
 * graph blob, and the outcome record of task {@code logs/2}. Each breaks only what it belongs to:
 * every request of the run page still answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiServletBrokenDataTest {
    private static final String RUN = "/api/flows/ParamsLogsFlow/runs/1796301628865091";
    private static final String ALPHA_BLOB = "ParamsLogsFlow/data/e7/e79416050c083d24cf5fb8c9b35c5b01db35bff2";
    private static final String GRAPH_BLOB = "ParamsLogsFlow/data/6c/6c3ddba7e7625f538022e8fe128c63ce435e3135";
    private static final String LOGS_TASK_META = "ParamsLogsFlow/1796301628865091/logs/2/_meta";

    @TempDir
    static Path tmp;
    private TestServer server;

    @BeforeAll
    void start() throws IOException {
        Path fixture = TestServer.localFixture();
        copyTree(fixture.resolve("ParamsLogsFlow"), tmp.resolve("ParamsLogsFlow"));
        Files.write(tmp.resolve(ALPHA_BLOB), new byte[]{0x1f, (byte) 0x8b, 1, 2, 3});
        Files.write(tmp.resolve(GRAPH_BLOB), new byte[]{0x1f, (byte) 0x8b, 9, 9, 9});
        Path okRecord;
        try (var files = Files.list(tmp.resolve(LOGS_TASK_META))) {
            okRecord = files.filter(p -> p.getFileName().toString().startsWith("sysmeta_attempt_ok_")).findFirst()
                    .orElseThrow();
        }
        FileTime metaTime = Files.getLastModifiedTime(okRecord.getParent());
        Files.writeString(okRecord, "{\"field_name\": \"attempt_ok\", trunc");
        Files.setLastModifiedTime(okRecord.getParent(), metaTime);

        LocalMetaflowBackend backend = LocalMetaflowBackend.builder()
                .root(tmp)
                .clock(Clock.fixed(MetaflowUiServletFixtureTest.NOW, java.time.ZoneOffset.UTC))
                .build();
        server = TestServer.start("/", TestServer.mappings(
                "/*", new MetaflowUiServlet(backend, MetaflowUiOptions.defaults(), TestServer.TEST_ASSETS)));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private JsonNode ok(String path) {
        Reply r = server.get(path);
        assertThat(r.status()).as(path + " -> " + r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void a_corrupt_parameter_blob_marks_that_parameter_unavailable_and_the_others_are_shown() {
        JsonNode data = ok(RUN + "/parameters").get("data");

        assertThat(data.get("alpha").get("value").isNull()).isTrue();
        assertThat(data.get("alpha").get("available").asBoolean()).isFalse();
        assertThat(data.get("alpha").get("type").asText()).isEqualTo("float");
        assertThat(data.get("alpha").get("reason").asText())
                .isEqualTo("the artifact blob e7941605 of flow ParamsLogsFlow is not valid gzip");
        assertThat(data.get("count").get("value").asInt()).isEqualTo(5000);
        assertThat(data.get("label").get("value").asText()).isEqualTo("baseline");
        assertThat(data.get("config").get("value").toString()).isEqualTo("{\"layers\":[64,32],\"dropout\":0.5}");
    }

    @Test
    void a_corrupt_artifact_blob_is_an_unavailable_value_with_the_reason() {
        JsonNode value = ok(RUN + "/steps/start/tasks/1/artifacts/alpha").get("data");

        assertThat(value.get("available").asBoolean()).isFalse();
        assertThat(value.get("value").isNull()).isTrue();
        assertThat(value.get("reason").asText())
                .isEqualTo("the artifact blob e7941605 of flow ParamsLogsFlow is not valid gzip");
        assertThat(ok(RUN + "/steps/start/tasks/1/artifacts/count").at("/data/value").asInt()).isEqualTo(5000);
    }

    @Test
    void a_task_with_a_corrupt_record_is_listed_as_unknown_and_steps_and_tasks_still_answer() {
        JsonNode steps = ok(RUN + "/steps").get("data");
        JsonNode tasks = ok(RUN + "/tasks").get("data");
        JsonNode run = ok(RUN).get("data");

        List<String> stepStatuses = new ArrayList<>();
        steps.forEach(s -> stepStatuses.add(s.get("step_name").asText() + ":" + s.get("status").asText()));
        assertThat(stepStatuses).containsExactly("start:completed", "logs:unknown", "end:completed");
        List<String> taskStatuses = new ArrayList<>();
        tasks.forEach(t -> taskStatuses.add(t.get("step_name").asText() + "/" + t.get("task_id").asText() + ":"
                + t.get("status").asText()));
        assertThat(taskStatuses).containsExactly("start/1:completed", "logs/2:unknown", "end/3:completed");
        assertThat(tasks.get(1).get("status_reason").asText()).isEqualTo("the task's files cannot be read: the "
                + "attempt_ok metadata of task ParamsLogsFlow/1796301628865091/logs/2 is malformed JSON");
        assertThat(run.get("status").asText()).as("the end step decides").isEqualTo("completed");
        assertThat(ok(RUN + "/tasks?status=failed").get("data")).isEmpty();
    }

    @Test
    void a_corrupt_graph_fails_only_the_dag_request() {
        Reply dag = server.get(RUN + "/dag");

        assertThat(dag.status()).isEqualTo(502);
        assertThat(dag.contentType()).isEqualTo("application/problem+json;charset=utf-8");
        assertThat(dag.json().get("detail").asText())
                .isEqualTo("the artifact blob 6c3ddba7 of flow ParamsLogsFlow is not valid gzip");
        assertThat(ok(RUN + "/steps").get("data")).hasSize(3);
    }

    @Test
    void no_answer_names_a_server_path_or_a_parser_message() {
        Reply task = server.get(RUN + "/steps/logs/tasks/2");
        assertThat(task.status()).isEqualTo(502);
        assertThat(task.json().get("detail").asText())
                .isEqualTo("the attempt_ok metadata of task ParamsLogsFlow/1796301628865091/logs/2 is malformed JSON");

        for (String path : List.of(RUN, RUN + "/steps", RUN + "/tasks", RUN + "/parameters", RUN + "/dag",
                RUN + "/steps/start/tasks/1/artifacts/alpha", RUN + "/steps/logs/tasks/2",
                RUN + "/steps/logs/tasks/2/metadata", "/api/runs")) {
            String body = server.get(path).body();
            assertThat(body).as(path).doesNotContain(tmp.toString()).doesNotContain("_meta/")
                    .doesNotContain("Unexpected character").doesNotContain("ZipException");
        }
    }

    /** Copies a directory tree, keeping modification times. */
    static void copyTree(Path source, Path target) {
        try {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path t = target.resolve(source.relativize(file).toString());
                    Files.copy(file, t);
                    t.toFile().setWritable(true);
                    Files.setLastModifiedTime(t, attrs.lastModifiedTime());
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Path t = target.resolve(source.relativize(dir).toString());
                    t.toFile().setWritable(true);
                    Files.setLastModifiedTime(t, Files.getLastModifiedTime(dir));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Run triggers ({@code execution-triggers} metadata, on a temp copy of two LinearFlow runs), the task
 * search matching foreach values rather than variable names, and the log search limit the UI asks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiServletDetailsTest {
    static final String TRIGGERED = "1796301602989289";
    static final String UPSTREAM = "1796301579117609";
    /** What Metaflow's Argo Workflows decorator records on the start task: one event, one finished run. */
    static final String TRIGGERS_JSON = "[{\"timestamp\": 1796301590, \"id\": \"e-42\", \"name\": \"data_ready\","
            + " \"type\": \"event\"}, {\"timestamp\": 1796301599, \"id\": \"LinearFlow/" + UPSTREAM + "/end/3\","
            + " \"name\": \"metaflow.LinearFlow.end\", \"type\": \"run\"}]";

    private TestServer fixture;
    private TestServer copy;

    @BeforeAll
    void start(@TempDir Path tmp) throws IOException {
        Path root = TestServer.localFixture();
        Clock clock = Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC);
        fixture = TestServer.start("/", TestServer.mappings("/*", new MetaflowUiServlet(
                LocalMetaflowBackend.builder().root(root).clock(clock).build(), MetaflowUiOptions.defaults(),
                TestServer.TEST_ASSETS)));
        copy = TestServer.start("/", TestServer.mappings("/*", new MetaflowUiServlet(
                LocalMetaflowBackend.builder().root(triggeredCopy(root, tmp)).clock(clock).build(),
                MetaflowUiOptions.defaults(), TestServer.TEST_ASSETS)));
    }

    @AfterAll
    void stop() {
        fixture.close();
        copy.close();
    }

    /** Two LinearFlow runs copied; the newer one's start task gets an {@code execution-triggers} record. */
    static Path triggeredCopy(Path fixtureRoot, Path dir) throws IOException {
        Path flow = dir.resolve(".metaflow").resolve("LinearFlow");
        for (String part : List.of("_meta", "data", TRIGGERED, UPSTREAM)) {
            copyTree(fixtureRoot.resolve("LinearFlow").resolve(part), flow.resolve(part));
        }
        Path meta = flow.resolve(TRIGGERED).resolve("start/1/_meta/sysmeta_execution-triggers_1796301603000.json");
        String record = "{\"flow_id\": \"LinearFlow\", \"run_number\": \"" + TRIGGERED + "\", \"step_name\": \"start\","
                + " \"task_id\": \"1\", \"field_name\": \"execution-triggers\", \"type\": \"execution-triggers\","
                + " \"value\": " + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(TRIGGERS_JSON)
                + ", \"tags\": [\"attempt_id:0\"], \"user_name\": \"alice\", \"ts_epoch\": 1796301603000}";
        Files.writeString(meta, record);
        return dir.resolve(".metaflow");
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(p -> {
                Path target = to.resolve(from.relativize(p).toString());
                try {
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                        target.toFile().setWritable(true);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static JsonNode ok(TestServer server, String path) {
        Reply r = server.get(path);
        assertThat(r.status()).as(path + " -> " + r.body()).isEqualTo(200);
        return r.json().get("data");
    }

    private static List<String> field(JsonNode rows, String name) {
        List<String> out = new ArrayList<>();
        rows.forEach(n -> out.add(n.get(name).asText()));
        return out;
    }

    @Test
    void a_run_lists_its_triggers_with_the_triggering_run() {
        JsonNode run = ok(copy, "/api/flows/LinearFlow/runs/" + TRIGGERED);
        JsonNode t = run.get("triggers");
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.at("/0/type").asText()).isEqualTo("event");
        assertThat(t.at("/0/name").asText()).isEqualTo("data_ready");
        assertThat(t.at("/0/id").asText()).isEqualTo("e-42");
        assertThat(t.at("/0/timestamp").asLong()).isEqualTo(1796301590000L); // seconds on the wire, ms here
        assertThat(t.at("/0/flow_id").isNull()).isTrue();
        assertThat(t.at("/1/type").asText()).isEqualTo("run");
        assertThat(t.at("/1/name").asText()).isEqualTo("metaflow.LinearFlow.end");
        assertThat(t.at("/1/flow_id").asText()).isEqualTo("LinearFlow");
        assertThat(t.at("/1/run_id").asText()).isEqualTo(UPSTREAM);
        // the triggering run exists in the copy: the UI links to it
        assertThat(ok(copy, "/api/flows/LinearFlow/runs/" + UPSTREAM).get("triggers").size()).isZero();
        // lists stay lean: no per-run metadata reads
        assertThat(ok(copy, "/api/flows/LinearFlow/runs").get(0).has("triggers")).isFalse();
    }

    @Test
    void untriggered_runs_have_an_empty_trigger_list() {
        assertThat(ok(fixture, "/api/flows/LinearFlow/runs/" + UPSTREAM).get("triggers").isArray()).isTrue();
        assertThat(ok(fixture, "/api/flows/LinearFlow/runs/" + UPSTREAM).get("triggers").size()).isZero();
    }

    @Test
    void task_search_matches_foreach_values_not_variable_names() {
        String tasks = "/api/flows/NestedForeachFlow/runs/1796301646182255/tasks?_limit=100&q=";
        JsonNode b = ok(fixture, tasks + "b");
        List<String> labels = field(b, "foreach_label");
        // "numbers" contains a "b" but is a name: only tasks whose letter is b match
        assertThat(labels).isNotEmpty().allMatch(l -> l.startsWith("letters[1]=b"));
        assertThat(labels).contains("letters[1]=b", "letters[1]=b, numbers[0]=1", "letters[1]=b, numbers[3]=4");
        assertThat(ok(fixture, tasks + "numbers").size()).isZero();
        assertThat(ok(fixture, tasks + "letters").size()).isZero();
        // a value of the inner foreach ("4" also finds task ids with a 4), and a written-out label part
        JsonNode four = ok(fixture, tasks + "4");
        four.forEach(t -> assertThat(t.get("foreach_label").asText().endsWith("=4") || t.get("task_id").asText().contains("4"))
                .as(t.toString()).isTrue());
        assertThat(field(four, "foreach_label")).filteredOn(l -> l.endsWith("=4")).hasSize(3);
        assertThat(field(ok(fixture, tasks + "numbers%5B3%5D"), "foreach_label")).hasSize(3);
    }

    @Test
    void log_search_answers_the_limit_the_ui_asks_and_says_when_capped() {
        String task = MetaflowUiServletSearchTest.LOGS_TASK;
        JsonNode ui = ok(fixture, task + "/logs/out/search?q=of%2005000&_limit=1000");
        assertThat(ui.get("limit").asInt()).isEqualTo(1000);
        assertThat(ui.get("rows").size()).isEqualTo(1000);
        assertThat(ui.get("truncated").asBoolean()).isTrue();
        assertThat(ok(fixture, task + "/logs/out/search?q=of%2005000").get("limit").asInt()).isEqualTo(200);
    }
}

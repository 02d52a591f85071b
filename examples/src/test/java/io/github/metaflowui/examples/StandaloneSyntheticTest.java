package io.github.metaflowui.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --synthetic RUNS:TASKS}: the runner serves a generated archive through the simulator and the index. */
class StandaloneSyntheticTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private StandaloneMain.Launch launch(String... args) {
        return StandaloneMain.start(args, Map.of(), null, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static JsonNode get(HttpClient http, URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(uri + " -> " + r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void serves_a_generated_archive_with_its_big_run() throws Exception {
        StandaloneMain.Launch l = launch("--synthetic", "3000:1500", "--port", "0");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        try (StandaloneServer server = l.server()) {
            assertThat(server).isNotNull();
            String printed = out.toString(StandardCharsets.UTF_8);
            assertThat(printed).contains("Data: a synthetic archive of 3,000 runs in 2 flows (big run HyperparameterSweepFlow/");
            HttpClient http = HttpClient.newHttpClient();
            JsonNode runs = get(http, server.uri().resolve("api/runs?_limit=20&_order=-duration"));
            assertThat(runs.get("data")).hasSize(20);
            JsonNode flows = get(http, server.uri().resolve("api/flows?_limit=1000"));
            assertThat(flows.get("data")).hasSize(2);

            String big = printed.substring(printed.indexOf("big run ") + 8, printed.indexOf(", 1,500 tasks"));
            String step = "api/flows/" + big.replace("/", "/runs/") + "/steps/sweep/";
            JsonNode agg = get(http, server.uri().resolve(step + "aggregates")).get("data");
            assertThat(agg.at("/task_counts/total").asInt()).isEqualTo(1500);
            assertThat(agg.at("/task_counts/failed").asInt()).isEqualTo(1); // one in 1,667, at least one
            JsonNode tasks = get(http, server.uri().resolve(step + "tasks?_limit=40&_page=38"));
            assertThat(tasks.get("data")).hasSize(20); // 1,500 = 37 pages of 40 and one of 20
            assertThat(tasks.at("/pages/next").isNull()).isTrue();
        }
    }

    @Test
    void a_malformed_spec_is_a_clear_error() {
        StandaloneMain.Launch l = launch("--synthetic", "lots");
        assertThat(l.server()).isNull();
        assertThat(l.exitCode()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).trim())
                .isEqualTo("error: expected RUNS:TASKS, e.g. 1000000:100000, got 'lots'");
    }

    @Test
    void help_describes_the_option() {
        launch("--help");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--synthetic RUNS:TASKS");
    }
}

package io.github.metaflowui.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.metaflowui.client.http.testing.Recordings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The standalone runner over the real recorded metadata service and UI backend, served by WireMock. */
class StandaloneRecordedServicesTest {
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private WireMockServer wiremock;
    private StandaloneServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (wiremock != null) {
            wiremock.stop();
        }
    }

    private StandaloneServer launch(String... args) {
        StandaloneMain.Launch l = StandaloneMain.start(args, Map.of(), null,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(l.server()).isNotNull();
        return l.server();
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    private Map<String, String> statusesOfFlow(String flow) throws Exception {
        Map<String, String> statuses = new LinkedHashMap<>();
        // page size 1 asks the services exactly what the recordings hold (Metaflow's UI pages the same way)
        for (int page = 1; page < 10; page++) {
            JsonNode body = get("api/flows/" + flow + "/runs?_limit=1&_page=" + page);
            body.get("data").forEach(run -> statuses.put(run.get("run_number").asText(), run.get("status").asText()));
            if (body.get("pages").get("next").isNull()) {
                return statuses;
            }
        }
        throw new AssertionError("more pages than runs");
    }

    @Test
    void shows_the_recorded_ui_backend_runs_statuses_and_logs() throws Exception {
        wiremock = Recordings.serve("ui-backend");
        server = launch("--port", "0", "--ui-backend-url", wiremock.baseUrl() + "/api/");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Metaflow UI: http://127.0.0.1:");

        // the newest five runs of all flows, and whether more follow (the recording holds _page=1 and 2)
        JsonNode newest = get("api/runs?_limit=5");
        List<String> runs = new ArrayList<>();
        newest.get("data").forEach(r -> runs.add(r.get("flow_id").asText() + "/" + r.get("run_number").asText()
                + ":" + r.get("status").asText()));
        assertThat(runs).containsExactly("BigForeachFlow/12:failed", "ForeachFlow/11:completed",
                "NestedForeachFlow/10:completed", "ParamsLogsFlow/9:completed", "ParamsLogsFlow/8:completed");
        assertThat(newest.get("pages").get("next").asInt()).isEqualTo(2);

        JsonNode firstLine = get("api/flows/ParamsLogsFlow/runs/8/steps/logs/tasks/33/logs/out?_limit=1");
        assertThat(firstLine.get("pages").get("last").asInt()).isEqualTo(5003);
        List<String> tail = new ArrayList<>();
        get("api/flows/ParamsLogsFlow/runs/8/steps/logs/tasks/33/logs/out?_limit=3&_order=-row")
                .get("data").forEach(row -> tail.add(row.get("row").asInt() + ":" + row.get("line").asText()));
        assertThat(tail).first().isEqualTo("5002:last stdout line");
    }

    @Test
    void shows_the_recorded_metadata_service_runs_and_statuses() throws Exception {
        wiremock = Recordings.serve("service");
        server = launch("--port", "0", "--service-url", wiremock.baseUrl() + "/");

        assertThat(statusesOfFlow("FailingFlow")).containsOnly(Map.entry("7", "failed"), Map.entry("6", "failed"));

        JsonNode flaky = get("api/flows/RetryFlow/runs/5/steps/flaky/tasks/23/attempts");
        List<String> attempts = new ArrayList<>();
        flaky.get("data").forEach(a -> attempts.add(a.get("attempt_id").asInt() + ":" + a.get("status").asText()));
        assertThat(attempts).containsExactly("1:completed", "0:failed");
    }

    @Test
    void a_second_data_source_is_refused() {
        StandaloneMain.Launch l = StandaloneMain.start(new String[] {"--service-url", "http://127.0.0.1:1/",
                "--metaflow-dir", "/tmp"}, Map.of(), null, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(l.exitCode()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("give only one of --metaflow-dir, --service-url, --ui-backend-url and --synthetic");
    }

    @Test
    void a_non_http_url_is_refused() {
        StandaloneMain.Launch l = StandaloneMain.start(new String[] {"--service-url", "ftp://example/"}, Map.of(), null,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(l.exitCode()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--service-url must be an http(s) URL such as http://host:8080/, got 'ftp://example/'");
    }

    @Test
    void metaflow_configuration_is_used_when_no_source_is_given() throws Exception {
        wiremock = Recordings.serve("service");
        StandaloneMain.Launch l = StandaloneMain.start(new String[] {"--port", "0"},
                Map.of("METAFLOW_SERVICE_URL", wiremock.baseUrl() + "/"), null,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        server = l.server();
        assertThat(server).isNotNull();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("from Metaflow's configuration");
        assertThat(statusesOfFlow("FailingFlow")).containsOnly(Map.entry("7", "failed"), Map.entry("6", "failed"));
        assertThat(URI.create(wiremock.baseUrl()).getPort()).isPositive();
    }
}

package io.github.metaflowui.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StandaloneMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private StandaloneMain.Launch launch(String... args) {
        return StandaloneMain.start(args, java.util.Map.of(), null, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void help_prints_usage_and_exits_zero() {
        StandaloneMain.Launch l = launch("--help");
        assertThat(l.server()).isNull();
        assertThat(l.exitCode()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--metaflow-dir DIR", "--port PORT", "--host HOST",
                "--demo");
    }

    @Test
    void demo_never_writes_into_a_given_directory(@TempDir Path tmp) {
        assertThat(launch("--demo", "--metaflow-dir", tmp.toString()).exitCode()).isEqualTo(2);
        assertThat(err()).isEqualTo("error: --demo runs on a copy of the bundled sample runs and cannot be combined"
                + " with --metaflow-dir, --service-url, --ui-backend-url or --synthetic (your data is only ever read)" + System.lineSeparator());
    }

    @Test
    void demo_serves_a_copy_where_a_simulated_run_progresses_and_streams_its_changes() throws Exception {
        StandaloneMain.Launch l = launch("--port", "0", "--demo");
        assertThat(err()).isEmpty();
        try (StandaloneServer server = l.server()) {
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("a simulated NestedForeachFlow run progresses");
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + java.time.Duration.ofMinutes(1).toNanos();
            JsonNode demoRun = null;
            while (demoRun == null) {
                assertThat(System.nanoTime()).as("a demo run appears").isLessThan(deadline);
                JsonNode body = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(
                        server.uri().resolve("api/flows/NestedForeachFlow/runs?_tags=demo")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                demoRun = body.get("data").size() > 0 ? body.get("data").get(0) : null;
                Thread.sleep(100);
            }
            assertThat(demoRun.get("status").asText()).isEqualTo("running");
            // the live stream of all runs starts with a snapshot that holds it
            HttpResponse<java.io.InputStream> events = http.send(HttpRequest.newBuilder(server.uri().resolve("api/events"))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(events.statusCode()).isEqualTo(200);
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(events.body(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null && !line.startsWith("event: snapshot")) {
                    // skip to the snapshot
                }
                assertThat(r.readLine()).startsWith("data: ").contains(demoRun.get("run_number").asText());
            }
        }
    }

    @Test
    void unknown_option_is_a_clear_error() {
        StandaloneMain.Launch l = launch("--bogus");
        assertThat(l.exitCode()).isEqualTo(2);
        assertThat(err()).isEqualTo("error: unknown option '--bogus' (see --help)" + System.lineSeparator());
    }

    @Test
    void bad_port_is_a_clear_error() {
        assertThat(launch("--port", "http").exitCode()).isEqualTo(2);
        assertThat(err()).contains("--port must be a number from 0 to 65535, got 'http'");
    }

    @Test
    void option_without_value_is_a_clear_error() {
        assertThat(launch("--metaflow-dir").exitCode()).isEqualTo(2);
        assertThat(err()).contains("--metaflow-dir needs a value");
    }

    @Test
    void missing_directory_is_a_clear_error(@TempDir Path tmp) {
        Path missing = tmp.resolve("nope");
        StandaloneMain.Launch l = launch("--metaflow-dir", missing.toString(), "--port", "0");
        assertThat(l.server()).isNull();
        assertThat(l.exitCode()).isEqualTo(2);
        assertThat(err()).startsWith("error: ").contains(missing.toString());
    }

    @Test
    void directory_without_metaflow_data_is_a_clear_error(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("notes.txt"), "hello");
        StandaloneMain.Launch l = launch("--metaflow-dir", tmp.toString(), "--port", "0");
        assertThat(l.exitCode()).isEqualTo(2);
        assertThat(err()).startsWith("error: ").containsIgnoringCase("not a Metaflow directory");
    }

    @Test
    void a_flow_directory_given_as_metaflow_dir_is_refused_naming_the_metaflow_directory() {
        Path fixture = SharedFixture.localDotMetaflow();
        Path flowDir = fixture.resolve("LinearFlow");

        StandaloneMain.Launch l = launch("--metaflow-dir", flowDir.toString(), "--port", "0");

        assertThat(l.server()).isNull();
        assertThat(l.exitCode()).isEqualTo(2);
        assertThat(err()).isEqualTo("error: " + flowDir + " is the directory of flow LinearFlow, not a Metaflow "
                + "directory: use the .metaflow directory that holds it, " + fixture + System.lineSeparator());
    }

    @Test
    void an_invalid_host_says_the_host_is_invalid_not_that_the_port_is_busy() {
        StandaloneMain.Launch l = launch("--host", "999.1.1.1", "--port", "0");

        assertThat(l.server()).isNull();
        assertThat(l.exitCode()).isEqualTo(2);
        assertThat(err()).isEqualTo("error: --host '999.1.1.1' is not a valid IP address or a host name that "
                + "resolves; use e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"
                + System.lineSeparator());
    }

    @Test
    void a_host_that_is_not_this_machine_says_so() {
        // TEST-NET-1 (RFC 5737): a valid address that no machine here has
        StandaloneMain.Launch l = launch("--host", "192.0.2.1", "--port", "0");

        assertThat(l.server()).isNull();
        assertThat(l.exitCode()).isEqualTo(2);
        assertThat(err()).isEqualTo("error: --host '192.0.2.1' (192.0.2.1) is not an address of this machine; use "
                + "e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)" + System.lineSeparator());
    }

    @Test
    void busy_port_is_a_clear_error() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            StandaloneMain.Launch l = launch("--port", Integer.toString(taken.getLocalPort()));
            assertThat(l.server()).isNull();
            assertThat(l.exitCode()).isEqualTo(1);
            assertThat(err()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .contains("Choose another with --port");
        }
    }

    @Test
    void serves_the_bundled_sample_runs_by_default() throws Exception {
        StandaloneMain.Launch l = launch("--port", "0");
        assertThat(err()).isEmpty();
        try (StandaloneServer server = l.server()) {
            assertThat(server).isNotNull();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("Metaflow UI: http://127.0.0.1:" + server.port() + "/");
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> page = http.send(HttpRequest.newBuilder(server.uri()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));

            List<String> runs = new ArrayList<>();
            List<String> statuses = new ArrayList<>();
            JsonNode body = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(
                    server.uri().resolve("api/runs?_limit=100")).build(), HttpResponse.BodyHandlers.ofString()).body());
            body.get("data").forEach(r -> {
                runs.add(r.get("flow_id").asText() + "/" + r.get("run_number").asText());
                statuses.add(r.get("status").asText());
            });
            // LinearFlow 3, BranchJoinFlow 3, RetryFlow 3, FailingFlow 2, ParamsLogsFlow 3, NestedForeachFlow 1
            assertThat(runs).hasSize(15);
            assertThat(runs.get(0)).isEqualTo("NestedForeachFlow/1796301646182255");
            assertThat(runs).contains("FailingFlow/1796301624448446", "FailingFlow/1796301626371648");
            assertThat(statuses).filteredOn("failed"::equals).hasSize(2);
            assertThat(statuses).filteredOn("completed"::equals).hasSize(13);
        }
    }

    @Test
    void serves_a_given_metaflow_directory() throws Exception {
        Path fixture = SharedFixture.localDotMetaflow();
        StandaloneMain.Launch l = launch("--port", "0", "--metaflow-dir", fixture.toString());
        try (StandaloneServer server = l.server()) {
            assertThat(server).isNotNull();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    server.uri().resolve("api/runs?_limit=100")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(new ObjectMapper().readTree(r.body()).get("data")).hasSize(18);
        }
    }

    @Test
    void only_loopback_hosts_keep_the_default_loopback_access_policy() {
        assertThat(StandaloneServer.isLoopback("127.0.0.1")).isTrue();
        assertThat(StandaloneServer.isLoopback("localhost")).isTrue();
        assertThat(StandaloneServer.isLoopback("::1")).isTrue();
        assertThat(StandaloneServer.isLoopback("0.0.0.0")).isFalse();
    }
}

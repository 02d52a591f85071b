package io.github.metaflowui.servlet.live;

import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.index.IndexedBackend;
import io.github.metaflowui.core.testing.ScriptedBackend;
import io.github.metaflowui.servlet.MetaflowUiOptions;
import io.github.metaflowui.servlet.MetaflowUiServlet;
import io.github.metaflowui.servlet.TestServerAccess;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runs list's stream over the servlet's run index, on a real Jetty: while the data source is down
 * the index keeps answering with its last state, and the stream says so ({@code status: error}, which
 * the UI shows as "Stale since …"), then {@code status: ok} and the changes once the source is back.
 */
class LiveIndexStaleTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ScriptedBackend backend = new ScriptedBackend();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private TestServerAccess server;
    private MetaflowUiServlet servlet;
    private SseReader reader;

    @AfterEach
    void stop() {
        if (reader != null) {
            reader.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String line(SseReader.Event e) {
        return e.type() + (e.type().equals("status") ? " " + e.data().get("state").asText() : "");
    }

    @Test
    void the_runs_stream_reports_an_index_that_cannot_refresh_and_recovers_with_it() throws InterruptedException {
        backend.run("TrainFlow/1", Status.COMPLETED, "end step succeeded");
        servlet = new MetaflowUiServlet(backend, MetaflowUiOptions.builder()
                .pollIntervals(Duration.ofMillis(50), Duration.ofMillis(100))
                .indexRefresh(Duration.ofMillis(50)).build());
        server = TestServerAccess.start(servlet, true, new Server());
        IndexedBackend index = servlet.index().orElseThrow();
        assertThat(index.awaitReady(WAIT)).isTrue();
        reader = SseReader.open(http, URI.create("http://127.0.0.1:" + server.port() + "/api/events"), null);
        reader.until(e -> e.type().equals("snapshot"), WAIT);

        backend.failNext(Integer.MAX_VALUE, ScriptedBackend.unreachable()); // the source goes down
        List<SseReader.Event> down = reader.until(e -> e.type().equals("status"), WAIT);

        SseReader.Event error = down.get(down.size() - 1);
        assertThat(line(error)).isEqualTo("status error");
        assertThat(error.data().get("detail").asText())
                .matches("Metaflow data source unavailable: the run list may be out of date: refreshing it has failed"
                        + " since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(\\d+ attempts?\\): connection refused:"
                        + " metadata service at 127.0.0.1:1");
        assertThat(index.staleSince()).isPresent();
        // the host's reads still work, with the last state
        TestServerAccess.Reply runs = server.get("/api/runs");
        assertThat(runs.status()).isEqualTo(200);
        assertThat(runs.json().get("data")).map(r -> r.get("flow_id").asText() + "/" + r.get("run_number").asText())
                .containsExactly("TrainFlow/1");

        backend.run("TrainFlow/2", Status.RUNNING, "heartbeat 1 s ago");
        backend.failNext(0, ScriptedBackend.unreachable()); // and comes back
        List<SseReader.Event> up = reader.until(e -> e.type().equals("changes"), WAIT);

        assertThat(up).map(LiveIndexStaleTest::line).endsWith("status ok", "changes");
        assertThat(up.get(up.size() - 1).data().get("changes").get(0).get("key").asText()).isEqualTo("TrainFlow/2");
        assertThat(index.staleSince()).isEmpty();
    }
}

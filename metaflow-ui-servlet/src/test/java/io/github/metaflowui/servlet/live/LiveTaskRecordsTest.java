package io.github.metaflowui.servlet.live;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.spi.ForwardingBackend;
import io.github.metaflowui.servlet.MetaflowUiOptions;
import io.github.metaflowui.servlet.MetaflowUiServlet;
import io.github.metaflowui.servlet.TestServerAccess;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A task's artifacts and metadata over {@code api/events} on a real Jetty, read by the JDK's HTTP
 * client: a running task gains records when it finishes, and the stream says so without a reload.
 */
class LiveTaskRecordsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TASK = "/flows/TrainFlow/runs/1/steps/train/tasks/2";

    private final ScriptedBackend scripted = new ScriptedBackend();
    private final List<ArtifactRecord> artifacts = new CopyOnWriteArrayList<>();
    private final List<MetadataRecord> metadata = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<SseReader> readers = new ArrayList<>();
    private TestServerAccess server;

    private void start() {
        ForwardingBackend backend = new ForwardingBackend(scripted) {
            @Override
            public List<ArtifactRecord> artifacts(TaskRef task) {
                return List.copyOf(artifacts);
            }

            @Override
            public List<MetadataRecord> metadata(TaskRef task) {
                return List.copyOf(metadata);
            }
        };
        MetaflowUiServlet servlet = new MetaflowUiServlet(backend, MetaflowUiOptions.builder()
                .pollIntervals(Duration.ofMillis(50), Duration.ofMillis(100)).build());
        server = TestServerAccess.start(servlet, true, new Server());
    }

    @AfterEach
    void stop() {
        readers.forEach(SseReader::close);
        if (server != null) {
            server.close();
        }
    }

    private SseReader open(String... resources) {
        StringBuilder q = new StringBuilder("/api/events");
        for (int i = 0; i < resources.length; i++) {
            q.append(i == 0 ? '?' : '&').append("resource=").append(URLEncoder.encode(resources[i], StandardCharsets.UTF_8));
        }
        SseReader r = SseReader.open(http, URI.create("http://127.0.0.1:" + server.port() + q), null);
        readers.add(r);
        return r;
    }

    private static ArtifactRecord artifact(String name, int attempt) {
        return new ArtifactRecord(name, attempt, "sha-" + name, "/ds/" + name, "local", "gzip+pickle-v4",
                Optional.of("<class 'int'>"), OptionalLong.of(42), ScriptedBackend.T0);
    }

    private static MetadataRecord meta(long id, String field, String value, int attempt) {
        return new MetadataRecord(id, field, value, field, "alice", ScriptedBackend.T0, List.of("attempt_id:" + attempt));
    }

    private static List<String> names(JsonNode rows, String field) {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.get(field).asText()));
        return out;
    }

    @Test
    void a_running_task_gains_its_artifacts_and_metadata_live_then_the_channel_is_final() {
        scripted.run("TrainFlow/1", Status.RUNNING, "r").task("TrainFlow/1/train/2", Status.RUNNING);
        artifacts.add(artifact("name", 0));
        metadata.add(meta(1, "attempt", "0", 0));
        start();

        SseReader r = open(TASK + "/artifacts", TASK + "/metadata");
        JsonNode hello = r.next(WAIT).data();
        String artCh = hello.get("resources").get(TASK + "/artifacts").asText();
        String metaCh = hello.get("resources").get(TASK + "/metadata").asText();
        List<SseReader.Event> first = new ArrayList<>();
        while (first.stream().filter(e -> e.type().equals("snapshot")).count() < 2) {
            first.add(r.next(WAIT));
        }
        JsonNode artSnap = first.stream().map(SseReader.Event::data).filter(d -> d.get("r").asText().equals(artCh))
                .findFirst().orElseThrow();
        JsonNode metaSnap = first.stream().map(SseReader.Event::data).filter(d -> d.get("r").asText().equals(metaCh))
                .findFirst().orElseThrow();
        assertThat(artSnap.get("data")).hasSize(1);
        assertThat(names(artSnap.get("data").get(0), "name")).containsExactly("name");
        assertThat(artSnap.get("data").get(0).get(0).get("task_id").asText()).isEqualTo("2");
        assertThat(names(metaSnap.get("data").get(0), "field_name")).containsExactly("attempt");

        // the task finishes: it stored two more artifacts and recorded attempt_ok
        artifacts.add(artifact("model", 0));
        artifacts.add(artifact("<script>alert(1)</script>", 0));
        metadata.add(meta(2, "attempt_ok", "True", 0));
        scripted.task("TrainFlow/1/train/2", Status.COMPLETED);

        List<JsonNode> changes = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (changes.stream().map(c -> c.get("r").asText()).distinct().count() < 2) {
            assertThat(System.nanoTime()).as("changes of both channels arrive").isLessThan(deadline);
            SseReader.Event e = r.next(WAIT);
            if (e.type().equals("changes")) {
                assertThat(e.raw()).doesNotContain("<script>");
                changes.add(e.data());
            }
        }
        JsonNode art = changes.stream().filter(c -> c.get("r").asText().equals(artCh)).findFirst().orElseThrow();
        JsonNode met = changes.stream().filter(c -> c.get("r").asText().equals(metaCh)).findFirst().orElseThrow();
        assertThat(art.get("changes")).hasSize(1);
        assertThat(art.get("changes").get(0).get("op").asText()).isEqualTo("updated");
        assertThat(art.get("changes").get(0).get("key").asText()).isEqualTo("TrainFlow/1/train/2/artifacts");
        assertThat(names(art.get("changes").get(0).get("data"), "name"))
                .containsExactly("name", "model", "<script>alert(1)</script>");
        assertThat(names(met.get("changes").get(0).get("data"), "field_name")).containsExactly("attempt", "attempt_ok");
        assertThat(met.get("changes").get(0).get("data").get(1).get("attempt_id").asInt()).isZero();

        // the run ends: nothing will change any more, and the stream says so for each channel
        scripted.run("TrainFlow/1", Status.COMPLETED, "end step succeeded");
        List<String> finished = new ArrayList<>();
        while (finished.size() < 2) {
            SseReader.Event e = r.next(WAIT);
            if (e.type().equals("status") && e.data().get("state").asText().equals("finished")) {
                finished.add(e.data().get("r").asText());
            }
        }
        assertThat(finished).containsExactlyInAnyOrder(artCh, metaCh);
    }

    @Test
    void an_unknown_task_record_resource_is_a_400_that_names_it() {
        start();
        TestServerAccess.Reply reply = server.get("/api/events?resource=" + URLEncoder.encode(TASK + "/secrets", StandardCharsets.UTF_8));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("detail").asText()).contains(TASK + "/secrets").contains("artifacts or metadata");
    }
}

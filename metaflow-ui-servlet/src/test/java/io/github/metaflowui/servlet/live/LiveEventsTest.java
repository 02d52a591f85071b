package io.github.metaflowui.servlet.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.servlet.MetaflowUiOptions;
import io.github.metaflowui.servlet.MetaflowUiServlet;
import io.github.metaflowui.servlet.TestServerAccess;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code api/events} and {@code api/events/poll} on a real Jetty, read by the JDK's HTTP client as a
 * browser's EventSource would, over a scripted backend that the test changes.
 */
class LiveEventsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ScriptedBackend backend = new ScriptedBackend();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<SseReader> readers = new ArrayList<>();
    private TestServerAccess server;
    private MetaflowUiServlet servlet;

    private void start(UnaryOperator<MetaflowUiOptions.Builder> options, boolean async) {
        servlet = new MetaflowUiServlet(backend, options.apply(MetaflowUiOptions.builder()
                .pollIntervals(Duration.ofMillis(50), Duration.ofMillis(100))).build());
        server = TestServerAccess.start(servlet, async, new Server());
    }

    private void start() {
        start(o -> o, true);
    }

    @AfterEach
    void stop() {
        readers.forEach(SseReader::close);
        if (server != null) {
            server.close();
        }
    }

    private SseReader open(String pathAndQuery, String lastEventId) {
        SseReader r = SseReader.open(http, URI.create("http://127.0.0.1:" + server.port() + pathAndQuery), lastEventId);
        readers.add(r);
        return r;
    }

    private static String events(String... resources) {
        StringBuilder q = new StringBuilder("/api/events");
        for (int i = 0; i < resources.length; i++) {
            q.append(i == 0 ? '?' : '&').append("resource=").append(URLEncoder.encode(resources[i], StandardCharsets.UTF_8));
        }
        return q.toString();
    }

    private static long seq(String id) {
        return Long.parseLong(id.substring(id.indexOf('.') + 1));
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private long lastEventId() {
        return servlet.liveStats().orElseThrow().lastEventId();
    }

    private static List<String> statuses(JsonNode rows) {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.get("flow_id").asText() + "/" + r.get("run_number").asText() + " "
                + r.get("status").asText()));
        return out;
    }

    @Test
    void with_no_parameters_streams_all_runs_then_each_change_with_increasing_ids() {
        backend.run("TrainFlow/1", Status.RUNNING, "heartbeat 1 s ago").run("TrainFlow/2", Status.COMPLETED, "end step succeeded");
        start();

        SseReader r = open("/api/events", null);
        SseReader.Event hello = r.next(WAIT);
        SseReader.Event snapshot = r.next(WAIT);
        backend.run("TrainFlow/1", Status.FAILED, "end step failed");
        SseReader.Event change = r.next(WAIT);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("text/event-stream; charset=utf-8");
        assertThat(r.retry()).isEqualTo("3000");
        assertThat(hello.type()).isEqualTo("hello");
        assertThat(hello.data().get("streaming").asBoolean()).isTrue();
        String channel = hello.data().get("resources").get("/runs").asText();
        assertThat(snapshot.type()).isEqualTo("snapshot");
        assertThat(snapshot.data().get("r").asText()).isEqualTo(channel);
        assertThat(statuses(snapshot.data().get("data"))).containsExactly("TrainFlow/2 completed", "TrainFlow/1 running");
        assertThat(change.type()).isEqualTo("changes");
        JsonNode c = change.data().get("changes").get(0);
        assertThat(c.get("op").asText()).isEqualTo("status");
        assertThat(c.get("key").asText()).isEqualTo("TrainFlow/1");
        assertThat(c.get("from").asText()).isEqualTo("running");
        assertThat(c.get("to").asText()).isEqualTo("failed");
        assertThat(c.get("reason").asText()).isEqualTo("end step failed");
        assertThat(c.get("data").get("status_reason").asText()).isEqualTo("end step failed");
        assertThat(seq(change.id())).isGreaterThan(seq(snapshot.id()));
    }

    @Test
    void resumes_from_last_event_id_with_exactly_the_events_missed() {
        backend.run("TrainFlow/1", Status.RUNNING, "r");
        start();
        SseReader first = open(events("/flows/TrainFlow/runs/1"), null);
        first.until(e -> e.type().equals("snapshot"), WAIT);
        backend.run("TrainFlow/1", Status.RUNNING, "r", "seen");
        String seen = first.until(e -> e.type().equals("changes"), WAIT).get(0).id();
        first.close();

        long before = lastEventId();
        backend.run("TrainFlow/1", Status.RUNNING, "r", "missed-1");
        await("the first missed change is published", () -> lastEventId() >= before + 1);
        backend.run("TrainFlow/1", Status.COMPLETED, "end step succeeded", "missed-1");
        await("the second missed change is published", () -> lastEventId() >= before + 2);

        SseReader again = open(events("/flows/TrainFlow/runs/1"), seen);
        List<SseReader.Event> got = again.until(e -> e.type().equals("changes")
                && e.data().get("changes").get(0).get("op").asText().equals("status"), WAIT);

        assertThat(got).map(SseReader.Event::type).containsExactly("hello", "changes", "changes");
        assertThat(got.get(1).data().get("changes").get(0).get("data").get("tags").get(0).asText()).isEqualTo("missed-1");
        assertThat(got.get(2).data().get("changes").get(0).get("to").asText()).isEqualTo("completed");
        assertThat(seq(got.get(1).id())).isEqualTo(seq(seen) + 1);
        assertThat(seq(got.get(2).id())).isEqualTo(seq(seen) + 2);
        assertThat(again.drain(Duration.ofMillis(300))).noneMatch(e -> e.type().equals("snapshot"));
    }

    @Test
    void an_id_from_another_boot_gets_a_fresh_snapshot() {
        backend.run("TrainFlow/1", Status.RUNNING, "r");
        start();

        SseReader r = open(events("/flows/TrainFlow/runs/1"), "0badb007.5");
        List<SseReader.Event> got = r.until(e -> e.type().equals("snapshot"), WAIT);

        assertThat(got).map(SseReader.Event::type).containsExactly("hello", "snapshot");
        assertThat(statuses(got.get(1).data().get("data"))).containsExactly("TrainFlow/1 running");
    }

    @Test
    void one_upstream_poll_serves_every_client_of_a_resource() {
        backend.run("TrainFlow/1", Status.RUNNING, "r");
        start();
        List<SseReader> many = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add(open(events("/flows/TrainFlow/runs/1"), null));
        }
        many.forEach(r -> r.until(e -> e.type().equals("snapshot"), WAIT));

        assertThat(servlet.liveStats().orElseThrow().clients()).isEqualTo(20);
        assertThat(servlet.liveStats().orElseThrow().channels()).isEqualTo(1);
        backend.run("TrainFlow/1", Status.COMPLETED, "end step succeeded");
        many.forEach(r -> assertThat(r.until(e -> e.type().equals("changes"), WAIT).get(0).data().get("changes")
                .get(0).get("to").asText()).isEqualTo("completed"));
    }

    @Test
    void the_connection_limit_answers_503_with_a_problem() {
        backend.run("TrainFlow/1", Status.RUNNING, "r");
        start(o -> o.maxLiveClients(2), true);
        open("/api/events", null).next(WAIT);
        open("/api/events", null).next(WAIT);

        TestServerAccess.Reply third = server.get("/api/events");

        assertThat(third.status()).isEqualTo(503);
        assertThat(third.contentType()).isEqualTo("application/problem+json;charset=utf-8");
        assertThat(third.header("Retry-After")).isEqualTo("30");
        assertThat(third.json().get("detail").asText()).isEqualTo("too many live-update connections (the limit is 2);"
                + " the page keeps working by polling api/events/poll");
    }

    @Test
    void a_bad_resource_is_a_400_that_names_it() {
        start();

        assertThat(server.get(events("/flows/F/runs/1/nope")).json().get("detail").asText())
                .isEqualTo("resource '/flows/F/runs/1/nope': no live resource there; expected /runs, /flows/{flow}/runs,"
                        + " a run, its steps, its tasks, a task, a task's artifacts or metadata, or a task's logs/out|err");
        assertThat(server.get(events("runs")).json().get("detail").asText())
                .isEqualTo("resource 'runs': it must be an API path starting with '/', e.g. /runs or /flows/F/runs/R/tasks");
        TestServerAccess.Reply deep = server.get(events("/runs?_limit=600&_page=2"));
        assertThat(deep.status()).isEqualTo(400);
        assertThat(deep.json().get("detail").asText()).isEqualTo("resource '/runs?_limit=600&_page=2': live updates"
                + " cover the first 1000 rows; _page 2 with _limit 600 ends at row 1200");
        assertThat(server.get(events("/flows/F/runs/%20")).json().get("detail").asText())
                .isEqualTo("resource '/flows/F/runs/%20': run id must not be blank");
        assertThat(server.get(events("/runs?status=sleeping")).json().get("detail").asText())
                .isEqualTo("resource '/runs?status=sleeping': unknown status 'sleeping'; expected one of pending, running,"
                        + " completed, failed, unknown");
    }

    @Test
    void the_polling_fallback_returns_the_same_events_as_json() throws IOException {
        backend.run("TrainFlow/1", Status.RUNNING, "r");
        start();
        String poll = "/api/events/poll?resource=" + URLEncoder.encode("/flows/TrainFlow/runs/1", StandardCharsets.UTF_8);

        JsonNode first = server.get(poll).json();
        String last = first.get("last_event_id").asText();
        JsonNode nothing = server.get(poll + "&since=" + last).json();
        backend.run("TrainFlow/1", Status.FAILED, "end step failed");
        long seen = seq(last);
        await("the change is published", () -> lastEventId() > seen);
        JsonNode next = server.get(poll + "&since=" + last).json();

        assertThat(first.get("events").get(0).get("event").asText()).isEqualTo("snapshot");
        assertThat(statuses(first.get("events").get(0).get("data").get("data"))).containsExactly("TrainFlow/1 running");
        assertThat(first.get("hello").get("streaming").asBoolean()).isFalse();
        assertThat(nothing.get("events")).isEmpty();
        assertThat(next.get("events").get(0).get("event").asText()).isEqualTo("changes");
        assertThat(next.get("events").get(0).get("data").get("changes").get(0).get("to").asText()).isEqualTo("failed");
    }

    @Test
    void without_async_support_the_stream_catches_up_and_ends_for_the_browser_to_retry() {
        backend.run("TrainFlow/1", Status.RUNNING, "r");
        start(o -> o, false);

        TestServerAccess.Reply r = server.get("/api/events");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("text/event-stream;charset=utf-8");
        assertThat(r.body()).startsWith("retry: 3000\n\nevent: hello\n").contains("\nevent: snapshot\ndata: ");
    }

    @Test
    void heartbeats_are_comment_lines() {
        start(o -> o.heartbeatInterval(Duration.ofMillis(100)), true);

        SseReader r = open("/api/events", null);

        await("two heartbeats", () -> r.comments() >= 2);
    }

    @Test
    void a_running_task_log_is_pushed_line_by_line() {
        backend.run("TrainFlow/1", Status.RUNNING, "r").task("TrainFlow/1/train/2", Status.RUNNING)
                .log("TrainFlow/1/train/2", LogStream.STDOUT, 0, 3);
        start();

        SseReader r = open(events("/flows/TrainFlow/runs/1/steps/train/tasks/2/logs/out"), null);
        JsonNode snapshot = r.until(e -> e.type().equals("snapshot"), WAIT).get(1).data().get("log");
        backend.log("TrainFlow/1/train/2", LogStream.STDOUT, 0, 2);
        JsonNode appended = r.until(e -> e.type().equals("changes"), WAIT).get(0).data().get("log");

        assertThat(snapshot.get("reset").asBoolean()).isTrue();
        assertThat(snapshot.get("total_lines").asLong()).isEqualTo(3);
        assertThat(snapshot.get("lines")).hasSize(3);
        assertThat(appended.get("reset").asBoolean()).isFalse();
        assertThat(appended.get("total_lines").asLong()).isEqualTo(5);
        assertThat(appended.get("lines").get(0).get("row").asLong()).isEqualTo(3);
        assertThat(appended.get("lines").get(1).get("line").asText()).isEqualTo("line 5");
    }

    @Test
    void what_a_flow_wrote_stays_text_in_events() {
        backend.run("TrainFlow/1", Status.RUNNING, "r", "<script>alert(1)</script>");
        start();

        SseReader.Event snapshot = open("/api/events", null).until(e -> e.type().equals("snapshot"), WAIT).get(1);

        assertThat(snapshot.raw()).doesNotContain("<script>").contains("\\u003Cscript\\u003E");
        assertThat(snapshot.data().get("data").get(0).get("tags").get(0).asText()).isEqualTo("<script>alert(1)</script>");
    }

    @Test
    void an_upstream_outage_is_reported_then_its_changes_arrive_once() {
        backend.run("TrainFlow/1", Status.RUNNING, "r");
        start();
        SseReader r = open(events("/flows/TrainFlow/runs/1"), null);
        r.until(e -> e.type().equals("snapshot"), WAIT);

        backend.failNext(2, ScriptedBackend.unreachable());
        backend.run("TrainFlow/1", Status.COMPLETED, "end step succeeded");
        List<SseReader.Event> got = r.until(e -> e.type().equals("changes"), WAIT);
        got.addAll(r.drain(Duration.ofMillis(300)));

        assertThat(got).map(e -> e.type() + " " + (e.type().equals("status") ? e.data().get("state").asText()
                : e.data().get("changes").get(0).get("to").asText()))
                .containsExactly("status error", "status error", "status ok", "changes completed", "status finished");
        assertThat(got.get(0).data().get("detail").asText())
                .isEqualTo("Metaflow data source unavailable: connection refused: metadata service at 127.0.0.1:1");
    }

    @Test
    void a_client_that_never_reads_is_dropped_while_the_others_keep_up() throws Exception {
        backend.run("TrainFlow/1", Status.RUNNING, "r");
        for (int i = 0; i < 400; i++) {
            backend.task("TrainFlow/1/square/" + i, Status.RUNNING);
        }
        start(o -> o.liveClientQueueBytes(64 * 1024).slowClientTimeout(Duration.ofMillis(500))
                .heartbeatInterval(Duration.ofMillis(100)), true);
        String resource = events("/flows/TrainFlow/runs/1/tasks?_limit=400");
        SseReader reader = open(resource, null);
        reader.until(e -> e.type().equals("snapshot"), WAIT);

        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(1024);
            slow.connect(new InetSocketAddress("127.0.0.1", server.port()));
            OutputStream out = slow.getOutputStream();
            out.write(("GET " + resource + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await("the slow client is connected", () -> servlet.liveStats().orElseThrow().clients() == 2);
            Status[] cycle = {Status.COMPLETED, Status.FAILED, Status.RUNNING};
            for (int round = 0; servlet.liveStats().orElseThrow().dropped() == 0 && round < 200; round++) {
                Status s = cycle[round % 3];
                for (int i = 0; i < 400; i++) {
                    backend.task("TrainFlow/1/square/" + i, s);
                }
                long at = lastEventId();
                await("round " + round + " is published", () -> lastEventId() > at);
            }

            assertThat(servlet.liveStats().orElseThrow().dropped()).isEqualTo(1);
            assertThat(servlet.liveStats().orElseThrow().clients()).isEqualTo(1);
            InputStream in = slow.getInputStream();
            slow.setSoTimeout(20_000);
            byte[] buf = new byte[8192];
            while (in.read(buf) >= 0) {
                // what was buffered before the drop, then the end of the stream
            }
        }
        for (int i = 0; i < 400; i++) {
            backend.task("TrainFlow/1/square/" + i, Status.COMPLETED);
        }
        backend.run("TrainFlow/1", Status.COMPLETED, "end step succeeded");
        List<SseReader.Event> got = reader.until(e -> e.type().equals("status")
                && e.data().get("state").asText().equals("finished"), WAIT);
        assertThat(got).anyMatch(e -> e.type().equals("changes"));
    }

    @Test
    void destroy_ends_the_streams_and_stops_the_threads() {
        backend.run("TrainFlow/1", Status.RUNNING, "r");
        start();
        SseReader r = open("/api/events", null);
        r.until(e -> e.type().equals("snapshot"), WAIT);

        server.close();
        server = null;

        assertThat(r.awaitEnd(WAIT)).isTrue();
        await("the servlet's threads are gone", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && (t.getName().startsWith("metaflow-ui-watch")
                        || t.getName().startsWith("metaflow-ui-events"))));
    }

    @Test
    void live_updates_can_be_turned_off() {
        start(o -> o.liveUpdates(false), true);

        TestServerAccess.Reply r = server.get("/api/events");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("detail").asText()).isEqualTo("live updates are turned off for this UI; reload pages to see new data");
        assertThat(MAPPER).isNotNull();
    }
}

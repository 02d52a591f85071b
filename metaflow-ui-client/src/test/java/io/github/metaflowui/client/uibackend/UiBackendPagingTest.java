package io.github.metaflowui.client.uibackend;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.github.metaflowui.client.http.internal.Json;
import io.github.metaflowui.core.ArtifactValue;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/** How the UI-backend backend pages: keyset predicates for deep pages, tasks grouped across pages. */
class UiBackendPagingTest {
    static final long TS = 1_796_000_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(TS + 3_600_000L), ZoneOffset.UTC);

    static WireMockServer wm;
    UiServiceBackend backend;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wm.start();
    }

    @AfterAll
    static void stop() {
        wm.stop();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
        backend = UiServiceBackend.builder().baseUri("http://localhost:" + wm.port() + "/api").clock(CLOCK).build();
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        backend.close();
    }

    static ObjectNode run(int n) {
        ObjectNode r = Json.MAPPER.createObjectNode().put("flow_id", "Deep").put("run_number", n).put("run", String.valueOf(n))
                .put("user_name", "alice").put("user", "alice").put("status", "completed").put("ts_epoch", TS + n * 1000L)
                .put("finished_at", TS + n * 1000L + 500).put("duration", 500).put("last_heartbeat_ts", (TS + n * 1000L) / 1000);
        r.putArray("tags");
        r.putArray("system_tags").add("user:alice");
        return r;
    }

    static String envelope(List<ObjectNode> rows, Integer next) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        ArrayNode data = e.putArray("data");
        rows.forEach(data::add);
        e.put("status", 200);
        ObjectNode pages = e.putObject("pages").put("self", 1).put("first", 1).put("prev", 1);
        if (next == null) {
            pages.putNull("next");
        } else {
            pages.put("next", next);
        }
        pages.putNull("last");
        return e.toString();
    }

    /** Runs {@code from}, {@code from-1}, ... down to {@code downTo+1}. */
    static List<ObjectNode> runs(int from, int downTo) {
        return descending(from, downTo).stream().map(UiBackendPagingTest::run).toList();
    }

    static List<Integer> descending(int from, int downTo) {
        List<Integer> out = new java.util.ArrayList<>();
        for (int i = from; i > downTo; i--) {
            out.add(i);
        }
        return out;
    }

    @Test
    void deep_run_pages_use_a_timestamp_keyset_instead_of_a_growing_offset() {
        for (int p = 1; p <= 5; p++) {
            int top = 40 - (p - 1) * 5;
            wm.stubFor(runsPage().withQueryParam("_page", equalTo(String.valueOf(p))).withQueryParam("_limit", equalTo("5"))
                    .withQueryParam("ts_epoch:le", absent())
                    .willReturn(aResponse().withStatus(200).withBody(envelope(runs(top, top - 5), p + 1))));
        }
        // keyset pages: run 16 ended page 5, so page 6 asks for ts <= ts(16) with one extra row for it
        wm.stubFor(runsPage().withQueryParam("ts_epoch:le", equalTo(String.valueOf(TS + 16_000)))
                .withQueryParam("_limit", equalTo("6")).withQueryParam("_page", equalTo("1"))
                .willReturn(aResponse().withStatus(200).withBody(envelope(runs(16, 10), 2))));
        wm.stubFor(runsPage().withQueryParam("ts_epoch:le", equalTo(String.valueOf(TS + 11_000)))
                .withQueryParam("_limit", equalTo("6")).withQueryParam("_page", equalTo("1"))
                .willReturn(aResponse().withStatus(200).withBody(envelope(runs(11, 5), 2))));
        List<Run> all = MetaflowClient.of(backend, 5).runs(RunQuery.ofFlow("Deep")).stream().limit(35).toList();
        assertThat(all).extracting(r -> Integer.parseInt(r.id().value()))
                .containsExactlyElementsOf(descending(40, 5));
        wm.verify(0, getRequestedFor(urlPathEqualTo("/api/flows/Deep/runs")).withQueryParam("_page", equalTo("6")));
    }

    static MappingBuilder runsPage() {
        return get(urlPathEqualTo("/api/flows/Deep/runs")).withQueryParam("_order", equalTo("-ts_epoch"));
    }

    static ObjectNode attempt(String step, int task, int attempt, long ts, String status) {
        ObjectNode r = Json.MAPPER.createObjectNode().put("flow_id", "F").put("run_number", 1).put("step_name", step)
                .put("task_id", task).putNull("task_name").put("status", status).put("ts_epoch", ts)
                .put("started_at", ts + 10 + attempt * 100L).put("finished_at", ts + 90 + attempt * 100L)
                .put("duration", 80).put("attempt_id", attempt);
        r.putNull("last_heartbeat_ts");
        return r;
    }

    @Test
    void a_retried_task_straddling_two_pages_is_returned_once_with_both_attempts() {
        ObjectNode t1 = attempt("s", 1, 0, TS + 1, "completed");
        ObjectNode t2 = attempt("s", 2, 0, TS + 2, "completed");
        ObjectNode t3a0 = attempt("s", 3, 0, TS + 3, "failed");
        ObjectNode t3a1 = attempt("s", 3, 1, TS + 3, "completed");
        ObjectNode t4 = attempt("s", 4, 0, TS + 4, "completed");
        ObjectNode t5 = attempt("s", 5, 0, TS + 5, "running");
        ObjectNode t6 = attempt("s", 6, 0, TS + 6, "completed");
        wm.stubFor(tasksPage().withQueryParam("_page", equalTo("1")).withQueryParam("ts_epoch:ge", absent())
                .willReturn(aResponse().withStatus(200).withBody(envelope(List.of(t1, t2, t3a0), 2))));
        wm.stubFor(tasksPage().withQueryParam("ts_epoch:ge", equalTo(String.valueOf(TS + 3)))
                .willReturn(aResponse().withStatus(200).withBody(envelope(List.of(t3a0, t3a1, t4), 2))));
        wm.stubFor(tasksPage().withQueryParam("ts_epoch:ge", equalTo(String.valueOf(TS + 4)))
                .willReturn(aResponse().withStatus(200).withBody(envelope(List.of(t4, t5, t6), 2))));
        wm.stubFor(tasksPage().withQueryParam("ts_epoch:ge", equalTo(String.valueOf(TS + 6)))
                .willReturn(aResponse().withStatus(200).withBody(envelope(List.of(t6), null))));
        RunRef run = RunRef.of("F", "1");
        List<Task> tasks = MetaflowClient.of(backend, 3).tasks(run, TaskQuery.ofStep("s")).toList();
        assertThat(tasks).extracting(t -> t.id().value()).containsExactly("1", "2", "3", "4", "5", "6");
        assertThat(tasks.get(2).attempts()).extracting(a -> a.id() + ":" + a.status().status())
                .containsExactly("0:FAILED", "1:COMPLETED");
        assertThat(tasks.get(4).status().status()).isEqualTo(Status.RUNNING);

        List<Task> running = MetaflowClient.of(backend, 3).tasks(run, TaskQuery.builder().step("s").status(Status.RUNNING)
                .build()).toList();
        assertThat(running).extracting(t -> t.id().value()).containsExactly("5");
    }

    static MappingBuilder tasksPage() {
        return get(urlPathEqualTo("/api/flows/F/runs/1/tasks")).withQueryParam("step_name", equalTo("s"))
                .withQueryParam("_order", equalTo("+ts_epoch")).withQueryParam("_limit", equalTo("3"));
    }

    @Test
    void tasks_sorted_by_duration_are_read_whole_and_sorted_here() {
        ObjectNode fast = attempt("s", 1, 0, TS + 1, "completed").put("duration", 10).put("finished_at", TS + 21);
        ObjectNode slow = attempt("s", 2, 0, TS + 2, "completed").put("duration", 900).put("finished_at", TS + 912);
        ObjectNode mid = attempt("s", 3, 0, TS + 3, "completed").put("duration", 100).put("finished_at", TS + 113);
        wm.stubFor(get(urlPathEqualTo("/api/flows/F/runs/1/tasks")).withQueryParam("_order", equalTo("+ts_epoch"))
                .withQueryParam("_limit", equalTo("1000")).withQueryParam("_page", equalTo("1"))
                .willReturn(aResponse().withStatus(200).withBody(envelope(List.of(fast, slow, mid), null))));
        List<Task> tasks = MetaflowClient.of(backend, 2).tasks(RunRef.of("F", "1"), TaskQuery.builder()
                .sort(TaskQuery.Sort.DURATION, SortOrder.DESC).build()).toList();
        assertThat(tasks).extracting(t -> t.id().value()).containsExactly("2", "3", "1");
    }

    @Test
    void steps_follow_the_graph_and_count_their_tasks() {
        String steps = envelope(List.of(step("_parameters", 1), step("start", 2), step("end", 3), step("middle", 4)), null);
        wm.stubFor(get(urlPathEqualTo("/api/flows/F/runs/1/steps")).withQueryParam("_order", equalTo("+ts_epoch"))
                .willReturn(aResponse().withStatus(200).withBody(steps)));
        wm.stubFor(get(urlPathEqualTo("/api/flows/F/runs/1/tasks")).withQueryParam("_order", equalTo("+ts_epoch"))
                .willReturn(aResponse().withStatus(200).withBody(envelope(List.of(
                        attempt("_parameters", 1, 0, TS, "unknown"), attempt("start", 2, 0, TS + 1, "completed"),
                        attempt("middle", 3, 0, TS + 2, "completed"), attempt("middle", 4, 0, TS + 3, "failed"),
                        attempt("middle", 4, 1, TS + 3, "running")), null))));
        wm.stubFor(get("/api/flows/F/runs/1/dag").willReturn(aResponse().withStatus(200).withBody(
                "{\"data\": {\"start_step\": \"start\", \"end_step\": \"end\", \"steps\": {"
                        + "\"start\": {\"name\": \"start\", \"type\": \"start\", \"next\": [\"middle\"]},"
                        + "\"middle\": {\"name\": \"middle\", \"type\": \"linear\", \"next\": [\"end\"]},"
                        + "\"end\": {\"name\": \"end\", \"type\": \"end\", \"next\": []}},"
                        + " \"graph_structure\": [\"start\", \"middle\", \"end\"], \"doc\": \"\"}, \"status\": 200}")));
        List<Step> result = backend.steps(RunRef.of("F", "1"));
        assertThat(result).extracting(Step::name).containsExactly("start", "middle", "end");
        assertThat(result.get(1).counts().total()).isEqualTo(2);
        assertThat(result.get(1).counts().running()).isEqualTo(1);
        assertThat(result.get(1).status().status()).isEqualTo(Status.RUNNING);
        assertThat(result.get(2).counts().total()).isZero();
        assertThat(result.get(2).status().status()).isEqualTo(Status.PENDING);
        assertThat(result.get(0).finishedAt()).contains(Instant.ofEpochMilli(TS + 1 + 90));
    }

    static ObjectNode step(String name, long ts) {
        return Json.MAPPER.createObjectNode().put("flow_id", "F").put("run_number", 1).put("step_name", name)
                .put("ts_epoch", TS + ts);
    }

    @Test
    void metadata_reads_every_page() {
        Function<Integer, ObjectNode> meta = i -> {
            ObjectNode m = Json.MAPPER.createObjectNode().put("id", i).put("field_name", "f" + i).put("value", "v" + i)
                    .put("type", "t").put("user_name", "alice").put("ts_epoch", TS + i);
            m.putArray("tags").add("attempt_id:0");
            return m;
        };
        List<ObjectNode> first = java.util.stream.IntStream.range(0, 1000).mapToObj(meta::apply).toList();
        String path = "/api/flows/F/runs/1/steps/s/tasks/7/metadata";
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("_page", equalTo("1"))
                .willReturn(aResponse().withStatus(200).withBody(envelope(first, 2))));
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("_page", equalTo("2"))
                .willReturn(aResponse().withStatus(200).withBody(envelope(List.of(meta.apply(1000), meta.apply(1001)), null))));
        List<MetadataRecord> records = backend.metadata(TaskRef.of("F", "1", "s", "7"));
        assertThat(records).hasSize(1002);
        assertThat(records.get(1001).fieldName()).isEqualTo("f1001");
        assertThat(records.get(0).attemptId()).hasValue(0);
        wm.verify(getRequestedFor(urlPathEqualTo(path)).withQueryParam("_order", equalTo("+ts_epoch"))
                .withQueryParam("_limit", equalTo("1000")));
    }

    @Test
    void small_artifact_values_come_from_the_services_rendering() {
        wm.stubFor(get(urlPathEqualTo("/api/flows/F/runs/1/steps/end/tasks/4/artifacts"))
                .withQueryParam("name", equalTo("total")).withQueryParam("attempt_id", equalTo("0"))
                .withQueryParam("postprocess", equalTo("true"))
                .willReturn(aResponse().withStatus(200).withBody("{\"data\": [{\"name\": \"total\", \"attempt_id\": 0,"
                        + " \"content\": \"[1, 2, 3]\"}], \"status\": 200}")));
        ArtifactValue v = backend.artifactValue(TaskRef.of("F", "1", "end", "4"), "total", 0, 100).orElseThrow();
        assertThat(v).isEqualTo(new ArtifactValue("list", "[1,2,3]", true, false));
        assertThat(backend.artifactValue(TaskRef.of("F", "1", "end", "4"), "total", 0, 3).orElseThrow())
                .isEqualTo(new ArtifactValue("list", "[1,", true, true));
    }

    @Test
    void run_filters_and_order_are_sent_to_the_service() {
        wm.stubFor(get(urlPathEqualTo("/api/runs")).willReturn(aResponse().withStatus(200)
                .withBody(envelope(List.of(run(3)), null))));
        List<Run> runs = MetaflowClient.of(backend, 10).runs(RunQuery.builder().status(Status.FAILED).status(Status.RUNNING)
                .user("alice").tag("a").anyTag("b").createdFrom(Instant.ofEpochMilli(TS))
                .createdBefore(Instant.ofEpochMilli(TS + 10_000)).sort(RunQuery.Sort.DURATION, SortOrder.ASC).build()).toList();
        assertThat(runs).hasSize(1);
        wm.verify(getRequestedFor(urlPathEqualTo("/api/runs"))
                .withQueryParam("status", equalTo("failed,running"))
                .withQueryParam("user_name", equalTo("alice"))
                .withQueryParam("_tags:all", equalTo("a"))
                .withQueryParam("_tags:any", equalTo("b"))
                .withQueryParam("ts_epoch:ge", equalTo(String.valueOf(TS)))
                .withQueryParam("ts_epoch:lt", equalTo(String.valueOf(TS + 10_000)))
                .withQueryParam("_order", equalTo("+duration"))
                .withQueryParam("_limit", equalTo("10"))
                .withQueryParam("_page", equalTo("1")));
    }
}

package io.github.metaflowui.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.servlet.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON API over the real local {@code .metaflow} fixture (read by the real
 * {@link LocalMetaflowBackend}), on a real Jetty, under two mounts: the root and
 * {@code /admin/metaflow}. Values asserted come from the fixture's README. Default options, so the
 * default access policy (loopback only) lets this loopback client in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiServletFixtureTest {
    static final Instant NOW = Instant.parse("2026-12-04T00:00:00Z");
    static final List<String> RUNS_NEWEST_FIRST = List.of(
            "ForeachFlow/1796301750791937", "ForeachFlow/1796301658654985",
            "NestedForeachFlow/1796301646182255", "NestedForeachFlow/1796301636916116",
            "ParamsLogsFlow/1796301634438435", "ParamsLogsFlow/1796301631794417", "ParamsLogsFlow/1796301628865091",
            "FailingFlow/1796301626371648", "FailingFlow/1796301624448446",
            "RetryFlow/1796301621418237", "RetryFlow/1796301618523831", "RetryFlow/1796301615558176",
            "BranchJoinFlow/1796301612748865", "BranchJoinFlow/1796301609499775", "BranchJoinFlow/1796301605733522",
            "LinearFlow/1796301602989289", "LinearFlow/1796301600405831", "LinearFlow/1796301579117609");
    static final String PARAMS_RUN = "/api/flows/ParamsLogsFlow/runs/1796301628865091";
    static final String LOGS_TASK = PARAMS_RUN + "/steps/logs/tasks/2";
    static final String RETRY_RUN = "/api/flows/RetryFlow/runs/1796301618523831";
    static final String FOREACH_RUN = "/api/flows/ForeachFlow/runs/1796301658654985";
    static final String FAILING_RUN = "/api/flows/FailingFlow/runs/1796301624448446";
    static final String FAILING_RETRIED_RUN = "/api/flows/FailingFlow/runs/1796301626371648";

    private TestServer server;
    private LocalMetaflowBackend backend;

    @BeforeAll
    void start() {
        Path root = TestServer.localFixture();
        backend = LocalMetaflowBackend.builder()
                .root(root)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .build();
        server = TestServer.start("/", TestServer.mappings(
                "/*", new MetaflowUiServlet(backend, MetaflowUiOptions.defaults(), TestServer.TEST_ASSETS),
                "/admin/metaflow/*", new MetaflowUiServlet(backend, MetaflowUiOptions.defaults(),
                        TestServer.TEST_ASSETS)));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** GET an API path expecting 200 JSON, no-store. */
    private JsonNode ok(String mount, String path) {
        Reply r = server.get(mount + path);
        assertThat(r.status()).as(path + " -> " + r.body()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/json;charset=utf-8");
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        JsonNode json = r.json();
        assertThat(json.get("status").asInt()).isEqualTo(200);
        return json;
    }

    /** GET expecting a problem with this status and detail. */
    private void problem(String mount, String path, int status, String detail) {
        Reply r = server.get(mount + path);
        assertThat(r.status()).as(path + " -> " + r.body()).isEqualTo(status);
        assertThat(r.contentType()).isEqualTo("application/problem+json;charset=utf-8");
        assertThat(r.json().get("type").asText()).isEqualTo("about:blank");
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        assertThat(r.json().get("detail").asText()).as(path).isEqualTo(detail);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static List<String> runIds(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.get("data").forEach(r -> out.add(r.get("flow_id").asText() + "/" + r.get("run_number").asText()));
        return out;
    }

    private static List<String> texts(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.get(field).asText()).toList();
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (n.get(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no element with " + field + "=" + value + " in " + array);
    }

    // ------------------------------------------------------------------ flows and runs

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void lists_the_flows_by_name_and_pages_them(String mount) {
        JsonNode all = ok(mount, "/api/flows");
        assertThat(texts(all.get("data"), "flow_id")).containsExactly("BranchJoinFlow", "FailingFlow", "ForeachFlow",
                "LinearFlow", "NestedForeachFlow", "ParamsLogsFlow", "RetryFlow");

        JsonNode p2 = ok(mount, "/api/flows?_order=%2Bflow_id&_limit=3&_page=2");
        assertThat(texts(p2.get("data"), "flow_id")).containsExactly("LinearFlow", "NestedForeachFlow",
                "ParamsLogsFlow");
        assertThat(p2.at("/pages/next").asInt()).isEqualTo(3);
        JsonNode p3 = ok(mount, "/api/flows?_order=%2Bflow_id&_limit=3&_page=3");
        assertThat(texts(p3.get("data"), "flow_id")).containsExactly("RetryFlow");
        assertThat(p3.at("/pages/next").isNull()).isTrue();

        JsonNode desc = ok(mount, "/api/flows?_order=-flow_id&_limit=2");
        assertThat(texts(desc.get("data"), "flow_id")).containsExactly("RetryFlow", "ParamsLogsFlow");

        JsonNode one = ok(mount, "/api/flows/ForeachFlow");
        assertThat(one.at("/data/flow_id").asText()).isEqualTo("ForeachFlow");
        assertThat(one.at("/links/self").asText()).isEqualTo(mount + "/api/flows/ForeachFlow");
        problem(mount, "/api/flows/NoSuchFlow", 404, "flow 'NoSuchFlow' not found");
        problem(mount, "/api/flows/NoSuchFlow/runs", 404, "flow 'NoSuchFlow' not found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void lists_all_18_runs_newest_first(String mount) {
        JsonNode runs = ok(mount, "/api/runs");

        assertThat(runIds(runs)).containsExactlyElementsOf(RUNS_NEWEST_FIRST);
        assertThat(runs.at("/pages/self").asInt()).isEqualTo(1);
        assertThat(runs.at("/pages/next").isNull()).isTrue();
        assertThat(runs.at("/pages/prev").isNull()).isTrue();
        assertThat(runs.at("/pages/last").asInt()).as("all 18 fit on page 1: it is the last").isEqualTo(1);
        assertThat(runs.at("/links/self").asText()).isEqualTo(mount + "/api/runs");
        assertThat(runs.at("/links/first").asText()).isEqualTo(mount + "/api/runs?_page=1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void pages_runs_five_at_a_time_with_a_truthful_next(String mount) {
        List<String> seen = new ArrayList<>();
        int[] sizes = {5, 5, 5, 3};
        for (int page = 1; page <= 4; page++) {
            JsonNode r = ok(mount, "/api/runs?_limit=5&_page=" + page);

            assertThat(r.get("data").size()).isEqualTo(sizes[page - 1]);
            assertThat(r.at("/pages/self").asInt()).isEqualTo(page);
            if (page < 4) {
                assertThat(r.at("/pages/next").asInt()).isEqualTo(page + 1);
                assertThat(r.at("/links/next").asText()).isEqualTo(mount + "/api/runs?_limit=5&_page=" + (page + 1));
            } else {
                assertThat(r.at("/pages/next").isNull()).as("page 4 is the last").isTrue();
                assertThat(r.at("/links/next").isNull()).isTrue();
            }
            if (page > 1) {
                assertThat(r.at("/pages/prev").asInt()).isEqualTo(page - 1);
            }
            assertThat(r.at("/query/_limit").asText()).isEqualTo("5");
            seen.addAll(runIds(r));
        }
        assertThat(seen).containsExactlyElementsOf(RUNS_NEWEST_FIRST);

        JsonNode beyond = ok(mount, "/api/runs?_limit=5&_page=5");
        assertThat(beyond.get("data").size()).isZero();
        assertThat(beyond.at("/pages/next").isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void pages_last_is_given_once_the_listing_reached_its_end(String mount) {
        assertThat(ok(mount, "/api/runs?_limit=5").at("/pages/last").isNull()).as("not known on page 1").isTrue();
        JsonNode lastPage = ok(mount, "/api/runs?_limit=5&_page=4");
        assertThat(lastPage.at("/pages/last").asInt()).isEqualTo(4);
        assertThat(lastPage.at("/links/last").asText()).isEqualTo(mount + "/api/runs?_limit=5&_page=4");
        assertThat(ok(mount, "/api/runs?_limit=5&_page=9").at("/pages/last").asInt()).isEqualTo(4);
        assertThat(ok(mount, "/api/runs?_limit=18").at("/pages/last").asInt()).isEqualTo(1);
        assertThat(ok(mount, "/api/runs?_limit=6&_page=3").at("/pages/last").asInt()).isEqualTo(3);

        assertThat(ok(mount, FOREACH_RUN + "/tasks?_limit=100").at("/pages/last").isNull()).isTrue();
        assertThat(ok(mount, FOREACH_RUN + "/tasks?_limit=100&_page=3").at("/pages/last").asInt()).isEqualTo(3);
        assertThat(ok(mount, FOREACH_RUN + "/steps").at("/pages/last").asInt()).isEqualTo(1);
        assertThat(ok(mount, FOREACH_RUN + "/steps?_limit=3").at("/pages/last").asInt())
                .as("whole lists know their total on every page").isEqualTo(2);
        assertThat(ok(mount, "/api/flows").at("/pages/last").asInt()).isEqualTo(1);
        assertThat(ok(mount, "/api/flows/LinearFlow/runs?user=nobody").at("/pages/last").asInt()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void filters_runs_by_status_tags_flow_user_and_time(String mount) {
        JsonNode failed = ok(mount, "/api/runs?status=failed");
        assertThat(runIds(failed)).containsExactly("FailingFlow/1796301626371648", "FailingFlow/1796301624448446");
        failed.get("data").forEach(r -> {
            assertThat(r.get("status").asText()).isEqualTo("failed");
            assertThat(r.get("status_reason").asText()).isNotBlank();
        });
        assertThat(runIds(ok(mount, "/api/runs?status=failed,running"))).hasSize(2);
        assertThat(runIds(ok(mount, "/api/runs?status=completed&_limit=100"))).hasSize(16);

        assertThat(runIds(ok(mount, "/api/runs?_tags=env:test"))).containsExactly("LinearFlow/1796301600405831");
        assertThat(runIds(ok(mount, "/api/runs?_tags:all=env:prod,owner:alice")))
                .containsExactly("LinearFlow/1796301602989289");
        assertThat(runIds(ok(mount, "/api/runs?_tags:any=exp:1,branchy")))
                .containsExactly("ParamsLogsFlow/1796301631794417", "BranchJoinFlow/1796301609499775");
        assertThat(runIds(ok(mount, "/api/runs?_tags:all=exp:1,team:ml")))
                .containsExactly("ParamsLogsFlow/1796301631794417");
        assertThat(runIds(ok(mount, "/api/runs?_tags=runtime:dev&_limit=100"))).hasSize(18);

        assertThat(runIds(ok(mount, "/api/flows/LinearFlow/runs"))).containsExactly("LinearFlow/1796301602989289",
                "LinearFlow/1796301600405831", "LinearFlow/1796301579117609");
        assertThat(runIds(ok(mount, "/api/runs?flow_id=RetryFlow"))).hasSize(3)
                .allMatch(id -> id.startsWith("RetryFlow/"));
        JsonNode twoFlows = ok(mount, "/api/runs?flow_id=RetryFlow,FailingFlow&_limit=2&_page=2");
        assertThat(runIds(twoFlows)).containsExactly("RetryFlow/1796301621418237", "RetryFlow/1796301618523831");
        assertThat(twoFlows.at("/pages/next").asInt()).isEqualTo(3);
        assertThat(runIds(ok(mount, "/api/flows/LinearFlow/runs?flow_id=RetryFlow"))).isEmpty();

        assertThat(runIds(ok(mount, "/api/runs?user=alice&_limit=100"))).hasSize(18);
        assertThat(runIds(ok(mount, "/api/runs?user_name=bob"))).isEmpty();

        long ts = ok(mount, FOREACH_RUN).at("/data/ts_epoch").asLong();
        assertThat(runIds(ok(mount, "/api/runs?ts_epoch:ge=" + ts))).containsExactly(
                "ForeachFlow/1796301750791937", "ForeachFlow/1796301658654985");
        assertThat(runIds(ok(mount, "/api/runs?ts_epoch:gt=" + ts))).containsExactly("ForeachFlow/1796301750791937");
        assertThat(runIds(ok(mount, "/api/runs?ts_epoch:lt=" + ts + "&_limit=100"))).hasSize(16);
        assertThat(runIds(ok(mount, "/api/runs?ts_epoch:le=" + ts + "&_limit=100"))).hasSize(17);
        assertThat(runIds(ok(mount, "/api/runs?ts_epoch:ge=" + ts + "&ts_epoch:lt=" + ts))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void orders_runs_by_the_requested_field(String mount) {
        assertThat(runIds(ok(mount, "/api/runs?_order=%2Bts_epoch&_limit=1")))
                .containsExactly("LinearFlow/1796301579117609");
        // an unencoded '+' arrives as a space and still means ascending
        assertThat(runIds(ok(mount, "/api/runs?_order=+ts_epoch&_limit=1")))
                .containsExactly("LinearFlow/1796301579117609");
        assertThat(runIds(ok(mount, "/api/runs?_order=-ts_epoch&_limit=1")))
                .containsExactly("ForeachFlow/1796301750791937");
        JsonNode byFlowDesc = ok(mount, "/api/runs?_order=flow_id&_limit=3");
        assertThat(texts(byFlowDesc.get("data"), "flow_id")).containsOnly("RetryFlow");
        JsonNode byFlowAsc = ok(mount, "/api/runs?_order=%2Bflow_id&_limit=3");
        assertThat(texts(byFlowAsc.get("data"), "flow_id")).containsOnly("BranchJoinFlow");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void shows_one_run_with_ids_as_strings(String mount) {
        JsonNode run = ok(mount, RETRY_RUN).get("data");

        assertThat(run.get("flow_id").asText()).isEqualTo("RetryFlow");
        assertThat(run.get("run_number").isTextual()).isTrue();
        assertThat(run.get("run_number").asText()).isEqualTo("1796301618523831");
        assertThat(run.get("run_id").asText()).isEqualTo("1796301618523831");
        assertThat(run.get("run").asText()).isEqualTo("1796301618523831");
        assertThat(run.get("user_name").asText()).isEqualTo("alice");
        assertThat(run.get("user").asText()).isEqualTo("alice");
        assertThat(run.get("status").asText()).isEqualTo("completed");
        assertThat(run.get("status_reason").asText()).isNotBlank();
        assertThat(run.get("tags").size()).isEqualTo(1);
        assertThat(run.get("tags").get(0).asText()).isEqualTo("flaky");
        List<String> systemTags = new ArrayList<>();
        run.get("system_tags").forEach(t -> systemTags.add(t.asText()));
        assertThat(systemTags).contains("user:alice", "runtime:dev", "metaflow_version:2.19.38",
                "python_version:3.11.2");
        long ts = run.get("ts_epoch").asLong();
        assertThat(ts).isBetween(1796301618000L, 1796301619999L);
        assertThat(run.get("finished_at").asLong()).isGreaterThan(ts);
        assertThat(run.get("duration").asLong()).isEqualTo(run.get("finished_at").asLong() - ts);
        assertThat(run.get("last_heartbeat_ts").isNull()).isTrue();
        assertThat(run.has("project")).isFalse();

        problem(mount, "/api/flows/RetryFlow/runs/999", 404, "run 'RetryFlow/999' not found");
        problem(mount, "/api/flows/RetryFlow/runs/999/steps", 404, "run 'RetryFlow/999' not found");
    }

    // ------------------------------------------------------------------ steps and tasks

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void lists_steps_in_graph_order_with_task_counts(String mount) {
        JsonNode steps = ok(mount, FOREACH_RUN + "/steps").get("data");

        assertThat(texts(steps, "step_name")).containsExactly("start", "square", "join", "end");
        JsonNode square = find(steps, "step_name", "square");
        assertThat(square.at("/task_counts/completed").asInt()).isEqualTo(200);
        assertThat(square.at("/task_counts/total").asInt()).isEqualTo(200);
        assertThat(square.at("/task_counts/failed").asInt()).isZero();
        assertThat(square.get("status").asText()).isEqualTo("completed");
        assertThat(square.get("duration").asLong())
                .isEqualTo(square.get("finished_at").asLong() - square.get("started_at").asLong());

        JsonNode one = ok(mount, FOREACH_RUN + "/steps/square").get("data");
        assertThat(one.at("/task_counts/completed").asInt()).isEqualTo(200);

        JsonNode explode = ok(mount, FAILING_RUN + "/steps/explode").get("data");
        assertThat(explode.get("status").asText()).isEqualTo("failed");
        assertThat(explode.at("/task_counts/failed").asInt()).isEqualTo(1);
        assertThat(texts(ok(mount, FAILING_RUN + "/steps").get("data"), "step_name"))
                .containsExactly("start", "explode");

        problem(mount, FOREACH_RUN + "/steps/nope", 404,
                "step 'nope' not found in run 'ForeachFlow/1796301658654985'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void lists_one_row_per_task_with_its_latest_attempt(String mount) {
        JsonNode tasks = ok(mount, RETRY_RUN + "/tasks").get("data");

        assertThat(texts(tasks, "step_name")).containsExactly("start", "flaky", "end");
        JsonNode flaky = find(tasks, "step_name", "flaky");
        assertThat(flaky.get("task_id").isTextual()).isTrue();
        assertThat(flaky.get("task_id").asText()).isEqualTo("2");
        assertThat(flaky.get("attempt_id").asInt()).isEqualTo(1);
        assertThat(flaky.get("attempt_count").asInt()).isEqualTo(2);
        assertThat(flaky.get("status").asText()).isEqualTo("completed");
        assertThat(flaky.get("run_number").asText()).isEqualTo("1796301618523831");

        JsonNode square = ok(mount, FOREACH_RUN + "/steps/square/tasks?_limit=1000");
        assertThat(square.get("data").size()).isEqualTo(200);
        assertThat(square.at("/pages/next").isNull()).isTrue();
        JsonNode firstPage = ok(mount, FOREACH_RUN + "/steps/square/tasks");
        assertThat(firstPage.get("data").size()).isEqualTo(50);
        assertThat(firstPage.at("/pages/next").asInt()).isEqualTo(2);
        JsonNode newest = ok(mount, FOREACH_RUN + "/steps/square/tasks?_order=-task_id&_limit=3");
        assertThat(texts(newest.get("data"), "task_id")).containsExactly("201", "200", "199");
        assertThat(ok(mount, FOREACH_RUN + "/tasks?step_name=square&_limit=1000").get("data").size())
                .isEqualTo(200);
        assertThat(ok(mount, FOREACH_RUN + "/tasks?_limit=1000").get("data").size()).isEqualTo(203);

        JsonNode failedTasks = ok(mount, FAILING_RUN + "/tasks?status=failed").get("data");
        assertThat(texts(failedTasks, "step_name")).containsExactly("explode");

        problem(mount, FOREACH_RUN + "/steps/nope/tasks", 404,
                "step 'nope' not found in run 'ForeachFlow/1796301658654985'");
        problem(mount, FOREACH_RUN + "/tasks?_order=name", 400, "unknown _order field 'name' for tasks; expected"
                + " one of ts_epoch, started_at, finished_at, duration, task_id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void shows_a_task_and_its_attempts_newest_first(String mount) {
        JsonNode task = ok(mount, RETRY_RUN + "/steps/flaky/tasks/2").get("data");
        assertThat(task.get("attempt_id").asInt()).isEqualTo(1);
        assertThat(task.get("attempts").size()).isEqualTo(2);
        assertThat(task.at("/attempts/0/attempt_id").asInt()).isEqualTo(1);
        assertThat(task.at("/attempts/0/status").asText()).isEqualTo("completed");
        assertThat(task.at("/attempts/1/attempt_id").asInt()).isEqualTo(0);
        assertThat(task.at("/attempts/1/status").asText()).isEqualTo("failed");

        JsonNode attempts = ok(mount, RETRY_RUN + "/steps/flaky/tasks/2/attempts").get("data");
        assertThat(texts(attempts, "attempt_id")).containsExactly("1", "0");
        assertThat(texts(attempts, "status")).containsExactly("completed", "failed");

        JsonNode bothFailed = ok(mount, FAILING_RETRIED_RUN + "/steps/explode/tasks/2/attempts").get("data");
        assertThat(texts(bothFailed, "attempt_id")).containsExactly("1", "0");
        assertThat(texts(bothFailed, "status")).containsExactly("failed", "failed");

        problem(mount, RETRY_RUN + "/steps/flaky/tasks/99", 404,
                "task 'RetryFlow/1796301618523831/flaky/99' not found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void shows_task_metadata_with_attempt_ids(String mount) {
        JsonNode metadata = ok(mount, RETRY_RUN + "/steps/flaky/tasks/2/metadata").get("data");

        List<String> outcomes = new ArrayList<>();
        for (JsonNode m : metadata) {
            if (m.get("field_name").asText().equals("attempt_ok")) {
                outcomes.add(m.get("attempt_id").asInt() + "=" + m.get("value").asText());
                assertThat(m.get("tags").toString()).contains("attempt_id:" + m.get("attempt_id").asInt());
            }
        }
        assertThat(outcomes).containsExactlyInAnyOrder("0=False", "1=True");
        JsonNode first = metadata.get(0);
        assertThat(first.get("user_name").asText()).isEqualTo("alice");
        assertThat(first.get("ts_epoch").isNumber()).isTrue();
        assertThat(first.get("task_id").asText()).isEqualTo("2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void steps_metadata_and_artifacts_take_their_parameters_like_runs_tasks_and_logs(String mount) {
        String flaky = RETRY_RUN + "/steps/flaky/tasks/2";

        problem(mount, FOREACH_RUN + "/steps?_order=bogus", 400, "unknown _order field 'bogus' for steps; expected one "
                + "of step_name, ts_epoch, started_at, finished_at, duration");
        assertThat(texts(ok(mount, FOREACH_RUN + "/steps?_order=%2Bstep_name").get("data"), "step_name"))
                .containsExactly("end", "join", "square", "start");
        assertThat(texts(ok(mount, FOREACH_RUN + "/steps?_order=-started_at").get("data"), "step_name"))
                .containsExactly("end", "join", "square", "start");

        JsonNode attempt1 = ok(mount, flaky + "/metadata?attempt_id=1").get("data");
        assertThat(attempt1).isNotEmpty();
        assertThat(texts(attempt1, "attempt_id")).containsOnly("1");
        assertThat(texts(attempt1, "field_name")).contains("attempt_ok", "attempt");
        assertThat(ok(mount, flaky + "/metadata").get("data").size()).isGreaterThan(attempt1.size());
        problem(mount, flaky + "/metadata?attempt_id=one", 400,
                "attempt_id must be an integer between 0 and 999999, got 'one'");
        problem(mount, flaky + "/metadata?attempt_id=99", 404,
                "attempt 99 not found for task 'RetryFlow/1796301618523831/flaky/2' (attempts: 0, 1)");
        problem(mount, flaky + "/artifacts?attempt_id=99", 404,
                "attempt 99 not found for task 'RetryFlow/1796301618523831/flaky/2' (attempts: 0, 1)");

        problem(mount, "/api/runs?_page=99999999999", 400,
                "_page must be an integer between 1 and 1000000, got '99999999999'");
        problem(mount, "/api/runs?_page=1000001", 400, "_page must be an integer between 1 and 1000000, got '1000001'");
        problem(mount, LOGS_TASK + "/logs/out?attempt_id=99999999999", 400,
                "attempt_id must be an integer between 0 and 999999, got '99999999999'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void lists_artifacts_and_shows_their_values(String mount) {
        String linear = "/api/flows/LinearFlow/runs/1796301579117609";
        JsonNode artifacts = ok(mount, linear + "/steps/end/tasks/3/artifacts").get("data");
        JsonNode total = find(artifacts, "name", "total");
        assertThat(total.get("sha").asText()).isEqualTo("31d415581f0a178dbec4ba818db4087ae9b5cd75");
        assertThat(total.get("ds_type").asText()).isEqualTo("local");
        assertThat(total.get("content_type").asText()).isEqualTo("pickle-v4");
        assertThat(total.get("attempt_id").asInt()).isZero();

        JsonNode value = ok(mount, linear + "/steps/end/tasks/3/artifacts/total").get("data");
        assertThat(value.get("value").isNumber()).isTrue();
        assertThat(value.get("value").asInt()).isEqualTo(15);
        assertThat(value.get("display").asText()).isEqualTo("15");
        assertThat(value.get("type").asText()).isEqualTo("int");
        assertThat(value.get("rendered").asBoolean()).isTrue();
        assertThat(value.get("truncated").asBoolean()).isFalse();

        JsonNode config = ok(mount, linear + "/steps/process/tasks/2/artifacts/config").get("data");
        assertThat(config.get("value")).isEqualTo(new ObjectMapper().createObjectNode()
                .put("mode", "linear").put("total", 15).put("ok", true));

        JsonNode retried = ok(mount, RETRY_RUN + "/steps/flaky/tasks/2/artifacts?attempt_id=1").get("data");
        assertThat(texts(retried, "attempt_id")).containsOnly("1");
        assertThat(texts(retried, "name")).contains("succeeded_on_attempt");
        JsonNode succeeded = ok(mount, RETRY_RUN + "/steps/flaky/tasks/2/artifacts/succeeded_on_attempt").get("data");
        assertThat(succeeded.get("attempt_id").asInt()).isEqualTo(1);
        assertThat(succeeded.get("value").asInt()).isEqualTo(1);

        problem(mount, linear + "/steps/end/tasks/3/artifacts/nope", 404,
                "artifact 'nope' not found in attempt 0 of task 'LinearFlow/1796301579117609/end/3'");
        problem(mount, linear + "/steps/end/tasks/3/artifacts/total?attempt_id=7", 404,
                "attempt 7 not found for task 'LinearFlow/1796301579117609/end/3' (attempts: 0)");
        problem(mount, linear + "/steps/end/tasks/3/artifacts/total?attempt_id=x", 400,
                "attempt_id must be an integer between 0 and 999999, got 'x'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void shows_run_parameters_as_json_values(String mount) {
        ObjectMapper m = new ObjectMapper();
        JsonNode custom = ok(mount, "/api/flows/ParamsLogsFlow/runs/1796301631794417/parameters").get("data");
        assertThat(custom.get("alpha").get("value").asDouble()).isEqualTo(0.5);
        assertThat(custom.get("label").get("value").asText()).isEqualTo("experiment-β");
        assertThat(custom.get("verbose").get("value").asBoolean()).isTrue();
        assertThat(custom.get("count").get("value").asInt()).isEqualTo(5000);
        assertThat(custom.get("config").get("value").toString()).isEqualTo("{\"layers\":[128],\"dropout\":0.1}");

        JsonNode defaults = ok(mount, PARAMS_RUN + "/parameters").get("data");
        assertThat(defaults.get("alpha").get("value").asDouble()).isEqualTo(0.01);
        assertThat(defaults.get("label").get("value").asText()).isEqualTo("baseline");
        assertThat(defaults.get("verbose").get("value").asBoolean()).isFalse();
        assertThat(defaults.get("config").get("value")).isEqualTo(m.createObjectNode()
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("layers", m.createArrayNode().add(64).add(32))
                .put("dropout", 0.5));
        assertThat(defaults.has("name")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void shows_the_dag_mirroring_graph_info(String mount) {
        JsonNode dag = ok(mount, "/api/flows/NestedForeachFlow/runs/1796301636916116/dag").get("data");

        assertThat(dag.get("graph_structure").toString())
                .isEqualTo("[\"start\",[[\"outer\",[[\"inner\"]],\"inner_join\"]],\"outer_join\",\"end\"]");
        assertThat(dag.get("start_step").asText()).isEqualTo("start");
        assertThat(dag.get("end_step").asText()).isEqualTo("end");
        assertThat(dag.at("/steps/start/type").asText()).isEqualTo("split-foreach");
        assertThat(dag.at("/steps/start/foreach_artifact").asText()).isEqualTo("letters");
        assertThat(dag.at("/steps/outer/type").asText()).isEqualTo("split-foreach");
        assertThat(dag.at("/steps/inner/type").asText()).isEqualTo("linear");
        assertThat(dag.at("/steps/inner_join/type").asText()).isEqualTo("join");
        assertThat(dag.at("/steps/outer_join/type").asText()).isEqualTo("join");
        assertThat(dag.at("/steps/end/type").asText()).isEqualTo("end");
        assertThat(dag.at("/steps/start/next/0").asText()).isEqualTo("outer");

        JsonNode retry = ok(mount, RETRY_RUN + "/dag").get("data");
        assertThat(retry.at("/steps/flaky/decorators/0/name").asText()).isEqualTo("retry");
        assertThat(retry.at("/steps/flaky/line").asInt()).isPositive();
    }

    // ------------------------------------------------------------------ logs

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void pages_a_5003_line_log_forward(String mount) {
        JsonNode first = ok(mount, LOGS_TASK + "/logs/out");

        JsonNode rows = first.get("data");
        assertThat(rows.size()).isEqualTo(1000);
        assertThat(rows.at("/0/row").asInt()).isZero();
        assertThat(rows.at("/0/line").asText()).isEqualTo("unicode: héllo wörld – ✓ 日本語テキスト 🚀 Ω≈ç√");
        assertThat(rows.at("/1/line").asText()).hasSize(100_000).matches("L+");
        assertThat(rows.at("/2/line").asText()).isEqualTo("line 00001 of 05000");
        assertThat(rows.at("/999/row").asInt()).isEqualTo(999);
        assertThat(rows.at("/0/timestamp").asLong()).isBetween(1796301628000L, 1796301640000L);
        assertThat(first.at("/pages/last").asInt()).isEqualTo(6);
        assertThat(first.at("/pages/total_lines").asInt()).isEqualTo(5003);
        assertThat(first.at("/pages/next").asInt()).isEqualTo(2);
        assertThat(first.at("/links/last").asText()).isEqualTo(mount + LOGS_TASK + "/logs/out?_page=6");

        JsonNode last = ok(mount, LOGS_TASK + "/logs/out?_limit=100&_page=51");
        assertThat(texts(last.get("data"), "row")).containsExactly("5000", "5001", "5002");
        assertThat(last.at("/data/2/line").asText()).isEqualTo("last stdout line");
        assertThat(last.at("/pages/last").asInt()).isEqualTo(51);
        assertThat(last.at("/pages/next").isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void pages_a_log_backward_from_its_last_line(String mount) {
        JsonNode page1 = ok(mount, LOGS_TASK + "/logs/out?_order=-row&_limit=100");
        JsonNode rows = page1.get("data");
        assertThat(rows.size()).isEqualTo(100);
        assertThat(rows.at("/0/row").asInt()).isEqualTo(5002);
        assertThat(rows.at("/0/line").asText()).isEqualTo("last stdout line");
        assertThat(rows.at("/99/row").asInt()).isEqualTo(4903);
        assertThat(page1.at("/pages/next").asInt()).isEqualTo(2);
        assertThat(page1.at("/pages/last").asInt()).isEqualTo(51);

        JsonNode page2 = ok(mount, LOGS_TASK + "/logs/out?_order=-row&_limit=100&_page=2");
        assertThat(page2.at("/data/0/row").asInt()).isEqualTo(4902);
        assertThat(page2.at("/data/99/row").asInt()).isEqualTo(4803);

        JsonNode tail = ok(mount, LOGS_TASK + "/logs/out?_order=-row&_limit=100&_page=51");
        assertThat(texts(tail.get("data"), "row")).containsExactly("2", "1", "0");
        assertThat(tail.at("/pages/next").isNull()).isTrue();

        problem(mount, LOGS_TASK + "/logs/out?_limit=10001", 400,
                "_limit must be an integer between 1 and 10000, got '10001'");
        problem(mount, LOGS_TASK + "/logs/out?_order=-line", 400,
                "_order for logs must be -row (newest first) or +row, got '-line'");
        problem(mount, LOGS_TASK + "/logs/out?attempt_id=-1", 400,
                "attempt_id must be an integer between 0 and 999999, got '-1'");
        problem(mount, LOGS_TASK + "/logs/out?attempt_id=3", 404,
                "attempt 3 not found for task 'ParamsLogsFlow/1796301628865091/logs/2' (attempts: 0)");
        problem(mount, LOGS_TASK + "/logs/both", 404, "no API resource at 'api/flows/ParamsLogsFlow/runs/"
                + "1796301628865091/steps/logs/tasks/2/logs/both'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void reads_stderr_of_failed_and_retried_attempts(String mount) {
        JsonNode err = ok(mount, LOGS_TASK + "/logs/err");
        assertThat(err.at("/pages/total_lines").asInt()).isEqualTo(1003);
        assertThat(err.at("/pages/last").asInt()).isEqualTo(2);
        assertThat(err.at("/data/1/line").asText()).hasSize(50_000);

        JsonNode explode = ok(mount, FAILING_RUN + "/steps/explode/tasks/2/logs/err");
        List<String> lines = texts(explode.get("data"), "line");
        assertThat(lines).hasSize(40);
        assertThat(explode.at("/pages/total_lines").asInt()).isEqualTo(40);
        assertThat(lines.get(0)).isEqualTo("explode: stderr before failure");
        assertThat(lines.get(1)).isEqualTo("<flow FailingFlow step explode> failed:");
        assertThat(lines).contains("ValueError: boom: this step always fails");
        assertThat(lines.get(39)).isEqualTo("Task failed.");
        assertThat(texts(ok(mount, FAILING_RUN + "/steps/explode/tasks/2/logs/out").get("data"), "line"))
                .containsExactly("explode: about to fail");

        for (String attempt : List.of("0", "1")) {
            JsonNode a = ok(mount, FAILING_RETRIED_RUN + "/steps/explode/tasks/2/logs/err?attempt_id=" + attempt);
            assertThat(a.at("/pages/total_lines").asInt()).as("attempt " + attempt).isEqualTo(40);
        }

        JsonNode flaky0 = ok(mount, RETRY_RUN + "/steps/flaky/tasks/2/logs/err?attempt_id=0");
        assertThat(flaky0.at("/pages/total_lines").asInt()).isEqualTo(39);
        assertThat(flaky0.at("/data/0/line").asText()).isEqualTo("<flow RetryFlow step flaky> failed:");
        JsonNode flakyLatest = ok(mount, RETRY_RUN + "/steps/flaky/tasks/2/logs/err");
        assertThat(flakyLatest.get("data").size()).isZero();
        assertThat(flakyLatest.at("/pages/total_lines").asInt()).isZero();
        assertThat(flakyLatest.at("/pages/last").asInt()).isEqualTo(1);
        assertThat(flakyLatest.at("/pages/next").isNull()).isTrue();
        assertThat(texts(ok(mount, RETRY_RUN + "/steps/flaky/tasks/2/logs/out").get("data"), "line"))
                .containsExactly("flaky: this is attempt 1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void downloads_whole_logs_as_text_without_a_trailing_newline(String mount) {
        Reply out = server.get(mount + LOGS_TASK + "/logs/out/download");

        assertThat(out.status()).isEqualTo(200);
        assertThat(out.contentType()).isEqualTo("text/plain;charset=utf-8");
        assertThat(out.header("Content-Disposition"))
                .isEqualTo("attachment; filename=\"stdout_ParamsLogsFlow_1796301628865091_logs_2-0.txt\"");
        assertThat(out.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(out.bytes()).hasSize(200_086);
        String text = new String(out.bytes(), StandardCharsets.UTF_8);
        assertThat(text.split("\n", -1)).hasSize(5003);
        assertThat(text).startsWith("unicode: héllo wörld").endsWith("last stdout line");

        Reply err = server.get(mount + LOGS_TASK + "/logs/err/download");
        assertThat(err.bytes()).hasSize(67_071);
        assertThat(new String(err.bytes(), StandardCharsets.UTF_8).split("\n", -1)).hasSize(1003);
        assertThat(err.header("Content-Disposition"))
                .isEqualTo("attachment; filename=\"stderr_ParamsLogsFlow_1796301628865091_logs_2-0.txt\"");

        Reply failed = server.get(mount + FAILING_RETRIED_RUN + "/steps/explode/tasks/2/logs/err/download?attempt_id=1");
        assertThat(new String(failed.bytes(), StandardCharsets.UTF_8).split("\n", -1)).hasSize(40);
        assertThat(failed.header("Content-Disposition"))
                .isEqualTo("attachment; filename=\"stderr_FailingFlow_1796301626371648_explode_2-1.txt\"");

        Reply head = server.send("HEAD", mount + LOGS_TASK + "/logs/out/download");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.bytes()).isEmpty();
        assertThat(head.header("Content-Disposition")).contains("stdout_ParamsLogsFlow");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void a_head_of_a_log_download_does_not_claim_the_log_is_empty(String mount) {
        Reply head = server.send("HEAD", mount + LOGS_TASK + "/logs/out/download");

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Length")).as("the length is not known without reading the log").isNull();
        assertThat(head.contentType()).isEqualTo("text/plain;charset=utf-8");
        assertThat(server.send("HEAD", mount + LOGS_TASK + "/logs/out/download?attempt_id=7").status())
                .isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void download_matches_the_log_file_line_for_line(String mount) throws Exception {
        Path log = Paths.get(System.getProperty("metaflow.shared.dir"), "fixtures", "metaflow", "local",
                "dot-metaflow", "ParamsLogsFlow", "1796301628865091", "logs", "2", "0.runtime_stdout.log");
        List<String> raw = Files.readAllLines(log, StandardCharsets.UTF_8);
        List<String> messages = raw.stream().map(l -> l.substring(l.indexOf(']') + 1)).toList();

        String text = server.get(mount + LOGS_TASK + "/logs/out/download").body();

        assertThat(List.of(text.split("\n", -1))).containsExactlyElementsOf(messages);
    }

    // ------------------------------------------------------------------ odd names

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void names_are_decoded_once_and_escaped_in_json(String mount) {
        Reply markup = server.get(mount + "/api/flows/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E");
        assertThat(markup.status()).isEqualTo(404);
        assertThat(markup.json().get("detail").asText()).isEqualTo("flow '<img src=x onerror=alert(1)>' not found");
        assertThat(markup.body()).doesNotContain("<img").contains("\\u003Cimg");

        Reply plus = server.get(mount + "/api/flows/A+B");
        assertThat(plus.json().get("detail").asText()).isEqualTo("flow 'A+B' not found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void a_name_with_an_encoded_slash_or_percent_stays_one_opaque_segment(String mount) {
        // a strict container refuses such URIs itself; a lax one hands them over raw
        try (TestServer lax = TestServer.start("/", TestServer.mappings(
                "/*", new MetaflowUiServlet(backend, MetaflowUiOptions.defaults(), TestServer.TEST_ASSETS),
                "/admin/metaflow/*", new MetaflowUiServlet(backend, MetaflowUiOptions.defaults(),
                        TestServer.TEST_ASSETS)), true)) {
            Reply twice = lax.get(mount + "/api/flows/%253Cb%253E/runs/1");
            assertThat(twice.json().get("detail").asText()).isEqualTo("run '%3Cb%3E/1' not found");

            Reply slash = lax.get(mount + "/api/flows/Team%2FFlow/runs/7/steps");
            assertThat(slash.status()).isEqualTo(404);
            assertThat(slash.json().get("detail").asText()).isEqualTo("run 'Team/Flow/7' not found");

            JsonNode run = lax.get(mount + "/api/flows/Retry%46low/runs/1796301618523831").json();
            assertThat(run.at("/data/flow_id").asText()).isEqualTo("RetryFlow");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void ids_longer_than_a_file_name_are_not_found_instead_of_a_502_with_the_server_path(String mount) {
        String x = "x".repeat(300);
        String linear = "/api/flows/LinearFlow/runs/1796301579117609";
        for (String[] c : List.of(
                new String[]{"/api/flows/" + x, "flow '" + x + "' not found"},
                new String[]{"/api/flows/" + x + "/runs", "flow '" + x + "' not found"},
                new String[]{"/api/flows/" + x + "/runs/1", "run '" + x + "/1' not found"},
                new String[]{"/api/flows/LinearFlow/runs/" + x + "/steps", "run 'LinearFlow/" + x + "' not found"},
                new String[]{linear + "/steps/" + x, "step '" + x + "' not found in run 'LinearFlow/1796301579117609'"},
                new String[]{linear + "/steps/" + x + "/tasks",
                        "step '" + x + "' not found in run 'LinearFlow/1796301579117609'"},
                new String[]{linear + "/steps/end/tasks/" + x,
                        "task 'LinearFlow/1796301579117609/end/" + x + "' not found"},
                new String[]{linear + "/steps/end/tasks/" + x + "/logs/out",
                        "task 'LinearFlow/1796301579117609/end/" + x + "' not found"},
                new String[]{linear + "/steps/end/tasks/" + x + "/artifacts",
                        "task 'LinearFlow/1796301579117609/end/" + x + "' not found"})) {
            problem(mount, c[0], 404, c[1]);
            assertThat(server.get(mount + c[0]).body()).doesNotContain("/fixtures/").doesNotContain("too long");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void a_dotted_root_name_is_a_404_page_unless_it_is_a_flow(String mount) {
        assertThat(server.get(mount + "/favicon.ico").status()).isEqualTo(404);
        assertThat(server.get(mount + "/LinearFlow").status()).isEqualTo(200);
        assertThat(server.get(mount + "/LinearFlow/1796301579117609/end/3").status()).isEqualTo(200);
    }
}

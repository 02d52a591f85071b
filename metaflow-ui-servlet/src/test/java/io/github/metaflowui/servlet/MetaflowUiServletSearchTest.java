package io.github.metaflowui.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.servlet.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code .../logs/{out|err}/search?q=} over the real local fixture (ParamsLogsFlow's 5003-line stdout)
 * and {@code .../tasks?q=} (foreach value or task id).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiServletSearchTest {
    static final String LOGS_TASK = "/api/flows/ParamsLogsFlow/runs/1796301628865091/steps/logs/tasks/2";
    static final String FAILING_RETRIED_RUN = "/api/flows/FailingFlow/runs/1796301626371648";

    private TestServer server;

    @BeforeAll
    void start() {
        Path root = TestServer.localFixture();
        LocalMetaflowBackend backend = LocalMetaflowBackend.builder().root(root)
                .clock(Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC)).build();
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
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        return r.json().get("data");
    }

    private static List<String> field(JsonNode rows, String name) {
        List<String> out = new ArrayList<>();
        rows.forEach(n -> out.add(n.get(name).asText()));
        return out;
    }

    @Test
    void finds_lines_anywhere_in_the_whole_log_with_their_rows() {
        JsonNode d = ok(LOGS_TASK + "/logs/out/search?q=LINE%2002500");
        assertThat(d.get("truncated").asBoolean()).isFalse();
        assertThat(d.get("scanned_lines").asLong()).isEqualTo(5003);
        assertThat(field(d.get("rows"), "line")).containsExactly("line 02500 of 05000");
        // line 1 is unicode, line 2 the long one: "line 00001" is row 2 (0-based), so 02500 is row 2501
        assertThat(field(d.get("rows"), "row")).containsExactly("2501");
        assertThat(d.at("/rows/0/timestamp").isNumber()).isTrue();

        assertThat(field(ok(LOGS_TASK + "/logs/out/search?q=last%20stdout").get("rows"), "row")).containsExactly("5002");
        assertThat(field(ok(LOGS_TASK + "/logs/err/search?q=%D0%BE%D1%88%D0%B8%D0%B1%D0%BA%D0%B0").get("rows"), "row"))
                .containsExactly("0");
        assertThat(ok(LOGS_TASK + "/logs/out/search?q=no-such-text").get("rows").size()).isZero();
    }

    @Test
    void caps_the_matches_and_says_so() {
        JsonNode d = ok(LOGS_TASK + "/logs/out/search?q=of%2005000&_limit=3");
        assertThat(d.get("truncated").asBoolean()).isTrue();
        assertThat(d.get("limit").asInt()).isEqualTo(3);
        assertThat(field(d.get("rows"), "line"))
                .containsExactly("line 00001 of 05000", "line 00002 of 05000", "line 00003 of 05000");
        JsonNode all = ok(LOGS_TASK + "/logs/err/search?q=of%201000&_limit=1000");
        assertThat(all.get("rows").size()).isEqualTo(1000);
        assertThat(all.get("truncated").asBoolean()).isFalse();
    }

    @Test
    void searches_the_attempt_asked_for() {
        JsonNode a0 = ok(FAILING_RETRIED_RUN + "/steps/explode/tasks/2/logs/err/search?q=ValueError&attempt_id=0");
        assertThat(field(a0.get("rows"), "line")).contains("ValueError: boom: this step always fails");
        Reply missing = server.get(FAILING_RETRIED_RUN + "/steps/explode/tasks/2/logs/err/search?q=x&attempt_id=7");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).contains("attempt 7 not found");
    }

    @Test
    void bad_queries_are_clear_400s() {
        Reply empty = server.get(LOGS_TASK + "/logs/out/search?q=%20");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.json().get("detail").asText()).isEqualTo("q (the text to search for) must not be empty");
        Reply none = server.get(LOGS_TASK + "/logs/out/search");
        assertThat(none.status()).isEqualTo(400);
        Reply tooLong = server.get(LOGS_TASK + "/logs/out/search?q=" + "x".repeat(201));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("detail").asText()).isEqualTo("q must be at most 200 characters, got 201");
        Reply limit = server.get(LOGS_TASK + "/logs/out/search?q=x&_limit=1001");
        assertThat(limit.status()).isEqualTo(400);
        assertThat(server.get(LOGS_TASK + "/logs/both/search?q=x").status()).isEqualTo(404);
        assertThat(empty.body()).doesNotContain("Exception");
    }

    @Test
    void tasks_are_found_by_foreach_value_or_id() {
        String square = "/api/flows/ForeachFlow/runs/1796301658654985/steps/square/tasks";
        JsonNode one = server.get(square + "?q=items%5B199%5D").json().get("data");
        assertThat(field(one, "task_id")).containsExactly("201");
        assertThat(field(one, "foreach_label")).containsExactly("items[199]=199");
        JsonNode some = server.get(square + "?q=ITEMS%5B19&_limit=100").json().get("data");
        assertThat(some.size()).isEqualTo(11);
        JsonNode nested = server.get("/api/flows/NestedForeachFlow/runs/1796301646182255/tasks?q=letters%5B2%5D=c,%20numbers%5B1%5D")
                .json().get("data");
        assertThat(field(nested, "task_id")).containsExactly("6");
        assertThat(server.get(square + "?q=" + "x".repeat(201)).status()).isEqualTo(400);
    }
}

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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cursor paging ({@code _cursor}, {@code pages.next_cursor}), deep {@code _page} jumps and step
 * aggregates over the real local fixture, with the servlet's run index (the default) and without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiServletPagingTest {
    static final String FOREACH_RUN = "/api/flows/ForeachFlow/runs/1796301658654985";
    static final String RETRY_RUN = "/api/flows/RetryFlow/runs/1796301618523831";

    private TestServer server;
    private MetaflowUiServlet indexed;

    @BeforeAll
    void start() throws InterruptedException {
        Path root = TestServer.localFixture();
        LocalMetaflowBackend backend = LocalMetaflowBackend.builder().root(root)
                .clock(Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC)).build();
        indexed = new MetaflowUiServlet(backend, MetaflowUiOptions.defaults(), TestServer.TEST_ASSETS);
        server = TestServer.start("/", TestServer.mappings(
                "/i/*", indexed,
                "/d/*", new MetaflowUiServlet(backend, MetaflowUiOptions.builder().indexMaxRuns(0).build(),
                        TestServer.TEST_ASSETS)));
        assertThat(indexed.index()).isPresent();
        assertThat(indexed.index().get().awaitReady(Duration.ofSeconds(30))).isTrue();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private JsonNode ok(String path) {
        Reply r = server.get(path);
        assertThat(r.status()).as(path + " -> " + r.body()).isEqualTo(200);
        return r.json();
    }

    /** Follows pages.next_cursor from the first page; returns "step/task" or "flow/run" ids in order. */
    private List<String> walk(String first, String idField) {
        List<String> out = new ArrayList<>();
        String url = first;
        for (int guard = 0; guard < 100 && url != null; guard++) {
            JsonNode page = ok(url);
            page.get("data").forEach(n -> out.add(n.get(idField.equals("task_id") ? "step_name" : "flow_id").asText()
                    + "/" + n.get(idField).asText()));
            JsonNode next = page.at("/pages/next_cursor");
            assertThat(page.at("/pages/next").isNull()).isEqualTo(next.isNull());
            url = next.isNull() ? null : first + "&_cursor=" + next.asText();
        }
        return out;
    }

    private List<String> byPages(String first, String idField, int pages) {
        List<String> out = new ArrayList<>();
        for (int p = 1; p <= pages; p++) {
            ok(first + "&_page=" + p).get("data").forEach(n -> out.add(
                    n.get(idField.equals("task_id") ? "step_name" : "flow_id").asText() + "/" + n.get(idField).asText()));
        }
        return out;
    }

    @Test
    void task_cursors_walk_every_task_once_in_the_order_of_the_pages() {
        for (String mount : List.of("/i", "/d")) {
            String first = mount + FOREACH_RUN + "/steps/square/tasks?_limit=60&_order=-duration";
            List<String> walked = walk(first, "task_id");
            assertThat(walked).hasSize(200);
            assertThat(new LinkedHashSet<>(walked)).hasSize(200);
            assertThat(walked).isEqualTo(byPages(first, "task_id", 4));
        }
    }

    @Test
    void a_runs_list_and_a_run_page_read_their_task_tables_ahead() throws Exception {
        Path root = TestServer.localFixture();
        MetaflowUiServlet fresh = new MetaflowUiServlet(LocalMetaflowBackend.builder().root(root)
                .clock(Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC)).build(),
                MetaflowUiOptions.defaults(), TestServer.TEST_ASSETS);
        try (TestServer own = TestServer.start("/", TestServer.mappings("/w/*", fresh))) {
            var index = fresh.index().orElseThrow();
            assertThat(index.awaitReady(Duration.ofSeconds(30))).isTrue();
            assertThat(index.stats().taskTables()).isZero();

            Reply list = own.get("/w/api/runs?_limit=10&_order=-ts_epoch");
            assertThat(list.status()).isEqualTo(200);
            awaitTables(index, 5); // the first five runs listed
            List<String> top = new ArrayList<>();
            list.json().get("data").forEach(n -> top.add(n.get("flow_id").asText() + "/" + n.get("run_number").asText()));
            assertThat(top).doesNotContain("RetryFlow/1796301618523831");

            assertThat(own.get("/w" + RETRY_RUN).status()).isEqualTo(200); // a run page asks for its run first
            awaitTables(index, 6);
            assertThat(own.get("/w/api/runs?_limit=10&_order=-ts_epoch&_page=2").status()).isEqualTo(200);
            Thread.sleep(200);
            assertThat(index.stats().taskTables()).isEqualTo(6); // deeper pages are not read ahead
        }
    }

    private static void awaitTables(io.github.metaflowui.core.index.IndexedBackend index, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (index.stats().taskTables() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(index.stats().taskTables()).isEqualTo(n);
    }

    @Test
    void run_cursors_and_deep_pages_agree_with_and_without_the_index() {
        String q = "/api/runs?_limit=5&_order=-ts_epoch";
        List<String> indexedWalk = walk("/i" + q, "run_number");
        assertThat(indexedWalk).hasSize(18).isEqualTo(walk("/d" + q, "run_number"));
        assertThat(byPages("/i" + q, "run_number", 4)).isEqualTo(indexedWalk);
        // a deep page is the same slice either way
        assertThat(ok("/i" + q + "&_page=3").get("data")).isEqualTo(ok("/d" + q + "&_page=3").get("data"));
        String failedByDuration = "/api/runs?_limit=1&status=failed&_order=%2Bduration";
        assertThat(walk("/i" + failedByDuration, "run_number")).hasSize(2)
                .containsExactlyElementsOf(walk("/d" + failedByDuration, "run_number"));
    }

    @Test
    void step_aggregates_count_tasks_and_attempts_without_listing_them() {
        for (String mount : List.of("/i", "/d")) {
            JsonNode square = ok(mount + FOREACH_RUN + "/steps/square/aggregates").get("data");
            assertThat(square.get("step_name").asText()).isEqualTo("square");
            assertThat(square.at("/task_counts/completed").asInt()).isEqualTo(200);
            assertThat(square.at("/task_counts/total").asInt()).isEqualTo(200);
            assertThat(square.get("attempts").asInt()).isEqualTo(200);
            assertThat(square.at("/durations/count").asInt()).isEqualTo(200);
            long histogram = 0;
            for (JsonNode b : square.at("/durations/histogram")) {
                histogram += b.get("count").asLong();
            }
            assertThat(histogram).isEqualTo(200);
            assertThat(square.at("/durations/p50").asLong()).isBetween(square.at("/durations/min").asLong(),
                    square.at("/durations/max").asLong());

            JsonNode flaky = ok(mount + RETRY_RUN + "/steps/flaky/aggregates").get("data");
            assertThat(flaky.at("/task_counts/completed").asInt()).isEqualTo(1);
            assertThat(flaky.get("attempts").asInt()).isEqualTo(2);
            assertThat(flaky.get("retried_tasks").asInt()).isEqualTo(1);
        }
    }

    @Test
    void unknown_steps_and_bad_cursors_are_client_errors() {
        Reply missing = server.get("/i" + FOREACH_RUN + "/steps/nope/aggregates");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("detail").asText())
                .isEqualTo("step 'nope' not found in run 'ForeachFlow/1796301658654985'");
        Reply bad = server.get("/i/api/runs?_cursor=%21%21");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asText()).startsWith("_cursor is not a cursor of this API");
        Set<Integer> statuses = Set.of(server.get("/d" + FOREACH_RUN + "/tasks?_cursor=Zm9v").status());
        assertThat(statuses).containsExactly(400);
    }
}

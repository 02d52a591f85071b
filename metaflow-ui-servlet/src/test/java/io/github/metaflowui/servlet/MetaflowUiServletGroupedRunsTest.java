package io.github.metaflowui.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.servlet.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Grouped run lists ({@code /api/runs?_group=flow_id|user}) over the real local fixture (18 runs of 7 flows,
 * all by alice), with the servlet's run index ({@code /i}) and without it ({@code /d}); and the project and
 * branch suggestions over a temp copy of LinearFlow whose runs were given project system tags.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiServletGroupedRunsTest {
    /** The fixture's flows by their newest run, newest first (fixture README: 7 flows, 18 runs). */
    private static final List<String> FLOWS_NEWEST_FIRST = List.of("ForeachFlow", "NestedForeachFlow",
            "ParamsLogsFlow", "FailingFlow", "RetryFlow", "BranchJoinFlow", "LinearFlow");
    private static final List<Integer> RUNS_PER_FLOW = List.of(2, 2, 3, 2, 3, 3, 3);

    private TestServer server;

    private Path temp;

    @BeforeAll
    void start() throws Exception {
        Path root = TestServer.localFixture();
        Clock clock = Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC);
        LocalMetaflowBackend backend = LocalMetaflowBackend.builder().root(root).clock(clock).build();
        MetaflowUiServlet indexed = new MetaflowUiServlet(backend, MetaflowUiOptions.defaults(), TestServer.TEST_ASSETS);

        temp = Files.createTempDirectory("grouped-runs");
        Path copy = temp.resolve("dot-metaflow");
        copyTree(root.resolve("LinearFlow"), copy.resolve("LinearFlow"));
        int i = 0;
        try (Stream<Path> runs = Files.list(copy.resolve("LinearFlow"))) {
            for (Path run : runs.filter(r -> r.getFileName().toString().matches("[0-9]+")).sorted().toList()) {
                Path self = run.resolve("_meta").resolve("_self.json");
                ObjectNode meta = (ObjectNode) new ObjectMapper().readTree(self.toFile());
                ArrayNode sys = (ArrayNode) meta.get("system_tags");
                sys.add("project:" + (i == 0 ? "fraud" : "churn"));
                sys.add("project_branch:" + (i == 0 ? "prod" : "user.<b>alice</b>"));
                Files.writeString(self, meta.toString());
                i++;
            }
        }
        LocalMetaflowBackend projects = LocalMetaflowBackend.builder().root(copy).clock(clock).build();
        server = TestServer.start("/", TestServer.mappings(
                "/i/*", indexed,
                "/d/*", new MetaflowUiServlet(backend, MetaflowUiOptions.builder().indexMaxRuns(0).build(),
                        TestServer.TEST_ASSETS),
                "/p/*", new MetaflowUiServlet(projects, MetaflowUiOptions.builder().indexMaxRuns(0).build(),
                        TestServer.TEST_ASSETS)));
        assertThat(indexed.index().get().awaitReady(Duration.ofSeconds(30))).isTrue();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    @AfterAll
    void stop() throws IOException {
        server.close();
        try (Stream<Path> all = Files.walk(temp)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private JsonNode ok(String path) {
        Reply r = server.get(path);
        assertThat(r.status()).as(path + " -> " + r.body()).isEqualTo(200);
        return r.json();
    }

    private static List<String> groups(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("data").forEach(g -> out.add(g.get("group").asText()));
        return out;
    }

    @Test
    void groups_by_flow_come_in_the_order_of_their_newest_run_with_capped_rows_and_exact_counts() {
        for (String mount : List.of("/i", "/d")) {
            JsonNode page = ok(mount + "/api/runs?_group=flow_id&_group_limit=2");
            assertThat(groups(page)).as(mount).isEqualTo(FLOWS_NEWEST_FIRST);
            assertThat(page.at("/pages/exact").asBoolean()).isTrue();
            assertThat(page.at("/pages/group").asText()).isEqualTo("flow_id");
            assertThat(page.at("/pages/next_cursor").isNull()).isTrue();
            for (int i = 0; i < FLOWS_NEWEST_FIRST.size(); i++) {
                JsonNode g = page.get("data").get(i);
                int count = RUNS_PER_FLOW.get(i);
                assertThat(g.get("count").asInt()).as(mount + " " + g).isEqualTo(count);
                assertThat(g.get("more").asBoolean()).isEqualTo(count > 2);
                assertThat(g.get("runs")).hasSize(Math.min(2, count));
                long previous = Long.MAX_VALUE;
                for (JsonNode run : g.get("runs")) {
                    assertThat(run.get("flow_id").asText()).isEqualTo(FLOWS_NEWEST_FIRST.get(i));
                    assertThat(run.get("ts_epoch").asLong()).isLessThanOrEqualTo(previous);
                    previous = run.get("ts_epoch").asLong();
                }
            }
            // the newest run of the first group is the newest run of all
            assertThat(page.at("/data/0/runs/0/run_number").asText()).isEqualTo("1796301750791937");
        }
    }

    @Test
    void groups_page_with_a_cursor_after_the_last_group() {
        for (String mount : List.of("/i", "/d")) {
            List<String> all = new ArrayList<>();
            String url = mount + "/api/runs?_group=flow_id&_limit=3";
            int pages = 0;
            while (url != null) {
                JsonNode page = ok(url);
                assertThat(page.get("data").size()).isLessThanOrEqualTo(3);
                all.addAll(groups(page));
                JsonNode next = page.at("/pages/next_cursor");
                url = next.isNull() ? null : mount + "/api/runs?_group=flow_id&_limit=3&_cursor="
                        + URLEncoder.encode(next.asText(), StandardCharsets.UTF_8);
                pages++;
            }
            assertThat(pages).isEqualTo(3);
            assertThat(all).as(mount).isEqualTo(FLOWS_NEWEST_FIRST);
        }
    }

    @Test
    void groups_follow_the_chosen_order_and_filters() {
        for (String mount : List.of("/i", "/d")) {
            assertThat(groups(ok(mount + "/api/runs?_group=flow_id&_order=%2Bflow_id"))).containsExactly(
                    "BranchJoinFlow", "FailingFlow", "ForeachFlow", "LinearFlow", "NestedForeachFlow",
                    "ParamsLogsFlow", "RetryFlow");
            JsonNode failed = ok(mount + "/api/runs?_group=flow_id&status=failed");
            assertThat(groups(failed)).containsExactly("FailingFlow");
            assertThat(failed.at("/data/0/count").asInt()).isEqualTo(2);
            JsonNode users = ok(mount + "/api/runs?_group=user&_group_limit=6");
            assertThat(groups(users)).containsExactly("alice");
            assertThat(users.at("/data/0/count").asInt()).isEqualTo(18);
            assertThat(users.at("/data/0/more").asBoolean()).isTrue();
            assertThat(users.at("/data/0/runs")).hasSize(6);
            JsonNode flow = ok(mount + "/api/flows/RetryFlow/runs?_group=user");
            assertThat(groups(flow)).containsExactly("alice");
            assertThat(flow.at("/data/0/count").asInt()).isEqualTo(3);
            // several flows (a filter the backend does not do) are grouped from the runs read
            assertThat(groups(ok(mount + "/api/runs?_group=flow_id&flow_id=LinearFlow,RetryFlow")))
                    .containsExactly("RetryFlow", "LinearFlow");
        }
    }

    @Test
    void bad_group_parameters_are_clear_400s() {
        for (String q : List.of("_group=colour", "_group=flow_id&_group_limit=0", "_group=flow_id&_page=2",
                "_group=flow_id&_cursor=g:NoSuchFlow", "_group=flow_id&_cursor=ix1:o:5")) {
            for (String mount : List.of("/i", "/d")) {
                Reply r = server.get(mount + "/api/runs?" + q);
                assertThat(r.status()).as(mount + " " + q + " -> " + r.body()).isEqualTo(400);
                assertThat(r.body()).doesNotContain("Exception");
            }
        }
        assertThat(server.get("/i/api/flows/NoSuchFlow/runs?_group=flow_id").status()).isEqualTo(404);
    }

    @Test
    void projects_and_branches_are_suggested_from_the_system_tags() {
        assertThat(values("/p/api/autocomplete/projects?q=")).containsExactly("churn", "fraud");
        assertThat(values("/p/api/autocomplete/projects?q=FR")).containsExactly("fraud");
        assertThat(values("/p/api/autocomplete/branches?q=")).containsExactly("prod", "user.<b>alice</b>");
        assertThat(values("/p/api/autocomplete/branches?q=alice")).containsExactly("user.<b>alice</b>");
        assertThat(values("/i/api/autocomplete/projects?q=")).isEmpty(); // the fixture has no @project flows
        Reply r = server.get("/i/api/autocomplete/colours");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).contains("projects or branches");
    }

    private List<String> values(String path) {
        List<String> out = new ArrayList<>();
        ok(path).get("data").forEach(v -> out.add(v.asText()));
        return out;
    }
}

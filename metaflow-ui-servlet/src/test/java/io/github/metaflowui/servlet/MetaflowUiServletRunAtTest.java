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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code _at=flow/run} on run lists (the runs list reopening at a shared position): the answer is the
 * page that holds the run, with and without the servlet's run index, over the real local fixture.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiServletRunAtTest {
    private TestServer server;

    @BeforeAll
    void start() throws InterruptedException {
        Path root = TestServer.localFixture();
        LocalMetaflowBackend backend = LocalMetaflowBackend.builder().root(root)
                .clock(Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC)).build();
        MetaflowUiServlet indexed = new MetaflowUiServlet(backend, MetaflowUiOptions.defaults(), TestServer.TEST_ASSETS);
        server = TestServer.start("/", TestServer.mappings(
                "/i/*", indexed,
                "/d/*", new MetaflowUiServlet(backend, MetaflowUiOptions.builder().indexMaxRuns(0).build(),
                        TestServer.TEST_ASSETS)));
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

    private static List<String> keys(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("data").forEach(n -> out.add(n.get("flow_id").asText() + "/" + n.get("run_number").asText()));
        return out;
    }

    @Test
    void at_answers_the_page_that_holds_the_run_in_every_order() {
        for (String mount : List.of("/i", "/d")) {
            for (String order : List.of("-ts_epoch", "%2Bflow_id", "-duration")) {
                String q = mount + "/api/runs?_limit=5&_order=" + order;
                List<String> all = new ArrayList<>();
                for (int p = 1; p <= 4; p++) {
                    all.addAll(keys(ok(q + "&_page=" + p)));
                }
                assertThat(all).as(q).hasSize(18).doesNotHaveDuplicates();
                for (int i = 0; i < all.size(); i++) {
                    JsonNode page = ok(q + "&_at=" + all.get(i));
                    int expected = i / 5 + 1;
                    assertThat(page.at("/pages/self").asInt()).as(q + " at " + all.get(i)).isEqualTo(expected);
                    assertThat(page.at("/pages/at").asInt()).isEqualTo(i);
                    assertThat(keys(page)).contains(all.get(i))
                            .isEqualTo(keys(ok(q + "&_page=" + expected)));
                    // the links continue the list, not "the page of this run" again
                    assertThat(page.at("/links/next").asText("")).doesNotContain("_at=");
                    assertThat(page.at("/links/next_cursor").asText("")).doesNotContain("_at=");
                }
            }
        }
    }

    @Test
    void at_works_under_a_flow_path_and_with_filters() {
        for (String mount : List.of("/i", "/d")) {
            String q = mount + "/api/flows/ForeachFlow/runs?_limit=1";
            JsonNode first = ok(q);
            String run = first.at("/data/0/run_number").asText();
            assertThat(ok(q + "&_at=" + run).at("/pages/self").asInt()).isEqualTo(1);
            assertThat(ok(q + "&_at=ForeachFlow/" + run).at("/data/0/run_number").asText()).isEqualTo(run);

            JsonNode failed = ok(mount + "/api/runs?status=failed&_limit=1&_order=-ts_epoch&_page=2");
            String second = failed.at("/data/0/flow_id").asText() + "/" + failed.at("/data/0/run_number").asText();
            JsonNode at = ok(mount + "/api/runs?status=failed&_limit=1&_order=-ts_epoch&_at=" + second);
            assertThat(at.at("/pages/self").asInt()).isEqualTo(2);
            assertThat(keys(at)).containsExactly(second);
        }
    }

    @Test
    void a_run_not_in_the_list_gives_the_first_page_and_a_bad_value_400() {
        for (String mount : List.of("/i", "/d")) {
            JsonNode completed = ok(mount + "/api/runs?status=completed&_limit=1");
            String done = completed.at("/data/0/flow_id").asText() + "/" + completed.at("/data/0/run_number").asText();
            JsonNode notThere = ok(mount + "/api/runs?status=failed&_limit=1&_at=" + done);
            assertThat(notThere.at("/pages/self").asInt()).isEqualTo(1);
            assertThat(notThere.at("/pages/at").isNull()).isTrue();
            assertThat(keys(notThere)).isEqualTo(keys(ok(mount + "/api/runs?status=failed&_limit=1")));
            assertThat(ok(mount + "/api/runs?_at=NoSuchFlow/1").at("/pages/at").isNull()).isTrue();
            // without _at, pages has no "at"
            assertThat(ok(mount + "/api/runs?_limit=1").get("pages").has("at")).isFalse();
            Reply bad = server.get(mount + "/api/runs?_at=a/b/c");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("detail").asText()).isEqualTo("_at must name a run as flow/run, got 'a/b/c'");
            assertThat(server.get(mount + "/api/runs?_at=justarun").status()).isEqualTo(400);
        }
    }
}

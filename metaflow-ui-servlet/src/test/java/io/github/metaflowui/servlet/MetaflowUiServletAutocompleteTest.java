package io.github.metaflowui.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/** {@code /api/autocomplete/{flows,users,tags}} over the real local fixture. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiServletAutocompleteTest {
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

    private List<String> values(String path) throws Exception {
        Reply r = server.get(path);
        assertThat(r.status()).as(path + " -> " + r.body()).isEqualTo(200);
        JsonNode data = new ObjectMapper().readTree(r.body()).get("data");
        List<String> out = new ArrayList<>();
        data.forEach(v -> out.add(v.asText()));
        return out;
    }

    @Test
    void flows_matching_a_part_prefix_matches_first() throws Exception {
        assertThat(values("/api/autocomplete/flows?q=flow")).hasSize(7);
        assertThat(values("/api/autocomplete/flows?q=for")).containsExactly("ForeachFlow", "NestedForeachFlow");
        assertThat(values("/api/autocomplete/flows?q=")).startsWith("BranchJoinFlow", "FailingFlow");
    }

    @Test
    void users_and_tags_come_from_the_runs() throws Exception {
        assertThat(values("/api/autocomplete/users?q=AL")).containsExactly("alice");
        assertThat(values("/api/autocomplete/tags?q=env")).containsExactly("env:prod", "env:test");
        assertThat(values("/api/autocomplete/tags?q=exp")).containsExactly("exp:1", "exp:2", "expected-failure");
        assertThat(values("/api/autocomplete/tags?q=exp&flow_id=FailingFlow")).containsExactly("expected-failure");
        assertThat(values("/api/autocomplete/tags?q=user:")).containsExactly("user:alice");
        assertThat(values("/api/autocomplete/tags?q=env&_limit=1")).containsExactly("env:prod");
    }

    @Test
    void an_unknown_kind_is_a_clear_404() {
        Reply r = server.get("/api/autocomplete/colours");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).contains("expected flows, users, tags, projects or branches");
    }
}

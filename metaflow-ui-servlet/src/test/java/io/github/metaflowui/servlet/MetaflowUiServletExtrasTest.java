package io.github.metaflowui.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.servlet.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Templated external links and the plugin SPI ({@code .../extras}, {@code /api/config}) over the real fixture. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiServletExtrasTest {
    static final String RETRY_RUN = "/api/flows/RetryFlow/runs/1796301618523831";
    static final String MARKUP = "<script>window.__xss=1</script>";

    private TestServer server;
    private TestServer plain;

    /** Adds a panel with markup in it, a link, and throws for run links (which must not break the page). */
    static final class AuditPlugin implements MetaflowUiPlugin {
        @Override
        public String name() {
            return "audit";
        }

        @Override
        public List<UiLink> runLinks(Run run) {
            throw new IllegalStateException("plugin bug");
        }

        @Override
        public List<UiPanel> runPanels(Run run) {
            return List.of(new UiPanel("Owner", List.of(UiPanel.Row.of("team", MARKUP),
                    UiPanel.Row.link("runbook", "open", "https://wiki.example.com/runbooks/" + run.ref().flow()))));
        }

        @Override
        public List<UiLink> taskLinks(Task task, int attempt, List<MetadataRecord> metadata) {
            long records = metadata.size();
            return List.of(new UiLink("Audit " + attempt + " (" + records + " records)",
                    "/audit/" + task.step() + "/" + task.id().value()));
        }
    }

    @BeforeAll
    void start() {
        Path root = TestServer.localFixture();
        LocalMetaflowBackend backend = LocalMetaflowBackend.builder().root(root)
                .clock(Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC)).build();
        MetaflowUiOptions options = MetaflowUiOptions.builder()
                .runLink("Dashboard", "https://grafana.example.com/d/runs?run={flow}/{run}&from={start_ms}&to={finish_ms}&u={user}")
                .runLink("Never", "https://example.com/{flow}?x={finish}")
                .taskLink("Logs", "https://logs.example.com/search?q=task%3D{step}/{task}&attempt={attempt}&ok={metadata.attempt_ok}&ds={metadata.ds-type}")
                .taskLink("Missing", "https://example.com/{metadata.kubernetes-pod-name}")
                .plugin(new AuditPlugin())
                .build();
        server = TestServer.start("/", TestServer.mappings(
                "/*", new MetaflowUiServlet(backend, options, TestServer.TEST_ASSETS),
                "/plain/*", new MetaflowUiServlet(backend, MetaflowUiOptions.defaults(), TestServer.TEST_ASSETS)));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private JsonNode ok(String path) {
        Reply r = server.get(path);
        assertThat(r.status()).as(path + " -> " + r.body()).isEqualTo(200);
        return r.json().get("data");
    }

    @Test
    void run_links_are_expanded_url_encoded_and_plugins_add_panels() {
        JsonNode run = ok(RETRY_RUN);
        long start = run.get("ts_epoch").asLong();
        long finish = run.get("finished_at").asLong();
        JsonNode d = ok(RETRY_RUN + "/extras");
        assertThat(d.get("links").size()).isEqualTo(2);
        JsonNode dash = d.at("/links/0");
        assertThat(dash.get("label").asText()).isEqualTo("Dashboard");
        assertThat(dash.get("source").asText()).isEqualTo("options");
        assertThat(dash.get("url").asText()).isEqualTo("https://grafana.example.com/d/runs?run=RetryFlow/1796301618523831"
                + "&from=" + start + "&to=" + finish + "&u=alice");
        assertThat(d.at("/links/1/url").asText()).startsWith("https://example.com/RetryFlow?x=2026-12-03T");
        assertThat(d.at("/links/1/url").asText()).contains("%3A").doesNotContain(":0");
        // the throwing plugin method is left out; its panels still come
        assertThat(d.get("panels").size()).isEqualTo(1);
        assertThat(d.at("/panels/0/title").asText()).isEqualTo("Owner");
        assertThat(d.at("/panels/0/source").asText()).isEqualTo("audit");
        assertThat(d.at("/panels/0/rows/0/value").asText()).isEqualTo(MARKUP);
        assertThat(d.at("/panels/0/rows/0/url").isNull()).isTrue();
        assertThat(d.at("/panels/0/rows/1/url").asText()).isEqualTo("https://wiki.example.com/runbooks/RetryFlow");
    }

    @Test
    void task_links_use_the_attempt_and_its_metadata() {
        JsonNode latest = ok(RETRY_RUN + "/steps/flaky/tasks/2/extras");
        assertThat(latest.at("/links/0/url").asText())
                .isEqualTo("https://logs.example.com/search?q=task%3Dflaky/2&attempt=1&ok=True&ds=local");
        assertThat(latest.get("links").size()).as("the link over missing metadata is left out").isEqualTo(2);
        assertThat(latest.at("/links/1/label").asText()).startsWith("Audit 1 (");
        assertThat(latest.at("/links/1/url").asText()).isEqualTo("/audit/flaky/2");

        JsonNode first = ok(RETRY_RUN + "/steps/flaky/tasks/2/extras?attempt_id=0");
        assertThat(first.at("/links/0/url").asText()).endsWith("&attempt=0&ok=False&ds=local");
        assertThat(server.get(RETRY_RUN + "/steps/flaky/tasks/2/extras?attempt_id=5").status()).isEqualTo(404);
        assertThat(server.get(RETRY_RUN + "/steps/flaky/tasks/999/extras").status()).isEqualTo(404);
    }

    @Test
    void config_exposes_the_templates_and_plugins() {
        JsonNode c = ok("/api/config");
        assertThat(c.at("/links/run/0/label").asText()).isEqualTo("Dashboard");
        assertThat(c.at("/links/task/0/template").asText()).startsWith("https://logs.example.com/search?q=");
        assertThat(c.at("/plugins/0").asText()).isEqualTo("audit");
        JsonNode none = ok("/plain/api/config");
        assertThat(none.at("/links/run").size()).isZero();
        assertThat(none.get("plugins").size()).isZero();
        assertThat(ok("/plain" + RETRY_RUN + "/extras").get("links").size()).isZero();
    }

    @Test
    void bad_templates_and_links_are_refused_when_built() {
        assertThatThrownBy(() -> MetaflowUiOptions.builder().runLink("x", "javascript:alert({run})"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http(s)://");
        assertThatThrownBy(() -> MetaflowUiOptions.builder().runLink("x", "https://e.com/{step}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown placeholder {step}");
        assertThatThrownBy(() -> MetaflowUiOptions.builder().taskLink(" ", "https://e.com/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label");
        assertThatThrownBy(() -> MetaflowUiOptions.builder().taskLink("x", "//evil.example.com/{task}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UiLink("x", "data:text/html,hi")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UiPanel.Row.link("a", "b", "javascript:x")).isInstanceOf(IllegalArgumentException.class);
    }
}

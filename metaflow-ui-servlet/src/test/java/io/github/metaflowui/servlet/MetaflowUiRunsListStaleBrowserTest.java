package io.github.metaflowui.servlet;

import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.testing.ScriptedBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runs list in a real headless Chromium, over the servlet's run index in front of a scripted
 * backend that goes down and comes back: the indicator turns "Stale since …" while the rows stay, then
 * "Live" again.
 */
class MetaflowUiRunsListStaleBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ScriptedBackend backend = new ScriptedBackend();
    private TestServer server;
    private Path chromium;

    @BeforeEach
    void start() {
        chromium = HeadlessChromium.find().orElseThrow(() -> new IllegalStateException(
                "no Chromium found: install it (apt-get install chromium chromium-driver) or pass -Dchromium=/path"));
        backend.run("TrainFlow/1", Status.COMPLETED, "end step succeeded").run("TrainFlow/2", Status.RUNNING, "heartbeat 1 s ago");
        server = TestServer.start("/", TestServer.mappings("/*", new MetaflowUiServlet(backend, MetaflowUiOptions.builder()
                .pollIntervals(Duration.ofMillis(100), Duration.ofMillis(200)).indexRefresh(Duration.ofMillis(100)).build())));
    }

    @AfterEach
    void stop() {
        backend.failNext(0, ScriptedBackend.unreachable());
        if (server != null) {
            server.close();
        }
    }

    @Test
    void the_runs_list_says_stale_while_its_data_source_is_down_then_live_again() {
        try (HeadlessChromium.Session page = HeadlessChromium.Session.open(chromium,
                "http://127.0.0.1:" + server.port() + "/?range=all")) {
            assertThat(page.waitFor("document.querySelectorAll('.runs-table tbody tr[data-href]').length === 2"
                    + " && document.getElementById('live').textContent.includes('Live')", WAIT)).isTrue();

            backend.failNext(Integer.MAX_VALUE, ScriptedBackend.unreachable());
            boolean stale = page.waitFor("document.getElementById('live').textContent.includes('Stale since')", WAIT);
            assertThat(stale).as("the indicator turns stale: " + page.evaluate("document.getElementById('live').textContent")
                    + " / " + page.evaluate("document.getElementById('live').title")).isTrue();
            assertThat(page.evaluate("document.getElementById('live').title"))
                    .contains("the run list may be out of date").contains("connection refused");
            assertThat(page.evaluate("document.querySelectorAll('.runs-table tbody tr[data-href]').length"))
                    .as("the last rows stay").isEqualTo("2");

            backend.failNext(0, ScriptedBackend.unreachable());
            assertThat(page.waitFor("document.getElementById('live').textContent.includes('Live')", WAIT))
                    .as("live again once the source is back").isTrue();
            assertThat(page.sameDocument()).as("no reload").isTrue();
        }
    }
}

package io.github.metaflowui.servlet;

import io.github.metaflowui.client.local.LocalMetaflowBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The production UI in a real headless Chromium over the real local fixture: what a user sees once
 * the page's scripts have run. Needs a Chromium (see {@link HeadlessChromium}); without one these
 * tests are skipped, saying so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiBrowserTest {
    private static final String RETRY_TASK = "/RetryFlow/1796301618523831/flaky/2";

    private Path chromium;
    private TestServer server;

    @BeforeAll
    void start() {
        chromium = HeadlessChromium.find().orElse(null);
        assumeTrue(chromium != null, "no Chromium found (set -Dchromium=/path/to/chromium): browser tests skipped");
        Path root = Paths.get(System.getProperty("metaflow.shared.dir"), "fixtures", "metaflow", "local",
                "dot-metaflow");
        LocalMetaflowBackend backend = LocalMetaflowBackend.builder().root(root)
                .clock(Clock.fixed(MetaflowUiServletFixtureTest.NOW, ZoneOffset.UTC)).build();
        server = TestServer.start("/", TestServer.mappings("/*", new MetaflowUiServlet(backend)));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String dom(String path) {
        return HeadlessChromium.dom(chromium, "http://127.0.0.1:" + server.port() + path);
    }

    @Test
    void the_task_page_labels_the_times_of_the_shown_attempt_as_the_attempts() {
        String page = dom(RETRY_TASK);

        assertThat(page).contains("<dt>Attempt 1 started</dt>", "<dt>Attempt 1 finished</dt>",
                "<dt>Attempt duration</dt>");
        assertThat(page).doesNotContain("<dt>Duration</dt>");
    }
}

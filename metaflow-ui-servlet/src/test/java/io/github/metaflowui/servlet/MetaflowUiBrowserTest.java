package io.github.metaflowui.servlet;

import io.github.metaflowui.client.local.LocalMetaflowBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production UI in a real headless Chromium over the real local fixture: what a user sees once
 * the page's scripts have run. Needs a Chromium (see {@link HeadlessChromium}); without one these
 * tests fail, saying how to install it (they are never skipped).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiBrowserTest {
    private static final String RETRY_TASK = "/RetryFlow/1796301618523831/flaky/2";

    private static final String LOGS_TASK = "/ParamsLogsFlow/1796301628865091/logs/2";
    private static final String FAILED_TASK = "/FailingFlow/1796301624448446/explode/2";

    @TempDir
    static Path tmp;
    private Path chromium;
    private TestServer server;

    @BeforeAll
    void start() throws IOException {
        // browser tests are never skipped: CI (.ci/run) installs Debian's chromium
        chromium = HeadlessChromium.find().orElseThrow(() -> new IllegalStateException(
                "no Chromium found: install it (apt-get install chromium chromium-driver) or pass -Dchromium=/path"));
        Path root = TestServer.localFixture();
        Clock clock = Clock.fixed(MetaflowUiServletFixtureTest.NOW, ZoneOffset.UTC);
        LocalMetaflowBackend backend = LocalMetaflowBackend.builder().root(root).clock(clock).build();
        // a copy whose parameter "alpha" has a corrupt blob
        MetaflowUiServletBrokenDataTest.copyTree(root.resolve("ParamsLogsFlow"), tmp.resolve("ParamsLogsFlow"));
        Files.write(tmp.resolve("ParamsLogsFlow/data/e7/e79416050c083d24cf5fb8c9b35c5b01db35bff2"),
                new byte[]{0x1f, (byte) 0x8b, 1, 2, 3});
        LocalMetaflowBackend broken = LocalMetaflowBackend.builder().root(tmp).clock(clock).build();
        server = TestServer.start("/", TestServer.mappings("/*", new MetaflowUiServlet(backend),
                "/broken/*", new MetaflowUiServlet(broken)));
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

    @Test
    void the_tags_filter_says_it_matches_runs_having_all_the_tags() {
        String page = dom("/");

        assertThat(page).contains("(runs having all of them, comma separated)")
                .containsPattern("<input[^>]*id=\"f-tags\"[^>]*placeholder=\"e\\.g\\. env:test\"");
    }

    @Test
    void a_line_anchor_in_the_url_loads_selects_and_links_that_line() {
        String page = dom(LOGS_TASK + "?log=out#L3000");

        assertThat(page).containsPattern("<div class=\"ll target\" id=\"L3000\"[^>]*data-row=\"2999\">"
                + "<a class=\"ln\" href=\"#L3000\"[^>]*>3000</a>.*line 02998 of 05000");
        // only the lines around it are in the DOM (the view is virtualized), and the status says where
        assertThat(page).doesNotContain("id=\"L5003\"").doesNotContain("id=\"L1\"");
        assertThat(page).containsPattern("class=\"log-status\"[^>]*>Lines 2,9\\d\\d–3,0\\d\\d of 5,003<");
    }

    @Test
    void the_error_summary_of_a_failed_attempt_links_its_line_by_anchor() {
        String page = dom(FAILED_TASK + "?log=err");

        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "<code>ValueError: boom: this step always fails</code> <a href=\"#L(\\d+)\"[^>]*>line (\\d+)</a>")
                .matcher(page);
        assertThat(m.find()).as("the summary links its line: " + page).isTrue();
        assertThat(m.group(1)).isEqualTo(m.group(2));
        assertThat(page).containsPattern("id=\"L" + m.group(1) + "\"[^>]*data-row=\"\\d+\"><a[^>]*>" + m.group(1)
                + "</a>.*ValueError: boom: this step always fails");
    }

    @Test
    void a_parameter_that_cannot_be_read_is_shown_as_unavailable_and_the_others_are_shown() {
        String page = dom("/broken/ParamsLogsFlow/1796301628865091");

        assertThat(page).contains("<h2>Parameters</h2>")
                .containsPattern("<th scope=\"row\" class=\"mono\">alpha</th><td><span class=\"unavailable\">"
                        + "<span class=\"status status-unknown\">unavailable</span><span class=\"muted\"> the "
                        + "artifact blob e7941605 of flow ParamsLogsFlow is not valid gzip</span>")
                .containsPattern("<th scope=\"row\" class=\"mono\">count</th><td><code>5000</code>")
                .contains("<h2>Steps</h2>");
    }
}

package io.github.metaflowui.servlet;

import io.github.metaflowui.core.Status;
import io.github.metaflowui.servlet.live.ScriptedBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runs list's live rules in a real headless Chromium, over a scripted backend: rows never move under
 * a reader who scrolled down. A run that leaves the filters (a running run that finished, under
 * {@code status=running}) is marked there and goes once the reader is back at the top; at the top it goes
 * at once.
 */
class MetaflowUiRunsListLiveBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int RUNS = 120;

    private final ScriptedBackend backend = new ScriptedBackend();
    private TestServer server;
    private Path chromium;

    @BeforeEach
    void start() {
        chromium = HeadlessChromium.find().orElseThrow(() -> new IllegalStateException(
                "no Chromium found: install it (apt-get install chromium chromium-driver) or pass -Dchromium=/path"));
        for (int i = 1; i <= RUNS; i++) {
            backend.run("ManyFlow/" + i, Status.RUNNING, "heartbeat 1 s ago"); // newest: ManyFlow/120
        }
        server = TestServer.start("/", TestServer.mappings("/*", new MetaflowUiServlet(backend,
                MetaflowUiOptions.builder().pollIntervals(Duration.ofMillis(100), Duration.ofMillis(200)).build())));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String row(String key) {
        return "document.querySelector('.runs-table tr[data-key=\"" + key + "\"]')";
    }

    @Test
    void a_run_that_leaves_the_filter_is_marked_while_scrolled_down_and_goes_at_the_top() {
        try (HeadlessChromium.Session page = HeadlessChromium.Session.open(chromium,
                "http://127.0.0.1:" + server.port() + "/?status=running&range=all")) {
            assertThat(page.waitFor("document.querySelectorAll('.runs-table tbody tr[data-href]').length > 5"
                    + " && document.getElementById('live').textContent.includes('Live')", WAIT)).isTrue();
            // 20 rows down: ManyFlow/100 is the first row in view, ManyFlow/98 a little below it
            page.evaluate("(() => { const s = document.querySelector('.runs-scroll');"
                    + " s.scrollTop = 20 * s.querySelector('tbody tr[data-href]').getBoundingClientRect().height; })()");
            assertThat(page.waitFor("new URLSearchParams(location.search).get('at') === 'ManyFlow/100'", WAIT)).isTrue();
            String scrollTop = page.evaluate("document.querySelector('.runs-scroll').scrollTop");

            backend.run("ManyFlow/98", Status.COMPLETED, "end step succeeded");
            assertThat(page.waitFor(row("ManyFlow/98") + " && " + row("ManyFlow/98") + ".classList.contains('row-left')", WAIT))
                    .as("the finished run is marked, not removed").isTrue();
            assertThat(page.evaluate("document.querySelector('.runs-scroll').scrollTop")).isEqualTo(scrollTop);
            assertThat(page.evaluate(row("ManyFlow/97") + ".classList.contains('row-left')")).isEqualTo("false");
            assertThat(page.evaluate("document.querySelector('.new-runs').hidden")).isEqualTo("true");

            // back at the top it goes
            page.evaluate("document.querySelector('.runs-scroll').scrollTop = 0");
            assertThat(page.waitFor("!" + row("ManyFlow/98") + " && !document.querySelector('.row-left')", WAIT)).isTrue();
            assertThat(page.waitFor("new URLSearchParams(location.search).get('at') === null", WAIT)).isTrue();

            // at the top, a run that finishes goes at once, and rows below move up
            backend.run("ManyFlow/119", Status.FAILED, "end step failed");
            assertThat(page.waitFor("!" + row("ManyFlow/119"), WAIT)).isTrue();
            assertThat(page.evaluate("[...document.querySelectorAll('.runs-table tbody tr[data-href]')].slice(0, 3)"
                    + ".map(r => r.dataset.key).join(' ')")).isEqualTo("ManyFlow/120 ManyFlow/118 ManyFlow/117");
            assertThat(page.sameDocument()).as("no reload").isTrue();
        }
    }
}

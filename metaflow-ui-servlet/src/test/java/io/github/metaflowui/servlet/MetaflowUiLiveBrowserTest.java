package io.github.metaflowui.servlet;

import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.servlet.live.ScriptedBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live updates in the production UI, in a real headless Chromium: a backend changes while the page is
 * open, and the page shows it without reloading (the document opened first stays).
 */
class MetaflowUiLiveBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ScriptedBackend backend = new ScriptedBackend();
    private Path chromium;
    private TestServer server;

    @BeforeEach
    void start() {
        // browser tests are never skipped: CI (.ci/run) installs Debian's chromium
        chromium = HeadlessChromium.find().orElseThrow(() -> new IllegalStateException(
                "no Chromium found: install it (apt-get install chromium chromium-driver) or pass -Dchromium=/path"));
        backend.run("LiveFlow/1", Status.RUNNING, "heartbeat 1 s ago")
                .task("LiveFlow/1/start/1", Status.COMPLETED)
                .task("LiveFlow/1/train/2", Status.RUNNING)
                .log("LiveFlow/1/train/2", LogStream.STDOUT, 0, 3);
        server = TestServer.start("/", TestServer.mappings("/*", new MetaflowUiServlet(backend,
                MetaflowUiOptions.builder().pollIntervals(Duration.ofMillis(100), Duration.ofMillis(200)).build())));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    @Test
    void the_run_page_and_the_runs_list_show_changes_as_they_happen() {
        try (HeadlessChromium.Session page = HeadlessChromium.Session.open(chromium, url("/LiveFlow/1"))) {
            assertThat(page.waitFor("document.querySelectorAll('.tasks-table tbody tr:not(.vspacer)').length === 2"
                    + " && document.getElementById('live').textContent.includes('Live')", WAIT)).isTrue();

            backend.task("LiveFlow/1/train/2", Status.FAILED, Status.RUNNING).task("LiveFlow/1/train/3", Status.RUNNING);
            assertThat(page.waitFor("document.querySelectorAll('.tasks-table tbody tr:not(.vspacer)').length === 3"
                    + " && document.querySelector('.tasks-table .retried') !== null", WAIT))
                    .as("a new task and a retry appear").isTrue();

            backend.task("LiveFlow/1/train/2", Status.FAILED, Status.COMPLETED).task("LiveFlow/1/train/3", Status.COMPLETED)
                    .run("LiveFlow/1", Status.COMPLETED, "end step succeeded");
            assertThat(page.waitFor("document.querySelector('.run-head .status').textContent.includes('completed')"
                    + " && document.getElementById('live').textContent.includes('Final')", WAIT))
                    .as("the run completes and the page says nothing will change").isTrue();
            assertThat(page.evaluate("document.querySelector('.run-head .reason').textContent"))
                    .isEqualTo("end step succeeded");

            page.evaluate("document.querySelector('.crumbs a').click()"); // to the runs list, in the same document
            assertThat(page.waitFor("document.querySelectorAll('.runs-table tbody tr[data-href]').length === 1", WAIT)).isTrue();
            backend.run("LiveFlow/2", Status.RUNNING, "heartbeat 1 s ago", "<img src=x onerror=alert(1)>");
            assertThat(page.waitFor("document.querySelectorAll('.runs-table tbody tr[data-href]').length === 2", WAIT))
                    .as("a new run appears in the list").isTrue();
            assertThat(page.evaluate("document.querySelector('.runs-table tbody tr .chip').textContent"))
                    .isEqualTo("<img src=x onerror=alert(1)>");
            assertThat(page.evaluate("document.querySelectorAll('.runs-table img').length")).isEqualTo("0");
            assertThat(page.sameDocument()).as("no reload").isTrue();
        }
    }

    @Test
    void a_running_task_log_grows_without_a_reload() {
        try (HeadlessChromium.Session page = HeadlessChromium.Session.open(chromium,
                url("/LiveFlow/1/train/2?log=out"))) {
            assertThat(page.waitFor("document.querySelectorAll('.log-lines .ll').length === 3", WAIT)).isTrue();

            backend.log("LiveFlow/1/train/2", LogStream.STDOUT, 0, 2);

            assertThat(page.waitFor("document.querySelectorAll('.log-lines .ll').length === 5", WAIT)).isTrue();
            assertThat(page.evaluate("[...document.querySelectorAll('.log-lines .ll .lt')].pop().textContent"))
                    .isEqualTo("line 5");
            assertThat(page.sameDocument()).isTrue();
        }
    }
}

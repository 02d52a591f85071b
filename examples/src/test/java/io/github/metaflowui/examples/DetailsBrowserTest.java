package io.github.metaflowui.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.metaflowui.client.local.LocalMetaflowBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Run and task page details in a real headless Chromium: running durations that tick, run
 * triggers, the artifacts' location, unknown steps, the timeline's first mode, links in Metaflow
 * UI's URL scheme and the log search cap. Over the real fixture (fixed clock), a temp copy of two
 * LinearFlow runs with an {@code execution-triggers} record, and the demo's simulated live runs.
 */
class DetailsBrowserTest {
    static final String LINEAR = "/LinearFlow/1796301579117609";
    static final String TRIGGERED = "1796301602989289";
    static final String EVENT_NAME = "data_ready<b>!</b>";

    static StandaloneServer server;
    static Browser browser;
    static Path fixture;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        fixture = SharedFixture.localDotMetaflow();
        server = StandaloneServer.start(LocalMetaflowBackend.builder().root(fixture).clock(BrowserUiTest.CLOCK).build(),
                "127.0.0.1", 0);
        browser = Browser.open();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void no_console_errors() {
        assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
    }

    private static String url(String path) {
        return server.uri().resolve(path).toString();
    }

    private String path() {
        URI u = URI.create(browser.driver().getCurrentUrl());
        return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery())
                + (u.getRawFragment() == null ? "" : "#" + u.getRawFragment());
    }

    @Test
    void artifacts_show_where_they_are_stored() {
        browser.get(url(LINEAR + "/start/1"));
        browser.settle();
        browser.find(".artifacts-table tbody tr .artifact-location");
        assertThat(browser.texts(".artifacts-table thead th")).contains("Location");
        String cell = ".artifacts-table tbody tr .artifact-location";
        assertThat(browser.text(cell + " .ds-type")).isEqualTo("local");
        assertThat(browser.text(cell + " code.location")).isEqualTo(":root:/home/alice/flows/.metaflow");
        assertThat(browser.attribute(cell + " code.location", "title")).isEqualTo(":root:/home/alice/flows/.metaflow");
        assertThat(browser.all(".artifacts-table tbody tr .copy-location")).isNotEmpty();
    }

    @Test
    void an_unknown_step_is_not_found_and_a_known_one_filters_the_run() {
        browser.get(url(LINEAR + "/nostep"));
        browser.settle();
        assertThat(browser.text("#main h1")).isEqualTo("Not found");
        assertThat(browser.text("#main .msg")).contains("has no step \"nostep\"");

        browser.get(url(LINEAR + "?step=nostep"));
        browser.settle();
        assertThat(browser.text("#tasks .msg")).contains("This run has no step \"nostep\"");

        browser.get(url(LINEAR + "/process"));
        browser.settle();
        browser.waitFor(d -> path().equals(LINEAR + "?step=process"));
        assertThat(browser.texts(".tasks-table tbody tr a.id")).containsExactly("2");

        browser.get(url("/LinearFlow/999/start"));
        browser.settle();
        assertThat(browser.text("#main h1")).isEqualTo("Not found");
        assertThat(browser.text("#main .msg")).contains("999");
        // the unknown run's own 404 is the only error the browser logs
        assertThat(browser.consoleErrors()).isNotEmpty()
                .allMatch(m -> m.contains("/api/flows/LinearFlow/runs/999/") && m.contains("404"));
    }

    @Test
    void the_timeline_opens_in_the_mode_that_fits_the_run_unless_the_url_says() {
        browser.get(url("/FailingFlow/1796301626371648"));
        browser.settle();
        assertThat(browser.text("#timeline .seg-item[aria-current='true']")).isEqualTo("Failed");
        browser.waitFor(d -> jsTimelineTasks().equals(List.of("explode/2")));
        // the failed run's Workflow link says so in the URL; its own default needs nothing
        assertThat(browser.attribute("#timeline .seg-item:first-child", "href")).contains("tl=workflow");

        browser.get(url("/FailingFlow/1796301626371648?tl=workflow"));
        browser.settle();
        assertThat(browser.text("#timeline .seg-item[aria-current='true']")).isEqualTo("Workflow");
        browser.waitFor(d -> jsTimelineTasks().equals(List.of("start/1", "explode/2")));

        browser.get(url(LINEAR));
        browser.settle();
        assertThat(browser.text("#timeline .seg-item[aria-current='true']")).isEqualTo("Workflow");
    }

    @SuppressWarnings("unchecked")
    private List<String> jsTimelineTasks() {
        return (List<String>) browser.js("return [...document.querySelectorAll('#timeline tr.tl-task a.id')].map(a => a.textContent)");
    }

    @Test
    void links_in_metaflow_ui_url_scheme_open_the_same_views() {
        browser.get(url(LINEAR + "/view/timeline"));
        browser.settle();
        browser.waitFor(d -> path().equals(LINEAR + "#timeline"));
        browser.find("#timeline");

        browser.get(url(LINEAR + "/view/dag?steps=process"));
        browser.settle();
        browser.waitFor(d -> path().equals(LINEAR + "?step=process#graph"));
        assertThat(browser.texts(".tasks-table tbody tr a.id")).containsExactly("2");

        browser.get(url(LINEAR + "/view/task"));
        browser.settle();
        browser.waitFor(d -> path().equals(LINEAR + "#tasks"));

        browser.get(url("/ForeachFlow/1796301658654985?steps=square&order=duration&direction=desc&status=completed"));
        browser.settle();
        browser.waitFor(d -> path().equals("/ForeachFlow/1796301658654985?status=completed&step=square&_order=-duration"));
        assertThat(browser.text(".tasks-table th[aria-sort='descending']")).startsWith("Duration");

        browser.get(url(LINEAR + "/process?steps=end"));
        browser.settle();
        browser.waitFor(d -> path().equals(LINEAR + "?step=process"));
    }

    @Test
    void a_capped_log_search_says_to_refine_it() {
        browser.get(url("/ParamsLogsFlow/1796301628865091/logs/2?log=out"));
        browser.settle();
        WebElement input = browser.find(".log-search");
        input.sendKeys("of 05000\n");
        browser.waitFor(d -> browser.text(".log-search-status").startsWith("Match 1 of 1,000+"));
        assertThat(browser.text(".log-search-status")).contains("only the first 1,000 matches are listed: refine the search");
    }

    @Test
    void a_triggered_run_names_its_event_and_links_the_run_that_triggered_it() throws Exception {
        Path root = triggeredCopy(fixture, tmp.resolve("triggered"));
        try (StandaloneServer copy = StandaloneServer.start(
                LocalMetaflowBackend.builder().root(root).clock(BrowserUiTest.CLOCK).build(), "127.0.0.1", 0)) {
            browser.get(copy.uri() + "LinearFlow/" + TRIGGERED);
            browser.settle();
            // read in one script: a live update may re-render the header between two reads
            @SuppressWarnings("unchecked")
            Map<String, Object> t = browser.waitFor(d -> (Map<String, Object>) browser.js(
                    "const li = [...document.querySelectorAll('.run-head .triggers li')];"
                            + "return li.length !== 2 ? null : {event: li[0].textContent, markup: li[0].querySelectorAll('b').length,"
                            + " link: li[1].querySelector('a').textContent, run: li[1].textContent};"));
            assertThat((String) t.get("event")).startsWith(EVENT_NAME + " event"); // markup shown as text
            assertThat(t.get("markup")).isEqualTo(0L);
            assertThat(t.get("link")).isEqualTo("LinearFlow/1796301579117609");
            assertThat((String) t.get("run")).contains(" run ");
            browser.js("document.querySelector('.run-head .triggers li:nth-child(2) a').click()");
            browser.waitFor(d -> d.getCurrentUrl().endsWith("/LinearFlow/1796301579117609"));
            browser.settle();
            assertThat(browser.all(".run-head .triggers")).isEmpty();
            browser.leave(); // before the server stops
        }
    }

    /** Two LinearFlow runs; the newer one's start task records what Metaflow's Argo decorator writes. */
    static Path triggeredCopy(Path fixtureRoot, Path dir) throws IOException {
        Path flow = dir.resolve(".metaflow").resolve("LinearFlow");
        for (String part : List.of("_meta", "data", TRIGGERED, "1796301579117609")) {
            copyTree(fixtureRoot.resolve("LinearFlow").resolve(part), flow.resolve(part));
        }
        ObjectMapper json = new ObjectMapper();
        String triggers = json.writeValueAsString(List.of(
                Map.of("timestamp", 1796301590, "id", "e-42", "name", EVENT_NAME, "type", "event"),
                Map.of("timestamp", 1796301599, "id", "LinearFlow/1796301579117609/end/3",
                        "name", "metaflow.LinearFlow.end", "type", "run")));
        Map<String, Object> record = Map.of("flow_id", "LinearFlow", "run_number", TRIGGERED, "step_name", "start",
                "task_id", "1", "field_name", "execution-triggers", "type", "execution-triggers", "value", triggers,
                "tags", List.of("attempt_id:0"), "user_name", "alice", "ts_epoch", 1796301603000L);
        Files.writeString(flow.resolve(TRIGGERED).resolve("start/1/_meta/sysmeta_execution-triggers_1796301603000.json"),
                json.writeValueAsString(record));
        return dir.resolve(".metaflow");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(p -> {
                Path target = to.resolve(from.relativize(p).toString());
                try {
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                        target.toFile().setWritable(true);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Test
    void running_durations_tick_every_second_on_one_shared_timer() throws Exception {
        Path copy = SampleData.writableCopy();
        try (LocalMetaflowBackend backend = LocalMetaflowBackend.builder().root(copy).build();
             DemoRuns demo = new DemoRuns(copy, Clock.systemUTC(), 1.0).start();
             StandaloneServer live = StandaloneServer.start(backend, "127.0.0.1", 0)) {
            // each check runs while a demo run is running (a run lasts about 30 s; the next follows)
            onARunningRun(live, run -> {
                browser.get(live.uri() + "?status=running");
                browser.settle();
                return ticks("table.runs-table tbody tr .running-duration");
            });
            onARunningRun(live, run -> {
                browser.get(live.uri() + DemoRuns.FLOW + "/" + run);
                browser.settle();
                if (browser.all(".run-head .running-duration").isEmpty()) {
                    return false; // it ended meanwhile
                }
                // a running run's timeline opens on its newest tasks
                assertThat(browser.text("#timeline .seg-item[aria-current='true']")).isEqualTo("Newest");
                // the page is rebuilt for each batch of task changes, but not while the user types
                // in it: then only the ticker can move the duration
                browser.js("document.getElementById('task-q').focus()");
                return ticks(".run-head .running-duration");
            });
            // a running attempt shows its growing duration, not just "running"
            onARunningRun(live, run -> {
                String task = awaitRunningTask(live, run);
                if (task == null) {
                    return false;
                }
                browser.get(live.uri() + DemoRuns.FLOW + "/" + run + "/" + task);
                browser.settle();
                // demo tasks run for 3-5 s: watch for just over one tick (under 10 s a tick moves the tenths)
                return ticks(".run-head .running-duration", 1200);
            });

            // one timer for the page; elements that left the page are dropped from it
            browser.get(live.uri() + "LinearFlow");
            browser.settle();
            browser.waitFor(d -> Long.valueOf(0).equals(browser.js("return document.querySelectorAll('.running-duration').length")));
            Object left = ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "import(new URL('ui.js', document.querySelector('script[type=module]').src))"
                            + ".then(m => setTimeout(() => done(m.tickingCount()), 1500));");
            assertThat(left).isEqualTo(0L);
        }
    }

    private interface RunCheck {
        boolean check(String run) throws Exception;
    }

    /** Runs a check on a running demo run; again on a later run when that one ended before it could be seen. */
    private static void onARunningRun(StandaloneServer live, RunCheck check) throws Exception {
        for (int i = 0; i < 10; i++) {
            if (check.check(awaitRunningRun(live))) {
                return;
            }
        }
        throw new AssertionError("no running demo run could be watched");
    }

    /**
     * Whether the same element's text changes within a few seconds (the ticker, not a re-render,
     * moved it); false when no such element is on the page (the object is no longer running).
     */
    private boolean ticks(String css) {
        return ticks(css, 2300);
    }

    private boolean ticks(String css, long windowMillis) {
        for (int i = 0; i < 8; i++) {
            Object changed = ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "const el = document.querySelector(arguments[0]); if (!el) { done('absent'); return; }"
                            + "const before = el.textContent;"
                            + "setTimeout(() => done(el.isConnected ? el.textContent !== before : null), arguments[1]);",
                    css, windowMillis);
            if ("absent".equals(changed)) {
                return false;
            }
            if (changed != null) {
                assertThat(changed).as("the running duration of " + css + " changed by itself").isEqualTo(Boolean.TRUE);
                return true;
            }
            // a live update re-rendered the element meanwhile: watch the new one
        }
        throw new AssertionError("the element " + css + " was re-rendered every time it was watched");
    }

    private static JsonNode api(StandaloneServer live, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(live.uri().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body()).get("data");
    }

    private static String awaitRunningRun(StandaloneServer live) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            JsonNode rows = api(live, "api/flows/" + DemoRuns.FLOW + "/runs?status=running&_limit=1");
            if (rows != null && rows.size() > 0) {
                return rows.get(0).get("run_id").asText();
            }
            assertThat(System.nanoTime()).as("a demo run is running").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** A task of the run that is running now, or null once the run is over. */
    private static String awaitRunningTask(StandaloneServer live, String run) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode rows = api(live, "api/flows/" + DemoRuns.FLOW + "/runs/" + run + "/tasks?status=running&_order=-started_at&_limit=1");
            if (rows != null && rows.size() > 0) {
                return rows.get(0).get("step_name").asText() + "/" + rows.get(0).get("task_id").asText();
            }
            JsonNode r = api(live, "api/flows/" + DemoRuns.FLOW + "/runs/" + run);
            if (r == null || !"running".equals(r.get("status").asText())) {
                return null;
            }
            Thread.sleep(100);
        }
        return null;
    }
}

package io.github.metaflowui.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.metaflowui.client.local.LocalMetaflowBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
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
        String shared = System.getProperty("metaflow.shared.dir");
        assertThat(shared).as("system property metaflow.shared.dir (set by the build)").isNotNull();
        fixture = Path.of(shared, "fixtures/metaflow/local/dot-metaflow");
        assertThat(fixture).as("the shared Metaflow fixture").isDirectory();
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
        WebElement cell = browser.find(".artifacts-table tbody tr .artifact-location");
        assertThat(cell.findElement(By.cssSelector(".ds-type")).getText()).isEqualTo("local");
        WebElement location = cell.findElement(By.cssSelector("code.location"));
        assertThat(location.getText()).isEqualTo(":root:/home/alice/flows/.metaflow");
        assertThat(location.getAttribute("title")).isEqualTo(":root:/home/alice/flows/.metaflow");
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
        assertThat(browser.find("#timeline .seg-item:first-child").getAttribute("href")).contains("tl=workflow");

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
        assertThat(browser.find(".tasks-table th[aria-sort='descending']").getText()).startsWith("Duration");

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
            List<WebElement> items = browser.waitFor(d -> {
                List<WebElement> found = d.findElements(By.cssSelector(".run-head .triggers li"));
                return found.size() == 2 ? found : null;
            });
            assertThat(items.get(0).getText()).startsWith(EVENT_NAME + " event"); // markup shown as text
            assertThat(items.get(0).findElements(By.cssSelector("b"))).isEmpty();
            WebElement upstream = items.get(1).findElement(By.cssSelector("a"));
            assertThat(upstream.getText()).isEqualTo("LinearFlow/1796301579117609");
            assertThat(items.get(1).getText()).contains(" run ");
            browser.js("arguments[0].click()", upstream);
            browser.waitFor(d -> d.getCurrentUrl().endsWith("/LinearFlow/1796301579117609"));
            browser.settle();
            assertThat(browser.all(".run-head .triggers")).isEmpty();
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
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (demo.runsStarted() < 1) {
                assertThat(System.nanoTime()).as("the demo started a run").isLessThan(deadline);
                Thread.sleep(20);
            }
            String run = demo.currentRun();

            browser.get(live.uri() + "?status=running");
            browser.settle();
            assertTicks("table.runs-table tbody tr .running-duration");

            browser.get(live.uri() + DemoRuns.FLOW + "/" + run);
            browser.settle();
            assertTicks(".run-head .running-duration");

            // a running task's attempt shows its growing duration, not just "running"
            String task = awaitRunningTask(live, run);
            browser.get(live.uri() + DemoRuns.FLOW + "/" + run + "/" + task);
            browser.settle();
            String shown = browser.text(".run-head .facts");
            if (shown.contains("still running")) { // it may have finished meanwhile: then it shows the final one
                assertThat(browser.all(".run-head .running-duration")).isNotEmpty();
                assertThat(browser.text(".run-head .running-duration")).matches("\\d.*s");
            }

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

    /** The same element's text changes within a few seconds (the ticker, not a re-render, moved it). */
    private void assertTicks(String css) {
        for (int i = 0; i < 8; i++) {
            browser.find(css);
            Object changed = ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "const el = document.querySelector(arguments[0]); const before = el.textContent;"
                            + "setTimeout(() => done(el.isConnected ? el.textContent !== before : null), 2300);", css);
            if (changed != null) {
                assertThat(changed).as("the running duration of " + css + " changed by itself").isEqualTo(Boolean.TRUE);
                assertThat(browser.text(css)).matches("\\d.*s");
                return;
            }
            // a live update re-rendered the element meanwhile: try the new one
        }
        throw new AssertionError("the element " + css + " was re-rendered every time it was watched");
    }

    private static String awaitRunningTask(StandaloneServer live, String run) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(live.uri().resolve(
                    "api/flows/" + DemoRuns.FLOW + "/runs/" + run + "/tasks?status=running&_limit=1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode rows = json.readTree(r.body()).get("data");
            if (rows != null && rows.size() > 0) {
                return rows.get(0).get("step_name").asText() + "/" + rows.get(0).get("task_id").asText();
            }
            assertThat(System.nanoTime()).as("a task of the demo run is running").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}

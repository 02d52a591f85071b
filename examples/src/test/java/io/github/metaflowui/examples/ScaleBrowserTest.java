package io.github.metaflowui.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.metaflowui.client.uibackend.UiServiceBackend;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.index.IndexedBackend;
import io.github.metaflowui.synthetic.ArchiveSpec;
import io.github.metaflowui.synthetic.MetadataSimulator;
import io.github.metaflowui.synthetic.SyntheticArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The 100,000-task run page in headless Chromium: the first screen on a fresh server (first visit)
 * and on a second visit, with fewer than 500 rows in the DOM and the right data; and live updates of
 * the running 100k run applied while the page stays responsive. Timings are printed, never asserted
 * (the figures in BENCHMARKS.md come from here).
 */
class ScaleBrowserTest {
    static Browser browser;

    @BeforeAll
    static void open() {
        browser = Browser.open();
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.close();
        }
    }

    /** The standalone runner in its own JVM, with the heap BENCHMARKS.md gives it. */
    static final class Runner implements AutoCloseable {
        final Process process;
        final URI ui;
        final URI upstream;
        final String bigRun;
        final List<String> output = new ArrayList<>();

        Runner(String spec, String heap) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(java, "-Xmx" + heap, "-cp", System.getProperty("java.class.path"),
                    StandaloneMain.class.getName(), "--synthetic", spec, "--port", "0")
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<Void> ready = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        synchronized (output) {
                            output.add(line);
                        }
                        if (line.startsWith("Index ready")) {
                            ready.complete(null);
                        }
                    }
                    ready.completeExceptionally(new IllegalStateException("the runner ended: " + text()));
                } catch (Exception e) {
                    ready.completeExceptionally(e);
                }
            }, "scale-test-runner-output");
            reader.setDaemon(true);
            reader.start();
            ready.get(5, TimeUnit.MINUTES);
            String all = text();
            ui = URI.create(find(all, "Metaflow UI: (\\S+)"));
            bigRun = find(all, "big run (\\S+), ");
            upstream = URI.create(find(all, "Metaflow UI backend at (\\S+?/api/)"));
        }

        String text() {
            synchronized (output) {
                return String.join("\n", output);
            }
        }

        private static String find(String text, String regex) {
            Matcher m = Pattern.compile(regex).matcher(text);
            assertThat(m.find()).as(regex + " in the runner's output:\n" + text).isTrue();
            return m.group(1);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static JsonNode get(URI uri) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(uri + " -> " + r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    /** Timings of the page just loaded, from the browser's clock (ms since navigation start). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> waitForRunPage() {
        browser.waitFor(d -> Boolean.TRUE.equals(browser.js(
                "return performance.getEntriesByName('mf-run-complete').length > 0")));
        return (Map<String, Object>) browser.js("const n = performance.getEntriesByType('navigation')[0];"
                + "const m = (x) => { const e = performance.getEntriesByName(x)[0]; return e ? e.startTime : -1; };"
                + "return { response: n.responseEnd, dom: n.domContentLoadedEventEnd,"
                + " first: m('mf-run-first-screen'), complete: m('mf-run-complete'),"
                + " rows: document.querySelectorAll('tr').length,"
                + " taskRows: document.querySelectorAll('table.tasks-table tbody tr:not(.vspacer)').length,"
                + " elements: document.getElementsByTagName('*').length,"
                + " api: performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/') && !r.name.includes('/api/events'))"
                + ".map((r) => decodeURIComponent(r.name.replace(/^.*\\/api\\/flows\\/[^/]+\\/runs\\/[^/?]+/, '')) + ' '"
                + " + Math.round(r.startTime) + '-' + Math.round(r.responseEnd)).join(', ') };");
    }

    private static String ms(Object v) {
        return String.format(Locale.ROOT, "%,.0f ms", ((Number) v).doubleValue());
    }

    private static long number(String text) {
        return Long.parseLong(text.replaceAll("[^0-9]", ""));
    }

    @Test
    void the_100k_task_run_page_first_visit_and_second_visit() throws Exception {
        try (Runner runner = new Runner("1000000:100000", "256m")) {
            String[] big = runner.bigRun.split("/");
            URI page = runner.ui.resolve(big[0] + "/" + big[1]);

            browser.get(page.toString());
            Map<String, Object> first = waitForRunPage();
            List<String> firstRows = browser.texts("table.tasks-table tbody tr:not(.vspacer) td:first-child");

            browser.get(page.toString());
            Map<String, Object> second = waitForRunPage();

            System.out.printf(Locale.ROOT, "ScaleBrowserTest: the 100k-task run page (%s), headless Chromium, runner"
                            + " with -Xmx256m on --synthetic 1000000:100000%n", runner.bigRun);
            for (Map.Entry<String, Map<String, Object>> e : Map.of("first visit", first, "second visit", second).entrySet()) {
                Map<String, Object> t = e.getValue();
                System.out.printf(Locale.ROOT, "  %-12s: response %s, DOM ready %s, first screen (header, graph, first"
                                + " task rows) %s, complete (counts, timeline) %s; %s rows in the DOM (%s task rows),"
                                + " %s elements%n", e.getKey(), ms(t.get("response")), ms(t.get("dom")), ms(t.get("first")),
                        ms(t.get("complete")), t.get("rows"), t.get("taskRows"), t.get("elements"));
                System.out.printf(Locale.ROOT, "    API requests (start-end, ms): %s%n", t.get("api"));
            }

            for (Map<String, Object> t : List.of(first, second)) {
                assertThat(((Number) t.get("rows")).longValue()).as("rows in the DOM").isLessThan(500);
                assertThat(((Number) t.get("taskRows")).longValue()).as("task rows in the DOM").isPositive();
            }
            // the counts: the big step holds 100,000 tasks, and the list counts every task of the run
            JsonNode agg = get(runner.ui.resolve("api/flows/" + big[0] + "/runs/" + big[1] + "/steps/sweep/aggregates"));
            assertThat(agg.at("/data/task_counts/total").asLong()).isEqualTo(100_000);
            List<String> stepRows = browser.texts("table.steps-table tbody tr");
            assertThat(stepRows).anyMatch(r -> r.startsWith("sweep") && r.contains("100,000"));
            long all = number(browser.text(".view-run #tasks .seg a.seg-item .seg-count"));
            JsonNode upstreamSteps = get(runner.upstream.resolve("flows/" + big[0] + "/runs/" + big[1] + "/steps"));
            assertThat(all).as("All tasks").isGreaterThanOrEqualTo(100_000);
            assertThat(upstreamSteps.get("data").size()).isGreaterThanOrEqualTo(2);
            // the first rows are the run's first tasks, as the upstream service lists them
            JsonNode upstreamFirst = get(runner.upstream.resolve("flows/" + big[0] + "/runs/" + big[1]
                    + "/tasks?_order=%2Bts_epoch&_limit=20&_page=1"));
            List<String> expected = new ArrayList<>();
            for (JsonNode row : upstreamFirst.get("data")) {
                String id = row.get("task_id").asText();
                if (!expected.contains(id) && !"_parameters".equals(row.get("step_name").asText())) {
                    expected.add(id);
                }
            }
            assertThat(firstRows).hasSizeGreaterThanOrEqualTo(10);
            assertThat(firstRows.subList(0, 10)).containsExactlyElementsOf(expected.subList(0, 10));
            assertThat(browser.texts("table.tasks-table tbody tr:not(.vspacer) td:first-child").subList(0, 10))
                    .containsExactlyElementsOf(expected.subList(0, 10));
            assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
            browser.get("about:blank"); // no open event stream when the runner stops
        }
    }

    @Test
    void the_100k_task_run_page_opened_from_its_runs_list_on_a_fresh_server() throws Exception {
        try (Runner runner = new Runner("1000000:100000", "256m")) {
            String[] big = runner.bigRun.split("/");
            // the flow's runs list: listing the run starts reading its tasks; the reader clicks it at once
            browser.get(runner.ui.resolve(big[0]).toString());
            browser.settle();
            browser.find("table.runs-table tbody tr a.id");
            Number shownAt = (Number) browser.js("return performance.now()");
            browser.js("window.__clickAt = performance.now();"
                    + "document.querySelector('table.runs-table tbody tr a.id').click();");
            browser.waitFor(d -> Boolean.TRUE.equals(browser.js(
                    "return performance.getEntriesByName('mf-run-complete').length > 0")));
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>) browser.js("const m = (x) => performance.getEntriesByName(x)[0].startTime;"
                    + "return { first: m('mf-run-first-screen') - window.__clickAt, complete: m('mf-run-complete') - window.__clickAt,"
                    + " rows: document.querySelectorAll('tr').length };");
            System.out.printf(Locale.ROOT, "ScaleBrowserTest: the 100k-task run page opened from its flow's runs list on a"
                            + " fresh runner (list shown after %s, clicked at once): first screen %s after the click,"
                            + " complete %s; %s rows in the DOM%n", ms(shownAt), ms(t.get("first")), ms(t.get("complete")),
                    t.get("rows"));
            assertThat(browser.driver().getCurrentUrl()).endsWith("/" + big[0] + "/" + big[1]);
            assertThat(((Number) t.get("rows")).longValue()).isLessThan(500);
            assertThat(browser.texts("table.steps-table tbody tr")).anyMatch(r -> r.startsWith("sweep") && r.contains("100,000"));
            assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
            browser.get("about:blank");
        }
    }

    @Test
    void live_updates_of_the_running_100k_run_keep_the_page_responsive() throws Exception {
        SyntheticArchive archive = SyntheticArchive.generate(ArchiveSpec.parse("2000:100000", Instant.now()));
        try (MetadataSimulator simulator = MetadataSimulator.start(archive, 0, Clock.systemUTC())) {
            UiServiceBackend ui = UiServiceBackend.builder().baseUri(simulator.uiBackendUri()).build();
            RunRef run = archive.bigRun();
            ProgressingRun progressing = new ProgressingRun(ui, run, 0.6, Duration.ofMinutes(3), System::currentTimeMillis);
            IndexedBackend indexed = IndexedBackend.builder(progressing).build();
            assertThat(indexed.awaitReady(Duration.ofMinutes(2))).isTrue();
            try (StandaloneServer server = StandaloneServer.start(indexed, "127.0.0.1", 0)) {
                // the timeline in workflow mode (a running run opens in "newest"): rows in the order tasks started
                browser.get(server.uri().resolve(run.flow() + "/" + run.run().value() + "?tl=workflow").toString());
                waitForRunPage();
                assertThat(browser.text(".run-head .status")).containsIgnoringCase("running");
                long completedBefore = completedInSweep();
                // the first re-read of the run's 100,000 tasks since the page opened: updates flow from then on
                new org.openqa.selenium.support.ui.WebDriverWait(browser.driver(), Duration.ofSeconds(90))
                        .until(d -> completedInSweep() > completedBefore);
                long completedAtStart = completedInSweep();
                // both lists scrolled to where tasks are finishing now: rows far beyond the first page
                long target = completedAtStart + 30;
                browser.js("for (const sel of ['#tasks .vscroll', '#timeline .vscroll']) {"
                        + " const el = document.querySelector(sel); const row = el.querySelector('tbody tr:not(.vspacer)');"
                        + " el.scrollTop = arguments[0] * row.offsetHeight; }", target);
                browser.waitFor(d -> Boolean.TRUE.equals(browser.js("return document.querySelectorAll("
                        + "'#tasks tr.vplaceholder, #timeline tr.vplaceholder').length === 0"
                        + " && document.querySelectorAll('#tasks tbody tr.row-running').length > 0")));
                long runningListBefore = count("#tasks tbody tr.row-running");
                long runningTimelineBefore = count("#timeline tr.tl-task .tl-bar.tl-running");
                browser.js("window.__longTasks = [];"
                        + "new PerformanceObserver((l) => window.__longTasks.push(...l.getEntries().map((e) => e.duration)))"
                        + ".observe({ type: 'longtask' });");
                // at least 10 s, and until three more batches of changes were applied (the server reads the
                // running run's 100,000 tasks again every few seconds: four times the time a read takes)
                long appliedBefore = applied();
                long t0 = System.nanoTime();
                Thread.sleep(10_000);
                new org.openqa.selenium.support.ui.WebDriverWait(browser.driver(), Duration.ofSeconds(120))
                        .until(d -> applied() >= appliedBefore + 3);
                long appliedAfter = applied();
                double seconds = (System.nanoTime() - t0) / 1e9;
                @SuppressWarnings("unchecked")
                List<Number> longTasks = (List<Number>) browser.js("return window.__longTasks");
                double longest = longTasks.stream().mapToDouble(Number::doubleValue).max().orElse(0);
                double total = longTasks.stream().mapToDouble(Number::doubleValue).sum();
                long rows = ((Number) browser.js("return document.querySelectorAll('tr').length")).longValue();
                long completedAfter = completedInSweep();
                // rows far down both lists are fetched again on the next changes: tasks there finish
                new org.openqa.selenium.support.ui.WebDriverWait(browser.driver(), Duration.ofSeconds(90))
                        .until(d -> count("#tasks tbody tr.row-running") < runningListBefore
                                && count("#timeline tr.tl-task .tl-bar.tl-running") < runningTimelineBefore);
                long runningListAfter = count("#tasks tbody tr.row-running");
                long runningTimelineAfter = count("#timeline tr.tl-task .tl-bar.tl-running");
                System.out.printf(Locale.ROOT, "ScaleBrowserTest live: around row %,d, running rows in view: task list %d"
                                + " -> %d, timeline %d -> %d (after the next changes)%n", target, runningListBefore, runningListAfter,
                        runningTimelineBefore, runningTimelineAfter);
                System.out.printf(Locale.ROOT, "ScaleBrowserTest live: %d live batches applied in %.1f s on the running"
                                + " 100k run (sweep completed %,d -> %,d); long tasks (> 50 ms): %d, longest %.0f ms, %.0f ms"
                                + " in all; %d rows in the DOM%n", appliedAfter - appliedBefore, seconds, completedAtStart,
                        completedAfter, longTasks.size(), longest, total, rows);

                assertThat(appliedAfter - appliedBefore).as("live batches applied").isGreaterThanOrEqualTo(3);
                assertThat(completedAfter).as("completed tasks of the sweep step").isGreaterThan(completedBefore);
                assertThat(rows).isLessThan(500);
                // rows far down both lists were fetched again: tasks there finished meanwhile
                assertThat(runningListAfter).as("running rows in view in the task list").isLessThan(runningListBefore);
                assertThat(runningTimelineAfter).as("running bars in view in the timeline").isLessThan(runningTimelineBefore);

                // the task list's place is in the URL: a reload opens it at the same row
                String url = browser.driver().getCurrentUrl();
                String at = URI.create(url).getQuery().replaceAll(".*(?:^|&)at=(\\d+).*", "$1");
                assertThat(Long.parseLong(at)).isBetween(target - 2, target + 2);
                String topTask = firstVisibleTask();
                browser.get(url);
                waitForRunPage();
                browser.waitFor(d -> topTask.equals(firstVisibleTask()));
                assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
            } finally {
                browser.get("about:blank"); // no open event stream when the server stops
                browser.consoleErrors();
                indexed.close();
            }
        }
    }

    @Test
    void a_big_run_whose_tasks_cannot_be_read_still_shows_its_first_screen_and_says_so() throws Exception {
        SyntheticArchive archive = SyntheticArchive.generate(ArchiveSpec.parse("500:3000", Instant.now()));
        try (MetadataSimulator simulator = MetadataSimulator.start(archive, 0, Clock.systemUTC())) {
            UiServiceBackend ui = UiServiceBackend.builder().baseUri(simulator.uiBackendUri()).build();
            // the service goes away in the middle of every read of a whole task table (its third page)
            io.github.metaflowui.core.spi.ForwardingBackend failing = new io.github.metaflowui.core.spi.ForwardingBackend(ui) {
                private final java.util.concurrent.atomic.AtomicInteger pages = new java.util.concurrent.atomic.AtomicInteger();

                @Override
                public io.github.metaflowui.core.Page<io.github.metaflowui.core.Task> listTasks(RunRef run,
                        io.github.metaflowui.core.TaskQuery query, io.github.metaflowui.core.PageRequest page) {
                    if (Thread.currentThread().getName().startsWith("metaflow-tasks-") && page.limit() == 1000
                            && pages.incrementAndGet() % 3 == 0) {
                        throw new io.github.metaflowui.core.MetaflowException("connection reset by the metadata service");
                    }
                    return super.listTasks(run, query, page);
                }
            };
            IndexedBackend indexed = IndexedBackend.builder(failing).build();
            assertThat(indexed.awaitReady(Duration.ofMinutes(2))).isTrue();
            RunRef run = archive.bigRun();
            try (StandaloneServer server = StandaloneServer.start(indexed, "127.0.0.1", 0)) {
                browser.get(server.uri().resolve(run.flow() + "/" + run.run().value()).toString());
                browser.waitFor(d -> Boolean.TRUE.equals(browser.js(
                        "return performance.getEntriesByName('mf-run-first-screen').length > 0")));
                // the first screen: the run, its graph and its first tasks; the counts say why they are missing
                assertThat(browser.text(".run-head h1")).contains(run.run().value());
                browser.find(".view-run svg");
                assertThat(count("table.tasks-table tbody tr:not(.vspacer):not(.vplaceholder)")).isPositive();
                browser.waitFor(d -> browser.texts(".view-run .counting").stream()
                        .anyMatch(t -> t.contains("could not be loaded") && t.contains("connection reset")));
                // and the live indicator says the data is stale (the server's watcher cannot read the steps either)
                new org.openqa.selenium.support.ui.WebDriverWait(browser.driver(), Duration.ofSeconds(60))
                        .until(d -> browser.text("#live").contains("Stale"));
                assertThat(browser.consoleErrors()).as("browser console errors")
                        .allMatch(m -> m.contains("/api/") && m.contains(" 50")); // the failed requests, nothing else
            } finally {
                browser.get("about:blank");
                browser.consoleErrors();
                indexed.close();
            }
        }
    }

    private static long count(String css) {
        return ((Number) browser.js("return document.querySelectorAll(arguments[0]).length", css)).longValue();
    }

    /** The id of the task in the first row at the top of the task list's scroll area. */
    private static String firstVisibleTask() {
        return String.valueOf(browser.js("const el = document.querySelector('#tasks .vscroll');"
                + "const top = el.getBoundingClientRect().top + el.querySelector('thead').offsetHeight;"
                + "const row = [...el.querySelectorAll('tbody tr:not(.vspacer):not(.vplaceholder)')]"
                + ".find((r) => r.getBoundingClientRect().bottom > top + 2);"
                + "return row ? row.querySelector('td a.id').textContent : null;"));
    }

    private static long applied() {
        Object v = browser.js("return document.documentElement.dataset.liveApplied || '0'");
        return Long.parseLong(String.valueOf(v));
    }

    /** The completed count in the steps table's sweep row. */
    private static long completedInSweep() {
        Object v = browser.js("const r = [...document.querySelectorAll('table.steps-table tbody tr')]"
                + ".find((tr) => tr.querySelector('td a') && tr.querySelector('td a').textContent === 'sweep');"
                + "const c = r && r.querySelector('.counts .count-completed');"
                + "return c ? c.title : '0';");
        String s = String.valueOf(v).replaceAll("[^0-9]", "");
        return s.isEmpty() ? 0 : Long.parseLong(s);
    }
}

package io.github.metaflowui.examples;

import io.github.metaflowui.client.local.LocalMetaflowBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The UI in a real headless Chromium, served by the real standalone server over the real
 * fixture (with a fixed clock) and over an edited copy of one run.
 */
class BrowserUiTest {
    /** A little after the fixture's last run ended: every fixture run is over by then. */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T13:00:00Z"), ZoneOffset.UTC);

    static Path fixture;
    static StandaloneServer server;
    static Browser browser;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        fixture = SharedFixture.localDotMetaflow();
        server = StandaloneServer.start(LocalMetaflowBackend.builder().root(fixture).clock(CLOCK).build(), "127.0.0.1", 0);
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

    private String url(String path) {
        return server.uri().resolve(path).toString();
    }

    @Test
    void time_zone_and_theme_settings_apply_and_persist() {
        browser.get(url("/LinearFlow"));
        browser.settle();
        new org.openqa.selenium.support.ui.Select(browser.find("#set-tz")).selectByValue("utc");
        browser.settle();
        browser.waitFor(d -> {
            WebElement time = d.findElement(By.cssSelector("table.runs-table tbody tr[data-href] time"));
            String iso = time.getAttribute("datetime"); // e.g. 2026-12-03T12:40:02.990Z
            return time.getText().equals(iso.substring(0, 10) + " " + iso.substring(11, 19));
        });
        new org.openqa.selenium.support.ui.Select(browser.find("#set-theme")).selectByValue("dark");
        assertThat(browser.js("return document.documentElement.dataset.theme")).isEqualTo("dark");

        browser.get(url("/LinearFlow"));
        browser.settle();
        assertThat(browser.js("return document.documentElement.dataset.theme")).isEqualTo("dark");
        assertThat(browser.find("#set-tz option[selected]").getAttribute("value")).isEqualTo("utc");
        browser.js("localStorage.clear()");
    }

    /** Forgets the last filters of the runs list, which the bare "/" would bring back. */
    private void forgetFilters() {
        browser.get(url("/LinearFlow"));
        browser.js("localStorage.removeItem('metaflow-ui.runs-filters')");
    }

    @Test
    void filters_offer_server_suggestions() {
        forgetFilters();
        browser.get(url("/"));
        browser.settle();
        browser.find("#f-tags").sendKeys("env");
        String list = "#" + browser.find("#f-tags").getAttribute("aria-controls") + " li";
        browser.waitFor(d -> browser.all(list).size() == 2);
        assertThat(browser.texts(list)).containsExactly("env:prod", "env:test");
    }

    @SuppressWarnings("unchecked")
    private List<String> runRows() {
        // one script, so a re-render between finding and reading rows cannot leave stale elements
        return (List<String>) browser.js("return [...document.querySelectorAll('table.runs-table tbody tr[data-href]')]"
                + ".map(r => r.dataset.href)");
    }

    @Test
    void console_errors_are_seen() {
        browser.get(url("/"));
        browser.settle();
        browser.js("console.error('probe: the console log is read')");
        assertThat(browser.consoleErrors()).anyMatch(m -> m.contains("probe: the console log is read"));
    }

    @Test
    void the_bundled_sample_shows_its_runs() throws Exception {
        Path sample = SampleData.materialize();
        try (StandaloneServer bundled = StandaloneServer.start(LocalMetaflowBackend.builder().root(sample).build(), "127.0.0.1", 0)) {
            browser.get(bundled.uri().toString());
            browser.settle();
            browser.waitFor(d -> runRows().size() == 15);
            assertThat(runRows().get(0)).isEqualTo("/NestedForeachFlow/1796301646182255");
            browser.leave(); // before the server stops
        }
    }

    @Test
    void runs_list_loads_and_filters() {
        forgetFilters();
        browser.get(url("/"));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 18);
        assertThat(runRows().get(0)).isEqualTo("/ForeachFlow/1796301750791937");

        browser.click(".view-runs .seg a.seg-failed");
        browser.waitFor(d -> runRows().size() == 2);
        assertThat(runRows()).containsExactlyInAnyOrder("/FailingFlow/1796301626371648", "/FailingFlow/1796301624448446");
        assertThat(browser.driver().getCurrentUrl()).contains("status=failed");

        WebElement tags = browser.find("#f-tags");
        tags.sendKeys("expected-failure\n");
        browser.waitFor(d -> runRows().size() == 1);
        assertThat(runRows()).containsExactly("/FailingFlow/1796301626371648");

        browser.get(url("/?project=nope"));
        browser.settle();
        assertThat(browser.text(".view-runs .msg-empty")).contains("No runs match these filters.");

        browser.get(url("/?group=flow&range=all"));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 18);
        assertThat(browser.texts("tr.group-row th a")).containsExactly(
                "ForeachFlow", "NestedForeachFlow", "ParamsLogsFlow", "FailingFlow", "RetryFlow", "BranchJoinFlow",
                "LinearFlow"); // by their newest run

        browser.get(url("/?range=24h&_order=%2Buser"));
        browser.settle();
        assertThat(browser.find("#f-range option[selected]").getAttribute("value")).isIn("24h", "all");

        browser.get(url("/LinearFlow"));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 3);
        assertThat(runRows()).allMatch(r -> r.startsWith("/LinearFlow/"));
    }

    @Test
    void a_failed_run_leads_to_its_failing_task_stderr() {
        browser.get(url("/?status=failed&_tags=expected-failure"));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 1);
        browser.click("table.runs-table tbody tr a.id");
        browser.waitFor(d -> d.getCurrentUrl().endsWith("/FailingFlow/1796301626371648"));
        browser.settle();

        assertThat(browser.text(".failed-box a.btn-danger")).contains("explode/2");
        browser.click(".failed-box a.btn-danger");
        browser.waitFor(d -> d.getCurrentUrl().contains("/FailingFlow/1796301626371648/explode/2"));
        browser.settle();
        browser.find(".log-panel.log-err .ll");
        List<String> lines = browser.texts(".log-panel.log-err .ll .lt");
        assertThat(lines).hasSize(40);
        assertThat(lines.get(0)).isEqualTo("explode: stderr before failure");
        assertThat(lines).contains("ValueError: boom: this step always fails");
        assertThat(lines.get(39)).isEqualTo("Task failed.");
    }

    @Test
    void a_shared_url_restores_the_same_view() {
        browser.get(url("/ForeachFlow/1796301658654985"));
        browser.settle();
        browser.click(".steps-table a[href*='step=square']");
        browser.waitFor(d -> d.getCurrentUrl().contains("step=square"));
        browser.settle();
        browser.click(".tasks-table th a.sort[href*='duration']");
        browser.waitFor(d -> d.getCurrentUrl().contains("duration"));
        browser.settle();
        String shared = browser.driver().getCurrentUrl();
        List<String> before = taskIds();
        assertThat(before).isNotEmpty();

        browser.get("about:blank");
        browser.get(shared);
        browser.settle();
        browser.find(".tasks-table tbody tr");
        assertThat(browser.text(".chip-filter strong")).isEqualTo("square");
        assertThat(taskIds()).isEqualTo(before);
        assertThat(browser.texts(".tasks-table tbody tr td:nth-child(2)")).allMatch("square"::equals);
    }

    /** Scrolls the first match to the middle of the window and clicks it, found again after a re-render. */
    private static void clickInView(String css) {
        browser.read(() -> {
            WebElement el = browser.find(css);
            browser.js("arguments[0].scrollIntoView({block: 'center'})", el);
            el.click();
            return Boolean.TRUE;
        });
    }

    private List<String> taskIds() {
        return browser.texts(".tasks-table tbody tr a.id");
    }

    @Test
    void markup_in_a_tag_a_log_line_or_a_parameter_is_shown_as_text() throws Exception {
        Path root = HostileFixture.build(fixture, Files.createDirectories(tmp.resolve("hostile")));
        try (StandaloneServer hostile = StandaloneServer.start(
                LocalMetaflowBackend.builder().root(root).clock(CLOCK).build(), "127.0.0.1", 0)) {
            String base = hostile.uri().toString();
            browser.get(base);
            browser.settle();
            assertThat(browser.text("table.runs-table .chip")).isEqualTo(HostileFixture.TAG);

            browser.get(base + HostileFixture.FLOW + "/" + HostileFixture.RUN);
            browser.settle();
            assertThat(browser.text(".view-run .tags .chip")).isEqualTo(HostileFixture.TAG);
            assertThat(browser.texts("table.kv td code"))
                    .contains(HostileFixture.LABEL);

            browser.get(base + HostileFixture.FLOW + "/" + HostileFixture.RUN + "/start/1?log=out");
            browser.settle();
            browser.find(".log-panel.log-out .ll");
            assertThat(browser.texts(".log-panel .ll .lt"))
                    .contains(HostileFixture.LOG_LINE);

            assertThat(browser.text(".log-panel .ll .lt .ansi-fg-1")).isEqualTo("ERROR");
            assertThat(browser.js("return document.querySelector(arguments[0]).className",
                    ".log-panel .ll .lt .ansi-fg-1")).isEqualTo("ansi-bold ansi-fg-1");
            assertThat(browser.text(".log-panel .ll .lt .ansi-fg-2")).isEqualTo("<b>green</b>");
            assertThat(browser.texts(".log-panel .ll .lt"))
                    .contains("ERROR plain <b>green</b>");

            assertThat(browser.js("return window.__xss === undefined")).isEqualTo(Boolean.TRUE);
            assertThat(browser.driver().findElements(By.cssSelector("#main script, #main img[src='x']"))).isEmpty();
            browser.leave(); // before the server stops
        }
    }

    @Test
    void clicking_a_dag_node_filters_the_tasks() {
        browser.get(url("/ForeachFlow/1796301658654985"));
        browser.settle();
        assertThat(browser.read(() -> browser.all("svg.dag-svg g.dag-n").stream().map(g -> g.getAttribute("data-step")).toList()))
                .containsExactly("start", "square", "join", "end");
        String square = "svg.dag-svg g.dag-n[data-step='square']";
        assertThat(browser.attribute(square, "class")).contains("dag-n-completed");
        assertThat(browser.attribute(square, "aria-label")).contains("200 completed");
        browser.click(square);
        browser.waitFor(d -> d.getCurrentUrl().contains("step=square"));
        browser.settle();
        assertThat(browser.text(".chip-filter strong")).isEqualTo("square");
        assertThat(browser.texts(".tasks-table tbody tr td:nth-child(2)")).isNotEmpty().allMatch("square"::equals);
        assertThat(browser.attribute("svg.dag-svg g.dag-n.selected", "data-step")).isEqualTo("square");
        // zoom changes the view box; no inline style anywhere in the drawing
        String viewBox = "return document.querySelector('svg.dag-svg').getAttribute('viewBox')";
        Object before = browser.js(viewBox);
        assertThat(before).isNotNull();
        clickInView(".dag-tools button[aria-label='Zoom in']");
        assertThat(browser.js(viewBox)).isNotEqualTo(before);
        assertThat(browser.all("svg.dag-svg [style]")).isEmpty();

        // nested foreach: one layer per step, the two foreach splits drawn as foreach edges
        browser.get(url("/NestedForeachFlow/1796301646182255"));
        browser.settle();
        assertThat(browser.js("return [...document.querySelectorAll('svg.dag-svg g.dag-n')].map(g => g.dataset.step)"))
                .isEqualTo(List.of("start", "outer", "inner", "inner_join", "outer_join", "end"));
        assertThat(browser.js("return document.querySelectorAll('svg.dag-svg g.dag-edge-foreach').length")).isEqualTo(2L);
        assertThat(browser.attribute("svg.dag-svg g.dag-n[data-step='inner']", "aria-label"))
                .contains("12 completed");
    }

    @Test
    void log_search_finds_a_line_beyond_the_loaded_page() {
        browser.get(url("/ParamsLogsFlow/1796301628865091/logs/2?log=out"));
        browser.settle();
        browser.find(".log-panel.log-out .ll");
        // the tail is loaded first: line 10 is not in the page
        assertThat(browser.all(".log-panel.log-out .ll[data-row='11']")).isEmpty();
        WebElement search = browser.find(".log-panel.log-out input.log-search");
        search.sendKeys("LINE 00010 of\n");
        WebElement hit = browser.find(".log-panel.log-out .ll.hit");
        assertThat(hit.getAttribute("data-row")).isEqualTo("11");
        assertThat(hit.findElement(By.cssSelector(".lt")).getText()).isEqualTo("line 00010 of 05000");
        assertThat(browser.text(".log-panel.log-out .log-search-status")).startsWith("Match 1 of 1,");

        search.clear();
        search.sendKeys("last stdout line\n");
        browser.waitFor(d -> "5002".equals(d.findElement(By.cssSelector(".log-panel.log-out .ll.hit")).getAttribute("data-row")));

        // however far the user jumps, at most 3 pages of lines stay loaded (and in the DOM)
        for (String q : List.of("line 01500 of", "line 03000 of")) {
            search.clear();
            search.sendKeys(q + "\n");
            browser.waitFor(d -> Boolean.TRUE.equals(browser.js(
                    "const h = document.querySelector('.log-panel.log-out .ll.hit'); return h !== null && h.textContent.includes(arguments[0])", q)));
        }
        assertThat((Long) browser.js("return document.querySelectorAll('.log-panel.log-out .ll').length")).isLessThanOrEqualTo(3000L);
        assertThat(browser.js("return document.querySelector('.log-panel.log-out .ll[data-row=\"2\"]') === null")).isEqualTo(Boolean.TRUE);
    }

    @Test
    void the_go_to_box_and_keyboard_navigate() {
        browser.get(url("/LinearFlow"));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 3);
        browser.find("body").sendKeys("g");
        assertThat(browser.js("return document.activeElement.id")).isEqualTo("goto");
        browser.driver().switchTo().activeElement().sendKeys("ForeachFlow/1796301658654985/square/2\n");
        browser.waitFor(d -> d.getCurrentUrl().endsWith("/ForeachFlow/1796301658654985/square/2"));
        browser.settle();
        browser.find(".log-panel");

        browser.get(url("/LinearFlow"));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 3);
        String first = runRows().get(0);
        browser.find("body").sendKeys("j");
        assertThat(browser.find("table.runs-table tbody tr.kbd-sel").getAttribute("data-href")).isEqualTo(first);
        browser.find("body").sendKeys(org.openqa.selenium.Keys.ENTER);
        browser.waitFor(d -> d.getCurrentUrl().endsWith(first));
        browser.settle();

        browser.find("#goto").sendKeys("not/a/valid/path/spec\n");
        assertThat(browser.text(".goto-problem")).contains("Flow/Run/Step/Task");
    }

    @Test
    void embed_hides_the_chrome() {
        browser.get(url("/LinearFlow?embed=1"));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 3);
        assertThat(browser.find(".appbar").isDisplayed()).isFalse();
        assertThat(browser.find("footer.foot").isDisplayed()).isFalse();
        assertThat(browser.find("#main").isDisplayed()).isTrue();
        browser.get(url("/LinearFlow?embed=0"));
        browser.settle();
        assertThat(browser.find(".appbar").isDisplayed()).isTrue();
    }

    @Test
    void the_hide_chrome_option_hides_it_on_every_page() throws Exception {
        try (StandaloneServer embedded = StandaloneServer.start(LocalMetaflowBackend.builder().root(fixture).clock(CLOCK).build(),
                "127.0.0.1", 0, io.github.metaflowui.servlet.MetaflowUiOptions.builder().hideChrome(true))) {
            browser.get(embedded.uri() + "LinearFlow");
            browser.settle();
            browser.waitFor(d -> runRows().size() == 3);
            assertThat(browser.find(".appbar").isDisplayed()).isFalse();
            assertThat(browser.find("footer.foot").isDisplayed()).isFalse();
            browser.leave(); // before the server stops
        }
    }

    @Test
    void configured_links_and_plugin_panels_show_as_text_and_links() throws Exception {
        String markup = "<img src=x onerror=window.__xss=1>";
        io.github.metaflowui.servlet.MetaflowUiOptions.Builder options = io.github.metaflowui.servlet.MetaflowUiOptions.builder()
                .runLink("Dashboard", "https://grafana.example.com/d/runs?run={flow}/{run}&u={user}")
                .taskLink("Pod logs", "https://logs.example.com/?q={step}/{task}&a={attempt}&ok={metadata.attempt_ok}")
                .plugin(new io.github.metaflowui.servlet.MetaflowUiPlugin() {
                    @Override
                    public List<io.github.metaflowui.servlet.UiPanel> runPanels(io.github.metaflowui.core.Run run) {
                        return List.of(new io.github.metaflowui.servlet.UiPanel("Owner",
                                List.of(io.github.metaflowui.servlet.UiPanel.Row.of("team", markup))));
                    }
                });
        try (StandaloneServer withLinks = StandaloneServer.start(
                LocalMetaflowBackend.builder().root(fixture).clock(CLOCK).build(), "127.0.0.1", 0, options)) {
            browser.get(withLinks.uri() + "RetryFlow/1796301618523831");
            browser.settle();
            String dash = ".extras .ext-links a";
            assertThat(browser.text(dash)).contains("Dashboard");
            assertThat(browser.attribute(dash, "href"))
                    .isEqualTo("https://grafana.example.com/d/runs?run=RetryFlow/1796301618523831&u=alice");
            assertThat(browser.attribute(dash, "rel")).isEqualTo("noopener noreferrer");
            assertThat(browser.text(".extras .ext-panel td")).isEqualTo(markup);

            browser.get(withLinks.uri() + "RetryFlow/1796301618523831/flaky/2?attempt=0");
            browser.settle();
            assertThat(browser.attribute(".extras .ext-links a", "href"))
                    .isEqualTo("https://logs.example.com/?q=flaky/2&a=0&ok=False");
            assertThat(browser.js("return window.__xss === undefined")).isEqualTo(Boolean.TRUE);
            browser.leave(); // before the server stops
        }
    }

    @Test
    void the_task_list_keeps_only_visible_rows_in_the_dom_and_finds_foreach_values() {
        browser.get(url("/ForeachFlow/1796301658654985"));
        browser.settle();
        browser.find(".tasks-table tbody tr a.id");
        long rows = (Long) browser.js("return document.querySelectorAll('.tasks-table tbody tr:not(.vspacer)').length");
        assertThat(rows).isBetween(5L, 120L); // 203 tasks in the run
        assertThat(jsTaskIds()).doesNotContain("203");
        browser.js("const s = document.querySelector('.tasks-table').closest('.vscroll'); s.scrollTop = s.scrollHeight;");
        browser.waitFor(d -> jsTaskIds().contains("203"));
        assertThat((Long) browser.js("return document.querySelectorAll('.tasks-table tbody tr:not(.vspacer)').length"))
                .isLessThan(120L);
        assertThat(jsTaskIds()).doesNotContain("2");

        browser.find("#task-q").sendKeys("items[199]\n");
        browser.waitFor(d -> d.getCurrentUrl().contains("q=items"));
        browser.settle();
        browser.waitFor(d -> jsTaskIds().equals(List.of("201")));
        assertThat(browser.text(".tasks-table tbody tr td.mono")).isEqualTo("items[199]=199");
    }

    @SuppressWarnings("unchecked")
    private List<String> jsTaskIds() {
        return (List<String>) browser.js("return [...document.querySelectorAll('.tasks-table tbody tr a.id')].map(a => a.textContent)");
    }

    @Test
    void the_timeline_draws_steps_tasks_and_attempts_with_modes_and_zoom() {
        browser.get(url("/RetryFlow/1796301618523831"));
        browser.settle();
        browser.waitFor(d -> Long.valueOf(2).equals(browser.js(
                "return document.querySelectorAll('#timeline tr.tl-task .tl-attempt').length")));
        assertThat(browser.js("return [...document.querySelectorAll('#timeline tr.tl-step th a')].map(a => a.textContent)"))
                .isEqualTo(List.of("start", "flaky", "end"));
        assertThat(browser.js("return document.querySelector('#timeline tr.tl-task .tl-attempt.tl-failed') !== null"))
                .isEqualTo(Boolean.TRUE);
        clickInView("#timeline .tl-tools button[aria-label='Zoom in']");
        browser.waitFor(d -> d.getCurrentUrl().contains("tlw="));
        assertThat(browser.read(() -> browser.all("#timeline [style]").stream().map(e -> e.getAttribute("class")).toList()))
                .allMatch(c -> c.contains("tl-bar") || c.contains("tl-tick") || c.isEmpty());

        // workflow mode: the tasks step by step in graph order, only those in view fetched and drawn
        browser.get(url("/ForeachFlow/1796301658654985"));
        browser.settle();
        browser.waitFor(d -> !jsTimelineTasks().isEmpty());
        assertThat(jsTimelineTasks().get(0)).isEqualTo("start/1");
        assertThat(jsTimelineTasks().size()).isLessThan(120);
        browser.js("const s = document.querySelector('.tl-table:not(.tl-steps)').closest('.vscroll'); s.scrollTop = s.scrollHeight;");
        browser.waitFor(d -> jsTimelineTasks().contains("end/203"));
        List<String> tail = jsTimelineTasks();
        assertThat(tail.subList(tail.size() - 2, tail.size())).containsExactly("join/202", "end/203");

        browser.get(url("/FailingFlow/1796301626371648?tl=failed"));
        browser.settle();
        browser.waitFor(d -> !jsTimelineTasks().isEmpty());
        assertThat(jsTimelineTasks()).containsExactly("explode/2");
    }

    @SuppressWarnings("unchecked")
    private List<String> jsTimelineTasks() {
        return (List<String>) browser.js("return [...document.querySelectorAll('#timeline tr.tl-task a.id')].map(a => a.textContent)");
    }
}

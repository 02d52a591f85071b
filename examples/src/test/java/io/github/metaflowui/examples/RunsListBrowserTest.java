package io.github.metaflowui.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.servlet.MetaflowUiOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runs list in a real headless Chromium: endless scrolling with only the rows in view in the DOM
 * (over a generated archive), the position kept in the URL ({@code at=flow/run}), and live runs
 * that wait behind a "N new runs" button while the list is scrolled down (over a temp copy of runs
 * that the test adds to).
 */
class RunsListBrowserTest {
    /** Runs in the generated archive: a few thousand, enough for dozens of pages. */
    static final int SYNTHETIC_RUNS = 4000;
    static final String ROWS = "table.runs-table tbody tr[data-href]";

    static StandaloneServer synthetic;
    static Browser browser;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StandaloneMain.Launch l = StandaloneMain.start(new String[] {"--synthetic", SYNTHETIC_RUNS + ":200", "--port", "0"},
                Map.of(), null, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(l.server()).as(out.toString(StandardCharsets.UTF_8)).isNotNull();
        synthetic = l.server();
        browser = Browser.open();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (synthetic != null) {
            synthetic.close();
        }
    }

    @AfterEach
    void no_console_errors() {
        assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
    }

    private static JsonNode api(URI base, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    /** The run keys ("flow/run") of the whole list in the API's order, page by page. */
    private static List<String> allRuns(URI base, String query, int pages) throws Exception {
        List<String> out = new ArrayList<>();
        for (int p = 1; p <= pages; p++) {
            api(base, "api/runs?" + query + "&_limit=50&_page=" + p).get("data")
                    .forEach(n -> out.add(n.get("flow_id").asText() + "/" + n.get("run_number").asText()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private List<String> keysInDom() {
        return (List<String>) browser.js("return [...document.querySelectorAll(arguments[0])].map(r => r.dataset.key)", ROWS);
    }

    private long domRows() {
        return (Long) browser.js("return document.querySelectorAll('table.runs-table tbody tr:not(.vspacer)').length");
    }

    /** Keys of the runs whose rows are on screen (inside the scroll region, below its sticky head). */
    @SuppressWarnings("unchecked")
    private List<String> keysOnScreen() {
        return (List<String>) browser.js("const s = document.querySelector('.runs-scroll');"
                + "const box = s.getBoundingClientRect(); const head = s.querySelector('thead th').getBoundingClientRect();"
                + "return [...s.querySelectorAll(arguments[0])].filter(r => { const b = r.getBoundingClientRect();"
                + "  return b.top >= head.bottom - 1 && b.bottom <= box.bottom + 1; }).map(r => r.dataset.key)", ROWS);
    }

    private long scrollTop() {
        return ((Number) browser.js("return Math.round(document.querySelector('.runs-scroll').scrollTop)")).longValue();
    }

    private String atParam() {
        return (String) browser.js("return new URLSearchParams(location.search).get('at')");
    }

    @Test
    void scrolling_loads_more_runs_and_keeps_the_dom_small() throws Exception {
        URI base = synthetic.uri();
        List<String> expected = allRuns(base, "_order=-ts_epoch", 30);
        browser.get(base.resolve("?range=all").toString());
        browser.settle();
        browser.waitFor(d -> keysInDom().size() > 10);
        assertThat(keysInDom().get(0)).isEqualTo(expected.get(0));
        long historyBefore = (Long) browser.js("return history.length");

        // scroll to the end of what is loaded, again and again: each time the next page comes
        long t0 = System.nanoTime();
        long maxRows = 0;
        for (int i = 0; i < 25; i++) {
            Number height = (Number) browser.js("const s = document.querySelector('.runs-scroll');"
                    + "s.scrollTop = s.scrollHeight; return s.scrollHeight");
            browser.waitFor(d -> ((Number) browser.js("return document.querySelector('.runs-scroll').scrollHeight"))
                    .longValue() > height.longValue());
            maxRows = Math.max(maxRows, domRows());
        }
        System.out.printf("runs list: 25 pages scrolled in %d ms, at most %d rows in the DOM%n",
                (System.nanoTime() - t0) / 1_000_000, maxRows);
        assertThat(maxRows).as("rows in the DOM while scrolling").isLessThan(500);

        // the rows in view are the list's rows at that depth, in order, once each
        browser.waitFor(d -> !keysOnScreen().isEmpty());
        List<String> shown = keysInDom();
        assertThat(new LinkedHashSet<>(shown)).hasSameSizeAs(shown);
        int first = expected.indexOf(shown.get(0));
        assertThat(first).as("first row in the DOM is deep in the list").isGreaterThan(1000);
        assertThat(shown).isEqualTo(expected.subList(first, first + shown.size()));

        // the position is in the URL, replaced (not pushed) as the list scrolls
        String top = keysOnScreen().get(0);
        browser.waitFor(d -> top.equals(atParam()));
        assertThat(browser.js("return history.length")).isEqualTo(historyBefore);

        // grouped by flow: heading, run and "show all" rows are virtual rows too; more groups load on scrolling
        browser.get(base.resolve("?range=all&group=flow").toString());
        browser.settle();
        browser.waitFor(d -> !browser.all("tr.group-row").isEmpty());
        int grown = 0; // the generated archive's runs are mostly of one flow: there may be a single page
        for (int i = 0; i < 3; i++) {
            Number height = (Number) browser.js("const s = document.querySelector('.runs-scroll');"
                    + "s.scrollTop = s.scrollHeight; return s.scrollHeight");
            String outcome = browser.waitFor(d -> {
                long now = ((Number) browser.js("return document.querySelector('.runs-scroll').scrollHeight")).longValue();
                return now > height.longValue() ? "grown"
                        : browser.all("tr.vload-down").isEmpty() && !browser.all("tr.group-row").isEmpty() ? "end" : null;
            });
            grown += outcome.equals("grown") ? 1 : 0;
            assertThat(domRows()).isLessThan(500);
        }
        System.out.println("grouped runs list: " + grown + " more pages of groups loaded on scrolling");
        @SuppressWarnings("unchecked")
        List<String> groups = (List<String>) browser.js("return [...document.querySelectorAll('tr.group-row')].map(r => r.dataset.group)");
        assertThat(groups).isNotEmpty().doesNotHaveDuplicates();
    }

    @Test
    void a_link_with_at_reopens_the_list_at_that_run() throws Exception {
        URI base = synthetic.uri();
        List<String> expected = allRuns(base, "_order=%2Bduration", 30);
        String target = expected.get(1234);
        browser.get(base.resolve("?range=all&_order=%2Bduration&at=" + target).toString());
        browser.settle();
        browser.waitFor(d -> keysOnScreen().contains(target));
        assertThat(keysOnScreen().get(0)).isEqualTo(target);
        assertThat(atParam()).isEqualTo(target);

        // scrolling up loads the runs before it, keeping the same runs in view
        browser.js("document.querySelector('.runs-scroll').scrollTop -= 400");
        browser.waitFor(d -> {
            List<String> on = keysOnScreen();
            return !on.isEmpty() && expected.indexOf(on.get(0)) < 1234 && expected.indexOf(on.get(0)) > 1200;
        });
        List<String> on = keysOnScreen();
        int i = expected.indexOf(on.get(0));
        assertThat(on).isEqualTo(expected.subList(i, i + on.size()));

        // an old pager link opens at its page's first run; a run that is not in the list starts at the top
        browser.get(base.resolve("?range=all&_order=%2Bduration&_page=3").toString());
        browser.settle();
        browser.waitFor(d -> !keysOnScreen().isEmpty() && keysOnScreen().get(0).equals(expected.get(100)));
        browser.waitFor(d -> expected.get(100).equals(atParam()));
        assertThat(browser.driver().getCurrentUrl()).doesNotContain("_page=");

        browser.get(base.resolve("?range=all&at=NoSuchFlow/42").toString());
        browser.settle();
        assertThat(browser.text(".view-runs .msg-info")).contains("NoSuchFlow/42").contains("not in the list");
        browser.waitFor(d -> keysInDom().size() > 10);
    }

    @Test
    void keyboard_selection_walks_past_the_rows_first_drawn_and_opens_the_run() throws Exception {
        URI base = synthetic.uri();
        List<String> expected = allRuns(base, "_order=-ts_epoch", 2);
        browser.get(base.resolve("?range=all").toString());
        browser.settle();
        browser.waitFor(d -> keysInDom().size() > 10);
        // more rows down than the DOM holds at first (rows in view plus the overscan)
        int steps = 60;
        for (int i = 1; i <= steps; i++) {
            browser.find("body").sendKeys("j");
            String want = expected.get(i - 1);
            browser.waitFor(d -> want.equals(browser.js("const r = document.querySelector('tr.kbd-sel'); return r && r.dataset.key"))
                    && keysOnScreen().contains(want));
        }
        for (int i = 0; i < 5; i++) {
            browser.find("body").sendKeys("k");
        }
        String picked = expected.get(steps - 6);
        browser.waitFor(d -> picked.equals(browser.js("const r = document.querySelector('tr.kbd-sel'); return r && r.dataset.key")));
        browser.find("body").sendKeys(org.openqa.selenium.Keys.ENTER);
        browser.waitFor(d -> d.getCurrentUrl().endsWith("/" + picked));
        browser.settle();
        browser.find(".run-head");
    }

    /** A run directory with just its _self.json: enough for the runs list. */
    private static void writeRun(Path flowDir, String id, long tsEpochMillis) throws IOException {
        Path meta = Files.createDirectories(flowDir.resolve(id).resolve("_meta"));
        Files.writeString(meta.resolve("_self.json"), "{\"run_number\": \"" + id + "\", \"flow_id\": \"" + flowDir.getFileName()
                + "\", \"user_name\": \"tester\", \"tags\": [\"scroll\"], \"system_tags\": [\"user:tester\"], \"ts_epoch\": "
                + tsEpochMillis + "}");
    }

    @Test
    void scrolled_down_new_runs_wait_behind_a_button() throws Exception {
        Path root = tmp.resolve("live/.metaflow");
        Path flow = Files.createDirectories(root.resolve("ScrollFlow"));
        Files.createDirectories(flow.resolve("_meta"));
        Files.writeString(flow.resolve("_meta/_self.json"), "{\"flow_id\": \"ScrollFlow\", \"ts_epoch\": "
                + Instant.now().minus(Duration.ofHours(3)).toEpochMilli() + "}");
        long t = Instant.now().minus(Duration.ofHours(2)).toEpochMilli();
        for (int i = 0; i < 150; i++) {
            writeRun(flow, String.valueOf(1000 + i), t + i * 1000L);
        }
        try (StandaloneServer local = StandaloneServer.start(LocalMetaflowBackend.builder().root(root).build(), "127.0.0.1", 0,
                MetaflowUiOptions.builder().indexRefresh(Duration.ofMillis(300)))) {
            browser.get(local.uri().resolve("ScrollFlow").toString());
            browser.settle();
            browser.waitFor(d -> keysInDom().size() > 10);
            assertThat(keysInDom().get(0)).isEqualTo("ScrollFlow/1149");
            browser.find("#live:not([hidden])");

            // scrolled down: a new run is counted on the button, not inserted
            browser.js("document.querySelector('.runs-scroll').scrollTop = 1500");
            browser.waitFor(d -> atParam() != null);
            List<String> before = keysOnScreen();
            long y = scrollTop();
            writeRun(flow, "2000", Instant.now().toEpochMilli());
            WebDriverWait slow = new WebDriverWait(browser.driver(), Duration.ofSeconds(40));
            slow.until(d -> browser.all(".new-runs:not([hidden])").size() == 1);
            assertThat(browser.text(".new-runs")).contains("1 new run");
            assertThat(keysInDom()).doesNotContain("ScrollFlow/2000");
            assertThat(keysOnScreen()).isEqualTo(before);
            assertThat(scrollTop()).isEqualTo(y);

            // a second one: the count grows
            writeRun(flow, "2001", Instant.now().toEpochMilli() + 1);
            slow.until(d -> browser.text(".new-runs").contains("2 new runs"));
            assertThat(keysOnScreen()).isEqualTo(before);

            // the button inserts them and goes to the top
            browser.find(".new-runs").click();
            browser.waitFor(d -> !keysInDom().isEmpty() && keysInDom().get(0).equals("ScrollFlow/2001"));
            assertThat(keysInDom().subList(0, 3)).containsExactly("ScrollFlow/2001", "ScrollFlow/2000", "ScrollFlow/1149");
            assertThat(scrollTop()).isZero();
            assertThat(browser.all(".new-runs:not([hidden])")).isEmpty();
            browser.waitFor(d -> atParam() == null);

            // at the top, a new run appears directly
            writeRun(flow, "2002", Instant.now().toEpochMilli() + 2);
            slow.until(d -> !keysInDom().isEmpty() && keysInDom().get(0).equals("ScrollFlow/2002"));
            assertThat(browser.all(".new-runs:not([hidden])")).isEmpty();
            browser.leave(); // before the server stops
        }
    }
}

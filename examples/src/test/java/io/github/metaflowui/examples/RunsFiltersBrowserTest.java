package io.github.metaflowui.examples;

import io.github.metaflowui.client.local.LocalMetaflowBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runs list's filters in a real headless Chromium: real grouping (one block per flow or user, capped,
 * with "show all"), suggestions on every filter value (flow, user, tags, project, branch) that work with
 * the keyboard and show values as text, a custom start/end time range kept in the URL, several statuses
 * at once, and the last filters remembered for the bare "/". Over the real fixture (fixed clock), a
 * generated archive (many runs per flow, project tags) and a copy of a run with a hostile tag.
 */
class RunsFiltersBrowserTest {
    static final String ROWS = "table.runs-table tbody tr[data-href]";

    static StandaloneServer fixture;
    static StandaloneServer synthetic;
    static StandaloneServer hostile;
    static Browser browser;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        Path root = SharedFixture.localDotMetaflow();
        fixture = StandaloneServer.start(LocalMetaflowBackend.builder().root(root).clock(BrowserUiTest.CLOCK).build(),
                "127.0.0.1", 0);
        hostile = StandaloneServer.start(LocalMetaflowBackend.builder().root(HostileFixture.build(root, tmp))
                .clock(BrowserUiTest.CLOCK).build(), "127.0.0.1", 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StandaloneMain.Launch l = StandaloneMain.start(new String[] {"--synthetic", "3000:50", "--port", "0"},
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
        for (StandaloneServer s : new StandaloneServer[] {fixture, hostile, synthetic}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @BeforeEach
    void fresh_settings() {
        browser.get(fixture.uri().resolve("/LinearFlow").toString()); // a page of the UI (API answers are sandboxed)
        browser.js("localStorage.clear()");
    }

    @AfterEach
    void no_console_errors() {
        assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
    }

    private static String url(StandaloneServer s, String path) {
        return s.uri().resolve(path).toString();
    }

    @SuppressWarnings("unchecked")
    private List<String> runRows() {
        return (List<String>) browser.js("return [...document.querySelectorAll(arguments[0])].map(r => r.dataset.href)", ROWS);
    }

    /** The rows of the grouped table: "group:<key>", "run:<flow>/<run>" or "all:<link>", in order. */
    @SuppressWarnings("unchecked")
    private List<String> groupedRows() {
        return (List<String>) browser.js("return [...document.querySelectorAll('table.runs-table tbody tr')].map(r =>"
                + " r.classList.contains('group-row') ? 'group:' + r.dataset.group"
                + " : r.dataset.key ? 'run:' + r.dataset.key"
                + " : r.classList.contains('group-all') ? 'all:' + r.querySelector('a').getAttribute('href') : null)"
                + ".filter(x => x)");
    }

    private String query(String name) {
        return (String) browser.js("return new URLSearchParams(location.search).get(arguments[0])", name);
    }

    private List<String> suggestions(String input) {
        String list = "#" + browser.find(input).getAttribute("aria-controls") + " li";
        browser.waitFor(d -> !browser.all(list).isEmpty());
        return browser.texts(list);
    }

    @Test
    void grouping_by_flow_shows_one_capped_block_per_flow_with_a_show_all_link() {
        for (String q : List.of("?range=all&group=flow", "?range=all&group=flow&_order=-ts_epoch")) {
            browser.get(url(synthetic, "/" + q));
            browser.settle();
            browser.waitFor(d -> !browser.all("tr.group-row").isEmpty());
            List<String> rows = groupedRows();
            List<String> groups = new ArrayList<>();
            String current = null;
            int inGroup = 0;
            for (String r : rows) {
                if (r.startsWith("group:")) {
                    current = r.substring(6);
                    groups.add(current);
                    inGroup = 0;
                } else if (r.startsWith("run:")) {
                    assertThat(r).as(q).startsWith("run:" + current + "/");
                    inGroup++;
                    assertThat(inGroup).as(q + " runs shown of " + current).isLessThanOrEqualTo(6);
                } else {
                    assertThat(inGroup).as(q + " a full group before show all").isEqualTo(6);
                    assertThat(r).as(q).startsWith("all:/" + current);
                }
            }
            assertThat(groups).as(q + ": the groups in view").hasSizeGreaterThan(1).doesNotHaveDuplicates();
            assertThat(rows).as(q).anyMatch(r -> r.startsWith("all:"));
        }
        // groups come in the order of their newest run: the first run of each group is newer than the next group's
        @SuppressWarnings("unchecked")
        List<Long> firsts = (List<Long>) browser.js("return [...document.querySelectorAll('tr.group-row')].map(g => {"
                + " const run = g.nextElementSibling; return Date.parse(run.querySelector('time').getAttribute('datetime')); })");
        for (int i = 1; i < firsts.size(); i++) {
            assertThat(firsts.get(i)).isLessThanOrEqualTo(firsts.get(i - 1));
        }

        // "show all" opens that flow's list, ungrouped
        WebElement all = browser.find("tr.group-all a");
        String flow = all.getText().replaceAll("^Show all [0-9,]+ runs of (.+) →$", "$1");
        all.click();
        browser.waitFor(d -> d.getCurrentUrl().contains("/" + flow) && !d.getCurrentUrl().contains("group="));
        browser.settle();
        browser.waitFor(d -> runRows().size() > 6);
        assertThat(runRows()).allMatch(h -> h.startsWith("/" + flow + "/"));
    }

    @Test
    void grouping_by_user_links_to_the_user_filter() {
        browser.get(url(fixture, "/?range=all&group=user"));
        browser.settle();
        browser.waitFor(d -> !browser.all("tr.group-row").isEmpty());
        assertThat(groupedRows()).startsWith("group:alice").hasSize(1 + 6 + 1);
        assertThat(browser.text("tr.group-row")).contains("alice").contains("18 runs");
        browser.find("tr.group-all a").click();
        browser.waitFor(d -> "alice".equals(query("user")) && query("group") == null);
        browser.settle();
        browser.waitFor(d -> runRows().size() == 18);
    }

    /** A run directory with just its _self.json: enough for the runs list. */
    private static void writeRun(Path flowDir, String id, String user, long tsEpochMillis) throws java.io.IOException {
        Path meta = java.nio.file.Files.createDirectories(flowDir.resolve(id).resolve("_meta"));
        java.nio.file.Files.writeString(meta.resolve("_self.json"), "{\"run_number\": \"" + id + "\", \"flow_id\": \""
                + flowDir.getFileName() + "\", \"user_name\": \"" + user + "\", \"tags\": [], \"system_tags\": [\"user:"
                + user + "\"], \"ts_epoch\": " + tsEpochMillis + "}");
    }

    private static Path flowDir(Path root, String name) throws java.io.IOException {
        Path flow = java.nio.file.Files.createDirectories(root.resolve(name).resolve("_meta"));
        java.nio.file.Files.writeString(flow.resolve("_self.json"), "{\"flow_id\": \"" + name + "\", \"ts_epoch\": "
                + Instant.now().minusSeconds(3 * 3600).toEpochMilli() + "}");
        return flow.getParent();
    }

    @Test
    void grouped_live_new_runs_wait_behind_the_button_and_then_lead_their_group() throws Exception {
        Path root = tmp.resolve("grouped/.metaflow");
        Path alpha = flowDir(root, "AlphaFlow");
        Path beta = flowDir(root, "BetaFlow");
        long t = Instant.now().minusSeconds(2 * 3600).toEpochMilli();
        for (int i = 0; i < 8; i++) {
            writeRun(alpha, String.valueOf(100 + i), "ann", t + i * 1000L);
            writeRun(beta, String.valueOf(200 + i), "bob", t + 500 + i * 1000L);
        }
        try (StandaloneServer local = StandaloneServer.start(LocalMetaflowBackend.builder().root(root).build(), "127.0.0.1", 0,
                io.github.metaflowui.servlet.MetaflowUiOptions.builder().indexRefresh(java.time.Duration.ofMillis(300)))) {
            browser.get(url(local, "/?group=flow"));
            browser.settle();
            browser.waitFor(d -> groupedRows().size() >= 1 + 6 + 1);
            List<String> before = groupedRows();
            assertThat(before).startsWith("group:BetaFlow", "run:BetaFlow/207", "run:BetaFlow/206");
            assertThat(before.get(7)).startsWith("all:/BetaFlow");
            browser.find("#live:not([hidden])");

            // a new run of the older group: counted on the button, nothing moves
            writeRun(alpha, "999", "ann", Instant.now().toEpochMilli());
            org.openqa.selenium.support.ui.WebDriverWait slow =
                    new org.openqa.selenium.support.ui.WebDriverWait(browser.driver(), java.time.Duration.ofSeconds(40));
            slow.until(d -> browser.all(".new-runs:not([hidden])").size() == 1);
            assertThat(browser.text(".new-runs")).contains("1 new run");
            assertThat(groupedRows()).isEqualTo(before);

            // the button reloads the groups: AlphaFlow now has the newest run and comes first
            browser.find(".new-runs").click();
            browser.waitFor(d -> !groupedRows().isEmpty() && groupedRows().get(0).equals("group:AlphaFlow"));
            assertThat(groupedRows()).startsWith("group:AlphaFlow", "run:AlphaFlow/999", "run:AlphaFlow/107");
            assertThat(browser.text("tr.group-row")).contains("9 runs");
            assertThat(browser.all(".new-runs:not([hidden])")).isEmpty();
        }
    }

    @Test
    void the_flow_filter_suggests_flows_and_takes_one_with_the_keyboard() {
        browser.get(url(fixture, "/?range=all"));
        browser.settle();
        WebElement flow = browser.find("#f-flow");
        assertThat(flow.getTagName()).isEqualTo("input");
        assertThat(flow.getAttribute("role")).isEqualTo("combobox");
        flow.sendKeys("fore");
        browser.waitFor(d -> suggestions("#f-flow").equals(List.of("ForeachFlow", "NestedForeachFlow")));
        flow.sendKeys(Keys.ARROW_DOWN, Keys.ARROW_DOWN);
        String active = flow.getAttribute("aria-activedescendant");
        assertThat(browser.find("#" + active).getText()).isEqualTo("NestedForeachFlow");
        assertThat(browser.find("#" + active).getAttribute("aria-selected")).isEqualTo("true");
        flow.sendKeys(Keys.ENTER);
        browser.waitFor(d -> d.getCurrentUrl().contains("/NestedForeachFlow"));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 2);
        assertThat(runRows()).allMatch(h -> h.startsWith("/NestedForeachFlow/"));
        assertThat(browser.find("#f-flow").getAttribute("value")).isEqualTo("NestedForeachFlow");
        // Escape closes the suggestions
        WebElement again = browser.find("#f-flow");
        again.sendKeys(Keys.ARROW_DOWN);
        String list = "#" + again.getAttribute("aria-controls");
        browser.waitFor(d -> browser.find(list).isDisplayed());
        again.sendKeys(Keys.ESCAPE);
        browser.waitFor(d -> !browser.find(list).isDisplayed());
        assertThat(again.getAttribute("aria-expanded")).isEqualTo("false");
    }

    @Test
    void project_and_branch_suggest_the_system_tag_values() {
        browser.get(url(synthetic, "/?range=all"));
        browser.settle();
        WebElement project = browser.find("#f-project");
        project.click();
        List<String> projects = suggestions("#f-project");
        assertThat(projects).isNotEmpty().allMatch(p -> !p.contains(":"));
        project.sendKeys(Keys.ARROW_DOWN, Keys.ENTER); // takes the first suggestion
        assertThat(project.getAttribute("value")).isEqualTo(projects.get(0));
        WebElement branch = browser.find("#f-branch");
        branch.click();
        List<String> branches = suggestions("#f-branch");
        assertThat(branches).isNotEmpty();
        branch.sendKeys(Keys.ARROW_DOWN, Keys.ENTER);
        branch.sendKeys(Keys.ENTER); // the second Enter submits
        browser.waitFor(d -> projects.get(0).equals(query("project")) && branches.get(0).equals(query("branch")));
        browser.settle();
        String expected = projects.get(0) + " / " + branches.get(0);
        browser.waitFor(d -> !runRows().isEmpty() || !browser.all(".view-runs .msg-empty").isEmpty());
        if (!runRows().isEmpty()) {
            assertThat(browser.texts(ROWS + " .sub-inline")).allMatch(t -> t.equals(expected));
        }
    }

    @Test
    void a_suggested_value_with_markup_is_shown_as_text() {
        browser.get(url(hostile, "/?range=all"));
        browser.settle();
        WebElement tags = browser.find("#f-tags");
        tags.sendKeys("script");
        browser.waitFor(d -> suggestions("#f-tags").contains(HostileFixture.TAG));
        tags.sendKeys(Keys.ARROW_DOWN, Keys.ENTER);
        assertThat(tags.getAttribute("value")).isEqualTo(HostileFixture.TAG);
        assertThat(browser.js("return window.__xss === undefined")).isEqualTo(true);
        assertThat(browser.all(".ac-list script, .ac-list b, .ac-list img")).isEmpty();
    }

    @Test
    void a_custom_time_range_is_kept_in_the_url_in_the_chosen_time_zone() {
        browser.get(url(fixture, "/?range=all"));
        browser.js("localStorage.setItem('metaflow-ui.tz', 'utc')");
        browser.get(url(fixture, "/?range=all"));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 18);
        new Select(browser.find("#f-range")).selectByValue("custom");
        WebElement from = browser.find("#f-from");
        WebElement to = browser.find("#f-to");
        assertThat(from.isDisplayed()).isTrue();
        assertThat(browser.text("label[for=f-from]")).contains("UTC");
        // the fixture's LinearFlow runs started 2026-12-03 12:39:39 .. 12:40:02 UTC, BranchJoinFlow's 12:40:05 .. 12:40:12
        setValue(from, "2026-12-03T12:40:00");
        setValue(to, "2026-12-03T12:40:13");
        browser.find(".filters button[type=submit]").click();
        long ge = Instant.parse("2026-12-03T12:40:00Z").toEpochMilli();
        long le = Instant.parse("2026-12-03T12:40:13Z").toEpochMilli();
        browser.waitFor(d -> String.valueOf(ge).equals(query("ts_epoch:ge")) && String.valueOf(le).equals(query("ts_epoch:le")));
        assertThat(query("range")).isNull();
        browser.settle();
        browser.waitFor(d -> runRows().size() == 5);
        assertThat(runRows()).containsExactlyInAnyOrder("/BranchJoinFlow/1796301612748865", "/BranchJoinFlow/1796301609499775",
                "/BranchJoinFlow/1796301605733522", "/LinearFlow/1796301602989289", "/LinearFlow/1796301600405831");
        assertThat(new Select(browser.find("#f-range")).getFirstSelectedOption().getText()).isEqualTo("Custom range");
        assertThat(browser.find("#f-from").getAttribute("value")).isIn("2026-12-03T12:40", "2026-12-03T12:40:00");
        assertThat(browser.find("#f-to").getAttribute("value")).isEqualTo("2026-12-03T12:40:13");

        // a copied link reopens the same range; a preset replaces it
        browser.get(browser.driver().getCurrentUrl());
        browser.settle();
        browser.waitFor(d -> runRows().size() == 5);
        new Select(browser.find("#f-range")).selectByValue("all");
        browser.waitFor(d -> query("ts_epoch:ge") == null && "all".equals(query("range")));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 18);
    }

    private void setValue(WebElement input, String value) {
        browser.js("arguments[0].value = arguments[1]", input, value);
    }

    @Test
    void several_statuses_at_once() {
        browser.get(url(fixture, "/?range=all"));
        browser.settle();
        browser.find(".seg-add[data-status=failed]").click();
        browser.waitFor(d -> "failed".equals(query("status")));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 2);
        browser.find(".seg-add[data-status=completed]").click();
        browser.waitFor(d -> "failed,completed".equals(query("status")));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 18);
        assertThat(browser.find(".seg-add[data-status=failed]").getAttribute("aria-checked")).isEqualTo("true");
        assertThat(browser.find(".seg-add[data-status=running]").getAttribute("aria-checked")).isEqualTo("false");
        browser.find(".seg-add[data-status=completed]").click();
        browser.waitFor(d -> "failed".equals(query("status")));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 2);
    }

    @Test
    void the_last_filters_come_back_at_the_bare_url_only() {
        browser.get(url(fixture, "/?range=all&status=failed"));
        browser.settle();
        browser.waitFor(d -> runRows().size() == 2);

        browser.get(url(fixture, "/"));
        browser.settle();
        browser.waitFor(d -> "failed".equals(query("status")) && "all".equals(query("range")));
        browser.waitFor(d -> runRows().size() == 2);

        // a link with filters wins (and is remembered in turn)
        browser.get(url(fixture, "/?range=all&_tags=env:prod"));
        browser.settle();
        browser.waitFor(d -> query("status") == null);
        List<String> prod = runRows();
        assertThat(prod).isNotEmpty().hasSizeLessThan(18);

        // "Clear filters" clears them for good
        browser.find(".filters a.btn-quiet").click();
        browser.waitFor(d -> d.getCurrentUrl().equals(url(fixture, "/")));
        browser.settle();
        browser.get(url(fixture, "/"));
        browser.settle();
        assertThat(query("_tags")).isNull();
        browser.waitFor(d -> runRows().size() == 18);
    }
}

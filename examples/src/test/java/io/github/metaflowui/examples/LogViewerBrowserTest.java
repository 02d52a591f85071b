package io.github.metaflowui.examples;

import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.spi.ForwardingBackend;
import io.github.metaflowui.core.spi.MetaflowBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The log viewer on a 100,000-line stdout in a real headless Chromium: a temp copy of one real
 * ParamsLogsFlow run whose {@code logs/2} stdout is replaced by a generated mflog file (the shared
 * fixture is only read). Only the lines in view are in the DOM; pages load as the view moves.
 */
class LogViewerBrowserTest {
    static final Clock CLOCK = BrowserUiTest.CLOCK;
    static final String FLOW = "ParamsLogsFlow";
    static final String RUN = "1796301628865091";
    static final String STEP = "logs";
    static final String TASK = "2";
    static final int LINES = 100_000;
    static final String SCRIPT_LINE = "<script>window.__xss='log'</script><img src=x onerror=\"window.__xss='img'\">";
    static final int SCRIPT_ROW = 4;       // line 5
    static final int NEAR_NEEDLE_ROW = 2;  // line 3
    static final int FAR_NEEDLE_ROW = 77_776; // line 77,777
    static final int ANSI_ROW = 99_990;
    static final Instant T0 = Instant.parse("2026-12-03T12:40:30Z");
    private static final DateTimeFormatter MFLOG_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    @TempDir
    static Path tmp;
    static Path stdout;
    static StandaloneServer server;
    static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        stdout = longLogCopy(tmp.resolve("long"));
        server = StandaloneServer.start(backendOf(stdout), "127.0.0.1", 0);
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
        // a test with a server of its own has left its page for about:blank, which has no storage
        browser.js("if (location.protocol !== 'about:') { localStorage.clear(); }");
    }

    // ---------------------------------------------------------------- the fixture copy

    /** The text of generated line {@code row} (0-based). */
    static String lineText(int row) {
        if (row == SCRIPT_ROW) {
            return SCRIPT_LINE;
        }
        if (row == NEAR_NEEDLE_ROW || row == FAR_NEEDLE_ROW) {
            return "the needle is here, line " + (row + 1);
        }
        if (row == ANSI_ROW) {
            return "\u001b[1;31mred tail\u001b[0m plain";
        }
        return String.format(Locale.ROOT, "long line %06d of %06d", row + 1, LINES);
    }

    static String mflog(int row, String text) {
        return "[MFLOG|0|" + MFLOG_TIME.format(T0.plusMillis(row)) + "|runtime|00000000-0000-0000-0000-000000000000]" + text + "\n";
    }

    /** Copies the run under {@code dir}, writes the long stdout, returns that stdout file. */
    static Path longLogCopy(Path dir) throws IOException {
        Path fixture = SharedFixture.localDotMetaflow();
        Path flow = dir.resolve(".metaflow").resolve(FLOW);
        Files.createDirectories(flow);
        copyTree(fixture.resolve(FLOW).resolve("_meta"), flow.resolve("_meta"));
        copyTree(fixture.resolve(FLOW).resolve(RUN), flow.resolve(RUN));
        Path out = flow.resolve(RUN).resolve(STEP).resolve(TASK).resolve("0.runtime_stdout.log");
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int row = 0; row < LINES; row++) {
                w.write(mflog(row, lineText(row)));
            }
        }
        return out;
    }

    static void appendLines(Path log, int fromRow, List<String> texts) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            s.append(mflog(fromRow + i, texts.get(i)));
        }
        Files.writeString(log, s, StandardOpenOption.APPEND);
    }

    /**
     * The local backend over the copy, with the long-log task shown as still running (its attempt
     * unfinished), so the server keeps following its log tail.
     */
    static MetaflowBackend backendOf(Path stdoutFile) {
        Path root = stdoutFile.getParent().getParent().getParent().getParent().getParent();
        TaskRef running = TaskRef.parse(FLOW + "/" + RUN + "/" + STEP + "/" + TASK);
        return new ForwardingBackend(LocalMetaflowBackend.builder().root(root).clock(CLOCK).build()) {
            @Override
            public Optional<Task> task(TaskRef task) {
                Optional<Task> t = super.task(task);
                if (!task.equals(running) || t.isEmpty()) {
                    return t;
                }
                List<Attempt> attempts = new ArrayList<>(t.get().attempts());
                Attempt last = attempts.remove(attempts.size() - 1);
                StatusInfo on = StatusInfo.of(Status.RUNNING, "attempt " + last.id() + " is running");
                attempts.add(new Attempt(last.id(), on, last.startedAt(), Optional.empty()));
                return Optional.of(new Task(t.get().ref(), t.get().createdAt(), attempts, on, t.get().foreachLabel()));
            }
        };
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

    // ---------------------------------------------------------------- helpers

    private static String taskUrl(StandaloneServer s, String hash) {
        return s.uri().resolve("/" + FLOW + "/" + RUN + "/" + STEP + "/" + TASK + "?log=out").toString() + hash;
    }

    private static long lineElements() {
        return (Long) browser.js("return document.querySelectorAll('.log-panel .log-lines .ll').length");
    }

    /** The text of a loaded row, or null while it is not drawn (or still loading). */
    private static String rowText(int row) {
        return (String) browser.js("const el = document.querySelector(`.log-panel .ll[data-row='${arguments[0]}']:not(.ll-wait) .lt`);"
                + " return el === null ? null : el.textContent", row);
    }

    /** The first and last rows whose line is wholly inside the log's scroll box. */
    @SuppressWarnings("unchecked")
    private static List<Long> visibleRows() {
        return (List<Long>) browser.js("const body = document.querySelector('.log-panel .log-body').getBoundingClientRect();"
                + " const rows = [...document.querySelectorAll('.log-panel .ll')].filter(el => {"
                + "   const r = el.getBoundingClientRect(); return r.top >= body.top - 1 && r.bottom <= body.bottom + 1; })"
                + "   .map(el => Number(el.dataset.row));"
                + " return rows.length ? [Math.min(...rows), Math.max(...rows)] : [];");
    }

    /** The row of the line marked with a class ("hit", "target"), read in one script; null when none is. */
    private static String marked(String cls) {
        return (String) browser.js("const e = document.querySelector('.log-panel .ll.' + arguments[0]); return e && e.dataset.row", cls);
    }

    private static boolean atEnd() {
        return Boolean.TRUE.equals(browser.js("const b = document.querySelector('.log-panel .log-body');"
                + " return b.scrollTop + b.clientHeight >= b.scrollHeight - 2"));
    }

    private static void scrollBodyTo(String expression) {
        browser.js("const b = document.querySelector('.log-panel .log-body'); b.scrollTop = " + expression + ";"
                + " b.dispatchEvent(new Event('scroll'));");
    }

    // ---------------------------------------------------------------- tests

    @Test
    void a_long_log_keeps_only_the_lines_in_view_in_the_dom_and_loads_the_oldest_at_the_top() {
        long t0 = System.nanoTime();
        browser.get(taskUrl(server, ""));
        browser.settle();
        browser.waitFor(d -> rowText(LINES - 1) != null);
        System.out.printf("log viewer: the tail of a %,d-line log in view after %d ms; %d line elements, %d elements"
                + " in the whole page%n", LINES, (System.nanoTime() - t0) / 1_000_000, lineElements(),
                (Long) browser.js("return document.getElementsByTagName('*').length"));
        assertThat(rowText(LINES - 1)).isEqualTo(lineText(LINES - 1));
        assertThat(lineElements()).isBetween(10L, 499L);
        assertThat(atEnd()).isTrue();
        assertThat(browser.text(".log-panel .log-status")).contains("of 100,000");
        assertThat(browser.find(".log-panel input.log-follow").isSelected()).isTrue();
        // ANSI colours become classes; the text stays text
        assertThat(rowText(ANSI_ROW)).isEqualTo("red tail plain");
        assertThat(browser.js("return document.querySelector(\".ll[data-row='" + ANSI_ROW + "'] .lt .ansi-fg-1\").className"))
                .isEqualTo("ansi-bold ansi-fg-1");

        long t1 = System.nanoTime();
        scrollBodyTo("0");
        browser.waitFor(d -> rowText(0) != null);
        System.out.printf("log viewer: the oldest lines in view %d ms after scrolling to the top; %d line elements%n",
                (System.nanoTime() - t1) / 1_000_000, lineElements());
        long t2 = System.nanoTime();
        browser.find(".log-panel input.log-search").sendKeys("THE NEEDLE\n");
        browser.waitFor(d -> browser.text(".log-panel .log-search-status").startsWith("Match 1 of 2,"));
        System.out.printf("log viewer: a server search of the whole %,d-line log answered in %d ms%n", LINES,
                (System.nanoTime() - t2) / 1_000_000);
        assertThat(rowText(0)).isEqualTo(lineText(0));
        assertThat(rowText(1)).isEqualTo(lineText(1));
        assertThat(lineElements()).isLessThan(500L);
        assertThat(browser.all(".log-panel .ll[data-row='" + (LINES - 1) + "']")).isEmpty();
        assertThat(browser.find(".log-panel input.log-follow").isSelected()).isFalse();

        // the middle, reached by dragging the scroll bar: only the pages there are fetched
        scrollBodyTo("b.scrollHeight / 2");
        browser.waitFor(d -> {
            List<Long> rows = visibleRows();
            return !rows.isEmpty() && rowText(rows.get(0).intValue()) != null;
        });
        int mid = visibleRows().get(0).intValue();
        assertThat(mid).isBetween(LINES / 2 - 100, LINES / 2 + 100);
        assertThat(rowText(mid)).isEqualTo(lineText(mid));
        assertThat(lineElements()).isLessThan(500L);
    }

    @Test
    void times_follow_the_chosen_zone_and_can_be_hidden() {
        browser.js("localStorage.setItem('metaflow-ui.tz', 'utc')");
        browser.get(taskUrl(server, ""));
        browser.settle();
        browser.waitFor(d -> rowText(LINES - 1) != null);
        String time = browser.text(".log-panel .ll[data-row='" + (LINES - 1) + "'] time.ts");
        // row r is stamped T0 + r ms, shown as HH:MM:SS.mmm in UTC
        assertThat(time).isEqualTo("12:42:09.999");
        browser.find(".log-panel input.log-times").click();
        assertThat(browser.find(".log-panel .ll time.ts").isDisplayed()).isFalse();
        browser.get(taskUrl(server, ""));
        browser.settle();
        browser.waitFor(d -> rowText(LINES - 1) != null);
        assertThat(browser.find(".log-panel input.log-times").isSelected()).isFalse();
        assertThat(browser.find(".log-panel").getAttribute("class")).contains("log-no-ts");
    }

    @Test
    void a_line_anchor_shows_that_line_and_the_position_goes_in_the_url() {
        browser.get(taskUrl(server, "#L54321"));
        browser.settle();
        browser.waitFor(d -> rowText(54_320) != null);
        assertThat(rowText(54_320)).isEqualTo(lineText(54_320));
        assertThat(marked("target")).isEqualTo("54320");
        List<Long> seen = visibleRows();
        assertThat(seen.get(0)).isLessThan(54_320L);
        assertThat(seen.get(1)).isGreaterThan(54_320L);
        assertThat(lineElements()).isLessThan(500L);

        // scrolled elsewhere, the URL names the first line in view; that URL reopens the same place
        scrollBodyTo("b.scrollTop - 40 * 20 * 10");
        browser.waitFor(d -> d.getCurrentUrl().contains("#from-L"));
        browser.waitFor(d -> {
            List<Long> rows = visibleRows();
            return !rows.isEmpty() && rowText(rows.get(0).intValue()) != null;
        });
        String shared = browser.driver().getCurrentUrl();
        long first = visibleRows().get(0);
        assertThat(shared).endsWith("#from-L" + (first + 1));

        browser.get("about:blank");
        browser.get(shared);
        browser.settle();
        browser.waitFor(d -> rowText((int) first) != null);
        browser.waitFor(d -> visibleRows().size() == 2 && visibleRows().get(0) == first);
        assertThat(browser.all(".log-panel .ll.target")).isEmpty();

        // a line number clicked selects that line (and the URL says so)
        String link = ".log-panel .ll[data-row='" + (first + 3) + "'] a.ln";
        browser.find(link).click();
        browser.waitFor(d -> d.getCurrentUrl().endsWith("#L" + (first + 4)));
        browser.waitFor(d -> String.valueOf(first + 3).equals(
                browser.js("const t = document.querySelector('.log-panel .ll.target'); return t && t.dataset.row")));
    }

    @Test
    void a_search_hit_far_away_is_reached_by_next() {
        browser.get(taskUrl(server, ""));
        browser.settle();
        browser.waitFor(d -> rowText(LINES - 1) != null);
        browser.find(".log-panel input.log-search").sendKeys("THE NEEDLE\n");
        browser.waitFor(d -> browser.text(".log-panel .log-search-status").startsWith("Match 1 of 2,"));
        browser.waitFor(d -> rowText(NEAR_NEEDLE_ROW) != null);
        assertThat(marked("hit")).isEqualTo(String.valueOf(NEAR_NEEDLE_ROW));

        browser.find(".log-panel button.log-next-hit").click();
        browser.waitFor(d -> rowText(FAR_NEEDLE_ROW) != null);
        assertThat(rowText(FAR_NEEDLE_ROW)).isEqualTo(lineText(FAR_NEEDLE_ROW));
        assertThat(marked("hit")).isEqualTo(String.valueOf(FAR_NEEDLE_ROW));
        assertThat(browser.text(".log-panel .log-search-status")).isEqualTo("Match 2 of 2, line 77,777");
        List<Long> seen = visibleRows();
        assertThat(seen.get(0)).isLessThanOrEqualTo(FAR_NEEDLE_ROW);
        assertThat(seen.get(1)).isGreaterThanOrEqualTo(FAR_NEEDLE_ROW);
        assertThat(lineElements()).isLessThan(500L);

        // only the matches: two rows
        browser.find(".log-panel input.log-only-hits").click();
        browser.waitFor(d -> lineElements() == 2);
        assertThat(browser.texts(".log-panel .ll .ln")).containsExactly("3", "77777");

        browser.find(".log-panel button.log-next-hit").click();
        browser.waitFor(d -> browser.text(".log-panel .log-search-status").startsWith("Match 1 of 2,"));

        // Enter again in the same search goes to the next match
        browser.find(".log-panel input.log-only-hits").click();
        browser.find(".log-panel input.log-search").sendKeys("\n");
        browser.waitFor(d -> browser.text(".log-panel .log-search-status").equals("Match 2 of 2, line 77,777"));
        browser.waitFor(d -> String.valueOf(FAR_NEEDLE_ROW).equals(marked("hit")));
    }

    @Test
    void an_injected_script_line_is_shown_as_text() {
        browser.get(taskUrl(server, "#L" + (SCRIPT_ROW + 1)));
        browser.settle();
        browser.waitFor(d -> rowText(SCRIPT_ROW) != null);
        assertThat(rowText(SCRIPT_ROW)).isEqualTo(SCRIPT_LINE);
        assertThat(browser.js("return window.__xss === undefined")).isEqualTo(Boolean.TRUE);
        assertThat(browser.driver().findElements(By.cssSelector("#main script, #main img[src='x']"))).isEmpty();
    }

    @Test
    void the_download_is_the_whole_log() {
        browser.get(taskUrl(server, ""));
        browser.settle();
        browser.waitFor(d -> rowText(LINES - 1) != null);
        String href = browser.find(".log-panel a[download]").getAttribute("href");
        Object lines = ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + " fetch(arguments[0]).then(r => r.text()).then(t => { const l = t.split('\\n');"
                        + " done([l.length, l[0], l[l.length - 1]]); });", href);
        assertThat(lines).isEqualTo(List.of((long) LINES, lineText(0), lineText(LINES - 1)));
    }

    @Test
    void a_two_million_line_log_maps_the_scroll_range_onto_its_rows() throws Exception {
        // stderr of the task generated on the fly: 2,000,000 lines are 40,000,000 px of rows, more than a
        // browser lets an element be, so the viewer maps its (capped) scroll range onto the rows
        long huge = 2_000_000;
        TaskRef ref = TaskRef.parse(FLOW + "/" + RUN + "/" + STEP + "/" + TASK);
        MetaflowBackend generated = new ForwardingBackend(backendOf(stdout)) {
            @Override
            public LogPage logs(TaskRef task, LogStream stream, LogRequest request) {
                if (!task.equals(ref) || stream != LogStream.STDERR) {
                    return super.logs(task, stream, request);
                }
                List<LogLine> lines = new ArrayList<>();
                for (long r = request.firstRow(huge); r < request.endRow(huge); r++) {
                    lines.add(new LogLine(r, Optional.of(T0.plusMillis(r)), "generated line " + (r + 1), stream));
                }
                return new LogPage(0, lines, huge);
            }
        };
        try (StandaloneServer big = StandaloneServer.start(generated, "127.0.0.1", 0)) {
            String base = big.uri().resolve("/" + FLOW + "/" + RUN + "/" + STEP + "/" + TASK + "?log=err").toString();
            browser.get(base);
            browser.settle();
            browser.waitFor(d -> rowText((int) huge - 1) != null);
            assertThat(rowText((int) huge - 1)).isEqualTo("generated line 2000000");
            assertThat(atEnd()).isTrue();
            assertThat((Long) browser.js("return document.querySelector('.log-panel .log-body').scrollHeight"))
                    .isLessThanOrEqualTo(8_000_000L);

            scrollBodyTo("0");
            browser.waitFor(d -> rowText(0) != null);
            assertThat(visibleRows().get(0)).isZero();

            scrollBodyTo("(b.scrollHeight - b.clientHeight) / 2");
            browser.waitFor(d -> {
                List<Long> rows = visibleRows();
                return !rows.isEmpty() && rowText(rows.get(0).intValue()) != null;
            });
            long mid = visibleRows().get(0);
            assertThat(mid).isBetween(huge / 2 - 100, huge / 2 + 100);
            assertThat(rowText((int) mid)).isEqualTo("generated line " + (mid + 1));
            assertThat(lineElements()).isLessThan(500L);

            browser.get("about:blank");
            browser.get(base + "#L1234567");
            browser.settle();
            browser.waitFor(d -> rowText(1_234_566) != null);
            assertThat(marked("target")).isEqualTo("1234566");
            List<Long> seen = visibleRows();
            assertThat(seen.get(0)).isLessThan(1_234_566L);
            assertThat(seen.get(1)).isGreaterThan(1_234_566L);
            browser.leave(); // before the server stops
        }
    }

    @Test
    void follow_shows_new_lines_live_and_leaves_a_reader_who_scrolled_up_in_place() throws Exception {
        Path log = longLogCopy(tmp.resolve("live"));
        try (StandaloneServer live = StandaloneServer.start(backendOf(log), "127.0.0.1", 0)) {
            browser.get(taskUrl(live, ""));
            browser.settle();
            browser.waitFor(d -> rowText(LINES - 1) != null);
            browser.waitFor(d -> Boolean.TRUE.equals(browser.js("const l = document.getElementById('live');"
                    + " return l !== null && !l.hidden && l.textContent.includes('Live')")));

            appendLines(log, LINES, List.of("new line one", "new line two", "new line three"));
            browser.waitFor(d -> rowText(LINES + 2) != null);
            assertThat(rowText(LINES)).isEqualTo("new line one");
            assertThat(rowText(LINES + 2)).isEqualTo("new line three");
            browser.waitFor(d -> atEnd());
            assertThat(browser.text(".log-panel .log-status")).contains("of 100,003");

            // scrolled up, the reader stays where they are while lines arrive
            scrollBodyTo("b.scrollHeight / 4");
            browser.waitFor(d -> {
                List<Long> rows = visibleRows();
                return !rows.isEmpty() && rowText(rows.get(0).intValue()) != null;
            });
            List<Long> before = visibleRows();
            Object top = browser.js("return document.querySelector('.log-panel .log-body').scrollTop");
            assertThat(browser.find(".log-panel input.log-follow").isSelected()).isFalse();
            appendLines(log, LINES + 3, List.of("newer line four", "newer line five"));
            browser.waitFor(d -> browser.text(".log-panel .log-status").contains("of 100,005"));
            assertThat(browser.js("return document.querySelector('.log-panel .log-body').scrollTop")).isEqualTo(top);
            assertThat(visibleRows()).isEqualTo(before);

            // back to the end: following again
            browser.find(".log-panel input.log-follow").click();
            browser.waitFor(d -> rowText(LINES + 4) != null);
            assertThat(rowText(LINES + 4)).isEqualTo("newer line five");
            browser.waitFor(d -> atEnd());

            // the task records an artifact and a metadata field: both tables gain a row, no reload
            Object marker = browser.js("return window.__samePage = 'yes'");
            assertThat(browser.texts(".artifacts-table tbody th")).doesNotContain("late_result");
            Path meta = log.getParent().resolve("_meta");
            Files.writeString(meta.resolve("0_artifact_late_result.json"),
                    Files.readString(meta.resolve("0_artifact_count.json")).replace("\"name\": \"count\"", "\"name\": \"late_result\""));
            Files.writeString(meta.resolve("sysmeta_late-field_1796301631000.json"),
                    Files.readString(meta.resolve("sysmeta_attempt_ok_1796301630452.json"))
                            .replace("\"field_name\": \"attempt_ok\"", "\"field_name\": \"late-field\"")
                            .replace("\"value\": \"True\"", "\"value\": \"<b>late</b>\""));
            browser.waitFor(d -> browser.texts(".artifacts-table tbody th").contains("late_result"));
            browser.waitFor(d -> browser.texts(".metadata-table tbody th").contains("late-field"));
            assertThat(browser.texts(".metadata-table tbody td.mono")).contains("<b>late</b>");
            assertThat(browser.js("return window.__samePage")).isEqualTo(marker);
            browser.leave(); // before the server stops
        }
    }
}

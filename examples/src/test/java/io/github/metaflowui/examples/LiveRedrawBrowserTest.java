package io.github.metaflowui.examples;

import io.github.metaflowui.client.local.LocalMetaflowBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live updates redraw a page only when its data changed. Every event stream starts with a snapshot
 * of what the page already shows; redrawing for it threw away hover and focus and replaced the
 * elements a reader (or a test) was about to click. A MutationObserver, installed before the app's
 * scripts run, counts the redraws until the live indicator says the page is final.
 */
class LiveRedrawBrowserTest {
    // counts views put into #main and redraws of the task page's slots, from the first paint on
    private static final String COUNT_REDRAWS = """
            window.__views = 0;
            window.__slotRedraws = 0;
            window.__cardsRedraws = 0;
            new MutationObserver((records) => {
              for (const r of records) {
                const added = [...r.addedNodes].filter((n) => n.nodeType === 1);
                const view = added.find((n) => n.classList.contains('view'));
                if (r.target.id === 'main' && view) {
                  // a run page first drawn while its task counts were still being read is drawn again
                  // once they are in (by design): that redraw is not counted
                  const countsIn = window.__lastView && window.__lastView.querySelector('section.counting');
                  window.__lastView = view;
                  if (!countsIn) {
                    window.__views += 1;
                  }
                }
                if (r.target.classList && r.target.classList.contains('slot') && added.length) {
                  window.__slotRedraws += 1;
                }
                if (r.target.classList && r.target.classList.contains('cards-body') && added.length) {
                  window.__cardsRedraws += 1;
                }
              }
            }).observe(document, { childList: true, subtree: true });
            """;

    static StandaloneServer server;
    static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        Path fixture = SharedFixture.localDotMetaflow();
        server = StandaloneServer.start(LocalMetaflowBackend.builder().root(fixture).clock(BrowserUiTest.CLOCK).build(),
                "127.0.0.1", 0);
        browser = Browser.open();
        browser.beforeEveryPage(COUNT_REDRAWS);
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
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void a_finished_run_page_is_drawn_once_although_its_live_stream_sends_a_snapshot() {
        browser.get(server.uri() + "ForeachFlow/1796301658654985");
        browser.settle();
        awaitFinal();
        assertThat(browser.text(".run-head .id")).isEqualTo("1796301658654985");
        assertThat(browser.js("return window.__views")).as("views drawn into #main").isEqualTo(1L);
        // the same with filters: a stream per filtered task list, still nothing redrawn
        browser.get(server.uri() + "ForeachFlow/1796301658654985?step=square&status=completed");
        browser.settle();
        awaitFinal();
        assertThat(browser.texts(".tasks-table tbody tr:not(.vspacer) td:nth-child(2)")).isNotEmpty()
                .allMatch("square"::equals);
        assertThat(browser.js("return window.__views")).as("views drawn into #main").isEqualTo(1L);
    }

    @Test
    void a_finished_task_page_keeps_its_header_and_tabs_when_the_stream_starts() {
        browser.get(server.uri() + "RetryFlow/1796301618523831/flaky/2?attempt=0");
        browser.settle();
        awaitFinal();
        assertThat(browser.text(".run-head .id")).isEqualTo("flaky/2");
        assertThat(browser.texts("nav.tabs[aria-label='Attempts'] a.tab")).hasSize(2);
        assertThat(browser.js("return window.__views")).as("views drawn into #main").isEqualTo(1L);
        assertThat(browser.js("return window.__slotRedraws")).as("header, tabs, artifacts or metadata redrawn").isEqualTo(0L);
    }

    @Test
    void a_task_without_cards_draws_its_empty_cards_note_once_however_often_the_list_is_read() {
        browser.get(server.uri() + "RetryFlow/1796301618523831/flaky/2");
        browser.settle();
        // the card list is read again every few seconds for a while: wait for the third answer
        browser.waitFor(d -> Boolean.TRUE.equals(browser.js("return performance.getEntriesByType('resource')"
                + ".filter((e) => new URL(e.name).pathname.endsWith('/cards')).length >= 3")));
        assertThat(browser.text(".cards-block .msg-empty")).contains("This task has no cards.");
        assertThat(browser.js("return window.__cardsRedraws")).as("the cards note drawn (once, over 'Loading cards…')")
                .isEqualTo(1L);
    }

    /** Waits until every resource of the page has finished: the stream's snapshot has been applied by then. */
    private static void awaitFinal() {
        browser.waitFor(d -> Boolean.TRUE.equals(browser.js(
                "const l = document.getElementById('live'); return !l.hidden && l.classList.contains('live-done')")));
    }
}

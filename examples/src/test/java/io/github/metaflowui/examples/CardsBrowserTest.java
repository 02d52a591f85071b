package io.github.metaflowui.examples;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cards in a real headless Chromium: the standalone server over a temporary copy of one LinearFlow
 * run, with one card written in Metaflow's layout. The card's script tries to reach the UI page,
 * its cookies and its API; all of it must fail, the card must still show, and the UI page must be
 * unaffected.
 */
class CardsBrowserTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T13:00:00Z"), ZoneOffset.UTC);
    static final String RUN = "1796301579117609";
    static final String HASH = "5d41402abc4b2a76b9719d911017c592aa0f3b1c";
    static final String CARD = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>probe card</title>
            <style>body { font-family: sans-serif; } .ok { color: green; }</style></head>
            <body>
            <h1 id="title">Hello from the card</h1>
            <ul id="results"></ul>
            <script>
            function note(id, text) {
              var li = document.createElement('li');
              li.id = id;
              li.textContent = id + ': ' + text;
              document.getElementById('results').appendChild(li);
            }
            if (window.parent === window) {
              note('parent', 'none: opened on its own');
            } else {
              try {
                parent.document.body.textContent = 'PWNED';
                note('parent', 'reached');
              } catch (e) {
                note('parent', 'blocked ' + e.name);
              }
            }
            try {
              note('cookie', 'read ' + document.cookie);
            } catch (e) {
              note('cookie', 'blocked ' + e.name);
            }
            try {
              fetch('/api/flows').then(function (r) { return r.text(); })
                .then(function (t) { note('fetch', 'reached ' + t.length); },
                      function (e) { note('fetch', 'blocked ' + e.name); });
            } catch (e) {
              note('fetch', 'blocked ' + e.name);
            }
            parent.postMessage({ type: 'metaflow-card-height', height: 321 }, '*');
            </script>
            </body></html>
            """;

    static StandaloneServer server;
    static Browser browser;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        Path fixture = SharedFixture.localDotMetaflow();
        Path root = tmp.resolve(".metaflow");
        copy(fixture.resolve("LinearFlow/_meta"), root.resolve("LinearFlow/_meta"));
        copy(fixture.resolve("LinearFlow/" + RUN), root.resolve("LinearFlow/" + RUN));
        Path cards = root.resolve("mf.cards/LinearFlow/runs/" + RUN + "/steps/start/tasks/1/cards");
        Files.createDirectories(cards);
        Files.writeString(cards.resolve("default-" + HASH + ".html"), CARD, StandardCharsets.UTF_8);
        server = StandaloneServer.start(LocalMetaflowBackend.builder().root(root).clock(CLOCK).build(), "127.0.0.1", 0);
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
    void no_console_errors_from_the_ui() {
        // the card's own refused fetch is reported against the card's URL; everything else is the UI's
        List<String> errors = browser.consoleErrors().stream().filter(m -> !m.contains("/cards/" + HASH)).toList();
        assertThat(errors).as("browser console errors of the UI").isEmpty();
    }

    private String url(String path) {
        return server.uri().resolve(path).toString();
    }

    @Test
    void a_card_shows_in_a_sandboxed_iframe_and_cannot_reach_the_ui() {
        browser.get(url("/"));
        browser.js("document.cookie = 'ui_secret=s3cret; path=/'");
        browser.get(url("/LinearFlow/" + RUN + "/start/1"));
        browser.settle();
        String title = browser.driver().getTitle();

        WebElement frame = browser.find(".cards-block iframe.card-frame");
        assertThat(frame.getAttribute("sandbox")).isEqualTo("allow-scripts");
        assertThat(frame.getAttribute("src")).endsWith("/api/flows/LinearFlow/runs/" + RUN + "/steps/start/tasks/1/cards/" + HASH);
        assertThat(browser.text(".cards-block h2")).contains("1 card");
        assertThat(browser.text(".card-item h3")).contains("default");
        WebElement open = browser.find(".card-item a[target=_blank]");
        assertThat(open.getText()).isEqualTo("Open in new tab");
        assertThat(open.getAttribute("rel")).contains("noopener");
        WebElement download = browser.find(".card-item a[download]");
        assertThat(download.getText()).isEqualTo("Download HTML");
        assertThat(download.getAttribute("href")).endsWith("/cards/" + HASH + "?download=1");

        // the card's height request, from its own frame, is taken
        browser.waitFor(d -> "321px".equals(browser.js("return document.querySelector('.card-frame-wrap').style.height")));

        browser.driver().switchTo().frame(frame);
        try {
            browser.waitFor(d -> d.findElements(By.id("fetch")).size() == 1);
            assertThat(browser.text("#title")).isEqualTo("Hello from the card");
            assertThat(browser.text("#parent")).startsWith("parent: blocked");
            assertThat(browser.text("#cookie")).startsWith("cookie: blocked").doesNotContain("s3cret");
            assertThat(browser.text("#fetch")).startsWith("fetch: blocked");
            assertThat(browser.js("return window.origin")).isEqualTo("null");
        } finally {
            browser.driver().switchTo().defaultContent();
        }

        // the UI page is untouched and never holds the card's markup
        assertThat(browser.driver().getTitle()).isEqualTo(title);
        String page = (String) browser.js("return document.body.innerText");
        assertThat(page).doesNotContain("PWNED").doesNotContain("Hello from the card").contains("start/1");
        assertThat(browser.all("#results")).isEmpty();
        assertThat(browser.js("return document.cookie")).asString().contains("ui_secret=s3cret");
    }

    @Test
    void expand_toggles_the_card_height() {
        browser.get(url("/LinearFlow/" + RUN + "/start/1"));
        browser.settle();
        WebElement expand = browser.find(".card-item button[aria-expanded]");
        expand.click();
        assertThat(expand.getAttribute("aria-expanded")).isEqualTo("true");
        assertThat(browser.js("return document.querySelector('.card-frame-wrap').classList.contains('expanded')"))
                .isEqualTo(true);
        expand.click();
        assertThat(expand.getText()).isEqualTo("Expand");
    }

    @Test
    void a_task_without_cards_says_so() {
        browser.get(url("/LinearFlow/" + RUN + "/end/3"));
        browser.settle();
        browser.waitFor(d -> browser.all(".cards-block .msg-empty").size() == 1);
        assertThat(browser.text(".cards-block .msg-empty")).contains("This task has no cards.");
        assertThat(browser.all(".cards-block iframe")).isEmpty();
    }

    @Test
    void the_card_opened_directly_is_still_sandboxed() {
        browser.get(url("/api/flows/LinearFlow/runs/" + RUN + "/steps/start/tasks/1/cards/" + HASH));
        browser.waitFor(d -> d.findElements(By.id("fetch")).size() == 1);
        assertThat(browser.text("#title")).isEqualTo("Hello from the card");
        assertThat(browser.js("return window.origin")).isEqualTo("null");
        assertThat(browser.text("#cookie")).startsWith("cookie: blocked");
        assertThat(browser.text("#fetch")).startsWith("fetch: blocked");
    }

    private static void copy(Path source, Path target) {
        try {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path t = target.resolve(source.relativize(file).toString());
                    Files.copy(file, t);
                    t.toFile().setWritable(true);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

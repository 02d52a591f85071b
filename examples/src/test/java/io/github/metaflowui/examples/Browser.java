package io.github.metaflowui.examples;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * Headless Debian Chromium driven by Debian's chromedriver. Both binaries are named explicitly, so
 * Selenium Manager never tries to download a browser or a driver.
 */
final class Browser implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static Browser open() {
        File chromium = binary("metaflow.chromium", "/usr/bin/chromium");
        File chromedriver = binary("metaflow.chromedriver", "/usr/bin/chromedriver");
        System.setProperty("webdriver.chrome.driver", chromedriver.getPath());
        Path profile;
        try {
            profile = Files.createTempDirectory("metaflow-ui-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--window-size=1280,900", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver)
                .usingAnyFreePort()
                .build();
        return new Browser(new ChromeDriver(service, options), profile);
    }

    private static File binary(String property, String fallback) {
        File f = new File(System.getProperty(property, fallback));
        if (!f.canExecute()) {
            throw new IllegalStateException("The browser tests need Debian's Chromium and its driver: " + f
                    + " is missing. Install them with: apt-get install chromium chromium-driver"
                    + " (or point -D" + property + "=... at the binary).");
        }
        return f;
    }

    WebDriver driver() {
        return driver;
    }

    void get(String url) {
        driver.get(url);
    }

    /**
     * Leaves the page (for about:blank): the last step of a test with a server of its own, before that
     * server stops. A page left open keeps reading from its server (live updates, the card list) and
     * would log the refused requests as console errors.
     */
    void leave() {
        driver.get("about:blank");
    }

    /** Waits for the page's render loop to settle (no request in flight, content shown). */
    void settle() {
        waitFor(d -> Boolean.TRUE.equals(js("return !document.documentElement.classList.contains('is-loading')"
                + " && !document.querySelector('#main > p.loading')"
                + " && !document.querySelector('#main section.counting p.loading')"))); // a run's counts come a moment later
    }

    <T> T waitFor(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT).until(condition);
    }

    WebElement find(String css) {
        return waitFor(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() ? null : found.get(0);
        });
    }

    /**
     * The text of the first match, read again when live updates re-render the element between
     * finding and reading it.
     */
    String text(String css) {
        return read(() -> find(css).getText());
    }

    /** An attribute of the first match, read again when a live update re-renders the element meanwhile. */
    String attribute(String css, String name) {
        return read(() -> find(css).getAttribute(name));
    }

    /** Clicks the first match, found again when a live update re-renders it between finding and clicking. */
    void click(String css) {
        read(() -> {
            find(css).click();
            return Boolean.TRUE;
        });
    }

    /**
     * Runs {@code read} again (up to 10 times) when it meets an element that a live re-render replaced:
     * for reads that find their elements themselves.
     */
    <T> T read(Supplier<T> read) {
        for (int i = 0; ; i++) {
            try {
                return read.get();
            } catch (StaleElementReferenceException e) {
                if (i >= 10) {
                    throw e;
                }
            }
        }
    }

    /** Runs {@code script} in every page from the next navigation on, before the page's own scripts (CSP does not apply). */
    void beforeEveryPage(String script) {
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", script));
    }

    /** The texts of all matches, read again (as a whole) when live updates re-render them meanwhile. */
    List<String> texts(String css) {
        return read(() -> all(css).stream().map(WebElement::getText).toList());
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Console messages of level SEVERE (errors, uncaught exceptions, CSP violations) since the last call. */
    List<String> consoleErrors() {
        List<String> out = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                out.add(e.getMessage());
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp profile left behind is harmless
            }
        }
    }
}

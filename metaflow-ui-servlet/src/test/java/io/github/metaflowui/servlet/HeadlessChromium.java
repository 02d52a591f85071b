package io.github.metaflowui.servlet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real headless Chromium that loads a page, runs its scripts and prints the resulting DOM
 * ({@code --dump-dom}). Found as {@code -Dchromium=<path>}, {@code $CHROMIUM}, or {@code chromium},
 * {@code chromium-browser} or {@code google-chrome} on the {@code PATH}.
 */
final class HeadlessChromium {
    private HeadlessChromium() {
    }

    /** The browser executable, if one is installed. */
    static Optional<Path> find() {
        String configured = System.getProperty("chromium", System.getenv("CHROMIUM"));
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The DOM of {@code url} once its scripts have run and the page has settled (no DOM change for
     * {@link #QUIET} and no loading in progress; at most {@link #SETTLE_LIMIT}).
     *
     * <p>Driven over the DevTools protocol (the JDK's WebSocket client) rather than {@code --dump-dom}
     * with a virtual-time budget: virtual time stops while a request is pending, and the UI keeps a live
     * event stream open, so such a budget would never run out.
     */
    static String dom(Path chromium, String url) {
        try (Session s = Session.open(chromium, url)) {
            return s.settledDom();
        }
    }

    /** One browser with one page, driven step by step (for pages that change while they are watched). */
    static final class Session implements AutoCloseable {
        private final Path profile;
        private final Process process;
        private final Cdp cdp;

        private Session(Path profile, Process process, Cdp cdp) {
            this.profile = profile;
            this.process = process;
            this.cdp = cdp;
        }

        /** Opens {@code url} in a fresh headless Chromium and marks the document (see {@link #sameDocument()}). */
        static Session open(Path chromium, String url) {
            Path profile = null;
            Process p = null;
            try {
                profile = Files.createTempDirectory("chromium-profile");
                p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                        "--no-first-run", "--disable-extensions", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                int port = java.net.URI.create(devtoolsUrl(p)).getPort();
                Cdp cdp = Cdp.connect(pageWebSocket(port));
                Session s = new Session(profile, p, cdp);
                cdp.call("Page.enable", "{}");
                cdp.call("Page.navigate", "{\"url\":" + MAPPER.writeValueAsString(url) + "}");
                s.waitFor("document.readyState === 'complete'", SETTLE_LIMIT);
                cdp.evaluate("""
                        (() => { window.__lastChange = Date.now(); window.__sameDocument = 'yes';
                          new MutationObserver(() => { window.__lastChange = Date.now(); })
                            .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
                          return true; })()""");
                return s;
            } catch (IOException e) {
                cleanUp(p, profile);
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                cleanUp(p, profile);
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (RuntimeException e) {
                cleanUp(p, profile);
                throw e;
            }
        }

        /** The value of a JavaScript expression in the page, as text. */
        String evaluate(String expression) {
            try {
                return cdp.evaluate(expression);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits until {@code condition} is true in the page; false when it did not become true in time. */
        boolean waitFor(String condition, java.time.Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if ("true".equals(evaluate("Boolean(" + condition + ")"))) {
                    return true;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }

        /** True while the page is still the document opened first (no reload, no navigation). */
        boolean sameDocument() {
            return "yes".equals(evaluate("window.__sameDocument"));
        }

        /** The DOM once no loading is in progress and nothing changed for {@link #QUIET}. */
        String settledDom() {
            waitFor("!document.documentElement.classList.contains('is-loading')"
                    + " && !document.querySelector('[aria-busy=\"true\"], .is-busy')"
                    + " && Date.now() - (window.__lastChange || 0) >= " + QUIET.toMillis(), SETTLE_LIMIT);
            return evaluate("document.documentElement.outerHTML");
        }

        @Override
        public void close() {
            cdp.close();
            cleanUp(process, profile);
        }
    }

    private static void cleanUp(Process p, Path profile) {
        if (p != null) {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (profile != null) {
            deleteQuietly(profile);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();
    /** How long the DOM must stay unchanged to count as settled. */
    static final java.time.Duration QUIET = java.time.Duration.ofMillis(800);
    /** The longest wait for a page to settle. */
    static final java.time.Duration SETTLE_LIMIT = java.time.Duration.ofSeconds(30);

    /** Reads "DevTools listening on ws://..." from Chromium's stderr. */
    private static String devtoolsUrl(Process p) throws IOException {
        java.io.BufferedReader err = new java.io.BufferedReader(new java.io.InputStreamReader(p.getErrorStream(),
                StandardCharsets.UTF_8));
        java.util.concurrent.CompletableFuture<String> found = new java.util.concurrent.CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = err.readLine()) != null) {
                    int i = line.indexOf("ws://");
                    if (line.contains("DevTools listening on") && i >= 0) {
                        found.complete(line.substring(i).trim());
                    }
                }
            } catch (IOException ignored) {
                // the browser went away
            }
            found.complete(null);
        }, "chromium-stderr");
        reader.setDaemon(true);
        reader.start();
        try {
            String ws = found.get(60, TimeUnit.SECONDS);
            if (ws == null) {
                throw new IllegalStateException("Chromium exited without opening its DevTools port");
            }
            return ws;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Chromium did not open its DevTools port within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String pageWebSocket(int port) throws IOException, InterruptedException {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos(); // a loaded machine starts it slowly
        while (System.nanoTime() < deadline) {
            String body = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            for (com.fasterxml.jackson.databind.JsonNode t : MAPPER.readTree(body)) {
                if ("page".equals(t.path("type").asText())) {
                    return t.get("webSocketDebuggerUrl").asText();
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Chromium has no page to drive");
    }

    /** A minimal DevTools protocol client: one call at a time. */
    private static final class Cdp implements java.net.http.WebSocket.Listener, AutoCloseable {
        private final java.util.concurrent.ConcurrentHashMap<Integer, java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.JsonNode>> pending =
                new java.util.concurrent.ConcurrentHashMap<>();
        private final StringBuilder partial = new StringBuilder();
        private java.net.http.WebSocket ws;
        private int ids;

        static Cdp connect(String url) {
            Cdp c = new Cdp();
            c.ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(java.net.URI.create(url), c).join();
            return c;
        }

        synchronized com.fasterxml.jackson.databind.JsonNode call(String method, String params) {
            int id = ++ids;
            java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.JsonNode> f =
                    new java.util.concurrent.CompletableFuture<>();
            pending.put(id, f);
            ws.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true).join();
            try {
                return f.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("DevTools call " + method + " failed", e);
            }
        }

        /** The value of a JavaScript expression, as text. */
        String evaluate(String expression) throws IOException {
            com.fasterxml.jackson.databind.JsonNode r = call("Runtime.evaluate", "{\"expression\":"
                    + MAPPER.writeValueAsString(expression) + ",\"returnByValue\":true}");
            com.fasterxml.jackson.databind.JsonNode v = r.path("result").path("result").path("value");
            return v.isTextual() ? v.asText() : v.toString();
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket webSocket, CharSequence data,
                                                             boolean last) {
            partial.append(data);
            if (last) {
                try {
                    com.fasterxml.jackson.databind.JsonNode msg = MAPPER.readTree(partial.toString());
                    if (msg.has("id")) {
                        java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.JsonNode> f =
                                pending.remove(msg.get("id").asInt());
                        if (f != null) {
                            f.complete(msg);
                        }
                    }
                } catch (IOException ignored) {
                    // not ours to understand
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            ws.abort();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary profile left behind is harmless (Chromium's helpers may still be writing in it)
        }
    }
}

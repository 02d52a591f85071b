package io.github.metaflowui.synthetic.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The simulator's HTTP server: the metadata service at {@code /}, the UI backend at {@code /api}. */
public final class Server implements AutoCloseable {
    private final HttpServer http;
    private final ExecutorService workers;
    private final ServiceRoutes service;
    private final UiRoutes ui;
    private final Clock clock;
    private final AtomicLong requests = new AtomicLong();

    public Server(Archive archive, String host, int port, Clock clock, int threads) throws IOException {
        if (archive.local) {
            throw new IllegalArgumentException("a local archive is written with LocalArchiveWriter, not served");
        }
        this.clock = clock;
        // without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed
        // ACK: every small answer would take 40 ms. The property is read when the first server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        this.service = new ServiceRoutes(archive);
        this.ui = new UiRoutes(archive, service);
        this.http = HttpServer.create(new InetSocketAddress(host, port), 256);
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "metaflow-simulator-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.workers = Executors.newFixedThreadPool(threads, factory);
        http.setExecutor(workers);
        http.createContext("/", this::handle);
        http.start();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public long requests() {
        return requests.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            ex.getResponseHeaders().set("METADATA_SERVICE_VERSION", ServiceRoutes.VERSION);
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "GET");
                Web.sendText(ex, 405, "text/plain; charset=utf-8", "405: Method Not Allowed");
                return;
            }
            Web.Request q = new Web.Request(ex.getRequestURI().getRawPath(), ex.getRequestURI().getRawQuery());
            long now = clock.millis();
            boolean isUi = q.size() > 0 && q.seg(0).equals("api");
            try {
                if (q.size() == 1 && (q.seg(0).equals("ping"))) {
                    Web.sendText(ex, 200, "text/plain; charset=utf-8", "pong");
                } else if (q.size() == 1 && q.seg(0).equals("version")) {
                    Web.sendText(ex, 200, "text/plain; charset=utf-8", ServiceRoutes.VERSION);
                } else if (isUi && q.size() == 2 && q.seg(1).equals("ping")) {
                    Web.sendText(ex, 200, "text/plain; charset=utf-8", "pong");
                } else if (isUi) {
                    ex.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
                    Web.send(ex, 200, "application/json", Map.of(), ui.route(q, now));
                } else {
                    ServiceRoutes.Answer answer = service.route(q, now);
                    Web.send(ex, 200, "text/plain; charset=utf-8", answer.headers(), answer.body());
                }
            } catch (Web.Problem p) {
                if (p.body == null) {
                    Web.sendText(ex, p.status, "text/plain; charset=utf-8", p.status + ": Not Found");
                } else {
                    Web.sendText(ex, p.status, isUi ? "application/json" : "text/plain; charset=utf-8", p.body);
                }
            } catch (RuntimeException e) {
                Web.sendText(ex, 500, "application/json", "{\"detail\": \"" + String.valueOf(e).replace("\"", "'")
                        + "\", \"status\": 500, \"title\": \"Internal Server Error\", \"type\": \"about:blank\"}");
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void close() {
        http.stop(0);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

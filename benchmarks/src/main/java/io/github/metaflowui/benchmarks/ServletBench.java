package io.github.metaflowui.benchmarks;

import io.github.metaflowui.client.uibackend.UiServiceBackend;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.index.IndexStats;
import io.github.metaflowui.core.index.IndexedBackend;
import io.github.metaflowui.servlet.MetaflowUiOptions;
import io.github.metaflowui.servlet.MetaflowUiServlet;
import io.github.metaflowui.synthetic.ArchiveSpec;
import io.github.metaflowui.synthetic.MetadataSimulator;
import io.github.metaflowui.synthetic.SyntheticArchive;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The servlet's JSON API on the synthetic archive served by the simulator through the UI-backend
 * client, with the run index (the default) and without it (the baseline), in one JVM:
 * runs first page, a page 1,000 deep, filtered by status, sorted by duration; the task list of the
 * 100k-task step (first page, a page 1,000 deep) and its aggregates. Prints p50/p99 of each and the
 * ratio baseline p50 / indexed p50, the index build time and the heap in use.
 */
final class ServletBench {
    private ServletBench() {
    }

    public static void main(String[] args) throws Exception {
        String spec = args.length > 0 ? args[0] : "1000000:100000";
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int baselineIterations = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.out.println(Latency.machine());
        long t0 = System.nanoTime();
        SyntheticArchive archive = SyntheticArchive.generate(ArchiveSpec.parse(spec, Instant.now()));
        System.out.printf(Locale.ROOT, "archive: %s, generated in %.1f s%n", archive,
                (System.nanoTime() - t0) / 1e9);
        try (MetadataSimulator sim = MetadataSimulator.start(archive, 0, Clock.systemUTC());
             UiServiceBackend ui = UiServiceBackend.builder().baseUri(sim.uiBackendUri()).build();
             IndexedBackend indexed = IndexedBackend.builder(ui).maxRuns(archive.runCount()).closeDelegate(false)
                     .build()) {
            if (!indexed.awaitReady(Duration.ofMinutes(10))) {
                throw new IllegalStateException("the index did not build");
            }
            IndexStats stats = indexed.stats();
            System.out.printf(Locale.ROOT, "index build: %,d runs in %.1f s (%,d requests to the simulator so far); "
                            + "estimated index size %d MB%n", stats.runs(),
                    stats.buildTime().orElseThrow().toMillis() / 1000.0, sim.requestCount(), stats.bytes() >> 20);

            Server jetty = new Server();
            ServerConnector connector = new ServerConnector(jetty);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            jetty.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler("/");
            context.addServlet(new ServletHolder("indexed", new MetaflowUiServlet(indexed)), "/indexed/*");
            context.addServlet(new ServletHolder("direct", new MetaflowUiServlet(ui,
                    MetaflowUiOptions.builder().indexMaxRuns(0).build())), "/direct/*");
            jetty.setHandler(context);
            jetty.start();
            try {
                String base = "http://127.0.0.1:" + connector.getLocalPort();
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10)).build();
                RunRef big = archive.bigRun();
                String task = "api/flows/" + big.flow() + "/runs/" + big.run().value() + "/steps/" + archive.bigStep();
                Map<String, String> cases = new LinkedHashMap<>();
                cases.put("runs: first page", "api/runs?_limit=50&_order=-ts_epoch");
                cases.put("runs: page 1,000 deep", "api/runs?_limit=50&_order=-ts_epoch&_page=1000");
                cases.put("runs: status=failed", "api/runs?_limit=50&_order=-ts_epoch&status=failed");
                cases.put("runs: by duration", "api/runs?_limit=50&_order=-duration");
                cases.put("tasks: first page", task + "/tasks?_limit=50");
                cases.put("tasks: page 1,000 deep", task + "/tasks?_limit=50&_page=1000");
                cases.put("step aggregates", task + "/aggregates");

                // the first request of each, timed alone: it builds the order or reads the task table
                System.out.println();
                System.out.println("first request with the index (cold: builds an order or reads the task table):");
                for (Map.Entry<String, String> e : cases.entrySet()) {
                    long s = System.nanoTime();
                    get(http, base + "/indexed/" + e.getValue());
                    System.out.printf(Locale.ROOT, "  %-26s %9.1f ms%n", e.getKey(), (System.nanoTime() - s) / 1e6);
                }
                List<String[]> rows = new ArrayList<>();
                for (Map.Entry<String, String> e : cases.entrySet()) {
                    String path = e.getValue();
                    Latency.Sample withIndex = Latency.measure(e.getKey(), 50, iterations,
                            () -> get(http, base + "/indexed/" + path));
                    Latency.Sample without = Latency.measure(e.getKey(), 0, baselineIterations,
                            () -> get(http, base + "/direct/" + path));
                    rows.add(new String[]{e.getKey(), fmt(withIndex.p(50)), fmt(withIndex.p(99)), fmt(without.p(50)),
                            fmt(without.p(99)), String.format(Locale.ROOT, "%.0fx", without.p(50) / withIndex.p(50))});
                    System.out.printf(Locale.ROOT, "%s%n    baseline (no index): %s%n", withIndex, without);
                }
                System.out.println();
                System.out.println("| request | index p50 (ms) | index p99 (ms) | no index p50 (ms) | no index p99 (ms) | speed-up (p50) |");
                System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
                for (String[] r : rows) {
                    System.out.println("| " + String.join(" | ", r) + " |");
                }
                System.out.printf(Locale.ROOT, "%nheap in use after GC (simulator + index + both servlets): %d MB of %d MB%n",
                        Latency.heapAfterGcMb(), Runtime.getRuntime().maxMemory() >> 20);
            } finally {
                jetty.stop();
            }
        }
    }

    private static String fmt(double ms) {
        return String.format(Locale.ROOT, ms < 10 ? "%.2f" : "%.0f", ms);
    }

    static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5))
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": "
                    + r.body().substring(0, Math.min(300, r.body().length())));
        }
        return r.body();
    }
}

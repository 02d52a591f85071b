package io.github.metaflowui.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.metaflowui.client.service.MetadataServiceBackend;
import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.Status;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Streams every run of the archive through {@code Paged<Run>} ({@code MetadataServiceBackend}, one
 * flow after another, pages of 500 with the service's status) and, over the very same requests and
 * bytes, with a raw Jackson streaming parse that only reads the fields; the simulator runs in a
 * separate JVM so that this one can be given {@code -Xmx64m}. Prints both throughputs, the ratio,
 * and the peak heap.
 */
final class StreamBench {
    private static final String STATUSES = "completed,failed,running";
    private static final JsonFactory JSON = new JsonFactory();

    private StreamBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        System.out.println(Latency.machine());
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String cp = System.getProperty("java.class.path");
        Process sim = new ProcessBuilder(java, "-Xmx512m", "-cp", cp, "io.github.metaflowui.synthetic.SimulatorMain",
                runs + ":100", "0").redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(sim.getInputStream(), StandardCharsets.UTF_8));
            String line;
            int port = -1;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("port=")) {
                    port = Integer.parseInt(line.substring(5).trim());
                } else if (line.startsWith("archive=")) {
                    System.out.println("simulator (separate JVM): " + line.substring(8));
                    break;
                }
            }
            if (port < 0) {
                throw new IllegalStateException("the simulator did not start");
            }
            String base = "http://127.0.0.1:" + port;
            try (MetadataServiceBackend svc = MetadataServiceBackend.builder().baseUri(base + "/").build()) {
                MetaflowClient client = MetaflowClient.of(svc, 500);
                List<String> flows = client.flows().stream().map(Flow::name).toList();
                System.out.printf(Locale.ROOT, "%d flows%n", flows.size());
                double bestRaw = 0;
                double bestPaged = 0;
                for (int round = 1; round <= rounds; round++) {
                    long t0 = System.nanoTime();
                    long rawCount = raw(base, flows);
                    double rawSeconds = (System.nanoTime() - t0) / 1e9;
                    t0 = System.nanoTime();
                    long pagedCount = paged(client, flows);
                    double pagedSeconds = (System.nanoTime() - t0) / 1e9;
                    if (rawCount != runs || pagedCount != runs) {
                        throw new IllegalStateException("counted " + rawCount + " raw and " + pagedCount
                                + " paged runs, expected " + runs);
                    }
                    System.out.printf(Locale.ROOT, "round %d: raw Jackson %,d runs in %.2f s (%,.0f runs/s); "
                                    + "Paged<Run> %,d runs in %.2f s (%,.0f runs/s); ratio %.0f %%%n", round, rawCount,
                            rawSeconds, rawCount / rawSeconds, pagedCount, pagedSeconds, pagedCount / pagedSeconds,
                            100 * rawSeconds / pagedSeconds);
                    bestRaw = Math.max(bestRaw, rawCount / rawSeconds);
                    bestPaged = Math.max(bestPaged, pagedCount / pagedSeconds);
                }
                System.out.printf(Locale.ROOT, "best: raw %,.0f runs/s, Paged %,.0f runs/s: Paged at %.0f %% of raw; "
                        + "heap in use after GC %d MB (max heap %d MB)%n", bestRaw, bestPaged, 100 * bestPaged / bestRaw,
                        Latency.heapAfterGcMb(), Runtime.getRuntime().maxMemory() >> 20);
            }
        } finally {
            sim.getOutputStream().close();
            sim.destroy();
        }
    }

    private static long paged(MetaflowClient client, List<String> flows) {
        long n = 0;
        long check = 0;
        for (String flow : flows) {
            RunQuery q = RunQuery.builder().flow(flow).status(Status.COMPLETED).status(Status.FAILED)
                    .status(Status.RUNNING).build();
            for (Run r : client.runs(q)) {
                n++;
                check += r.createdAt().toEpochMilli() & 1;
            }
        }
        return check < 0 ? -1 : n;
    }

    /** The same requests the backend sends, parsed token by token into the fields of a run. */
    private static long raw(String base, List<String> flows) throws Exception {
        long n = 0;
        for (String flow : flows) {
            String cursor = null;
            do {
                String url = base + "/flows/" + URLEncoder.encode(flow, StandardCharsets.UTF_8) + "/runs?status:eq="
                        + STATUSES + "&_limit=500" + (cursor == null ? "" : "&_cursor="
                        + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
                HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
                try (InputStream in = c.getInputStream(); JsonParser p = JSON.createParser(in)) {
                    n += parse(p);
                }
                cursor = c.getHeaderField("X-Next-Cursor");
            } while (cursor != null && !cursor.isBlank());
        }
        return n;
    }

    private static long parse(JsonParser p) throws Exception {
        long n = 0;
        if (p.nextToken() != JsonToken.START_ARRAY) {
            throw new IllegalStateException("not an array");
        }
        long sink = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String flow = null;
            String id = null;
            String user = null;
            long ts = 0;
            long hb = 0;
            String status = null;
            int tags = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                switch (f) {
                    case "flow_id": flow = p.getText(); break;
                    case "run_number": id = p.getText(); break;
                    case "user_name": user = p.getText(); break;
                    case "ts_epoch": ts = p.getLongValue(); break;
                    case "last_heartbeat_ts": hb = v == JsonToken.VALUE_NULL ? 0 : p.getLongValue(); break;
                    case "status": status = p.getText(); break;
                    case "tags":
                    case "system_tags":
                        if (v == JsonToken.START_ARRAY) {
                            while (p.nextToken() != JsonToken.END_ARRAY) {
                                tags += p.getText().length();
                            }
                        }
                        break;
                    default:
                        p.skipChildren();
                }
            }
            sink += ts + hb + tags + (flow == null ? 0 : flow.length()) + (id == null ? 0 : id.length())
                    + (user == null ? 0 : 1) + (status == null ? 0 : 1);
            n++;
        }
        return sink == Long.MIN_VALUE ? -1 : n;
    }
}

package io.github.metaflowui.benchmarks;

import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.index.IndexedBackend;
import io.github.metaflowui.synthetic.ArchiveSpec;
import io.github.metaflowui.synthetic.LocalArchiveWriter;
import io.github.metaflowui.synthetic.SyntheticArchive;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The local backend on a generated {@code .metaflow} tree (10,000 runs, one with 10,000 tasks by
 * default; written once into DIR): the first page of runs with their status, newest first, cold
 * (a new backend) and warm; every run streamed through {@code Paged<Run>}; and the same first page
 * from the run index in front of it.
 */
final class LocalBench {
    private LocalBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: local DIR [RUNS:TASKS]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        String spec = args.length > 1 ? args[1] : "10000:10000";
        System.out.println(Latency.machine());
        if (!Files.isDirectory(dir.resolve(".metaflow"))) {
            long t0 = System.nanoTime();
            SyntheticArchive a = SyntheticArchive.generateLocal(ArchiveSpec.parse(spec, Instant.now()).withFlows(12));
            LocalArchiveWriter.Written w = LocalArchiveWriter.write(a, dir);
            System.out.printf(Locale.ROOT, "wrote %s: %,d files in %.1f s%n", a, w.files(), (System.nanoTime() - t0) / 1e9);
        } else {
            System.out.println("reusing " + dir.resolve(".metaflow"));
        }
        RunQuery newest = RunQuery.all();
        long t0 = System.nanoTime();
        LocalMetaflowBackend cold = LocalMetaflowBackend.builder().root(dir).build();
        int firstSize = cold.listRuns(newest, PageRequest.first(50)).items().size();
        double coldMs = (System.nanoTime() - t0) / 1e6;
        System.out.printf(Locale.ROOT, "cold: first page of %d runs with status, newest first, on a new backend: %.0f ms%n",
                firstSize, coldMs);
        Latency.Sample warm = Latency.measure("warm: first page (50)", 5, 100,
                () -> cold.listRuns(newest, PageRequest.first(50)));
        System.out.println(warm + String.format(Locale.ROOT, "   (cold/warm p50: %.0fx)", coldMs / warm.p(50)));

        t0 = System.nanoTime();
        long all = MetaflowClient.of(LocalMetaflowBackend.builder().root(dir).build(), 1000).runs(newest).stream().count();
        double coldAll = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        long again = MetaflowClient.of(cold, 1000).runs(newest).stream().count();
        double warmAll = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "Paged<Run> of all %,d runs: cold %.2f s (%,.0f runs/s), warm %.2f s (%,.0f runs/s); "
                + "heap in use after GC %d MB (max heap %d MB)%n", all, coldAll, all / coldAll, warmAll, again / warmAll,
                Latency.heapAfterGcMb(), Runtime.getRuntime().maxMemory() >> 20);

        try (IndexedBackend indexed = IndexedBackend.builder(cold).closeDelegate(false).build()) {
            indexed.awaitReady(Duration.ofMinutes(10));
            System.out.printf(Locale.ROOT, "index over the local backend: %,d runs in %.2f s%n", indexed.stats().runs(),
                    indexed.stats().buildTime().orElseThrow().toMillis() / 1000.0);
            Latency.Sample idx = Latency.measure("indexed: first page (50)", 50, 1000,
                    () -> indexed.listRuns(newest, PageRequest.first(50)));
            Run firstIndexed = indexed.listRuns(newest, PageRequest.first(1)).items().get(0);
            Run firstLocal = cold.listRuns(newest, PageRequest.first(1)).items().get(0);
            if (!firstIndexed.ref().equals(firstLocal.ref())) {
                throw new IllegalStateException("the index and the backend disagree on the newest run");
            }
            System.out.println(idx + String.format(Locale.ROOT, "   (local warm p50 / indexed p50: %.0fx)",
                    warm.p(50) / idx.p(50)));
        }
    }
}

package io.github.metaflowui.examples;

import io.github.metaflowui.client.uibackend.UiServiceBackend;
import io.github.metaflowui.core.index.IndexStats;
import io.github.metaflowui.core.index.IndexedBackend;
import io.github.metaflowui.core.spi.ForwardingBackend;
import io.github.metaflowui.core.spi.MetaflowBackend;
import io.github.metaflowui.synthetic.ArchiveSpec;
import io.github.metaflowui.synthetic.MetadataSimulator;
import io.github.metaflowui.synthetic.SyntheticArchive;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * {@code --synthetic RUNS:TASKS}: a generated archive served by the in-process simulator over
 * loopback HTTP, read through the UI-backend client, indexed in memory. Closing the backend stops
 * the index, the client and the simulator.
 */
final class SyntheticSource {
    private final SyntheticArchive archive;
    private final IndexedBackend backend;
    private final Duration generation;

    private SyntheticSource(SyntheticArchive archive, IndexedBackend backend, Duration generation) {
        this.archive = archive;
        this.backend = backend;
        this.generation = generation;
    }

    static SyntheticSource start(String spec, PrintStream out) {
        long t0 = System.nanoTime();
        SyntheticArchive archive = SyntheticArchive.generate(ArchiveSpec.parse(spec, Instant.now()));
        Duration generated = Duration.ofNanos(System.nanoTime() - t0);
        MetadataSimulator simulator = MetadataSimulator.start(archive, 0, Clock.systemUTC());
        UiServiceBackend ui = UiServiceBackend.builder().baseUri(simulator.uiBackendUri()).build();
        MetaflowBackend client = new Closing(ui, simulator);
        IndexedBackend indexed = IndexedBackend.builder(client).maxRuns(Math.max(1, archive.runCount())).build();
        Thread announce = new Thread(() -> {
            try {
                if (indexed.awaitReady(Duration.ofHours(1))) {
                    IndexStats s = indexed.stats();
                    out.printf(Locale.ROOT, "Index ready: %,d runs in %.1f s (about %d MB)%n", s.runs(),
                            s.buildTime().orElse(Duration.ZERO).toMillis() / 1000.0, s.bytes() >> 20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "metaflow-index-announce");
        announce.setDaemon(true);
        announce.start();
        return new SyntheticSource(archive, indexed, generated);
    }

    MetaflowBackend backend() {
        return backend;
    }

    String describe() {
        return String.format(Locale.ROOT, "a synthetic archive of %,d runs in %d flows (big run %s, %,d tasks), "
                        + "generated in %.1f s and served by the simulator at %s; indexing in the background",
                archive.runCount(), archive.flows().size(), archive.bigRun(), archive.spec().bigTasks(),
                generation.toMillis() / 1000.0, backend.delegate().describe());
    }

    /** The UI-backend client, which also stops the simulator when closed. */
    private static final class Closing extends ForwardingBackend {
        private final MetadataSimulator simulator;

        Closing(MetaflowBackend delegate, MetadataSimulator simulator) {
            super(delegate);
            this.simulator = simulator;
        }

        @Override
        public void close() {
            try {
                super.close();
            } finally {
                simulator.close();
            }
        }
    }
}

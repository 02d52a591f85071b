package io.github.metaflowui.synthetic;

import io.github.metaflowui.client.uibackend.UiServiceBackend;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.index.IndexedBackend;
import io.github.metaflowui.core.spi.ForwardingBackend;
import io.github.metaflowui.core.spi.MetaflowBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How the index reads a run's task table: in the background, ahead of time, while first pages come
 * from the wrapped backend (same tasks, same order); a read that fails keeps what was held; a
 * running run's re-read never holds a request.
 */
class IndexedBackendTaskTableReadTest {
    static final Instant AS_OF = Instant.parse("2026-12-03T12:00:00Z");
    static SyntheticArchive archive;
    static MetadataSimulator simulator;
    static UiServiceBackend ui;
    static List<Task> expected;

    final Gate gate = new Gate();
    IndexedBackend indexed;

    @BeforeAll
    static void start() {
        archive = SyntheticArchive.generate(ArchiveSpec.of(300, 2_500, AS_OF).withFlows(4));
        simulator = MetadataSimulator.start(archive, 0, Clock.fixed(AS_OF.plusSeconds(30), ZoneOffset.UTC));
        ui = UiServiceBackend.builder().baseUri(simulator.uiBackendUri()).build();
        expected = MetaflowClient.of(ui, 1000).tasks(archive.bigRun(), TaskQuery.all()).toList();
        assertThat(expected).hasSizeGreaterThan(2_500);
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @AfterEach
    void close() {
        gate.open();
        if (indexed != null) {
            indexed.close();
        }
    }

    /**
     * The simulator's UI backend, where the index's table reads (on its {@code metaflow-tasks-N}
     * threads) wait at a gate, can be told to fail, and the big run can be said to be running.
     */
    static final class Gate extends ForwardingBackend {
        volatile CountDownLatch latch = new CountDownLatch(1);
        final AtomicInteger tablePages = new AtomicInteger();
        volatile boolean failing;
        volatile boolean gated = true;
        volatile boolean running;

        Gate() {
            super(ui);
        }

        void open() {
            gated = false;
            latch.countDown();
        }

        void shut() {
            latch = new CountDownLatch(1);
            gated = true;
        }

        private boolean reader() {
            return Thread.currentThread().getName().startsWith("metaflow-tasks-");
        }

        @Override
        public Page<Task> listTasks(RunRef run, TaskQuery query, PageRequest page) {
            if (reader()) {
                tablePages.incrementAndGet();
                if (failing) {
                    throw new MetaflowException("the service went away in the middle of a read");
                }
                if (gated) {
                    try {
                        latch.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            return super.listTasks(run, query, page);
        }

        private Run maybeRunning(Run r) {
            if (!running || !r.ref().equals(archive.bigRun())) {
                return r;
            }
            return new Run(r.ref(), r.userName(), r.user(), r.createdAt(), r.tags(), r.systemTags(),
                    StatusInfo.of(Status.RUNNING, ""), Optional.empty(), r.duration(), r.lastHeartbeat());
        }

        @Override
        public Page<Run> listRuns(RunQuery query, PageRequest page) {
            Page<Run> p = super.listRuns(query, page);
            return Page.of(p.items().stream().map(this::maybeRunning).toList(), p.nextCursor().orElse(null));
        }

        @Override
        public Optional<Run> run(RunRef ref) {
            return super.run(ref).map(this::maybeRunning);
        }
    }

    private IndexedBackend index(MetaflowBackend backend, Clock clock) throws InterruptedException {
        IndexedBackend idx = IndexedBackend.builder(backend).clock(clock).refreshInterval(Duration.ofHours(1))
                .closeDelegate(false).build();
        assertThat(idx.awaitReady(Duration.ofMinutes(1))).isTrue();
        return idx;
    }

    private List<Task> walk(PageRequest first, int limit, List<Task> into) {
        PageRequest request = first;
        while (true) {
            Page<Task> p = indexed.listTasks(archive.bigRun(), TaskQuery.all(), request);
            into.addAll(p.items());
            if (p.nextCursor().isEmpty()) {
                return into;
            }
            request = PageRequest.after(p.nextCursor().get(), limit);
        }
    }

    @Test
    void first_pages_come_from_the_backend_while_the_table_is_read_and_continue_in_it() throws Exception {
        indexed = index(gate, Clock.systemUTC());
        RunRef run = archive.bigRun();

        // the table's read is held at the gate: two pages come straight from the backend meanwhile
        Page<Task> one = indexed.listTasks(run, TaskQuery.all(), PageRequest.first(100));
        Page<Task> two = indexed.listTasks(run, TaskQuery.all(), PageRequest.after(one.nextCursor().orElseThrow(), 100));
        assertThat(indexed.stats().taskTables()).isZero();
        List<Task> got = new ArrayList<>(one.items());
        got.addAll(two.items());
        assertThat(got).hasSizeGreaterThan(150) // pages count attempt rows upstream: a little under 100 tasks each
                .containsExactlyElementsOf(expected.subList(0, got.size()));

        // a status filter or another order waits for the table
        gate.open();
        assertThat(indexed.listTasks(run, TaskQuery.builder().status(Status.FAILED).build(), PageRequest.first(5)).items())
                .allMatch(t -> t.status().status() == Status.FAILED);
        assertThat(indexed.stats().taskTables()).isEqualTo(1);

        // the walk goes on in the table, at the same offset: every task once, in the same order
        walk(PageRequest.after(two.nextCursor().orElseThrow(), 100), 100, got);
        assertThat(got).containsExactlyElementsOf(expected);
    }

    @Test
    void a_run_about_to_be_shown_is_read_ahead_once() throws Exception {
        gate.open();
        indexed = index(gate, Clock.systemUTC());
        RunRef run = archive.bigRun();
        assertThat(indexed.warm(run)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (indexed.stats().taskTables() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(indexed.stats().taskTables()).isEqualTo(1);
        int pages = gate.tablePages.get();
        assertThat(indexed.warm(run)).isFalse(); // held: nothing read again
        assertThat(indexed.aggregates(run, archive.bigStep()).counts().total()).isEqualTo(2_500);
        assertThat(walk(PageRequest.first(1000), 1000, new ArrayList<>())).containsExactlyElementsOf(expected);
        assertThat(gate.tablePages.get()).isEqualTo(pages);
        assertThat(indexed.run(run)).isPresent();
    }

    @Test
    void read_aheads_are_bounded_and_never_block() throws Exception {
        indexed = index(gate, Clock.systemUTC()); // gated: reads wait at the gate
        List<Run> runs = indexed.listRuns(RunQuery.all(), PageRequest.first(100)).items();
        int started = 0;
        for (Run r : runs) {
            if (indexed.warm(r.ref())) {
                started++;
            }
        }
        // two reads at once and sixteen waiting; the rest were dropped, and none of this waited
        assertThat(started).isEqualTo(2 + 16);
        gate.open();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (indexed.stats().taskTables() < started && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(indexed.stats().taskTables()).isEqualTo(started);
    }

    @Test
    void a_read_that_fails_is_an_error_for_those_waiting_and_is_tried_again() throws Exception {
        gate.open();
        gate.failing = true;
        indexed = index(gate, Clock.systemUTC());
        RunRef run = archive.bigRun();
        // the first page still comes from the backend while the table cannot be read
        List<Task> first = indexed.listTasks(run, TaskQuery.all(), PageRequest.first(50)).items();
        assertThat(first).isNotEmpty().containsExactlyElementsOf(expected.subList(0, first.size()));
        assertThatThrownBy(() -> indexed.steps(run)).hasMessageContaining("went away");
        assertThat(indexed.stats().taskTables()).isZero();
        // the next request reads the table again, and it is complete
        gate.failing = false;
        assertThat(indexed.aggregates(run, archive.bigStep()).counts().total()).isEqualTo(2_500);
        assertThat(walk(PageRequest.first(1000), 1000, new ArrayList<>())).containsExactlyElementsOf(expected);
    }

    @Test
    void a_running_runs_table_is_read_again_in_the_background_while_requests_are_answered() throws Exception {
        gate.open();
        gate.running = true;
        AtomicLong now = new AtomicLong(AS_OF.toEpochMilli());
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
        indexed = index(gate, clock);
        RunRef run = archive.bigRun();
        assertThat(indexed.aggregates(run, archive.bigStep()).counts().total()).isEqualTo(2_500);
        int perRead = gate.tablePages.get();

        // an hour later the table is due for a re-read, which fails: the table held is still used
        gate.failing = true;
        now.addAndGet(3_600_000);
        assertThat(indexed.aggregates(run, archive.bigStep()).counts().total()).isEqualTo(2_500);
        awaitPages(perRead + 1);
        assertThat(indexed.listTasks(run, TaskQuery.all(), PageRequest.first(10)).items())
                .containsExactlyElementsOf(expected.subList(0, 10)); // from the table: 10 tasks
        gate.failing = false;
        int before = gate.tablePages.get();

        // the next re-read waits at the gate: requests are answered meanwhile, from the table held
        gate.shut();
        now.addAndGet(3_600_000);
        assertThat(indexed.aggregates(run, archive.bigStep()).counts().total()).isEqualTo(2_500);
        assertThat(indexed.listTasks(run, TaskQuery.all(), PageRequest.first(10)).items())
                .containsExactlyElementsOf(expected.subList(0, 10)); // from the table: 10 tasks
        awaitPages(before + 1);
        assertThat(gate.tablePages.get()).isEqualTo(before + 1); // still held at its first page
        gate.open();
        awaitPages(before + perRead);
        assertThat(gate.tablePages.get()).isEqualTo(before + perRead); // read once more, in the background
    }

    private void awaitPages(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (gate.tablePages.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}

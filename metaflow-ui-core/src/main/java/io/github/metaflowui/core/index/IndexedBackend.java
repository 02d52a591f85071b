package io.github.metaflowui.core.index;

import io.github.metaflowui.core.Dag;
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunGroups;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.StepAggregates;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.index.internal.RunIndex;
import io.github.metaflowui.core.index.internal.TaskTable;
import io.github.metaflowui.core.spi.ForwardingBackend;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link MetaflowBackend} that answers run lists and task lists from memory, in front of any
 * other backend. Build with {@link #builder(MetaflowBackend)}; thread-safe; {@link AutoCloseable}.
 *
 * <h2>Runs</h2>
 * A background thread (a daemon named {@code metaflow-index-N}) reads the summaries of the newest
 * {@link Builder#maxRuns(int) maxRuns} runs once, newest first, into compact columns (about 45 bytes
 * a run: a million runs take about 50 MB with the orders in use), then refreshes them every
 * {@link Builder#refreshInterval(Duration) refreshInterval} (5 s): runs created since the newest one seen
 * (with {@link RunQuery#createdFrom}), and a re-check of the runs that were not finished, at most
 * {@link Builder#recheckPerRefresh(int) recheckPerRefresh} of them, one {@code run()} call each. It
 * never reads everything again. Finished runs are taken as final.
 * <ul>
 *   <li>Until the first build ends, every call goes to the wrapped backend.</li>
 *   <li>Then any page of any run query (any filter, any order, including duration and status, at
 *       any depth) is answered from memory when the index holds every run, or when the query starts
 *       inside the indexed window ({@code createdFrom} at or after {@link IndexStats#coveredFrom()}).
 *       Newest-first queries that go deeper than the window continue in the wrapped backend with
 *       its own cursors; other queries reaching past the window are passed to it whole.</li>
 *   <li>{@link #run(RunRef)} answers a finished run from memory and re-checks it with the wrapped backend in
 *       the background (at most once per refresh interval); other runs are asked of the wrapped backend,
 *       and the answer updates the index.</li>
 *   <li>Page cursors are keyset cursors (the last run served), so pages neither repeat nor skip
 *       runs while the index refreshes; {@link #runsCursorAt} jumps to any depth in one step.</li>
 * </ul>
 *
 * <h2>Tasks</h2>
 * The tasks of a run are read once (one {@code listTasks} page of 1,000 after another, on one of two
 * background threads named {@code metaflow-tasks-N}) into a table of about 60 bytes a task; task
 * pages, in any order, and per-step aggregates come from it. The read starts when a task list, step
 * list or aggregate of the run is first asked for, or earlier, when {@link #warm} is called for a run
 * about to be shown (the servlet does for a run page's run and the first runs of a runs list it
 * serves; bounded: two reads at once, a short queue, extra warm-ups dropped). While it is being read, task pages in creation or task-id order without a
 * status filter come from the wrapped backend (one request each, as cheap as any page there), with
 * cursors that continue in the table, at the same offset, once it is there; other task requests wait
 * for the table. Tables of finished runs are kept until evicted (least recently used, within
 * {@link Builder#maxIndexedTasks(int) maxIndexedTasks} tasks in all); others are read again in the
 * background a second, or four times the time the last read took, whichever is longer, after the
 * last read started (so a big running run's tasks are read at most a quarter of the time), while requests keep being answered from the table held (a run that finished since waits
 * for its final table). A failed read keeps the table held before, if any. Steps of runs with more than 1,000 tasks are summed from the
 * table (the step's {@code createdAt} is then its first task's); smaller runs' steps come from the
 * wrapped backend. Everything else (single tasks, metadata, artifacts, logs, graphs, parameters,
 * flows) is passed through.
 */
public final class IndexedBackend extends ForwardingBackend {
    private static final Logger LOG = Logger.getLogger(IndexedBackend.class.getName());
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final String PREFIX = "ix1:";
    /** Task cursors of pages passed through while a table is read: {@code tp1:<rows before>:<backend cursor>}. */
    private static final String PASSED = "tp1:";
    private static final int BIG_RUN_TASKS = PageRequest.MAX_LIMIT;
    /** Task tables read at once (on daemon threads named {@code metaflow-tasks-N}). */
    private static final int LOADERS = 2;
    /** Task-table reads waiting for a thread; more warm-ups are dropped. */
    private static final int MAX_QUEUED = 16;
    /** Tables of unfinished runs are read again after a second, or four times their read time. */
    private static final long TASK_TABLE_MIN_AGE_MS = 1_000;

    private final MetaflowBackend delegate;
    private final boolean closeDelegate;
    private final Clock clock;
    private final Duration refreshInterval;
    private final Duration overlap;
    private final int recheck;
    private final int maxRuns;
    private final long maxTasks;
    private final RunIndex index;
    private final ScheduledExecutorService worker;
    private final CountDownLatch built = new CountDownLatch(1);
    private volatile boolean ready;
    private volatile Duration buildTime;
    private volatile Instant lastRefresh;
    private final AtomicLong generation = new AtomicLong();
    private final Map<RunRef, TaskTable> tables = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<RunRef, CompletableFuture<TaskTable>> loading = new ConcurrentHashMap<>();
    private final Map<RunRef, Long> loadedAt = new ConcurrentHashMap<>();
    private final Map<RunRef, Optional<Dag>> dags = new ConcurrentHashMap<>();
    private final Map<RunRef, Long> rechecked = new ConcurrentHashMap<>();
    private final java.util.concurrent.ThreadPoolExecutor loader;

    private IndexedBackend(Builder b) {
        super(b.delegate);
        this.delegate = b.delegate;
        this.closeDelegate = b.closeDelegate;
        this.clock = b.clock;
        this.refreshInterval = b.refreshInterval;
        this.overlap = b.overlap;
        this.recheck = b.recheckPerRefresh;
        this.maxRuns = b.maxRuns;
        this.maxTasks = b.maxIndexedTasks;
        this.index = new RunIndex(b.maxRuns);
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metaflow-index-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.loader = new java.util.concurrent.ThreadPoolExecutor(LOADERS, LOADERS, 30, TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(MAX_QUEUED), r -> {
                    Thread t = new Thread(r, "metaflow-tasks-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        loader.allowCoreThreadTimeOut(true);
        worker.execute(this::build);
        worker.scheduleWithFixedDelay(this::refreshQuietly, b.refreshInterval.toMillis(), b.refreshInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** An index in front of {@code delegate}; see {@link Builder} for the settings. */
    public static Builder builder(MetaflowBackend delegate) {
        return new Builder(delegate);
    }

    /** The backend behind the index. */
    public MetaflowBackend delegate() {
        return delegate;
    }

    /** Waits until the first build ended (or failed); true when the index is ready. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return built.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && ready;
    }

    public boolean isReady() {
        return ready;
    }

    /** Runs one refresh now, on the calling thread (serialised with the background refreshes). */
    public void refreshNow() {
        try {
            worker.submit(this::refresh).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException ? (RuntimeException) c : new IllegalStateException(c);
        }
    }

    public IndexStats stats() {
        long tasks;
        int count;
        long tableBytes = 0;
        synchronized (tables) {
            count = tables.size();
            tasks = 0;
            for (TaskTable t : tables.values()) {
                tasks += t.size();
                tableBytes += t.bytes();
            }
        }
        boolean complete = index.complete();
        long cover = index.coverFrom();
        return new IndexStats(ready, index.size(), index.liveCount(), complete,
                complete || cover == Long.MIN_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(cover)),
                Optional.ofNullable(buildTime), Optional.ofNullable(lastRefresh), count, tasks, index.bytes() + tableBytes);
    }

    // ------------------------------------------------------------------ building and refreshing

    private void build() {
        long t0 = System.nanoTime();
        try {
            PageRequest request = PageRequest.first(PageRequest.MAX_LIMIT);
            List<Run> batch = new ArrayList<>();
            Set<String> cursors = new HashSet<>();
            int seen = 0;
            boolean truncated = false;
            long oldest = Long.MAX_VALUE;
            while (!worker.isShutdown()) {
                Page<Run> page = delegate.listRuns(RunQuery.all(), request);
                for (Run r : page.items()) {
                    if (seen >= maxRuns) {
                        truncated = true;
                        break;
                    }
                    batch.add(r);
                    seen++;
                    oldest = Math.min(oldest, r.createdAt().toEpochMilli());
                }
                if (batch.size() >= 20_000) {
                    index.apply(batch, List.of());
                    batch = new ArrayList<>();
                }
                if (truncated || page.nextCursor().isEmpty()) {
                    break;
                }
                if (!cursors.add(page.nextCursor().get())) {
                    throw new IllegalStateException("the backend repeated a run page cursor");
                }
                request = PageRequest.after(page.nextCursor().get(), PageRequest.MAX_LIMIT);
            }
            index.apply(batch, List.of());
            if (truncated) {
                // runs at the oldest millisecond may be partly indexed: the window starts after it
                index.setCoverage(false, oldest + 1);
            } else {
                index.setCoverage(true, Long.MIN_VALUE);
            }
            index.prepare(RunQuery.Sort.CREATED, SortOrder.DESC); // the order of the first page everyone asks for
            buildTime = Duration.ofNanos(System.nanoTime() - t0);
            lastRefresh = clock.instant();
            ready = true;
            LOG.log(Level.INFO, () -> "Indexed " + index.size() + " runs of " + delegate.describe() + " in "
                    + buildTime.toMillis() + " ms");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cannot build the run index of " + delegate.describe()
                    + "; serving from the backend directly and retrying later: " + e, e);
        } finally {
            built.countDown();
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Run index refresh failed; keeping the last state: " + e);
        }
    }

    private void refresh() {
        if (!ready) {
            build();
            return;
        }
        long newest = index.newestCreated();
        List<Run> updates = new ArrayList<>();
        if (newest != Long.MIN_VALUE) {
            RunQuery fresh = RunQuery.builder().createdFrom(Instant.ofEpochMilli(newest).minus(overlap)).build();
            PageRequest request = PageRequest.first(PageRequest.MAX_LIMIT);
            Set<String> cursors = new HashSet<>();
            while (true) {
                Page<Run> page = delegate.listRuns(fresh, request);
                updates.addAll(page.items());
                if (page.nextCursor().isEmpty() || !cursors.add(page.nextCursor().get())) {
                    break;
                }
                request = PageRequest.after(page.nextCursor().get(), PageRequest.MAX_LIMIT);
            }
        } else {
            build();
            return;
        }
        List<RunRef> gone = new ArrayList<>();
        Set<RunRef> updated = new HashSet<>();
        updates.forEach(r -> updated.add(r.ref()));
        for (RunRef ref : index.unfinished(recheck)) {
            if (updated.contains(ref)) {
                continue;
            }
            Optional<Run> now = delegate.run(ref);
            if (now.isPresent()) {
                updates.add(now.get());
            } else {
                gone.add(ref);
            }
        }
        index.apply(updates, gone);
        lastRefresh = clock.instant();
    }

    // ------------------------------------------------------------------ runs

    @Override
    public Page<Run> listRuns(RunQuery query, PageRequest page) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(page, "page");
        Cursor c = page.cursor().map(Cursor::parse).orElse(Cursor.START);
        if (c.kind == 'p') {
            return passThrough(query, PageRequest.after(c.value, page.limit()));
        }
        if (c.kind == 'd') {
            return deep(query, PageRequest.after(c.value, page.limit()));
        }
        if (!ready) {
            return passThrough(query, c == Cursor.START ? PageRequest.first(page.limit()) : null, page);
        }
        boolean complete = index.complete();
        long cover = index.coverFrom();
        boolean inside = complete || query.createdFrom().map(i -> i.toEpochMilli() >= cover).orElse(false);
        boolean newestFirst = query.sort() == RunQuery.Sort.CREATED && query.order() == SortOrder.DESC;
        if (!inside && !newestFirst) {
            return passThrough(query, c == Cursor.START ? PageRequest.first(page.limit()) : null, page);
        }
        RunIndex.Position start = c.position();
        RunIndex.Slice slice = index.query(query, inside ? Long.MIN_VALUE : cover, start, page.limit());
        if (slice.more()) {
            Run last = slice.runs().get(slice.runs().size() - 1);
            return Page.of(slice.runs(), Cursor.after(last.flow(), last.id().value()));
        }
        if (inside) {
            return Page.last(slice.runs());
        }
        // newest first, past the window: the wrapped backend continues below it
        List<Run> items = new ArrayList<>(slice.runs());
        RunQuery deeper = below(query, cover);
        if (deeper == null) {
            return Page.last(items);
        }
        int remaining = page.limit() - items.size();
        if (remaining == 0) {
            return Page.of(items, PREFIX + "d:");
        }
        Page<Run> rest = delegate.listRuns(deeper, PageRequest.first(remaining));
        items.addAll(rest.items());
        return Page.of(items, rest.nextCursor().map(x -> PREFIX + "d:" + x).orElse(null));
    }

    /** From memory when the query lies inside the indexed window (every matching run is read); else the default. */
    @Override
    public RunGroups groupRuns(RunQuery query, RunGroups.By by, int perGroup, Optional<String> afterKey,
                               int maxGroups) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(by, "by");
        if (perGroup < 1 || maxGroups < 1) {
            throw new IllegalArgumentException("perGroup and maxGroups must be at least 1");
        }
        boolean inside = ready && (index.complete()
                || query.createdFrom().map(i -> i.toEpochMilli() >= index.coverFrom()).orElse(false));
        if (!inside) {
            return super.groupRuns(query, by, perGroup, afterKey, maxGroups); // the wrapped backend reads them
        }
        return index.group(query, Long.MIN_VALUE, by, perGroup, afterKey, maxGroups);
    }

    /** The query restricted to runs created before {@code cover}, or null when nothing is left. */
    private static RunQuery below(RunQuery q, long cover) {
        long before = Math.min(cover, q.createdBefore().map(Instant::toEpochMilli).orElse(Long.MAX_VALUE));
        if (q.createdFrom().isPresent() && q.createdFrom().get().toEpochMilli() >= before) {
            return null;
        }
        return q.toBuilder().createdBefore(Instant.ofEpochMilli(before)).build();
    }

    private Page<Run> deep(RunQuery query, PageRequest page) {
        RunQuery deeper = below(query, index.coverFrom());
        if (deeper == null) {
            return Page.last(List.of());
        }
        PageRequest request = page.cursor().filter(s -> !s.isEmpty()).map(s -> page).orElse(PageRequest.first(page.limit()));
        Page<Run> rest = delegate.listRuns(deeper, request);
        return Page.of(rest.items(), rest.nextCursor().map(x -> PREFIX + "d:" + x).orElse(null));
    }

    private Page<Run> passThrough(RunQuery query, PageRequest page) {
        Page<Run> p = delegate.listRuns(query, page);
        return Page.of(p.items(), p.nextCursor().map(x -> PREFIX + "p:" + x).orElse(null));
    }

    private Page<Run> passThrough(RunQuery query, PageRequest first, PageRequest ignored) {
        if (first == null) {
            throw new IllegalArgumentException("this page cursor belongs to the run index, which is not ready; start"
                    + " again from the first page");
        }
        return passThrough(query, first);
    }

    @Override
    public Optional<String> runsCursorAt(RunQuery query, long offset) {
        if (offset < 1) {
            throw new IllegalArgumentException("offset must be at least 1, got " + offset);
        }
        if (!ready) {
            return Optional.empty();
        }
        boolean inside = index.complete()
                || query.createdFrom().map(i -> i.toEpochMilli() >= index.coverFrom()).orElse(false);
        return inside ? Optional.of(PREFIX + "o:" + offset) : Optional.empty();
    }

    /**
     * A finished run from the index, re-checked with the wrapped backend in the background (at most
     * once per refresh interval per run); any other run from the wrapped backend, which also updates
     * the index.
     */
    @Override
    public Optional<Run> run(RunRef run) {
        Objects.requireNonNull(run, "run");
        if (ready) {
            Run held = index.get(run);
            if (held != null && held.status().status().isTerminal()) {
                recheckLater(run);
                return Optional.of(held);
            }
        }
        return fetch(run);
    }

    private void recheckLater(RunRef run) {
        long now = System.nanoTime();
        Long last = rechecked.get(run);
        if (last != null && now - last < refreshInterval.toNanos()) {
            return;
        }
        if (rechecked.size() > 10_000) {
            rechecked.clear();
        }
        rechecked.put(run, now);
        try {
            worker.execute(() -> {
                try {
                    fetch(run);
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "Re-check of " + run + " failed: " + e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closing: nothing to re-check any more
        }
    }

    private Optional<Run> fetch(RunRef run) {
        Optional<Run> r = delegate.run(run);
        if (ready) {
            if (r.isPresent() && index.contains(run)) {
                Run now = r.get();
                Run held = index.get(run);
                if (!now.equals(held)) {
                    index.apply(List.of(now), List.of());
                }
            } else if (r.isEmpty() && index.contains(run)) {
                index.apply(List.of(), List.of(run));
            }
        }
        return r;
    }

    /** Our cursors: {@code ix1:o:<offset>}, {@code ix1:k:<flow length>:<flow><id>}, {@code ix1:d:…}, {@code ix1:p:…}. */
    private static final class Cursor {
        static final Cursor START = new Cursor('s', "");
        final char kind;
        final String value;

        Cursor(char kind, String value) {
            this.kind = kind;
            this.value = value;
        }

        static Cursor parse(String s) {
            if (!s.startsWith(PREFIX) || s.length() < PREFIX.length() + 2 || s.charAt(PREFIX.length() + 1) != ':') {
                throw new IllegalArgumentException("not a run cursor of the index: '" + clip(s) + "'");
            }
            char kind = s.charAt(PREFIX.length());
            String v = s.substring(PREFIX.length() + 2);
            if ("okdp".indexOf(kind) < 0) {
                throw new IllegalArgumentException("not a run cursor of the index: '" + clip(s) + "'");
            }
            Cursor c = new Cursor(kind, v);
            c.position(); // validates
            return c;
        }

        static String after(String flow, String id) {
            return PREFIX + "k:" + flow.length() + ":" + flow + id;
        }

        RunIndex.Position position() {
            try {
                switch (kind) {
                    case 'o':
                        return RunIndex.Position.at(Long.parseLong(value));
                    case 'k': {
                        int colon = value.indexOf(':');
                        int n = Integer.parseInt(value.substring(0, colon));
                        String rest = value.substring(colon + 1);
                        return RunIndex.Position.after(rest.substring(0, n), rest.substring(n));
                    }
                    default:
                        return RunIndex.Position.at(0);
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a run cursor of the index: '" + clip(PREFIX + kind + ":" + value) + "'");
            }
        }

        private static String clip(String s) {
            return s.length() <= 60 ? s : s.substring(0, 60) + "…";
        }
    }

    // ------------------------------------------------------------------ tasks

    /**
     * The task table of a run for a request that needs one. A table held is used at once, even when
     * it is due for a re-read (a running run's): the re-read then runs in the background and the
     * next request sees it, so no request waits for a whole run's tasks twice; a run that finished
     * since its table was read waits for the final table. A missing table is read (once, even when
     * asked concurrently, on the task-table threads) and waited for.
     */
    private TaskTable table(RunRef run) {
        TaskTable t = held(run);
        for (int i = 0; t == null; i++) {
            try {
                t = join(load(run, true));
            } catch (Busy b) {
                if (i >= 3) {
                    throw new MetaflowException("cannot read the tasks of " + run + ": the task-table threads are busy");
                }
            }
        }
        return t;
    }

    /** A warm-up that found the task-table threads saturated (seen only by a request joining it). */
    private static final class Busy extends RuntimeException {
        Busy() {
            super(null, null, false, false);
        }
    }

    /**
     * The table held for the run, or null when there is none yet (a read is then started in the
     * background) or the run finished since its table was read.
     */
    private TaskTable held(RunRef run) {
        TaskTable t;
        synchronized (tables) {
            t = tables.get(run);
        }
        if (t == null) {
            load(run, false);
            return null;
        }
        if (t.frozen() || !stale(run, t)) {
            return t;
        }
        if (terminalNow(run)) {
            return null; // finished since: the caller waits for the final table
        }
        load(run, false);
        return t;
    }

    /** Whether the index (or, before it is ready, nothing) says the run has finished. */
    private boolean terminalNow(RunRef run) {
        Run r = ready ? index.get(run) : null;
        return r != null && r.status().status().isTerminal();
    }

    /**
     * Starts reading the task table of {@code run} in the background when none is held or being
     * read, so that a page about to be opened finds it ready: for runs that are listed, opened or
     * running. Bounded: at most {@value #LOADERS} tables are read at once and {@value #MAX_QUEUED}
     * wait; more warm-ups are dropped, and tables stay within {@link Builder#maxIndexedTasks}
     * (least recently used first out). Never blocks.
     *
     * @return true when a read was started or queued
     */
    public boolean warm(RunRef run) {
        Objects.requireNonNull(run, "run");
        synchronized (tables) {
            if (tables.containsKey(run)) {
                return false;
            }
        }
        return !loading.containsKey(run) && load(run, false) != null;
    }

    /**
     * The read of the run's table in flight, or a new one on the task-table threads. When those are
     * saturated, {@code mustHave} reads it on the calling thread; otherwise null (nothing started).
     */
    private CompletableFuture<TaskTable> load(RunRef run, boolean mustHave) {
        CompletableFuture<TaskTable> theirs = loading.get(run);
        if (theirs != null) {
            return theirs;
        }
        CompletableFuture<TaskTable> mine = new CompletableFuture<>();
        theirs = loading.putIfAbsent(run, mine);
        if (theirs != null) {
            return theirs;
        }
        try {
            loader.execute(() -> read(run, mine));
        } catch (java.util.concurrent.RejectedExecutionException busy) {
            if (!mustHave || loaderClosed()) {
                loading.remove(run, mine);
                mine.completeExceptionally(new Busy());
                return mustHave ? failedClosed() : null;
            }
            read(run, mine);
        }
        return mine;
    }

    private boolean loaderClosed() {
        return loader.isShutdown();
    }

    private static CompletableFuture<TaskTable> failedClosed() {
        return CompletableFuture.failedFuture(new MetaflowException("the run index is closed"));
    }

    /** Reads the table into {@code into}; a failed read leaves the table held before (if any) in place. */
    private void read(RunRef run, CompletableFuture<TaskTable> into) {
        try {
            long started = clock.millis(); // a re-read is due four read times after the last one started
            boolean terminal = Optional.ofNullable(ready ? index.get(run) : null).or(() -> delegate.run(run))
                    .map(r -> r.status().status().isTerminal()).orElse(false);
            TaskTable fresh = TaskTable.load(delegate, run, generation.incrementAndGet(), terminal);
            loadedAt.put(run, started);
            synchronized (tables) {
                tables.put(run, fresh);
                long total = 0;
                for (TaskTable x : tables.values()) {
                    total += x.size();
                }
                Iterator<Map.Entry<RunRef, TaskTable>> it = tables.entrySet().iterator();
                while (total > maxTasks && it.hasNext()) {
                    Map.Entry<RunRef, TaskTable> e = it.next();
                    if (e.getKey().equals(run)) {
                        continue;
                    }
                    total -= e.getValue().size();
                    loadedAt.remove(e.getKey());
                    it.remove();
                }
            }
            loading.remove(run, into);
            into.complete(fresh);
        } catch (RuntimeException | Error e) {
            loading.remove(run, into);
            LOG.log(Level.FINE, () -> "Reading the tasks of " + run + " failed: " + e);
            into.completeExceptionally(e);
        }
    }

    /**
     * Whether a page can be asked of the wrapped backend as cheaply as of a table: no status filter
     * (backends filter statuses by reading every task) and the creation or task-id order (which they
     * page by key).
     */
    private static boolean cheap(TaskQuery query) {
        return query.statuses().isEmpty()
                && (query.sort() == TaskQuery.Sort.CREATED || query.sort() == TaskQuery.Sort.TASK_ID);
    }

    /** A page of the wrapped backend; its cursor says how many rows were served before the next one. */
    private Page<Task> passThrough(RunRef run, TaskQuery query, PageRequest page, long before) {
        Page<Task> p = delegate.listTasks(run, query, page);
        if (p.nextCursor().isEmpty()) {
            return Page.last(p.items());
        }
        return Page.of(p.items(), PASSED + (before + p.items().size()) + ":" + p.nextCursor().get());
    }

    private boolean stale(RunRef run, TaskTable t) {
        long at = loadedAt.getOrDefault(run, 0L);
        long maxAge = Math.max(TASK_TABLE_MIN_AGE_MS, 4 * t.loadMillis());
        return clock.millis() - at > maxAge;
    }

    private static TaskTable join(CompletableFuture<TaskTable> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException ? (RuntimeException) c : new MetaflowException("cannot read the tasks", c);
        }
    }

    @Override
    public Page<Task> listTasks(RunRef run, TaskQuery query, PageRequest page) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(page, "page");
        TaskTable t = held(run);
        long passed = -1; // rows served from the wrapped backend before this page ("tp1:" cursors)
        if (page.cursor().isPresent() && page.cursor().get().startsWith(PASSED)) {
            String c = page.cursor().get();
            int colon = c.indexOf(':', PASSED.length());
            try {
                passed = Long.parseLong(c.substring(PASSED.length(), colon < 0 ? c.length() : colon));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a task cursor of the index: '" + c + "'");
            }
            if (colon < 0 || passed < 0) {
                throw new IllegalArgumentException("not a task cursor of the index: '" + c + "'");
            }
            if (t == null && cheap(query)) {
                return passThrough(run, query, PageRequest.after(c.substring(colon + 1), page.limit()), passed);
            }
        } else if (t == null && page.cursor().isEmpty() && cheap(query)) {
            // the table is being read: first pages come from the wrapped backend meanwhile (one
            // request each); their cursors continue in the table, at the same offset, once it is there
            return passThrough(run, query, page, 0);
        }
        if (t == null) {
            t = table(run);
        }
        long offset = 0;
        String afterStep = null;
        String afterId = null;
        if (passed >= 0) {
            offset = passed;
        } else if (page.cursor().isPresent()) {
            String[] p = page.cursor().get().split(":", 5);
            if (p.length != 5 || !p[0].equals("ti1")) {
                throw new IllegalArgumentException("not a task cursor of the index: '" + page.cursor().get() + "'");
            }
            try {
                long gen = Long.parseLong(p[1]);
                offset = Long.parseLong(p[2]);
                if (gen != t.generation() && !p[4].isEmpty()) {
                    afterStep = p[3];
                    afterId = p[4];
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a task cursor of the index: '" + page.cursor().get() + "'");
            }
        }
        TaskTable.Slice s = t.query(query, offset, afterStep, afterId, page.limit());
        if (!s.more()) {
            return Page.last(s.tasks());
        }
        Task last = s.tasks().get(s.tasks().size() - 1);
        long next = s.nextOffset() >= 0 ? s.nextOffset() : 0;
        return Page.of(s.tasks(), "ti1:" + t.generation() + ":" + next + ":" + last.step() + ":" + last.id().value());
    }

    @Override
    public Optional<String> tasksCursorAt(RunRef run, TaskQuery query, long offset) {
        if (offset < 1) {
            throw new IllegalArgumentException("offset must be at least 1, got " + offset);
        }
        TaskTable t = table(run);
        return Optional.of("ti1:" + t.generation() + ":" + offset + "::");
    }

    @Override
    public List<Step> steps(RunRef run) {
        TaskTable t = table(run);
        if (t.size() <= BIG_RUN_TASKS) {
            return delegate.steps(run);
        }
        return t.steps(dags.computeIfAbsent(run, delegate::dag));
    }

    @Override
    public StepAggregates aggregates(RunRef run, String step) {
        Objects.requireNonNull(step, "step");
        return table(run).aggregates(step);
    }

    // ------------------------------------------------------------------ passed through

    /** Stops the index thread; closes the wrapped backend too unless told not to. */
    @Override
    public void close() {
        loader.shutdownNow();
        worker.shutdownNow();
        loading.values().forEach(f -> f.completeExceptionally(new MetaflowException("the run index is closed")));
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
            loader.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closeDelegate) {
            delegate.close();
        }
    }

    @Override
    public String toString() {
        return "IndexedBackend[" + delegate.describe() + ", " + stats() + "]";
    }

    /** Settings of an {@link IndexedBackend}; validated in {@link #build()}. */
    public static final class Builder {
        private final MetaflowBackend delegate;
        private int maxRuns = 1_000_000;
        private long maxIndexedTasks = 500_000;
        private Duration refreshInterval = Duration.ofSeconds(5);
        private Duration overlap = Duration.ofMinutes(1);
        private int recheckPerRefresh = 500;
        private Clock clock = Clock.systemUTC();
        private boolean closeDelegate = true;

        private Builder(MetaflowBackend delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        /** The most runs held (the newest); older ones are read from the wrapped backend. Default 1,000,000. */
        public Builder maxRuns(int maxRuns) {
            this.maxRuns = maxRuns;
            return this;
        }

        /** The most tasks held in task tables, all runs together. Default 500,000 (about 30 MB). */
        public Builder maxIndexedTasks(long maxIndexedTasks) {
            this.maxIndexedTasks = maxIndexedTasks;
            return this;
        }

        /** How often new runs are looked for and unfinished runs re-checked. Default 5 s. */
        public Builder refreshInterval(Duration refreshInterval) {
            this.refreshInterval = Objects.requireNonNull(refreshInterval, "refreshInterval");
            return this;
        }

        /**
         * How far before the newest indexed run a refresh looks for new runs, for runs registered
         * late or with skewed clocks. Default 1 minute.
         */
        public Builder overlap(Duration overlap) {
            this.overlap = Objects.requireNonNull(overlap, "overlap");
            return this;
        }

        /** How many unfinished runs one refresh re-checks. Default 500. */
        public Builder recheckPerRefresh(int recheckPerRefresh) {
            this.recheckPerRefresh = recheckPerRefresh;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether {@link IndexedBackend#close()} closes the wrapped backend. Default true. */
        public Builder closeDelegate(boolean closeDelegate) {
            this.closeDelegate = closeDelegate;
            return this;
        }

        /** Starts the index (its first build runs in the background). */
        public IndexedBackend build() {
            if (maxRuns < 1) {
                throw new IllegalArgumentException("maxRuns must be at least 1, got " + maxRuns);
            }
            if (maxIndexedTasks < 1) {
                throw new IllegalArgumentException("maxIndexedTasks must be at least 1, got " + maxIndexedTasks);
            }
            if (refreshInterval.isNegative() || refreshInterval.toMillis() < 10) {
                throw new IllegalArgumentException("refreshInterval must be at least 10 ms, got " + refreshInterval);
            }
            if (overlap.isNegative()) {
                throw new IllegalArgumentException("overlap must not be negative, got " + overlap);
            }
            if (recheckPerRefresh < 0) {
                throw new IllegalArgumentException("recheckPerRefresh must not be negative, got " + recheckPerRefresh);
            }
            return new IndexedBackend(this);
        }
    }
}

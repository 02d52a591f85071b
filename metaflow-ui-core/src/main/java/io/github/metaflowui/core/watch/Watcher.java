package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.diff.Change;
import io.github.metaflowui.core.diff.Snapshot;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Polls a {@link MetaflowBackend} for the {@link Resource}s someone listens to, keeps the last
 * snapshot of each, and delivers what changed. However many listeners a resource has, it is polled
 * once per interval:
 *
 * <ul>
 *   <li><b>Adaptive interval.</b> {@link Builder#activeInterval} while something in the resource is
 *       running, {@link Builder#idleInterval} while nothing is, and no polling at all once the run
 *       it belongs to has finished ({@link Activity}). A poll that took long pushes the next one out
 *       (the watcher spends at most about a quarter of its time polling one resource).</li>
 *   <li><b>Quiet diffs, periodic resync.</b> Polls are compared with the resource's
 *       {@link Resource#differ()}, which ignores what only the passing of time changes (and, for
 *       the standard resources, trusts equal content fingerprints); every
 *       {@link Builder#resyncInterval} a full poll is compared strictly
 *       ({@link Resource#strictDiffer()}, exact).</li>
 *   <li><b>Failures.</b> A failed poll is reported to the listeners ({@link WatchListener#onError})
 *       and retried with exponential backoff up to {@link Builder#maxBackoff}; the last snapshot is
 *       kept, so the changes made during an outage are delivered once, when it ends. Nothing a
 *       backend or a listener throws stops the watcher.</li>
 * </ul>
 *
 * <p>Thread-safe. Polls run on the {@link WatchScheduler} (by default two daemon threads named
 * {@code metaflow-watch-N}); {@link #close()} stops them. Time comes from the {@link Clock} given,
 * so tests can drive a watcher with a fake clock and scheduler.
 *
 * <pre>{@code
 * try (Watcher watcher = Watcher.builder(backend).build()) {
 *     watcher.watch(Resources.run(RunRef.of("TrainFlow", "1234")), new WatchListener<Run>() {
 *         public void onChanges(ChangeSet<Run> c) { c.changes().forEach(System.out::println); }
 *     });
 *     ...
 * }
 * }</pre>
 */
public final class Watcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Watcher.class.getName());

    private final MetaflowBackend backend;
    private final Clock clock;
    private final WatchScheduler scheduler;
    private final boolean ownsScheduler;
    private final Duration activeInterval;
    private final Duration idleInterval;
    private final Duration resyncInterval;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Map<Resource<?>, Poller<?>> pollers = new HashMap<>();
    private final AtomicLong polls = new AtomicLong();
    private volatile boolean closed;

    private Watcher(Builder b) {
        this.backend = b.backend;
        this.clock = b.clock;
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = b.scheduler != null ? b.scheduler : WatchScheduler.daemonThreads(b.threads, b.threadNamePrefix);
        this.activeInterval = b.activeInterval;
        this.idleInterval = b.idleInterval;
        this.resyncInterval = b.resyncInterval;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
    }

    public static Builder builder(MetaflowBackend backend) {
        return new Builder(backend);
    }

    /** A watcher with the default settings. */
    public static Watcher of(MetaflowBackend backend) {
        return builder(backend).build();
    }

    public MetaflowBackend backend() {
        return backend;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Starts delivering {@code resource} to {@code listener}. If the resource is already watched, the
     * listener first gets its current snapshot (on this thread) and no extra poll happens; otherwise
     * a poll starts now and the snapshot follows. A finished resource whose snapshot is older than
     * the resync interval is polled once more.
     *
     * @throws IllegalStateException when the watcher is closed
     */
    public <T> Subscription watch(Resource<T> resource, WatchListener<T> listener) {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(listener, "listener");
        Poller<T> poller;
        Entry<T> entry = new Entry<>(listener);
        boolean start;
        synchronized (pollers) {
            if (closed) {
                throw new IllegalStateException("the watcher is closed");
            }
            @SuppressWarnings("unchecked")
            Poller<T> existing = (Poller<T>) pollers.get(resource);
            start = existing == null;
            poller = start ? new Poller<>(resource) : existing;
            if (start) {
                pollers.put(resource, poller);
            }
            poller.entries.add(entry);
        }
        if (start) {
            poller.schedule(Duration.ZERO);
        } else {
            poller.wakeIfStale();
        }
        poller.prime(entry);
        return () -> unsubscribe(poller, entry);
    }

    private <T> void unsubscribe(Poller<T> poller, Entry<T> entry) {
        synchronized (pollers) {
            if (!poller.entries.remove(entry) || !poller.entries.isEmpty()) {
                return;
            }
            pollers.remove(poller.resource, poller);
        }
        poller.stop();
    }

    /** How many resources are being watched now. */
    public int watchedResources() {
        synchronized (pollers) {
            return pollers.size();
        }
    }

    /** How many polls (successful or not) this watcher has made. */
    public long pollCount() {
        return polls.get();
    }

    /** Stops every poll and delivery. Idempotent. */
    @Override
    public void close() {
        List<Poller<?>> all;
        synchronized (pollers) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(pollers.values());
            pollers.clear();
        }
        all.forEach(Poller::stop);
        if (ownsScheduler) {
            scheduler.close();
        }
    }

    @Override
    public String toString() {
        return "Watcher[" + backend.describe() + ", active " + activeInterval + ", idle " + idleInterval + "]";
    }

    // ---------------------------------------------------------------- one resource

    /** A listener and whether it got its first snapshot yet. Guarded by the poller. */
    private static final class Entry<T> {
        final WatchListener<T> listener;
        boolean primed;

        Entry(WatchListener<T> listener) {
            this.listener = listener;
        }
    }

    private final class Poller<T> {
        final Resource<T> resource;
        final List<Entry<T>> entries = new CopyOnWriteArrayList<>();
        // guarded by "this"
        private Snapshot<T> last;
        private Instant lastFullPoll;
        private Instant lastPollAt;
        private int failures;
        private Instant failingSince;
        private boolean finished;
        private boolean stopped;
        private boolean running;
        private WatchScheduler.Cancellable next;

        Poller(Resource<T> resource) {
            this.resource = resource;
        }

        synchronized void prime(Entry<T> entry) {
            if (last != null && !entry.primed && !stopped) {
                entry.primed = true;
                call(entry, l -> l.onSnapshot(last));
                if (finished) {
                    call(entry, l -> l.onFinished(last));
                }
            }
        }

        synchronized void schedule(Duration delay) {
            if (stopped || closed) {
                return;
            }
            if (next != null) {
                next.cancel();
            }
            next = scheduler.schedule(this::pollOnce, delay);
        }

        /** A new listener on a finished resource: look once more if what we have is old. */
        synchronized void wakeIfStale() {
            if (finished && !running && lastPollAt != null
                    && Duration.between(lastPollAt, clock.instant()).compareTo(resyncInterval) >= 0) {
                finished = false;
                lastFullPoll = null; // a full poll
                schedule(Duration.ZERO);
            }
        }

        void stop() {
            synchronized (this) {
                stopped = true;
                if (next != null) {
                    next.cancel();
                    next = null;
                }
            }
        }

        void pollOnce() {
            Snapshot<T> previous;
            boolean full;
            Instant start = clock.instant();
            synchronized (this) {
                if (stopped || closed) {
                    return;
                }
                running = true;
                next = null;
                full = last == null || lastFullPoll == null
                        || Duration.between(lastFullPoll, start).compareTo(resyncInterval) >= 0;
                previous = full || last == null ? Snapshot.empty() : last;
            }
            polls.incrementAndGet();
            Poll<T> poll;
            try {
                poll = Objects.requireNonNull(resource.poll(backend, previous), "poll returned null");
            } catch (RuntimeException e) {
                failed(e);
                return;
            }
            Instant end = clock.instant();
            Duration delay;
            synchronized (this) {
                running = false;
                if (stopped || closed) {
                    return;
                }
                lastPollAt = end;
                if (full) {
                    lastFullPoll = end;
                }
                if (failures > 0) {
                    failures = 0;
                    failingSince = null;
                    deliverAll(l -> l.onRecovered());
                }
                Snapshot<T> now = poll.snapshot();
                if (last == null) {
                    last = now;
                    for (Entry<T> e : entries) {
                        if (!e.primed) {
                            e.primed = true;
                            call(e, l -> l.onSnapshot(now));
                        }
                    }
                } else {
                    List<Change<T>> changes = (full ? resource.strictDiffer() : resource.differ()).diff(last, now);
                    if (!changes.isEmpty()) {
                        ChangeSet<T> set = new ChangeSet<>(changes, last, now, full, end);
                        last = now;
                        deliver(l -> l.onChanges(set));
                    } else if (full) {
                        last = now;
                    }
                    // else: keep the snapshot the listeners were given, so that what the equivalence
                    // hid stays measured against it
                }
                if (poll.activity() == Activity.FINISHED) {
                    finished = true;
                    Snapshot<T> fin = last;
                    deliver(l -> l.onFinished(fin));
                    return;
                }
                finished = false;
                Duration interval = poll.activity() == Activity.ACTIVE ? activeInterval : idleInterval;
                Duration took = Duration.between(start, end);
                delay = took.multipliedBy(3).compareTo(interval) > 0 ? took.multipliedBy(3) : interval;
            }
            schedule(delay);
        }

        private void failed(RuntimeException e) {
            Duration delay;
            synchronized (this) {
                running = false;
                if (stopped || closed) {
                    return;
                }
                failures++;
                if (failingSince == null) {
                    failingSince = clock.instant();
                }
                delay = backoff(failures);
                WatchError error = new WatchError(e, failures, failingSince, delay);
                if (failures == 1) {
                    LOG.log(Level.WARNING, "Polling " + resource.describe() + " failed; retrying in " + delay + ": " + e);
                }
                deliverAll(l -> l.onError(error));
            }
            schedule(delay);
        }

        private Duration backoff(int n) {
            Duration d = initialBackoff;
            for (int i = 1; i < n && d.compareTo(maxBackoff) < 0; i++) {
                d = d.multipliedBy(2);
            }
            return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
        }

        /** To every primed listener. Called holding this poller's lock. */
        private void deliver(java.util.function.Consumer<WatchListener<T>> call) {
            for (Entry<T> e : entries) {
                if (e.primed) {
                    call(e, call);
                }
            }
        }

        /** To every listener, primed or not (errors may come before the first snapshot). */
        private void deliverAll(java.util.function.Consumer<WatchListener<T>> call) {
            for (Entry<T> e : entries) {
                call(e, call);
            }
        }

        private void call(Entry<T> e, java.util.function.Consumer<WatchListener<T>> call) {
            try {
                call.accept(e.listener);
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "A listener of " + resource.describe() + " failed; ignored", ex);
            }
        }
    }

    // ---------------------------------------------------------------- builder

    public static final class Builder {
        private final MetaflowBackend backend;
        private Clock clock = Clock.systemUTC();
        private WatchScheduler scheduler;
        private int threads = 2;
        private String threadNamePrefix = "metaflow-watch";
        private Duration activeInterval = Duration.ofSeconds(2);
        private Duration idleInterval = Duration.ofSeconds(15);
        private Duration resyncInterval = Duration.ofMinutes(5);
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofMinutes(1);

        private Builder(MetaflowBackend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
        }

        /** The clock for intervals, resyncs and timestamps. Default: the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where polls run. Default: {@link #threads} daemon threads, closed with the watcher; a given one is not closed. */
        public Builder scheduler(WatchScheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** How many poll threads the default scheduler has. Default 2. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** The default scheduler's thread names: {@code <prefix>-1}, ... Default {@code metaflow-watch}. */
        public Builder threadNamePrefix(String prefix) {
            this.threadNamePrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** How often a resource with something running is polled. Default 2 s. */
        public Builder activeInterval(Duration interval) {
            this.activeInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** How often a resource with nothing running is polled. Default 15 s. */
        public Builder idleInterval(Duration interval) {
            this.idleInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** How often a poll is a full one, compared strictly. Default 5 min. */
        public Builder resyncInterval(Duration interval) {
            this.resyncInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** The delay after the first failure, doubled after each further one. Default 1 s. */
        public Builder initialBackoff(Duration backoff) {
            this.initialBackoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** The longest delay between failing polls. Default 1 min. */
        public Builder maxBackoff(Duration backoff) {
            this.maxBackoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** @throws IllegalArgumentException for a non-positive interval or backoff, or fewer than one thread */
        public Watcher build() {
            positive("activeInterval", activeInterval);
            positive("idleInterval", idleInterval);
            positive("resyncInterval", resyncInterval);
            positive("initialBackoff", initialBackoff);
            positive("maxBackoff", maxBackoff);
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("maxBackoff (" + maxBackoff + ") must not be shorter than"
                        + " initialBackoff (" + initialBackoff + ")");
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
            return new Watcher(this);
        }

        private static void positive(String name, Duration d) {
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
        }
    }
}

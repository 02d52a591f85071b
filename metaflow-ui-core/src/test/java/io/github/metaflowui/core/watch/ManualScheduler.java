package io.github.metaflowui.core.watch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A fake clock and a scheduler that runs tasks only when the test advances that clock, in due-time
 * order, on the test's thread. Deterministic: no real time, no threads.
 */
final class ManualScheduler implements WatchScheduler {
    private final FakeClock clock;
    private final List<Task> tasks = new ArrayList<>();
    private long seq;
    private boolean closed;

    ManualScheduler(Instant start) {
        this.clock = new FakeClock(start);
    }

    Clock clock() {
        return clock;
    }

    Instant now() {
        return clock.instant();
    }

    private final class Task implements Cancellable {
        final Instant due;
        final long order;
        final Runnable body;
        boolean cancelled;

        Task(Instant due, long order, Runnable body) {
            this.due = due;
            this.order = order;
            this.body = body;
        }

        @Override
        public void cancel() {
            synchronized (ManualScheduler.this) {
                cancelled = true;
                tasks.remove(this);
            }
        }
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, Duration delay) {
        Task t = new Task(clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay), seq++, task);
        if (!closed) {
            tasks.add(t);
        }
        return t;
    }

    /** Moves the clock forward by {@code d}, running every task that falls due on the way, at its due time. */
    void advance(Duration d) {
        Instant target = clock.instant().plus(d);
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.due.isAfter(target))
                        .min(Comparator.comparing((Task t) -> t.due).thenComparingLong(t -> t.order)).orElse(null);
                if (next == null) {
                    break;
                }
                tasks.remove(next);
                if (next.due.isAfter(clock.instant())) {
                    clock.set(next.due);
                }
            }
            next.body.run();
        }
        clock.set(target);
    }

    /** Runs whatever is due now. */
    void runDue() {
        advance(Duration.ZERO);
    }

    /** When the next task is due, if any. */
    synchronized Instant nextDue() {
        return tasks.stream().map(t -> t.due).min(Comparator.naturalOrder()).orElse(null);
    }

    synchronized int pending() {
        return tasks.size();
    }

    @Override
    public synchronized void close() {
        closed = true;
        tasks.clear();
    }

    static final class FakeClock extends Clock {
        private volatile Instant now;

        FakeClock(Instant now) {
            this.now = now;
        }

        void set(Instant t) {
            now = t;
        }

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
            return now;
        }
    }
}

package io.github.metaflowui.core.watch;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a {@link Watcher}'s polls. The default has a few daemon threads with clear names; tests
 * plug in one driven by a fake clock.
 */
public interface WatchScheduler extends AutoCloseable {

    /** A scheduled task that can be cancelled. */
    interface Cancellable {
        void cancel();
    }

    /** Runs {@code task} once after {@code delay}. */
    Cancellable schedule(Runnable task, Duration delay);

    /** Stops running tasks; tasks not yet started never run. */
    @Override
    void close();

    /** {@code threads} daemon threads named {@code <namePrefix>-1}, {@code <namePrefix>-2}, ... */
    static WatchScheduler daemonThreads(int threads, String namePrefix) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        Objects.requireNonNull(namePrefix, "namePrefix");
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, namePrefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(threads, factory);
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return new WatchScheduler() {
            @Override
            public Cancellable schedule(Runnable task, Duration delay) {
                ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }

            @Override
            public String toString() {
                return "WatchScheduler[" + threads + " daemon threads " + namePrefix + "-N]";
            }
        };
    }
}

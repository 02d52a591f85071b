package io.github.metaflowui.client.http.internal;

import io.github.metaflowui.core.MetaflowException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Runs independent requests concurrently on a small pool of named daemon threads. The calling
 * thread works too and claims whatever the pool has not started, so nested use cannot deadlock
 * and a busy pool only makes things slower, never stuck.
 */
public final class Fanout implements AutoCloseable {
    private final ExecutorService pool;
    private final int parallelism;

    public Fanout(String name, int parallelism) {
        this.parallelism = parallelism;
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor tpe = new ThreadPoolExecutor(parallelism, parallelism, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        tpe.allowCoreThreadTimeOut(true);
        this.pool = tpe;
    }

    /** Applies {@code fn} to every item, concurrently; results in item order. The first failure is rethrown. */
    public <I, O> List<O> map(List<I> items, Function<I, O> fn) {
        int size = items.size();
        if (size == 0) {
            return List.of();
        }
        if (size == 1 || parallelism <= 1) {
            List<O> out = new ArrayList<>(size);
            for (I i : items) {
                out.add(fn.apply(i));
            }
            return out;
        }
        Object[] results = new Object[size];
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(size);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Runnable worker = () -> {
            int i;
            while ((i = next.getAndIncrement()) < size) {
                try {
                    if (failure.get() == null) {
                        results[i] = fn.apply(items.get(i));
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } catch (Error e) {
                    failure.compareAndSet(null, new IllegalStateException(e));
                } finally {
                    done.countDown();
                }
            }
        };
        int helpers = Math.min(parallelism, size) - 1;
        for (int h = 0; h < helpers; h++) {
            try {
                pool.execute(worker);
            } catch (RejectedExecutionException e) {
                break;
            }
        }
        worker.run();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetaflowException.NoAnswerException("interrupted while waiting for concurrent requests", e);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        List<O> out = new ArrayList<>(size);
        for (Object o : results) {
            @SuppressWarnings("unchecked")
            O v = (O) o;
            out.add(v);
        }
        return out;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

package io.github.metaflowui.core.watch;

/** A listener's registration; closing it stops its deliveries (and the polling, if it was the last). */
public interface Subscription extends AutoCloseable {
    /** Idempotent. */
    @Override
    void close();
}

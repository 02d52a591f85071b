package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.diff.Snapshot;

/**
 * Receives what a {@link Watcher} sees of one resource. Every method has a no-op default; implement
 * the ones you need. Calls for one resource never overlap and come in order: first
 * {@link #onSnapshot} (the state when you subscribed, or the first poll's), then changes; errors and
 * recoveries in between; {@link #onFinished} last. Methods must return quickly (they run on the
 * watcher's poll thread, or on the subscribing thread for the first snapshot) and should not throw
 * (an exception is logged and ignored).
 */
public interface WatchListener<T> {

    /** The whole resource: as it is when you subscribe (if it was polled already), else after the first poll. */
    default void onSnapshot(Snapshot<T> snapshot) {
    }

    /** A poll saw changes. Delivered once per change, in order, even across upstream failures. */
    default void onChanges(ChangeSet<T> changes) {
    }

    /** A poll failed; the last snapshot stays, and the poll is retried with backoff. */
    default void onError(WatchError error) {
    }

    /** A poll succeeded after failures. */
    default void onRecovered() {
    }

    /** Nothing will change any more (e.g. the run finished); polling stopped. */
    default void onFinished(Snapshot<T> last) {
    }
}

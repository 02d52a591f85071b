package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.diff.Differ;
import io.github.metaflowui.core.diff.Snapshot;
import io.github.metaflowui.core.spi.MetaflowBackend;

/**
 * Something a {@link Watcher} can poll: the runs of a query, a run, its steps, its tasks, a task, a
 * log's tail. {@link Resources} makes the standard ones. Implementations are immutable values with
 * {@code equals}/{@code hashCode}: a watcher polls each distinct resource once, however many
 * listeners it has.
 *
 * @param <T> the entity type
 */
public interface Resource<T> {

    /**
     * Polls the backend once.
     *
     * @param previous what the last poll saw; empty on the first poll and on every full resync, so a
     *                 resource that reads incrementally (a log tail) starts over
     * @throws io.github.metaflowui.core.MetaflowException when the backend cannot answer
     */
    Poll<T> poll(MetaflowBackend backend, Snapshot<T> previous);

    /**
     * How two polls are compared. The standard resources ignore what changes merely because time
     * passes (a running object's duration, heartbeat and "N s ago" in its reason), so a quiet run
     * produces no changes.
     */
    Differ<T> differ();

    /**
     * How a full resync compares: every difference counts, and the standard resources compare
     * {@linkplain Differ#exact() exactly} (a change a fingerprint collision hid is delivered then).
     * Default: {@link #differ()}.
     */
    default Differ<T> strictDiffer() {
        return differ();
    }

    /** A short description for logs, e.g. {@code tasks of TrainFlow/12}. */
    String describe();
}

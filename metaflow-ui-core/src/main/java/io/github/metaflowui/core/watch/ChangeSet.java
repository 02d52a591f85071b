package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.diff.Change;
import io.github.metaflowui.core.diff.Snapshot;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one poll changed.
 *
 * @param changes what changed, in the differ's stable order; never empty
 * @param before  the resource as the previous delivery left it
 * @param after   the resource now (in the backend's order)
 * @param resync  true when this poll was a periodic full resync (every difference counts)
 * @param at      when the poll finished (the watcher's clock)
 */
public record ChangeSet<T>(List<Change<T>> changes, Snapshot<T> before, Snapshot<T> after, boolean resync,
                           Instant at) {
    public ChangeSet {
        changes = List.copyOf(changes);
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(at, "at");
    }

    /** True when the keys of {@code after} are not in the order of {@code before} (or not the same keys). */
    public boolean orderChanged() {
        if (before.size() != after.size()) {
            return true;
        }
        java.util.Iterator<String> a = before.keys().iterator();
        for (String k : after.keys()) {
            if (!k.equals(a.next())) {
                return true;
            }
        }
        return false;
    }
}

package io.github.metaflowui.core.diff;

import io.github.metaflowui.core.StatusInfo;

import java.util.Objects;

/**
 * One difference between two snapshots of the same resource (runs of a query, tasks of a run, ...),
 * for the entity with the given key (e.g. its pathspec).
 */
public sealed interface Change<T> permits Change.Added, Change.Removed, Change.StatusChanged, Change.Updated {

    /** The entity's key in its snapshot. */
    String key();

    /** The entity as it is now; for a removal, as it was. */
    T entity();

    /** An entity that was not in the older snapshot. */
    record Added<T>(String key, T entity) implements Change<T> {
        public Added {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(entity, "entity");
        }
    }

    /** An entity that is gone from the newer snapshot. */
    record Removed<T>(String key, T entity) implements Change<T> {
        public Removed {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(entity, "entity");
        }
    }

    /** An entity whose status changed ({@code from} and {@code to} carry their reasons). */
    record StatusChanged<T>(String key, T previous, T entity, StatusInfo from, StatusInfo to) implements Change<T> {
        public StatusChanged {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(previous, "previous");
            Objects.requireNonNull(entity, "entity");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    /** An entity that changed in some other way (times, counts, tags, reason text, ...). */
    record Updated<T>(String key, T previous, T entity) implements Change<T> {
        public Updated {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(previous, "previous");
            Objects.requireNonNull(entity, "entity");
        }
    }
}

package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.diff.Snapshot;

import java.util.Objects;

/**
 * What one poll of a {@link Resource} saw.
 *
 * @param snapshot the resource now
 * @param activity how soon to look again
 */
public record Poll<T>(Snapshot<T> snapshot, Activity activity) {
    public Poll {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(activity, "activity");
    }
}

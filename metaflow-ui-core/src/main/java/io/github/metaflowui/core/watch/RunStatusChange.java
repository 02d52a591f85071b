package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.StatusInfo;

import java.util.Objects;
import java.util.Optional;

/**
 * A run's status as a monitor saw it change.
 *
 * @param run  the run now
 * @param from its status before, empty the first time the run is seen
 * @param to   its status now, with the reason
 */
public record RunStatusChange(Run run, Optional<StatusInfo> from, StatusInfo to) {
    public RunStatusChange {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }

    @Override
    public String toString() {
        return run.ref() + ": " + from.map(f -> f.status().wireName() + " -> ").orElse("") + to.status().wireName()
                + " (" + to.reason() + ")";
    }
}

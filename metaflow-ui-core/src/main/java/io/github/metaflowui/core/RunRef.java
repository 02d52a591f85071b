package io.github.metaflowui.core;

import java.util.Objects;

/** Points at one run: {@code Flow/Run}. */
public record RunRef(String flow, RunId run) {
    public RunRef {
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(run, "run");
        if (flow.isBlank()) {
            throw new IllegalArgumentException("flow name must not be blank");
        }
    }

    public static RunRef of(String flow, String run) {
        return new RunRef(flow, RunId.of(run));
    }

    public StepRef step(String step) {
        return new StepRef(this, step);
    }

    /** The Metaflow pathspec, {@code Flow/Run}. */
    public String pathspec() {
        return flow + "/" + run.value();
    }

    @Override
    public String toString() {
        return pathspec();
    }
}

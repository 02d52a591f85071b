package io.github.metaflowui.core;

import java.util.Objects;

/** Points at one step of a run: {@code Flow/Run/Step}. */
public record StepRef(RunRef run, String step) {
    public StepRef {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(step, "step");
        if (step.isBlank()) {
            throw new IllegalArgumentException("step name must not be blank");
        }
    }

    public static StepRef of(String flow, String run, String step) {
        return new StepRef(RunRef.of(flow, run), step);
    }

    public TaskRef task(String task) {
        return new TaskRef(this, TaskId.of(task));
    }

    public String pathspec() {
        return run.pathspec() + "/" + step;
    }

    @Override
    public String toString() {
        return pathspec();
    }
}

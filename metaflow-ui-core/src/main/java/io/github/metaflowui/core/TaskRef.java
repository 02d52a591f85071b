package io.github.metaflowui.core;

import java.util.Objects;

/** Points at one task: {@code Flow/Run/Step/Task}. */
public record TaskRef(StepRef step, TaskId task) {
    public TaskRef {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(task, "task");
    }

    public static TaskRef of(String flow, String run, String step, String task) {
        return new TaskRef(StepRef.of(flow, run, step), TaskId.of(task));
    }

    /**
     * Parses a pathspec {@code Flow/Run/Step/Task}.
     *
     * @throws IllegalArgumentException if it does not have exactly four non-empty parts
     */
    public static TaskRef parse(String pathspec) {
        String[] parts = Objects.requireNonNull(pathspec, "pathspec").split("/", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("expected Flow/Run/Step/Task, got '" + pathspec + "'");
        }
        return of(parts[0], parts[1], parts[2], parts[3]);
    }

    public RunRef run() {
        return step.run();
    }

    public String pathspec() {
        return step.pathspec() + "/" + task.value();
    }

    @Override
    public String toString() {
        return pathspec();
    }
}

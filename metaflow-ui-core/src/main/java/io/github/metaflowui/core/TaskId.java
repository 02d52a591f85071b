package io.github.metaflowui.core;

import java.util.Objects;

/** The exposed id of a task: digits (possibly beyond 2^53) or a scheduler's string name. */
public record TaskId(String value) implements Comparable<TaskId> {
    public TaskId {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("task id must not be blank");
        }
    }

    public static TaskId of(String value) {
        return new TaskId(value);
    }

    public boolean isNumeric() {
        return Ids.isDigits(value);
    }

    @Override
    public int compareTo(TaskId other) {
        return Ids.compare(value, other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}

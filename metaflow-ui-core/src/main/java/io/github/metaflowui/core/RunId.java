package io.github.metaflowui.core;

import java.util.Objects;

/**
 * The exposed id of a run: a 16-digit local timestamp ({@code 1796301579117609}), a service run
 * number ({@code 12}) or a scheduler id ({@code argo-...}). Always kept as the string it was given;
 * never parsed into a number for storage.
 */
public record RunId(String value) implements Comparable<RunId> {
    public RunId {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("run id must not be blank");
        }
    }

    public static RunId of(String value) {
        return new RunId(value);
    }

    /** True when the id is made only of digits (a run number or a local timestamp id). */
    public boolean isNumeric() {
        return Ids.isDigits(value);
    }

    /** Numeric ids compare by magnitude (without parsing), others lexically after them. */
    @Override
    public int compareTo(RunId other) {
        return Ids.compare(value, other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}

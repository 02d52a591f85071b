package io.github.metaflowui.core;

import java.util.Locale;

/**
 * The status of a run, step, task or attempt. {@link #UNKNOWN} is the way out for values we cannot
 * decide (or a newer backend invents).
 */
public enum Status {
    PENDING,
    RUNNING,
    COMPLETED,
    FAILED,
    UNKNOWN;

    /** The lower-case wire name used by Metaflow's UI backend ({@code running}, {@code failed}, ...). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name leniently; anything unrecognised is {@link #UNKNOWN}. */
    public static Status fromWire(String value) {
        if (value == null) {
            return UNKNOWN;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "pending":
                return PENDING;
            case "running":
                return RUNNING;
            case "completed":
            case "succeeded":
            case "success":
                return COMPLETED;
            case "failed":
            case "failure":
                return FAILED;
            default:
                return UNKNOWN;
        }
    }

    /** True for states that will not change any more (completed, failed). */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED;
    }
}

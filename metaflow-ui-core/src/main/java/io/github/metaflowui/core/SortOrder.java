package io.github.metaflowui.core;

/** Ascending or descending. */
public enum SortOrder {
    ASC,
    DESC;

    /** Metaflow's {@code _order} prefix: {@code +} for ascending, {@code -} for descending. */
    public String prefix() {
        return this == ASC ? "+" : "-";
    }
}

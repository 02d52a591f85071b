package io.github.metaflowui.core;

/** The kinds of step in a Metaflow graph, with their {@code _graph_info} names. */
public enum StepType {
    START("start"),
    LINEAR("linear"),
    SPLIT_STATIC("split-static"),
    SPLIT_FOREACH("split-foreach"),
    SPLIT_PARALLEL("split-parallel"),
    SPLIT_SWITCH("split-switch"),
    JOIN("join"),
    END("end"),
    UNKNOWN("unknown");

    private final String wireName;

    StepType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static StepType fromWire(String value) {
        for (StepType t : values()) {
            if (t.wireName.equals(value)) {
                return t;
            }
        }
        // older Metaflow wrote "foreach"/"split-and"
        if ("foreach".equals(value)) {
            return SPLIT_FOREACH;
        }
        if ("split-and".equals(value)) {
            return SPLIT_STATIC;
        }
        return UNKNOWN;
    }

    public boolean isSplit() {
        return this == SPLIT_STATIC || this == SPLIT_FOREACH || this == SPLIT_PARALLEL || this == SPLIT_SWITCH;
    }
}

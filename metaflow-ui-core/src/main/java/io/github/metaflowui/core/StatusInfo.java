package io.github.metaflowui.core;

import java.util.Objects;

/** A status together with the human-readable reason it was derived, e.g. "end step succeeded". */
public record StatusInfo(Status status, String reason) {
    public StatusInfo {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
    }

    public static StatusInfo of(Status status, String reason) {
        return new StatusInfo(status, reason);
    }
}

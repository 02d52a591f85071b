package io.github.metaflowui.core;

import java.util.Objects;
import java.util.Optional;

/**
 * A display form of an artifact's value. Only plain Python types (numbers, strings, bools, None,
 * lists, tuples, dicts of those) are rendered; anything else gives {@code rendered=false} and a
 * {@code display} that names the type and size. A value that exists but cannot be read (a corrupt
 * blob, say) is {@link #unavailable unavailable}, with the reason.
 *
 * @param pythonType        e.g. {@code int}, {@code list}, {@code pandas.core.frame.DataFrame}
 * @param display           JSON-like text of the value (or a description), at most the requested length
 * @param rendered          whether {@code display} is the value itself
 * @param truncated         whether {@code display} was cut short
 * @param unavailableReason why the value cannot be read, when it cannot
 */
public record ArtifactValue(String pythonType, String display, boolean rendered, boolean truncated,
                            Optional<String> unavailableReason) {
    public ArtifactValue {
        Objects.requireNonNull(pythonType, "pythonType");
        Objects.requireNonNull(display, "display");
        Objects.requireNonNull(unavailableReason, "unavailableReason");
    }

    /** A value that could be read (rendered or described). */
    public ArtifactValue(String pythonType, String display, boolean rendered, boolean truncated) {
        this(pythonType, display, rendered, truncated, Optional.empty());
    }

    /** A value that exists but cannot be read, e.g. {@code unavailable("int", "its blob is not valid gzip")}. */
    public static ArtifactValue unavailable(String pythonType, String reason) {
        Objects.requireNonNull(reason, "reason");
        return new ArtifactValue(pythonType, "unavailable: " + reason, false, false, Optional.of(reason));
    }

    /** False when the value cannot be read; see {@link #unavailableReason()}. */
    public boolean available() {
        return unavailableReason.isEmpty();
    }
}

package io.github.metaflowui.core;

import java.util.Objects;

/**
 * A display form of an artifact's value. Only plain Python types (numbers, strings, bools, None,
 * lists, tuples, dicts of those) are rendered; anything else gives {@code rendered=false} and a
 * {@code display} that names the type and size.
 *
 * @param pythonType e.g. {@code int}, {@code list}, {@code pandas.core.frame.DataFrame}
 * @param display    JSON-like text of the value (or a description), at most the requested length
 * @param rendered   whether {@code display} is the value itself
 * @param truncated  whether {@code display} was cut short
 */
public record ArtifactValue(String pythonType, String display, boolean rendered, boolean truncated) {
    public ArtifactValue {
        Objects.requireNonNull(pythonType, "pythonType");
        Objects.requireNonNull(display, "display");
    }
}

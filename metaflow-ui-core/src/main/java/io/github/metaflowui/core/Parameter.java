package io.github.metaflowui.core;

import java.util.Objects;

/** A run parameter with its value rendered for display (JSON-like text). */
public record Parameter(String name, ArtifactValue value) {
    public Parameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}

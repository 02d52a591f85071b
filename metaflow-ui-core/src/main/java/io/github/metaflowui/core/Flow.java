package io.github.metaflowui.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A flow: the class name of a Metaflow FlowSpec and when it was first registered. */
public record Flow(String name, Optional<String> userName, Instant createdAt, List<String> tags,
                   List<String> systemTags) {
    public Flow {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(userName, "userName");
        Objects.requireNonNull(createdAt, "createdAt");
        tags = List.copyOf(tags);
        systemTags = List.copyOf(systemTags);
    }

    public static Flow of(String name, Instant createdAt) {
        return new Flow(name, Optional.empty(), createdAt, List.of(), List.of());
    }
}

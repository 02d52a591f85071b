package io.github.metaflowui.client.service;

import java.util.Objects;

/**
 * Where a task's files live, as its metadata records it.
 *
 * @param type the {@code ds-type} metadata: {@code local}, {@code s3}, {@code azure}, {@code gs}, ...
 * @param root the {@code ds-root} metadata, e.g. {@code /home/alice/flows/.metaflow} or {@code s3://bucket/metaflow}
 */
public record DatastoreLocation(String type, String root) {
    public DatastoreLocation {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(root, "root");
    }

    @Override
    public String toString() {
        return type + " datastore at " + root;
    }
}

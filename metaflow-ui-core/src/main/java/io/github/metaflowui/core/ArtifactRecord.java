package io.github.metaflowui.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A pointer to an artifact of one attempt (never the pickled value).
 *
 * @param name        artifact name; names starting with {@code _} are Metaflow's own
 * @param attemptId   the attempt that produced it
 * @param sha         SHA-1 of the serialized blob, its key in the content-addressed store
 * @param location    {@code :root:<ds_root>} or a full object URL
 * @param dsType      {@code local}, {@code s3}, {@code azure}, {@code gs}
 * @param contentType serializer encoding, e.g. {@code pickle-v4}
 * @param pythonType  the Python type when the datastore recorded it ({@code <class 'int'>})
 * @param size        the serialized size in bytes, when recorded
 * @param timestamp   when it was registered
 */
public record ArtifactRecord(String name, int attemptId, String sha, String location, String dsType,
                             String contentType, Optional<String> pythonType, OptionalLong size,
                             Instant timestamp) {
    public ArtifactRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha, "sha");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(dsType, "dsType");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(pythonType, "pythonType");
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /** True for Metaflow's internal artifacts ({@code _task_ok}, {@code _graph_info}, ...). */
    public boolean isInternal() {
        return name.startsWith("_");
    }
}

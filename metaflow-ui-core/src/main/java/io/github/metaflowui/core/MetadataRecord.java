package io.github.metaflowui.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One metadata record of a task, e.g. {@code attempt_ok = "True"} tagged {@code attempt_id:1}.
 *
 * @param id        the backend's record id (a sequence number; for the local store, an ordinal)
 * @param fieldName e.g. {@code attempt}, {@code attempt_ok}, {@code ds-root}
 * @param value     the value as text ({@code "True"}, {@code "0"}, a JSON list for {@code foreach-stack})
 * @param type      the record type, e.g. {@code internal_attempt_status}
 * @param userName  the writer
 * @param timestamp when it was registered
 * @param tags      its own tags, usually {@code attempt_id:N}
 */
public record MetadataRecord(long id, String fieldName, String value, String type, String userName,
                             Instant timestamp, List<String> tags) {
    public MetadataRecord {
        Objects.requireNonNull(fieldName, "fieldName");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(userName, "userName");
        Objects.requireNonNull(timestamp, "timestamp");
        tags = List.copyOf(tags);
    }

    /** The attempt this record belongs to, from its {@code attempt_id:N} tag. */
    public OptionalInt attemptId() {
        for (String t : tags) {
            if (t.startsWith("attempt_id:")) {
                String n = t.substring("attempt_id:".length());
                if (Ids.isDigits(n) && n.length() < 10) {
                    return OptionalInt.of(Integer.parseInt(n));
                }
            }
        }
        return OptionalInt.empty();
    }
}

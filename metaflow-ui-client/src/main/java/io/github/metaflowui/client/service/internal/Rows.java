package io.github.metaflowui.client.service.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.client.http.internal.Json;
import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.MetadataRecord;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The metadata service's objects (contract §2.3) as small records, decoded leniently. */
public final class Rows {
    private Rows() {
    }

    public record RunRow(String flow, String id, String userName, Optional<String> user, long ts, List<String> tags,
                         List<String> systemTags, Optional<Long> heartbeatSec, Optional<String> status) {
        /** The verified owner, else the recorded user name. */
        public String displayUser() {
            return user.orElse(userName);
        }

        public boolean hasTag(String tag) {
            return tags.contains(tag) || systemTags.contains(tag);
        }
    }

    public record StepRow(String name, long ts) {
    }

    public record TaskRow(String step, String id, long ts, Optional<Long> heartbeatSec) {
    }

    public record MetaRow(long id, String step, String taskId, String field, String value, String type,
                          String userName, long ts, List<String> tags) {
        public Optional<Integer> attemptTag() {
            for (String t : tags) {
                if (t.startsWith("attempt_id:")) {
                    return parseAttempt(t.substring("attempt_id:".length()));
                }
            }
            return Optional.empty();
        }

        public MetadataRecord toRecord() {
            return new MetadataRecord(id, field, value, type, userName, Instant.ofEpochMilli(ts), tags);
        }
    }

    /** Parses an attempt number ({@code "0"}, {@code "12"}); anything else is empty. */
    public static Optional<Integer> parseAttempt(String s) {
        String v = s.trim();
        if (v.isEmpty() || v.length() > 6) {
            return Optional.empty();
        }
        for (int i = 0; i < v.length(); i++) {
            if (!Character.isDigit(v.charAt(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(Integer.parseInt(v));
    }

    public static Flow flow(JsonNode n) {
        return new Flow(Json.requiredText(n, "flow_id", "flow"), Json.text(n, "user_name"),
                Instant.ofEpochMilli(Json.longValue(n, "ts_epoch").orElse(0L)), Json.strings(n, "tags"),
                Json.strings(n, "system_tags"));
    }

    public static RunRow run(JsonNode n) {
        String flow = Json.requiredText(n, "flow_id", "run");
        String id = Json.requiredText(n, "run_number", "run");
        String userName = Json.text(n, "user_name").orElse("");
        List<String> systemTags = Json.strings(n, "system_tags");
        Optional<String> user = Json.text(n, "user");
        if (user.isEmpty() && !userName.isEmpty() && systemTags.contains("user:" + userName)) {
            user = Optional.of(userName);
        }
        return new RunRow(flow, id, userName, user, Json.requiredLong(n, "ts_epoch", "run"), Json.strings(n, "tags"),
                systemTags, Json.longValue(n, "last_heartbeat_ts"), Json.text(n, "status"));
    }

    public static StepRow step(JsonNode n) {
        return new StepRow(Json.requiredText(n, "step_name", "step"), Json.longValue(n, "ts_epoch").orElse(0L));
    }

    public static TaskRow task(JsonNode n) {
        return new TaskRow(Json.requiredText(n, "step_name", "task"), Json.requiredText(n, "task_id", "task"),
                Json.longValue(n, "ts_epoch").orElse(0L), Json.longValue(n, "last_heartbeat_ts"));
    }

    public static MetaRow meta(JsonNode n) {
        JsonNode v = n.get("value");
        String value = v == null || v.isNull() ? "" : v.isTextual() ? v.asText() : v.toString();
        return new MetaRow(Json.longValue(n, "id").orElse(0L), Json.text(n, "step_name").orElse(""),
                Json.text(n, "task_id").orElse(""), Json.requiredText(n, "field_name", "metadata record"), value,
                Json.text(n, "type").orElse(""), Json.text(n, "user_name").orElse(""),
                Json.longValue(n, "ts_epoch").orElse(0L), Json.strings(n, "tags"));
    }

    public static ArtifactRecord artifact(JsonNode n) {
        return new ArtifactRecord(Json.requiredText(n, "name", "artifact"),
                Json.longValue(n, "attempt_id").orElse(0L).intValue(), Json.text(n, "sha").orElse(""),
                Json.text(n, "location").orElse(""), Json.text(n, "ds_type").orElse(""),
                Json.text(n, "content_type").orElse(""), Optional.empty(), OptionalLong.empty(),
                Instant.ofEpochMilli(Json.longValue(n, "ts_epoch").orElse(0L)));
    }
}

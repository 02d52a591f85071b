package io.github.metaflowui.client.http.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.metaflowui.core.MetaflowException.DecodeException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Lenient readers of the services' JSON fields: ids that are numbers or strings, nullable lists, ms times. */
public final class Json {
    /**
     * Shared, thread-safe mapper. Strings may be long (a log line can be 100,000 characters and more),
     * so the string length limit is raised to 64 MiB.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(64 * 1024 * 1024)
                            .build())
                    .build())
            .build();

    private Json() {
    }

    /** The field as text: strings as they are, numbers in their exact integer form; empty when absent or null. */
    public static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return Optional.empty();
        }
        if (v.isTextual() || v.isNumber() || v.isBoolean()) {
            return Optional.of(v.asText());
        }
        return Optional.of(v.toString());
    }

    /** The field as text, or a {@link DecodeException} naming what is missing. */
    public static String requiredText(JsonNode node, String field, String what) {
        return text(node, field).filter(s -> !s.isEmpty())
                .orElseThrow(() -> new DecodeException(what + " without '" + field + "': " + excerpt(node)));
    }

    /** An integral field (a number or a string of digits), empty when absent, null or not integral. */
    public static Optional<Long> longValue(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return Optional.of(v.asLong());
        }
        if (v.isNumber()) {
            return Optional.of((long) v.asDouble());
        }
        if (v.isTextual()) {
            try {
                return Optional.of(Long.parseLong(v.asText().trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    public static long requiredLong(JsonNode node, String field, String what) {
        return longValue(node, field)
                .orElseThrow(() -> new DecodeException(what + " without a numeric '" + field + "': " + excerpt(node)));
    }

    /** Epoch milliseconds to an instant. */
    public static Optional<Instant> millis(JsonNode node, String field) {
        return longValue(node, field).map(Instant::ofEpochMilli);
    }

    /** Epoch seconds to an instant. */
    public static Optional<Instant> seconds(JsonNode node, String field) {
        return longValue(node, field).map(Instant::ofEpochSecond);
    }

    /** A list of strings; null or absent is empty, non-string elements are skipped. */
    public static List<String> strings(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            if (e.isTextual()) {
                out.add(e.asText());
            }
        }
        return out;
    }

    /** At most 200 characters of the node's JSON text, for messages. */
    public static String excerpt(JsonNode node) {
        String s = node.toString();
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}

package io.github.metaflowui.servlet.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.spi.MetaflowBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What started a run, from the {@code execution-triggers} metadata Metaflow records on the start
 * task of a triggered deployment (Argo Workflows' {@code @trigger} / {@code @trigger_on_finish}):
 * a JSON list of {@code {"timestamp": <epoch s>, "id": ..., "name": ..., "type": "event"|"run"}}.
 * For a {@code run} trigger the id is the pathspec of the triggering run's end task
 * ({@code Flow/run/end/task}); for an {@code event} it is the event's id.
 */
final class Triggers {
    static final String FIELD = "execution-triggers";
    private static final Logger LOG = LoggerFactory.getLogger(Triggers.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_TRIGGERS = 100;
    private static final int MAX_TEXT = 1000;
    /** Epoch values below this are seconds (year 5138 in seconds is above it). */
    private static final long SECONDS_BELOW = 100_000_000_000L;

    /** One trigger; {@code flow}/{@code run} set when the id is a Metaflow pathspec of a {@code run} trigger. */
    record Trigger(String type, String name, String id, Long timestampMillis, String flow, String run) {
    }

    private Triggers() {
    }

    /**
     * The run's triggers, read from its {@code start} step's first task (the newest attempt that
     * recorded them); empty when none are recorded or they cannot be read.
     */
    static List<Trigger> of(MetaflowBackend backend, RunRef run) {
        Optional<MetadataRecord> record;
        try {
            List<Task> starts = backend.listTasks(run, TaskQuery.ofStep("start"), PageRequest.first(1)).items();
            if (starts.isEmpty()) {
                return List.of();
            }
            record = backend.metadata(starts.get(0).ref()).stream()
                    .filter(m -> FIELD.equals(m.fieldName()))
                    .max(Comparator.comparingInt((MetadataRecord m) -> m.attemptId().orElse(-1))
                            .thenComparing(MetadataRecord::timestamp));
        } catch (MetaflowException e) {
            // the run itself was read: show it without its triggers rather than fail the page
            LOG.warn("Cannot read the triggers of run {}: {}", Bounded.text(run.toString(), Bounded.URI),
                    Bounded.text(String.valueOf(e.getMessage()), Bounded.MESSAGE));
            return List.of();
        }
        return record.map(r -> parse(r.value(), run)).orElse(List.of());
    }

    static List<Trigger> parse(String value, RunRef run) {
        JsonNode list;
        try {
            list = MAPPER.readTree(value);
        } catch (IOException e) {
            LOG.debug("execution-triggers of run {} is not JSON: {}", run, e.getMessage());
            return List.of();
        }
        if (list == null || !list.isArray()) {
            return List.of();
        }
        List<Trigger> out = new ArrayList<>();
        for (JsonNode t : list) {
            if (out.size() == MAX_TRIGGERS) {
                break;
            }
            if (!t.isObject()) {
                continue;
            }
            String type = text(t.get("type"));
            String id = text(t.get("id"));
            String flow = null;
            String runId = null;
            if ("run".equals(type) && id != null) {
                String[] parts = id.split("/");
                if (parts.length >= 2 && !parts[0].isBlank() && !parts[1].isBlank()) {
                    flow = parts[0];
                    runId = parts[1];
                }
            }
            out.add(new Trigger(type, text(t.get("name")), id, millis(t.get("timestamp")), flow, runId));
        }
        return out;
    }

    private static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isContainerNode()) {
            return null;
        }
        String s = n.asText();
        return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
    }

    private static Long millis(JsonNode n) {
        if (n == null || !(n.isNumber() || n.isTextual())) {
            return null;
        }
        double v;
        try {
            v = n.isNumber() ? n.asDouble() : Double.parseDouble(n.asText().trim());
        } catch (NumberFormatException e) {
            return null;
        }
        if (!Double.isFinite(v) || v <= 0) {
            return null;
        }
        return v < SECONDS_BELOW ? Math.round(v * 1000) : Math.round(v);
    }

    /** {@code "triggers": [{"type", "name", "id", "timestamp", "flow_id", "run_id"}]}. */
    static void write(JsonGenerator g, List<Trigger> triggers) throws IOException {
        g.writeArrayFieldStart("triggers");
        for (Trigger t : triggers) {
            g.writeStartObject();
            Json.str(g, "type", t.type());
            Json.str(g, "name", t.name());
            Json.str(g, "id", t.id());
            if (t.timestampMillis() != null) {
                g.writeNumberField("timestamp", t.timestampMillis());
            } else {
                g.writeNullField("timestamp");
            }
            Json.str(g, "flow_id", t.flow());
            Json.str(g, "run_id", t.run());
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}

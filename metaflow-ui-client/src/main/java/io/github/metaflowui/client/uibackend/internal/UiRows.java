package io.github.metaflowui.client.uibackend.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.client.http.internal.Json;
import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Dag;
import io.github.metaflowui.core.DagStep;
import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.StatusRules;
import io.github.metaflowui.core.StepType;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskRef;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** The UI backend's "expanded" objects (contract §3.5) as core types. */
public final class UiRows {
    private UiRows() {
    }

    /** The run id as the UI shows it: {@code run} (string id if set, else the number). */
    public static String runId(JsonNode n) {
        return Json.text(n, "run").or(() -> Json.text(n, "run_id")).or(() -> Json.text(n, "run_number"))
                .orElseThrow(() -> new io.github.metaflowui.core.MetaflowException.DecodeException(
                        "run without 'run' or 'run_number': " + Json.excerpt(n)));
    }

    /** The task id as exposed: {@code task_name} if set, else {@code task_id}. */
    public static String taskId(JsonNode n) {
        return Json.text(n, "task_name").filter(s -> !s.isBlank()).or(() -> Json.text(n, "task_id"))
                .orElseThrow(() -> new io.github.metaflowui.core.MetaflowException.DecodeException(
                        "task without 'task_id': " + Json.excerpt(n)));
    }

    public static Flow flow(JsonNode n) {
        return new Flow(Json.requiredText(n, "flow_id", "flow"), Json.text(n, "user_name"),
                Instant.ofEpochMilli(Json.longValue(n, "ts_epoch").orElse(0L)), Json.strings(n, "tags"),
                Json.strings(n, "system_tags"));
    }

    public static Run run(JsonNode n, Clock clock) {
        String flow = Json.requiredText(n, "flow_id", "run");
        RunRef ref = RunRef.of(flow, runId(n));
        String userName = Json.text(n, "user_name").orElse("");
        Optional<String> user = Json.text(n, "user");
        Instant created = Instant.ofEpochMilli(Json.requiredLong(n, "ts_epoch", "run"));
        Optional<Instant> finished = Json.millis(n, "finished_at");
        Optional<Duration> duration = Json.longValue(n, "duration").map(Duration::ofMillis);
        Optional<Instant> heartbeat = Json.seconds(n, "last_heartbeat_ts");
        Status status = Status.fromWire(Json.text(n, "status").orElse(null));
        return new Run(ref, userName, user, created, Json.strings(n, "tags"), Json.strings(n, "system_tags"),
                StatusInfo.of(status, runReason(status, Json.text(n, "status").orElse(""), finished, heartbeat, clock)),
                finished, duration, heartbeat);
    }

    private static String runReason(Status s, String wire, Optional<Instant> finished, Optional<Instant> heartbeat,
                                    Clock clock) {
        switch (s) {
            case COMPLETED:
                return "end step succeeded";
            case RUNNING:
                return heartbeat.map(hb -> "heartbeat " + StatusRules.human(Duration.between(hb, clock.instant()))
                        + " ago").orElse("running (reported by the UI backend)");
            case FAILED:
                if (heartbeat.isPresent() && finished.isPresent() && finished.get().equals(heartbeat.get())) {
                    return "no heartbeat for " + StatusRules.human(Duration.between(heartbeat.get(), clock.instant()))
                            + " and the end step did not finish (runs are presumed dead after "
                            + StatusRules.human(StatusRules.RUN_INACTIVE_CUTOFF) + ")";
                }
                return finished.isPresent() ? "end step failed" : "failed (reported by the UI backend)";
            default:
                return "the UI backend reported the status '" + wire + "'";
        }
    }

    /** One attempt row of a task list. */
    public static Attempt attempt(JsonNode n) {
        int id = Json.longValue(n, "attempt_id").orElse(0L).intValue();
        String wire = Json.text(n, "status").orElse("");
        Status s = Status.fromWire(wire);
        String a = "attempt " + id;
        String reason;
        switch (s) {
            case COMPLETED:
                reason = a + " succeeded";
                break;
            case FAILED:
                reason = a + " failed";
                break;
            case RUNNING:
                reason = a + " running";
                break;
            case PENDING:
                reason = "registered, not started yet";
                break;
            default:
                reason = "unknown".equals(wire) ? a + " finished but its outcome (attempt_ok) is not recorded"
                        : "the UI backend reported the status '" + wire + "'";
        }
        return new Attempt(id, StatusInfo.of(s, reason), Json.millis(n, "started_at"), Json.millis(n, "finished_at"));
    }

    /** A task from its attempt rows (any order; at least one). */
    public static Task task(RunRef run, List<JsonNode> attemptRows) {
        JsonNode first = attemptRows.get(0);
        TaskRef ref = run.step(Json.requiredText(first, "step_name", "task")).task(taskId(first));
        Map<Integer, Attempt> byId = new LinkedHashMap<>();
        Optional<String> label = Optional.empty();
        for (JsonNode r : attemptRows) {
            Attempt a = attempt(r);
            byId.putIfAbsent(a.id(), a);
            if (label.isEmpty()) {
                label = Json.text(r, "foreach_label").filter(s -> !s.isBlank());
            }
        }
        List<Attempt> attempts = new ArrayList<>(byId.values());
        attempts.sort(Comparator.comparingInt(Attempt::id));
        long ts = attemptRows.stream().mapToLong(r -> Json.longValue(r, "ts_epoch").orElse(0L)).min().orElse(0L);
        return new Task(ref, Instant.ofEpochMilli(ts), attempts, StatusRules.taskStatus(attempts), label);
    }

    public static MetadataRecord metadata(JsonNode n) {
        JsonNode v = n.get("value");
        String value = v == null || v.isNull() ? "" : v.isTextual() ? v.asText() : v.toString();
        return new MetadataRecord(Json.longValue(n, "id").orElse(0L), Json.requiredText(n, "field_name", "metadata record"),
                value, Json.text(n, "type").orElse(""), Json.text(n, "user_name").orElse(""),
                Instant.ofEpochMilli(Json.longValue(n, "ts_epoch").orElse(0L)), Json.strings(n, "tags"));
    }

    public static ArtifactRecord artifact(JsonNode n) {
        return new ArtifactRecord(Json.requiredText(n, "name", "artifact"),
                Json.longValue(n, "attempt_id").orElse(0L).intValue(), Json.text(n, "sha").orElse(""),
                Json.text(n, "location").orElse(""), Json.text(n, "ds_type").orElse(""),
                Json.text(n, "content_type").orElse(""), Optional.empty(), OptionalLong.empty(),
                Instant.ofEpochMilli(Json.longValue(n, "ts_epoch").orElse(0L)));
    }

    /** The {@code _graph_info} shape (contract §3.8) as a {@link Dag}. */
    public static Dag dag(String flow, JsonNode d) {
        Map<String, DagStep> steps = new LinkedHashMap<>();
        JsonNode st = d.path("steps");
        for (var e : st.properties()) {
            JsonNode s = e.getValue();
            Map<String, String> cases = new LinkedHashMap<>();
            JsonNode sc = s.path("switch_cases");
            if (sc.isObject()) {
                sc.properties().forEach(c -> cases.put(c.getKey(), c.getValue().asText()));
            }
            List<String> decorators = new ArrayList<>();
            for (JsonNode dec : s.path("decorators")) {
                if (dec.isTextual()) {
                    decorators.add(dec.asText());
                } else if (dec.has("name")) {
                    decorators.add(dec.get("name").asText());
                }
            }
            steps.put(e.getKey(), new DagStep(Json.text(s, "name").orElse(e.getKey()),
                    StepType.fromWire(Json.text(s, "type").orElse("")), Json.strings(s, "next"),
                    Json.text(s, "doc").orElse(""), Json.text(s, "foreach_artifact").filter(x -> !x.isBlank()),
                    Json.text(s, "matching_join").filter(x -> !x.isBlank()), cases, decorators,
                    Json.longValue(s, "line").orElse(0L).intValue()));
        }
        return new Dag(flow, Json.text(d, "start_step").orElse("start"), Json.text(d, "end_step").orElse("end"),
                Json.text(d, "doc").orElse(""), steps, structure(d.path("graph_structure")));
    }

    private static List<Object> structure(JsonNode node) {
        List<Object> out = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode e : node) {
                if (e.isTextual()) {
                    out.add(e.asText());
                } else if (e.isArray()) {
                    out.add(structure(e));
                }
            }
        }
        return out;
    }

    /** The Python type name a JSON value would have. */
    public static String pythonType(JsonNode v) {
        if (v == null || v.isNull()) {
            return "NoneType";
        }
        if (v.isBoolean()) {
            return "bool";
        }
        if (v.isIntegralNumber()) {
            return "int";
        }
        if (v.isNumber()) {
            return "float";
        }
        if (v.isTextual()) {
            return "str";
        }
        if (v.isArray()) {
            return "list";
        }
        return "dict";
    }
}

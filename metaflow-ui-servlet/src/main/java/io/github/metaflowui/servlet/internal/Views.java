package io.github.metaflowui.servlet.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.ArtifactValue;
import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Dag;
import io.github.metaflowui.core.DagStep;
import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.Parameter;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskCounts;
import io.github.metaflowui.core.TaskRef;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static io.github.metaflowui.servlet.internal.Json.durationBetween;
import static io.github.metaflowui.servlet.internal.Json.millis;
import static io.github.metaflowui.servlet.internal.Json.optMillis;
import static io.github.metaflowui.servlet.internal.Json.optSeconds;
import static io.github.metaflowui.servlet.internal.Json.optStr;
import static io.github.metaflowui.servlet.internal.Json.str;
import static io.github.metaflowui.servlet.internal.Json.strings;

/**
 * The JSON shapes of the API, close to the Metaflow UI backend's "expanded" resources. Ids are
 * strings (run ids and task ids are never numbers here); times are epoch milliseconds, except
 * {@code last_heartbeat_ts} in seconds, as upstream.
 */
public final class Views {
    private Views() {
    }

    public static void flow(JsonGenerator g, Flow f) throws IOException {
        g.writeStartObject();
        str(g, "flow_id", f.name());
        optStr(g, "user_name", f.userName());
        millis(g, "ts_epoch", f.createdAt());
        strings(g, "tags", f.tags());
        strings(g, "system_tags", f.systemTags());
        g.writeEndObject();
    }

    public static void run(JsonGenerator g, Run r) throws IOException {
        run(g, r, null);
    }

    /** A run with its {@code triggers} (see {@link Triggers}) when they were looked up (not null). */
    static void run(JsonGenerator g, Run r, List<Triggers.Trigger> triggers) throws IOException {
        String id = r.id().value();
        g.writeStartObject();
        str(g, "flow_id", r.flow());
        str(g, "run_number", id);
        str(g, "run_id", id);
        str(g, "run", id);
        str(g, "user_name", r.userName());
        optStr(g, "user", r.user());
        status(g, r.status().status(), r.status().reason());
        millis(g, "ts_epoch", r.createdAt());
        optMillis(g, "finished_at", r.finishedAt());
        durationBetween(g, "duration", Optional.of(r.createdAt()), r.finishedAt(), r.duration());
        optSeconds(g, "last_heartbeat_ts", r.lastHeartbeat());
        strings(g, "tags", r.tags());
        strings(g, "system_tags", r.systemTags());
        if (r.systemTag("project").isPresent()) {
            str(g, "project", r.systemTag("project").get());
        }
        if (r.systemTag("project_branch").isPresent()) {
            str(g, "branch", r.systemTag("project_branch").get());
        }
        if (triggers != null) {
            Triggers.write(g, triggers);
        }
        g.writeEndObject();
    }

    private static void runFields(JsonGenerator g, RunRef run) throws IOException {
        str(g, "flow_id", run.flow());
        str(g, "run_number", run.run().value());
        str(g, "run_id", run.run().value());
    }

    private static void taskFields(JsonGenerator g, TaskRef task) throws IOException {
        runFields(g, task.run());
        str(g, "step_name", task.step().step());
        str(g, "task_id", task.task().value());
    }

    private static void status(JsonGenerator g, Status status, String reason) throws IOException {
        str(g, "status", status.wireName());
        str(g, "status_reason", reason);
    }

    public static void step(JsonGenerator g, Step s) throws IOException {
        g.writeStartObject();
        runFields(g, s.ref().run());
        str(g, "step_name", s.name());
        millis(g, "ts_epoch", s.createdAt());
        optMillis(g, "started_at", s.startedAt());
        optMillis(g, "finished_at", s.finishedAt());
        durationBetween(g, "duration", s.startedAt(), s.finishedAt(), s.duration());
        status(g, s.status().status(), s.status().reason());
        TaskCounts c = s.counts();
        g.writeObjectFieldStart("task_counts");
        g.writeNumberField("pending", c.pending());
        g.writeNumberField("running", c.running());
        g.writeNumberField("completed", c.completed());
        g.writeNumberField("failed", c.failed());
        g.writeNumberField("unknown", c.unknown());
        g.writeNumberField("total", c.total());
        g.writeEndObject();
        g.writeEndObject();
    }

    /** A step summarised: counts, attempts, first start, last finish, duration percentiles and histogram. */
    public static void aggregates(JsonGenerator g, io.github.metaflowui.core.StepAggregates a) throws IOException {
        g.writeStartObject();
        runFields(g, a.step().run());
        str(g, "step_name", a.step().step());
        TaskCounts c = a.counts();
        g.writeObjectFieldStart("task_counts");
        g.writeNumberField("pending", c.pending());
        g.writeNumberField("running", c.running());
        g.writeNumberField("completed", c.completed());
        g.writeNumberField("failed", c.failed());
        g.writeNumberField("unknown", c.unknown());
        g.writeNumberField("total", c.total());
        g.writeEndObject();
        g.writeNumberField("attempts", a.attempts());
        g.writeNumberField("retried_tasks", a.retriedTasks());
        optMillis(g, "started_at", a.firstStartedAt());
        optMillis(g, "finished_at", a.lastFinishedAt());
        io.github.metaflowui.core.DurationStats d = a.durations();
        g.writeObjectFieldStart("durations");
        g.writeNumberField("count", d.count());
        durationMillis(g, "min", d.min());
        durationMillis(g, "p50", d.p50());
        durationMillis(g, "p90", d.p90());
        durationMillis(g, "p99", d.p99());
        durationMillis(g, "max", d.max());
        g.writeArrayFieldStart("histogram");
        for (io.github.metaflowui.core.DurationStats.Bucket b : d.histogram()) {
            g.writeStartObject();
            g.writeNumberField("from", b.from().toMillis());
            durationMillis(g, "to", b.to());
            g.writeNumberField("count", b.count());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void durationMillis(JsonGenerator g, String field, Optional<java.time.Duration> d) throws IOException {
        if (d.isPresent()) {
            g.writeNumberField(field, d.get().toMillis());
        } else {
            g.writeNullField(field);
        }
    }

    /** One row per task: its latest attempt's status, the task's times. */
    public static void task(JsonGenerator g, Task t, boolean withAttempts) throws IOException {
        g.writeStartObject();
        taskFields(g, t.ref());
        status(g, t.status().status(), t.status().reason());
        g.writeNumberField("attempt_id", t.currentAttempt());
        g.writeNumberField("attempt_count", t.attempts().size());
        millis(g, "ts_epoch", t.createdAt());
        optMillis(g, "started_at", t.startedAt());
        optMillis(g, "finished_at", t.finishedAt());
        durationBetween(g, "duration", t.startedAt(), t.finishedAt(), t.duration());
        optStr(g, "foreach_label", t.foreachLabel());
        if (withAttempts) {
            g.writeArrayFieldStart("attempts");
            List<Attempt> attempts = t.attempts();
            for (int i = attempts.size() - 1; i >= 0; i--) {
                Attempt a = attempts.get(i);
                g.writeStartObject();
                g.writeNumberField("attempt_id", a.id());
                status(g, a.status().status(), a.status().reason());
                optMillis(g, "started_at", a.startedAt());
                optMillis(g, "finished_at", a.finishedAt());
                durationBetween(g, "duration", a.startedAt(), a.finishedAt(), a.duration());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    /** One attempt of a task, as a row of {@code .../attempts}. */
    public static void attempt(JsonGenerator g, Task t, Attempt a) throws IOException {
        g.writeStartObject();
        taskFields(g, t.ref());
        g.writeNumberField("attempt_id", a.id());
        status(g, a.status().status(), a.status().reason());
        millis(g, "ts_epoch", t.createdAt());
        optMillis(g, "started_at", a.startedAt());
        optMillis(g, "finished_at", a.finishedAt());
        durationBetween(g, "duration", a.startedAt(), a.finishedAt(), a.duration());
        optStr(g, "foreach_label", t.foreachLabel());
        g.writeEndObject();
    }

    public static void metadata(JsonGenerator g, TaskRef task, MetadataRecord m) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", m.id());
        taskFields(g, task);
        str(g, "field_name", m.fieldName());
        str(g, "value", m.value());
        str(g, "type", m.type());
        str(g, "user_name", m.userName());
        millis(g, "ts_epoch", m.timestamp());
        strings(g, "tags", m.tags());
        OptionalInt attempt = m.attemptId();
        if (attempt.isPresent()) {
            g.writeNumberField("attempt_id", attempt.getAsInt());
        } else {
            g.writeNullField("attempt_id");
        }
        g.writeEndObject();
    }

    public static void artifact(JsonGenerator g, TaskRef task, ArtifactRecord a) throws IOException {
        g.writeStartObject();
        taskFields(g, task);
        str(g, "name", a.name());
        g.writeNumberField("attempt_id", a.attemptId());
        str(g, "sha", a.sha());
        str(g, "location", a.location());
        str(g, "ds_type", a.dsType());
        str(g, "content_type", a.contentType());
        optStr(g, "type", a.pythonType());
        if (a.size().isPresent()) {
            g.writeNumberField("size", a.size().getAsLong());
        } else {
            g.writeNullField("size");
        }
        millis(g, "ts_epoch", a.timestamp());
        g.writeEndObject();
    }

    /** True when the value's display text can be embedded as the JSON value itself. */
    public static boolean embeddable(ArtifactValue v) {
        return v.rendered() && !v.truncated() && Json.isSingleValue(v.display());
    }

    /** An artifact value: the value as JSON when it can be, the display text always. */
    public static void artifactValue(JsonGenerator g, String name, int attempt, ArtifactValue v) throws IOException {
        g.writeStartObject();
        str(g, "name", name);
        g.writeNumberField("attempt_id", attempt);
        str(g, "type", v.pythonType());
        g.writeFieldName("value");
        if (embeddable(v)) {
            Json.copyValue(g, v.display());
        } else {
            g.writeNull();
        }
        str(g, "display", v.display());
        g.writeBooleanField("rendered", v.rendered());
        g.writeBooleanField("truncated", v.truncated());
        g.writeBooleanField("available", v.available());
        optStr(g, "reason", v.unavailableReason());
        g.writeEndObject();
    }

    /** An artifact whose record exists but whose value this data source cannot read. */
    public static void unavailableArtifactValue(JsonGenerator g, ArtifactRecord a) throws IOException {
        g.writeStartObject();
        str(g, "name", a.name());
        g.writeNumberField("attempt_id", a.attemptId());
        optStr(g, "type", a.pythonType());
        g.writeNullField("value");
        str(g, "display", "the value of this artifact cannot be read from this data source");
        g.writeBooleanField("rendered", false);
        g.writeBooleanField("truncated", false);
        g.writeBooleanField("available", false);
        str(g, "reason", "this data source cannot read artifact values");
        g.writeEndObject();
    }

    /**
     * {@code {"name": {"value": <json>}}}, or the display form with its flags when it is not plain JSON,
     * or {@code {"value": null, "available": false, "reason": ...}} when it cannot be read.
     */
    public static void parameters(JsonGenerator g, List<Parameter> parameters) throws IOException {
        g.writeStartObject();
        for (Parameter p : parameters) {
            ArtifactValue v = p.value();
            g.writeObjectFieldStart(p.name());
            g.writeFieldName("value");
            if (!v.available()) {
                g.writeNull();
                g.writeBooleanField("available", false);
                str(g, "reason", v.unavailableReason().orElse(""));
                str(g, "type", v.pythonType());
            } else if (embeddable(v)) {
                Json.copyValue(g, v.display());
            } else {
                g.writeString(v.display());
                g.writeBooleanField("truncated", v.truncated());
                g.writeBooleanField("rendered", v.rendered());
                str(g, "type", v.pythonType());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /** The run's graph, mirroring Metaflow's {@code _graph_info}. */
    public static void dag(JsonGenerator g, Dag d) throws IOException {
        g.writeStartObject();
        str(g, "flow_name", d.flowName());
        str(g, "start_step", d.startStep());
        str(g, "end_step", d.endStep());
        str(g, "doc", d.doc());
        g.writeObjectFieldStart("steps");
        for (Map.Entry<String, DagStep> e : d.steps().entrySet()) {
            DagStep s = e.getValue();
            g.writeObjectFieldStart(e.getKey());
            str(g, "name", s.name());
            str(g, "type", s.type().wireName());
            strings(g, "next", s.next());
            str(g, "doc", s.doc());
            optStr(g, "foreach_artifact", s.foreachArtifact());
            optStr(g, "matching_join", s.matchingJoin());
            g.writeObjectFieldStart("switch_cases");
            for (Map.Entry<String, String> c : new java.util.TreeMap<>(s.switchCases()).entrySet()) {
                g.writeStringField(c.getKey(), c.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("decorators");
            for (String dec : s.decorators()) {
                g.writeStartObject();
                g.writeStringField("name", dec);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("line", s.line());
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeFieldName("graph_structure");
        structure(g, d.graphStructure());
        g.writeEndObject();
    }

    private static void structure(JsonGenerator g, List<?> items) throws IOException {
        g.writeStartArray();
        for (Object o : items) {
            if (o instanceof List<?> l) {
                structure(g, l);
            } else {
                g.writeString(String.valueOf(o));
            }
        }
        g.writeEndArray();
    }

    public static void logLine(JsonGenerator g, LogLine l) throws IOException {
        g.writeStartObject();
        g.writeNumberField("row", l.row());
        optMillis(g, "timestamp", l.timestamp());
        str(g, "line", l.text());
        g.writeEndObject();
    }
}

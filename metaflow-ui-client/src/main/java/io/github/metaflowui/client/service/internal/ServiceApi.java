package io.github.metaflowui.client.service.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.client.http.internal.HttpTransport;
import io.github.metaflowui.client.http.internal.JsonBodies;
import io.github.metaflowui.client.http.internal.Query;
import io.github.metaflowui.client.service.internal.Rows.MetaRow;
import io.github.metaflowui.client.service.internal.Rows.RunRow;
import io.github.metaflowui.client.service.internal.Rows.StepRow;
import io.github.metaflowui.client.service.internal.Rows.TaskRow;
import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.TaskRef;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import static io.github.metaflowui.client.http.internal.HttpTransport.path;

/** The metadata service's read endpoints (contract §2.2), one method per request. */
public final class ServiceApi {
    /** Steps that are Metaflow's own and never shown. */
    public static final String PARAMETERS_STEP = "_parameters";

    private final HttpTransport http;

    public ServiceApi(HttpTransport http) {
        this.http = http;
    }

    public HttpTransport http() {
        return http;
    }

    /** {@code GET /flows}: every flow (the unpaginated array, streamed). */
    public void flows(Consumer<Flow> sink) {
        http.get("/flows", Query.empty(), (info, body) -> JsonBodies.forEachElement(body, n -> {
            sink.accept(Rows.flow(n));
            return true;
        }));
    }

    public Optional<Flow> flow(String flow) {
        return http.getIfFound(path("flows", flow), Query.empty(), (info, body) -> Rows.flow(JsonBodies.readValue(body)));
    }

    public Optional<RunRow> run(RunRef run) {
        return http.getIfFound(path("flows", run.flow(), "runs", run.run().value()), Query.empty(),
                (info, body) -> Rows.run(JsonBodies.readValue(body)));
    }

    /** {@code GET R/steps}, including {@code _parameters}. */
    public List<StepRow> steps(RunRef run) {
        List<StepRow> out = new ArrayList<>();
        http.getIfFound(path("flows", run.flow(), "runs", run.run().value(), "steps"), Query.empty(),
                (info, body) -> JsonBodies.forEachElement(body, n -> out.add(Rows.step(n))));
        return out;
    }

    /** {@code GET S/tasks}, the unpaginated array, streamed. */
    public void tasks(RunRef run, String step, Consumer<TaskRow> sink) {
        http.getIfFound(path("flows", run.flow(), "runs", run.run().value(), "steps", step, "tasks"), Query.empty(),
                (info, body) -> JsonBodies.forEachElement(body, n -> {
                    sink.accept(Rows.task(n));
                    return true;
                }));
    }

    public Optional<TaskRow> task(TaskRef task) {
        return http.getIfFound(taskPath(task), Query.empty(), (info, body) -> Rows.task(JsonBodies.readValue(body)));
    }

    /** {@code GET T/metadata}: every record of every attempt. */
    public List<MetaRow> taskMetadata(TaskRef task) {
        List<MetaRow> out = new ArrayList<>();
        http.getIfFound(taskPath(task) + "/metadata", Query.empty(),
                (info, body) -> JsonBodies.forEachElement(body, n -> out.add(Rows.meta(n))));
        return out;
    }

    /**
     * {@code GET R/metadata}, streamed, keeping only the records of the given tasks: one request for the
     * metadata of many tasks.
     */
    public Map<String, List<MetaRow>> runMetadata(RunRef run, Set<String> taskIds) {
        Map<String, List<MetaRow>> out = new HashMap<>();
        http.getIfFound(path("flows", run.flow(), "runs", run.run().value(), "metadata"), Query.empty(),
                (info, body) -> JsonBodies.forEachElement(body, n -> {
                    JsonNode t = n.get("task_id");
                    if (t != null && taskIds.contains(t.asText())) {
                        out.computeIfAbsent(t.asText(), k -> new ArrayList<>()).add(Rows.meta(n));
                    }
                    return true;
                }));
        return out;
    }

    /** {@code GET T/artifacts}: the latest attempt's artifacts. */
    public List<ArtifactRecord> taskArtifacts(TaskRef task) {
        List<ArtifactRecord> out = new ArrayList<>();
        http.getIfFound(taskPath(task) + "/artifacts", Query.empty(),
                (info, body) -> JsonBodies.forEachElement(body, n -> out.add(Rows.artifact(n))));
        return out;
    }

    /** {@code GET T/attempt/N/artifacts}. */
    public List<ArtifactRecord> attemptArtifacts(TaskRef task, int attempt) {
        List<ArtifactRecord> out = new ArrayList<>();
        http.getIfFound(taskPath(task) + "/attempt/" + attempt + "/artifacts", Query.empty(),
                (info, body) -> JsonBodies.forEachElement(body, n -> out.add(Rows.artifact(n))));
        return out;
    }

    /** {@code GET S/artifacts}: the latest attempt's artifacts of every task of a step. */
    public List<ArtifactRecord> stepArtifacts(RunRef run, String step) {
        List<ArtifactRecord> out = new ArrayList<>();
        http.getIfFound(path("flows", run.flow(), "runs", run.run().value(), "steps", step, "artifacts"), Query.empty(),
                (info, body) -> JsonBodies.forEachElement(body, n -> out.add(Rows.artifact(n))));
        return out;
    }

    static String taskPath(TaskRef t) {
        return path("flows", t.run().flow(), "runs", t.run().run().value(), "steps", t.step().step(), "tasks",
                t.task().value());
    }
}

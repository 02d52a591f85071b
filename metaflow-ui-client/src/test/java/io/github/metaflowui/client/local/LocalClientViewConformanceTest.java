package io.github.metaflowui.client.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.ArtifactValue;
import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.Parameter;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares the backend with what Metaflow's own Python client read back from the same directory
 * ({@code client-view/local.json}): one dynamic test per run, covering its status, tags, parameters,
 * steps, task ids, attempts, user artifact values and log line counts, first and last lines.
 */
class LocalClientViewConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter CLIENT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static LocalMetaflowBackend backend;
    private static MetaflowClient client;
    private static JsonNode view;

    @BeforeAll
    static void open() throws IOException {
        backend = LocalFixture.backend();
        client = MetaflowClient.of(backend, 1000);
        view = JSON.readTree(LocalFixture.fixtures().resolve("client-view").resolve("local.json").toFile());
    }

    @TestFactory
    Stream<DynamicTest> every_run_the_python_client_saw_reads_the_same() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, JsonNode> flow : view.properties()) {
            for (JsonNode run : flow.getValue()) {
                String pathspec = run.get("pathspec").asText();
                tests.add(DynamicTest.dynamicTest(pathspec, () -> checkRun(flow.getKey(), run)));
            }
        }
        assertThat(tests).hasSize(18);
        return tests.stream();
    }

    private static void checkRun(String flow, JsonNode expected) throws IOException {
        RunRef ref = RunRef.of(flow, expected.get("id").asText());
        Run run = backend.run(ref).orElseThrow();

        boolean successful = expected.get("successful").asBoolean();
        assertThat(run.status().status()).as("status of %s", ref).isEqualTo(successful ? Status.COMPLETED : Status.FAILED);
        assertThat(run.finishedAt().isPresent()).isEqualTo(run.status().status().isTerminal());
        assertThat(run.createdAt()).isEqualTo(time(expected.get("created_at").asText()));
        assertThat(run.tags()).containsExactlyInAnyOrderElementsOf(strings(expected.get("user_tags")));
        assertThat(run.systemTags()).containsExactlyInAnyOrderElementsOf(strings(expected.get("system_tags")));

        // parameters: the same names and, parsed as JSON, the same values
        JsonNode params = expected.get("params");
        List<Parameter> ours = backend.parameters(ref);
        assertThat(ours).extracting(Parameter::name).containsExactlyInAnyOrderElementsOf(names(params));
        for (Parameter p : ours) {
            assertThat(p.value().rendered()).isTrue();
            assertThat(JSON.readTree(p.value().display())).as("parameter %s", p.name()).isEqualTo(params.get(p.name()));
        }

        // steps: the same set (the client lists them newest first), each with its tasks
        JsonNode steps = expected.get("steps");
        List<Step> ourSteps = backend.steps(ref);
        assertThat(ourSteps).extracting(Step::name).containsExactlyInAnyOrderElementsOf(strings(expected.get("step_order")));
        for (Step step : ourSteps) {
            checkStep(ref, step, steps.get(step.name()));
        }
        if (!expected.get("end_task").isNull()) {
            TaskRef end = TaskRef.parse(expected.get("end_task").asText());
            assertThat(backend.task(end)).isPresent();
        }
    }

    private static void checkStep(RunRef run, Step step, JsonNode expected) throws IOException {
        List<Task> tasks = client.tasks(run, TaskQuery.builder().step(step.name())
                .sort(TaskQuery.Sort.TASK_ID, SortOrder.ASC).build()).toList();
        assertThat(tasks).as("tasks of %s", step.ref()).hasSize(expected.get("num_tasks").asInt());
        assertThat(step.counts().total()).isEqualTo(expected.get("num_tasks").asInt());
        assertThat(tasks.get(0).id().value()).isEqualTo(expected.get("task_ids_min").asText());
        assertThat(tasks.get(tasks.size() - 1).id().value()).isEqualTo(expected.get("task_ids_max").asText());
        for (JsonNode t : expected.get("tasks")) {
            checkTask(TaskRef.parse(t.get("pathspec").asText()), t);
        }
    }

    private static void checkTask(TaskRef ref, JsonNode expected) throws IOException {
        Task task = backend.task(ref).orElseThrow();

        assertThat(task.status().status()).as("status of %s", ref)
                .isEqualTo(expected.get("successful").asBoolean() ? Status.COMPLETED : Status.FAILED);
        assertThat(task.currentAttempt()).isEqualTo(expected.get("current_attempt").asInt());
        List<Integer> attempts = new ArrayList<>();
        expected.get("attempts").forEach(a -> attempts.add(a.asInt()));
        assertThat(task.attempts()).extracting(Attempt::id).containsExactlyElementsOf(attempts);
        assertThat(task.createdAt()).isEqualTo(time(expected.get("created_at").asText()));
        // Metaflow's client dates a task's finish by its _task_ok artifact record; we date an attempt's
        // finish by its attempt-done record, which Metaflow writes just before registering the artifacts
        Instant clientFinish = time(expected.get("finished_at").asText());
        int latest = task.currentAttempt();
        assertThat(backend.artifacts(ref)).filteredOn(a -> a.attemptId() == latest && a.name().equals("_task_ok"))
                .extracting(ArtifactRecord::timestamp).containsExactly(clientFinish);
        assertThat(task.finishedAt()).isEqualTo(backend.metadata(ref).stream()
                .filter(m -> m.fieldName().equals("attempt-done") && m.attemptId().orElse(-1) == latest)
                .map(MetadataRecord::timestamp).findFirst());
        assertThat(task.finishedAt().orElseThrow()).isBeforeOrEqualTo(clientFinish);

        Set<String> fields = backend.metadata(ref).stream().map(MetadataRecord::fieldName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(fields).containsExactlyInAnyOrderElementsOf(strings(expected.get("metadata_fields")));

        int current = task.currentAttempt();
        List<String> artifactNames = backend.artifacts(ref).stream()
                .filter(a -> a.attemptId() == current && !a.isInternal()).map(ArtifactRecord::name)
                .collect(Collectors.toList());
        assertThat(artifactNames).containsExactlyInAnyOrderElementsOf(strings(expected.get("artifacts")));

        JsonNode values = expected.get("user_artifacts");
        for (String name : names(values)) {
            ArtifactValue v = backend.artifactValue(ref, name, -1, 1_000_000).orElseThrow();
            assertThat(v.rendered()).as("%s of %s", name, ref).isTrue();
            assertThat(v.truncated()).isFalse();
            assertThat(JSON.readTree(v.display())).as("%s of %s", name, ref).isEqualTo(values.get(name));
        }

        JsonNode exception = expected.get("exception");
        if (!exception.isNull()) {
            ArtifactValue ex = backend.artifactValue(ref, "_exception", -1, 200).orElseThrow();
            assertThat(ex.pythonType()).isEqualTo("metaflow.exception.MetaflowExceptionWrapper");
            assertThat(ex.rendered()).isFalse();
        }

        for (Map.Entry<String, JsonNode> e : expected.get("per_attempt").properties()) {
            int attempt = Integer.parseInt(e.getKey());
            JsonNode a = e.getValue();
            Attempt ours = task.attempts().stream().filter(x -> x.id() == attempt).findFirst().orElseThrow();
            assertThat(ours.status().status()).as("attempt %d of %s", attempt, ref)
                    .isEqualTo(a.get("successful").asBoolean() ? Status.COMPLETED : Status.FAILED);
            checkLog(ref, LogStream.STDOUT, attempt, a, "stdout");
            checkLog(ref, LogStream.STDERR, attempt, a, "stderr");
        }
    }

    private static void checkLog(TaskRef ref, LogStream stream, int attempt, JsonNode a, String prefix) {
        List<String> lines = client.logLines(ref, stream, attempt).stream().map(LogLine::text)
                .collect(Collectors.toList());
        String what = prefix + " of attempt " + attempt + " of " + ref;
        assertThat(lines).as(what).hasSize(a.get(prefix + "_lines").asInt());
        if (lines.isEmpty()) {
            assertThat(a.get(prefix + "_first").isNull()).isTrue();
            return;
        }
        assertThat(lines.get(0)).as(what).isEqualTo(a.get(prefix + "_first").asText());
        assertThat(lines.get(lines.size() - 1)).as(what).isEqualTo(a.get(prefix + "_last").asText());
        // Python counts code points; every line ends with a newline
        assertThat(lines.stream().mapToInt(l -> l.codePointCount(0, l.length())).max().orElse(0)).as(what)
                .isEqualTo(a.get("longest_" + prefix + "_line").asInt());
        long chars = lines.stream().mapToLong(l -> l.codePointCount(0, l.length())).sum() + lines.size();
        assertThat(chars).as(what).isEqualTo(a.get(prefix + "_chars").asLong());
    }

    private static Instant time(String clientTime) {
        return LocalDateTime.parse(clientTime, CLIENT_TIME).toInstant(ZoneOffset.UTC);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}

package io.github.metaflowui.client.local;

import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.ArtifactValue;
import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Dag;
import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.Parameter;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.StepType;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskCounts;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Every fact the fixture README states about {@code local/dot-metaflow}, read through the backend. */
class LocalFixtureFactsTest {
    private static LocalMetaflowBackend backend;
    private static MetaflowClient client;

    @BeforeAll
    static void open() {
        backend = LocalFixture.backend();
        client = MetaflowClient.of(backend, 100);
    }

    private static Run run(String flow, String id) {
        return backend.run(RunRef.of(flow, id)).orElseThrow();
    }

    private static TaskRef task(String flow, String run, String step, String task) {
        return TaskRef.of(flow, run, step, task);
    }

    private static String value(TaskRef t, String artifact) {
        ArtifactValue v = backend.artifactValue(t, artifact, -1, 10_000).orElseThrow();
        assertThat(v.rendered()).as("%s of %s is rendered", artifact, t).isTrue();
        return v.display();
    }

    private static List<String> lines(TaskRef t, LogStream stream, int attempt) {
        return client.logLines(t, stream, attempt).stream().map(LogLine::text).collect(Collectors.toList());
    }

    @Test
    void lists_the_seven_flows_by_name() {
        List<String> names = client.flows().stream().map(Flow::name).collect(Collectors.toList());

        assertThat(names).containsExactly("BranchJoinFlow", "FailingFlow", "ForeachFlow", "LinearFlow",
                "NestedForeachFlow", "ParamsLogsFlow", "RetryFlow");
        assertThat(backend.flow("LinearFlow").orElseThrow().createdAt())
                .isEqualTo(Instant.ofEpochMilli(1796301579118L));
    }

    @Test
    void lists_eighteen_runs_of_which_two_failed() {
        List<Run> runs = client.runs(RunQuery.all()).toList();

        assertThat(runs).hasSize(18);
        assertThat(runs).filteredOn(r -> r.status().status() == Status.FAILED)
                .extracting(r -> r.ref().pathspec())
                .containsExactly("FailingFlow/1796301626371648", "FailingFlow/1796301624448446");
        assertThat(runs).filteredOn(r -> r.status().status() == Status.COMPLETED).hasSize(16);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1796301624448446 | task explode/2 failed and no retry followed",
            "1796301626371648 | task explode/2 (2 attempts) failed and no retry followed"})
    void failing_flow_runs_fail_at_explode_and_have_no_end_step(String id, String reason) {
        Run r = run("FailingFlow", id);

        assertThat(r.status().status()).isEqualTo(Status.FAILED);
        assertThat(r.status().reason()).isEqualTo(reason);
        assertThat(r.finishedAt()).isPresent();
        assertThat(backend.steps(r.ref())).extracting(Step::name).containsExactly("start", "explode");
        Step explode = backend.steps(r.ref()).get(1);
        assertThat(explode.status().status()).isEqualTo(Status.FAILED);
        assertThat(explode.counts()).isEqualTo(new TaskCounts(0, 0, 0, 1, 0));
    }

    @Test
    void completed_runs_say_the_end_step_succeeded() {
        Run r = run("LinearFlow", "1796301579117609");

        assertThat(r.status().status()).isEqualTo(Status.COMPLETED);
        assertThat(r.status().reason()).isEqualTo("end step succeeded");
        assertThat(r.createdAt()).isEqualTo(Instant.ofEpochMilli(1796301579120L));
        assertThat(r.finishedAt()).as("the end task's attempt-done (1 ms after its attempt_ok)")
                .contains(Instant.ofEpochMilli(1796301581002L));
        assertThat(r.userName()).isEqualTo("alice");
        assertThat(r.user()).contains("alice");
        assertThat(r.lastHeartbeat()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"LinearFlow/1796301579117609", "RetryFlow/1796301618523831", "ForeachFlow/1796301658654985",
            "FailingFlow/1796301626371648", "NestedForeachFlow/1796301636916116"})
    void a_run_never_finishes_before_its_last_task(String pathspec) {
        String[] p = pathspec.split("/");
        Run r = run(p[0], p[1]);

        Instant lastTask = client.tasks(r.ref(), TaskQuery.all()).stream()
                .map(t -> t.finishedAt().orElseThrow()).max(Instant::compareTo).orElseThrow();
        assertThat(r.finishedAt()).contains(lastTask);
        assertThat(r.duration()).contains(java.time.Duration.between(r.createdAt(), lastTask));
    }

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource(delimiter = '|', value = {
            "LinearFlow|1796301579117609|",
            "LinearFlow|1796301600405831|env:test",
            "LinearFlow|1796301602989289|env:prod owner:alice",
            "BranchJoinFlow|1796301605733522|",
            "BranchJoinFlow|1796301609499775|branchy",
            "BranchJoinFlow|1796301612748865|",
            "RetryFlow|1796301615558176|",
            "RetryFlow|1796301618523831|flaky",
            "RetryFlow|1796301621418237|",
            "FailingFlow|1796301624448446|",
            "FailingFlow|1796301626371648|expected-failure",
            "ParamsLogsFlow|1796301628865091|",
            "ParamsLogsFlow|1796301631794417|exp:1 team:ml",
            "ParamsLogsFlow|1796301634438435|exp:2",
            "NestedForeachFlow|1796301636916116|",
            "NestedForeachFlow|1796301646182255|nested",
            "ForeachFlow|1796301658654985|",
            "ForeachFlow|1796301750791937|wide"})
    void every_run_has_its_user_tags_and_the_four_system_tags(String flow, String id, String tags) {
        Run r = run(flow, id);

        List<String> expected = tags == null ? List.of() : List.of(tags.split(" "));
        assertThat(r.tags()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(r.systemTags()).containsExactlyInAnyOrder("metaflow_version:2.19.38", "python_version:3.11.2",
                "runtime:dev", "user:alice");
    }

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource(delimiter = '|', value = {
            "LinearFlow|1796301579117609|start:1;process:2;end:3",
            "LinearFlow|1796301600405831|start:1;process:2;end:3",
            "LinearFlow|1796301602989289|start:1;process:2;end:3",
            "BranchJoinFlow|1796301605733522|start:1;left:2;right:3;join:4;end:5",
            "BranchJoinFlow|1796301609499775|start:1;left:2;right:3;join:4;end:5",
            "BranchJoinFlow|1796301612748865|start:1;left:2;right:3;join:4;end:5",
            "RetryFlow|1796301615558176|start:1;flaky:2;end:3",
            "RetryFlow|1796301618523831|start:1;flaky:2;end:3",
            "RetryFlow|1796301621418237|start:1;flaky:2;end:3",
            "FailingFlow|1796301624448446|start:1;explode:2",
            "FailingFlow|1796301626371648|start:1;explode:2",
            "ParamsLogsFlow|1796301628865091|start:1;logs:2;end:3",
            "ParamsLogsFlow|1796301631794417|start:1;logs:2;end:3",
            "ParamsLogsFlow|1796301634438435|start:1;logs:2;end:3",
            "NestedForeachFlow|1796301636916116|start:1;outer:2-4;inner:5-16;inner_join:17-19;outer_join:20;end:21",
            "NestedForeachFlow|1796301646182255|start:1;outer:2-4;inner:5-16;inner_join:17-19;outer_join:20;end:21",
            "ForeachFlow|1796301658654985|start:1;square:2-201;join:202;end:203",
            "ForeachFlow|1796301750791937|start:1;square:2-201;join:202;end:203"})
    void steps_come_in_graph_order_with_their_task_ids(String flow, String id, String spec) {
        RunRef ref = RunRef.of(flow, id);
        Map<String, List<String>> expected = new java.util.LinkedHashMap<>();
        for (String part : spec.split(";")) {
            String[] kv = part.split(":");
            String[] range = kv[1].split("-");
            int from = Integer.parseInt(range[0]);
            int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
            List<String> ids = new java.util.ArrayList<>();
            for (int i = from; i <= to; i++) {
                ids.add(Integer.toString(i));
            }
            expected.put(kv[0], ids);
        }

        List<Step> steps = backend.steps(ref);

        assertThat(steps).extracting(Step::name).containsExactlyElementsOf(expected.keySet());
        for (Step s : steps) {
            List<String> ids = client.tasks(ref, TaskQuery.builder().step(s.name())
                    .sort(TaskQuery.Sort.TASK_ID, io.github.metaflowui.core.SortOrder.ASC).build())
                    .stream().map(t -> t.id().value()).collect(Collectors.toList());
            assertThat(ids).as("task ids of %s", s.name()).containsExactlyElementsOf(expected.get(s.name()));
            assertThat(s.counts().total()).isEqualTo(expected.get(s.name()).size());
        }
        int total = expected.values().stream().mapToInt(List::size).sum();
        assertThat(client.tasks(ref, TaskQuery.all()).toList()).hasSize(total);
    }

    @Test
    void task_totals_per_flow_match_the_readme() {
        Map<String, Integer> perRun = Map.of("LinearFlow", 3, "BranchJoinFlow", 5, "RetryFlow", 3, "FailingFlow", 2,
                "ParamsLogsFlow", 3, "NestedForeachFlow", 21, "ForeachFlow", 203);
        for (Run r : client.runs(RunQuery.all())) {
            assertThat(client.tasks(r.ref(), TaskQuery.all()).toList()).as("tasks of %s", r.ref())
                    .hasSize(perRun.get(r.flow()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1796301615558176", "1796301618523831", "1796301621418237"})
    void retry_flow_flaky_failed_on_attempt_0_and_completed_on_attempt_1(String id) {
        TaskRef flaky = task("RetryFlow", id, "flaky", "2");

        Task t = backend.task(flaky).orElseThrow();

        assertThat(t.currentAttempt()).isEqualTo(1);
        assertThat(t.attempts()).extracting(Attempt::id).containsExactly(0, 1);
        assertThat(t.attempts().get(0).status().status()).isEqualTo(Status.FAILED);
        assertThat(t.attempts().get(0).status().reason()).isEqualTo("attempt 0 failed (attempt_ok is False)");
        assertThat(t.attempts().get(1).status().status()).isEqualTo(Status.COMPLETED);
        assertThat(t.status().status()).isEqualTo(Status.COMPLETED);
        assertThat(lines(flaky, LogStream.STDOUT, 0)).containsExactly("flaky: this is attempt 0");
        List<String> err0 = lines(flaky, LogStream.STDERR, 0);
        assertThat(err0).hasSize(39);
        assertThat(err0.get(0)).isEqualTo("<flow RetryFlow step flaky> failed:");
        assertThat(err0.get(38)).isEqualTo("Task failed.");
        assertThat(lines(flaky, LogStream.STDOUT, 1)).containsExactly("flaky: this is attempt 1");
        assertThat(lines(flaky, LogStream.STDERR, 1)).isEmpty();
        assertThat(Files.isRegularFile(LocalFixture.root().resolve("RetryFlow/" + id + "/flaky/2/0.runtime_stdout.log")))
                .isTrue();
        assertThat(backend.attempts(flaky)).hasSize(2);
    }

    @Test
    void the_latest_attempt_log_is_read_when_none_is_named() {
        TaskRef flaky = task("RetryFlow", "1796301615558176", "flaky", "2");

        LogPage page = backend.logs(flaky, LogStream.STDOUT, LogRequest.fromStart(0, 10));

        assertThat(page.attempt()).isEqualTo(1);
        assertThat(page.lines()).extracting(LogLine::text).containsExactly("flaky: this is attempt 1");
    }

    @Test
    void failing_flow_explode_logs_and_exception() {
        TaskRef explode = task("FailingFlow", "1796301624448446", "explode", "2");

        assertThat(lines(explode, LogStream.STDOUT, 0)).containsExactly("explode: about to fail");
        List<String> err = lines(explode, LogStream.STDERR, 0);
        assertThat(err).hasSize(40);
        assertThat(err.get(0)).isEqualTo("explode: stderr before failure");
        assertThat(err.get(1)).isEqualTo("<flow FailingFlow step explode> failed:");
        assertThat(err).contains("ValueError: boom: this step always fails");
        assertThat(err.get(39)).isEqualTo("Task failed.");
        ArtifactValue exception = backend.artifactValue(explode, "_exception", 0, 200).orElseThrow();
        assertThat(exception.pythonType()).isEqualTo("metaflow.exception.MetaflowExceptionWrapper");
        assertThat(exception.rendered()).isFalse();
        assertThat(exception.display()).isEqualTo("metaflow.exception.MetaflowExceptionWrapper (691 bytes)");
    }

    @Test
    void failing_flow_second_run_has_two_failed_attempts_both_with_attempt_ok_false() {
        TaskRef explode = task("FailingFlow", "1796301626371648", "explode", "2");

        Task t = backend.task(explode).orElseThrow();

        assertThat(t.attempts()).extracting(a -> a.status().status()).containsExactly(Status.FAILED, Status.FAILED);
        assertThat(backend.metadata(explode)).filteredOn(m -> m.fieldName().equals("attempt_ok"))
                .extracting(MetadataRecord::value, m -> m.attemptId().getAsInt())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("False", 0),
                        org.assertj.core.groups.Tuple.tuple("False", 1));
        for (int attempt = 0; attempt <= 1; attempt++) {
            assertThat(lines(explode, LogStream.STDOUT, attempt)).containsExactly("explode: about to fail");
            assertThat(lines(explode, LogStream.STDERR, attempt)).hasSize(40).endsWith("Task failed.");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1796301628865091", "1796301631794417", "1796301634438435"})
    void params_logs_flow_has_long_unicode_logs(String id) {
        TaskRef logs = task("ParamsLogsFlow", id, "logs", "2");

        List<String> out = lines(logs, LogStream.STDOUT, 0);
        List<String> err = lines(logs, LogStream.STDERR, 0);

        assertThat(out).hasSize(5003);
        assertThat(out.get(0)).isEqualTo("unicode: héllo wörld – ✓ 日本語テキスト 🚀 Ω≈ç√");
        assertThat(out.get(1)).hasSize(100_000).matches("L+");
        assertThat(out.get(2)).isEqualTo("line 00001 of 05000");
        assertThat(out.get(5001)).isEqualTo("line 05000 of 05000");
        assertThat(out.get(5002)).isEqualTo("last stdout line");
        assertThat(err).hasSize(1003);
        assertThat(err.get(0)).isEqualTo("unicode on stderr: ошибка – 错误 – ⚠️");
        assertThat(err.get(1)).hasSize(50_000).matches("E+");
        assertThat(err.get(1002)).isEqualTo("last stderr line");
        assertThat(value(logs, "lines_written")).isEqualTo("5003");
    }

    @Test
    void linear_flow_end_has_total_15_and_its_blob_sha() {
        TaskRef end = task("LinearFlow", "1796301579117609", "end", "3");

        assertThat(value(end, "total")).isEqualTo("15");
        ArtifactValue total = backend.artifactValue(end, "total", 0, 100).orElseThrow();
        assertThat(total.pythonType()).isEqualTo("int");
        ArtifactRecord record = backend.artifacts(end).stream().filter(a -> a.name().equals("total")).findFirst()
                .orElseThrow();
        assertThat(record.sha()).isEqualTo("31d415581f0a178dbec4ba818db4087ae9b5cd75");
        assertThat(record.location()).isEqualTo(":root:/home/alice/flows/.metaflow");
        assertThat(record.dsType()).isEqualTo("local");
        assertThat(record.contentType()).isEqualTo("pickle-v4");
        assertThat(record.pythonType()).contains("<class 'int'>");
        assertThat(record.attemptId()).isZero();
        assertThat(Files.isRegularFile(LocalFixture.root().resolve(
                "LinearFlow/data/31/31d415581f0a178dbec4ba818db4087ae9b5cd75"))).isTrue();
        assertThat(lines(end, LogStream.STDOUT, 0)).containsExactly("LinearFlow end: total=15");
        assertThat(value(end, "message")).isEqualTo("\"hello from start\"");
        assertThat(value(end, "numbers")).isEqualTo("[1,2,3,4,5]");
        assertThat(value(task("LinearFlow", "1796301579117609", "process", "2"), "config"))
                .isEqualTo("{\"mode\":\"linear\",\"total\":15,\"ok\":true}");
    }

    @Test
    void branch_join_flow_join_has_values_11_and_20() {
        String run = "1796301605733522";
        assertThat(value(task("BranchJoinFlow", run, "join", "4"), "values")).isEqualTo("[11,20]");
        assertThat(value(task("BranchJoinFlow", run, "left", "2"), "value")).isEqualTo("11");
        assertThat(value(task("BranchJoinFlow", run, "right", "3"), "value")).isEqualTo("20");
        assertThat(value(task("BranchJoinFlow", run, "start", "1"), "base")).isEqualTo("10");
        assertThat(lines(task("BranchJoinFlow", run, "end", "5"), LogStream.STDOUT, 0))
                .containsExactly("BranchJoinFlow done: [11, 20]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1796301658654985", "1796301750791937"})
    void foreach_flow_square_and_join_values(String id) {
        assertThat(value(task("ForeachFlow", id, "join", "202"), "total")).isEqualTo("2646700");
        assertThat(value(task("ForeachFlow", id, "join", "202"), "count")).isEqualTo("200");
        assertThat(value(task("ForeachFlow", id, "square", "2"), "item")).isEqualTo("0");
        TaskRef last = task("ForeachFlow", id, "square", "201");
        assertThat(value(last, "item")).isEqualTo("199");
        assertThat(value(last, "result")).isEqualTo("39601");
        assertThat(lines(last, LogStream.STDOUT, 0)).containsExactly("item 199 squared is 39601");
        assertThat(backend.task(last).orElseThrow().foreachLabel()).contains("items[199]=199");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1796301636916116", "1796301646182255"})
    void nested_foreach_flow_outer_join_has_all_twelve_pairs(String id) {
        assertThat(value(task("NestedForeachFlow", id, "outer_join", "20"), "all_pairs"))
                .isEqualTo("[\"a1\",\"a2\",\"a3\",\"a4\",\"b1\",\"b2\",\"b3\",\"b4\",\"c1\",\"c2\",\"c3\",\"c4\"]");
        assertThat(lines(task("NestedForeachFlow", id, "end", "21"), LogStream.STDOUT, 0))
                .containsExactly("NestedForeachFlow done: 12 pairs");
    }

    @Test
    void nested_foreach_task_ids_follow_scheduling_order_not_letter_order() {
        String run = "1796301636916116";
        TaskRef five = task("NestedForeachFlow", run, "inner", "5");
        TaskRef nine = task("NestedForeachFlow", run, "inner", "9");

        assertThat(value(five, "pair")).isEqualTo("\"c1\"");
        assertThat(value(nine, "pair")).isEqualTo("\"a1\"");
        assertThat(backend.task(five).orElseThrow().foreachLabel()).contains("letters[2]=c, numbers[0]=1");
        assertThat(backend.task(nine).orElseThrow().foreachLabel()).contains("letters[0]=a, numbers[0]=1");
        assertThat(backend.task(task("NestedForeachFlow", run, "outer", "2")).orElseThrow().foreachLabel())
                .contains("letters[0]=a");
        assertThat(backend.task(task("NestedForeachFlow", run, "start", "1")).orElseThrow().foreachLabel()).isEmpty();
    }

    @Test
    void params_logs_flow_parameters_per_run() {
        assertThat(params("1796301628865091")).containsExactly(
                Map.entry("alpha", "0.01"), Map.entry("config", "{\"layers\":[64,32],\"dropout\":0.5}"),
                Map.entry("count", "5000"), Map.entry("label", "\"baseline\""), Map.entry("verbose", "false"));
        assertThat(params("1796301631794417")).containsExactly(
                Map.entry("alpha", "0.5"), Map.entry("config", "{\"layers\":[128],\"dropout\":0.1}"),
                Map.entry("count", "5000"), Map.entry("label", "\"experiment-β\""), Map.entry("verbose", "true"));
        assertThat(params("1796301634438435")).containsExactly(
                Map.entry("alpha", "0.001"), Map.entry("config", "{\"layers\":[64,32],\"dropout\":0.5}"),
                Map.entry("count", "5000"), Map.entry("label", "\"third\""), Map.entry("verbose", "false"));
        Parameter config = backend.parameters(RunRef.of("ParamsLogsFlow", "1796301631794417")).get(1);
        assertThat(config.value().pythonType()).isEqualTo("dict");
        assertThat(config.value().rendered()).isTrue();
    }

    private static List<Map.Entry<String, String>> params(String run) {
        return backend.parameters(RunRef.of("ParamsLogsFlow", run)).stream()
                .map(p -> Map.entry(p.name(), p.value().display())).collect(Collectors.toList());
    }

    @Test
    void flows_without_parameters_have_none_and_foreach_flow_has_width() {
        assertThat(backend.parameters(RunRef.of("LinearFlow", "1796301579117609"))).isEmpty();
        assertThat(backend.parameters(RunRef.of("ForeachFlow", "1796301658654985")))
                .extracting(Parameter::name, p -> p.value().display())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("width", "200"));
    }

    @Test
    void nested_foreach_dag_has_nested_foreach_types_and_structure() {
        Dag dag = backend.dag(RunRef.of("NestedForeachFlow", "1796301636916116")).orElseThrow();

        assertThat(dag.flowName()).isEqualTo("NestedForeachFlow");
        assertThat(dag.startStep()).isEqualTo("start");
        assertThat(dag.endStep()).isEqualTo("end");
        assertThat(dag.doc()).isEqualTo("Outer foreach over 3 letters, inner foreach over 4 numbers: 12 leaf tasks.");
        assertThat(dag.graphStructure()).isEqualTo(List.of("start",
                List.of(List.of("outer", List.of(List.of("inner")), "inner_join")), "outer_join", "end"));
        assertThat(dag.steps()).containsOnlyKeys("start", "outer", "inner", "inner_join", "outer_join", "end");
        assertThat(dag.step("start").orElseThrow().type()).isEqualTo(StepType.SPLIT_FOREACH);
        assertThat(dag.step("outer").orElseThrow().type()).isEqualTo(StepType.SPLIT_FOREACH);
        assertThat(dag.step("inner").orElseThrow().type()).isEqualTo(StepType.LINEAR);
        assertThat(dag.step("inner_join").orElseThrow().type()).isEqualTo(StepType.JOIN);
        assertThat(dag.step("outer_join").orElseThrow().type()).isEqualTo(StepType.JOIN);
        assertThat(dag.step("end").orElseThrow().type()).isEqualTo(StepType.END);
        assertThat(dag.step("start").orElseThrow().foreachArtifact()).contains("letters");
        assertThat(dag.step("start").orElseThrow().matchingJoin()).contains("outer_join");
        assertThat(dag.step("outer").orElseThrow().foreachArtifact()).contains("numbers");
        assertThat(dag.step("outer").orElseThrow().matchingJoin()).contains("inner_join");
        assertThat(dag.step("inner").orElseThrow().next()).containsExactly("inner_join");
        assertThat(dag.step("start").orElseThrow().line()).isEqualTo(8);
        assertThat(dag.stepOrder()).containsExactly("start", "outer", "inner", "inner_join", "outer_join", "end");
    }

    @Test
    void branch_join_dag_has_a_static_split() {
        Dag dag = backend.dag(RunRef.of("BranchJoinFlow", "1796301605733522")).orElseThrow();

        assertThat(dag.step("start").orElseThrow().type()).isEqualTo(StepType.SPLIT_STATIC);
        assertThat(dag.step("start").orElseThrow().next()).containsExactly("left", "right");
        assertThat(dag.step("start").orElseThrow().matchingJoin()).contains("join");
        assertThat(dag.graphStructure()).isEqualTo(List.of("start", List.of(List.of("left"), List.of("right")),
                "join", "end"));
        assertThat(dag.doc()).isEqualTo("start splits into two static branches (left, right) that meet in join.");
    }

    @Test
    void retry_flow_dag_records_the_retry_decorator() {
        Dag dag = backend.dag(RunRef.of("RetryFlow", "1796301615558176")).orElseThrow();

        assertThat(dag.step("start").orElseThrow().type()).isEqualTo(StepType.START);
        assertThat(dag.step("flaky").orElseThrow().decorators()).containsExactly("retry");
        assertThat(dag.graphStructure()).isEqualTo(List.of("start", "flaky", "end"));
    }

    @Test
    void metadata_records_come_oldest_first_with_field_names_from_the_files() {
        TaskRef flaky = task("RetryFlow", "1796301615558176", "flaky", "2");

        List<MetadataRecord> records = backend.metadata(flaky);

        assertThat(records).extracting(MetadataRecord::timestamp).isSorted();
        assertThat(records).extracting(MetadataRecord::fieldName).contains("attempt", "attempt-done", "attempt_ok",
                "ds-root", "ds-type", "metaflow_version", "origin-run-id", "python_version", "runtime", "script-name",
                "user");
        assertThat(records).filteredOn(m -> m.fieldName().equals("attempt"))
                .extracting(MetadataRecord::value, m -> m.tags())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("0", List.of("attempt_id:0")),
                        org.assertj.core.groups.Tuple.tuple("1", List.of("attempt_id:1")));
        assertThat(records).filteredOn(m -> m.fieldName().equals("ds-root")).extracting(MetadataRecord::value)
                .containsOnly("/home/alice/flows/.metaflow");
        assertThat(records).extracting(MetadataRecord::id).doesNotHaveDuplicates();
        TaskRef inner = task("NestedForeachFlow", "1796301636916116", "inner", "5");
        assertThat(backend.metadata(inner)).filteredOn(m -> m.fieldName().equals("foreach-stack"))
                .extracting(MetadataRecord::value).containsExactly("[\"letters=c\",\"numbers=1\"]");
    }

    @Test
    void parameters_pseudo_step_is_never_a_step_or_task() {
        RunRef run = RunRef.of("LinearFlow", "1796301579117609");

        assertThat(backend.steps(run)).extracting(Step::name).doesNotContain("_parameters");
        assertThat(backend.task(run.step("_parameters").task("0"))).isEmpty();
        assertThat(backend.listTasks(run, TaskQuery.ofStep("_parameters"),
                io.github.metaflowui.core.PageRequest.first(10)).items()).isEmpty();
    }

    @Test
    void missing_objects_are_empty() {
        assertThat(backend.flow("NoSuchFlow")).isEmpty();
        assertThat(backend.run(RunRef.of("LinearFlow", "999"))).isEmpty();
        assertThat(backend.run(RunRef.of("LinearFlow", "data"))).isEmpty();
        assertThat(backend.run(RunRef.of("..", "LinearFlow"))).isEmpty();
        assertThat(backend.steps(RunRef.of("LinearFlow", "999"))).isEmpty();
        assertThat(backend.task(TaskRef.of("LinearFlow", "1796301579117609", "end", "99"))).isEmpty();
        assertThat(backend.metadata(TaskRef.of("LinearFlow", "1796301579117609", "end", "99"))).isEmpty();
        assertThat(backend.artifacts(TaskRef.of("LinearFlow", "1796301579117609", "..", "data"))).isEmpty();
        assertThat(backend.artifactValue(TaskRef.of("LinearFlow", "1796301579117609", "end", "3"), "nope", 0, 10))
                .isEmpty();
        assertThat(backend.dag(RunRef.of("LinearFlow", "999"))).isEmpty();
        assertThat(backend.parameters(RunRef.of("LinearFlow", "999"))).isEmpty();
        assertThat(backend.logs(TaskRef.of("LinearFlow", "999", "end", "3"), LogStream.STDOUT,
                LogRequest.fromStart(0, 10)).totalLines()).isZero();
    }
}

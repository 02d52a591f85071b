package io.github.metaflowui.client.uibackend;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.metaflowui.client.http.testing.Recordings;
import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Dag;
import io.github.metaflowui.core.DagStep;
import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Parameter;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StepType;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The UI-backend backend against the real recorded responses of {@code fixtures/metaflow/ui-backend};
 * every value asserted is a fact of the fixture README.
 */
class UiBackendRecordedTest {
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_796_303_000_000L), ZoneOffset.UTC);
    static final TaskRef LOGS_TASK = TaskRef.of("ParamsLogsFlow", "8", "logs", "33");

    static WireMockServer wm;
    static UiServiceBackend backend;

    @BeforeAll
    static void start() {
        wm = Recordings.serve("ui-backend");
        backend = UiServiceBackend.builder().baseUri("http://localhost:" + wm.port() + "/api").clock(CLOCK).build();
    }

    @AfterAll
    static void stop() {
        backend.close();
        wm.stop();
    }

    @Test
    void runs_of_all_flows_newest_first_in_pages_of_five() {
        List<Run> runs = MetaflowClient.of(backend, 5).runs(RunQuery.all()).stream().limit(10).toList();
        assertThat(runs).extracting(r -> r.id().value()).containsExactly("12", "11", "10", "9", "8", "7", "6", "5", "4", "3");
        assertThat(runs.get(0).flow()).isEqualTo("BigForeachFlow");
        assertThat(runs.get(0).status().status()).isEqualTo(Status.FAILED);
    }

    @Test
    void runs_of_one_flow_page_by_one() {
        List<Run> runs = MetaflowClient.of(backend, 1).runs(RunQuery.ofFlow("LinearFlow")).stream().limit(2).toList();
        assertThat(runs).extracting(r -> r.id().value()).containsExactly("2", "1");
        assertThat(runs.get(0).tags()).containsExactly("env:test");
    }

    @Test
    void flows_by_name_in_pages_of_three() {
        List<Flow> flows = MetaflowClient.of(backend, 3).flows().stream().limit(6).toList();
        assertThat(flows).extracting(Flow::name).containsExactly("BigForeachFlow", "BranchJoinFlow", "FailingFlow",
                "ForeachFlow", "LinearFlow", "NestedForeachFlow");
        assertThat(backend.flow("NoSuchFlow")).isEmpty();
        assertThat(backend.flow("LinearFlow")).map(Flow::name).contains("LinearFlow");
    }

    @Test
    void single_runs_carry_the_services_status_finish_and_duration() {
        Run retry = backend.run(RunRef.of("RetryFlow", "5")).orElseThrow();
        assertThat(retry.status()).satisfies(s -> {
            assertThat(s.status()).isEqualTo(Status.COMPLETED);
            assertThat(s.reason()).isEqualTo("end step succeeded");
        });
        assertThat(retry.duration()).contains(Duration.ofMillis(4002));
        assertThat(retry.id().value()).isEqualTo("5");
        assertThat(retry.user()).contains("alice");

        Run failing = backend.run(RunRef.of("FailingFlow", "7")).orElseThrow();
        assertThat(failing.status().status()).isEqualTo(Status.FAILED);
        assertThat(failing.finishedAt()).contains(Instant.ofEpochMilli(1_796_301_877_000L));
        assertThat(failing.duration()).contains(Duration.ofMillis(-749));
        assertThat(failing.status().reason()).startsWith("no heartbeat for ");

        Run big = backend.run(RunRef.of("BigForeachFlow", "12")).orElseThrow();
        assertThat(big.status().status()).isEqualTo(Status.FAILED);
        assertThat(big.finishedAt()).contains(Instant.ofEpochMilli(1_796_302_601_000L));

        assertThat(backend.run(RunRef.of("LinearFlow", "999999"))).isEmpty();
    }

    @Test
    void parameters_of_run_9_with_their_values() {
        Map<String, Parameter> params = backend.parameters(RunRef.of("ParamsLogsFlow", "9")).stream()
                .collect(Collectors.toMap(Parameter::name, p -> p));
        assertThat(params.keySet()).containsExactlyInAnyOrder("alpha", "config", "count", "label", "verbose");
        assertThat(params.get("alpha").value().display()).isEqualTo("0.5");
        assertThat(params.get("alpha").value().pythonType()).isEqualTo("float");
        assertThat(params.get("config").value().display()).isEqualTo("{\"layers\":[128],\"dropout\":0.1}");
        assertThat(params.get("count").value().display()).isEqualTo("5000");
        assertThat(params.get("label").value().display()).isEqualTo("\"experiment-β\"");
        assertThat(params.get("verbose").value().display()).isEqualTo("true");
        assertThat(params.values()).allSatisfy(p -> assertThat(p.value().rendered()).isTrue());
    }

    @Test
    void dag_of_the_nested_foreach_run() {
        Dag dag = backend.dag(RunRef.of("NestedForeachFlow", "10")).orElseThrow();
        assertThat(dag.graphStructure()).isEqualTo(List.of("start", List.of(List.of("outer", List.of(List.of("inner")),
                "inner_join")), "outer_join", "end"));
        assertThat(dag.steps()).extractingByKeys("start", "outer", "inner", "inner_join", "outer_join", "end")
                .extracting(DagStep::type).containsExactly(StepType.SPLIT_FOREACH, StepType.SPLIT_FOREACH,
                        StepType.LINEAR, StepType.JOIN, StepType.JOIN, StepType.END);
        assertThat(dag.step("start").flatMap(DagStep::foreachArtifact)).contains("letters");
        assertThat(dag.step("outer").flatMap(DagStep::matchingJoin)).contains("inner_join");
        assertThat(dag.stepOrder()).containsExactly("start", "outer", "inner", "inner_join", "outer_join", "end");
        assertThat(dag.flowName()).isEqualTo("NestedForeachFlow");
    }

    @Test
    void tasks_are_one_per_task_with_their_attempts() {
        List<Task> tasks = MetaflowClient.of(backend).tasks(RunRef.of("RetryFlow", "5"), TaskQuery.all()).toList();
        assertThat(tasks).extracting(t -> t.step() + "/" + t.id()).containsExactly("start/22", "flaky/23", "end/24");
        Task flaky = tasks.get(1);
        assertThat(flaky.attempts()).extracting(Attempt::id).containsExactly(0, 1);
        assertThat(flaky.attempts()).extracting(a -> a.status().status()).containsExactly(Status.FAILED, Status.COMPLETED);
        assertThat(flaky.status().status()).isEqualTo(Status.COMPLETED);
    }

    @Test
    void a_full_page_holds_back_its_last_task_so_attempts_are_never_split() {
        Page<Task> first = backend.listTasks(RunRef.of("ForeachFlow", "11"), TaskQuery.all(), PageRequest.first(50));
        // 50 attempt rows: _parameters 61, start 62, square 63..110; 110 waits for the next page.
        assertThat(first.items()).extracting(t -> Long.parseLong(t.id().value())).first().isEqualTo(62L);
        assertThat(first.items()).hasSize(48);
        assertThat(first.items().get(47).id().value()).isEqualTo("109");
        assertThat(first.hasNext()).isTrue();
    }

    @Test
    void attempts_of_retried_and_failing_tasks() {
        Task flaky = backend.task(TaskRef.of("RetryFlow", "5", "flaky", "23")).orElseThrow();
        assertThat(flaky.attempts()).extracting(a -> a.id() + ":" + a.status().status())
                .containsExactly("0:FAILED", "1:COMPLETED");
        Task explode = backend.task(TaskRef.of("FailingFlow", "7", "explode", "30")).orElseThrow();
        assertThat(explode.attempts()).extracting(a -> a.id() + ":" + a.status().status())
                .containsExactly("0:FAILED", "1:FAILED");
        assertThat(backend.attempts(explode.ref())).hasSize(2);
        for (String id : List.of("548", "551")) {
            assertThat(backend.task(TaskRef.of("BigForeachFlow", "12", "square", id)).orElseThrow().status().status())
                    .as(id).isEqualTo(Status.FAILED);
        }
        assertThat(backend.task(TaskRef.of("BigForeachFlow", "12", "square", "267")).orElseThrow().status().status())
                .isEqualTo(Status.COMPLETED);
    }

    @Test
    void log_window_from_the_start_knows_the_total_of_5003_lines() {
        LogPage page = backend.logs(LOGS_TASK, LogStream.STDOUT, LogRequest.fromStart(0, 100).attempt(0));
        assertThat(page.totalLines()).isEqualTo(5003);
        assertThat(page.lines()).hasSize(100);
        assertThat(page.lines().get(0).text()).isEqualTo("unicode: héllo wörld – ✓ 日本語テキスト 🚀 Ω≈ç√");
        assertThat(page.lines().get(1).text()).hasSize(100_000).matches("L+");
        assertThat(page.lines().get(2).text()).isEqualTo("line 00001 of 05000");
        assertThat(page.lines()).extracting(LogLine::row).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, 100).boxed().toList());
        assertThat(page.lines().get(0).timestamp()).isPresent();
        assertThat(page.attempt()).isZero();
    }

    @Test
    void log_windows_page_forward_and_reach_the_end() {
        LogPage second = backend.logs(LOGS_TASK, LogStream.STDOUT, LogRequest.fromStart(100, 100).attempt(0));
        assertThat(second.lines().get(0).row()).isEqualTo(100);
        assertThat(second.lines().get(0).text()).isEqualTo("line 00099 of 05000");
        LogPage last = backend.logs(LOGS_TASK, LogStream.STDOUT, LogRequest.fromStart(5000, 100).attempt(0));
        assertThat(last.totalLines()).isEqualTo(5003);
        assertThat(last.lines()).extracting(LogLine::text)
                .containsExactly("line 04999 of 05000", "line 05000 of 05000", "last stdout line");
    }

    @Test
    void log_window_from_the_end_is_the_tail() {
        LogPage tail = backend.logs(LOGS_TASK, LogStream.STDOUT, LogRequest.fromEnd(0, 3).attempt(0));
        assertThat(tail.totalLines()).isEqualTo(5003);
        assertThat(tail.lines()).extracting(LogLine::row).containsExactly(5000L, 5001L, 5002L);
        assertThat(tail.lines().get(2).text()).isEqualTo("last stdout line");
    }

    @Test
    void latest_attempt_is_looked_up_when_not_given() {
        LogPage page = backend.logs(LOGS_TASK, LogStream.STDOUT, LogRequest.fromStart(0, 100));
        assertThat(page.attempt()).isZero();
        assertThat(page.totalLines()).isEqualTo(5003);
    }

    @Test
    void stderr_has_1003_lines() {
        LogPage err = backend.logs(LOGS_TASK, LogStream.STDERR, LogRequest.fromStart(1000, 100).attempt(0));
        assertThat(err.totalLines()).isEqualTo(1003);
        assertThat(err.lines()).extracting(LogLine::text).containsExactly("err 0999 of 1000", "err 1000 of 1000",
                "last stderr line");
        assertThat(err.lines()).allSatisfy(l -> assertThat(l.stream()).isEqualTo(LogStream.STDERR));
    }

    @Test
    void describes_itself_by_url() {
        assertThat(backend.describe()).isEqualTo("Metaflow UI backend at http://localhost:" + wm.port() + "/api/");
    }
}

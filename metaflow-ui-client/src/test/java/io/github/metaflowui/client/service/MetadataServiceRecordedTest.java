package io.github.metaflowui.client.service;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.metaflowui.client.http.UnsupportedQueryException;
import io.github.metaflowui.client.http.testing.Recordings;
import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Parameter;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Step;
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
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The metadata-service backend against the real recorded responses of {@code fixtures/metaflow/service}
 * (served by WireMock from {@code requests.tsv}); every value asserted is a fact of the fixture README.
 */
class MetadataServiceRecordedTest {
    /** About 6.6 minutes after BigForeachFlow 12's last heartbeat (1796302601 s): past the run cutoff. */
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_796_303_000_000L), ZoneOffset.UTC);

    static WireMockServer wm;
    static MetadataServiceBackend backend;

    @BeforeAll
    static void start() {
        wm = Recordings.serve("service");
        backend = MetadataServiceBackend.builder().baseUri("http://localhost:" + wm.port()).clock(CLOCK).build();
    }

    @AfterAll
    static void stop() {
        backend.close();
        wm.stop();
    }

    static Run run(String flow, String id) {
        return backend.run(RunRef.of(flow, id)).orElseThrow();
    }

    @Test
    void lists_the_eight_flows_by_name() {
        List<Flow> flows = MetaflowClient.of(backend).flows().toList();
        assertThat(flows).extracting(Flow::name).containsExactly("BigForeachFlow", "BranchJoinFlow", "FailingFlow",
                "ForeachFlow", "LinearFlow", "NestedForeachFlow", "ParamsLogsFlow", "RetryFlow");
        assertThat(flows).allSatisfy(f -> {
            assertThat(f.userName()).isEmpty();
            assertThat(f.tags()).isEmpty();
            assertThat(f.systemTags()).isEmpty();
        });
    }

    @Test
    void flow_pages_follow_names() {
        MetaflowClient client = MetaflowClient.of(backend, 3);
        assertThat(client.flows().stream().map(Flow::name).toList()).hasSize(8).isSorted();
    }

    @Test
    void missing_flow_and_run_are_empty() {
        assertThat(backend.flow("NoSuchFlow")).isEmpty();
        assertThat(backend.run(RunRef.of("LinearFlow", "999999"))).isEmpty();
    }

    @Test
    void statuses_of_all_twelve_runs() {
        String[][] runs = {{"LinearFlow", "1"}, {"LinearFlow", "2"}, {"BranchJoinFlow", "3"}, {"BranchJoinFlow", "4"},
                {"RetryFlow", "5"}, {"FailingFlow", "6"}, {"FailingFlow", "7"}, {"ParamsLogsFlow", "8"},
                {"ParamsLogsFlow", "9"}, {"NestedForeachFlow", "10"}, {"ForeachFlow", "11"}, {"BigForeachFlow", "12"}};
        for (String[] r : runs) {
            Status expected = r[1].equals("6") || r[1].equals("7") || r[1].equals("12") ? Status.FAILED : Status.COMPLETED;
            assertThat(run(r[0], r[1]).status().status()).as(r[0] + "/" + r[1]).isEqualTo(expected);
        }
    }

    @Test
    void completed_run_finishes_at_its_end_step_outcome_like_the_ui_backend() {
        Run retry = run("RetryFlow", "5");
        assertThat(retry.status().reason()).isEqualTo("end step succeeded");
        assertThat(retry.finishedAt()).contains(Instant.ofEpochMilli(1_796_301_871_445L));
        assertThat(retry.duration()).contains(Duration.ofMillis(4002)); // the UI backend's duration for run 5
        assertThat(retry.tags()).containsExactly("flaky");
        assertThat(retry.user()).contains("alice");
        assertThat(retry.systemTags()).contains("metaflow_version:2.19.38", "python_version:3.11.2", "runtime:dev", "user:alice");
    }

    @Test
    void failed_run_without_end_step_fails_on_its_stale_heartbeat() {
        Run failing = run("FailingFlow", "7");
        assertThat(failing.status().status()).isEqualTo(Status.FAILED);
        assertThat(failing.status().reason()).startsWith("no heartbeat for ").endsWith(
                " and the end step did not finish (runs are presumed dead after 6 min)");
        assertThat(failing.finishedAt()).contains(Instant.ofEpochMilli(1_796_301_877_000L));
        assertThat(failing.duration()).contains(Duration.ofMillis(-749)); // the UI backend's quirk, reproduced
    }

    @Test
    void interrupted_big_foreach_run_is_failed_once_its_heartbeat_is_older_than_the_cutoff() {
        Run big = run("BigForeachFlow", "12");
        assertThat(big.status().status()).isEqualTo(Status.FAILED);
        assertThat(big.status().reason()).startsWith("no heartbeat for 6 min");
        assertThat(big.lastHeartbeat()).contains(Instant.ofEpochSecond(1_796_302_601L));
        assertThat(big.finishedAt()).contains(Instant.ofEpochMilli(1_796_302_601_000L));
    }

    @Test
    void runs_of_a_flow_page_with_the_service_cursor_newest_first() {
        List<Run> linear = MetaflowClient.of(backend, 1).runs(RunQuery.ofFlow("LinearFlow")).toList();
        assertThat(linear).extracting(r -> r.id().value()).containsExactly("2", "1");
        assertThat(linear).extracting(r -> r.status().status()).containsOnly(Status.COMPLETED);
        assertThat(linear.get(0).tags()).containsExactly("env:test");

        assertThat(MetaflowClient.of(backend, 1).runs(RunQuery.ofFlow("ParamsLogsFlow")).stream()
                .map(r -> r.id().value())).containsExactly("9", "8");
        assertThat(MetaflowClient.of(backend, 1).runs(RunQuery.ofFlow("RetryFlow")).stream()
                .map(r -> r.id().value())).containsExactly("5");
    }

    @Test
    void status_filter_is_applied_by_the_service_which_reports_the_status() {
        List<Run> failed = MetaflowClient.of(backend).runs(RunQuery.builder().flow("FailingFlow").status(Status.FAILED)
                .build()).toList();
        assertThat(failed).extracting(r -> r.id().value()).containsExactly("7", "6");
        assertThat(failed).allSatisfy(r -> assertThat(r.status().reason()).startsWith("the metadata service reports it failed"));

        assertThat(MetaflowClient.of(backend).runs(RunQuery.builder().flow("FailingFlow").status(Status.COMPLETED)
                .build()).toList()).isEmpty();
        assertThat(MetaflowClient.of(backend).runs(RunQuery.builder().flow("BigForeachFlow").status(Status.FAILED)
                .build()).stream().map(r -> r.id().value())).containsExactly("12");
    }

    @Test
    void tag_filter_is_applied_by_the_service() {
        List<Run> tagged = MetaflowClient.of(backend).runs(RunQuery.builder().flow("FailingFlow")
                .anyTag("expected-failure").build()).toList();
        assertThat(tagged).extracting(r -> r.id().value()).containsExactly("7");
        assertThat(tagged.get(0).status().status()).isEqualTo(Status.FAILED);
        assertThat(MetaflowClient.of(backend).runs(RunQuery.builder().flow("ParamsLogsFlow").anyTag("team:ml").build())
                .stream().map(r -> r.id().value())).containsExactly("9");
    }

    @Test
    void foreach_step_lists_its_200_tasks_in_creation_order() {
        RunRef run = RunRef.of("ForeachFlow", "11");
        List<Task> square = MetaflowClient.of(backend).tasks(run, TaskQuery.ofStep("square")).toList();
        assertThat(square).hasSize(200);
        assertThat(square).extracting(t -> Long.parseLong(t.id().value()))
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(63, 262).boxed().toList());
        assertThat(square).extracting(Task::createdAt).isSorted();
        assertThat(square).allSatisfy(t -> {
            assertThat(t.status().status()).isEqualTo(Status.COMPLETED);
            assertThat(t.attempts()).hasSize(1);
            assertThat(t.foreachLabel()).hasValueSatisfying(l -> assertThat(l).matches("items\\[\\d+]=\\d+"));
        });
    }

    @Test
    void foreach_step_newest_first_uses_the_service_cursor_pages() {
        RunRef run = RunRef.of("ForeachFlow", "11");
        TaskQuery newest = TaskQuery.builder().step("square").sort(TaskQuery.Sort.CREATED, SortOrder.DESC).build();
        List<Task> square = MetaflowClient.of(backend, 50).tasks(run, newest).toList();
        assertThat(square).hasSize(200);
        assertThat(square.get(0).id().value()).isEqualTo("262");
        assertThat(square).extracting(Task::createdAt).isSortedAccordingTo((a, b) -> b.compareTo(a));
    }

    @Test
    void nested_foreach_steps_have_their_task_counts() {
        List<Step> steps = backend.steps(RunRef.of("NestedForeachFlow", "10"));
        assertThat(steps).extracting(Step::name)
                .containsExactly("start", "outer", "inner", "inner_join", "outer_join", "end");
        assertThat(steps).extracting(s -> s.counts().total()).containsExactly(1, 3, 12, 3, 1, 1);
        assertThat(steps).allSatisfy(s -> assertThat(s.status().status()).isEqualTo(Status.COMPLETED));
        assertThat(steps.get(2).counts().completed()).isEqualTo(12);
    }

    @Test
    void tasks_of_a_small_run_with_their_ids() {
        List<Task> tasks = MetaflowClient.of(backend).tasks(RunRef.of("NestedForeachFlow", "10"), TaskQuery.all()).toList();
        assertThat(tasks).extracting(t -> Long.parseLong(t.id().value()))
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(40, 60).boxed().toList());
        assertThat(tasks).noneMatch(t -> t.step().equals("_parameters"));
    }

    @Test
    void retried_task_has_a_failed_then_a_completed_attempt() {
        Task flaky = backend.task(TaskRef.of("RetryFlow", "5", "flaky", "23")).orElseThrow();
        assertThat(flaky.attempts()).extracting(Attempt::id).containsExactly(0, 1);
        assertThat(flaky.attempts()).extracting(a -> a.status().status()).containsExactly(Status.FAILED, Status.COMPLETED);
        assertThat(flaky.attempts().get(0).status().reason()).isEqualTo("attempt 0 failed (attempt_ok is False)");
        assertThat(flaky.currentAttempt()).isEqualTo(1);
        assertThat(flaky.status().status()).isEqualTo(Status.COMPLETED);
        assertThat(backend.attempts(flaky.ref())).hasSize(2);
    }

    @Test
    void failing_task_has_two_failed_attempts_in_the_retried_run_and_one_in_the_other() {
        Task explode7 = backend.task(TaskRef.of("FailingFlow", "7", "explode", "30")).orElseThrow();
        assertThat(explode7.attempts()).extracting(a -> a.status().status()).containsExactly(Status.FAILED, Status.FAILED);
        Task explode6 = backend.task(TaskRef.of("FailingFlow", "6", "explode", "27")).orElseThrow();
        assertThat(explode6.attempts()).extracting(a -> a.status().status()).containsExactly(Status.FAILED);
        assertThat(explode6.status().status()).isEqualTo(Status.FAILED);
    }

    @Test
    void killed_big_foreach_tasks_failed_and_finished_ones_completed() {
        for (String id : List.of("548", "551")) {
            Task t = backend.task(TaskRef.of("BigForeachFlow", "12", "square", id)).orElseThrow();
            assertThat(t.status().status()).as(id).isEqualTo(Status.FAILED);
            assertThat(t.status().reason()).isEqualTo("attempt 0 failed (attempt_ok is False)");
        }
        assertThat(backend.task(TaskRef.of("BigForeachFlow", "12", "square", "267")).orElseThrow().status().status())
                .isEqualTo(Status.COMPLETED);
    }

    @Test
    void metadata_tags_attempt_outcomes() {
        List<MetadataRecord> meta = backend.metadata(TaskRef.of("RetryFlow", "5", "flaky", "23"));
        assertThat(meta).extracting(MetadataRecord::timestamp).isSorted();
        assertThat(meta).filteredOn(m -> m.fieldName().equals("attempt_ok"))
                .extracting(m -> m.value() + "@" + m.attemptId().orElse(-1)).containsExactly("False@0", "True@1");
        assertThat(meta).filteredOn(m -> m.fieldName().equals("attempt"))
                .extracting(MetadataRecord::value).containsExactly("0", "1");
        assertThat(meta).extracting(MetadataRecord::fieldName).contains("attempt-done", "ds-root", "ds-type",
                "metaflow_version", "origin-run-id", "python_version", "runtime", "script-name", "user");
    }

    @Test
    void artifact_records_point_into_the_content_addressed_store() {
        List<ArtifactRecord> arts = backend.artifacts(TaskRef.of("LinearFlow", "1", "end", "4"));
        ArtifactRecord total = arts.stream().filter(a -> a.name().equals("total")).findFirst().orElseThrow();
        assertThat(total.sha()).isEqualTo("31d415581f0a178dbec4ba818db4087ae9b5cd75");
        assertThat(total.location()).isEqualTo(":root:/home/alice/flows/.metaflow");
        assertThat(total.dsType()).isEqualTo("local");
        assertThat(total.contentType()).isEqualTo("pickle-v4");
        assertThat(total.attemptId()).isZero();
    }

    @Test
    void artifacts_of_every_attempt_of_a_retried_task() {
        List<ArtifactRecord> arts = backend.artifacts(TaskRef.of("RetryFlow", "5", "flaky", "23"));
        assertThat(arts).extracting(ArtifactRecord::attemptId).containsOnly(0, 1).isSorted();
        assertThat(arts).filteredOn(a -> a.name().equals("succeeded_on_attempt")).extracting(ArtifactRecord::attemptId)
                .containsExactly(1);
    }

    @Test
    void parameters_are_named_but_not_readable_through_the_service() {
        List<Parameter> params = backend.parameters(RunRef.of("ParamsLogsFlow", "9"));
        assertThat(params).extracting(Parameter::name).containsExactly("alpha", "config", "count", "label", "verbose");
        assertThat(params).allSatisfy(p -> assertThat(p.value().rendered()).isFalse());
        assertThat(backend.dag(RunRef.of("ParamsLogsFlow", "9"))).isEmpty();
        assertThat(backend.artifactValue(TaskRef.of("LinearFlow", "1", "end", "4"), "total", 0, 100)).isEmpty();
    }

    @Test
    void logs_in_a_local_datastore_of_another_machine_are_reported_unavailable() {
        TaskRef logs = TaskRef.of("ParamsLogsFlow", "8", "logs", "33");
        assertThatThrownBy(() -> backend.logs(logs, LogStream.STDOUT, LogRequest.fromStart(0, 100)))
                .isInstanceOf(LogsUnavailableException.class)
                .hasMessage("the logs of ParamsLogsFlow/8/logs/33 are in the local datastore at /home/alice/flows/.metaflow,"
                        + " which is not readable on this machine; the metadata service does not serve logs: read them"
                        + " through the Metaflow UI backend, or run this where that directory is readable")
                .satisfies(e -> assertThat(((LogsUnavailableException) e).location())
                        .isEqualTo(new DatastoreLocation("local", "/home/alice/flows/.metaflow")));
    }

    @Test
    void describes_itself_by_url() {
        assertThat(backend.describe()).isEqualTo("Metaflow metadata service at http://localhost:" + wm.port() + "/");
    }

    @Test
    void unrecorded_requests_are_errors_not_empty_answers() {
        // user_name:eq=alice was not recorded (the recording has user:eq=alice): the 404 must surface.
        assertThatThrownBy(() -> MetaflowClient.of(backend).runs(RunQuery.builder().flow("LinearFlow").user("alice")
                .build()).toList())
                .isInstanceOf(io.github.metaflowui.core.MetaflowException.ServiceException.class)
                .hasMessageStartingWith("the metadata service at http://localhost:" + wm.port()
                        + "/ answered 404 Not Found to GET /flows/LinearFlow/runs?user_name:eq=alice: ")
                .hasMessageEndingWith("(no such endpoint: is http://localhost:" + wm.port() + "/ the metadata service?)");
    }

    @Test
    void sorting_runs_by_a_derived_value_is_refused_with_what_to_do_instead() {
        assertThatThrownBy(() -> backend.listRuns(RunQuery.builder().flow("LinearFlow")
                .sort(RunQuery.Sort.DURATION, SortOrder.DESC).build(), PageRequest.first(10)))
                .isInstanceOf(UnsupportedQueryException.class)
                .hasMessage("the metadata service cannot sort runs by duration: that needs the status of every run;"
                        + " sort by ts_epoch, flow_id, user or run, or use the UI backend");
    }

    @Test
    void tasks_sorted_by_start_time() {
        List<Task> tasks = MetaflowClient.of(backend).tasks(RunRef.of("RetryFlow", "5"), TaskQuery.builder()
                .sort(TaskQuery.Sort.STARTED, SortOrder.DESC).build()).toList();
        assertThat(tasks).extracting(t -> t.step() + "/" + t.id()).containsExactly("end/24", "flaky/23", "start/22");
        List<Task> failed = MetaflowClient.of(backend).tasks(RunRef.of("FailingFlow", "7"), TaskQuery.builder()
                .status(Status.FAILED).build()).toList();
        assertThat(failed).extracting(t -> t.step() + "/" + t.id()).containsExactly("explode/30");
    }
}

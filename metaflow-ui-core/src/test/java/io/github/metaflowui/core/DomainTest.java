package io.github.metaflowui.core;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;

/** The small value types: TaskCounts, Dag, Status, StepType, LogStream, Task and Attempt. */
class DomainTest {
    static final Instant T0 = Instant.parse("2026-12-03T12:40:24.450Z");

    @Nested
    class TaskCountsBehaviour {
        @Test
        void counts_total_and_per_status() {
            TaskCounts c = new TaskCounts(1, 2, 3, 4, 5);

            assertThat(c.total()).isEqualTo(15);
            assertThat(c.get(Status.PENDING)).isEqualTo(1);
            assertThat(c.get(Status.RUNNING)).isEqualTo(2);
            assertThat(c.get(Status.COMPLETED)).isEqualTo(3);
            assertThat(c.get(Status.FAILED)).isEqualTo(4);
            assertThat(c.get(Status.UNKNOWN)).isEqualTo(5);
            assertThat(c.asMap()).containsExactly(entry(Status.PENDING, 1), entry(Status.RUNNING, 2),
                    entry(Status.COMPLETED, 3), entry(Status.FAILED, 4), entry(Status.UNKNOWN, 5));
            assertThat(TaskCounts.EMPTY.total()).isZero();
        }

        @ParameterizedTest
        @EnumSource(Status.class)
        void plus_a_status_adds_one_to_that_status_only(Status s) {
            TaskCounts c = new TaskCounts(1, 2, 3, 4, 5).plus(s);

            assertThat(c.total()).isEqualTo(16);
            for (Status other : Status.values()) {
                int before = new TaskCounts(1, 2, 3, 4, 5).get(other);
                assertThat(c.get(other)).as(other.name()).isEqualTo(other == s ? before + 1 : before);
            }
        }

        @Test
        void plus_counts_adds_field_by_field() {
            assertThat(new TaskCounts(1, 2, 3, 4, 5).plus(new TaskCounts(10, 20, 30, 40, 50)))
                    .isEqualTo(new TaskCounts(11, 22, 33, 44, 55));
            assertThat(TaskCounts.EMPTY.plus(TaskCounts.EMPTY)).isEqualTo(TaskCounts.EMPTY);
        }

        @Test
        void counts_tasks_by_their_status() {
            // BigForeachFlow run 12, square: 281 completed and 4 failed
            List<Task> tasks = new ArrayList<>();
            for (int id = 267; id <= 551; id++) {
                tasks.add(task(Integer.toString(id), id <= 547 ? Status.COMPLETED : Status.FAILED));
            }

            TaskCounts c = TaskCounts.of(tasks);

            assertThat(c).isEqualTo(new TaskCounts(0, 0, 281, 4, 0));
            assertThat(StatusRules.stepStatus(c)).isEqualTo(StatusInfo.of(Status.FAILED, "4 of 285 tasks failed"));
            assertThat(TaskCounts.of(List.of(task("1", Status.PENDING), task("2", Status.RUNNING),
                    task("3", Status.UNKNOWN)))).isEqualTo(new TaskCounts(1, 1, 0, 0, 1));
            assertThat(TaskCounts.of(List.of())).isEqualTo(TaskCounts.EMPTY);
        }

        @Test
        void rejects_negative_counts() {
            assertThatIllegalArgumentException().isThrownBy(() -> new TaskCounts(0, -1, 0, 0, 0))
                    .withMessage("counts must not be negative");
        }

        private Task task(String id, Status s) {
            return new Task(TaskRef.of("BigForeachFlow", "12", "square", id), T0, List.of(), StatusInfo.of(s, "r"),
                    Optional.empty());
        }
    }

    @Nested
    class DagBehaviour {
        private Dag dag(List<Object> structure, String... stepNames) {
            Map<String, DagStep> steps = new LinkedHashMap<>();
            for (String n : stepNames) {
                steps.put(n, new DagStep(n, StepType.LINEAR, List.of(), "", Optional.empty(), Optional.empty(),
                        Map.of(), List.of(), 0));
            }
            return new Dag("F", "start", "end", "", steps, structure);
        }

        @Test
        void step_order_flattens_a_nested_foreach_graph_structure() {
            // NestedForeachFlow run 10, as served by the UI backend's /dag
            List<Object> structure = List.of("start", List.of(List.of("outer", List.of(List.of("inner")),
                    "inner_join")), "outer_join", "end");

            Dag d = dag(structure, "start", "outer", "inner", "inner_join", "outer_join", "end");

            assertThat(d.stepOrder()).containsExactly("start", "outer", "inner", "inner_join", "outer_join", "end");
        }

        @Test
        void step_order_walks_static_branches_in_order() {
            // BranchJoinFlow run 3
            List<Object> structure = List.of("start", List.of(List.of("left"), List.of("right")), "join", "end");

            assertThat(dag(structure, "start", "left", "right", "join", "end").stepOrder())
                    .containsExactly("start", "left", "right", "join", "end");
        }

        @Test
        void step_order_handles_deeper_nesting_duplicates_and_steps_missing_from_the_structure() {
            List<Object> structure = List.of("start",
                    List.of(List.of("a", List.of(List.of("a1"), List.of("a2")), "a_join"), List.of("b")),
                    "join", "join", "end");

            Dag d = dag(structure, "start", "orphan", "a", "a1", "a2", "a_join", "b", "join", "end");

            assertThat(d.stepOrder())
                    .containsExactly("start", "a", "a1", "a2", "a_join", "b", "join", "end", "orphan");
        }

        @Test
        void step_order_without_structure_is_the_graph_order() {
            assertThat(dag(List.of(), "start", "process", "end").stepOrder())
                    .containsExactly("start", "process", "end");
        }

        @Test
        void the_structure_is_deep_copied_and_unmodifiable() {
            List<Object> inner = new ArrayList<>(List.of("left"));
            List<Object> branches = new ArrayList<>(List.of(inner));
            List<Object> structure = new ArrayList<>(List.of("start", branches, "end"));

            Dag d = dag(structure, "start", "left", "end");
            inner.add("sneaky");
            structure.add("later");

            assertThat(d.graphStructure()).isEqualTo(List.of("start", List.of(List.of("left")), "end"));
            assertThat(d.stepOrder()).containsExactly("start", "left", "end");
            assertThat(d.step("left")).isPresent();
            assertThat(d.step("nope")).isEmpty();
        }

        @Test
        void rejects_anything_but_strings_and_lists_in_the_structure() {
            assertThatIllegalArgumentException().isThrownBy(() -> dag(List.of("start", 42), "start"))
                    .withMessage("graph structure holds only strings and lists, got 42");
        }
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(nullValues = "NULL", value = {
            "pending, PENDING", "running, RUNNING", "completed, COMPLETED", "failed, FAILED",
            "RUNNING, RUNNING", "' Failed ', FAILED", "succeeded, COMPLETED", "success, COMPLETED",
            "failure, FAILED", "unknown, UNKNOWN", "queued, UNKNOWN", "'', UNKNOWN", "NULL, UNKNOWN"})
    void status_from_wire_is_lenient_and_unknown_for_the_rest(String wire, Status expected) {
        assertThat(Status.fromWire(wire)).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(Status.class)
    void status_wire_names_round_trip(Status s) {
        assertThat(s.wireName()).isEqualTo(s.name().toLowerCase(java.util.Locale.ROOT));
        assertThat(Status.fromWire(s.wireName())).isEqualTo(s);
        assertThat(s.isTerminal()).isEqualTo(s == Status.COMPLETED || s == Status.FAILED);
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource({"start, START", "linear, LINEAR", "split-static, SPLIT_STATIC", "split-foreach, SPLIT_FOREACH",
            "split-parallel, SPLIT_PARALLEL", "split-switch, SPLIT_SWITCH", "join, JOIN", "end, END",
            "foreach, SPLIT_FOREACH", "split-and, SPLIT_STATIC", "split-teleport, UNKNOWN"})
    void step_types_read_current_and_older_wire_names(String wire, StepType expected) {
        assertThat(StepType.fromWire(wire)).isEqualTo(expected);
    }

    @Test
    void split_step_types_are_splits() {
        assertThat(StepType.SPLIT_FOREACH.isSplit()).isTrue();
        assertThat(StepType.SPLIT_SWITCH.isSplit()).isTrue();
        assertThat(StepType.JOIN.isSplit()).isFalse();
        assertThat(StepType.LINEAR.isSplit()).isFalse();
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource({"out, STDOUT", "stdout, STDOUT", "OUT, STDOUT", "err, STDERR", "StdErr, STDERR"})
    void log_streams_parse_short_and_file_names(String value, LogStream expected) {
        assertThat(LogStream.parse(value)).isEqualTo(expected);
    }

    @Test
    void an_unknown_log_stream_is_rejected_with_the_choices() {
        assertThatIllegalArgumentException().isThrownBy(() -> LogStream.parse("both"))
                .withMessage("unknown log stream 'both': expected out or err");
        assertThat(LogStream.STDERR.fileName()).isEqualTo("stderr");
        assertThat(LogStream.STDOUT.shortName()).isEqualTo("out");
    }

    @Test
    void a_task_sorts_its_attempts_and_reports_the_latest() {
        // RetryFlow run 5, flaky/23: attempt 0 failed, attempt 1 completed
        Attempt a0 = new Attempt(0, StatusInfo.of(Status.FAILED, "attempt 0 failed (attempt_ok is False)"),
                Optional.of(Instant.ofEpochMilli(1796301868988L)), Optional.of(Instant.ofEpochMilli(1796301869027L)));
        Attempt a1 = new Attempt(1, StatusInfo.of(Status.COMPLETED, "attempt 1 succeeded (attempt_ok is True)"),
                Optional.of(Instant.ofEpochMilli(1796301869892L)), Optional.of(Instant.ofEpochMilli(1796301869972L)));

        Task t = new Task(TaskRef.parse("RetryFlow/5/flaky/23"), Instant.ofEpochMilli(1796301868365L),
                List.of(a1, a0), StatusRules.taskStatus(List.of(a1, a0)), Optional.empty());

        assertThat(t.attempts()).extracting(Attempt::id).containsExactly(0, 1);
        assertThat(t.latestAttempt()).contains(a1);
        assertThat(t.currentAttempt()).isEqualTo(1);
        assertThat(t.status().status()).isEqualTo(Status.COMPLETED);
        assertThat(t.startedAt()).contains(Instant.ofEpochMilli(1796301868988L));
        assertThat(t.finishedAt()).contains(Instant.ofEpochMilli(1796301869972L));
        assertThat(t.duration()).contains(Duration.ofMillis(984));
        assertThat(a1.duration()).contains(Duration.ofMillis(80));
        assertThat(t.step()).isEqualTo("flaky");
        assertThat(t.id()).isEqualTo(TaskId.of("23"));
    }

    @Test
    void a_pending_task_has_no_attempt_and_attempt_ids_are_not_negative() {
        Task t = new Task(TaskRef.parse("F/1/s/2"), T0, List.of(), StatusRules.taskStatus(List.of()), Optional.empty());

        assertThat(t.latestAttempt()).isEmpty();
        assertThat(t.currentAttempt()).isZero();
        assertThat(t.startedAt()).isEmpty();
        assertThat(t.duration()).isEmpty();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Attempt(-1, StatusInfo.of(Status.PENDING, "x"), Optional.empty(),
                        Optional.empty()))
                .withMessage("attempt id must be >= 0, got -1");
    }

    @Test
    void an_artifact_value_is_available_unless_made_unavailable_with_a_reason() {
        ArtifactValue plain = new ArtifactValue("int", "15", true, false);
        ArtifactValue broken = ArtifactValue.unavailable("int", "its blob is not valid gzip");

        assertThat(plain.available()).isTrue();
        assertThat(plain.unavailableReason()).isEmpty();
        assertThat(broken.available()).isFalse();
        assertThat(broken.unavailableReason()).contains("its blob is not valid gzip");
        assertThat(broken.display()).isEqualTo("unavailable: its blob is not valid gzip");
        assertThat(broken.rendered()).isFalse();
        assertThat(broken.pythonType()).isEqualTo("int");
    }
}

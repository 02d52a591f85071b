package io.github.metaflowui.core;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** {@link RunQuery} and {@link TaskQuery}: matching (for in-memory backends) and builder validation. */
class QueryTest {
    static final Instant CREATED = Instant.parse("2026-12-03T12:40:24.450Z");

    /** RetryFlow run like the local fixture's second one: user alice, tag flaky, completed. */
    static final Run RETRY_RUN = new Run(RunRef.of("RetryFlow", "1796301618523831"), "alice", Optional.of("alice"),
            CREATED, List.of("flaky"),
            List.of("metaflow_version:2.19.38", "python_version:3.11.2", "runtime:dev", "user:alice"),
            StatusInfo.of(Status.COMPLETED, "end step succeeded"), Optional.empty(), Optional.empty(),
            Optional.empty());

    /** A production run: recorded user name, no verified owner. */
    static final Run PROD_RUN = new Run(RunRef.of("TrainFlow", "argo-trainflow-x7k2p"), "argo-workflows",
            Optional.empty(), CREATED, List.of(), List.of("project:mlp", "runtime:argo-workflows"),
            StatusInfo.of(Status.FAILED, "end step failed"), Optional.empty(), Optional.empty(), Optional.empty());

    @Nested
    class RunQueryMatching {
        static Stream<Arguments> cases() {
            return Stream.of(
                    arguments("all() matches anything", RunQuery.all(), RETRY_RUN, true),
                    arguments("same flow", RunQuery.ofFlow("RetryFlow"), RETRY_RUN, true),
                    arguments("other flow", RunQuery.ofFlow("LinearFlow"), RETRY_RUN, false),
                    arguments("flow is case-sensitive", RunQuery.ofFlow("retryflow"), RETRY_RUN, false),
                    arguments("verified user", RunQuery.builder().user("alice").build(), RETRY_RUN, true),
                    arguments("any of several users", RunQuery.builder().user("bob").user("alice").build(), RETRY_RUN,
                            true),
                    arguments("other user", RunQuery.builder().user("bob").build(), RETRY_RUN, false),
                    arguments("recorded user name without verified owner", RunQuery.builder().user("argo-workflows")
                            .build(), PROD_RUN, true),
                    arguments("user tag", RunQuery.builder().tag("flaky").build(), RETRY_RUN, true),
                    arguments("system tag", RunQuery.builder().tag("runtime:dev").build(), RETRY_RUN, true),
                    arguments("all tags: user and system", RunQuery.builder().tag("flaky").tag("user:alice").build(),
                            RETRY_RUN, true),
                    arguments("all tags: one missing", RunQuery.builder().tag("flaky").tag("env:prod").build(),
                            RETRY_RUN, false),
                    arguments("tags match whole values", RunQuery.builder().tag("flak").build(), RETRY_RUN, false),
                    arguments("any tag: one present", RunQuery.builder().anyTag("env:prod").anyTag("flaky").build(),
                            RETRY_RUN, true),
                    arguments("any tag: none present", RunQuery.builder().anyTag("env:prod").anyTag("exp:1").build(),
                            RETRY_RUN, false),
                    arguments("status", RunQuery.builder().status(Status.COMPLETED).build(), RETRY_RUN, true),
                    arguments("any of several statuses", RunQuery.builder().status(Status.FAILED)
                            .status(Status.RUNNING).build(), PROD_RUN, true),
                    arguments("other status", RunQuery.builder().status(Status.FAILED).build(), RETRY_RUN, false),
                    arguments("created from is inclusive", RunQuery.builder().createdFrom(CREATED).build(), RETRY_RUN,
                            true),
                    arguments("created from after the run", RunQuery.builder().createdFrom(CREATED.plusMillis(1))
                            .build(), RETRY_RUN, false),
                    arguments("created before is exclusive", RunQuery.builder().createdBefore(CREATED).build(),
                            RETRY_RUN, false),
                    arguments("created before after the run", RunQuery.builder().createdBefore(CREATED.plusMillis(1))
                            .build(), RETRY_RUN, true),
                    arguments("a window around the run", RunQuery.builder().createdFrom(CREATED.minusSeconds(60))
                            .createdBefore(CREATED.plusSeconds(60)).build(), RETRY_RUN, true),
                    arguments("every criterion holds", RunQuery.builder().flow("RetryFlow").user("alice").tag("flaky")
                            .anyTag("runtime:dev").status(Status.COMPLETED).createdFrom(CREATED).build(), RETRY_RUN,
                            true),
                    arguments("criteria are ANDed", RunQuery.builder().flow("RetryFlow").user("alice")
                            .status(Status.FAILED).build(), RETRY_RUN, false));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("cases")
        void matches_a_run_when_every_criterion_holds(String name, RunQuery query, Run run, boolean matches) {
            assertThat(query.matches(run)).isEqualTo(matches);
        }
    }

    @Nested
    class RunQueryBuilding {
        @Test
        void defaults_to_every_run_newest_first() {
            RunQuery q = RunQuery.all();

            assertThat(q.flow()).isEmpty();
            assertThat(q.users()).isEmpty();
            assertThat(q.tagsAll()).isEmpty();
            assertThat(q.tagsAny()).isEmpty();
            assertThat(q.statuses()).isEmpty();
            assertThat(q.createdFrom()).isEmpty();
            assertThat(q.createdBefore()).isEmpty();
            assertThat(q.sort()).isEqualTo(RunQuery.Sort.CREATED);
            assertThat(q.order()).isEqualTo(SortOrder.DESC);
            assertThat(RunQuery.builder().build()).isEqualTo(q).hasSameHashCodeAs(q);
        }

        @Test
        void rejects_a_window_that_does_not_open() {
            Instant t = Instant.parse("2026-12-03T12:00:00Z");

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> RunQuery.builder().createdFrom(t).createdBefore(t).build())
                    .withMessage("createdFrom (2026-12-03T12:00:00Z) must be before createdBefore (2026-12-03T12:00:00Z)");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> RunQuery.builder().createdFrom(t.plusSeconds(1)).createdBefore(t).build())
                    .withMessage("createdFrom (2026-12-03T12:00:01Z) must be before createdBefore (2026-12-03T12:00:00Z)");
        }

        @Test
        void rejects_null_values_by_name() {
            RunQuery.Builder b = RunQuery.builder();

            assertThatNullPointerException().isThrownBy(() -> b.flow(null)).withMessage("flow");
            assertThatNullPointerException().isThrownBy(() -> b.user(null)).withMessage("user");
            assertThatNullPointerException().isThrownBy(() -> b.tag(null)).withMessage("tag");
            assertThatNullPointerException().isThrownBy(() -> b.anyTag(null)).withMessage("tag");
            assertThatNullPointerException().isThrownBy(() -> b.status(null)).withMessage("status");
            assertThatNullPointerException().isThrownBy(() -> b.createdFrom(null)).withMessage("from");
            assertThatNullPointerException().isThrownBy(() -> b.createdBefore(null)).withMessage("before");
            assertThatNullPointerException().isThrownBy(() -> b.sort(null, SortOrder.ASC)).withMessage("sort");
            assertThatNullPointerException().isThrownBy(() -> b.sort(RunQuery.Sort.RUN, null)).withMessage("order");
        }

        @Test
        void is_immutable_and_round_trips_through_its_builder() {
            RunQuery.Builder b = RunQuery.builder().flow("RetryFlow").user("alice").tag("flaky").anyTag("exp:1")
                    .status(Status.FAILED).createdFrom(CREATED).createdBefore(CREATED.plusSeconds(1))
                    .sort(RunQuery.Sort.DURATION, SortOrder.ASC);
            RunQuery q = b.build();
            b.user("bob").tag("other");

            assertThat(q.users()).containsExactly("alice");
            assertThat(q.tagsAll()).containsExactly("flaky");
            assertThat(q.toBuilder().build()).isEqualTo(q).hasSameHashCodeAs(q);
            assertThat(q.toBuilder().user("bob").build()).isNotEqualTo(q);
            assertThat(q.sort()).isEqualTo(RunQuery.Sort.DURATION);
            assertThat(q.order()).isEqualTo(SortOrder.ASC);
            assertThat(q.toString()).contains("flow=RetryFlow", "sort=DURATION", "order=ASC");
        }

        @Test
        void sort_fields_map_to_the_ui_backend_columns() {
            assertThat(RunQuery.Sort.fromField("ts_epoch")).contains(RunQuery.Sort.CREATED);
            assertThat(RunQuery.Sort.fromField("started_at")).contains(RunQuery.Sort.CREATED);
            assertThat(RunQuery.Sort.fromField("finished_at")).contains(RunQuery.Sort.FINISHED);
            assertThat(RunQuery.Sort.fromField("duration")).contains(RunQuery.Sort.DURATION);
            assertThat(RunQuery.Sort.fromField("flow_id")).contains(RunQuery.Sort.FLOW);
            assertThat(RunQuery.Sort.fromField("Status")).contains(RunQuery.Sort.STATUS);
            assertThat(RunQuery.Sort.fromField("run")).contains(RunQuery.Sort.RUN);
            assertThat(RunQuery.Sort.fromField("nope")).isEmpty();
            assertThat(RunQuery.Sort.USER.field()).isEqualTo("user");
            assertThat(SortOrder.ASC.prefix()).isEqualTo("+");
            assertThat(SortOrder.DESC.prefix()).isEqualTo("-");
        }
    }

    @Nested
    class TaskQueryMatching {
        static final Task SQUARE_DONE = task("square", "63", Status.COMPLETED);
        static final Task EXPLODE_FAILED = task("explode", "27", Status.FAILED);

        static Task task(String step, String id, Status status) {
            return new Task(TaskRef.of("ForeachFlow", "11", step, id), CREATED, List.of(),
                    StatusInfo.of(status, "r"), Optional.empty());
        }

        static Stream<Arguments> cases() {
            return Stream.of(
                    arguments("all() matches anything", TaskQuery.all(), SQUARE_DONE, true),
                    arguments("same step", TaskQuery.ofStep("square"), SQUARE_DONE, true),
                    arguments("other step", TaskQuery.ofStep("join"), SQUARE_DONE, false),
                    arguments("status", TaskQuery.builder().status(Status.FAILED).build(), EXPLODE_FAILED, true),
                    arguments("other status", TaskQuery.builder().status(Status.FAILED).build(), SQUARE_DONE, false),
                    arguments("any of several statuses", TaskQuery.builder().status(Status.RUNNING)
                            .status(Status.COMPLETED).build(), SQUARE_DONE, true),
                    arguments("step and status ANDed", TaskQuery.builder().step("square").status(Status.FAILED)
                            .build(), SQUARE_DONE, false));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("cases")
        void matches_a_task_when_every_criterion_holds(String name, TaskQuery query, Task task, boolean matches) {
            assertThat(query.matches(task)).isEqualTo(matches);
        }

        @Test
        void defaults_to_every_task_in_creation_order() {
            TaskQuery q = TaskQuery.all();

            assertThat(q.step()).isEmpty();
            assertThat(q.statuses()).isEmpty();
            assertThat(q.sort()).isEqualTo(TaskQuery.Sort.CREATED);
            assertThat(q.order()).isEqualTo(SortOrder.ASC);
            assertThat(TaskQuery.builder().build()).isEqualTo(q).hasSameHashCodeAs(q);
            assertThat(TaskQuery.ofStep("a")).isNotEqualTo(q);
        }

        @Test
        void builder_rejects_nulls_and_sort_fields_map() {
            assertThatNullPointerException().isThrownBy(() -> TaskQuery.builder().step(null)).withMessage("step");
            assertThatNullPointerException().isThrownBy(() -> TaskQuery.builder().status(null)).withMessage("status");
            assertThatNullPointerException().isThrownBy(() -> TaskQuery.builder().sort(null, SortOrder.ASC))
                    .withMessage("sort");
            assertThat(TaskQuery.Sort.fromField("task_id")).contains(TaskQuery.Sort.TASK_ID);
            assertThat(TaskQuery.Sort.fromField("started_at")).contains(TaskQuery.Sort.STARTED);
            assertThat(TaskQuery.Sort.fromField("finished")).contains(TaskQuery.Sort.FINISHED);
            assertThat(TaskQuery.Sort.fromField("user")).isEmpty();
        }
    }

    @Test
    void run_tags_and_users_as_the_filters_see_them() {
        assertThat(RETRY_RUN.allTags()).containsExactly("flaky", "metaflow_version:2.19.38", "python_version:3.11.2",
                "runtime:dev", "user:alice");
        assertThat(RETRY_RUN.systemTag("runtime")).contains("dev");
        assertThat(RETRY_RUN.systemTag("project")).isEmpty();
        assertThat(RETRY_RUN.displayUser()).isEqualTo("alice");
        assertThat(PROD_RUN.displayUser()).isEqualTo("argo-workflows");
        assertThat(PROD_RUN.systemTag("project")).contains("mlp");
    }
}

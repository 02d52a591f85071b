package io.github.metaflowui.client.local;

import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunId;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Run and task queries: filters, every sort in both directions, and cursor paging. */
class LocalQueryAndPagingTest {
    private static LocalMetaflowBackend backend;
    private static MetaflowClient client;

    @BeforeAll
    static void open() {
        backend = LocalFixture.backend();
        client = MetaflowClient.of(backend, 5);
    }

    private static List<String> ids(Iterable<Run> runs) {
        List<String> out = new ArrayList<>();
        runs.forEach(r -> out.add(r.ref().pathspec()));
        return out;
    }

    @Test
    void runs_are_newest_first_by_default() {
        assertThat(ids(client.runs(RunQuery.all()))).containsExactly(
                "ForeachFlow/1796301750791937", "ForeachFlow/1796301658654985",
                "NestedForeachFlow/1796301646182255", "NestedForeachFlow/1796301636916116",
                "ParamsLogsFlow/1796301634438435", "ParamsLogsFlow/1796301631794417",
                "ParamsLogsFlow/1796301628865091", "FailingFlow/1796301626371648", "FailingFlow/1796301624448446",
                "RetryFlow/1796301621418237", "RetryFlow/1796301618523831", "RetryFlow/1796301615558176",
                "BranchJoinFlow/1796301612748865", "BranchJoinFlow/1796301609499775",
                "BranchJoinFlow/1796301605733522", "LinearFlow/1796301602989289", "LinearFlow/1796301600405831",
                "LinearFlow/1796301579117609");
    }

    @Test
    void paging_five_at_a_time_gives_all_eighteen_runs_exactly_once() {
        List<Page<Run>> pages = new ArrayList<>();
        client.runs(RunQuery.all()).pages().forEach(pages::add);

        assertThat(pages).extracting(p -> p.items().size()).containsExactly(5, 5, 5, 3);
        assertThat(pages).extracting(Page::hasNext).containsExactly(true, true, true, false);
        List<String> all = pages.stream().flatMap(p -> p.items().stream()).map(r -> r.ref().pathspec())
                .collect(Collectors.toList());
        assertThat(all).hasSize(18).doesNotHaveDuplicates();
    }

    @Test
    void a_full_last_page_has_no_cursor() {
        Page<Run> page = backend.listRuns(RunQuery.ofFlow("RetryFlow"), PageRequest.first(3));

        assertThat(page.items()).hasSize(3);
        assertThat(page.nextCursor()).isEmpty();
    }

    static Stream<Arguments> sorts() {
        List<Arguments> out = new ArrayList<>();
        for (RunQuery.Sort s : RunQuery.Sort.values()) {
            for (SortOrder o : SortOrder.values()) {
                out.add(Arguments.of(s, o));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("sorts")
    @SuppressWarnings("unchecked")
    void every_run_sort_orders_all_runs_with_ties_broken_by_run_id(RunQuery.Sort sort, SortOrder order) {
        List<Run> runs = client.runs(RunQuery.builder().sort(sort, order).build()).toList();

        assertThat(runs).hasSize(18);
        assertThat(runs).extracting(r -> r.ref().pathspec()).doesNotHaveDuplicates();
        Comparator<Run> byKey = Comparator.comparing(runKey(sort), Comparator.nullsLast(Comparator.naturalOrder()));
        Comparator<Run> expected = (a, b) -> {
            Comparable<?> ka = runKey(sort).apply(a);
            Comparable<?> kb = runKey(sort).apply(b);
            if ((ka == null) != (kb == null)) {
                return ka == null ? 1 : -1; // no value: last either way
            }
            int c = byKey.compare(a, b);
            if (c == 0) {
                c = a.id().compareTo(b.id());
            }
            if (c == 0) {
                c = a.flow().compareTo(b.flow());
            }
            return order == SortOrder.ASC ? c : -c;
        };
        assertThat(runs).isSortedAccordingTo(expected);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Function<Run, Comparable> runKey(RunQuery.Sort sort) {
        switch (sort) {
            case CREATED:
                return Run::createdAt;
            case FINISHED:
                return r -> r.finishedAt().orElse(null);
            case DURATION:
                return r -> r.duration().orElse(null);
            case FLOW:
                return Run::flow;
            case USER:
                return Run::displayUser;
            case STATUS:
                return r -> r.status().status().wireName();
            default:
                return r -> "";
        }
    }

    @Test
    void sorting_by_run_id_compares_ids_as_numbers() {
        List<RunId> ids = client.runs(RunQuery.builder().sort(RunQuery.Sort.RUN, SortOrder.ASC).build()).stream()
                .map(Run::id).collect(Collectors.toList());

        assertThat(ids.get(0).value()).isEqualTo("1796301579117609");
        assertThat(ids.get(17).value()).isEqualTo("1796301750791937");
        assertThat(ids).isSorted();
    }

    @Test
    void filters_by_status() {
        assertThat(ids(client.runs(RunQuery.builder().status(Status.FAILED).build())))
                .containsExactly("FailingFlow/1796301626371648", "FailingFlow/1796301624448446");
        assertThat(ids(client.runs(RunQuery.builder().status(Status.COMPLETED).build()))).hasSize(16);
        assertThat(ids(client.runs(RunQuery.builder().status(Status.RUNNING).build()))).isEmpty();
        assertThat(ids(client.runs(RunQuery.builder().status(Status.RUNNING).status(Status.FAILED).build())))
                .hasSize(2);
    }

    @Test
    void filters_by_tags_all_and_any_over_user_and_system_tags() {
        assertThat(ids(client.runs(RunQuery.builder().tag("env:test").build())))
                .containsExactly("LinearFlow/1796301600405831");
        assertThat(ids(client.runs(RunQuery.builder().anyTag("exp:1").anyTag("branchy").build())))
                .containsExactly("ParamsLogsFlow/1796301631794417", "BranchJoinFlow/1796301609499775");
        assertThat(ids(client.runs(RunQuery.builder().tag("exp:1").tag("team:ml").build())))
                .containsExactly("ParamsLogsFlow/1796301631794417");
        assertThat(ids(client.runs(RunQuery.builder().tag("exp:1").tag("branchy").build()))).isEmpty();
        assertThat(ids(client.runs(RunQuery.builder().tag("runtime:dev").tag("user:alice").build()))).hasSize(18);
        assertThat(ids(client.runs(RunQuery.builder().anyTag("no-such-tag").build()))).isEmpty();
    }

    @Test
    void filters_by_user_and_flow() {
        assertThat(ids(client.runs(RunQuery.builder().user("alice").build()))).hasSize(18);
        assertThat(ids(client.runs(RunQuery.builder().user("bob").build()))).isEmpty();
        assertThat(ids(client.runs(RunQuery.ofFlow("RetryFlow")))).containsExactly("RetryFlow/1796301621418237",
                "RetryFlow/1796301618523831", "RetryFlow/1796301615558176");
        assertThat(ids(client.runs(RunQuery.ofFlow("NoSuchFlow")))).isEmpty();
        assertThat(ids(client.runs(RunQuery.builder().flow("FailingFlow").status(Status.COMPLETED).build())))
                .isEmpty();
    }

    @Test
    void filters_by_creation_time_range_from_inclusive_to_exclusive() {
        RunQuery q = RunQuery.builder().createdFrom(Instant.parse("2026-12-03T12:40:21.419Z"))
                .createdBefore(Instant.parse("2026-12-03T12:40:28.866Z")).build();

        assertThat(ids(client.runs(q))).containsExactly("FailingFlow/1796301626371648",
                "FailingFlow/1796301624448446", "RetryFlow/1796301621418237");
    }

    @Test
    void a_malformed_cursor_or_one_from_another_order_is_refused() {
        String cursor = backend.listRuns(RunQuery.all(), PageRequest.first(5)).nextCursor().orElseThrow();

        assertThatThrownBy(() -> backend.listRuns(RunQuery.all(), PageRequest.after("not a cursor!", 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("invalid page cursor 'not a cursor!'");
        assertThatThrownBy(() -> backend.listRuns(RunQuery.builder().sort(RunQuery.Sort.FLOW, SortOrder.ASC).build(),
                PageRequest.after(cursor, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the page cursor was made for another listing or order (runs:CREATED:DESC, not runs:FLOW:ASC)");
    }

    @Test
    void a_new_run_appearing_between_pages_neither_repeats_nor_skips_runs(@TempDir Path tmp) {
        LocalFixture.copy("LinearFlow", tmp);
        LocalFixture.copy("RetryFlow", tmp);
        LocalMetaflowBackend local = LocalFixture.backend(tmp);
        Page<Run> first = local.listRuns(RunQuery.all(), PageRequest.first(2));

        // a newer run arrives (a copy of an existing run under a new id and time)
        LocalFixture.copy("RetryFlow/1796301621418237", tmp.resolve("new"));
        moveRun(tmp.resolve("new/RetryFlow/1796301621418237"), tmp.resolve("RetryFlow/1796309999000000"),
                1796309999000L);
        List<String> rest = new ArrayList<>();
        Page<Run> page = local.listRuns(RunQuery.all(), PageRequest.after(first.nextCursor().orElseThrow(), 2));
        while (true) {
            page.items().forEach(r -> rest.add(r.ref().pathspec()));
            if (page.nextCursor().isEmpty()) {
                break;
            }
            page = local.listRuns(RunQuery.all(), PageRequest.after(page.nextCursor().get(), 2));
        }

        assertThat(first.items()).extracting(r -> r.ref().pathspec())
                .containsExactly("RetryFlow/1796301621418237", "RetryFlow/1796301618523831");
        assertThat(rest).containsExactly("RetryFlow/1796301615558176", "LinearFlow/1796301602989289",
                "LinearFlow/1796301600405831", "LinearFlow/1796301579117609");
        assertThat(ids(MetaflowClient.of(local, 2).runs(RunQuery.all())).get(0))
                .isEqualTo("RetryFlow/1796309999000000");
    }

    @Test
    void runs_are_ordered_by_ts_epoch_not_by_their_id_and_ties_go_by_run_id(@TempDir Path tmp) {
        LocalFixture.copy("LinearFlow", tmp);
        // the oldest run id gets the newest ts_epoch; the two others get the same ts_epoch
        setRunTs(tmp, "1796301579117609", 1796301700000000L / 1000);
        setRunTs(tmp, "1796301600405831", 1796301650000L);
        setRunTs(tmp, "1796301602989289", 1796301650000L);
        LocalMetaflowBackend local = LocalFixture.backend(tmp);

        List<String> newestFirst = ids(MetaflowClient.of(local).runs(RunQuery.all()));
        List<String> oldestFirst = ids(MetaflowClient.of(local).runs(RunQuery.builder()
                .sort(RunQuery.Sort.CREATED, SortOrder.ASC).build()));

        assertThat(newestFirst).containsExactly("LinearFlow/1796301579117609", "LinearFlow/1796301602989289",
                "LinearFlow/1796301600405831");
        assertThat(oldestFirst).containsExactly("LinearFlow/1796301600405831", "LinearFlow/1796301602989289",
                "LinearFlow/1796301579117609");
    }

    private static void setRunTs(Path root, String run, long tsEpoch) {
        Path self = root.resolve("LinearFlow").resolve(run).resolve("_meta").resolve("_self.json");
        LocalFixture.overwrite(self, "{\"run_number\": \"" + run + "\", \"flow_id\": \"LinearFlow\", \"user_name\": "
                + "\"alice\", \"tags\": [], \"system_tags\": [\"runtime:dev\", \"user:alice\"], \"ts_epoch\": "
                + tsEpoch + "}");
    }

    private static void moveRun(Path from, Path to, long tsEpoch) {
        try {
            java.nio.file.Files.move(from, to);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String run = to.getFileName().toString();
        LocalFixture.overwrite(to.resolve("_meta").resolve("_self.json"), "{\"run_number\": \"" + run
                + "\", \"flow_id\": \"RetryFlow\", \"user_name\": \"alice\", \"tags\": [], \"system_tags\": "
                + "[\"user:alice\"], \"ts_epoch\": " + tsEpoch + "}");
    }

    @Test
    void flows_page_by_name() {
        Page<Flow> first = backend.listFlows(PageRequest.first(3));
        Page<Flow> second = backend.listFlows(PageRequest.after(first.nextCursor().orElseThrow(), 3));
        Page<Flow> third = backend.listFlows(PageRequest.after(second.nextCursor().orElseThrow(), 3));

        assertThat(first.items()).extracting(Flow::name).containsExactly("BranchJoinFlow", "FailingFlow", "ForeachFlow");
        assertThat(second.items()).extracting(Flow::name)
                .containsExactly("LinearFlow", "NestedForeachFlow", "ParamsLogsFlow");
        assertThat(third.items()).extracting(Flow::name).containsExactly("RetryFlow");
        assertThat(third.nextCursor()).isEmpty();
    }

    // ------------------------------------------------------------------ tasks

    private static final RunRef FOREACH = RunRef.of("ForeachFlow", "1796301658654985");

    @Test
    void tasks_by_id_in_both_directions_compare_ids_as_numbers() {
        List<String> asc = client.tasks(FOREACH, TaskQuery.builder().step("square")
                .sort(TaskQuery.Sort.TASK_ID, SortOrder.ASC).build()).stream().map(t -> t.id().value())
                .collect(Collectors.toList());
        List<String> desc = client.tasks(FOREACH, TaskQuery.builder().step("square")
                .sort(TaskQuery.Sort.TASK_ID, SortOrder.DESC).build()).stream().map(t -> t.id().value())
                .collect(Collectors.toList());

        assertThat(asc).hasSize(200).startsWith("2", "3", "4").endsWith("200", "201");
        List<String> reversed = new ArrayList<>(asc);
        java.util.Collections.reverse(reversed);
        assertThat(desc).isEqualTo(reversed);
    }

    static Stream<Arguments> taskSorts() {
        List<Arguments> out = new ArrayList<>();
        for (TaskQuery.Sort s : TaskQuery.Sort.values()) {
            for (SortOrder o : SortOrder.values()) {
                out.add(Arguments.of(s, o));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("taskSorts")
    void every_task_sort_orders_all_203_tasks_of_the_run(TaskQuery.Sort sort, SortOrder order) {
        List<Task> tasks = client.tasks(FOREACH, TaskQuery.builder().sort(sort, order).build()).toList();

        assertThat(tasks).hasSize(203);
        assertThat(tasks).extracting(t -> t.ref().pathspec()).doesNotHaveDuplicates();
        Function<Task, Comparable<?>> key = taskKey(sort);
        Comparator<Task> expected = (a, b) -> {
            @SuppressWarnings({"unchecked", "rawtypes"})
            int c = ((Comparable) key.apply(a)).compareTo(key.apply(b));
            if (c == 0) {
                c = a.id().compareTo(b.id());
            }
            if (c == 0) {
                c = a.step().compareTo(b.step());
            }
            return order == SortOrder.ASC ? c : -c;
        };
        assertThat(tasks).isSortedAccordingTo(expected);
    }

    private static Function<Task, Comparable<?>> taskKey(TaskQuery.Sort sort) {
        switch (sort) {
            case CREATED:
                return Task::createdAt;
            case STARTED:
                return t -> t.startedAt().orElseThrow().toEpochMilli();
            case FINISHED:
                return t -> t.finishedAt().orElseThrow().toEpochMilli();
            case DURATION:
                return t -> t.duration().orElseThrow().toMillis();
            default:
                return t -> "";
        }
    }

    @Test
    void tasks_filter_by_status_and_step() {
        RunRef failing = RunRef.of("FailingFlow", "1796301626371648");

        assertThat(client.tasks(failing, TaskQuery.builder().status(Status.FAILED).build()).toList())
                .extracting(t -> t.ref().pathspec()).containsExactly("FailingFlow/1796301626371648/explode/2");
        assertThat(client.tasks(failing, TaskQuery.builder().status(Status.COMPLETED).build()).toList())
                .extracting(t -> t.ref().pathspec()).containsExactly("FailingFlow/1796301626371648/start/1");
        assertThat(client.tasks(FOREACH, TaskQuery.builder().step("square").status(Status.COMPLETED).build()).toList())
                .hasSize(200);
        assertThat(client.tasks(FOREACH, TaskQuery.ofStep("no_such_step")).toList()).isEmpty();
    }

    @Test
    void tasks_in_creation_order_by_default_page_through_all_of_them() {
        List<Page<Task>> pages = new ArrayList<>();
        MetaflowClient.of(backend, 7).tasks(FOREACH, TaskQuery.all()).pages().forEach(pages::add);

        List<Task> all = pages.stream().flatMap(p -> p.items().stream()).collect(Collectors.toList());
        assertThat(pages).hasSize(29);
        assertThat(all).hasSize(203).extracting(t -> t.ref().pathspec()).doesNotHaveDuplicates();
        assertThat(all.get(0).ref().pathspec()).isEqualTo("ForeachFlow/1796301658654985/start/1");
        assertThat(all.get(202).ref().pathspec()).isEqualTo("ForeachFlow/1796301658654985/end/203");
        assertThat(all).extracting(Task::createdAt).isSorted();
    }
}

package io.github.metaflowui.synthetic;

import io.github.metaflowui.client.uibackend.UiServiceBackend;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunGroups;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.StepAggregates;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.index.IndexStats;
import io.github.metaflowui.core.index.IndexedBackend;
import io.github.metaflowui.core.spi.MetaflowBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index in front of the UI backend (served by the simulator) answers run and task lists from
 * memory with the same runs, in the query's order, at any depth.
 */
class IndexedBackendOverSimulatorTest {
    static final Instant AS_OF = Instant.parse("2026-12-03T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(AS_OF.plusSeconds(30), ZoneOffset.UTC);
    static SyntheticArchive archive;
    static MetadataSimulator simulator;
    static UiServiceBackend ui;
    static IndexedBackend indexed;

    @BeforeAll
    static void start() throws InterruptedException {
        archive = SyntheticArchive.generate(ArchiveSpec.of(12_000, 2_500, AS_OF).withFlows(20));
        simulator = MetadataSimulator.start(archive, 0, CLOCK);
        ui = UiServiceBackend.builder().baseUri(simulator.uiBackendUri()).clock(CLOCK).build();
        indexed = IndexedBackend.builder(ui).clock(CLOCK).refreshInterval(Duration.ofHours(1)).build();
        assertThat(indexed.awaitReady(Duration.ofMinutes(2))).isTrue();
    }

    @AfterAll
    static void stop() {
        indexed.close();
        simulator.close();
    }

    @Test
    void indexes_every_run_of_the_archive() {
        IndexStats stats = indexed.stats();
        assertThat(stats.ready()).isTrue();
        assertThat(stats.runs()).isEqualTo(12_000);
        assertThat(stats.complete()).isTrue();
        assertThat(stats.unfinished()).isEqualTo(archive.statusCounts().getOrDefault(Status.RUNNING, 0));
    }

    @Test
    void newest_first_pages_walk_every_run_once_in_creation_order() {
        List<Run> all = MetaflowClient.of(indexed, 1000).runs(RunQuery.all()).toList();
        assertThat(all).hasSize(12_000);
        assertThat(all.stream().map(r -> r.ref().pathspec()).collect(Collectors.toSet())).hasSize(12_000);
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).createdAt()).isBeforeOrEqualTo(all.get(i - 1).createdAt());
        }
        // the same runs, with the same values, as the UI backend lists them
        List<Run> fromService = MetaflowClient.of(ui, 1000).runs(RunQuery.all()).stream().limit(3000).toList();
        Set<Run> indexedSet = new HashSet<>(all);
        assertThat(fromService).allSatisfy(r -> assertThat(indexedSet).contains(r));
    }

    @Test
    void status_filters_match_the_archive() {
        List<Run> failed = MetaflowClient.of(indexed, 500).runs(RunQuery.builder().status(Status.FAILED).build()).toList();
        Map<Status, Integer> counts = archive.statusCounts();
        assertThat(failed).hasSize(counts.get(Status.FAILED));
        assertThat(failed).allSatisfy(r -> assertThat(r.status().status()).isEqualTo(Status.FAILED));
    }

    @Test
    void sorts_by_duration_both_ways_with_absent_durations_last() {
        for (SortOrder order : SortOrder.values()) {
            RunQuery q = RunQuery.builder().sort(RunQuery.Sort.DURATION, order).build();
            List<Run> all = MetaflowClient.of(indexed, 1000).runs(q).toList();
            assertThat(all).hasSize(12_000);
            Comparator<Duration> cmp = order == SortOrder.ASC ? Comparator.naturalOrder() : Comparator.reverseOrder();
            List<Duration> durations = all.stream().map(r -> r.duration().orElseThrow()).toList();
            assertThat(durations).isSortedAccordingTo(cmp);
        }
    }

    @Test
    void groups_from_memory_are_the_groups_of_the_whole_list() {
        List<RunQuery> queries = List.of(RunQuery.all(),
                RunQuery.builder().sort(RunQuery.Sort.DURATION, SortOrder.ASC).build(),
                RunQuery.builder().status(Status.FAILED).build(),
                RunQuery.builder().sort(RunQuery.Sort.USER, SortOrder.DESC).build());
        for (RunQuery q : queries) {
            List<Run> all = MetaflowClient.of(indexed, 1000).runs(q).toList();
            for (RunGroups.By by : RunGroups.By.values()) {
                RunGroups expected = RunGroups.of(all, by, 6, java.util.Optional.empty(), 1000, Long.MAX_VALUE);
                assertThat(expected.exact()).isTrue();
                // page by page, 7 groups at a time, after the last group of the page before
                List<RunGroups.Group> paged = new ArrayList<>();
                java.util.Optional<String> after = java.util.Optional.empty();
                RunGroups page;
                do {
                    page = indexed.groupRuns(q, by, 6, after, 7);
                    assertThat(page.exact()).isTrue();
                    assertThat(page.scanned()).isEqualTo(all.size());
                    paged.addAll(page.groups());
                    after = page.groups().isEmpty() ? after : java.util.Optional.of(page.groups().get(page.groups().size() - 1).key());
                } while (page.more());
                assertThat(paged).as(q + " by " + by).hasSameSizeAs(expected.groups());
                for (int i = 0; i < paged.size(); i++) {
                    RunGroups.Group got = paged.get(i);
                    RunGroups.Group want = expected.groups().get(i);
                    assertThat(got.key()).isEqualTo(want.key());
                    assertThat(got.count()).isEqualTo(want.count());
                    assertThat(got.runs().stream().map(r -> r.ref().pathspec()).toList())
                            .isEqualTo(want.runs().stream().map(r -> r.ref().pathspec()).toList());
                }
            }
        }
        // the default (no index) reads the list through listRuns, here all of it (12,000 runs are within its bound)
        RunGroups read = ui.groupRuns(RunQuery.all(), RunGroups.By.FLOW, 6, java.util.Optional.empty(), 5);
        assertThat(MetaflowBackend.GROUP_SCAN).isGreaterThan(12_000);
        assertThat(read.scanned()).isEqualTo(12_000);
        assertThat(read.exact()).isTrue();
        assertThat(read.groups().stream().map(RunGroups.Group::key).toList()).isEqualTo(indexed.groupRuns(RunQuery.all(),
                RunGroups.By.FLOW, 6, java.util.Optional.empty(), 5).groups().stream().map(RunGroups.Group::key).toList());
    }

    @Test
    void a_deep_page_by_offset_is_the_same_as_walking_to_it() {
        RunQuery q = RunQuery.builder().status(Status.COMPLETED).sort(RunQuery.Sort.FINISHED, SortOrder.DESC).build();
        List<Run> walked = MetaflowClient.of(indexed, 20).runs(q).stream().skip(20L * 299).limit(20).toList();
        String cursor = indexed.runsCursorAt(q, 20L * 299).orElseThrow();
        Page<Run> jumped = indexed.listRuns(q, PageRequest.after(cursor, 20));
        assertThat(jumped.items()).isEqualTo(walked);
        assertThat(jumped.hasNext()).isTrue();
    }

    @Test
    void flow_user_and_tag_filters_match_the_archive() {
        String flow = archive.flows().get(3);
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < archive.runCount(); i++) {
            if (archive.ref(i).flow().equals(flow) && archive.tags(i).contains("env:prod")) {
                expected.add(archive.ref(i).pathspec());
            }
        }
        RunQuery q = RunQuery.builder().flow(flow).tag("env:prod").sort(RunQuery.Sort.USER, SortOrder.ASC).build();
        List<Run> got = MetaflowClient.of(indexed, 100).runs(q).toList();
        assertThat(got.stream().map(r -> r.ref().pathspec()).collect(Collectors.toSet())).isEqualTo(expected);
        assertThat(got.stream().map(Run::displayUser).toList()).isSorted();
    }

    @Test
    void task_pages_steps_and_aggregates_of_the_big_run_come_from_one_read() {
        long before = simulator.requestCount();
        List<Task> all = MetaflowClient.of(indexed, 1000).tasks(archive.bigRun(), TaskQuery.ofStep("sweep")).toList();
        assertThat(all).hasSize(2_500);
        List<Step> steps = indexed.steps(archive.bigRun());
        StepAggregates agg = indexed.aggregates(archive.bigRun(), "sweep");
        List<Task> slowest = indexed.listTasks(archive.bigRun(), TaskQuery.builder().step("sweep")
                .sort(TaskQuery.Sort.DURATION, SortOrder.DESC).build(), PageRequest.first(10)).items();
        long requests = simulator.requestCount() - before;

        assertThat(steps).extracting(Step::name).containsExactly("start", "sweep");
        Map<Status, Integer> counts = archive.bigStepCounts();
        assertThat(agg.counts().completed()).isEqualTo(counts.get(Status.COMPLETED));
        assertThat(agg.counts().failed()).isEqualTo(counts.getOrDefault(Status.FAILED, 0));
        assertThat(agg.counts().total()).isEqualTo(2_500);
        assertThat(steps.get(1).counts()).isEqualTo(agg.counts());
        assertThat(agg.retriedTasks()).isPositive();
        assertThat(agg.durations().count()).isEqualTo(2_500);
        assertThat(agg.durations().histogram().stream().mapToLong(b -> b.count()).sum()).isEqualTo(2_500);
        assertThat(slowest.get(0).duration()).isEqualTo(agg.durations().max());
        // three pages of 1,000 for the table, one for the run's status, one for the graph, and the first
        // page asked of the UI backend while the table was read; nothing more
        assertThat(requests).isLessThanOrEqualTo(7);

        // the same tasks the UI backend lists
        List<Task> fromService = MetaflowClient.of(ui, 1000).tasks(archive.bigRun(), TaskQuery.ofStep("sweep")).toList();
        assertThat(new ArrayList<>(all)).containsExactlyInAnyOrderElementsOf(fromService);
    }
}

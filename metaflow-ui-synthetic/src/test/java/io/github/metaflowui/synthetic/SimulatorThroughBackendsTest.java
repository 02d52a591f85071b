package io.github.metaflowui.synthetic;

import io.github.metaflowui.client.service.MetadataServiceBackend;
import io.github.metaflowui.client.uibackend.UiServiceBackend;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator speaks both services well enough for the real HTTP backends, and tells the archive's story. */
class SimulatorThroughBackendsTest {
    static final Instant AS_OF = Instant.parse("2026-12-03T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(AS_OF.plusSeconds(30), ZoneOffset.UTC);
    static SyntheticArchive archive;
    static MetadataSimulator simulator;
    static MetadataServiceBackend service;
    static UiServiceBackend ui;

    @BeforeAll
    static void start() {
        archive = SyntheticArchive.generate(ArchiveSpec.of(6_000, 1_200, AS_OF).withFlows(8));
        simulator = MetadataSimulator.start(archive, 0, CLOCK);
        service = MetadataServiceBackend.builder().baseUri(simulator.metadataServiceUri()).clock(CLOCK).build();
        ui = UiServiceBackend.builder().baseUri(simulator.uiBackendUri()).clock(CLOCK).build();
    }

    @AfterAll
    static void stop() {
        service.close();
        ui.close();
        simulator.close();
    }

    @Test
    void streams_a_flow_through_the_metadata_service_cursor_pages_with_the_service_status() {
        String flow = archive.flows().get(0);
        Set<String> expected = new HashSet<>();
        int failed = 0;
        for (int i = 0; i < archive.runCount(); i++) {
            if (archive.ref(i).flow().equals(flow)) {
                expected.add(archive.ref(i).run().value());
                failed += archive.status(i) == Status.FAILED ? 1 : 0;
            }
        }
        long before = simulator.requestCount();
        List<Run> all = MetaflowClient.of(service, 500).runs(RunQuery.builder().flow(flow).status(Status.COMPLETED)
                .status(Status.FAILED).status(Status.RUNNING).build()).toList();
        long requests = simulator.requestCount() - before;

        assertThat(all).extracting(r -> r.id().value()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(all).filteredOn(r -> r.status().status() == Status.FAILED).hasSize(failed);
        assertThat(requests).isEqualTo((expected.size() + 499) / 500); // one request per page of 500
    }

    @Test
    void derives_run_statuses_through_the_metadata_service_like_the_ui_backend_reports_them() {
        for (int i = archive.runCount() - 40; i < archive.runCount(); i++) {
            RunRef ref = archive.ref(i);
            Run viaService = service.run(ref).orElseThrow();
            Run viaUi = ui.run(ref).orElseThrow();
            assertThat(viaService.status().status()).as(ref.toString()).isEqualTo(archive.status(i));
            assertThat(viaUi.status().status()).as(ref.toString()).isEqualTo(archive.status(i));
            assertThat(viaUi.createdAt()).isEqualTo(archive.createdAt(i));
        }
    }

    @Test
    void orders_filters_and_deep_pages_of_the_ui_backend() {
        List<Run> byDuration = MetaflowClient.of(ui, 200).runs(RunQuery.builder().status(Status.FAILED)
                .sort(RunQuery.Sort.DURATION, SortOrder.DESC).build()).stream().limit(600).toList();
        assertThat(byDuration).allSatisfy(r -> assertThat(r.status().status()).isEqualTo(Status.FAILED));
        assertThat(byDuration.stream().map(r -> r.duration().orElseThrow()).toList())
                .isSortedAccordingTo(java.util.Comparator.reverseOrder());
        // deep keyset pages of the UI backend client walk every run once
        List<Run> all = MetaflowClient.of(ui, 1000).runs(RunQuery.all()).toList();
        assertThat(all).hasSize(6_000);
        assertThat(new HashSet<>(all.stream().map(Run::ref).toList())).hasSize(6_000);
    }

    @Test
    void the_big_run_lists_its_retried_tasks_and_their_logs_through_both_services() {
        Task retried = MetaflowClient.of(ui, 1000).tasks(archive.bigRun(), TaskQuery.ofStep("sweep")).stream()
                .filter(t -> t.attempts().size() == 3).findFirst().orElseThrow();
        Task same = service.task(retried.ref()).orElseThrow();
        assertThat(same.attempts()).hasSize(3);
        assertThat(same.status().status()).isEqualTo(retried.status().status());
        assertThat(same.foreachLabel()).hasValueSatisfying(l -> assertThat(l).startsWith("params["));

        var err = ui.logs(retried.ref(), LogStream.STDERR, LogRequest.fromEnd(0, 3).attempt(0));
        assertThat(err.totalLines()).isEqualTo(8);
        assertThat(err.lines().get(2).text()).startsWith("RuntimeError: simulated failure on attempt 0 of sweep/");
        var out = ui.logs(retried.ref(), LogStream.STDOUT, LogRequest.fromStart(0, 2));
        assertThat(out.attempt()).isEqualTo(2);
        assertThat(out.lines().get(0).text()).startsWith("Starting HyperparameterSweepFlow.sweep (task ");
        assertThat(ui.artifactValue(retried.ref(), "_task_ok", 0, 100).orElseThrow().display()).isEqualTo("False");
        assertThat(service.metadata(retried.ref())).extracting(m -> m.fieldName()).contains("attempt_ok", "foreach-stack");
    }
}

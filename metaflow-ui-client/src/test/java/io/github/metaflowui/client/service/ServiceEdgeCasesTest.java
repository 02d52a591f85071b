package io.github.metaflowui.client.service;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/** Scheduler string ids, odd names and the service-side user filter. */
class ServiceEdgeCasesTest {
    static final long TS = 1_796_000_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(TS + 60_000), ZoneOffset.UTC);
    static WireMockServer wm;
    static MetadataServiceBackend backend;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wm.start();
        backend = MetadataServiceBackend.builder().baseUri("http://localhost:" + wm.port()).clock(CLOCK).build();
        String run = "{\"flow_id\": \"Argo Flow\", \"run_number\": \"argo-train-x7k2p\", \"user_name\": \"svc\","
                + " \"ts_epoch\": " + TS + ", \"tags\": null, \"system_tags\": [\"production:abc\"],"
                + " \"last_heartbeat_ts\": " + (TS / 1000 + 30) + "}";
        wm.stubFor(get(urlPathEqualTo("/flows/Argo%20Flow/runs/argo-train-x7k2p"))
                .willReturn(aResponse().withStatus(200).withBody(run)));
        wm.stubFor(get(urlPathEqualTo("/flows/Argo%20Flow/runs/argo-train-x7k2p/steps")).willReturn(aResponse()
                .withStatus(200).withBody("[{\"step_name\": \"start\", \"run_number\": \"argo-train-x7k2p\", \"ts_epoch\": "
                        + (TS + 5) + "}]")));
        wm.stubFor(get(urlPathEqualTo("/flows/Argo%20Flow/runs/argo-train-x7k2p/steps/start/tasks/t-9f3a"))
                .willReturn(aResponse().withStatus(200).withBody("{\"step_name\": \"start\", \"task_id\": \"t-9f3a\","
                        + " \"ts_epoch\": " + (TS + 10) + ", \"last_heartbeat_ts\": " + (TS / 1000 + 50) + "}")));
        wm.stubFor(get(urlPathEqualTo("/flows/Argo%20Flow/runs/argo-train-x7k2p/steps/start/tasks/t-9f3a/metadata"))
                .willReturn(aResponse().withStatus(200).withBody("[{\"id\": 5, \"field_name\": \"attempt\", \"value\": \"0\","
                        + " \"type\": \"attempt\", \"ts_epoch\": " + (TS + 20) + ", \"tags\": [\"attempt_id:0\"]}]")));
        wm.stubFor(get(urlPathEqualTo("/flows/Argo%20Flow/runs")).willReturn(aResponse().withStatus(200)
                .withHeader("X-Limit", "50").withBody("[" + run + "]")));
    }

    @AfterAll
    static void stop() {
        backend.close();
        wm.stop();
    }

    @Test
    void string_run_and_task_ids_and_names_with_spaces_work() {
        Run run = backend.run(RunRef.of("Argo Flow", "argo-train-x7k2p")).orElseThrow();
        assertThat(run.id().value()).isEqualTo("argo-train-x7k2p");
        assertThat(run.user()).isEmpty(); // production run: no verified owner
        assertThat(run.displayUser()).isEqualTo("svc");
        assertThat(run.tags()).isEmpty();
        assertThat(run.status().status()).isEqualTo(Status.RUNNING);
        assertThat(run.status().reason()).isEqualTo("heartbeat 30 s ago");

        Task task = backend.task(TaskRef.of("Argo Flow", "argo-train-x7k2p", "start", "t-9f3a")).orElseThrow();
        assertThat(task.status().status()).isEqualTo(Status.RUNNING);
        assertThat(task.startedAt()).contains(Instant.ofEpochMilli(TS + 20));
    }

    @Test
    void the_user_filter_matches_the_recorded_user_name() {
        List<Run> runs = MetaflowClient.of(backend).runs(RunQuery.builder().flow("Argo Flow").user("svc").build()).toList();
        assertThat(runs).hasSize(1);
        wm.verify(getRequestedFor(urlPathEqualTo("/flows/Argo%20Flow/runs")).withQueryParam("user_name:eq", equalTo("svc")));
    }
}

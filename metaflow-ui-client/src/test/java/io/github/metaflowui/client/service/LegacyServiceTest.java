package io.github.metaflowui.client.service;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Older metadata services (no {@code X-Limit}) ignore {@code _limit} and filters and answer with the
 * whole, unordered list. It is decoded with the streaming parser and only a window of it is kept.
 */
class LegacyServiceTest {
    static final long BASE_TS = 1_796_000_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(BASE_TS + 10_000_000L), ZoneOffset.UTC);

    static WireMockServer wm;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort().disableRequestJournal());
        wm.start();
    }

    @AfterAll
    static void stop() {
        wm.stop();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
    }

    static String row(String flow, long number, long ts, Long heartbeatSec, String status) {
        return "{\"flow_id\": \"" + flow + "\", \"run_number\": " + number + ", \"user_name\": \"alice\", \"ts_epoch\": " + ts
                + ", \"tags\": [], \"system_tags\": [\"user:alice\"], \"last_heartbeat_ts\": "
                + (heartbeatSec == null ? "null" : heartbeatSec) + (status == null ? "" : ", \"status\": \"" + status + "\"")
                + "}";
    }

    static byte[] array(List<String> rows) {
        return ("[" + String.join(", ", rows) + "]").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void two_hundred_thousand_runs_stream_through_the_client_newest_first_in_ten_downloads() {
        int n = 200_000;
        List<String> rows = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            // these rows carry the status the service computed (as a status-filtered answer does), so that
            // only listing is measured here; status derivation on legacy servers is the next test
            rows.add(row("HugeFlow", i, BASE_TS + i * 1000L, BASE_TS / 1000 + i, "completed"));
        }
        Collections.shuffle(rows, new Random(42));
        wm.stubFor(get(urlPathEqualTo("/flows/HugeFlow/runs"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/plain").withBody(array(rows))));
        rows = null;
        AtomicInteger requests = new AtomicInteger();
        wm.addMockServiceRequestListener((request, response) -> requests.incrementAndGet());
        try (MetadataServiceBackend backend = MetadataServiceBackend.builder().baseUri("http://localhost:" + wm.port())
                .clock(CLOCK).legacyWindow(20_000).build()) {
            long count = 0;
            long previous = Long.MAX_VALUE;
            String first = null;
            String last = null;
            Iterator<Run> it = MetaflowClient.of(backend, 1000).runs(RunQuery.ofFlow("HugeFlow")).iterator();
            while (it.hasNext()) {
                Run r = it.next();
                long ts = r.createdAt().toEpochMilli();
                assertThat(ts).isLessThan(previous);
                previous = ts;
                if (first == null) {
                    first = r.id().value();
                }
                last = r.id().value();
                count++;
            }
            assertThat(count).isEqualTo(n);
            assertThat(first).isEqualTo("200000");
            assertThat(last).isEqualTo("1");
        }
        // one download per window of 20,000 runs: the 200 pages of 1,000 never needed the whole list at once
        assertThat(requests.get()).isEqualTo(10);
    }

    @Test
    void statuses_are_derived_and_filtered_here_when_the_service_ignores_the_filter() {
        List<String> rows = new ArrayList<>();
        long nowSec = CLOCK.instant().getEpochSecond();
        for (int i = 1; i <= 30; i++) {
            // even runs heartbeat 20 s ago (running), odd ones 20 min ago (failed: no end step)
            long hb = i % 2 == 0 ? nowSec - 20 : nowSec - 1200;
            rows.add(row("OldFlow", i, BASE_TS + i * 1000L, hb, null));
        }
        Collections.shuffle(rows, new Random(7));
        wm.stubFor(get(urlPathEqualTo("/flows/OldFlow/runs")).willReturn(aResponse().withStatus(200).withBody(array(rows))));
        wm.stubFor(get(urlPathMatching("/flows/OldFlow/runs/[0-9]+/steps"))
                .willReturn(aResponse().withStatus(200).withBody("[{\"step_name\": \"_parameters\", \"ts_epoch\": 1},"
                        + " {\"step_name\": \"start\", \"ts_epoch\": 2}]")));
        try (MetadataServiceBackend backend = MetadataServiceBackend.builder().baseUri("http://localhost:" + wm.port())
                .clock(CLOCK).build()) {
            List<Run> running = MetaflowClient.of(backend, 4).runs(RunQuery.builder().flow("OldFlow")
                    .status(Status.RUNNING).build()).toList();
            assertThat(running).extracting(r -> r.id().value())
                    .containsExactly("30", "28", "26", "24", "22", "20", "18", "16", "14", "12", "10", "8", "6", "4", "2");
            assertThat(running).allSatisfy(r -> assertThat(r.status().reason()).isEqualTo("heartbeat 20 s ago"));

            List<Run> oldestFirst = MetaflowClient.of(backend, 7).runs(RunQuery.builder().flow("OldFlow")
                    .sort(RunQuery.Sort.CREATED, SortOrder.ASC).build()).toList();
            assertThat(oldestFirst).hasSize(30);
            assertThat(oldestFirst.get(0).id().value()).isEqualTo("1");
            assertThat(oldestFirst.get(0).status().status()).isEqualTo(Status.FAILED);
            assertThat(oldestFirst.get(0).status().reason()).isEqualTo("no heartbeat for 20 min and the end step did not"
                    + " finish (runs are presumed dead after 6 min)");
        }
    }

    @Test
    void runs_of_all_flows_are_merged_newest_first() {
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            a.add(row("AFlow", i, BASE_TS + (2L * i) * 1000, null, "completed"));
            b.add(row("BFlow", i, BASE_TS + (2L * i + 1) * 1000, null, "failed"));
        }
        wm.stubFor(get(urlPathEqualTo("/flows")).willReturn(aResponse().withStatus(200).withBody(
                "[{\"flow_id\": \"BFlow\", \"ts_epoch\": 1}, {\"flow_id\": \"AFlow\", \"ts_epoch\": 2}]")));
        wm.stubFor(get(urlPathEqualTo("/flows/AFlow/runs")).willReturn(aResponse().withStatus(200).withBody(array(a))));
        wm.stubFor(get(urlPathEqualTo("/flows/BFlow/runs")).willReturn(aResponse().withStatus(200).withBody(array(b))));
        try (MetadataServiceBackend backend = MetadataServiceBackend.builder().baseUri("http://localhost:" + wm.port())
                .clock(CLOCK).build()) {
            List<Run> all = MetaflowClient.of(backend, 3).runs(RunQuery.all()).toList();
            assertThat(all).hasSize(20);
            assertThat(all).extracting(r -> r.flow() + "/" + r.id().value()).startsWith("BFlow/10", "AFlow/10", "BFlow/9",
                    "AFlow/9");
            assertThat(all).extracting(Run::createdAt).isSortedAccordingTo((x, y) -> y.compareTo(x));

            List<Run> byFlow = MetaflowClient.of(backend, 4).runs(RunQuery.builder()
                    .sort(RunQuery.Sort.FLOW, SortOrder.ASC).build()).toList();
            assertThat(byFlow).extracting(Run::flow).containsSequence("AFlow", "AFlow").endsWith("BFlow");
            assertThat(byFlow.subList(0, 10)).extracting(r -> r.id().value())
                    .containsExactly("10", "9", "8", "7", "6", "5", "4", "3", "2", "1");
        }
    }
}

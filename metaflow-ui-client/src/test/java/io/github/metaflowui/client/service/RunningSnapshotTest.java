package io.github.metaflowui.client.service;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.metaflowui.client.http.testing.Recordings;
import io.github.metaflowui.client.uibackend.UiServiceBackend;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * BigForeachFlow run 12 as recorded about 40 s before it was killed ({@code running-snapshot/}): running
 * while its heartbeat is fresh, failed once the clock passes the 6-minute cutoff.
 */
class RunningSnapshotTest {
    static final RunRef BIG = RunRef.of("BigForeachFlow", "12");
    /** The snapshot's last run heartbeat, in seconds. */
    static final long HEARTBEAT = 1_796_302_561L;

    static WireMockServer service;
    static WireMockServer ui;

    @BeforeAll
    static void start() {
        service = Recordings.serve("service/running-snapshot");
        ui = Recordings.serve("ui-backend/running-snapshot");
    }

    @AfterAll
    static void stop() {
        service.stop();
        ui.stop();
    }

    static MetadataServiceBackend serviceAt(long epochMillis) {
        return MetadataServiceBackend.builder().baseUri("http://localhost:" + service.port())
                .clock(Clock.fixed(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC)).build();
    }

    @Test
    void running_while_the_heartbeat_is_fresh() {
        try (MetadataServiceBackend backend = serviceAt(HEARTBEAT * 1000 + 9_000)) {
            Run run = backend.run(BIG).orElseThrow();
            assertThat(run.status().status()).isEqualTo(Status.RUNNING);
            assertThat(run.status().reason()).isEqualTo("heartbeat 9 s ago");
            assertThat(run.finishedAt()).isEmpty();
            assertThat(run.lastHeartbeat()).contains(Instant.ofEpochSecond(HEARTBEAT));
            assertThat(run.duration()).contains(Duration.ofMillis(HEARTBEAT * 1000 - 1_796_302_187_795L));
        }
    }

    @Test
    void failed_once_the_heartbeat_is_older_than_six_minutes() {
        try (MetadataServiceBackend backend = serviceAt(HEARTBEAT * 1000 + 361_000)) {
            Run run = backend.run(BIG).orElseThrow();
            assertThat(run.status().status()).isEqualTo(Status.FAILED);
            assertThat(run.status().reason()).startsWith("no heartbeat for 6 min");
            assertThat(run.finishedAt()).contains(Instant.ofEpochSecond(HEARTBEAT));
        }
    }

    @Test
    void ui_backend_reports_it_running_with_no_finish_time() {
        Clock clock = Clock.fixed(Instant.ofEpochMilli(HEARTBEAT * 1000 + 20_000), ZoneOffset.UTC);
        try (UiServiceBackend backend = UiServiceBackend.builder().baseUri("http://localhost:" + ui.port() + "/api")
                .clock(clock).build()) {
            Run run = backend.run(BIG).orElseThrow();
            assertThat(run.status().status()).isEqualTo(Status.RUNNING);
            assertThat(run.finishedAt()).isEmpty();
            assertThat(run.status().reason()).startsWith("heartbeat ");
        }
    }
}

package io.github.metaflowui.client.service;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.github.metaflowui.client.http.testing.Recordings;
import io.github.metaflowui.core.Card;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metadata service knows nothing of cards; when a task's datastore is local and readable here,
 * its cards are read from {@code <ds-root>/mf.cards} (a temporary directory written in Metaflow's
 * layout). Elsewhere, and for the recorded service (whose datastore is on another machine), there are none.
 */
class ServiceCardsTest {
    static final TaskRef LOCAL_TASK = TaskRef.of("ParamsLogsFlow", "1796301628865091", "logs", "2");
    static final TaskRef S3_TASK = TaskRef.of("ParamsLogsFlow", "8", "logs", "33");
    static final String UUID = "9f1c2e4a5b6d4e8f9a0b1c2d3e4f5a6b";

    @TempDir
    static Path tmp;
    static WireMockServer wm;
    static WireMockServer recorded;

    @BeforeAll
    static void start() throws IOException {
        Path dsRoot = tmp.resolve(".metaflow");
        Path cards = dsRoot.resolve("mf.cards/ParamsLogsFlow/runs/1796301628865091/steps/logs/tasks/2/cards");
        Files.createDirectories(cards);
        Files.writeString(cards.resolve("blank-" + UUID + ".html"), "<p>from the datastore</p>");
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wm.start();
        wm.stubFor(get("/flows/ParamsLogsFlow/runs/1796301628865091/steps/logs/tasks/2/metadata")
                .willReturn(aResponse().withStatus(200).withBody(ServiceLogsTest.metadata(dsRoot.toString(), "local"))));
        wm.stubFor(get("/flows/ParamsLogsFlow/runs/8/steps/logs/tasks/33/metadata")
                .willReturn(aResponse().withStatus(200).withBody(ServiceLogsTest.metadata("s3://bucket/metaflow", "s3"))));
        recorded = Recordings.serve("service");
    }

    @AfterAll
    static void stop() {
        wm.stop();
        recorded.stop();
    }

    @Test
    void cards_of_a_readable_local_datastore_are_read_from_it() {
        try (MetadataServiceBackend b = MetadataServiceBackend.builder().baseUri("http://localhost:" + wm.port()).build()) {
            assertThat(b.cards(LOCAL_TASK)).extracting(Card::type, Card::hash).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("blank", UUID));
            assertThat(b.cardHtml(LOCAL_TASK, UUID, 1000).orElseThrow().text()).isEqualTo("<p>from the datastore</p>");
            assertThat(b.cards(S3_TASK)).isEmpty();
            assertThat(b.cardHtml(S3_TASK, UUID, 1000)).isEmpty();
        }
        try (MetadataServiceBackend off = MetadataServiceBackend.builder().baseUri("http://localhost:" + wm.port())
                .readLocalDatastore(false).build()) {
            assertThat(off.cards(LOCAL_TASK)).isEmpty();
        }
    }

    @Test
    void the_recorded_service_runs_have_no_reachable_cards() {
        try (MetadataServiceBackend b = MetadataServiceBackend.builder().baseUri("http://localhost:" + recorded.port()).build()) {
            assertThat(b.cards(TaskRef.of("BigForeachFlow", "12", "square", "267"))).isEmpty();
        }
    }
}

package io.github.metaflowui.client.service;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.github.metaflowui.client.http.internal.Json;
import io.github.metaflowui.client.http.testing.Recordings;
import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The metadata service does not serve logs: they are read from the task's datastore. A local datastore
 * readable here (the fixture's real {@code .metaflow} directory) goes through the local backend's
 * {@code LocalLogReader}; other datastores need a plugged-in {@link DatastoreLogReader}.
 */
class ServiceLogsTest {
    static final TaskRef LOCAL_TASK = TaskRef.of("ParamsLogsFlow", "1796301628865091", "logs", "2");
    static final TaskRef S3_TASK = TaskRef.of("ParamsLogsFlow", "8", "logs", "33");
    static final TaskRef PENDING_TASK = TaskRef.of("ParamsLogsFlow", "8", "end", "34");

    static WireMockServer wm;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wm.start();
        Path root = Recordings.fixtures().resolve("local/dot-metaflow").toAbsolutePath();
        wm.stubFor(get("/flows/ParamsLogsFlow/runs/1796301628865091/steps/logs/tasks/2/metadata")
                .willReturn(aResponse().withStatus(200).withBody(metadata(root.toString(), "local"))));
        wm.stubFor(get("/flows/ParamsLogsFlow/runs/8/steps/logs/tasks/33/metadata")
                .willReturn(aResponse().withStatus(200).withBody(metadata("s3://bucket/metaflow", "s3"))));
        wm.stubFor(get("/flows/ParamsLogsFlow/runs/8/steps/end/tasks/34/metadata")
                .willReturn(aResponse().withStatus(200).withBody("[]")));
    }

    @AfterAll
    static void stop() {
        wm.stop();
    }

    /** The records a started attempt 0 has, as the service returns them (newest first). */
    static String metadata(String root, String type) {
        var array = Json.MAPPER.createArrayNode();
        String[][] rows = {{"ds-root", root, "3"}, {"ds-type", type, "2"}, {"attempt", "0", "1"}};
        for (String[] r : rows) {
            array.addObject().put("id", Long.parseLong(r[2])).put("flow_id", "ParamsLogsFlow").put("field_name", r[0])
                    .put("value", r[1]).put("type", r[0]).put("user_name", "alice").put("ts_epoch", 1_796_301_630_000L + Long.parseLong(r[2]))
                    .putArray("tags").add("attempt_id:0");
        }
        return array.toString();
    }

    static MetadataServiceBackend.Builder backend() {
        return MetadataServiceBackend.builder().baseUri("http://localhost:" + wm.port());
    }

    @Test
    void local_datastore_logs_are_read_from_the_directory_the_task_records() {
        try (MetadataServiceBackend b = backend().build()) {
            LogPage head = b.logs(LOCAL_TASK, LogStream.STDOUT, LogRequest.fromStart(0, 3));
            assertThat(head.totalLines()).isEqualTo(5003);
            assertThat(head.attempt()).isZero();
            assertThat(head.lines()).extracting(LogLine::text).first()
                    .isEqualTo("unicode: héllo wörld – ✓ 日本語テキスト 🚀 Ω≈ç√");
            assertThat(head.lines().get(1).text()).hasSize(100_000);

            LogPage tail = b.logs(LOCAL_TASK, LogStream.STDOUT, LogRequest.fromEnd(0, 1));
            assertThat(tail.lines()).extracting(LogLine::row, LogLine::text)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(5002L, "last stdout line"));

            LogPage err = b.logs(LOCAL_TASK, LogStream.STDERR, LogRequest.fromStart(0, 2));
            assertThat(err.totalLines()).isEqualTo(1003);
            assertThat(err.lines().get(1).text()).hasSize(50_000);

            assertThat(MetaflowClient.of(b).logLines(LOCAL_TASK, LogStream.STDOUT, 0).stream().count()).isEqualTo(5003);
        }
    }

    @Test
    void logs_in_another_datastore_need_a_reader_for_it() {
        try (MetadataServiceBackend b = backend().build()) {
            assertThatThrownBy(() -> b.logs(S3_TASK, LogStream.STDOUT, LogRequest.fromStart(0, 10)))
                    .isInstanceOf(LogsUnavailableException.class)
                    .hasMessage("the logs of ParamsLogsFlow/8/logs/33 are in the s3 datastore at s3://bucket/metaflow;"
                            + " the metadata service does not serve logs: read them through the Metaflow UI backend,"
                            + " or configure a DatastoreLogReader for s3 datastores");
        }
    }

    @Test
    void a_plugged_in_reader_serves_the_datastores_it_knows() {
        DatastoreLogReader s3 = (location, task, stream, attempt, window) -> location.type().equals("s3")
                ? Optional.of(new LogPage(attempt, List.of(new LogLine(0, Optional.empty(),
                location.root() + " " + task.pathspec() + " " + stream.fileName(), stream)), 1))
                : Optional.empty();
        try (MetadataServiceBackend b = backend().logReader(s3).build()) {
            LogPage page = b.logs(S3_TASK, LogStream.STDERR, LogRequest.fromStart(0, 10));
            assertThat(page.lines()).extracting(LogLine::text)
                    .containsExactly("s3://bucket/metaflow ParamsLogsFlow/8/logs/33 stderr");
            // the local datastore still goes through the built-in reader
            assertThat(b.logs(LOCAL_TASK, LogStream.STDOUT, LogRequest.fromStart(0, 1)).totalLines()).isEqualTo(5003);
        }
    }

    @Test
    void reading_the_local_datastore_can_be_turned_off() {
        try (MetadataServiceBackend b = backend().readLocalDatastore(false).build()) {
            assertThatThrownBy(() -> b.logs(LOCAL_TASK, LogStream.STDOUT, LogRequest.fromStart(0, 1)))
                    .isInstanceOf(LogsUnavailableException.class)
                    .hasMessageContaining("are in the local datastore at ");
        }
    }

    @Test
    void a_task_that_never_started_has_an_empty_log() {
        try (MetadataServiceBackend b = backend().build()) {
            LogPage page = b.logs(PENDING_TASK, LogStream.STDOUT, LogRequest.fromStart(0, 10));
            assertThat(page.lines()).isEmpty();
            assertThat(page.totalLines()).isZero();
        }
    }
}

package io.github.metaflowui.client.local;

import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Log windows, attempts, and the mflog format details, on the fixture and on hand-made files. */
class LocalLogReaderTest {
    private static final TaskRef LOGS = TaskRef.of("ParamsLogsFlow", "1796301628865091", "logs", "2");
    private static final TaskRef FLAKY = TaskRef.of("RetryFlow", "1796301615558176", "flaky", "2");
    private static LocalMetaflowBackend backend;

    @BeforeAll
    static void open() {
        backend = LocalFixture.backend();
    }

    private static List<Long> rows(LogPage page) {
        return page.lines().stream().map(LogLine::row).toList();
    }

    @Test
    void reads_a_window_from_the_start() {
        LogPage page = backend.logs(LOGS, LogStream.STDOUT, LogRequest.fromStart(0, 100));

        assertThat(page.totalLines()).isEqualTo(5003);
        assertThat(page.attempt()).isZero();
        assertThat(rows(page)).hasSize(100).startsWith(0L, 1L).endsWith(99L);
        assertThat(page.lines().get(0).text()).isEqualTo("unicode: héllo wörld – ✓ 日本語テキスト 🚀 Ω≈ç√");
        assertThat(page.lines().get(0).timestamp()).contains(Instant.parse("2026-12-03T12:40:30.380208Z"));
        assertThat(page.lines().get(0).stream()).isEqualTo(LogStream.STDOUT);
        assertThat(page.lines()).extracting(l -> l.timestamp().orElseThrow()).isSorted();
    }

    @Test
    void reads_the_last_rows_from_the_start_offset() {
        LogPage page = backend.logs(LOGS, LogStream.STDOUT, LogRequest.fromStart(5000, 100));

        assertThat(rows(page)).containsExactly(5000L, 5001L, 5002L);
        assertThat(page.lines().get(2).text()).isEqualTo("last stdout line");
        assertThat(backend.logs(LOGS, LogStream.STDOUT, LogRequest.fromStart(6000, 100)).lines()).isEmpty();
    }

    @Test
    void reads_windows_counted_from_the_end() {
        LogPage tail = backend.logs(LOGS, LogStream.STDOUT, LogRequest.fromEnd(0, 100));
        LogPage before = backend.logs(LOGS, LogStream.STDOUT, LogRequest.fromEnd(100, 100));
        LogPage head = backend.logs(LOGS, LogStream.STDOUT, LogRequest.fromEnd(5000, 100));
        LogPage past = backend.logs(LOGS, LogStream.STDOUT, LogRequest.fromEnd(6000, 10));

        assertThat(rows(tail)).hasSize(100).startsWith(4903L).endsWith(5002L);
        assertThat(tail.lines().get(99).text()).isEqualTo("last stdout line");
        assertThat(rows(before)).hasSize(100).startsWith(4803L).endsWith(4902L);
        assertThat(rows(head)).containsExactly(0L, 1L, 2L);
        assertThat(past.lines()).isEmpty();
        assertThat(past.totalLines()).isEqualTo(5003);
    }

    @Test
    void stderr_has_its_own_rows() {
        LogPage page = backend.logs(LOGS, LogStream.STDERR, LogRequest.fromEnd(0, 3));

        assertThat(page.totalLines()).isEqualTo(1003);
        assertThat(page.lines()).extracting(LogLine::text)
                .containsExactly("err 0999 of 1000", "err 1000 of 1000", "last stderr line");
        assertThat(page.lines()).extracting(LogLine::stream).containsOnly(LogStream.STDERR);
    }

    @Test
    void an_attempt_can_be_chosen_and_the_latest_is_the_default() {
        LogPage zero = backend.logs(FLAKY, LogStream.STDERR, LogRequest.fromStart(0, 100).attempt(0));
        LogPage one = backend.logs(FLAKY, LogStream.STDERR, LogRequest.fromStart(0, 100).attempt(1));
        LogPage latest = backend.logs(FLAKY, LogStream.STDOUT, LogRequest.fromStart(0, 100));
        LogPage missing = backend.logs(FLAKY, LogStream.STDOUT, LogRequest.fromStart(0, 100).attempt(7));

        assertThat(zero.attempt()).isZero();
        assertThat(zero.totalLines()).isEqualTo(39);
        assertThat(one.attempt()).isEqualTo(1);
        assertThat(one.totalLines()).isZero();
        assertThat(latest.attempt()).isEqualTo(1);
        assertThat(latest.lines()).extracting(LogLine::text).containsExactly("flaky: this is attempt 1");
        assertThat(missing.attempt()).isEqualTo(7);
        assertThat(missing.lines()).isEmpty();
    }

    @Test
    void the_log_reader_works_on_its_own_for_a_datastore_root() {
        LocalLogReader reader = LocalLogReader.of(LocalFixture.root());

        assertThat(reader.latestAttempt(FLAKY)).hasValue(1);
        assertThat(reader.latestAttempt(TaskRef.of("RetryFlow", "1796301615558176", "flaky", "99"))).isEmpty();
        LogPage page = reader.read(FLAKY, LogStream.STDOUT, 0, LogRequest.fromStart(0, 10));
        assertThat(page.lines()).extracting(LogLine::text).containsExactly("flaky: this is attempt 0");
        assertThat(reader.read(TaskRef.of("..", "x", "y", "z"), LogStream.STDOUT, 0, LogRequest.fromStart(0, 10))
                .totalLines()).isZero();
        assertThatThrownBy(() -> reader.read(FLAKY, LogStream.STDOUT, -1, LogRequest.fromStart(0, 10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("attempt must be >= 0, got -1");
    }

    // ------------------------------------------------------------------ hand-made logs

    private static final TaskRef T = TaskRef.of("F", "1", "s", "2");

    private static Path taskDir(Path root) throws IOException {
        return Files.createDirectories(root.resolve("F/1/s/2"));
    }

    private static String mflog(String ts, String source, String id, String msg) {
        return "[MFLOG|0|" + ts + "Z|" + source + "|" + id + "]" + msg + "\n";
    }

    @Test
    void runtime_and_task_logs_are_merged_by_timestamp(@TempDir Path root) throws IOException {
        Path dir = taskDir(root);
        Files.writeString(dir.resolve("0.runtime_stdout.log"),
                mflog("2026-12-03T12:00:00.000001", "runtime", "a", "first")
                        + mflog("2026-12-03T12:00:00.000003", "runtime", "c", "third"));
        Files.writeString(dir.resolve("0.task_stdout.log"),
                mflog("2026-12-03T12:00:00.000004", "task", "d", "fourth")
                        + mflog("2026-12-03T12:00:00.000002", "task", "b", "second")
                        + "not an mflog line\n");

        LogPage page = LocalLogReader.of(root).read(T, LogStream.STDOUT, 0, LogRequest.fromStart(0, 10));

        assertThat(page.lines()).extracting(LogLine::text)
                .containsExactly("first", "second", "third", "fourth", "not an mflog line");
        assertThat(page.lines().get(1).timestamp()).contains(Instant.parse("2026-12-03T12:00:00.000002Z"));
        assertThat(page.lines().get(4).timestamp()).isEmpty();
        assertThat(rows(page)).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void legacy_logs_are_plain_lines_in_file_order(@TempDir Path root) throws IOException {
        Path dir = taskDir(root);
        Files.writeString(dir.resolve("0.stderr.log"), "zebra\napple\n[MFLOG|looks like one]\n");

        LogPage page = LocalLogReader.of(root).read(T, LogStream.STDERR, 0, LogRequest.fromStart(0, 10));

        assertThat(page.lines()).extracting(LogLine::text).containsExactly("zebra", "apple", "[MFLOG|looks like one]");
        assertThat(page.lines()).extracting(LogLine::timestamp).containsOnly(Optional.empty());
    }

    @Test
    void malformed_utf8_is_replaced_and_lines_split_like_python_splitlines(@TempDir Path root) throws IOException {
        Path dir = taskDir(root);
        byte[] bad = {(byte) 0xff, (byte) 0xfe};
        String prefix = "[MFLOG|0|2026-12-03T12:00:00.000001Z|runtime|a]";
        byte[] content = concat(prefix.getBytes(StandardCharsets.UTF_8), "bad ".getBytes(StandardCharsets.UTF_8), bad,
                " bytes\r\nwindows\rold mac\n\nlast".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("0.runtime_stdout.log"), content);

        List<String> lines = LocalLogReader.of(root).read(T, LogStream.STDOUT, 0, LogRequest.fromStart(0, 10))
                .lines().stream().map(LogLine::text).toList();

        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo("bad \uFFFD\uFFFD bytes");
        assertThat(lines.subList(1, 5)).containsExactlyInAnyOrder("windows", "old mac", "", "last");
    }

    @Test
    void a_log_that_grows_is_read_again(@TempDir Path root) throws IOException {
        Path dir = taskDir(root);
        Path log = dir.resolve("0.runtime_stdout.log");
        Files.writeString(log, mflog("2026-12-03T12:00:00.000001", "runtime", "a", "one"));
        LocalLogReader reader = LocalLogReader.of(root);
        assertThat(reader.read(T, LogStream.STDOUT, 0, LogRequest.fromStart(0, 10)).totalLines()).isEqualTo(1);

        Files.writeString(log, mflog("2026-12-03T12:00:00.000002", "runtime", "b", "two"),
                java.nio.file.StandardOpenOption.APPEND);

        assertThat(reader.read(T, LogStream.STDOUT, 0, LogRequest.fromStart(0, 10)).lines())
                .extracting(LogLine::text).containsExactly("one", "two");
    }

    @Test
    void the_persist_marker_is_stripped(@TempDir Path root) throws IOException {
        Path dir = taskDir(root);
        Files.writeString(dir.resolve("0.runtime_stdout.log"),
                "[![MFLOG|0|2026-12-03T12:00:00.000001Z|runtime|a]in transit\n");

        assertThat(LocalLogReader.of(root).read(T, LogStream.STDOUT, 0, LogRequest.fromStart(0, 10)).lines())
                .extracting(LogLine::text).containsExactly("in transit");
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }
}

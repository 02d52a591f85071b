package io.github.metaflowui.core;

import io.github.metaflowui.core.spi.MetaflowBackend;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * {@link MetaflowClient}: the lazy paging it does over a backend. The backend here is a small test
 * double of the SPI that serves logs and runs from memory and records what it was asked.
 */
class MetaflowClientTest {
    static final TaskRef TASK = TaskRef.parse("ParamsLogsFlow/8/logs/33");

    /** Serves the logs of one task from memory, honouring the request window like a real backend. */
    static final class InMemoryBackend implements MetaflowBackend {
        final TreeMap<Integer, List<String>> attempts = new TreeMap<>();
        final List<LogRequest> logRequests = new ArrayList<>();
        final List<PageRequest> runRequests = new ArrayList<>();
        final List<Run> runs = new ArrayList<>();
        final AtomicBoolean closed = new AtomicBoolean();
        /** The most lines one call returns, like a server-side cap; 0 for none. */
        int maxLinesPerCall;
        /** Lines beyond which the backend answers empty pages although it reports more. */
        long truncateAt = Long.MAX_VALUE;
        /** Runs after each logs call, e.g. to start a new attempt. */
        Runnable afterLogs = () -> { };

        InMemoryBackend attempt(int attempt, int lines) {
            attempts.put(attempt, IntStream.range(0, lines)
                    .mapToObj(i -> String.format("attempt %d line %05d", attempt, i)).toList());
            return this;
        }

        @Override
        public LogPage logs(TaskRef task, LogStream stream, LogRequest request) {
            logRequests.add(request);
            try {
                if (attempts.isEmpty()) {
                    return new LogPage(0, List.of(), 0);
                }
                int attempt = request.latestAttempt() ? attempts.lastKey()
                        : request.attempt();
                List<String> all = attempts.getOrDefault(attempt, List.of());
                long total = all.size();
                long first = request.firstRow(total);
                long end = request.endRow(total);
                if (maxLinesPerCall > 0) {
                    end = Math.min(end, first + maxLinesPerCall);
                }
                if (first >= truncateAt) {
                    end = first;
                }
                List<LogLine> lines = new ArrayList<>();
                for (long row = first; row < end; row++) {
                    lines.add(new LogLine(row, Optional.empty(), all.get((int) row), stream));
                }
                return new LogPage(attempt, lines, total);
            } finally {
                afterLogs.run();
            }
        }

        @Override
        public Page<Run> listRuns(RunQuery query, PageRequest page) {
            runRequests.add(page);
            List<Run> matching = runs.stream().filter(query::matches).toList();
            int from = page.cursor().map(Integer::parseInt).orElse(0);
            int to = Math.min(matching.size(), from + page.limit());
            return Page.of(matching.subList(from, to), to < matching.size() ? Integer.toString(to) : null);
        }

        @Override
        public String describe() {
            return "in-memory test backend";
        }

        @Override
        public Page<Flow> listFlows(PageRequest page) {
            return Page.last(List.of());
        }

        @Override
        public Optional<Flow> flow(String name) {
            return Optional.empty();
        }

        @Override
        public Optional<Run> run(RunRef run) {
            return Optional.empty();
        }

        @Override
        public List<Step> steps(RunRef run) {
            return List.of();
        }

        @Override
        public Page<Task> listTasks(RunRef run, TaskQuery query, PageRequest page) {
            return Page.last(List.of());
        }

        @Override
        public Optional<Task> task(TaskRef task) {
            return Optional.empty();
        }

        @Override
        public List<MetadataRecord> metadata(TaskRef task) {
            return List.of();
        }

        @Override
        public List<ArtifactRecord> artifacts(TaskRef task) {
            return List.of();
        }

        @Override
        public Optional<ArtifactValue> artifactValue(TaskRef task, String name, int attempt, int maxChars) {
            return Optional.empty();
        }

        @Override
        public Optional<Dag> dag(RunRef run) {
            return Optional.empty();
        }

        @Override
        public List<Parameter> parameters(RunRef run) {
            return List.of();
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void log_lines_pages_through_a_log_of_25000_lines_in_windows_of_the_log_limit() {
        InMemoryBackend backend = new InMemoryBackend().attempt(0, 25_000);
        MetaflowClient client = MetaflowClient.of(backend);

        List<LogLine> lines = client.logLines(TASK, LogStream.STDOUT, LogRequest.LATEST_ATTEMPT).toList();

        assertThat(lines).hasSize(25_000);
        assertThat(lines).extracting(LogLine::row)
                .containsExactlyElementsOf(IntStream.range(0, 25_000).mapToObj(i -> (long) i).toList());
        assertThat(lines.get(0).text()).isEqualTo("attempt 0 line 00000");
        assertThat(lines.get(9_999).text()).isEqualTo("attempt 0 line 09999");
        assertThat(lines.get(10_000).text()).isEqualTo("attempt 0 line 10000");
        assertThat(lines.get(24_999).text()).isEqualTo("attempt 0 line 24999");
        assertThat(lines).allSatisfy(l -> assertThat(l.stream()).isEqualTo(LogStream.STDOUT));
        assertThat(backend.logRequests).extracting(LogRequest::offset).containsExactly(0L, 10_000L, 20_000L);
        assertThat(backend.logRequests).allSatisfy(r -> {
            assertThat(r.limit()).isEqualTo(LogRequest.MAX_LIMIT);
            assertThat(r.fromEnd()).isFalse();
        });
    }

    @Test
    void log_lines_reads_nothing_until_iterated_and_only_the_windows_it_needs() {
        InMemoryBackend backend = new InMemoryBackend().attempt(0, 25_000);
        Paged<LogLine> paged = MetaflowClient.of(backend).logLines(TASK, LogStream.STDERR, LogRequest.LATEST_ATTEMPT);

        assertThat(backend.logRequests).isEmpty();
        assertThat(paged.stream().limit(5)).extracting(LogLine::row).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(backend.logRequests).hasSize(1);
    }

    @Test
    void log_lines_of_a_log_that_fills_exactly_one_window_is_one_call() {
        InMemoryBackend backend = new InMemoryBackend().attempt(0, LogRequest.MAX_LIMIT);

        assertThat(MetaflowClient.of(backend).logLines(TASK, LogStream.STDOUT, 0).stream().count())
                .isEqualTo(LogRequest.MAX_LIMIT);
        assertThat(backend.logRequests).hasSize(1);

        InMemoryBackend oneMore = new InMemoryBackend().attempt(0, LogRequest.MAX_LIMIT + 1);
        assertThat(MetaflowClient.of(oneMore).logLines(TASK, LogStream.STDOUT, 0).stream().count())
                .isEqualTo(LogRequest.MAX_LIMIT + 1);
        assertThat(oneMore.logRequests).extracting(LogRequest::offset).containsExactly(0L, (long) LogRequest.MAX_LIMIT);
    }

    @Test
    void log_lines_continues_after_a_backend_that_serves_fewer_lines_than_asked() {
        InMemoryBackend backend = new InMemoryBackend().attempt(0, 25_000);
        backend.maxLinesPerCall = 700;

        List<LogLine> lines = MetaflowClient.of(backend).logLines(TASK, LogStream.STDOUT, 0).toList();

        assertThat(lines).hasSize(25_000);
        assertThat(lines).extracting(LogLine::row)
                .containsExactlyElementsOf(IntStream.range(0, 25_000).mapToObj(i -> (long) i).toList());
        assertThat(backend.logRequests).hasSize(36);
        assertThat(backend.logRequests.get(1).offset()).isEqualTo(700);
    }

    @Test
    void log_lines_stops_when_the_backend_has_no_more_lines_than_it_claimed() {
        InMemoryBackend backend = new InMemoryBackend().attempt(0, 25_000);
        backend.truncateAt = 20_000;

        List<LogLine> lines = MetaflowClient.of(backend).logLines(TASK, LogStream.STDOUT, 0).toList();

        assertThat(lines).hasSize(20_000);
        assertThat(backend.logRequests).hasSize(3);
    }

    @Test
    void log_lines_of_an_absent_log_is_empty_after_one_call() {
        InMemoryBackend backend = new InMemoryBackend();

        assertThat(MetaflowClient.of(backend).logLines(TASK, LogStream.STDOUT, LogRequest.LATEST_ATTEMPT)).isEmpty();
        assertThat(backend.logRequests).hasSize(1);
    }

    @Test
    void log_lines_reads_the_attempt_asked_for() {
        InMemoryBackend backend = new InMemoryBackend().attempt(0, 15_000).attempt(1, 3);

        List<LogLine> lines = MetaflowClient.of(backend).logLines(TASK, LogStream.STDOUT, 0).toList();

        assertThat(lines).hasSize(15_000).allSatisfy(l -> assertThat(l.text()).startsWith("attempt 0 "));
        assertThat(backend.logRequests).extracting(LogRequest::attempt).containsOnly(0);
    }

    @Test
    void log_lines_of_the_latest_attempt_stay_on_one_attempt_when_a_retry_starts_while_reading() {
        // Given a task whose attempt 0 has 25,000 lines, and a retry (attempt 1) that starts after the first window
        InMemoryBackend backend = new InMemoryBackend().attempt(0, 25_000);
        backend.afterLogs = () -> backend.attempts.putIfAbsent(1, List.of("attempt 1 line 00000"));

        // When the latest attempt is read
        List<LogLine> lines = MetaflowClient.of(backend).logLines(TASK, LogStream.STDOUT, LogRequest.LATEST_ATTEMPT)
                .toList();

        // Then every line comes from the attempt the first window read, not a mix of both
        assertThat(lines).hasSize(25_000).allSatisfy(l -> assertThat(l.text()).startsWith("attempt 0 "));
        assertThat(backend.logRequests.get(0).latestAttempt()).isTrue();
        assertThat(backend.logRequests.subList(1, backend.logRequests.size())).extracting(LogRequest::attempt)
                .containsOnly(0);
    }

    @Test
    void log_lines_starts_over_for_each_iteration() {
        InMemoryBackend backend = new InMemoryBackend().attempt(0, 12_000);
        Paged<LogLine> paged = MetaflowClient.of(backend).logLines(TASK, LogStream.STDOUT, 0);

        assertThat(paged.stream().count()).isEqualTo(12_000);
        assertThat(paged.stream().count()).isEqualTo(12_000);
        assertThat(backend.logRequests).extracting(LogRequest::offset).containsExactly(0L, 10_000L, 0L, 10_000L);
    }

    @Test
    void log_lines_rejects_missing_arguments_and_bad_attempts() {
        MetaflowClient client = MetaflowClient.of(new InMemoryBackend());

        assertThatNullPointerException().isThrownBy(() -> client.logLines(null, LogStream.STDOUT, 0))
                .withMessage("task");
        assertThatNullPointerException().isThrownBy(() -> client.logLines(TASK, null, 0)).withMessage("stream");
        assertThatIllegalArgumentException().isThrownBy(() -> client.logLines(TASK, LogStream.STDOUT, -2))
                .withMessage("attempt must be >= 0 (or LATEST_ATTEMPT), got -2");
    }

    @Test
    void runs_are_paged_lazily_with_the_client_page_size_and_the_query() {
        InMemoryBackend backend = new InMemoryBackend();
        for (int i = 1; i <= 12; i++) {
            backend.runs.add(new Run(RunRef.of(i % 2 == 0 ? "LinearFlow" : "ForeachFlow", Integer.toString(i)),
                    "alice", Optional.of("alice"), Instant.ofEpochMilli(1796301579117L + i), List.of(),
                    List.of("user:alice"), StatusInfo.of(Status.COMPLETED, "end step succeeded"), Optional.empty(),
                    Optional.empty(), Optional.empty()));
        }
        MetaflowClient client = MetaflowClient.of(backend, 4);

        Paged<Run> linear = client.runs(RunQuery.ofFlow("LinearFlow"));
        assertThat(backend.runRequests).isEmpty();

        assertThat(linear).extracting(r -> r.id().value()).containsExactly("2", "4", "6", "8", "10", "12");
        assertThat(backend.runRequests).containsExactly(PageRequest.first(4), PageRequest.after("4", 4));
        assertThat(client.runs(RunQuery.all()).firstPage().items()).hasSize(4);
    }

    @Test
    void client_validates_page_size_and_closes_its_backend() {
        InMemoryBackend backend = new InMemoryBackend();

        assertThatIllegalArgumentException().isThrownBy(() -> MetaflowClient.of(backend, 0))
                .withMessage("limit must be between 1 and 1000, got 0");
        assertThatNullPointerException().isThrownBy(() -> MetaflowClient.of(null)).withMessage("backend");

        try (MetaflowClient client = MetaflowClient.of(backend)) {
            assertThat(client.backend()).isSameAs(backend);
        }
        assertThat(backend.closed).isTrue();
    }
}

package io.github.metaflowui.core;

import io.github.metaflowui.core.spi.MetaflowBackend;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The SDK entry point: Metaflow's objects from any {@link MetaflowBackend}, with lazy paging done
 * here so that backends only ever serve one page at a time. Thread-safe; closing it closes the backend.
 *
 * <pre>{@code
 * try (MetaflowClient mf = MetaflowClient.of(backend)) {
 *     mf.runs(RunQuery.builder().flow("TrainFlow").status(Status.FAILED).build())
 *       .stream().limit(10)
 *       .forEach(run -> System.out.println(run.ref() + " " + run.status().reason()));
 * }
 * }</pre>
 */
public final class MetaflowClient implements AutoCloseable {
    private final MetaflowBackend backend;
    private final int pageSize;

    private MetaflowClient(MetaflowBackend backend, int pageSize) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.pageSize = pageSize;
    }

    public static MetaflowClient of(MetaflowBackend backend) {
        return new MetaflowClient(backend, PageRequest.DEFAULT_LIMIT);
    }

    /** A client that fetches {@code pageSize} items per backend call. */
    public static MetaflowClient of(MetaflowBackend backend, int pageSize) {
        PageRequest.first(pageSize); // validates
        return new MetaflowClient(backend, pageSize);
    }

    public MetaflowBackend backend() {
        return backend;
    }

    public Paged<Flow> flows() {
        return Paged.of(backend::listFlows, pageSize);
    }

    public Optional<Flow> flow(String name) {
        return backend.flow(name);
    }

    public Paged<Run> runs(RunQuery query) {
        Objects.requireNonNull(query, "query");
        return Paged.of(page -> backend.listRuns(query, page), pageSize);
    }

    public Optional<Run> run(RunRef run) {
        return backend.run(run);
    }

    public List<Step> steps(RunRef run) {
        return backend.steps(run);
    }

    /** A step summarised (counts, times, duration distribution) without listing its tasks. */
    public StepAggregates aggregates(RunRef run, String step) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(step, "step");
        return backend.aggregates(run, step);
    }

    public Paged<Task> tasks(RunRef run, TaskQuery query) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(query, "query");
        return Paged.of(page -> backend.listTasks(run, query, page), pageSize);
    }

    public Optional<Task> task(TaskRef task) {
        return backend.task(task);
    }

    public List<MetadataRecord> metadata(TaskRef task) {
        return backend.metadata(task);
    }

    public List<ArtifactRecord> artifacts(TaskRef task) {
        return backend.artifacts(task);
    }

    public Optional<Dag> dag(RunRef run) {
        return backend.dag(run);
    }

    public List<Parameter> parameters(RunRef run) {
        return backend.parameters(run);
    }

    /**
     * Every line of one log stream of one attempt ({@link LogRequest#LATEST_ATTEMPT} for the
     * latest), read lazily in windows of {@code LogRequest.MAX_LIMIT} lines. The attempt the first
     * window came from is kept for the later windows, so a retry that starts while reading does not
     * mix two attempts' lines.
     */
    public Paged<LogLine> logLines(TaskRef task, LogStream stream, int attempt) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(stream, "stream");
        LogRequest.fromStart(0, 1).attempt(attempt); // validates
        int window = LogRequest.MAX_LIMIT;
        return Paged.of(page -> {
            // the cursor is "<attempt>:<next row>"
            int att = attempt;
            long offset = 0;
            if (page.cursor().isPresent()) {
                String c = page.cursor().get();
                int colon = c.indexOf(':');
                att = Integer.parseInt(c.substring(0, colon));
                offset = Long.parseLong(c.substring(colon + 1));
            }
            LogPage logs = backend.logs(task, stream, LogRequest.fromStart(offset, window).attempt(att));
            long next = offset + logs.lines().size();
            int served = logs.attempt() >= 0 ? logs.attempt() : att;
            return Page.of(logs.lines(), !logs.lines().isEmpty() && next < logs.totalLines()
                    ? served + ":" + next : null);
        }, PageRequest.MAX_LIMIT);
    }

    @Override
    public void close() {
        backend.close();
    }
}

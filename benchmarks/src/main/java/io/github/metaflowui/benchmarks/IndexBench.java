package io.github.metaflowui.benchmarks;

import io.github.metaflowui.client.uibackend.UiServiceBackend;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StepAggregates;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.index.IndexedBackend;
import io.github.metaflowui.synthetic.ArchiveSpec;
import io.github.metaflowui.synthetic.MetadataSimulator;
import io.github.metaflowui.synthetic.SyntheticArchive;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The run index and the task table in process (no HTTP in front): the same queries as the servlet
 * bench, with JMH's sampling for percentiles. {@code java -jar metaflow-ui-benchmarks.jar jmh IndexBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx512m"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class IndexBench {
    @Param("1000000:100000")
    public String archive;

    private MetadataSimulator simulator;
    private UiServiceBackend ui;
    private IndexedBackend index;
    private RunRef big;
    private String deepCursor;
    private String deepTaskCursor;
    private final RunQuery failed = RunQuery.builder().status(Status.FAILED).build();
    private final RunQuery byDuration = RunQuery.builder().sort(RunQuery.Sort.DURATION, SortOrder.DESC).build();
    private final TaskQuery sweep = TaskQuery.ofStep("sweep");

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        SyntheticArchive a = SyntheticArchive.generate(ArchiveSpec.parse(archive, Instant.now()));
        simulator = MetadataSimulator.start(a, 0, Clock.systemUTC());
        ui = UiServiceBackend.builder().baseUri(simulator.uiBackendUri()).build();
        index = IndexedBackend.builder(ui).maxRuns(a.runCount()).refreshInterval(Duration.ofHours(1)).build();
        if (!index.awaitReady(Duration.ofMinutes(10))) {
            throw new IllegalStateException("index not ready");
        }
        big = a.bigRun();
        deepCursor = index.runsCursorAt(RunQuery.all(), 50L * 999).orElseThrow();
        deepTaskCursor = index.tasksCursorAt(big, sweep, 50L * 999).orElseThrow();
        index.listRuns(byDuration, PageRequest.first(50));
        index.aggregates(big, "sweep");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        index.close();
        simulator.close();
    }

    @Benchmark
    public Page<Run> runsFirstPage() {
        return index.listRuns(RunQuery.all(), PageRequest.first(50));
    }

    @Benchmark
    public Page<Run> runsPage1000() {
        return index.listRuns(RunQuery.all(), PageRequest.after(deepCursor, 50));
    }

    @Benchmark
    public Page<Run> runsFailed() {
        return index.listRuns(failed, PageRequest.first(50));
    }

    @Benchmark
    public Page<Run> runsByDuration() {
        return index.listRuns(byDuration, PageRequest.first(50));
    }

    @Benchmark
    public Page<Task> tasksFirstPage() {
        return index.listTasks(big, sweep, PageRequest.first(50));
    }

    @Benchmark
    public Page<Task> tasksPage1000() {
        return index.listTasks(big, sweep, PageRequest.after(deepTaskCursor, 50));
    }

    @Benchmark
    public StepAggregates stepAggregates() {
        return index.aggregates(big, "sweep");
    }
}

package io.github.metaflowui.synthetic;

import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.synthetic.internal.Archive;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A generated Metaflow archive: a few hundred flows, realistic users, tags and ids (run numbers and
 * scheduler ids such as {@code argo-trainmodelflow-1x2y3z}), a mix of completed, failed and running
 * runs, and one big run whose foreach step has many tasks, with retries, failures and logs.
 * Deterministic: the same {@link ArchiveSpec} gives the same archive, fact for fact.
 *
 * <p>Only the run table is stored (about 25 bytes a run, plus 60 bytes per task of the big run);
 * steps, tasks, metadata, artifacts and logs are derived from it when asked. Serve it with
 * {@link MetadataSimulator}, or write it as a local {@code .metaflow} tree with {@link LocalArchiveWriter}.
 * Immutable and thread-safe.
 */
public final class SyntheticArchive {
    private final ArchiveSpec spec;
    private final Archive archive;

    private SyntheticArchive(ArchiveSpec spec, Archive archive) {
        this.spec = spec;
        this.archive = archive;
    }

    /** An archive as a metadata service holds it: run numbers, scheduler ids, heartbeats. */
    public static SyntheticArchive generate(ArchiveSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return new SyntheticArchive(spec, new Archive(spec.runs(), spec.bigTasks(), spec.flows(), spec.seed(),
                spec.asOf(), false));
    }

    /** An archive as Metaflow's local provider writes it: microsecond run ids, per-run task ids, no heartbeats. */
    public static SyntheticArchive generateLocal(ArchiveSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return new SyntheticArchive(spec, new Archive(spec.runs(), spec.bigTasks(), spec.flows(), spec.seed(),
                spec.asOf(), true));
    }

    public ArchiveSpec spec() {
        return spec;
    }

    /** True for the local flavour ({@link #generateLocal}). */
    public boolean isLocal() {
        return archive.local;
    }

    public int runCount() {
        return archive.n;
    }

    /** Flow names; the big run's flow is last. */
    public List<String> flows() {
        return List.of(archive.flows);
    }

    /** The run with the big foreach step. */
    public RunRef bigRun() {
        return ref(archive.bigRun);
    }

    /** The name of the big run's foreach step. */
    public String bigStep() {
        return Archive.BIG_STEP;
    }

    /** The {@code index}-th run, oldest first ({@code 0 .. runCount()-1}). */
    public RunRef ref(int index) {
        Objects.checkIndex(index, archive.n);
        return RunRef.of(archive.flows[archive.flow[index]], archive.runId(index));
    }

    /** When the {@code index}-th run was created. */
    public Instant createdAt(int index) {
        Objects.checkIndex(index, archive.n);
        return Instant.ofEpochMilli(archive.created[index]);
    }

    /** The status every backend reports for the {@code index}-th run while the archive is served. */
    public Status status(int index) {
        Objects.checkIndex(index, archive.n);
        switch (archive.state[index]) {
            case Archive.COMPLETED:
                return Status.COMPLETED;
            case Archive.FAILED:
                return Status.FAILED;
            default:
                return Status.RUNNING;
        }
    }

    /** For a terminal run, creation to finish as the UI backend reports it (failed runs end at a whole second). */
    public Duration duration(int index) {
        Objects.checkIndex(index, archive.n);
        if (archive.local) {
            return Duration.ofMillis(archive.durationMs[index]);
        }
        return Duration.ofMillis(archive.uiDurationMs(index, archive.asOfMs));
    }

    /** The verified owner, or the user name for runs started by a scheduler. */
    public String user(int index) {
        Objects.checkIndex(index, archive.n);
        return archive.userName(index);
    }

    public List<String> tags(int index) {
        Objects.checkIndex(index, archive.n);
        return archive.tags(index);
    }

    public List<String> systemTags(int index) {
        Objects.checkIndex(index, archive.n);
        return archive.systemTags(index);
    }

    /** How many runs have each status. */
    public Map<Status, Integer> statusCounts() {
        Map<Status, Integer> out = new EnumMap<>(Status.class);
        for (int i = 0; i < archive.n; i++) {
            out.merge(status(i), 1, Integer::sum);
        }
        return out;
    }

    /** How many tasks of the big run's foreach step ended in each status. */
    public Map<Status, Integer> bigStepCounts() {
        var sweep = archive.bigPlan().sweep;
        Map<Status, Integer> out = new EnumMap<>(Status.class);
        for (int k = 0; k < sweep.size; k++) {
            byte o = sweep.finalOutcome(k);
            out.merge(o == 1 ? Status.COMPLETED : o == 2 ? Status.FAILED : Status.RUNNING, 1, Integer::sum);
        }
        return out;
    }

    /** Rough heap use of the stored tables. */
    public long approximateBytes() {
        return archive.bytes();
    }

    /** The tables, for this module's simulator and writer. */
    Archive tables() {
        return archive;
    }

    @Override
    public String toString() {
        return "SyntheticArchive[" + (archive.local ? "local, " : "") + archive.n + " runs, " + archive.flows.length
                + " flows, big run " + bigRun() + " with " + archive.bigTasks + " tasks, seed " + spec.seed() + "]";
    }
}

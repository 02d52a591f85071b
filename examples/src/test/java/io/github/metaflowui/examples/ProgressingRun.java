package io.github.metaflowui.examples;

import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.spi.ForwardingBackend;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A finished run of another backend replayed as if it were running now: its tasks finish in the
 * order they finished, {@code replay} times faster than they did, starting {@code startAt} of the
 * way through; tasks not finished yet are running (their last attempt without a finish). The run is
 * running until its last task finished. Everything else passes through.
 */
final class ProgressingRun extends ForwardingBackend {
    private final RunRef run;
    private final Instant from;
    private final Instant to;
    private final long startedMs;
    private final double startAt;
    private final Duration replay;
    private final LongSupplier nowMs;

    /**
     * @param startAt where the replay starts (0..1 of the run's time span)
     * @param replay  how long replaying the rest takes
     */
    ProgressingRun(MetaflowBackend delegate, RunRef run, double startAt, Duration replay, LongSupplier nowMs) {
        super(delegate);
        this.run = run;
        Run r = delegate.run(run).orElseThrow(() -> new IllegalArgumentException("no run " + run));
        this.from = r.createdAt();
        this.to = r.finishedAt().orElseThrow(() -> new IllegalArgumentException(run + " has not finished"));
        this.startAt = startAt;
        this.replay = replay;
        this.nowMs = nowMs;
        this.startedMs = nowMs.getAsLong();
    }

    /** The replayed "now" in the run's own time: what finished before it has finished. */
    Instant cutoff() {
        double done = Math.min(1.0, startAt + (1 - startAt) * (nowMs.getAsLong() - startedMs) / (double) replay.toMillis());
        return from.plusMillis((long) ((to.toEpochMilli() - from.toEpochMilli()) * done));
    }

    private Run replayed(Run r) {
        if (!r.ref().equals(run)) {
            return r;
        }
        Instant cut = cutoff();
        if (!cut.isBefore(to)) {
            return r;
        }
        return new Run(r.ref(), r.userName(), r.user(), r.createdAt(), r.tags(), r.systemTags(),
                StatusInfo.of(Status.RUNNING, ""), Optional.empty(),
                Optional.of(Duration.between(r.createdAt(), cut)), Optional.of(cut));
    }

    private Task replayed(Task t, Instant cut) {
        if (t.attempts().isEmpty()) {
            return t;
        }
        Attempt last = t.attempts().get(t.attempts().size() - 1);
        if (last.finishedAt().isEmpty() || !last.finishedAt().get().isAfter(cut)) {
            return t;
        }
        List<Attempt> attempts = new ArrayList<>();
        for (Attempt a : t.attempts()) {
            if (a.startedAt().isPresent() && a.startedAt().get().isAfter(cut) && a != t.attempts().get(0)) {
                break; // a retry that has not started yet
            }
            boolean done = a.finishedAt().isPresent() && !a.finishedAt().get().isAfter(cut);
            attempts.add(done ? a : new Attempt(a.id(), StatusInfo.of(Status.RUNNING, ""), a.startedAt(), Optional.empty()));
            if (!done) {
                break;
            }
        }
        return new Task(t.ref(), t.createdAt(), attempts, StatusInfo.of(Status.RUNNING, ""), t.foreachLabel());
    }

    @Override
    public Page<Run> listRuns(RunQuery query, PageRequest page) {
        Page<Run> p = super.listRuns(query, page);
        return Page.of(p.items().stream().map(this::replayed).toList(), p.nextCursor().orElse(null));
    }

    @Override
    public Optional<Run> run(RunRef ref) {
        return super.run(ref).map(this::replayed);
    }

    @Override
    public Page<Task> listTasks(RunRef ref, TaskQuery query, PageRequest page) {
        if (!ref.equals(run)) {
            return super.listTasks(ref, query, page);
        }
        if (!query.statuses().isEmpty()
                || (query.sort() != TaskQuery.Sort.CREATED && query.sort() != TaskQuery.Sort.TASK_ID)) {
            throw new UnsupportedOperationException("the replay lists tasks by creation or id, unfiltered (what the"
                    + " run index asks)");
        }
        Instant cut = cutoff();
        Page<Task> p = super.listTasks(ref, query, page);
        return Page.of(p.items().stream().map(t -> replayed(t, cut)).toList(), p.nextCursor().orElse(null));
    }

    @Override
    public Optional<Task> task(TaskRef ref) {
        Instant cut = cutoff();
        return super.task(ref).map(t -> ref.run().equals(run) ? replayed(t, cut) : t);
    }

    @Override
    public List<Attempt> attempts(TaskRef ref) {
        return task(ref).map(Task::attempts).orElse(List.of());
    }
}

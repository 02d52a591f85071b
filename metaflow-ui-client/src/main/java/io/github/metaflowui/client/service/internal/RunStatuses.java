package io.github.metaflowui.client.service.internal;

import io.github.metaflowui.client.http.internal.BoundedCache;
import io.github.metaflowui.client.service.internal.Rows.MetaRow;
import io.github.metaflowui.client.service.internal.Rows.RunRow;
import io.github.metaflowui.client.service.internal.Rows.StepRow;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.StatusRules;
import io.github.metaflowui.core.StatusRules.RunFacts;
import io.github.metaflowui.core.StatusRules.RunVerdict;
import io.github.metaflowui.core.StepRef;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A run's status as the UI backend derives it (contract §3.6, {@link StatusRules#runStatus}), from the
 * run's heartbeat and the {@code attempt_ok} / {@code attempt} records of its {@code end} step.
 *
 * <p>Cost per run: {@code GET R/steps}; when an {@code end} step exists, also {@code GET …/end/tasks} and
 * {@code GET …/tasks/T/metadata} for its task. Runs whose end step succeeded never change, so those
 * facts are cached and such a run costs nothing the next time. When the service already computed the
 * status (it adds {@code status} to the runs of a {@code status:eq=} filtered list, applying the same
 * rules with its own clock), that verdict is used and no request is made.
 */
public final class RunStatuses {
    /** The step whose outcome decides a run, hardcoded as in the UI backend's SQL. */
    public static final String END_STEP = "end";

    private record EndFacts(Optional<Boolean> ok, Optional<Instant> okAt, Optional<Instant> attemptAt) {
        static final EndFacts NONE = new EndFacts(Optional.empty(), Optional.empty(), Optional.empty());
    }

    private final ServiceApi api;
    private final Clock clock;
    private final BoundedCache<RunRef, EndFacts> completed = new BoundedCache<>(10_000);

    public RunStatuses(ServiceApi api, Clock clock) {
        this.api = api;
        this.clock = clock;
    }

    /** The run with its status: from the row's {@code status} when present, else derived. */
    public Run resolve(RunRow row) {
        RunRef ref = RunRef.of(row.flow(), row.id());
        Instant created = Instant.ofEpochMilli(row.ts());
        Optional<Instant> heartbeat = row.heartbeatSec().map(Instant::ofEpochSecond);
        RunVerdict verdict;
        Optional<EndFacts> cached = completed.get(ref);
        if (cached.isPresent()) {
            verdict = verdict(created, cached.get(), heartbeat);
        } else if (row.status().isPresent()) {
            verdict = reported(row.status().get(), created, heartbeat);
        } else {
            EndFacts facts = endFacts(ref);
            if (facts.ok().orElse(false)) {
                completed.put(ref, facts);
            }
            verdict = verdict(created, facts, heartbeat);
        }
        return new Run(ref, row.userName(), row.user(), created, row.tags(), row.systemTags(), verdict.status(),
                verdict.finishedAt(), verdict.duration(), heartbeat);
    }

    private RunVerdict verdict(Instant created, EndFacts f, Optional<Instant> heartbeat) {
        Optional<Instant> attemptAt = f.ok().isPresent() && !f.ok().get() ? f.attemptAt() : Optional.empty();
        return StatusRules.runStatus(new RunFacts(created, f.ok(), f.okAt(), attemptAt, heartbeat), clock);
    }

    private RunVerdict reported(String wire, Instant created, Optional<Instant> heartbeat) {
        Status s = Status.fromWire(wire);
        String reason;
        Optional<Duration> duration = Optional.empty();
        switch (s) {
            case COMPLETED:
                reason = "end step succeeded (reported by the metadata service)";
                break;
            case FAILED:
                reason = "the metadata service reports it failed (end step failed, or no heartbeat for over "
                        + StatusRules.human(StatusRules.RUN_INACTIVE_CUTOFF) + ")";
                break;
            case RUNNING:
                reason = heartbeat.map(hb -> "heartbeat " + StatusRules.human(Duration.between(hb, clock.instant()))
                        + " ago (reported running by the metadata service)")
                        .orElse("reported running by the metadata service");
                duration = heartbeat.map(hb -> Duration.between(created, hb));
                break;
            default:
                reason = "the metadata service reported the unknown status '" + wire + "'";
        }
        return new RunVerdict(StatusInfo.of(s, reason), Optional.empty(), duration);
    }

    private EndFacts endFacts(RunRef ref) {
        List<StepRow> steps = api.steps(ref);
        if (steps.stream().noneMatch(s -> s.name().equals(END_STEP))) {
            return EndFacts.NONE;
        }
        StepRef end = ref.step(END_STEP);
        List<String> taskIds = new ArrayList<>();
        api.tasks(ref, END_STEP, t -> taskIds.add(t.id()));
        List<MetaRow> meta = new ArrayList<>();
        for (String id : taskIds) {
            meta.addAll(api.taskMetadata(end.task(id)));
        }
        Optional<MetaRow> ok = meta.stream().filter(m -> m.field().equals("attempt_ok")
                        && TaskDerivation.bool(m.value()).isPresent())
                .max(Comparator.comparingLong(MetaRow::ts).thenComparingLong(MetaRow::id));
        Optional<MetaRow> attempt = TaskDerivation.newest(meta, "attempt");
        return new EndFacts(ok.flatMap(m -> TaskDerivation.bool(m.value())),
                ok.map(m -> Instant.ofEpochMilli(m.ts())), attempt.map(m -> Instant.ofEpochMilli(m.ts())));
    }
}

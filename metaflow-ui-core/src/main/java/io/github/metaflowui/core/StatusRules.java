package io.github.metaflowui.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The rules that derive statuses, as pure functions of recorded facts and a clock. They follow
 * Metaflow's UI backend (its SQL in {@code run.py} and {@code task.py}) so that every backend
 * reports the same status for the same data, and say why.
 *
 * <h2>Task attempts</h2> The first rule that matches:
 * <ol>
 *   <li>{@code attempt_ok} is true: completed;</li>
 *   <li>{@code attempt_ok} is false: failed;</li>
 *   <li>the attempt finished ({@code attempt-done}) but its outcome is not recorded: unknown;</li>
 *   <li>a later attempt started: failed;</li>
 *   <li>a heartbeat exists and is older than {@link #TASK_HEARTBEAT_THRESHOLD}: failed;</li>
 *   <li>no heartbeat and the attempt started (or the task was created) over {@link #NO_HEARTBEAT_STALE}
 *       ago: failed;</li>
 *   <li>no heartbeat and the attempt never started: pending;</li>
 *   <li>otherwise: running.</li>
 * </ol>
 *
 * <h2>Runs with heartbeats (metadata service)</h2> See {@link #runStatus(RunFacts, Clock)}.
 *
 * <h2>Local runs</h2> The local provider writes no heartbeat, so {@link #localRunStatus(LocalRunFacts, Clock)}
 * decides between "still running" and "died" from what the files say:
 * <ol>
 *   <li>the end step failed and a retry of it started after that outcome: running;</li>
 *   <li>the end step's {@code attempt_ok} is true: completed; false: failed;</li>
 *   <li>a task's latest attempt failed and no retry started within {@link #RUN_INACTIVE_CUTOFF}
 *       of the failure: failed (within the cutoff: running, a retry may follow);</li>
 *   <li>an attempt started less than {@link #NO_HEARTBEAT_STALE} ago and has not finished: running
 *       (the local runtime writes nothing while a task runs, so a long task looks idle);</li>
 *   <li>any file of the run changed within {@link #RUN_INACTIVE_CUTOFF}: running (between tasks);</li>
 *   <li>otherwise: failed, "stopped before its end step".</li>
 * </ol>
 */
public final class StatusRules {
    /** A task heartbeat older than this means the task died ({@code HEARTBEAT_THRESHOLD}). */
    public static final Duration TASK_HEARTBEAT_THRESHOLD = Duration.ofSeconds(60);
    /** A run heartbeat older than this means the run died ({@code RUN_INACTIVE_CUTOFF_TIME}). */
    public static final Duration RUN_INACTIVE_CUTOFF = Duration.ofSeconds(360);
    /** Without heartbeats, an unfinished object older than this is considered dead. */
    public static final Duration NO_HEARTBEAT_STALE = Duration.ofDays(1);

    private StatusRules() {
    }

    /** What is recorded about one attempt of a task. */
    public record AttemptFacts(int attempt, Instant taskCreated, Optional<Instant> startedAt,
                               Optional<Instant> doneAt, Optional<Boolean> ok, Optional<Instant> okAt,
                               Optional<Instant> nextAttemptStartedAt, Optional<Instant> heartbeat) {
        public AttemptFacts {
            Objects.requireNonNull(taskCreated, "taskCreated");
            Objects.requireNonNull(startedAt, "startedAt");
            Objects.requireNonNull(doneAt, "doneAt");
            Objects.requireNonNull(ok, "ok");
            Objects.requireNonNull(okAt, "okAt");
            Objects.requireNonNull(nextAttemptStartedAt, "nextAttemptStartedAt");
            Objects.requireNonNull(heartbeat, "heartbeat");
        }
    }

    /** The status of one attempt, with start and finish times. */
    public static Attempt attempt(AttemptFacts f, Clock clock) {
        Instant now = clock.instant();
        Optional<Instant> finished = latest(f.doneAt(), f.okAt());
        String n = "attempt " + f.attempt();
        StatusInfo status;
        if (f.ok().isPresent()) {
            status = f.ok().get()
                    ? StatusInfo.of(Status.COMPLETED, n + " succeeded (attempt_ok is True)")
                    : StatusInfo.of(Status.FAILED, n + " failed (attempt_ok is False)");
        } else if (finished.isPresent()) {
            status = StatusInfo.of(Status.UNKNOWN, n + " finished but its outcome (attempt_ok) is not recorded");
        } else if (f.nextAttemptStartedAt().isPresent()) {
            status = StatusInfo.of(Status.FAILED, n + " was followed by attempt " + (f.attempt() + 1));
            finished = f.nextAttemptStartedAt();
        } else if (f.heartbeat().isPresent()
                && Duration.between(f.heartbeat().get(), now).compareTo(TASK_HEARTBEAT_THRESHOLD) > 0) {
            status = StatusInfo.of(Status.FAILED, "no heartbeat for " + human(Duration.between(f.heartbeat().get(), now))
                    + " (the task is presumed dead after " + human(TASK_HEARTBEAT_THRESHOLD) + ")");
            finished = f.heartbeat();
        } else if (f.heartbeat().isEmpty()
                && Duration.between(f.startedAt().orElse(f.taskCreated()), now).compareTo(NO_HEARTBEAT_STALE) > 0) {
            status = StatusInfo.of(Status.FAILED, n + " never finished: started "
                    + human(Duration.between(f.startedAt().orElse(f.taskCreated()), now))
                    + " ago and there is no heartbeat");
        } else if (f.heartbeat().isEmpty() && f.startedAt().isEmpty()) {
            status = StatusInfo.of(Status.PENDING, "registered, not started yet");
        } else {
            status = StatusInfo.of(Status.RUNNING, f.heartbeat().isPresent()
                    ? n + " running, heartbeat " + human(Duration.between(f.heartbeat().get(), now)) + " ago"
                    : n + " running since " + human(Duration.between(f.startedAt().orElse(f.taskCreated()), now))
                    + " ago");
        }
        return new Attempt(f.attempt(), status, f.startedAt(), finished);
    }

    /** What is recorded about a run that has heartbeats (the metadata service). */
    public record RunFacts(Instant created, Optional<Boolean> endOk, Optional<Instant> endOkAt,
                           Optional<Instant> endAttemptAt, Optional<Instant> heartbeat) {
        public RunFacts {
            Objects.requireNonNull(created, "created");
            Objects.requireNonNull(endOk, "endOk");
            Objects.requireNonNull(endOkAt, "endOkAt");
            Objects.requireNonNull(endAttemptAt, "endAttemptAt");
            Objects.requireNonNull(heartbeat, "heartbeat");
        }
    }

    /** A run's status with its finish time and duration. */
    public record RunVerdict(StatusInfo status, Optional<Instant> finishedAt, Optional<Duration> duration) {
        public RunVerdict {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(finishedAt, "finishedAt");
            Objects.requireNonNull(duration, "duration");
        }
    }

    /**
     * The UI backend's run rules (contract §3.6): an end attempt newer than a failed end outcome (a
     * retry in flight): running, with or without a heartbeat; end {@code attempt_ok} true: completed;
     * false: failed; heartbeat within {@link #RUN_INACTIVE_CUTOFF}: running; otherwise failed. Like
     * the UI backend, the end attempt is only looked at when the end outcome is false.
     */
    public static RunVerdict runStatus(RunFacts f, Clock clock) {
        Instant now = clock.instant();
        Optional<Duration> hbDuration = f.heartbeat().map(hb -> Duration.between(f.created(), hb));
        if (f.endOk().equals(Optional.of(false)) && f.endOkAt().isPresent() && f.endAttemptAt().isPresent()
                && f.endOkAt().get().isBefore(f.endAttemptAt().get())) {
            // the duration needs a heartbeat; without one it falls through to the end outcome's
            return new RunVerdict(StatusInfo.of(Status.RUNNING, "a retry of the end step is running"),
                    Optional.empty(), f.heartbeat().isPresent() ? hbDuration
                    : Optional.of(Duration.between(f.created(), f.endOkAt().get())));
        }
        if (f.endOk().isPresent()) {
            Instant at = f.endOkAt().orElse(f.created());
            Optional<Duration> d = Optional.of(Duration.between(f.created(), at));
            return f.endOk().get()
                    ? new RunVerdict(StatusInfo.of(Status.COMPLETED, "end step succeeded"), Optional.of(at), d)
                    : new RunVerdict(StatusInfo.of(Status.FAILED, "end step failed"), Optional.of(at), d);
        }
        if (f.heartbeat().isPresent()) {
            Duration age = Duration.between(f.heartbeat().get(), now).abs();
            if (age.compareTo(RUN_INACTIVE_CUTOFF) <= 0) {
                return new RunVerdict(StatusInfo.of(Status.RUNNING, "heartbeat " + human(age) + " ago"),
                        Optional.empty(), hbDuration);
            }
            return new RunVerdict(StatusInfo.of(Status.FAILED, "no heartbeat for " + human(age)
                    + " and the end step did not finish (runs are presumed dead after "
                    + human(RUN_INACTIVE_CUTOFF) + ")"), f.heartbeat(), hbDuration);
        }
        Duration age = Duration.between(f.created(), now);
        Optional<Duration> d = age.compareTo(NO_HEARTBEAT_STALE) > 0 ? Optional.empty() : Optional.of(age);
        return new RunVerdict(StatusInfo.of(Status.FAILED,
                "the run has no heartbeat and its end step has not succeeded"), Optional.empty(), d);
    }

    /**
     * What the files of a local run say. {@code failedTask} and {@code unfinishedTask} name the task
     * as the reason should show it: {@code explode/2}, or with what else is known about it, e.g.
     * {@code explode/2 (2 attempts)} ("task explode/2 (2 attempts) failed and no retry followed").
     */
    public record LocalRunFacts(Instant created, Optional<Boolean> endOk, Optional<Instant> endOkAt,
                                Optional<Instant> endAttemptAt, Optional<String> failedTask,
                                Optional<Instant> failedAt, Optional<String> unfinishedTask,
                                Optional<Instant> unfinishedSince, Instant lastActivity) {
        public LocalRunFacts {
            Objects.requireNonNull(created, "created");
            Objects.requireNonNull(endOk, "endOk");
            Objects.requireNonNull(endOkAt, "endOkAt");
            Objects.requireNonNull(endAttemptAt, "endAttemptAt");
            Objects.requireNonNull(failedTask, "failedTask");
            Objects.requireNonNull(failedAt, "failedAt");
            Objects.requireNonNull(unfinishedTask, "unfinishedTask");
            Objects.requireNonNull(unfinishedSince, "unfinishedSince");
            Objects.requireNonNull(lastActivity, "lastActivity");
        }
    }

    /** The local run rules; see the class description. */
    public static RunVerdict localRunStatus(LocalRunFacts f, Clock clock) {
        Instant now = clock.instant();
        if (f.endOk().equals(Optional.of(false)) && f.endOkAt().isPresent() && f.endAttemptAt().isPresent()
                && f.endOkAt().get().isBefore(f.endAttemptAt().get())) {
            return new RunVerdict(StatusInfo.of(Status.RUNNING, "a retry of the end step is running"),
                    Optional.empty(), Optional.of(Duration.between(f.created(), now)));
        }
        if (f.endOk().isPresent()) {
            Instant at = f.endOkAt().orElse(f.lastActivity());
            Optional<Duration> d = Optional.of(Duration.between(f.created(), at));
            return f.endOk().get()
                    ? new RunVerdict(StatusInfo.of(Status.COMPLETED, "end step succeeded"), Optional.of(at), d)
                    : new RunVerdict(StatusInfo.of(Status.FAILED, "end step failed"), Optional.of(at), d);
        }
        if (f.failedTask().isPresent() && f.failedAt().isPresent()) {
            Instant at = f.failedAt().get();
            Duration since = Duration.between(at, now);
            if (since.compareTo(RUN_INACTIVE_CUTOFF) > 0) {
                return new RunVerdict(StatusInfo.of(Status.FAILED, "task " + f.failedTask().get()
                        + " failed and no retry followed"), Optional.of(at), Optional.of(Duration.between(f.created(), at)));
            }
            return new RunVerdict(StatusInfo.of(Status.RUNNING, "task " + f.failedTask().get() + " failed "
                    + human(since) + " ago; a retry may follow"), Optional.empty(),
                    Optional.of(Duration.between(f.created(), now)));
        }
        if (f.unfinishedSince().isPresent()) {
            Duration since = Duration.between(f.unfinishedSince().get(), now);
            if (since.compareTo(NO_HEARTBEAT_STALE) <= 0) {
                return new RunVerdict(StatusInfo.of(Status.RUNNING, "task " + f.unfinishedTask().orElse("?")
                        + " started " + human(since) + " ago and has not finished (local runs have no heartbeat)"),
                        Optional.empty(), Optional.of(Duration.between(f.created(), now)));
            }
        }
        Duration idle = Duration.between(f.lastActivity(), now);
        if (idle.compareTo(RUN_INACTIVE_CUTOFF) <= 0) {
            return new RunVerdict(StatusInfo.of(Status.RUNNING, "last activity " + human(idle) + " ago"),
                    Optional.empty(), Optional.of(Duration.between(f.created(), now)));
        }
        return new RunVerdict(StatusInfo.of(Status.FAILED, "no activity for " + human(idle)
                + "; the run stopped before its end step"), Optional.of(f.lastActivity()),
                Optional.of(Duration.between(f.created(), f.lastActivity())));
    }

    /** A step's status from its tasks: running, then failed, then pending, then completed. */
    public static StatusInfo stepStatus(TaskCounts c) {
        if (c.total() == 0) {
            return StatusInfo.of(Status.PENDING, "no tasks yet");
        }
        if (c.running() > 0) {
            return StatusInfo.of(Status.RUNNING, c.running() + " of " + c.total() + " tasks running");
        }
        if (c.failed() > 0) {
            return StatusInfo.of(Status.FAILED, c.failed() + " of " + c.total() + " tasks failed");
        }
        if (c.pending() > 0) {
            return StatusInfo.of(Status.PENDING, c.pending() + " of " + c.total() + " tasks pending");
        }
        if (c.unknown() > 0) {
            return StatusInfo.of(Status.UNKNOWN, c.unknown() + " of " + c.total() + " tasks have no recorded outcome");
        }
        return StatusInfo.of(Status.COMPLETED, "all " + c.total() + " tasks completed");
    }

    /** A task's status is its latest attempt's; no attempt at all is pending. */
    public static StatusInfo taskStatus(java.util.List<Attempt> attempts) {
        if (attempts.isEmpty()) {
            return StatusInfo.of(Status.PENDING, "registered, not started yet");
        }
        Attempt last = attempts.get(0);
        for (Attempt a : attempts) {
            if (a.id() > last.id()) {
                last = a;
            }
        }
        return last.status();
    }

    private static Optional<Instant> latest(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return a.get().isAfter(b.get()) ? a : b;
    }

    /** "45 s", "6 min", "3 h 5 min", "2 days". */
    public static String human(Duration d) {
        long s = Math.abs(d.getSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min";
        }
        if (s < 86_400) {
            long m = (s % 3600) / 60;
            return (s / 3600) + " h" + (m > 0 ? " " + m + " min" : "");
        }
        long days = s / 86_400;
        return days + (days == 1 ? " day" : " days");
    }
}

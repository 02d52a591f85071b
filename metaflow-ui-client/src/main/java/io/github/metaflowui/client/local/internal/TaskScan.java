package io.github.metaflowui.client.local.internal;

import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.StatusRules;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskRef;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the files of one task directory say, before any clock is applied. Immutable.
 *
 * @param ref          the task
 * @param dir          its directory
 * @param created      its {@code _self.json} {@code ts_epoch}
 * @param attempts     every attempt found, by id
 * @param foreachLabel see {@link TaskReader}
 * @param lastModified the newest modification time seen (directories, and logs of an unfinished attempt)
 * @param problem      why the task's files cannot be read, for a task that is listed all the same
 */
public record TaskScan(TaskRef ref, Path dir, Instant created, List<AttemptScan> attempts,
                       Optional<String> foreachLabel, Instant lastModified, Optional<MetaflowException> problem) {
    public TaskScan {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(created, "created");
        attempts = List.copyOf(attempts);
        Objects.requireNonNull(foreachLabel, "foreachLabel");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(problem, "problem");
    }

    /**
     * A task whose files cannot be read: listed with {@link Status#UNKNOWN} and the reason, so that
     * one broken task does not hide the others.
     */
    public static TaskScan unreadable(TaskRef ref, Path dir, Instant seen, MetaflowException problem) {
        return new TaskScan(ref, dir, seen, List.of(), Optional.empty(), seen, Optional.of(problem));
    }

    /**
     * The recorded facts of one attempt.
     *
     * @param okFromRuntime true when {@code ok} comes from {@code N.runtime} because no
     *                      {@code attempt_ok} record exists
     */
    public record AttemptScan(int id, Optional<Instant> started, Optional<Instant> done, Optional<Boolean> ok,
                              Optional<Instant> okAt, boolean okFromRuntime) {
        public boolean finished() {
            return done.isPresent() || ok.isPresent();
        }
    }

    public Optional<AttemptScan> latest() {
        return attempts.isEmpty() ? Optional.empty() : Optional.of(attempts.get(attempts.size() - 1));
    }

    public Optional<AttemptScan> attempt(int id) {
        return attempts.stream().filter(a -> a.id() == id).findFirst();
    }

    /** The task with each attempt's status under the given clock. */
    public Task toTask(Clock clock) {
        if (problem.isPresent()) {
            return new Task(ref, created, List.of(), StatusInfo.of(Status.UNKNOWN,
                    "the task's files cannot be read: " + problem.get().getMessage()), Optional.empty());
        }
        List<Attempt> out = new ArrayList<>(attempts.size());
        for (int i = 0; i < attempts.size(); i++) {
            AttemptScan a = attempts.get(i);
            Optional<Instant> next = Optional.empty();
            for (int j = i + 1; j < attempts.size() && next.isEmpty(); j++) {
                next = attempts.get(j).started();
            }
            Attempt at = StatusRules.attempt(new StatusRules.AttemptFacts(a.id(), created, a.started(), a.done(),
                    a.ok(), a.okAt(), next, Optional.empty()), clock);
            if (a.okFromRuntime() && a.ok().isPresent()) {
                String reason = "attempt " + a.id() + (a.ok().get() ? " succeeded" : " failed")
                        + " (no attempt_ok recorded; " + a.id() + ".runtime says success="
                        + (a.ok().get() ? "true" : "false") + ")";
                at = new Attempt(at.id(), StatusInfo.of(at.status().status(), reason), at.startedAt(), at.finishedAt());
            }
            out.add(at);
        }
        StatusInfo status = StatusRules.taskStatus(out);
        return new Task(ref, created, out, status, foreachLabel);
    }

    /** True when the latest attempt failed by its recorded outcome (not by a clock rule). */
    public boolean latestFailed() {
        return latest().flatMap(AttemptScan::ok).map(ok -> !ok).orElse(false);
    }
}

package io.github.metaflowui.core.diff;

import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskRef;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Small builders of domain values for the diff tests. */
final class Entities {
    static final Instant T0 = Instant.parse("2026-12-03T12:40:00Z");

    private Entities() {
    }

    static Run run(String pathspec, Status status, String reason) {
        String[] p = pathspec.split("/");
        boolean done = status.isTerminal();
        return new Run(RunRef.of(p[0], p[1]), "alice", Optional.of("alice"), T0, List.of(), List.of("user:alice"),
                StatusInfo.of(status, reason), done ? Optional.of(T0.plusSeconds(60)) : Optional.empty(),
                done ? Optional.of(Duration.ofSeconds(60)) : Optional.empty(), Optional.empty());
    }

    static Run run(String pathspec, Status status) {
        return run(pathspec, status, status.wireName());
    }

    static Run withTags(Run r, String... tags) {
        return new Run(r.ref(), r.userName(), r.user(), r.createdAt(), List.of(tags), r.systemTags(), r.status(),
                r.finishedAt(), r.duration(), r.lastHeartbeat());
    }

    static Task task(String pathspec, Status status, String reason, int attempts) {
        TaskRef ref = TaskRef.parse(pathspec);
        List<Attempt> list = new java.util.ArrayList<>();
        for (int a = 0; a < attempts; a++) {
            boolean last = a == attempts - 1;
            StatusInfo s = last ? StatusInfo.of(status, reason) : StatusInfo.of(Status.FAILED, "attempt " + a + " failed");
            boolean finished = !last || status.isTerminal();
            list.add(new Attempt(a, s, Optional.of(T0.plusSeconds(a * 10L)),
                    finished ? Optional.of(T0.plusSeconds(a * 10L + 5)) : Optional.empty()));
        }
        return new Task(ref, T0, list, StatusInfo.of(status, reason), Optional.empty());
    }

    static Task task(String pathspec, Status status) {
        return task(pathspec, status, status.wireName(), 1);
    }

    /** An equal but distinct copy (no shared instances but the immutable leaves). */
    static Task copy(Task t) {
        TaskRef ref = TaskRef.parse(new String(t.ref().pathspec()));
        return new Task(ref, t.createdAt(), List.copyOf(t.attempts()),
                StatusInfo.of(t.status().status(), new String(t.status().reason())), t.foreachLabel());
    }
}

package io.github.metaflowui.core.diff;

import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskCounts;
import io.github.metaflowui.core.diff.Fingerprint.Hasher;

import java.util.List;

/** The fingerprints of the domain's entities, one constant each (so differs can tell them apart). */
final class StandardFingerprints {
    static final Fingerprint<Run> RUN = StandardFingerprints::run;
    static final Fingerprint<Task> TASK = StandardFingerprints::task;
    static final Fingerprint<Step> STEP = StandardFingerprints::step;

    private StandardFingerprints() {
    }

    private static long run(Run r) {
        return new Hasher().add(r.ref()).add(r.userName()).add(r.user()).add(r.createdAt()).add(r.tags())
                .add(r.systemTags()).add(r.status()).add(r.finishedAt()).add(r.duration())
                .add(r.lastHeartbeat()).finish();
    }

    private static long task(Task t) {
        Hasher h = new Hasher().add(t.ref()).add(t.createdAt()).add(t.status()).add(t.foreachLabel());
        List<Attempt> attempts = t.attempts();
        h.add(attempts.size());
        for (int i = 0; i < attempts.size(); i++) {
            Attempt a = attempts.get(i);
            h.add(a.id()).add(a.status()).add(a.startedAt()).add(a.finishedAt());
        }
        return h.finish();
    }

    private static long step(Step s) {
        TaskCounts c = s.counts();
        return new Hasher().add(s.ref()).add(s.createdAt()).add(s.status()).add(c.pending()).add(c.running())
                .add(c.completed()).add(c.failed()).add(c.unknown()).add(s.startedAt()).add(s.finishedAt())
                .finish();
    }
}

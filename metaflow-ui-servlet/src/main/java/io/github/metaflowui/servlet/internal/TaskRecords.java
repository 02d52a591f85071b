package io.github.metaflowui.servlet.internal;

import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.diff.Differ;
import io.github.metaflowui.core.diff.Snapshot;
import io.github.metaflowui.core.spi.MetaflowBackend;
import io.github.metaflowui.core.watch.Activity;
import io.github.metaflowui.core.watch.Poll;
import io.github.metaflowui.core.watch.Resource;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The artifact records or the metadata records of one task, as one entity: a task gains them when
 * an attempt starts and when it finishes, a handful at a time, so a change carries the whole (small)
 * list and the browser replaces its table. Keyed {@code Flow/Run/Step/Task/artifacts|metadata}.
 *
 * @param task    the task
 * @param records every record of every attempt, in the backend's order
 */
record TaskRecords<T>(TaskRef task, List<T> records) {
    private static final StatusInfo NO_STATUS = StatusInfo.of(Status.UNKNOWN, "records have no status");

    TaskRecords {
        Objects.requireNonNull(task, "task");
        records = List.copyOf(records);
    }

    /** The artifact records of a task. */
    static Resource<TaskRecords<ArtifactRecord>> artifacts(TaskRef task) {
        return new Watched<>(task, "artifacts");
    }

    /** The metadata records of a task. */
    static Resource<TaskRecords<MetadataRecord>> metadata(TaskRef task) {
        return new Watched<>(task, "metadata");
    }

    /** What a watcher polls: one backend call for the records, one or two for how soon to poll again. */
    private record Watched<T>(TaskRef task, String what) implements Resource<TaskRecords<T>> {
        Watched {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(what, "what");
        }

        @Override
        @SuppressWarnings("unchecked")
        public Poll<TaskRecords<T>> poll(MetaflowBackend backend, Snapshot<TaskRecords<T>> previous) {
            List<T> records = (List<T>) (what.equals("artifacts") ? backend.artifacts(task) : backend.metadata(task));
            TaskRecords<T> now = new TaskRecords<>(task, records);
            return new Poll<>(Snapshot.of(task.pathspec() + "/" + what, now), activity(backend));
        }

        /** Like the task resource: active while the task runs, then as its run goes (over once it finished). */
        private Activity activity(MetaflowBackend backend) {
            Optional<Task> t = backend.task(task);
            if (t.isEmpty()) {
                return Activity.IDLE;
            }
            Status s = t.get().status().status();
            if (s == Status.RUNNING || s == Status.PENDING) {
                return Activity.ACTIVE;
            }
            Optional<Run> run = backend.run(task.run());
            if (run.isEmpty()) {
                return Activity.IDLE;
            }
            return run.get().status().status().isTerminal() ? Activity.FINISHED : Activity.ACTIVE;
        }

        @Override
        public Differ<TaskRecords<T>> differ() {
            return Differ.of(x -> NO_STATUS);
        }

        @Override
        public String describe() {
            return what + " of " + task;
        }
    }
}

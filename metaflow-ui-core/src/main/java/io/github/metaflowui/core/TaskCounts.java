package io.github.metaflowui.core;

import java.util.EnumMap;
import java.util.Map;

/** How many tasks are in each status. Immutable. */
public record TaskCounts(int pending, int running, int completed, int failed, int unknown) {
    public static final TaskCounts EMPTY = new TaskCounts(0, 0, 0, 0, 0);

    public TaskCounts {
        if (pending < 0 || running < 0 || completed < 0 || failed < 0 || unknown < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
    }

    public int total() {
        return pending + running + completed + failed + unknown;
    }

    public int get(Status status) {
        switch (status) {
            case PENDING:
                return pending;
            case RUNNING:
                return running;
            case COMPLETED:
                return completed;
            case FAILED:
                return failed;
            default:
                return unknown;
        }
    }

    public TaskCounts plus(Status status) {
        switch (status) {
            case PENDING:
                return new TaskCounts(pending + 1, running, completed, failed, unknown);
            case RUNNING:
                return new TaskCounts(pending, running + 1, completed, failed, unknown);
            case COMPLETED:
                return new TaskCounts(pending, running, completed + 1, failed, unknown);
            case FAILED:
                return new TaskCounts(pending, running, completed, failed + 1, unknown);
            default:
                return new TaskCounts(pending, running, completed, failed, unknown + 1);
        }
    }

    public TaskCounts plus(TaskCounts o) {
        return new TaskCounts(pending + o.pending, running + o.running, completed + o.completed,
                failed + o.failed, unknown + o.unknown);
    }

    public Map<Status, Integer> asMap() {
        Map<Status, Integer> m = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            m.put(s, get(s));
        }
        return m;
    }

    /** Counts the statuses of the given tasks. */
    public static TaskCounts of(Iterable<Task> tasks) {
        int p = 0, r = 0, c = 0, f = 0, u = 0;
        for (Task t : tasks) {
            switch (t.status().status()) {
                case PENDING: p++; break;
                case RUNNING: r++; break;
                case COMPLETED: c++; break;
                case FAILED: f++; break;
                default: u++;
            }
        }
        return new TaskCounts(p, r, c, f, u);
    }
}

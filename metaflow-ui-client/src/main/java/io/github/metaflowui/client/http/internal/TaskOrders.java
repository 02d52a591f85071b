package io.github.metaflowui.client.http.internal;

import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;

import java.util.Comparator;
import java.util.Optional;
import java.util.function.Function;

/** Orders whole tasks (their latest attempt's values) for lists sorted here rather than by a service. */
public final class TaskOrders {
    private TaskOrders() {
    }

    /** The query's order; tasks without the sorted value come last either way; ties by creation, then id. */
    public static Comparator<Task> of(TaskQuery.Sort sort, SortOrder direction) {
        Function<Task, Optional<? extends Comparable<?>>> key;
        switch (sort) {
            case STARTED:
                key = Task::startedAt;
                break;
            case FINISHED:
                key = Task::finishedAt;
                break;
            case DURATION:
                key = Task::duration;
                break;
            case TASK_ID:
                key = t -> Optional.of(t.id());
                break;
            default:
                key = t -> Optional.of(t.createdAt());
        }
        Comparator<Task> tie = Comparator.comparing(Task::createdAt).thenComparing(Task::id);
        return (a, b) -> {
            Optional<? extends Comparable<?>> ka = key.apply(a);
            Optional<? extends Comparable<?>> kb = key.apply(b);
            if (ka.isPresent() != kb.isPresent()) {
                return ka.isPresent() ? -1 : 1;
            }
            int c = 0;
            if (ka.isPresent()) {
                @SuppressWarnings({"unchecked", "rawtypes"})
                int cmp = ((Comparable) ka.get()).compareTo(kb.get());
                c = direction == SortOrder.DESC ? -cmp : cmp;
            }
            if (c != 0) {
                return c;
            }
            int t = tie.compare(a, b);
            return direction == SortOrder.DESC ? -t : t;
        };
    }
}

package io.github.metaflowui.core;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Which tasks of a run to list, and in what order. Immutable; build with {@link #builder()}. */
public final class TaskQuery {
    /** What tasks can be ordered by. */
    public enum Sort {
        /** Task creation order ({@code ts_epoch}), the natural order. */
        CREATED("ts_epoch"),
        STARTED("started_at"),
        FINISHED("finished_at"),
        DURATION("duration"),
        TASK_ID("task_id");

        private final String field;

        Sort(String field) {
            this.field = field;
        }

        public String field() {
            return field;
        }

        public static Optional<Sort> fromField(String field) {
            for (Sort s : values()) {
                if (s.field.equals(field) || s.name().equalsIgnoreCase(field)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    private static final TaskQuery ALL = builder().build();

    private final String step;
    private final Set<Status> statuses;
    private final Sort sort;
    private final SortOrder order;

    private TaskQuery(Builder b) {
        this.step = b.step;
        this.statuses = Set.copyOf(b.statuses);
        this.sort = b.sort;
        this.order = b.order;
    }

    /** Every task of the run, in creation order. */
    public static TaskQuery all() {
        return ALL;
    }

    public static TaskQuery ofStep(String step) {
        return builder().step(step).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<String> step() {
        return Optional.ofNullable(step);
    }

    public Set<Status> statuses() {
        return statuses;
    }

    public Sort sort() {
        return sort;
    }

    public SortOrder order() {
        return order;
    }

    public boolean matches(Task task) {
        if (step != null && !step.equals(task.step())) {
            return false;
        }
        return statuses.isEmpty() || statuses.contains(task.status().status());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskQuery q && Objects.equals(step, q.step) && statuses.equals(q.statuses)
                && sort == q.sort && order == q.order;
    }

    @Override
    public int hashCode() {
        return Objects.hash(step, statuses, sort, order);
    }

    @Override
    public String toString() {
        return "TaskQuery[step=" + step + ", statuses=" + statuses + ", sort=" + sort + ", order=" + order + "]";
    }

    public static final class Builder {
        private String step;
        private final Set<Status> statuses = new LinkedHashSet<>();
        private Sort sort = Sort.CREATED;
        private SortOrder order = SortOrder.ASC;

        private Builder() {
        }

        public Builder step(String step) {
            this.step = Objects.requireNonNull(step, "step");
            return this;
        }

        public Builder status(Status status) {
            statuses.add(Objects.requireNonNull(status, "status"));
            return this;
        }

        public Builder sort(Sort sort, SortOrder order) {
            this.sort = Objects.requireNonNull(sort, "sort");
            this.order = Objects.requireNonNull(order, "order");
            return this;
        }

        public TaskQuery build() {
            return new TaskQuery(this);
        }
    }
}

package io.github.metaflowui.core;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which runs to list, and in what order. Immutable; build with {@link #builder()}.
 * All criteria are ANDed; values within {@code users} and {@code statuses} are ORed.
 */
public final class RunQuery {
    /** What runs can be ordered by. */
    public enum Sort {
        /** {@code ts_epoch}: when the run was created. The natural, cheap order. */
        CREATED("ts_epoch"),
        FINISHED("finished_at"),
        DURATION("duration"),
        FLOW("flow_id"),
        USER("user"),
        STATUS("status"),
        RUN("run");

        private final String field;

        Sort(String field) {
            this.field = field;
        }

        /** The UI backend's column name. */
        public String field() {
            return field;
        }

        public static Optional<Sort> fromField(String field) {
            for (Sort s : values()) {
                if (s.field.equals(field) || s.name().equalsIgnoreCase(field)) {
                    return Optional.of(s);
                }
            }
            if ("started_at".equals(field)) {
                return Optional.of(CREATED);
            }
            return Optional.empty();
        }
    }

    private static final RunQuery ALL = builder().build();

    private final String flow;
    private final Set<String> users;
    private final Set<String> tagsAll;
    private final Set<String> tagsAny;
    private final Set<Status> statuses;
    private final Instant createdFrom;
    private final Instant createdBefore;
    private final Sort sort;
    private final SortOrder order;

    private RunQuery(Builder b) {
        this.flow = b.flow;
        this.users = Set.copyOf(b.users);
        this.tagsAll = Set.copyOf(b.tagsAll);
        this.tagsAny = Set.copyOf(b.tagsAny);
        this.statuses = Set.copyOf(b.statuses);
        this.createdFrom = b.createdFrom;
        this.createdBefore = b.createdBefore;
        this.sort = b.sort;
        this.order = b.order;
    }

    /** Every run of every flow, newest first. */
    public static RunQuery all() {
        return ALL;
    }

    /** Every run of one flow, newest first. */
    public static RunQuery ofFlow(String flow) {
        return builder().flow(flow).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.flow = flow;
        b.users.addAll(users);
        b.tagsAll.addAll(tagsAll);
        b.tagsAny.addAll(tagsAny);
        b.statuses.addAll(statuses);
        b.createdFrom = createdFrom;
        b.createdBefore = createdBefore;
        b.sort = sort;
        b.order = order;
        return b;
    }

    public Optional<String> flow() {
        return Optional.ofNullable(flow);
    }

    /** Verified owners or user names; any of them matches. Empty: any user. */
    public Set<String> users() {
        return users;
    }

    /** Tags that must all be present (user or system tags). */
    public Set<String> tagsAll() {
        return tagsAll;
    }

    /** Tags of which at least one must be present. Empty: no such constraint. */
    public Set<String> tagsAny() {
        return tagsAny;
    }

    /** Statuses, any of which matches. Empty: any status. */
    public Set<Status> statuses() {
        return statuses;
    }

    /** Created at or after this instant. */
    public Optional<Instant> createdFrom() {
        return Optional.ofNullable(createdFrom);
    }

    /** Created strictly before this instant. */
    public Optional<Instant> createdBefore() {
        return Optional.ofNullable(createdBefore);
    }

    public Sort sort() {
        return sort;
    }

    public SortOrder order() {
        return order;
    }

    /** True when the run satisfies every criterion (for backends that filter in memory). */
    public boolean matches(Run run) {
        if (flow != null && !flow.equals(run.flow())) {
            return false;
        }
        if (!users.isEmpty() && !users.contains(run.displayUser()) && !users.contains(run.userName())) {
            return false;
        }
        List<String> tags = run.allTags();
        if (!tags.containsAll(tagsAll)) {
            return false;
        }
        if (!tagsAny.isEmpty() && tagsAny.stream().noneMatch(tags::contains)) {
            return false;
        }
        if (!statuses.isEmpty() && !statuses.contains(run.status().status())) {
            return false;
        }
        if (createdFrom != null && run.createdAt().isBefore(createdFrom)) {
            return false;
        }
        return createdBefore == null || run.createdAt().isBefore(createdBefore);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunQuery q && Objects.equals(flow, q.flow) && users.equals(q.users)
                && tagsAll.equals(q.tagsAll) && tagsAny.equals(q.tagsAny) && statuses.equals(q.statuses)
                && Objects.equals(createdFrom, q.createdFrom) && Objects.equals(createdBefore, q.createdBefore)
                && sort == q.sort && order == q.order;
    }

    @Override
    public int hashCode() {
        return Objects.hash(flow, users, tagsAll, tagsAny, statuses, createdFrom, createdBefore, sort, order);
    }

    @Override
    public String toString() {
        return "RunQuery[flow=" + flow + ", users=" + users + ", tagsAll=" + tagsAll + ", tagsAny=" + tagsAny
                + ", statuses=" + statuses + ", createdFrom=" + createdFrom + ", createdBefore=" + createdBefore
                + ", sort=" + sort + ", order=" + order + "]";
    }

    public static final class Builder {
        private String flow;
        private final Set<String> users = new LinkedHashSet<>();
        private final Set<String> tagsAll = new LinkedHashSet<>();
        private final Set<String> tagsAny = new LinkedHashSet<>();
        private final Set<Status> statuses = new LinkedHashSet<>();
        private Instant createdFrom;
        private Instant createdBefore;
        private Sort sort = Sort.CREATED;
        private SortOrder order = SortOrder.DESC;

        private Builder() {
        }

        public Builder flow(String flow) {
            this.flow = Objects.requireNonNull(flow, "flow");
            return this;
        }

        public Builder user(String user) {
            users.add(Objects.requireNonNull(user, "user"));
            return this;
        }

        public Builder tag(String tag) {
            tagsAll.add(Objects.requireNonNull(tag, "tag"));
            return this;
        }

        public Builder anyTag(String tag) {
            tagsAny.add(Objects.requireNonNull(tag, "tag"));
            return this;
        }

        public Builder status(Status status) {
            statuses.add(Objects.requireNonNull(status, "status"));
            return this;
        }

        public Builder createdFrom(Instant from) {
            this.createdFrom = Objects.requireNonNull(from, "from");
            return this;
        }

        public Builder createdBefore(Instant before) {
            this.createdBefore = Objects.requireNonNull(before, "before");
            return this;
        }

        public Builder sort(Sort sort, SortOrder order) {
            this.sort = Objects.requireNonNull(sort, "sort");
            this.order = Objects.requireNonNull(order, "order");
            return this;
        }

        public RunQuery build() {
            if (createdFrom != null && createdBefore != null && !createdFrom.isBefore(createdBefore)) {
                throw new IllegalArgumentException("createdFrom (" + createdFrom + ") must be before createdBefore ("
                        + createdBefore + ")");
            }
            return new RunQuery(this);
        }
    }
}

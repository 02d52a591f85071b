package io.github.metaflowui.core.diff;

import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The diff engine: a pure function of two snapshots that returns what changed. Identical entities
 * (by {@code equals}) yield nothing; an entity whose status differs yields
 * {@link Change.StatusChanged} (even if other fields changed too); any other difference yields
 * {@link Change.Updated}. Results are in a stable order: by key, with {@code keyOrder}.
 *
 * <p>Cost: one hash lookup and one {@code equals} per entity, so two 100,000-entity snapshots are
 * compared in a few milliseconds.
 */
public final class Differ<T> {
    private final Function<? super T, StatusInfo> status;
    private final Comparator<String> keyOrder;

    private Differ(Function<? super T, StatusInfo> status, Comparator<String> keyOrder) {
        this.status = Objects.requireNonNull(status, "status");
        this.keyOrder = Objects.requireNonNull(keyOrder, "keyOrder");
    }

    /** A differ for entities whose status is given by {@code status}; changes ordered by key. */
    public static <T> Differ<T> of(Function<? super T, StatusInfo> status) {
        return new Differ<>(status, Comparator.naturalOrder());
    }

    public static <T> Differ<T> of(Function<? super T, StatusInfo> status, Comparator<String> keyOrder) {
        return new Differ<>(status, keyOrder);
    }

    public static Differ<Run> runs() {
        return of(Run::status);
    }

    public static Differ<Task> tasks() {
        return of(Task::status);
    }

    public static Differ<Step> steps() {
        return of(Step::status);
    }

    /** What changed from {@code before} to {@code after}. */
    public List<Change<T>> diff(Snapshot<T> before, Snapshot<T> after) {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        List<Change<T>> changes = new ArrayList<>();
        Map<String, T> old = before.asMap();
        int added = 0;
        for (Map.Entry<String, T> e : after.asMap().entrySet()) {
            T prev = old.get(e.getKey());
            T cur = e.getValue();
            if (prev == null) {
                changes.add(new Change.Added<>(e.getKey(), cur));
                added++;
            } else if (!prev.equals(cur)) {
                StatusInfo from = status.apply(prev);
                StatusInfo to = status.apply(cur);
                if (from.status() != to.status()) {
                    changes.add(new Change.StatusChanged<>(e.getKey(), prev, cur, from, to));
                } else {
                    changes.add(new Change.Updated<>(e.getKey(), prev, cur));
                }
            }
        }
        // every key of "after" that is not new was found in "before"; any other "before" key is gone
        if (after.size() - added < old.size()) {
            Map<String, T> now = after.asMap();
            for (Map.Entry<String, T> e : old.entrySet()) {
                if (!now.containsKey(e.getKey())) {
                    changes.add(new Change.Removed<>(e.getKey(), e.getValue()));
                }
            }
        }
        changes.sort((a, b) -> keyOrder.compare(a.key(), b.key()));
        return changes;
    }

    /**
     * Applies changes to a snapshot: {@code apply(a, diff(a, b))} equals {@code b} as a keyed set
     * (entities present and equal); the order is {@code a}'s, with additions at the end.
     */
    public static <T> Snapshot<T> apply(Snapshot<T> before, List<? extends Change<T>> changes) {
        Map<String, T> m = new LinkedHashMap<>(before.asMap());
        for (Change<T> c : changes) {
            if (c instanceof Change.Removed<T> r) {
                m.remove(r.key());
            } else {
                m.put(c.key(), c.entity());
            }
        }
        return Snapshot.ofMap(m);
    }
}

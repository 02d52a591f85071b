package io.github.metaflowui.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a run list grouped by flow or user: the groups in the order of their first run in the
 * list (its newest run for the default order), each with its first runs.
 *
 * @param groups  the groups of this page
 * @param more    more groups follow (among the runs read); continue with the last group's key as {@code afterKey}
 * @param exact   the whole list was read, so every {@link Group#count()} is exact; false when the
 *                reading stopped at a bound (counts are then of the runs read, and later groups may exist)
 * @param scanned how many runs were read to answer
 */
public record RunGroups(List<Group> groups, boolean more, boolean exact, long scanned) {
    public RunGroups {
        groups = List.copyOf(groups);
    }

    /** What runs are grouped by. */
    public enum By {
        FLOW, USER;

        /** The group key of a run: its flow, or its {@link Run#displayUser() user}. */
        public String keyOf(Run run) {
            return this == FLOW ? run.flow() : Objects.toString(run.displayUser(), "");
        }
    }

    /**
     * One group.
     *
     * @param key   the flow name or user
     * @param runs  its first runs in the list's order (at most the per-group limit)
     * @param count how many runs of the list are in the group (of the runs read when not exact)
     */
    public record Group(String key, List<Run> runs, long count) {
        public Group {
            Objects.requireNonNull(key, "key");
            runs = List.copyOf(runs);
        }

        /** More runs are in the group than {@link #runs()} holds. */
        public boolean more() {
            return count > runs.size();
        }
    }

    /**
     * Groups runs read in list order, reading at most {@code maxScan} of them.
     *
     * @param runs     the list, in its order
     * @param by       what to group by
     * @param perGroup the most runs kept per group
     * @param afterKey the page starts after the group with this key (empty: at the first group)
     * @param maxGroups the most groups on the page
     * @param maxScan  the most runs read
     * @throws IllegalArgumentException when {@code afterKey} names no group of the runs read
     */
    public static RunGroups of(Iterable<Run> runs, By by, int perGroup, Optional<String> afterKey, int maxGroups,
                               long maxScan) {
        Objects.requireNonNull(by, "by");
        if (perGroup < 1 || maxGroups < 1 || maxScan < 1) {
            throw new IllegalArgumentException("perGroup, maxGroups and maxScan must be at least 1");
        }
        Map<String, long[]> counts = new LinkedHashMap<>();
        Map<String, List<Run>> firsts = new LinkedHashMap<>();
        long scanned = 0;
        Iterator<Run> it = runs.iterator();
        while (scanned < maxScan && it.hasNext()) {
            Run r = it.next();
            scanned++;
            String key = by.keyOf(r);
            counts.computeIfAbsent(key, k -> new long[1])[0]++;
            List<Run> first = firsts.computeIfAbsent(key, k -> new ArrayList<>(perGroup));
            if (first.size() < perGroup) {
                first.add(r);
            }
        }
        boolean exact = !it.hasNext();
        List<String> keys = new ArrayList<>(counts.keySet());
        int from = 0;
        if (afterKey.isPresent()) {
            int i = keys.indexOf(afterKey.get());
            if (i < 0) {
                throw new IllegalArgumentException("the group cursor names '" + afterKey.get()
                        + "', which is no group of this list any more; start again from the first page");
            }
            from = i + 1;
        }
        int to = (int) Math.min(keys.size(), (long) from + maxGroups);
        List<Group> out = new ArrayList<>(to - from);
        for (String k : keys.subList(from, to)) {
            out.add(new Group(k, firsts.get(k), counts.get(k)[0]));
        }
        return new RunGroups(out, to < keys.size(), exact, scanned);
    }
}

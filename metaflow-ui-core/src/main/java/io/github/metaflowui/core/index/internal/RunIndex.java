package io.github.metaflowui.core.index.internal;

import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunGroups;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The run index: {@link RunColumns} plus, per order asked for, a sorted permutation of the runs
 * that are finished (they never change, so the permutation only ever gains rows), and a small list
 * of unfinished runs sorted at query time and merged in. Any page of any query is a binary search
 * (keyset) or a filtered walk (offset) over those. Thread-safe: queries share a read lock, updates
 * take the write lock briefly.
 */
public final class RunIndex {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private RunColumns cols = new RunColumns();
    private final Map<String, Perm> perms = new ConcurrentHashMap<>();
    private int[] live = new int[0];
    private int liveCount;
    private int deleted;
    private volatile boolean complete;
    private volatile long coverFrom = Long.MIN_VALUE;
    private final int maxRuns;

    private record Perm(int[] rows, int n) {
    }

    /** Where a page starts: after {@code offset} matching runs, or after the run {@code flow/id}. */
    public record Position(long offset, String flow, String id) {
        public static Position at(long offset) {
            return new Position(offset, null, null);
        }

        public static Position after(String flow, String id) {
            return new Position(0, flow, id);
        }

        boolean keyset() {
            return flow != null;
        }
    }

    /** A page of runs from memory, the last run served, and whether more match. */
    public record Slice(List<Run> runs, boolean more, long nextOffset) {
    }

    public RunIndex(int maxRuns) {
        this.maxRuns = maxRuns;
    }

    // ------------------------------------------------------------------ state

    public boolean complete() {
        return complete;
    }

    /** Runs created at or after this time are all in the index (when not {@link #complete()}). */
    public long coverFrom() {
        return coverFrom;
    }

    public void setCoverage(boolean complete, long coverFrom) {
        this.complete = complete;
        this.coverFrom = coverFrom;
    }

    public int size() {
        lock.readLock().lock();
        try {
            return cols.size() - deleted;
        } finally {
            lock.readLock().unlock();
        }
    }

    public int liveCount() {
        lock.readLock().lock();
        try {
            return liveCount;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The newest creation time indexed, or {@code Long.MIN_VALUE}. */
    public long newestCreated() {
        lock.readLock().lock();
        try {
            long max = Long.MIN_VALUE;
            for (int r = 0; r < cols.size(); r++) {
                if (!cols.deleted(r)) {
                    max = Math.max(max, cols.created(r));
                }
            }
            return max;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs that are not finished (to re-check), at most {@code max}. */
    public List<RunRef> unfinished(int max) {
        lock.readLock().lock();
        try {
            List<RunRef> out = new ArrayList<>(Math.min(max, liveCount));
            for (int i = 0; i < liveCount && out.size() < max; i++) {
                out.add(cols.ref(live[i]));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    public long bytes() {
        lock.readLock().lock();
        try {
            long b = cols.bytes() + live.length * 4L;
            for (Perm p : perms.values()) {
                b += p.rows().length * 4L;
            }
            return b;
        } finally {
            lock.readLock().unlock();
        }
    }

    // ------------------------------------------------------------------ writes

    /** Inserts or updates runs; keeps the permutations and the unfinished list right. */
    public void apply(List<Run> runs, List<RunRef> gone) {
        if (runs.isEmpty() && gone.isEmpty()) {
            return;
        }
        lock.writeLock().lock();
        try {
            boolean invalidate = false;
            int[] added = new int[runs.size()];
            int addedN = 0;
            for (Run r : runs) {
                int row = cols.find(r.flow(), r.id().value());
                boolean existed = row >= 0;
                boolean wasTerminal = existed && cols.terminal(row);
                boolean wasDeleted = existed && cols.deleted(row);
                long c0 = existed ? cols.created(row) : 0;
                long f0 = existed ? cols.finished(row) : 0;
                long d0 = existed ? cols.duration(row) : 0;
                byte s0 = existed ? cols.status(row) : 0;
                Run before = wasTerminal ? cols.run(row) : null;
                row = cols.upsert(r);
                if (wasDeleted) {
                    deleted--;
                }
                boolean isTerminal = cols.terminal(row);
                if (wasTerminal) {
                    boolean same = isTerminal && c0 == cols.created(row) && f0 == cols.finished(row)
                            && d0 == cols.duration(row) && s0 == cols.status(row)
                            && before.userName().equals(r.userName()) && before.user().equals(r.user());
                    invalidate |= !same;
                } else if (isTerminal) {
                    added[addedN++] = row;
                }
            }
            for (RunRef ref : gone) {
                int row = cols.find(ref.flow(), ref.run().value());
                if (row >= 0 && !cols.deleted(row)) {
                    invalidate |= cols.terminal(row);
                    cols.delete(row);
                    deleted++;
                }
            }
            if (cols.refreshRanks()) {
                invalidate = true; // every order breaks ties by flow name
                cols.resetTies();
            }
            evictBeyondCapacity();
            if (invalidate) {
                perms.clear();
            } else if (addedN > 0) {
                for (Map.Entry<String, Perm> e : perms.entrySet()) {
                    String[] key = e.getKey().split(":");
                    RowSort.Order order = cols.order(RunQuery.Sort.valueOf(key[0]), SortOrder.valueOf(key[1]));
                    int[] batch = Arrays.copyOf(added, addedN);
                    RowSort.sort(batch, addedN, order);
                    Perm p = e.getValue();
                    int[] merged = RowSort.merge(p.rows(), p.n(), batch, addedN, order);
                    e.setValue(new Perm(merged, merged.length));
                }
            }
            rebuildLive();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void rebuildLive() {
        int n = 0;
        int[] out = live.length >= 16 ? live : new int[16];
        for (int r = 0; r < cols.size(); r++) {
            if (!cols.deleted(r) && !cols.terminal(r)) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = r;
            }
        }
        live = out;
        liveCount = n;
    }

    /** Beyond {@code maxRuns}, the oldest runs leave the index and the covered window starts later. */
    private void evictBeyondCapacity() {
        int present = cols.size() - deleted;
        if (present <= maxRuns) {
            return;
        }
        int[] rows = new int[present];
        int n = 0;
        for (int r = 0; r < cols.size(); r++) {
            if (!cols.deleted(r)) {
                rows[n++] = r;
            }
        }
        RunColumns c = cols;
        RowSort.sort(rows, n, (a, b) -> Long.compare(c.created(a), c.created(b)));
        int drop = present - maxRuns;
        long newest = Long.MIN_VALUE;
        for (int i = 0; i < drop; i++) {
            newest = Math.max(newest, cols.created(rows[i]));
            cols.delete(rows[i]);
        }
        // runs sharing the boundary millisecond may be partly evicted: the window starts after it
        for (int i = drop; i < n && cols.created(rows[i]) == newest; i++) {
            cols.delete(rows[i]);
            drop++;
        }
        deleted += drop;
        complete = false;
        coverFrom = Math.max(coverFrom, newest + 1);
        if (deleted > maxRuns / 4 + 1024) {
            compact();
        }
    }

    /** Copies the present rows into fresh columns, dropping deleted ones. */
    private void compact() {
        RunColumns fresh = new RunColumns();
        for (int r = 0; r < cols.size(); r++) {
            if (!cols.deleted(r)) {
                fresh.upsert(cols.run(r));
            }
        }
        fresh.refreshRanks();
        cols = fresh;
        deleted = 0;
        perms.clear();
    }

    // ------------------------------------------------------------------ reads

    /** Whether a run is indexed. */
    public boolean contains(RunRef ref) {
        lock.readLock().lock();
        try {
            int row = cols.find(ref.flow(), ref.run().value());
            return row >= 0 && !cols.deleted(row);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * One page of the query from memory, restricted to runs created at or after {@code minCreated}.
     *
     * @throws IllegalArgumentException when a keyset position names a run that is not indexed
     */
    public Slice query(RunQuery q, long minCreated, Position start, int limit) {
        lock.readLock().lock();
        try {
            RunColumns c = cols;
            RunColumns.Filter filter = c.filter(q, minCreated);
            RowSort.Order order = c.order(q.sort(), q.order());
            Perm p = perm(q.sort(), q.order());
            int[] l = new int[liveCount];
            int ln = 0;
            for (int i = 0; i < liveCount; i++) {
                if (filter.test(live[i])) {
                    l[ln++] = live[i];
                }
            }
            RowSort.sort(l, ln, order);
            int i = 0;
            int j = 0;
            long skip = 0;
            if (start.keyset()) {
                int row = c.find(start.flow(), start.id());
                if (row < 0) {
                    throw new IllegalArgumentException("the page cursor names the run " + start.flow() + "/" + start.id()
                            + ", which is no longer indexed; start again from the first page");
                }
                i = RowSort.upperBound(p.rows(), p.n(), row, order);
                j = RowSort.upperBound(l, ln, row, order);
            } else {
                skip = start.offset();
            }
            List<Run> out = new ArrayList<>(Math.min(limit, 1024));
            long served = start.keyset() ? 0 : start.offset();
            boolean more = false;
            int[] rows = p.rows();
            int n = p.n();
            while (i < n || j < ln) {
                int row;
                if (j >= ln || (i < n && order.compare(rows[i], l[j]) <= 0)) {
                    row = rows[i++];
                    if (!filter.test(row)) {
                        continue;
                    }
                } else {
                    row = l[j++];
                }
                if (skip > 0) {
                    skip--;
                    continue;
                }
                if (out.size() == limit) {
                    more = true;
                    break;
                }
                out.add(c.run(row));
                served++;
            }
            return new Slice(out, more, served);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The query's runs grouped (see {@link RunGroups}), from memory: one pass over every matching run in
     * the query's order, so counts are exact.
     *
     * @throws IllegalArgumentException when {@code afterKey} names no group of the list
     */
    public RunGroups group(RunQuery q, long minCreated, RunGroups.By by, int perGroup, Optional<String> afterKey,
                           int maxGroups) {
        lock.readLock().lock();
        try {
            RunColumns c = cols;
            c.prepareGroups();
            RunColumns.Filter filter = c.filter(q, minCreated);
            RowSort.Order order = c.order(q.sort(), q.order());
            Perm p = perm(q.sort(), q.order());
            int[] l = new int[liveCount];
            int ln = 0;
            for (int i = 0; i < liveCount; i++) {
                if (filter.test(live[i])) {
                    l[ln++] = live[i];
                }
            }
            RowSort.sort(l, ln, order);
            int groups = c.groupCount(by);
            long[] counts = new long[groups];
            int[][] firsts = new int[groups][];
            int[] seenOrder = new int[groups];
            int seen = 0;
            long scanned = 0;
            int[] rows = p.rows();
            int n = p.n();
            int i = 0;
            int j = 0;
            while (i < n || j < ln) {
                int row;
                if (j >= ln || (i < n && order.compare(rows[i], l[j]) <= 0)) {
                    row = rows[i++];
                    if (!filter.test(row)) {
                        continue;
                    }
                } else {
                    row = l[j++];
                }
                scanned++;
                int g = c.groupId(row, by);
                long k = counts[g]++;
                if (k == 0) {
                    seenOrder[seen++] = g;
                    firsts[g] = new int[perGroup];
                }
                if (k < perGroup) {
                    firsts[g][(int) k] = row;
                }
            }
            int from = 0;
            if (afterKey.isPresent()) {
                from = -1;
                for (int x = 0; x < seen; x++) {
                    if (c.groupName(seenOrder[x], by).equals(afterKey.get())) {
                        from = x + 1;
                        break;
                    }
                }
                if (from < 0) {
                    throw new IllegalArgumentException("the group cursor names '" + afterKey.get()
                            + "', which is no group of this list any more; start again from the first page");
                }
            }
            int to = (int) Math.min(seen, (long) from + maxGroups);
            List<RunGroups.Group> out = new ArrayList<>(Math.max(0, to - from));
            for (int x = from; x < to; x++) {
                int g = seenOrder[x];
                int shown = (int) Math.min(perGroup, counts[g]);
                List<Run> runs = new ArrayList<>(shown);
                for (int y = 0; y < shown; y++) {
                    runs.add(c.run(firsts[g][y]));
                }
                out.add(new RunGroups.Group(c.groupName(g, by), runs, counts[g]));
            }
            return new RunGroups(out, to < seen, true, scanned);
        } finally {
            lock.readLock().unlock();
        }
    }

    private Perm perm(RunQuery.Sort sort, SortOrder direction) {
        return perms.computeIfAbsent(sort + ":" + direction, k -> {
            RunColumns c = cols;
            int[] rows = new int[c.size()];
            int n = 0;
            for (int r = 0; r < c.size(); r++) {
                if (!c.deleted(r) && c.terminal(r)) {
                    rows[n++] = r;
                }
            }
            c.sort(rows, n, sort, direction);
            return new Perm(rows, n);
        });
    }

    /** Builds the permutation of an order ahead of the first query that needs it. */
    public void prepare(RunQuery.Sort sort, SortOrder direction) {
        lock.readLock().lock();
        try {
            perm(sort, direction);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The run at a row position of a query, for keyset cursors (read under the lock by callers). */
    public Run get(RunRef ref) {
        lock.readLock().lock();
        try {
            int row = cols.find(ref.flow(), ref.run().value());
            return row < 0 || cols.deleted(row) ? null : cols.run(row);
        } finally {
            lock.readLock().unlock();
        }
    }
}

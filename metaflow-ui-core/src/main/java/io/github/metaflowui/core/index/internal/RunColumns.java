package io.github.metaflowui.core.index.internal;

import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunGroups;
import io.github.metaflowui.core.RunId;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Run summaries column by column, about 45 bytes a run: flow, owner and tags as dictionary ids,
 * the id as a number when it is one, times as 4-byte offsets from the creation time, status and
 * reason. Rows are never moved; a run that disappears is marked deleted. Not thread-safe: the
 * caller locks.
 */
public final class RunColumns {
    /** The status byte of a deleted row. */
    public static final byte DELETED = -1;
    private static final Status[] STATUSES = Status.values();

    record Owner(String userName, String user) {
    }

    private final Dict<String> flows = new Dict<>();
    private final Dict<Owner> owners = new Dict<>();
    private final Dict<String> tagStrings = new Dict<>();
    private final Dict<List<String>> tagLists = new Dict<>();
    private final Dict<String> reasons = new Dict<>();
    private final List<String> stringIds = new ArrayList<>();

    private int size;
    private int[] flow = new int[0];
    private long[] idNum = new long[0];
    private long[] created = new long[0];
    private final LongOverflow finished = new LongOverflow();
    private final LongOverflow duration = new LongOverflow();
    private final LongOverflow heartbeat = new LongOverflow();
    private byte[] status = new byte[0];
    private int[] reason = new int[0];
    private int[] owner = new int[0];
    private int[] tags = new int[0];
    private int[] systemTags = new int[0];
    private int[] table = new int[16];

    // ranks for ordering by name, recomputed when a dictionary grows
    private int[] flowRank = new int[0];
    private int[] ownerRank = new int[0];
    private int rankedFlows = -1;
    private int rankedOwners = -1;

    public int size() {
        return size;
    }

    public int flowCount() {
        return flows.size();
    }

    // ------------------------------------------------------------------ writes

    /** Inserts or updates the run; returns its row. */
    public int upsert(Run r) {
        int row = find(r.flow(), r.id().value());
        if (row < 0) {
            row = append(r.flow(), r.id().value());
        }
        long c = r.createdAt().toEpochMilli();
        created[row] = c;
        finished.set(row, c, r.finishedAt().map(Instant::toEpochMilli).orElse(Long.MIN_VALUE));
        duration.set(row, 0, r.duration().map(Duration::toMillis).orElse(Long.MIN_VALUE));
        heartbeat.set(row, c, r.lastHeartbeat().map(Instant::toEpochMilli).orElse(Long.MIN_VALUE));
        status[row] = (byte) r.status().status().ordinal();
        reason[row] = reasons.id(r.status().reason());
        owner[row] = owners.id(new Owner(r.userName(), r.user().orElse(null)));
        tags[row] = tagList(r.tags());
        systemTags[row] = tagList(r.systemTags());
        return row;
    }

    /** The id of a list of tags, each tag string stored once however many runs carry it. */
    private int tagList(List<String> list) {
        int found = tagLists.find(list);
        if (found >= 0) {
            return found;
        }
        List<String> canonical = new ArrayList<>(list.size());
        for (String t : list) {
            canonical.add(tagStrings.get(tagStrings.id(t)));
        }
        return tagLists.id(List.copyOf(canonical));
    }

    public void delete(int row) {
        status[row] = DELETED;
    }

    private int append(String flowName, String id) {
        if (size == flow.length) {
            grow(Math.max(1024, size * 2));
        }
        int row = size++;
        flow[row] = flows.id(flowName);
        idNum[row] = numeric(id);
        if (idNum[row] < 0) {
            stringIds.add(id);
            idNum[row] = -stringIds.size();
        }
        if (size * 2 > table.length) {
            rehash(table.length * 2);
        } else {
            insert(row);
        }
        return row;
    }

    private void grow(int capacity) {
        flow = Arrays.copyOf(flow, capacity);
        idNum = Arrays.copyOf(idNum, capacity);
        created = Arrays.copyOf(created, capacity);
        finished.grow(capacity);
        duration.grow(capacity);
        heartbeat.grow(capacity);
        status = Arrays.copyOf(status, capacity);
        reason = Arrays.copyOf(reason, capacity);
        owner = Arrays.copyOf(owner, capacity);
        tags = Arrays.copyOf(tags, capacity);
        systemTags = Arrays.copyOf(systemTags, capacity);
    }

    /** A canonical number (no leading zeros, at most 18 digits), or -1. */
    private static long numeric(String id) {
        int n = id.length();
        if (n == 0 || n > 18 || (n > 1 && id.charAt(0) == '0')) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char ch = id.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    // ------------------------------------------------------------------ lookup

    private static int hash(int flowId, String id) {
        int h = flowId * 0x9E3779B1 ^ id.hashCode() * 0x85EBCA6B;
        return h ^ (h >>> 15);
    }

    private void insert(int row) {
        int mask = table.length - 1;
        int i = hash(flow[row], id(row)) & mask;
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = row + 1;
    }

    private void rehash(int capacity) {
        table = new int[capacity];
        for (int row = 0; row < size; row++) {
            insert(row);
        }
    }

    /** The row of a run, or -1. */
    public int find(String flowName, String id) {
        int f = flows.find(flowName);
        if (f < 0) {
            return -1;
        }
        int mask = table.length - 1;
        int i = hash(f, id) & mask;
        long num = numeric(id);
        while (table[i] != 0) {
            int row = table[i] - 1;
            if (flow[row] == f && (num >= 0 ? idNum[row] == num : idNum[row] < 0 && id.equals(id(row)))) {
                return row;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    // ------------------------------------------------------------------ reads

    public String id(int row) {
        long v = idNum[row];
        return v >= 0 ? Long.toString(v) : stringIds.get((int) (-v - 1));
    }

    public String flowName(int row) {
        return flows.get(flow[row]);
    }

    public int flowId(int row) {
        return flow[row];
    }

    public int flowIdOf(String name) {
        return flows.find(name);
    }

    public long created(int row) {
        return created[row];
    }

    /** Finish time in ms, or {@code Long.MIN_VALUE}. */
    public long finished(int row) {
        return finished.get(row, created[row]);
    }

    /** Duration in ms, or {@code Long.MIN_VALUE}. */
    public long duration(int row) {
        return duration.get(row, 0);
    }

    public byte status(int row) {
        return status[row];
    }

    public boolean deleted(int row) {
        return status[row] == DELETED;
    }

    /** Completed or failed: the summary will not change any more. */
    public boolean terminal(int row) {
        byte s = status[row];
        return s == Status.COMPLETED.ordinal() || s == Status.FAILED.ordinal();
    }

    public RunRef ref(int row) {
        return new RunRef(flowName(row), RunId.of(id(row)));
    }

    private int[] ownerGroup = new int[0];
    private final List<String> ownerGroupNames = new ArrayList<>();
    private int groupedOwners;

    /**
     * The group of a row as a small int: its flow id, or an id of its displayed user (owners with the
     * same displayed user share one). Call {@link #prepareGroups} after changes, under the same lock.
     */
    public int groupId(int row, RunGroups.By by) {
        return by == RunGroups.By.FLOW ? flow[row] : ownerGroup[owner[row]];
    }

    /** The number of group ids {@link #groupId} may return. */
    public int groupCount(RunGroups.By by) {
        return by == RunGroups.By.FLOW ? flows.size() : ownerGroupNames.size();
    }

    public String groupName(int id, RunGroups.By by) {
        return by == RunGroups.By.FLOW ? flows.get(id) : ownerGroupNames.get(id);
    }

    /** Makes the user groups cover every owner (cheap when no owner was added). */
    public synchronized void prepareGroups() {
        if (groupedOwners == owners.size()) {
            return;
        }
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < ownerGroupNames.size(); i++) {
            byName.put(ownerGroupNames.get(i), i);
        }
        int[] next = Arrays.copyOf(ownerGroup, owners.size());
        for (int i = groupedOwners; i < owners.size(); i++) {
            Owner o = owners.get(i);
            String display = o.user() != null ? o.user() : Objects.toString(o.userName(), "");
            Integer id = byName.get(display);
            if (id == null) {
                id = ownerGroupNames.size();
                ownerGroupNames.add(display);
                byName.put(display, id);
            }
            next[i] = id;
        }
        ownerGroup = next;
        groupedOwners = owners.size();
    }

    public Run run(int row) {
        Owner o = owners.get(owner[row]);
        long c = created[row];
        long f = finished(row);
        long d = duration(row);
        long hb = heartbeat.get(row, c);
        return new Run(ref(row), o.userName(), Optional.ofNullable(o.user()), Instant.ofEpochMilli(c),
                tagLists.get(tags[row]), tagLists.get(systemTags[row]), StatusInfo.of(STATUSES[status[row]], reasons.get(reason[row])),
                f == Long.MIN_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(f)),
                d == Long.MIN_VALUE ? Optional.empty() : Optional.of(Duration.ofMillis(d)),
                hb == Long.MIN_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(hb)));
    }

    // ------------------------------------------------------------------ filtering

    /** A compiled {@link RunQuery} filter (everything but the order). */
    public final class Filter {
        private final int flowId;
        private final boolean none;
        private final boolean[] ownerOk;
        private final long[] tagBits;
        private final long allBits;
        private final long anyBits;
        private final int statusMask;
        private final long from;
        private final long before;

        Filter(RunQuery q, long minCreated) {
            boolean nothing = false;
            int f = -1;
            if (q.flow().isPresent()) {
                f = flows.find(q.flow().get());
                nothing = f < 0;
            }
            this.flowId = f;
            if (q.users().isEmpty()) {
                ownerOk = null;
            } else {
                ownerOk = new boolean[owners.size()];
                for (int i = 0; i < ownerOk.length; i++) {
                    Owner o = owners.get(i);
                    String display = o.user() != null ? o.user() : o.userName();
                    ownerOk[i] = q.users().contains(display) || q.users().contains(o.userName());
                }
            }
            List<String> wanted = new ArrayList<>(q.tagsAll());
            wanted.addAll(q.tagsAny());
            if (wanted.isEmpty() || wanted.size() > 63) {
                tagBits = null;
                allBits = 0;
                anyBits = 0;
                nothing |= wanted.size() > 63;
            } else {
                // bit k set: the list holds the k-th tag asked for (all-tags first, then any-tags)
                tagBits = new long[tagLists.size()];
                for (int i = 0; i < tagBits.length; i++) {
                    List<String> l = tagLists.get(i);
                    long bits = 0;
                    for (int k = 0; k < wanted.size(); k++) {
                        if (l.contains(wanted.get(k))) {
                            bits |= 1L << k;
                        }
                    }
                    tagBits[i] = bits;
                }
                allBits = (1L << q.tagsAll().size()) - 1;
                anyBits = q.tagsAny().isEmpty() ? 0 : ((1L << wanted.size()) - 1) & ~allBits;
            }
            int mask = 0;
            for (Status s : q.statuses()) {
                mask |= 1 << s.ordinal();
            }
            this.statusMask = mask;
            this.from = Math.max(minCreated, q.createdFrom().map(Instant::toEpochMilli).orElse(Long.MIN_VALUE));
            this.before = q.createdBefore().map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
            this.none = nothing;
        }

        public boolean test(int row) {
            byte s = status[row];
            if (none || s == DELETED) {
                return false;
            }
            if (flowId >= 0 && flow[row] != flowId) {
                return false;
            }
            if (statusMask != 0 && (statusMask & (1 << s)) == 0) {
                return false;
            }
            long c = created[row];
            if (c < from || c >= before) {
                return false;
            }
            if (ownerOk != null && (owner[row] >= ownerOk.length || !ownerOk[owner[row]])) {
                return false;
            }
            if (tagBits == null) {
                return true;
            }
            long have = (tags[row] < tagBits.length ? tagBits[tags[row]] : 0)
                    | (systemTags[row] < tagBits.length ? tagBits[systemTags[row]] : 0);
            return (have & allBits) == allBits && (anyBits == 0 || (have & anyBits) != 0);
        }
    }

    /** The filter of a query, restricted to runs created at or after {@code minCreated}. */
    public Filter filter(RunQuery q, long minCreated) {
        return new Filter(q, minCreated);
    }

    // ------------------------------------------------------------------ ordering

    private static final String[] STATUS_WIRE_RANK;

    static {
        // status order is by wire name, as the UI backend sorts its text column
        Status[] sorted = STATUSES.clone();
        Arrays.sort(sorted, (a, b) -> a.wireName().compareTo(b.wireName()));
        STATUS_WIRE_RANK = new String[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            STATUS_WIRE_RANK[i] = sorted[i].wireName();
        }
    }

    private static int statusRank(byte s) {
        if (s < 0) {
            return Integer.MAX_VALUE;
        }
        String w = STATUSES[s].wireName();
        for (int i = 0; i < STATUS_WIRE_RANK.length; i++) {
            if (STATUS_WIRE_RANK[i].equals(w)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    /** Recomputes name ranks after new flows or owners; true when they changed. */
    public boolean refreshRanks() {
        boolean changed = false;
        if (rankedFlows != flows.size()) {
            flowRank = ranks(flows.size(), i -> flows.get(i));
            rankedFlows = flows.size();
            changed = true;
        }
        if (rankedOwners != owners.size()) {
            ownerRank = ranks(owners.size(), i -> {
                Owner o = owners.get(i);
                return o.user() != null ? o.user() : o.userName();
            });
            rankedOwners = owners.size();
            changed = true;
        }
        return changed;
    }

    private static int[] ranks(int n, java.util.function.IntFunction<String> name) {
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> name.apply(a).compareTo(name.apply(b)));
        int[] rank = new int[n];
        for (int i = 0; i < n; i++) {
            rank[idx[i]] = i;
        }
        return rank;
    }

    private int compareIds(int a, int b) {
        long x = idNum[a];
        long y = idNum[b];
        if (x >= 0 && y >= 0) {
            return Long.compare(x, y);
        }
        if (x >= 0 || y >= 0) {
            return x >= 0 ? -1 : 1; // numbers before strings, as RunId orders them
        }
        return id(a).compareTo(id(b));
    }

    /**
     * The order of a query: its sort key in its direction (absent finish times and durations last
     * either way), then newest first, then flow name, then run id (highest first). A total order.
     */
    public RowSort.Order order(RunQuery.Sort sort, SortOrder direction) {
        int sign = direction == SortOrder.ASC ? 1 : -1;
        RowSort.Order primary;
        switch (sort) {
            case FINISHED:
                primary = (a, b) -> absentLast(finished(a), finished(b), sign);
                break;
            case DURATION:
                primary = (a, b) -> absentLast(duration(a), duration(b), sign);
                break;
            case FLOW:
                primary = (a, b) -> sign * Integer.compare(flowRank[flow[a]], flowRank[flow[b]]);
                break;
            case USER:
                primary = (a, b) -> sign * Integer.compare(ownerRank[owner[a]], ownerRank[owner[b]]);
                break;
            case STATUS:
                primary = (a, b) -> sign * Integer.compare(statusRank(status[a]), statusRank(status[b]));
                break;
            case RUN:
                primary = (a, b) -> sign * compareIds(a, b);
                break;
            default:
                primary = (a, b) -> sign * Long.compare(created[a], created[b]);
        }
        return (a, b) -> {
            int c = primary.compare(a, b);
            if (c != 0) {
                return c;
            }
            c = Long.compare(created[b], created[a]);
            if (c != 0) {
                return c;
            }
            c = Integer.compare(flowRank[flow[a]], flowRank[flow[b]]);
            return c != 0 ? c : compareIds(b, a);
        };
    }

    // ------------------------------------------------------------------ fast sorting

    private static final int ROW_BITS = 21;
    private static final long KEY_LIMIT = 1L << 42;
    private int[] tieOrder;
    private int[] tieRank;
    private int tieSize = -1;

    /**
     * Sorts rows by {@link #order}: one primitive sort of {@code key << 21 | tie rank} when the key
     * fits in 42 bits (about 100 ms for a million rows), else a comparator sort.
     */
    public void sort(int[] rows, int n, RunQuery.Sort sort, SortOrder direction) {
        if (size >= (1 << ROW_BITS) || sort == RunQuery.Sort.RUN || !ties()) {
            RowSort.sort(rows, n, order(sort, direction));
            return;
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            long v = key(sort, rows[i]);
            if (v != Long.MIN_VALUE) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (max != Long.MIN_VALUE && (max - min < 0 || max - min >= KEY_LIMIT - 1)) {
            RowSort.sort(rows, n, order(sort, direction));
            return;
        }
        boolean asc = direction == SortOrder.ASC;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int row = rows[i];
            long v = key(sort, row);
            long k = v == Long.MIN_VALUE ? KEY_LIMIT - 1 : asc ? v - min : max - v;
            keys[i] = k << ROW_BITS | tieRank[row];
        }
        Arrays.sort(keys);
        long mask = (1L << ROW_BITS) - 1;
        for (int i = 0; i < n; i++) {
            rows[i] = tieOrder[(int) (keys[i] & mask)];
        }
    }

    /** The primary key of a row for a sort, {@code Long.MIN_VALUE} when absent. */
    private long key(RunQuery.Sort sort, int row) {
        switch (sort) {
            case FINISHED:
                return finished(row);
            case DURATION:
                return duration(row);
            case FLOW:
                return flowRank[flow[row]];
            case USER:
                return ownerRank[owner[row]];
            case STATUS:
                return statusRank(status[row]);
            default:
                return created[row];
        }
    }

    /** Computes the tie-break order (newest first, flow, run id) of every row when rows were added. */
    private synchronized boolean ties() {
        if (tieSize == size) {
            return true;
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int r = 0; r < size; r++) {
            min = Math.min(min, created[r]);
            max = Math.max(max, created[r]);
        }
        if (size > 0 && max - min >= KEY_LIMIT) {
            return false;
        }
        long[] keys = new long[size];
        for (int r = 0; r < size; r++) {
            keys[r] = (max - created[r]) << ROW_BITS | r;
        }
        Arrays.sort(keys);
        int[] order = new int[size];
        long mask = (1L << ROW_BITS) - 1;
        for (int i = 0; i < size; i++) {
            order[i] = (int) (keys[i] & mask);
        }
        // runs created in the same millisecond: by flow, then run id, highest first
        RowSort.Order tie = (a, b) -> {
            int c = Integer.compare(flowRank[flow[a]], flowRank[flow[b]]);
            return c != 0 ? c : compareIds(b, a);
        };
        int i = 0;
        while (i < size) {
            int j = i + 1;
            while (j < size && created[order[j]] == created[order[i]]) {
                j++;
            }
            if (j - i > 1) {
                int[] group = Arrays.copyOfRange(order, i, j);
                RowSort.sort(group, group.length, tie);
                System.arraycopy(group, 0, order, i, group.length);
            }
            i = j;
        }
        int[] rank = new int[size];
        for (int k = 0; k < size; k++) {
            rank[order[k]] = k;
        }
        tieOrder = order;
        tieRank = rank;
        tieSize = size;
        return true;
    }

    /** Forgets the tie-break order (after name ranks changed). */
    public synchronized void resetTies() {
        tieSize = -1;
    }

    private static int absentLast(long x, long y, int sign) {
        if (x == Long.MIN_VALUE || y == Long.MIN_VALUE) {
            return x == y ? 0 : x == Long.MIN_VALUE ? 1 : -1;
        }
        return sign * Long.compare(x, y);
    }

    /** Rough heap use. */
    public long bytes() {
        long perRow = 4 + 8 + 8 + 1 + 4 + 4 + 4 + 4;
        return flow.length * perRow + finished.bytes() + duration.bytes() + heartbeat.bytes() + table.length * 4L
                + stringIds.size() * 64L + (long) (reasons.size() + owners.size() + tagLists.size() + tagStrings.size()) * 120;
    }

    @Override
    public String toString() {
        return "RunColumns[" + size + " rows, " + flows.size() + " flows]";
    }
}

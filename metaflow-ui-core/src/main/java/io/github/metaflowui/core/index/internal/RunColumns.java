package io.github.metaflowui.core.index.internal;

import io.github.metaflowui.core.Run;
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
import java.util.List;
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

    record Tags(List<String> tags, List<String> systemTags) {
    }

    private final Dict<String> flows = new Dict<>();
    private final Dict<Owner> owners = new Dict<>();
    private final Dict<Tags> tagSets = new Dict<>();
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
        tags[row] = tagSets.id(new Tags(r.tags(), r.systemTags()));
        return row;
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

    public Run run(int row) {
        Owner o = owners.get(owner[row]);
        Tags t = tagSets.get(tags[row]);
        long c = created[row];
        long f = finished(row);
        long d = duration(row);
        long hb = heartbeat.get(row, c);
        return new Run(ref(row), o.userName(), Optional.ofNullable(o.user()), Instant.ofEpochMilli(c), t.tags(),
                t.systemTags(), StatusInfo.of(STATUSES[status[row]], reasons.get(reason[row])),
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
        private final boolean[] tagsOk;
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
            if (q.tagsAll().isEmpty() && q.tagsAny().isEmpty()) {
                tagsOk = null;
            } else {
                tagsOk = new boolean[tagSets.size()];
                for (int i = 0; i < tagsOk.length; i++) {
                    Tags t = tagSets.get(i);
                    boolean all = q.tagsAll().stream().allMatch(x -> t.tags().contains(x) || t.systemTags().contains(x));
                    boolean any = q.tagsAny().isEmpty()
                            || q.tagsAny().stream().anyMatch(x -> t.tags().contains(x) || t.systemTags().contains(x));
                    tagsOk[i] = all && any;
                }
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
            return tagsOk == null || (tags[row] < tagsOk.length && tagsOk[tags[row]]);
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

    private static int absentLast(long x, long y, int sign) {
        if (x == Long.MIN_VALUE || y == Long.MIN_VALUE) {
            return x == y ? 0 : x == Long.MIN_VALUE ? 1 : -1;
        }
        return sign * Long.compare(x, y);
    }

    /** Rough heap use. */
    public long bytes() {
        long perRow = 4 + 8 + 8 + 1 + 4 + 4 + 4;
        return flow.length * perRow + finished.bytes() + duration.bytes() + heartbeat.bytes() + table.length * 4L
                + stringIds.size() * 64L + (long) (reasons.size() + owners.size() + tagSets.size()) * 160;
    }

    @Override
    public String toString() {
        return "RunColumns[" + size + " rows, " + flows.size() + " flows]";
    }
}

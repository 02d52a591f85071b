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
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * The diff engine: a pure function of two snapshots that returns what changed. Entities that are
 * the same (by {@code equals}, or by the {@linkplain #withEquivalence equivalence} given) yield
 * nothing; an entity whose status differs yields {@link Change.StatusChanged} (even if other fields
 * changed too); any other difference yields {@link Change.Updated}; keys only in the newer snapshot
 * yield {@link Change.Added}, keys only in the older one {@link Change.Removed}. There is at most one
 * change per key, and the changes are in a stable order: by key, with the differ's key order.
 *
 * <p>Cost: a walk of both snapshots in step (a hash lookup only where their orders part) and, per
 * entity, a comparison of two fingerprints when both snapshots are {@linkplain Snapshot#isFingerprinted
 * fingerprinted} with the same {@link Fingerprint} (else of the two entities with the equivalence,
 * none when both hold the same instance), plus sorting the changes. Trusting equal fingerprints is
 * probabilistic: two different contents share a 64-bit fingerprint with a probability of about
 * 2<sup>-64</sup> per pair, and that change would go unseen; {@link #exact()} never trusts them. See
 * {@code BENCHMARKS.md} for 100,000-entity snapshots. Immutable and thread-safe.
 */
public final class Differ<T> {
    /**
     * Orders pathspecs ({@code Flow/Run/Step/Task}) segment by segment; within a segment, ids made of
     * digits come first, by numeric value ({@code 9} before {@code 10}, without parsing), then other
     * text, lexically. Consistent with {@code equals}.
     */
    public static final Comparator<String> PATHSPEC_ORDER = Differ::comparePathspecs;

    private final Function<? super T, StatusInfo> status;
    private final Comparator<String> keyOrder;
    private final BiPredicate<? super T, ? super T> same;
    private final boolean exact;

    private Differ(Function<? super T, StatusInfo> status, Comparator<String> keyOrder,
                   BiPredicate<? super T, ? super T> same, boolean exact) {
        this.status = Objects.requireNonNull(status, "status");
        this.keyOrder = Objects.requireNonNull(keyOrder, "keyOrder");
        this.same = Objects.requireNonNull(same, "same");
        this.exact = exact;
    }

    /** A differ for entities whose status is given by {@code status}; changes ordered by {@link #PATHSPEC_ORDER}. */
    public static <T> Differ<T> of(Function<? super T, StatusInfo> status) {
        return new Differ<>(status, PATHSPEC_ORDER, Objects::equals, false);
    }

    /** A differ whose changes are ordered by {@code keyOrder}. */
    public static <T> Differ<T> of(Function<? super T, StatusInfo> status, Comparator<String> keyOrder) {
        return new Differ<>(status, keyOrder, Objects::equals, false);
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

    /**
     * The same differ, but two entities under one key for which {@code same} is true yield no change
     * (e.g. to ignore a running object's duration, which grows with every poll). {@code same} must be
     * reflexive; {@code apply(a, diff(a, b))} then equals {@code b} up to {@code same}.
     */
    public Differ<T> withEquivalence(BiPredicate<? super T, ? super T> same) {
        return new Differ<>(status, keyOrder, same, exact);
    }

    /** The same differ with changes ordered by {@code keyOrder}. */
    public Differ<T> withKeyOrder(Comparator<String> keyOrder) {
        return new Differ<>(status, keyOrder, same, exact);
    }

    /**
     * The same differ, but never trusting fingerprints: every entity present in both snapshots (and
     * not the same instance) is compared with the equivalence. Slower on large fingerprinted
     * snapshots (see {@code BENCHMARKS.md}); exact whatever the fingerprints.
     */
    public Differ<T> exact() {
        return exact ? this : new Differ<>(status, keyOrder, same, true);
    }

    /** Whether this differ ignores fingerprints ({@link #exact()}). */
    public boolean isExact() {
        return exact;
    }

    /**
     * What changed from {@code before} to {@code after}.
     *
     * <p>Both snapshots are walked in step (two polls of one resource usually list the same keys in
     * the same order); a key is looked up in the hash index only where the orders part. For each
     * entity under a key in both: the same instance is unchanged; else, unless this differ is
     * {@linkplain #exact() exact}, when both snapshots carry fingerprints of the same
     * {@link Fingerprint}, equal fingerprints mean unchanged and different ones mean the entity
     * changed, and only then is the equivalence applied (to every difference, so what it hides
     * stays hidden, and to tell a status change from an update). Equal fingerprints of different
     * contents (a collision, probability about 2<sup>-64</sup> per pair for honest content) would
     * hide that entity's change from this diff; an exact differ compares every pair with the
     * equivalence.
     */
    public List<Change<T>> diff(Snapshot<T> before, Snapshot<T> after) {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        if (before == after) {
            return List.of();
        }
        List<Change<T>> changes = new ArrayList<>();
        int n = before.size();
        int m = after.size();
        long[] fpBefore = null;
        long[] fpAfter = null;
        if (!exact && before.fingerprint() != null && before.fingerprint() == after.fingerprint()) {
            fpBefore = before.fingerprints();
            fpAfter = after.fingerprints();
        }
        long[] matched = new long[(n + 63) >>> 6];
        int found = 0;
        int j = 0; // where "before" is expected to go on
        for (int i = 0; i < m; i++) {
            String key = after.keyAt(i);
            int hash = after.hashAt(i);
            int p;
            if (j < n && before.hashAt(j) == hash && key.equals(before.keyAt(j))) {
                p = j;
            } else {
                p = before.indexOf(key, hash); // added, removed before it, or out of order
            }
            T cur = after.valueAt(i);
            if (p < 0) {
                changes.add(new Change.Added<>(key, cur));
                continue;
            }
            matched[p >>> 6] |= 1L << p;
            found++;
            if (p >= j) {
                j = p + 1;
            }
            T prev = before.valueAt(p);
            if (prev == cur || fpBefore != null && fpBefore[p] == fpAfter[i] || same.test(prev, cur)) {
                continue;
            }
            StatusInfo from = status.apply(prev);
            StatusInfo to = status.apply(cur);
            if (from.status() != to.status()) {
                changes.add(new Change.StatusChanged<>(key, prev, cur, from, to));
            } else {
                changes.add(new Change.Updated<>(key, prev, cur));
            }
        }
        if (found < n) { // every "before" key not found in "after" is gone
            for (int p = 0; p < n; p++) {
                if ((matched[p >>> 6] & 1L << p) == 0) {
                    changes.add(new Change.Removed<>(before.keyAt(p), before.valueAt(p)));
                }
            }
        }
        if (changes.size() > 1) {
            changes.sort((a, b) -> keyOrder.compare(a.key(), b.key()));
        }
        return changes;
    }

    /**
     * Applies changes to a snapshot: {@code apply(a, diff(a, b))} equals {@code b} as a keyed set
     * (entities present and equal); the order is {@code a}'s, with additions at the end. The result
     * is fingerprinted like {@code before}.
     */
    public static <T> Snapshot<T> apply(Snapshot<T> before, List<? extends Change<T>> changes) {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(changes, "changes");
        Map<String, T> m = new LinkedHashMap<>(before.asMap());
        for (Change<T> c : changes) {
            if (c instanceof Change.Removed<T> r) {
                m.remove(r.key());
            } else {
                m.put(c.key(), c.entity());
            }
        }
        Snapshot.Builder<T> b = Snapshot.builder(before.fingerprint());
        m.forEach(b::add);
        return b.build();
    }

    // ---------------------------------------------------------------- pathspec order

    static int comparePathspecs(String a, String b) {
        int i = 0;
        int j = 0;
        int la = a.length();
        int lb = b.length();
        while (i <= la && j <= lb) {
            int ie = a.indexOf('/', i);
            int je = b.indexOf('/', j);
            ie = ie < 0 ? la : ie;
            je = je < 0 ? lb : je;
            int c = compareSegments(a, i, ie, b, j, je);
            if (c != 0) {
                return c;
            }
            i = ie + 1;
            j = je + 1;
        }
        if (i <= la) {
            return 1; // b ran out of segments first
        }
        if (j <= lb) {
            return -1;
        }
        return 0;
    }

    private static int compareSegments(String a, int as, int ae, String b, int bs, int be) {
        boolean da = digits(a, as, ae);
        boolean db = digits(b, bs, be);
        if (da != db) {
            return da ? -1 : 1;
        }
        if (da) {
            int za = skipZeros(a, as, ae);
            int zb = skipZeros(b, bs, be);
            int c = Integer.compare(ae - za, be - zb);
            if (c != 0) {
                return c;
            }
            c = compareChars(a, za, ae, b, zb, be);
            if (c != 0) {
                return c;
            }
            // the same number spelled differently ("007", "7"): by text, to stay consistent with equals
        }
        return compareChars(a, as, ae, b, bs, be);
    }

    private static boolean digits(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int k = from; k < to; k++) {
            char ch = s.charAt(k);
            if (ch < '0' || ch > '9') {
                return false;
            }
        }
        return true;
    }

    private static int skipZeros(String s, int from, int to) {
        while (from < to - 1 && s.charAt(from) == '0') {
            from++;
        }
        return from;
    }

    private static int compareChars(String a, int as, int ae, String b, int bs, int be) {
        int n = Math.min(ae - as, be - bs);
        for (int k = 0; k < n; k++) {
            char ca = a.charAt(as + k);
            char cb = b.charAt(bs + k);
            if (ca != cb) {
                return ca - cb;
            }
        }
        return (ae - as) - (be - bs);
    }
}

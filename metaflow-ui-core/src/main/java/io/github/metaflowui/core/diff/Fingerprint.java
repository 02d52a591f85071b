package io.github.metaflowui.core.diff;

import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.StepRef;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskRef;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A 64-bit digest of an entity's content, computed once when a {@link Snapshot} is built (while a
 * poll's freshly decoded objects are still in the processor's cache) so that a {@link Differ} can
 * tell unchanged entities apart by comparing two {@code long}s instead of two object graphs.
 *
 * <p>A fingerprint must be <b>deterministic on content</b>: entities that are {@code equals} have
 * equal fingerprints, however they were built. It should read every field that {@code equals}
 * reads (nested ones included), so that any change changes the fingerprint. Use a {@link Hasher}:
 * it mixes every field into 64 bits (an xxHash64-style round per 8 bytes and a final avalanche), so
 * two different contents share a fingerprint with a probability of about 2<sup>-64</sup>. It is
 * <em>not</em> a cryptographic hash: whoever writes the content (e.g. a run's tags) could craft a
 * collision. Fingerprints are only meaningful within one JVM (enum constants are mixed by ordinal);
 * never store them.
 *
 * @param <T> the entity type
 */
@FunctionalInterface
public interface Fingerprint<T> {

    /** The fingerprint of {@code entity} (not null). */
    long of(T entity);

    /** Every field of a {@link Run}. */
    static Fingerprint<Run> runs() {
        return StandardFingerprints.RUN;
    }

    /** Every field of a {@link Task}, each attempt included. */
    static Fingerprint<Task> tasks() {
        return StandardFingerprints.TASK;
    }

    /** Every field of a {@link Step}, its counts included. */
    static Fingerprint<Step> steps() {
        return StandardFingerprints.STEP;
    }

    /** A new hasher, to write a fingerprint for another entity type. */
    static Hasher hasher() {
        return new Hasher();
    }

    /**
     * Mixes fields into 64 bits. Every value is written with what tells it apart from its
     * neighbours (a string's length, whether an optional is present, a list's size), so
     * {@code ("ab", "c")} and {@code ("a", "bc")} hash differently. Not thread-safe; cheap to make
     * (one per entity).
     */
    final class Hasher {
        private static final long P1 = 0x9E3779B185EBCA87L;
        private static final long P2 = 0xC2B2AE3D27D4EB4FL;
        private static final long P3 = 0x165667B19E3779F9L;
        private static final long P4 = 0x85EBCA77C2B2AE63L;

        private long h = 0x27D4EB2F165667C5L;
        private long length;

        Hasher() {
        }

        /** Mixes 64 bits. */
        public Hasher add(long v) {
            // xxHash64's round for the last bytes: for a fixed state a different value gives a
            // different state, and for a fixed value a different state does, so two contents that
            // differ in one value never share a fingerprint
            h = Long.rotateLeft(h ^ Long.rotateLeft(v * P2, 31) * P1, 27) * P1 + P4;
            length++;
            return this;
        }

        public Hasher add(int v) {
            return add((long) v);
        }

        public Hasher add(boolean v) {
            return add(v ? 1L : 0L);
        }

        /** An enum constant, by ordinal (so only within one JVM); null allowed. */
        public Hasher add(Enum<?> e) {
            return add(e == null ? -1L : e.ordinal());
        }

        /** A string's length and every char, four chars per round; null allowed. */
        public Hasher add(String s) {
            if (s == null) {
                return add(-1L);
            }
            int n = s.length();
            add(n);
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                add(s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
                        | (long) s.charAt(i + 3) << 48);
            }
            if (i < n) {
                long w = 0;
                for (int k = 0; i < n; i++, k += 16) {
                    w |= (long) s.charAt(i) << k;
                }
                add(w);
            }
            return this;
        }

        public Hasher add(Instant t) {
            return t == null ? add(-1L) : add(t.getEpochSecond()).add(t.getNano());
        }

        public Hasher add(Duration d) {
            return d == null ? add(-1L) : add(d.getSeconds()).add(d.getNano());
        }

        /** Whether it is present, then the value ({@link String}, {@link Instant}, {@link Duration}, ...). */
        public Hasher add(Optional<?> o) {
            if (o.isEmpty()) {
                return add(0L);
            }
            add(1L);
            return addValue(o.get());
        }

        /** The size, then every element. */
        public Hasher add(List<?> list) {
            add(list.size());
            for (Object o : list) {
                addValue(o);
            }
            return this;
        }

        public Hasher add(StatusInfo s) {
            return add(s.status()).add(s.reason());
        }

        public Hasher add(RunRef r) {
            return add(r.flow()).add(r.run().value());
        }

        public Hasher add(StepRef s) {
            return add(s.run()).add(s.step());
        }

        public Hasher add(TaskRef t) {
            return add(t.step()).add(t.task().value());
        }

        /**
         * A value of one of the types above; any other type by its {@code hashCode} (32 bits only:
         * write a type's fields one by one where that matters).
         */
        public Hasher addValue(Object v) {
            if (v instanceof String s) {
                return add(s);
            } else if (v instanceof Instant t) {
                return add(t);
            } else if (v instanceof Duration d) {
                return add(d);
            } else if (v instanceof Long l) {
                return add(l.longValue());
            } else if (v instanceof Integer i) {
                return add(i.intValue());
            } else if (v instanceof Boolean b) {
                return add(b.booleanValue());
            } else if (v instanceof Enum<?> e) {
                return add(e);
            } else if (v instanceof StatusInfo s) {
                return add(s);
            } else if (v instanceof Optional<?> o) {
                return add(o);
            } else if (v instanceof List<?> l) {
                return add(l);
            }
            return add(v == null ? -1L : v.hashCode());
        }

        /** The fingerprint: everything mixed so far, avalanched (every input bit moves every output bit). */
        public long finish() {
            long x = h ^ length * P3;
            x ^= x >>> 33;
            x *= P2;
            x ^= x >>> 29;
            x *= P3;
            x ^= x >>> 32;
            return x;
        }
    }
}

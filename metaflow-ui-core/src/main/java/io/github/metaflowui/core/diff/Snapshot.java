package io.github.metaflowui.core.diff;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * An immutable, keyed view of a resource at one moment, in the order it was given. Keys are unique;
 * a duplicate key is an error (two entities claiming the same pathspec).
 *
 * <p>Entries are stored flat (keys and entities in arrays, in order, with an open-addressing hash
 * index), so a {@link Differ} can walk two snapshots in step. A snapshot built with a
 * {@link Fingerprint} ({@link #of(Iterable, Function, Fingerprint)}, {@link #builder(Fingerprint)})
 * also keeps each entity's 64-bit fingerprint, computed as the entity is added: build it while a
 * poll is decoded and the fingerprints cost little, and a later diff compares two {@code long}s per
 * entity instead of two object graphs. Fingerprints take no part in {@link #equals}.
 */
public final class Snapshot<T> {
    private static final Snapshot<?> EMPTY = new Builder<>(null).build();

    private final String[] keys;
    private final Object[] values;
    private final int[] hashes;
    private final long[] fingerprints;
    private final Fingerprint<? super T> fingerprint;
    private final int[] table; // index + 1 of the entry in each slot, 0 for a free slot
    private Map<String, T> map; // a stateless view, made on first use

    private Snapshot(String[] keys, Object[] values, int[] hashes, long[] fingerprints,
                     Fingerprint<? super T> fingerprint, int[] table) {
        this.keys = keys;
        this.values = values;
        this.hashes = hashes;
        this.fingerprints = fingerprints;
        this.fingerprint = fingerprint;
        this.table = table;
    }

    @SuppressWarnings("unchecked")
    public static <T> Snapshot<T> empty() {
        return (Snapshot<T>) EMPTY;
    }

    /** Keys every entity with {@code key}; no fingerprints (a differ compares such snapshots with {@code equals}). */
    public static <T> Snapshot<T> of(Iterable<? extends T> entities, Function<? super T, String> key) {
        return of(entities, key, null);
    }

    /**
     * Keys every entity with {@code key} and fingerprints it with {@code fingerprint} (or none when
     * null). Two snapshots are compared by fingerprint only when both were built with the same
     * {@code Fingerprint} instance.
     */
    public static <T> Snapshot<T> of(Iterable<? extends T> entities, Function<? super T, String> key,
                                     Fingerprint<? super T> fingerprint) {
        Objects.requireNonNull(entities, "entities");
        Objects.requireNonNull(key, "key");
        Builder<T> b = new Builder<>(fingerprint);
        for (T e : entities) {
            b.add(key.apply(Objects.requireNonNull(e, "entity")), e);
        }
        return b.build();
    }

    /** Wraps a map as it is (copied, insertion order kept); no key or entity may be null. No fingerprints. */
    public static <T> Snapshot<T> ofMap(Map<String, ? extends T> entities) {
        Builder<T> b = new Builder<>(null);
        for (Map.Entry<String, ? extends T> e : entities.entrySet()) {
            b.add(e.getKey(), e.getValue());
        }
        return b.build();
    }

    /** One entity under one key. */
    public static <T> Snapshot<T> of(String key, T entity) {
        return new Builder<T>(null).add(key, entity).build();
    }

    /** A builder of a snapshot without fingerprints. */
    public static <T> Builder<T> builder() {
        return new Builder<>(null);
    }

    /** A builder that fingerprints each entity as it is added (none when {@code fingerprint} is null). */
    public static <T> Builder<T> builder(Fingerprint<? super T> fingerprint) {
        return new Builder<>(fingerprint);
    }

    public boolean isEmpty() {
        return keys.length == 0;
    }

    /** Whether it holds a fingerprint of every entity. */
    public boolean isFingerprinted() {
        return fingerprint != null;
    }

    /** The keys, in the snapshot's order. */
    public Set<String> keys() {
        return asMap().keySet();
    }

    public Optional<T> get(String key) {
        int i = indexOf(Objects.requireNonNull(key, "key"));
        return i < 0 ? Optional.empty() : Optional.of(valueAt(i));
    }

    public boolean contains(String key) {
        return key != null && indexOf(key) >= 0;
    }

    public int size() {
        return keys.length;
    }

    /** The entities, in the snapshot's order. */
    @SuppressWarnings("unchecked")
    public Collection<T> values() {
        return Collections.unmodifiableList((java.util.List<T>) Arrays.asList(values));
    }

    /** An unmodifiable map view, in the snapshot's order. */
    public Map<String, T> asMap() {
        Map<String, T> m = map;
        if (m == null) {
            m = new View();
            map = m;
        }
        return m;
    }

    /** Equal when both hold the same keys with equal entities (order and fingerprints aside). */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Snapshot<?> s) || s.size() != size()) {
            return false;
        }
        for (int i = 0; i < keys.length; i++) {
            int j = s.indexOf(keys[i], hashes[i]);
            if (j < 0 || !values[i].equals(s.values[j])) {
                return false;
            }
        }
        return true;
    }

    /** As a {@link Map}'s. */
    @Override
    public int hashCode() {
        int h = 0;
        for (int i = 0; i < keys.length; i++) {
            h += hashes[i] ^ values[i].hashCode();
        }
        return h;
    }

    @Override
    public String toString() {
        return "Snapshot[" + keys.length + " entities" + (fingerprint != null ? ", fingerprinted" : "") + "]";
    }

    // ---------------------------------------------------------------- for the differ

    String keyAt(int i) {
        return keys[i];
    }

    int hashAt(int i) {
        return hashes[i];
    }

    @SuppressWarnings("unchecked")
    T valueAt(int i) {
        return (T) values[i];
    }

    /** The fingerprint function, or null. */
    Fingerprint<? super T> fingerprint() {
        return fingerprint;
    }

    /** The fingerprints, by index; null when there are none. */
    long[] fingerprints() {
        return fingerprints;
    }

    /** The index of {@code key}, or -1. */
    int indexOf(String key) {
        return indexOf(key, key.hashCode());
    }

    int indexOf(String key, int hash) {
        int mask = table.length - 1;
        for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
            int i = table[slot] - 1;
            if (i < 0) {
                return -1;
            }
            if (hashes[i] == hash && key.equals(keys[i])) {
                return i;
            }
        }
    }

    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    // ---------------------------------------------------------------- building

    /**
     * Adds entities in order, fingerprinting each as it comes (so that, fed while a poll is decoded,
     * the fingerprint reads objects that are still in the cache). Not thread-safe; one use.
     */
    public static final class Builder<T> {
        private final Fingerprint<? super T> fingerprint;
        private String[] keys = new String[16];
        private Object[] values = new Object[16];
        private long[] fingerprints;
        private int size;
        private boolean built;

        private Builder(Fingerprint<? super T> fingerprint) {
            this.fingerprint = fingerprint;
            this.fingerprints = fingerprint != null ? new long[16] : null;
        }

        /** Adds one entity under its key; a key given twice fails {@link #build()}. */
        public Builder<T> add(String key, T entity) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(entity, "entity");
            if (built) {
                throw new IllegalStateException("the snapshot is built");
            }
            if (size == keys.length) {
                int n = size * 2;
                keys = Arrays.copyOf(keys, n);
                values = Arrays.copyOf(values, n);
                if (fingerprints != null) {
                    fingerprints = Arrays.copyOf(fingerprints, n);
                }
            }
            keys[size] = key;
            values[size] = entity;
            if (fingerprints != null) {
                fingerprints[size] = fingerprint.of(entity);
            }
            size++;
            return this;
        }

        /** @throws IllegalArgumentException when two entities have one key */
        public Snapshot<T> build() {
            if (built) {
                throw new IllegalStateException("the snapshot is built");
            }
            built = true;
            String[] k = Arrays.copyOf(keys, size);
            Object[] v = Arrays.copyOf(values, size);
            long[] f = fingerprints == null ? null : Arrays.copyOf(fingerprints, size);
            int[] hashes = new int[size];
            int cap = Integer.highestOneBit(Math.max(2, size) * 2 - 1) << 1; // >= 2 * size, a power of two
            int[] table = new int[cap];
            int mask = cap - 1;
            for (int i = 0; i < size; i++) {
                int h = k[i].hashCode();
                hashes[i] = h;
                int slot = spread(h) & mask;
                while (table[slot] != 0) {
                    int j = table[slot] - 1;
                    if (hashes[j] == h && k[j].equals(k[i])) {
                        throw new IllegalArgumentException("two entities have the key '" + k[i] + "'");
                    }
                    slot = (slot + 1) & mask;
                }
                table[slot] = i + 1;
            }
            keys = null;
            values = null;
            fingerprints = null;
            return new Snapshot<>(k, v, hashes, f, fingerprint, table);
        }
    }

    // ---------------------------------------------------------------- map view

    private final class View extends AbstractMap<String, T> {
        private Set<Entry<String, T>> entries;
        private Set<String> keySet;

        @Override
        public int size() {
            return keys.length;
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String s && indexOf(s) >= 0;
        }

        @Override
        public T get(Object key) {
            int i = key instanceof String s ? indexOf(s) : -1;
            return i < 0 ? null : valueAt(i);
        }

        @Override
        public Set<String> keySet() {
            Set<String> s = keySet;
            if (s == null) {
                s = new AbstractSet<>() {
                    @Override
                    public Iterator<String> iterator() {
                        return new Walk<>() {
                            @Override
                            String at(int i) {
                                return keys[i];
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return keys.length;
                    }

                    @Override
                    public boolean contains(Object o) {
                        return containsKey(o);
                    }
                };
                keySet = s;
            }
            return s;
        }

        @Override
        public Collection<T> values() {
            return Snapshot.this.values();
        }

        @Override
        public Set<Entry<String, T>> entrySet() {
            Set<Entry<String, T>> s = entries;
            if (s == null) {
                s = new AbstractSet<>() {
                    @Override
                    public Iterator<Entry<String, T>> iterator() {
                        return new Walk<>() {
                            @Override
                            Entry<String, T> at(int i) {
                                return new SimpleImmutableEntry<>(keys[i], valueAt(i));
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return keys.length;
                    }
                };
                entries = s;
            }
            return s;
        }

        @Override
        public int hashCode() {
            return Snapshot.this.hashCode();
        }
    }

    /** Iterates indices 0..size-1 in order, read-only. */
    private abstract class Walk<E> implements Iterator<E> {
        private int next;

        abstract E at(int i);

        @Override
        public boolean hasNext() {
            return next < keys.length;
        }

        @Override
        public E next() {
            if (next >= keys.length) {
                throw new NoSuchElementException();
            }
            return at(next++);
        }
    }
}

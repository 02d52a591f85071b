package io.github.metaflowui.core.diff;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * An immutable, keyed view of a resource at one moment, in the order it was given. Keys are unique;
 * a duplicate key is an error (two entities claiming the same pathspec).
 */
public final class Snapshot<T> {
    private static final Snapshot<?> EMPTY = new Snapshot<>(Map.of());

    private final Map<String, T> byKey;

    private Snapshot(Map<String, T> byKey) {
        this.byKey = byKey;
    }

    @SuppressWarnings("unchecked")
    public static <T> Snapshot<T> empty() {
        return (Snapshot<T>) EMPTY;
    }

    /** Keys every entity with {@code key}. */
    public static <T> Snapshot<T> of(Iterable<? extends T> entities, Function<? super T, String> key) {
        Objects.requireNonNull(entities, "entities");
        Objects.requireNonNull(key, "key");
        LinkedHashMap<String, T> m = new LinkedHashMap<>();
        for (T e : entities) {
            String k = Objects.requireNonNull(key.apply(Objects.requireNonNull(e, "entity")), "key");
            if (m.putIfAbsent(k, e) != null) {
                throw new IllegalArgumentException("two entities have the key '" + k + "'");
            }
        }
        return new Snapshot<>(Collections.unmodifiableMap(m));
    }

    /** Wraps a map as it is (copied, insertion order kept); no key or entity may be null. */
    public static <T> Snapshot<T> ofMap(Map<String, ? extends T> entities) {
        LinkedHashMap<String, T> m = new LinkedHashMap<>(entities);
        for (Map.Entry<String, T> e : m.entrySet()) {
            Objects.requireNonNull(e.getKey(), "key");
            Objects.requireNonNull(e.getValue(), "entity");
        }
        return new Snapshot<>(Collections.unmodifiableMap(m));
    }

    /** One entity under one key. */
    public static <T> Snapshot<T> of(String key, T entity) {
        return new Snapshot<>(Map.of(Objects.requireNonNull(key, "key"), Objects.requireNonNull(entity, "entity")));
    }

    public boolean isEmpty() {
        return byKey.isEmpty();
    }

    /** The keys, in the snapshot's order. */
    public java.util.Set<String> keys() {
        return byKey.keySet();
    }

    public Optional<T> get(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    public boolean contains(String key) {
        return byKey.containsKey(key);
    }

    public int size() {
        return byKey.size();
    }

    public Collection<T> values() {
        return byKey.values();
    }

    public Map<String, T> asMap() {
        return byKey;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot<?> s && byKey.equals(s.byKey);
    }

    @Override
    public int hashCode() {
        return byKey.hashCode();
    }

    @Override
    public String toString() {
        return "Snapshot[" + byKey.size() + " entities]";
    }
}

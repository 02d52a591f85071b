package io.github.metaflowui.client.local.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * A small thread-safe least-recently-used cache bounded by entry count and by a total weight
 * (e.g. characters held). An entry heavier than the whole budget is not kept.
 */
public final class LruCache<K, V> {
    private final int maxEntries;
    private final long maxWeight;
    private final ToLongFunction<V> weigher;
    private final LinkedHashMap<K, V> map = new LinkedHashMap<>(16, 0.75f, true);
    private long weight;

    public LruCache(int maxEntries) {
        this(maxEntries, Long.MAX_VALUE, v -> 0);
    }

    public LruCache(int maxEntries, long maxWeight, ToLongFunction<V> weigher) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1");
        }
        this.maxEntries = maxEntries;
        this.maxWeight = maxWeight;
        this.weigher = weigher;
    }

    public synchronized Optional<V> get(K key) {
        return Optional.ofNullable(map.get(key));
    }

    public synchronized void put(K key, V value) {
        long w = weigher.applyAsLong(value);
        if (w > maxWeight) {
            V old = map.remove(key);
            if (old != null) {
                weight -= weigher.applyAsLong(old);
            }
            return;
        }
        V old = map.put(key, value);
        if (old != null) {
            weight -= weigher.applyAsLong(old);
        }
        weight += w;
        Iterator<Map.Entry<K, V>> it = map.entrySet().iterator();
        while ((map.size() > maxEntries || weight > maxWeight) && it.hasNext()) {
            Map.Entry<K, V> eldest = it.next();
            if (eldest.getKey().equals(key)) {
                continue;
            }
            weight -= weigher.applyAsLong(eldest.getValue());
            it.remove();
        }
    }

    public synchronized void remove(K key) {
        V old = map.remove(key);
        if (old != null) {
            weight -= weigher.applyAsLong(old);
        }
    }

    public synchronized int size() {
        return map.size();
    }
}

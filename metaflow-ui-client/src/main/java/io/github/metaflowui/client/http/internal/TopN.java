package io.github.metaflowui.client.http.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Keeps the first {@code capacity} elements of a stream in comparator order, in bounded memory
 * (a heap of at most {@code capacity} elements), so that a page of a huge unordered list can be
 * selected while the list streams past.
 */
public final class TopN<T> {
    private final Comparator<? super T> order;
    private final int capacity;
    private final PriorityQueue<T> heap;
    private boolean overflowed;
    private long seen;

    public TopN(Comparator<? super T> order, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.order = order;
        this.capacity = capacity;
        this.heap = new PriorityQueue<>(Math.min(capacity, 1024) + 1, order.reversed());
    }

    public void offer(T element) {
        seen++;
        if (heap.size() < capacity) {
            heap.add(element);
            return;
        }
        overflowed = true;
        if (order.compare(element, heap.peek()) < 0) {
            heap.poll();
            heap.add(element);
        }
    }

    /** Whether some offered element did not fit (so more exist beyond {@link #sorted()}). */
    public boolean overflowed() {
        return overflowed;
    }

    /** How many elements were offered. */
    public long seen() {
        return seen;
    }

    /** The kept elements in order. */
    public List<T> sorted() {
        List<T> out = new ArrayList<>(heap);
        out.sort(order);
        return out;
    }
}

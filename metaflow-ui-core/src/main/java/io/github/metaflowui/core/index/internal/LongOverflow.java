package io.github.metaflowui.core.index.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * An optional {@code long} per row stored as an {@code int} offset from a base column (4 bytes
 * instead of 8, and no boxing); the rare values that do not fit go to a side map.
 */
final class LongOverflow {
    static final int ABSENT = Integer.MIN_VALUE;
    private static final int SPILLED = Integer.MAX_VALUE;

    private int[] deltas = new int[0];
    private final Map<Integer, Long> spilled = new HashMap<>();

    void grow(int capacity) {
        int[] d = new int[capacity];
        System.arraycopy(deltas, 0, d, 0, deltas.length);
        deltas = d;
    }

    /** Stores {@code value} (or {@code Long.MIN_VALUE} for absent) for a row whose base is {@code base}. */
    void set(int row, long base, long value) {
        spilled.remove(row);
        if (value == Long.MIN_VALUE) {
            deltas[row] = ABSENT;
            return;
        }
        long d = value - base;
        if (d > Integer.MIN_VALUE && d < Integer.MAX_VALUE) {
            deltas[row] = (int) d;
        } else {
            deltas[row] = SPILLED;
            spilled.put(row, value);
        }
    }

    /** The value, or {@code Long.MIN_VALUE} when absent. */
    long get(int row, long base) {
        int d = deltas[row];
        if (d == ABSENT) {
            return Long.MIN_VALUE;
        }
        if (d == SPILLED) {
            return spilled.get(row);
        }
        return base + d;
    }

    long bytes() {
        return deltas.length * 4L + spilled.size() * 48L;
    }
}

package io.github.metaflowui.core.index.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The ids of a column store's rows (runs, tasks): a canonical number (no leading zero, at most 18
 * digits, as most ids are) is kept as itself, any other id as a string, its row holding minus its
 * index among the strings. Numbers order before strings. Not thread-safe: the owner locks.
 */
final class IdColumn {
    private long[] num;
    private final List<String> strings = new ArrayList<>();

    IdColumn(int capacity) {
        num = new long[capacity];
    }

    /** A copy of the first {@code size} rows. */
    IdColumn(IdColumn from, int size) {
        num = Arrays.copyOf(from.num, size);
        strings.addAll(from.strings);
    }

    void grow(int capacity) {
        num = Arrays.copyOf(num, capacity);
    }

    void set(int row, String id) {
        long n = numeric(id);
        if (n < 0) {
            strings.add(id);
            n = -strings.size();
        }
        num[row] = n;
    }

    String get(int row) {
        long v = num[row];
        return v >= 0 ? Long.toString(v) : strings.get((int) (-v - 1));
    }

    /** Whether the row's id is {@code id}, whose {@link #numeric} value is {@code numeric}. */
    boolean is(int row, String id, long numeric) {
        return numeric >= 0 ? num[row] == numeric : num[row] < 0 && id.equals(get(row));
    }

    /** Numbers by value and before strings; strings by {@code strings}. */
    int compare(int a, int b, Comparator<String> stringOrder) {
        long x = num[a];
        long y = num[b];
        if (x >= 0 && y >= 0) {
            return Long.compare(x, y);
        }
        if (x >= 0 || y >= 0) {
            return x >= 0 ? -1 : 1;
        }
        return stringOrder.compare(get(a), get(b));
    }

    int strings() {
        return strings.size();
    }

    /** A canonical number (no leading zeros, at most 18 digits), or -1. */
    static long numeric(String id) {
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
}

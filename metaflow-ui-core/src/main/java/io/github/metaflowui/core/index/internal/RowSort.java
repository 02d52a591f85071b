package io.github.metaflowui.core.index.internal;

/** A stable merge sort of {@code int} rows by a comparator, without boxing. */
public final class RowSort {
    /** Compares two rows. */
    @FunctionalInterface
    public interface Order {
        int compare(int a, int b);
    }

    private RowSort() {
    }

    /**
     * Compares two values of a column where {@code Long.MIN_VALUE} means absent: in {@code sign}'s
     * direction (1 ascending, -1 descending), absent values last either way.
     */
    public static int absentLast(long x, long y, int sign) {
        if (x == Long.MIN_VALUE || y == Long.MIN_VALUE) {
            return x == y ? 0 : x == Long.MIN_VALUE ? 1 : -1;
        }
        return sign * Long.compare(x, y);
    }

    public static void sort(int[] a, int length, Order order) {
        if (length < 2) {
            return;
        }
        int[] tmp = new int[length];
        for (int width = 1; width < length; width *= 2) {
            for (int lo = 0; lo < length - width; lo += 2 * width) {
                int mid = lo + width;
                int hi = Math.min(lo + 2 * width, length);
                if (order.compare(a[mid - 1], a[mid]) <= 0) {
                    continue;
                }
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    tmp[k++] = order.compare(a[i], a[j]) <= 0 ? a[i++] : a[j++];
                }
                while (i < mid) {
                    tmp[k++] = a[i++];
                }
                while (j < hi) {
                    tmp[k++] = a[j++];
                }
                System.arraycopy(tmp, lo, a, lo, hi - lo);
            }
        }
    }

    /** The first position in sorted {@code a[0..n)} whose row compares greater than {@code probe}. */
    public static int upperBound(int[] a, int n, int probe, Order order) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (order.compare(a[mid], probe) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Merges sorted {@code a[0..na)} and sorted {@code b[0..nb)} into a new array. */
    public static int[] merge(int[] a, int na, int[] b, int nb, Order order) {
        int[] out = new int[na + nb];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < na && j < nb) {
            out[k++] = order.compare(a[i], b[j]) <= 0 ? a[i++] : b[j++];
        }
        while (i < na) {
            out[k++] = a[i++];
        }
        while (j < nb) {
            out[k++] = b[j++];
        }
        return out;
    }
}

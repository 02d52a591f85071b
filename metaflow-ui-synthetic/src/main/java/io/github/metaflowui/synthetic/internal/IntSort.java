package io.github.metaflowui.synthetic.internal;

/** A stable merge sort of {@code int} row numbers by a comparator, without boxing. */
final class IntSort {
    @FunctionalInterface
    interface Order {
        int compare(int a, int b);
    }

    private IntSort() {
    }

    static void sort(int[] a, int length, Order order) {
        int[] tmp = new int[length];
        for (int width = 1; width < length; width *= 2) {
            for (int lo = 0; lo < length - width; lo += 2 * width) {
                int mid = lo + width;
                int hi = Math.min(lo + 2 * width, length);
                if (order.compare(a[mid - 1], a[mid]) <= 0) {
                    continue; // already in order
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
}

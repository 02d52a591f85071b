package io.github.metaflowui.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How long a set of tasks took: extremes, percentiles and a histogram over fixed buckets
 * (1 s, 5 s, 10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 12 h, 1 day, longer).
 *
 * @param count     how many durations were measured (finished tasks)
 * @param min       the shortest, if any
 * @param p50       the median (nearest rank)
 * @param p90       the 90th percentile
 * @param p99       the 99th percentile
 * @param max       the longest
 * @param histogram one bucket per boundary plus one open-ended bucket, in order
 */
public record DurationStats(long count, Optional<Duration> min, Optional<Duration> p50, Optional<Duration> p90,
                            Optional<Duration> p99, Optional<Duration> max, List<Bucket> histogram) {
    /** Upper bounds (exclusive) of the histogram's buckets; the last bucket has none. */
    public static final List<Duration> BOUNDS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(3),
            Duration.ofHours(12), Duration.ofDays(1));

    public static final DurationStats EMPTY = of(new long[0], 0);

    /** One histogram bucket: durations in {@code [from, to)}; {@code to} is empty for the last. */
    public record Bucket(Duration from, Optional<Duration> to, long count) {
        public Bucket {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    public DurationStats {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(p50, "p50");
        Objects.requireNonNull(p90, "p90");
        Objects.requireNonNull(p99, "p99");
        Objects.requireNonNull(max, "max");
        histogram = List.copyOf(histogram);
    }

    /** The statistics of the first {@code n} values of {@code millis} (the array is sorted in place). */
    public static DurationStats of(long[] millis, int n) {
        Arrays.sort(millis, 0, n);
        long[] counts = new long[BOUNDS.size() + 1];
        int b = 0;
        for (int i = 0; i < n; i++) {
            while (b < BOUNDS.size() && millis[i] >= BOUNDS.get(b).toMillis()) {
                b++;
            }
            counts[b]++;
        }
        List<Bucket> buckets = new ArrayList<>(counts.length);
        Duration from = Duration.ZERO;
        for (int i = 0; i < counts.length; i++) {
            Optional<Duration> to = i < BOUNDS.size() ? Optional.of(BOUNDS.get(i)) : Optional.empty();
            buckets.add(new Bucket(from, to, counts[i]));
            from = to.orElse(from);
        }
        if (n == 0) {
            return new DurationStats(0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), buckets);
        }
        return new DurationStats(n, ms(millis[0]), rank(millis, n, 50), rank(millis, n, 90), rank(millis, n, 99),
                ms(millis[n - 1]), buckets);
    }

    private static Optional<Duration> rank(long[] sorted, int n, int percentile) {
        int i = (int) Math.ceil(percentile / 100.0 * n) - 1;
        return ms(sorted[Math.max(0, Math.min(n - 1, i))]);
    }

    private static Optional<Duration> ms(long v) {
        return Optional.of(Duration.ofMillis(v));
    }
}

package io.github.metaflowui.benchmarks;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Latency sampling (p50/p99 by nearest rank) and the machine line every benchmark prints. */
final class Latency {
    private Latency() {
    }

    /** Milliseconds of {@code n} timed calls after {@code warmup} untimed ones. */
    record Sample(String name, double[] millis) {
        double p(int percentile) {
            double[] s = millis.clone();
            Arrays.sort(s);
            int i = (int) Math.ceil(percentile / 100.0 * s.length) - 1;
            return s[Math.max(0, Math.min(s.length - 1, i))];
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-28s n=%-4d p50 %9.2f ms   p99 %9.2f ms", name, millis.length, p(50), p(99));
        }
    }

    static Sample measure(String name, int warmup, int n, Callable<?> call) throws Exception {
        for (int i = 0; i < warmup; i++) {
            call.call();
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            call.call();
            out[i] = (System.nanoTime() - t0) / 1e6;
        }
        return new Sample(name, out);
    }

    static String machine() {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT, "machine: %d cores, %s %s, Java %s, max heap %d MB",
                rt.availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version"), rt.maxMemory() >> 20);
    }

    /** Heap in use after a full collection, in MB. */
    static long heapAfterGcMb() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }
}

package io.github.metaflowui.synthetic.internal;

/**
 * The only source of randomness of the archive: SplitMix64 over (seed, purpose, index...), so that
 * any fact of any run can be computed on its own, in any order, and is the same for the same seed.
 */
public final class Hash {
    private Hash() {
    }

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    public static long of(long seed, int purpose, long a) {
        return mix(seed * 0x9E3779B97F4A7C15L + purpose * 0xD1B54A32D192ED03L + mix(a));
    }

    public static long of(long seed, int purpose, long a, long b) {
        return mix(of(seed, purpose, a) ^ mix(b + 0x632BE59BD9B4E019L));
    }

    /** A value in [0, 1). */
    public static double unit(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }

    /** A value in [0, bound). */
    public static int below(long h, int bound) {
        return (int) Math.floorMod(h, (long) bound);
    }

    /** A log-normal-ish value between min and max, most of the mass near the geometric middle. */
    public static long logBetween(long h, long min, long max) {
        double u = (unit(h) + unit(mix(h)) + unit(mix(mix(h)))) / 3.0; // bell-shaped on [0,1)
        double v = Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min)));
        return Math.max(min, Math.min(max, Math.round(v)));
    }

    /** Invertible 32-bit permutation, used to derive string run ids that map back to their run. */
    public static int permute(int x) {
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x;
    }

    public static int unpermute(int x) {
        x ^= x >>> 16;
        x *= 0x43021123;
        x ^= x >>> 15 ^ x >>> 30;
        x *= 0x1d69e2a5;
        x ^= x >>> 16;
        return x;
    }
}

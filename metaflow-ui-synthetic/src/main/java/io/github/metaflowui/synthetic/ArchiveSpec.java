package io.github.metaflowui.synthetic;

import java.time.Instant;
import java.util.Objects;

/**
 * What archive to generate. The same spec always gives the same archive.
 *
 * @param runs     how many runs (1 to 2,000,000), the big run included
 * @param bigTasks how many tasks the big run's foreach step has (1 to 1,000,000)
 * @param flows    how many ordinary flows, or 0 for "one per 3,000 runs, between 1 and 300"; the big run
 *                 has a flow of its own on top
 * @param seed     the seed every fact is derived from
 * @param asOf     the archive's "now": the newest runs were created just before it, and runs still
 *                 going at that moment are running (their heartbeats follow the serving clock)
 */
public record ArchiveSpec(int runs, int bigTasks, int flows, long seed, Instant asOf) {
    /** The default seed. */
    public static final long DEFAULT_SEED = 20261203L;

    public ArchiveSpec {
        if (runs < 1 || runs > 2_000_000) {
            throw new IllegalArgumentException("runs must be between 1 and 2,000,000, got " + runs);
        }
        if (bigTasks < 1 || bigTasks > 1_000_000) {
            throw new IllegalArgumentException("tasks of the big run must be between 1 and 1,000,000, got " + bigTasks);
        }
        if (flows < 0 || flows > 10_000) {
            throw new IllegalArgumentException("flows must be between 0 (automatic) and 10,000, got " + flows);
        }
        Objects.requireNonNull(asOf, "asOf");
    }

    /** {@code runs} runs and a big run of {@code bigTasks} tasks, default seed and flow count, as of {@code asOf}. */
    public static ArchiveSpec of(int runs, int bigTasks, Instant asOf) {
        return new ArchiveSpec(runs, bigTasks, 0, DEFAULT_SEED, asOf);
    }

    /**
     * Parses {@code RUNS:TASKS}, e.g. {@code 1000000:100000}; thousands separators {@code _} and
     * {@code ,} are allowed.
     *
     * @throws IllegalArgumentException with a message for the user
     */
    public static ArchiveSpec parse(String text, Instant asOf) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.trim().split(":", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected RUNS:TASKS, e.g. 1000000:100000, got '" + text + "'");
        }
        int runs = number(parts[0], "RUNS", text);
        int tasks = number(parts[1], "TASKS", text);
        return of(runs, tasks, asOf);
    }

    public ArchiveSpec withSeed(long seed) {
        return new ArchiveSpec(runs, bigTasks, flows, seed, asOf);
    }

    public ArchiveSpec withFlows(int flows) {
        return new ArchiveSpec(runs, bigTasks, flows, seed, asOf);
    }

    private static int number(String part, String name, String text) {
        String p = part.trim().replace("_", "").replace(",", "");
        if (!p.matches("[0-9]{1,7}")) {
            throw new IllegalArgumentException(name + " in RUNS:TASKS must be a whole number, got '" + part.trim()
                    + "' in '" + text + "'");
        }
        return Integer.parseInt(p);
    }
}

package io.github.metaflowui.synthetic.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * What happened inside a run, derived from its row: steps, tasks, attempts and their times. An
 * ordinary run's plan is computed when asked (a few dozen numbers); the big run's is computed once.
 */
public final class Plans {
    public static final byte OK = 1;
    public static final byte FAIL = 2;
    /** Started and not finished: alive while the archive is served. */
    public static final byte LIVE = 3;
    public static final int MAX_ATTEMPTS = 3;

    private Plans() {
    }

    /** The tasks of one step, column by column; attempt {@code a} of task {@code k} is at {@code k * MAX_ATTEMPTS + a}. */
    public static final class StepPlan {
        public final String name;
        public final long created;
        public final long firstTaskId;
        public final int size;
        public final boolean foreach;
        public final long[] taskCreated;
        public final byte[] attempts;
        public final long[] start;
        public final long[] finish;
        public final byte[] outcome;

        StepPlan(String name, long created, long firstTaskId, int size, boolean foreach) {
            this.name = name;
            this.created = created;
            this.firstTaskId = firstTaskId;
            this.size = size;
            this.foreach = foreach;
            this.taskCreated = new long[size];
            this.attempts = new byte[size];
            this.start = new long[size * MAX_ATTEMPTS];
            this.finish = new long[size * MAX_ATTEMPTS];
            this.outcome = new byte[size * MAX_ATTEMPTS];
        }

        public long taskId(int k) {
            return firstTaskId + k;
        }

        /** The outcome of a task's latest attempt. */
        public byte finalOutcome(int k) {
            return outcome[k * MAX_ATTEMPTS + attempts[k] - 1];
        }

        /** The task's index in this step, or -1. */
        public int indexOf(long taskId) {
            long k = taskId - firstTaskId;
            return k >= 0 && k < size ? (int) k : -1;
        }

        /** The last moment anything happened in this step (for the UI backend's step duration). */
        public long lastActivity(long liveMs) {
            long last = created;
            for (int k = 0; k < size; k++) {
                for (int a = 0; a < attempts[k]; a++) {
                    int i = k * MAX_ATTEMPTS + a;
                    last = Math.max(last, outcome[i] == LIVE ? liveMs : finish[i]);
                }
            }
            return last;
        }

        long bytes() {
            return (long) size * (8 + 1 + MAX_ATTEMPTS * 17);
        }
    }

    /** A run's graph and the steps it reached. */
    public static final class RunPlan {
        public final int run;
        public final int kind;
        public final long paramsCreated;
        public final List<StepPlan> steps;

        RunPlan(int run, int kind, long paramsCreated, List<StepPlan> steps) {
            this.run = run;
            this.kind = kind;
            this.paramsCreated = paramsCreated;
            this.steps = steps;
        }

        public StepPlan step(String name) {
            for (StepPlan s : steps) {
                if (s.name.equals(name)) {
                    return s;
                }
            }
            return null;
        }

        public int taskCount() {
            int c = 0;
            for (StepPlan s : steps) {
                c += s.size;
            }
            return c;
        }
    }

    /** The big run: a start task and one huge foreach step, computed once. */
    public static final class BigPlan {
        public final StepPlan start;
        public final StepPlan sweep;
        public final long endMs;

        BigPlan(StepPlan start, StepPlan sweep, long endMs) {
            this.start = start;
            this.sweep = sweep;
            this.endMs = endMs;
        }

        long bytes() {
            return start.bytes() + sweep.bytes();
        }
    }

    /** Names of every step of a flow kind, in graph order; stages are groups that run side by side. */
    public static List<List<String>> stages(int kind, boolean big) {
        switch (kind) {
            case Archive.KIND_BRANCH:
                return List.of(List.of("start"), List.of("left", "right"), List.of("join"), List.of("end"));
            case Archive.KIND_FOREACH:
                return List.of(List.of("start"), List.of(big ? Archive.BIG_STEP : "work"), List.of("join"), List.of("end"));
            case Archive.KIND_RETRY:
                return List.of(List.of("start"), List.of("train"), List.of("end"));
            default:
                return List.of(List.of("start"), List.of("process"), List.of("end"));
        }
    }

    /** The plan of any run (the big run's is the shared, precomputed one). */
    public static RunPlan plan(Archive a, int run) {
        int kind = a.flowKind[a.flow[run]];
        long c = a.created[run];
        long firstId = a.firstTaskId(run);
        if (run == a.bigRun && a.bigPlan() != null) {
            BigPlan big = a.bigPlan();
            return new RunPlan(run, kind, c + 5, List.of(big.start, big.sweep));
        }
        List<List<String>> stages = stages(kind, false);
        byte st = a.state[run];
        long d = a.durationMs[run];
        int reached;
        if (st == Archive.FAILED) {
            reached = stages.size() - 1; // the stage before end fails
        } else if (st == Archive.RUNNING) {
            reached = 1 + Hash.below(Hash.of(a.seed, 20, run), stages.size());
        } else {
            reached = stages.size();
        }
        List<StepPlan> steps = new ArrayList<>();
        long nextId = firstId + 1; // firstId is the _parameters task
        long window = Math.max(reached, d / reached);
        for (int s = 0; s < reached; s++) {
            long ws = c + 10 + s * window;
            long we = s == reached - 1 ? c + d : ws + window - 10;
            boolean last = s == reached - 1;
            for (String name : stages.get(s)) {
                boolean foreach = kind == Archive.KIND_FOREACH && s == 1;
                int size = foreach ? 3 + Hash.below(Hash.of(a.seed, 21, run), 18) : 1;
                StepPlan p = new StepPlan(name, ws, nextId, size, foreach);
                nextId += size;
                for (int k = 0; k < size; k++) {
                    long h = Hash.of(a.seed, 22, run, nextId + k);
                    long tc = ws + 5 + k * 3L;
                    p.taskCreated[k] = tc;
                    long s0 = Math.min(we - 2, tc + 50 + Hash.below(h, 200));
                    long f0 = Math.max(s0 + 1, we - Hash.below(h >>> 16, (int) Math.min(1_000, Math.max(1, (we - s0) / 4))));
                    if (last && k == size - 1) {
                        f0 = we; // the run's last event is exactly at its end
                    }
                    byte outcome = OK;
                    if (last && st == Archive.RUNNING) {
                        outcome = LIVE;
                    } else if (last && st == Archive.FAILED && k == size - 1) {
                        outcome = FAIL;
                    }
                    boolean retried = kind == Archive.KIND_RETRY && name.equals("train")
                            && (outcome == FAIL || Hash.below(h >>> 24, 10) < 3);
                    int base = k * MAX_ATTEMPTS;
                    if (retried) {
                        long mid = s0 + Math.max(1, (f0 - s0) / 3);
                        p.attempts[k] = 2;
                        p.start[base] = s0;
                        p.finish[base] = mid;
                        p.outcome[base] = FAIL;
                        p.start[base + 1] = mid + 1;
                        p.finish[base + 1] = f0;
                        p.outcome[base + 1] = outcome;
                    } else {
                        p.attempts[k] = 1;
                        p.start[base] = s0;
                        p.finish[base] = f0;
                        p.outcome[base] = outcome;
                    }
                }
                steps.add(p);
            }
        }
        return new RunPlan(run, kind, c + 5, steps);
    }

    /** Over how long the big run's tasks are created. */
    static long spread(int tasks) {
        return Math.min(4L * 3_600_000, Math.max(tasks, tasks * 150L));
    }

    /** The big run: a start task, then {@code bigTasks} sweep tasks with retries and a few final failures. */
    static BigPlan big(Archive a) {
        int run = a.bigRun;
        long c = a.created[run];
        long firstId = a.firstTaskId(run);
        StepPlan start = new StepPlan("start", c + 10, firstId + 1, 1, false);
        start.taskCreated[0] = c + 15;
        start.attempts[0] = 1;
        start.start[0] = c + 200;
        start.finish[0] = c + 19_000;
        start.outcome[0] = OK;
        int t = a.bigTasks;
        long sweepStart = c + 20_000;
        long spread = spread(t);
        StepPlan sweep = new StepPlan(Archive.BIG_STEP, sweepStart, firstId + 2, t, true);
        long end = start.finish[0];
        for (int k = 0; k < t; k++) {
            long h = Hash.of(a.seed, 30, k);
            long tc = sweepStart + 5 + k * spread / t;
            sweep.taskCreated[k] = tc;
            boolean finalFailure = k % 1667 == Math.min(833, t - 1); // 60 in 100,000, at least one
            boolean twice = !finalFailure && Hash.below(h >>> 12, 333) == 5;
            boolean once = !finalFailure && !twice && Hash.below(h >>> 24, 50) == 3;
            int attempts = finalFailure ? 3 : twice ? 3 : once ? 2 : 1;
            sweep.attempts[k] = (byte) attempts;
            long s = tc + 100 + Hash.below(h >>> 32, 900);
            for (int at = 0; at < attempts; at++) {
                long dur = Hash.logBetween(Hash.of(a.seed, 31, k, at), 5_000, 900_000);
                int i = k * MAX_ATTEMPTS + at;
                sweep.start[i] = s;
                sweep.finish[i] = s + dur;
                boolean lastAttempt = at == attempts - 1;
                sweep.outcome[i] = lastAttempt && !finalFailure ? OK : FAIL;
                end = Math.max(end, s + dur);
                s = s + dur + 1_000 + Hash.below(Hash.of(a.seed, 32, k, at), 2_000);
            }
        }
        return new BigPlan(start, sweep, end);
    }
}

package io.github.metaflowui.synthetic.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The run table of a synthetic archive, column by column (about 17 bytes a run), plus what is
 * needed to derive everything else on demand: steps, tasks, attempts, metadata, artifacts and logs
 * of a run are computed from its row and the seed whenever they are asked for (see {@link Plans}).
 *
 * <p>Runs are numbered {@code 0..n-1} in creation order; {@code run_number} is the number plus one
 * (the metadata service's global sequence). One run, {@link #bigRun}, belongs to its own foreach flow
 * and has {@link #bigTasks} tasks in one step.
 */
public final class Archive {
    public static final byte COMPLETED = 0;
    public static final byte FAILED = 1;
    public static final byte RUNNING = 2;

    public static final int KIND_LINEAR = 0;
    public static final int KIND_BRANCH = 1;
    public static final int KIND_FOREACH = 2;
    public static final int KIND_RETRY = 3;

    /** Task ids of an ordinary run are {@code 1 + 32 * run + k}; the big run's come after all of them. */
    public static final int TASK_ID_STRIDE = 32;
    public static final String BIG_FLOW = "HyperparameterSweepFlow";
    public static final String BIG_STEP = "sweep";
    private static final int TAG_SETS = 512;

    public final long seed;
    public final boolean local;
    public final int n;
    public final Instant asOf;
    public final long asOfMs;
    public final long spanMs;
    public final String[] flows;
    public final int[] flowKind;
    public final int bigRun;
    public final int bigTasks;

    public final int[] flow;
    public final long[] created;
    /** Finish minus creation for terminal runs; creation to {@link #asOf} for running ones. */
    public final int[] durationMs;
    public final byte[] state;
    public final short[] owner;
    public final short[] tagSet;
    /** Runs of each flow, oldest first. */
    public final int[][] runsOfFlow;
    public final List<List<String>> tagSets;

    private volatile Plans.BigPlan bigPlan;

    public Archive(int runs, int bigTasks, int flowCount, long seed, Instant asOf, boolean local) {
        if (runs < 1 || runs > 2_000_000) {
            throw new IllegalArgumentException("runs must be between 1 and 2,000,000, got " + runs);
        }
        if (bigTasks < 1 || bigTasks > 1_000_000) {
            throw new IllegalArgumentException("tasks of the big run must be between 1 and 1,000,000, got " + bigTasks);
        }
        this.seed = seed;
        this.local = local;
        this.n = runs;
        this.asOf = asOf;
        this.asOfMs = asOf.toEpochMilli();
        this.bigTasks = bigTasks;
        int f = flowCount > 0 ? flowCount : Math.max(1, Math.min(300, runs / 3000));
        List<String> names = new ArrayList<>(Names.flows(f));
        names.add(BIG_FLOW);
        this.flows = names.toArray(new String[0]);
        this.flowKind = new int[flows.length];
        for (int i = 0; i < f; i++) {
            flowKind[i] = i % 4;
        }
        flowKind[f] = KIND_FOREACH;
        this.spanMs = Math.min(Duration.ofDays(730).toMillis(), Math.max(Duration.ofHours(12).toMillis(),
                runs * Duration.ofMinutes(10).toMillis()));
        // the big run starts early enough to have ended well before asOf
        long target = asOfMs - Plans.spread(bigTasks) - 7_200_000L;
        int bigIndex = (int) Math.floor((target - (asOfMs - spanMs)) * (double) runs / spanMs - 0.5);
        this.bigRun = Math.max(0, Math.min(runs - 1, bigIndex));

        this.tagSets = tagSets(seed);
        this.flow = new int[runs];
        this.created = new long[runs];
        this.durationMs = new int[runs];
        this.state = new byte[runs];
        this.owner = new short[runs];
        this.tagSet = new short[runs];
        double[] cumulative = zipf(f, 1.05);
        long start = asOfMs - spanMs;
        int[] perFlow = new int[flows.length];
        for (int i = 0; i < runs; i++) {
            long h = Hash.of(seed, 1, i);
            long c = start + (long) ((i + 0.5) * spanMs / runs);
            if (i > 0 && Hash.below(h, 97) == 0) {
                c = created[i - 1]; // a few runs share a millisecond, as concurrent inserts do
            }
            created[i] = c;
            int fl = i == bigRun ? f : pick(cumulative, Hash.unit(Hash.mix(h)));
            flow[i] = fl;
            perFlow[fl]++;
            int kind = flowKind[fl];
            owner[i] = (short) owner(h, local);
            tagSet[i] = (short) Hash.below(Hash.of(seed, 2, i), TAG_SETS);
            long d;
            switch (kind) {
                case KIND_BRANCH:
                    d = Hash.logBetween(Hash.of(seed, 3, i), 30_000, 2_400_000);
                    break;
                case KIND_FOREACH:
                    d = Hash.logBetween(Hash.of(seed, 3, i), 60_000, 10_800_000);
                    break;
                default:
                    d = Hash.logBetween(Hash.of(seed, 3, i), 20_000, 1_800_000);
            }
            byte st;
            if (c + d > asOfMs - 600_000) { // finished less than 10 min ago: still going as of asOf
                st = RUNNING;
                d = Math.max(1_000, asOfMs - c);
            } else {
                int p = Hash.below(Hash.of(seed, 4, i), 100);
                st = p < (kind == KIND_RETRY ? 14 : 7) ? FAILED : COMPLETED;
            }
            durationMs[i] = (int) Math.min(Integer.MAX_VALUE, d);
            state[i] = st;
        }
        this.runsOfFlow = new int[flows.length][];
        for (int fl = 0; fl < flows.length; fl++) {
            runsOfFlow[fl] = new int[perFlow[fl]];
        }
        int[] fill = new int[flows.length];
        for (int i = 0; i < runs; i++) {
            runsOfFlow[flow[i]][fill[flow[i]]++] = i;
        }
        // the big run: failed, its length set by its tasks
        Plans.BigPlan big = Plans.big(this);
        this.bigPlan = big;
        state[bigRun] = FAILED;
        durationMs[bigRun] = (int) Math.min(Integer.MAX_VALUE, big.endMs - created[bigRun]);
    }

    public Plans.BigPlan bigPlan() {
        return bigPlan;
    }

    // ------------------------------------------------------------------ owners and tags

    /** Bits: scheduler (1), user (6), python (2), metaflow (2), project (5: 0 none, else 1 + project*4 + branch). */
    private static int owner(long h, boolean local) {
        boolean scheduler = !local && Hash.below(h >>> 7, 10) == 0;
        int user = zipfIndex(Hash.unit(Hash.mix(h ^ 0x55)), Names.USERS.length);
        int py = Hash.below(h >>> 13, Names.PYTHON.length);
        int mf = Hash.below(h >>> 17, Names.METAFLOW.length);
        int project = Hash.below(h >>> 23, 3) == 0
                ? 1 + Hash.below(h >>> 29, Names.PROJECTS.length) * Names.BRANCHES.length + Hash.below(h >>> 37, Names.BRANCHES.length)
                : 0;
        return (scheduler ? 1 : 0) | user << 1 | py << 7 | mf << 9 | project << 11;
    }

    public boolean scheduler(int run) {
        return (owner[run] & 1) != 0;
    }

    public String userName(int run) {
        return Names.USERS[(owner[run] >> 1) & 63];
    }

    /** The verified owner: the user, unless the run was started by a scheduler. */
    public String user(int run) {
        return scheduler(run) ? null : userName(run);
    }

    public List<String> systemTags(int run) {
        int o = owner[run];
        List<String> out = new ArrayList<>(6);
        if (scheduler(run)) {
            out.add("production:" + flows[flow[run]].toLowerCase() + "-" + (((o >> 1) & 63) % 3));
            out.add("runtime:argo-workflows");
        } else {
            out.add("runtime:dev");
            out.add("user:" + userName(run));
        }
        out.add("python_version:" + Names.PYTHON[(o >> 7) & 3]);
        out.add("metaflow_version:" + Names.METAFLOW[(o >> 9) & 3]);
        int project = (o >> 11) & 31;
        if (project > 0) {
            int p = (project - 1) / Names.BRANCHES.length;
            int b = (project - 1) % Names.BRANCHES.length;
            out.add("project:" + Names.PROJECTS[p]);
            out.add("project_branch:" + Names.BRANCHES[b]);
        }
        return out;
    }

    public List<String> tags(int run) {
        return tagSets.get(tagSet[run]);
    }

    private static List<List<String>> tagSets(long seed) {
        List<List<String>> out = new ArrayList<>(TAG_SETS);
        for (int i = 0; i < TAG_SETS; i++) {
            long h = Hash.of(seed, 5, i);
            int count = Hash.below(h, 10) < 3 ? 0 : 1 + Hash.below(h >>> 8, 3);
            List<String> tags = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                String t = Names.TAGS[zipfIndex(Hash.unit(Hash.of(seed, 6, i, k)), Names.TAGS.length)];
                if (!tags.contains(t)) {
                    tags.add(t);
                }
            }
            out.add(List.copyOf(tags));
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ ids

    /** The id a run is exposed with: a run number, a scheduler id, or (local) a microsecond timestamp. */
    public String runId(int run) {
        if (local) {
            return Long.toString(created[run] * 1000 + Math.floorMod(run, 1000));
        }
        if (scheduler(run)) {
            String suffix = Integer.toUnsignedString(Hash.permute(run), 36);
            return "argo-" + flows[flow[run]].toLowerCase() + "-" + suffix;
        }
        return Long.toString(run + 1L);
    }

    /** The run a path's run id names in a flow, or -1. */
    public int findRun(String flowName, String id) {
        int fl = flowIndex(flowName);
        if (fl < 0 || id == null || id.isEmpty()) {
            return -1;
        }
        int run = -1;
        if (isDigits(id)) {
            if (local) {
                if (id.length() != 16) {
                    return -1;
                }
                long v = Long.parseLong(id);
                long c = v / 1000;
                int[] list = runsOfFlow[fl];
                int at = lowerBound(list, c);
                for (int k = at; k < list.length && created[list[k]] == c; k++) {
                    if (runId(list[k]).equals(id)) {
                        return list[k];
                    }
                }
                return -1;
            }
            if (id.length() > 9 || (id.length() > 1 && id.charAt(0) == '0')) {
                return -1;
            }
            long v = Long.parseLong(id);
            run = v >= 1 && v <= n ? (int) (v - 1) : -1;
            if (run >= 0 && scheduler(run)) {
                return -1; // a scheduler run is named by its string id
            }
        } else if (!local && id.startsWith("argo-")) {
            int dash = id.lastIndexOf('-');
            try {
                int x = Integer.parseUnsignedInt(id.substring(dash + 1), 36);
                run = Hash.unpermute(x);
                if (run < 0 || run >= n || !runId(run).equals(id)) {
                    return -1;
                }
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return run >= 0 && flow[run] == fl ? run : -1;
    }

    public int flowIndex(String name) {
        for (int i = 0; i < flows.length; i++) {
            if (flows[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The first task id of a run (its {@code _parameters} task); tasks follow in creation order. */
    public long firstTaskId(int run) {
        if (local) {
            return 0;
        }
        return run == bigRun ? 1L + (long) TASK_ID_STRIDE * n : 1L + (long) TASK_ID_STRIDE * run;
    }

    /** The run whose task ids include {@code taskId} (service numbering), or -1. */
    public int runOfTask(long taskId) {
        if (taskId >= firstTaskId(bigRun) && bigRun >= 0 && !local) {
            return taskId < firstTaskId(bigRun) + 2L + bigTasks + 2 ? bigRun : -1;
        }
        long r = (taskId - 1) / TASK_ID_STRIDE;
        return r >= 0 && r < n ? (int) r : -1;
    }

    // ------------------------------------------------------------------ derived run fields (contract §3.6)

    public long finishedMs(int run) {
        return created[run] + durationMs[run];
    }

    /** Run heartbeat in seconds: alive for running runs ({@code nowMs}), at the end for the others. */
    public long heartbeatSec(int run, long nowMs) {
        switch (state[run]) {
            case RUNNING:
                return nowMs / 1000 - Hash.below(Hash.of(seed, 7, run), 30);
            case FAILED:
                return (finishedMs(run) + 999) / 1000;
            default:
                return finishedMs(run) / 1000;
        }
    }

    /** The UI backend's {@code finished_at}: the end outcome's time, or the last heartbeat of a failed run. */
    public long uiFinishedMs(int run, long nowMs) {
        switch (state[run]) {
            case RUNNING:
                return Long.MIN_VALUE;
            case FAILED:
                return heartbeatSec(run, nowMs) * 1000;
            default:
                return finishedMs(run);
        }
    }

    public long uiDurationMs(int run, long nowMs) {
        if (state[run] == RUNNING) {
            return heartbeatSec(run, nowMs) * 1000 - created[run];
        }
        return uiFinishedMs(run, nowMs) - created[run];
    }

    public static String wire(byte state) {
        return state == COMPLETED ? "completed" : state == FAILED ? "failed" : "running";
    }

    // ------------------------------------------------------------------ helpers

    static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private int lowerBound(int[] runs, long c) {
        int lo = 0;
        int hi = runs.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (created[runs[mid]] < c) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static double[] zipf(int count, double s) {
        double[] c = new double[count];
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += 1.0 / Math.pow(i + 1, s);
            c[i] = sum;
        }
        for (int i = 0; i < count; i++) {
            c[i] /= sum;
        }
        return c;
    }

    private static int pick(double[] cumulative, double u) {
        int i = Arrays.binarySearch(cumulative, u);
        i = i >= 0 ? i : -i - 1;
        return Math.min(i, cumulative.length - 1);
    }

    private static int zipfIndex(double u, int count) {
        // a cheap skew: squares favour the first entries
        return Math.min(count - 1, (int) (u * u * count));
    }

    /** Rough heap use of the columns. */
    public long bytes() {
        return (long) n * (4 + 8 + 4 + 1 + 2 + 2 + 4) + (bigPlan == null ? 0 : bigPlan.bytes());
    }
}

package io.github.metaflowui.core.index.internal;

import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Dag;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.StatusRules;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.StepAggregates;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskCounts;
import io.github.metaflowui.core.TaskId;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every task of one run as columns (about 60 bytes a task with one attempt): step, id, creation,
 * status, and each attempt's status and times. An immutable snapshot: task pages in any order,
 * per-step aggregates and step summaries come from it without asking the backend again.
 */
public final class TaskTable {
    private static final Status[] STATUSES = Status.values();
    private static final long NONE = Long.MIN_VALUE;

    private final RunRef run;
    private final long generation;
    private final boolean frozen;
    private final long loadMillis;
    private final List<String> stepNames = new ArrayList<>();
    private final Dict<String> reasons = new Dict<>();
    private int size;
    private int[] step = new int[1024];
    private IdColumn ids = new IdColumn(1024);
    private long[] created = new long[1024];
    private int[] firstAttempt = new int[1024];
    private byte[] attemptCount = new byte[1024];
    private String[] label = new String[1024];
    private byte[] tStatus = new byte[1024];
    private int[] tReason = new int[1024];
    private int attempts;
    private int[] aId = new int[1024];
    private byte[] aStatus = new byte[1024];
    private int[] aReason = new int[1024];
    private long[] aStart = new long[1024];
    private long[] aFinish = new long[1024];
    private final Map<String, int[]> perms = new ConcurrentHashMap<>();
    private final Map<String, StepAggregates> aggregates = new ConcurrentHashMap<>();

    private TaskTable(RunRef run, long generation, boolean frozen, long loadMillis) {
        this.run = run;
        this.generation = generation;
        this.frozen = frozen;
        this.loadMillis = loadMillis;
    }

    /** Reads every task of the run from the backend, {@code PageRequest.MAX_LIMIT} at a time. */
    public static TaskTable load(MetaflowBackend backend, RunRef run, long generation, boolean runTerminal) {
        long t0 = System.nanoTime();
        TaskTable t = new TaskTable(run, generation, runTerminal, 0);
        PageRequest request = PageRequest.first(PageRequest.MAX_LIMIT);
        Set<String> cursors = new HashSet<>();
        boolean allTerminal = true;
        while (true) {
            Page<Task> page = backend.listTasks(run, TaskQuery.all(), request);
            for (Task task : page.items()) {
                t.add(task);
                allTerminal &= task.status().status().isTerminal();
            }
            if (page.nextCursor().isEmpty()) {
                break;
            }
            if (!cursors.add(page.nextCursor().get())) {
                throw new IllegalStateException("backend repeated the task page cursor '" + page.nextCursor().get() + "'");
            }
            request = PageRequest.after(page.nextCursor().get(), PageRequest.MAX_LIMIT);
        }
        TaskTable done = new TaskTable(run, generation, runTerminal && allTerminal, (System.nanoTime() - t0) / 1_000_000);
        done.copyFrom(t);
        return done;
    }

    private void copyFrom(TaskTable t) {
        stepNames.addAll(t.stepNames);
        for (int i = 0; i < t.reasons.size(); i++) {
            reasons.id(t.reasons.get(i));
        }
        size = t.size;
        step = Arrays.copyOf(t.step, size);
        ids = new IdColumn(t.ids, size);
        created = Arrays.copyOf(t.created, size);
        firstAttempt = Arrays.copyOf(t.firstAttempt, size);
        attemptCount = Arrays.copyOf(t.attemptCount, size);
        label = Arrays.copyOf(t.label, size);
        tStatus = Arrays.copyOf(t.tStatus, size);
        tReason = Arrays.copyOf(t.tReason, size);
        attempts = t.attempts;
        aId = Arrays.copyOf(t.aId, attempts);
        aStatus = Arrays.copyOf(t.aStatus, attempts);
        aReason = Arrays.copyOf(t.aReason, attempts);
        aStart = Arrays.copyOf(t.aStart, attempts);
        aFinish = Arrays.copyOf(t.aFinish, attempts);
    }

    private void add(Task task) {
        if (size == step.length) {
            int c = size * 2;
            step = Arrays.copyOf(step, c);
            ids.grow(c);
            created = Arrays.copyOf(created, c);
            firstAttempt = Arrays.copyOf(firstAttempt, c);
            attemptCount = Arrays.copyOf(attemptCount, c);
            label = Arrays.copyOf(label, c);
            tStatus = Arrays.copyOf(tStatus, c);
            tReason = Arrays.copyOf(tReason, c);
        }
        int s = stepNames.indexOf(task.step());
        if (s < 0) {
            s = stepNames.size();
            stepNames.add(task.step());
        }
        int row = size++;
        step[row] = s;
        ids.set(row, task.id().value());
        created[row] = task.createdAt().toEpochMilli();
        label[row] = task.foreachLabel().orElse(null);
        tStatus[row] = (byte) task.status().status().ordinal();
        tReason[row] = reasons.id(task.status().reason());
        firstAttempt[row] = attempts;
        attemptCount[row] = (byte) Math.min(127, task.attempts().size());
        for (int k = 0; k < attemptCount[row]; k++) {
            Attempt a = task.attempts().get(k);
            if (attempts == aId.length) {
                int c = attempts * 2;
                aId = Arrays.copyOf(aId, c);
                aStatus = Arrays.copyOf(aStatus, c);
                aReason = Arrays.copyOf(aReason, c);
                aStart = Arrays.copyOf(aStart, c);
                aFinish = Arrays.copyOf(aFinish, c);
            }
            aId[attempts] = a.id();
            aStatus[attempts] = (byte) a.status().status().ordinal();
            aReason[attempts] = reasons.id(a.status().reason());
            aStart[attempts] = a.startedAt().map(Instant::toEpochMilli).orElse(NONE);
            aFinish[attempts] = a.finishedAt().map(Instant::toEpochMilli).orElse(NONE);
            attempts++;
        }
    }

    // ------------------------------------------------------------------ facts

    public int size() {
        return size;
    }

    public long generation() {
        return generation;
    }

    /** Finished run whose tasks are all finished: the table never needs reloading. */
    public boolean frozen() {
        return frozen;
    }

    public long loadMillis() {
        return loadMillis;
    }

    public long bytes() {
        return size * (4L + 8 + 8 + 4 + 1 + 8 + 5) + attempts * (4L + 1 + 4 + 8 + 8) + ids.strings() * 64L;
    }

    private String id(int row) {
        return ids.get(row);
    }

    private byte lastStatus(int row) {
        return tStatus[row];
    }

    private long started(int row) {
        return attemptCount[row] == 0 ? NONE : aStart[firstAttempt[row]];
    }

    private long finished(int row) {
        return attemptCount[row] == 0 ? NONE : aFinish[firstAttempt[row] + attemptCount[row] - 1];
    }

    private long duration(int row) {
        long s = started(row);
        long f = finished(row);
        return s == NONE || f == NONE ? NONE : f - s;
    }

    public Task task(int row) {
        List<Attempt> list = new ArrayList<>(attemptCount[row]);
        for (int k = 0; k < attemptCount[row]; k++) {
            int a = firstAttempt[row] + k;
            list.add(new Attempt(aId[a], StatusInfo.of(STATUSES[aStatus[a]], reasons.get(aReason[a])),
                    aStart[a] == NONE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(aStart[a])),
                    aFinish[a] == NONE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(aFinish[a]))));
        }
        return new Task(run.step(stepNames.get(step[row])).task(id(row)), Instant.ofEpochMilli(created[row]), list,
                StatusInfo.of(STATUSES[tStatus[row]], reasons.get(tReason[row])), Optional.ofNullable(label[row]));
    }

    // ------------------------------------------------------------------ pages

    private int compareIds(int a, int b) {
        return ids.compare(a, b, (x, y) -> TaskId.of(x).compareTo(TaskId.of(y)));
    }

    /** The order of a task query: its key in its direction (absent values last), then task id, then step. */
    private RowSort.Order order(TaskQuery.Sort sort, SortOrder direction) {
        int sign = direction == SortOrder.ASC ? 1 : -1;
        RowSort.Order primary;
        switch (sort) {
            case STARTED:
                primary = (a, b) -> RowSort.absentLast(started(a), started(b), sign);
                break;
            case FINISHED:
                primary = (a, b) -> RowSort.absentLast(finished(a), finished(b), sign);
                break;
            case DURATION:
                primary = (a, b) -> RowSort.absentLast(duration(a), duration(b), sign);
                break;
            case TASK_ID:
                primary = (a, b) -> sign * compareIds(a, b);
                break;
            default:
                primary = (a, b) -> sign * Long.compare(created[a], created[b]);
        }
        return (a, b) -> {
            int c = primary.compare(a, b);
            if (c != 0) {
                return c;
            }
            c = sign * compareIds(a, b);
            return c != 0 ? c : stepNames.get(step[a]).compareTo(stepNames.get(step[b]));
        };
    }

    private int[] perm(TaskQuery.Sort sort, SortOrder direction) {
        return perms.computeIfAbsent(sort + ":" + direction, k -> {
            int[] rows = new int[size];
            for (int i = 0; i < size; i++) {
                rows[i] = i;
            }
            RowSort.sort(rows, size, order(sort, direction));
            return rows;
        });
    }

    /** The result of a page: tasks, and the offset after them when more match. */
    public record Slice(List<Task> tasks, long nextOffset, boolean more) {
    }

    /**
     * The tasks of the query after the first {@code offset} matching ones; with {@code afterStep}
     * and {@code afterId} set, after that task instead (when it is still in the table).
     */
    public Slice query(TaskQuery q, long offset, String afterStep, String afterId, int limit) {
        int[] rows = perm(q.sort(), q.order());
        int stepFilter = q.step().map(stepNames::indexOf).orElse(-2);
        if (stepFilter == -1) {
            return new Slice(List.of(), offset, false);
        }
        int mask = 0;
        for (Status s : q.statuses()) {
            mask |= 1 << s.ordinal();
        }
        int i = 0;
        long skip = offset;
        if (afterId != null) {
            int s = stepNames.indexOf(afterStep);
            for (int p = 0; p < size; p++) {
                int r = rows[p];
                if (step[r] == s && id(r).equals(afterId)) {
                    i = p + 1;
                    skip = 0;
                    break;
                }
            }
        }
        List<Task> out = new ArrayList<>(Math.min(limit, 1024));
        long position = offset;
        boolean more = false;
        for (; i < size; i++) {
            int r = rows[i];
            if (stepFilter >= 0 && step[r] != stepFilter) {
                continue;
            }
            if (mask != 0 && (mask & (1 << lastStatus(r))) == 0) {
                continue;
            }
            if (skip > 0) {
                skip--;
                continue;
            }
            if (out.size() == limit) {
                more = true;
                break;
            }
            out.add(task(r));
            position++;
        }
        return new Slice(out, afterId != null ? -1 : position, more);
    }

    // ------------------------------------------------------------------ summaries

    /** A step summarised from the table (computed once for a frozen table). */
    public StepAggregates aggregates(String stepName) {
        StepAggregates cached = aggregates.get(stepName);
        if (cached != null) {
            return cached;
        }
        int s = stepNames.indexOf(stepName);
        StepAggregates.Accumulator acc = new StepAggregates.Accumulator(run.step(stepName));
        for (int r = 0; r < size; r++) {
            if (step[r] == s) {
                acc.add(STATUSES[lastStatus(r)], attemptCount[r], started(r), finished(r), duration(r));
            }
        }
        StepAggregates out = acc.build();
        aggregates.put(stepName, out);
        return out;
    }

    /** Steps with counts from the tasks: in the graph's order when given, else by their first task. */
    public List<Step> steps(Optional<Dag> dag) {
        Map<Integer, long[]> facts = new LinkedHashMap<>(); // min created, min start, max finish, all finished
        Map<Integer, int[]> counts = new LinkedHashMap<>();
        for (int r = 0; r < size; r++) {
            long[] f = facts.computeIfAbsent(step[r], k -> new long[]{Long.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 1});
            f[0] = Math.min(f[0], created[r]);
            if (started(r) != NONE) {
                f[1] = Math.min(f[1], started(r));
            }
            if (finished(r) != NONE) {
                f[2] = Math.max(f[2], finished(r));
            } else {
                f[3] = 0;
            }
            counts.computeIfAbsent(step[r], k -> new int[STATUSES.length])[lastStatus(r)]++;
        }
        List<String> order = dag.map(Dag::stepOrder).orElse(List.of());
        List<Integer> ids = new ArrayList<>(facts.keySet());
        ids.sort(Comparator.comparingInt((Integer s) -> {
            int i = order.indexOf(stepNames.get(s));
            return i < 0 ? Integer.MAX_VALUE : i;
        }).thenComparingLong(s -> facts.get(s)[0]).thenComparing(s -> stepNames.get(s)));
        List<Step> out = new ArrayList<>(ids.size());
        for (int s : ids) {
            long[] f = facts.get(s);
            int[] c = counts.get(s);
            TaskCounts tc = new TaskCounts(c[Status.PENDING.ordinal()], c[Status.RUNNING.ordinal()],
                    c[Status.COMPLETED.ordinal()], c[Status.FAILED.ordinal()], c[Status.UNKNOWN.ordinal()]);
            out.add(new Step(run.step(stepNames.get(s)), Instant.ofEpochMilli(f[0]), StatusRules.stepStatus(tc), tc,
                    f[1] == Long.MAX_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(f[1])),
                    f[3] == 1 && f[2] != Long.MIN_VALUE ? Optional.of(Instant.ofEpochMilli(f[2])) : Optional.empty()));
        }
        return out;
    }
}

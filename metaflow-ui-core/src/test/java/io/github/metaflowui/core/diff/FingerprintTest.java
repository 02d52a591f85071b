package io.github.metaflowui.core.diff;

import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.StepRef;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskCounts;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.watch.Resources;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;

import static io.github.metaflowui.core.diff.Entities.T0;
import static io.github.metaflowui.core.diff.Entities.task;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fingerprints: equal content gives equal fingerprints however the objects were built; a change of
 * any one field gives another fingerprint; the differ trusts them only when both snapshots carry
 * the same fingerprint function; the watcher's quiet equivalence still decides what a change is.
 */
class FingerprintTest {
    private static final Instant T1 = T0.plusSeconds(90);

    private static Run fullRun() {
        return new Run(RunRef.of("TrainFlow", "12"), "alice", Optional.of("alice"), T0, List.of("env:prod", "x"),
                List.of("user:alice", "runtime:dev"), StatusInfo.of(Status.COMPLETED, "end step succeeded"),
                Optional.of(T1), Optional.of(Duration.ofSeconds(90)), Optional.of(T1.minusSeconds(3)));
    }

    private static Task fullTask() {
        List<Attempt> attempts = List.of(
                new Attempt(0, StatusInfo.of(Status.FAILED, "attempt 0 failed"), Optional.of(T0), Optional.of(T0.plusSeconds(5))),
                new Attempt(1, StatusInfo.of(Status.COMPLETED, "succeeded"), Optional.of(T0.plusSeconds(6)),
                        Optional.of(T1)));
        return new Task(TaskRef.of("TrainFlow", "12", "train", "7"), T0, attempts,
                StatusInfo.of(Status.COMPLETED, "succeeded"), Optional.of("items[3]"));
    }

    private static Step fullStep() {
        return new Step(StepRef.of("TrainFlow", "12", "train"), T0, StatusInfo.of(Status.RUNNING, "2 of 5 tasks running"),
                new TaskCounts(1, 2, 3, 4, 5), Optional.of(T0.plusSeconds(1)), Optional.of(T1));
    }

    /** The same content in new instances (strings and lists included). */
    private static Run rebuilt(Run r) {
        return new Run(RunRef.of(new String(r.flow()), new String(r.id().value())), new String(r.userName()),
                r.user().map(String::new), Instant.ofEpochSecond(r.createdAt().getEpochSecond(), r.createdAt().getNano()),
                new ArrayList<>(r.tags().stream().map(String::new).toList()), new ArrayList<>(r.systemTags()),
                StatusInfo.of(r.status().status(), new String(r.status().reason())), r.finishedAt().map(Instant::from),
                r.duration().map(d -> Duration.ofSeconds(d.getSeconds(), d.getNano())), r.lastHeartbeat());
    }

    private static Task rebuilt(Task t) {
        List<Attempt> attempts = new ArrayList<>();
        for (Attempt a : t.attempts()) {
            attempts.add(new Attempt(a.id(), StatusInfo.of(a.status().status(), new String(a.status().reason())),
                    a.startedAt().map(Instant::from), a.finishedAt().map(Instant::from)));
        }
        return new Task(TaskRef.parse(new String(t.ref().pathspec())), Instant.from(t.createdAt()), attempts,
                StatusInfo.of(t.status().status(), new String(t.status().reason())), t.foreachLabel().map(String::new));
    }

    @Test
    void equal_content_gives_equal_fingerprints_across_independently_built_objects() {
        assertThat(rebuilt(fullRun())).isEqualTo(fullRun()).isNotSameAs(fullRun());
        assertThat(Fingerprint.runs().of(rebuilt(fullRun()))).isEqualTo(Fingerprint.runs().of(fullRun()));
        assertThat(Fingerprint.tasks().of(rebuilt(fullTask()))).isEqualTo(Fingerprint.tasks().of(fullTask()));
        assertThat(Fingerprint.steps().of(new Step(fullStep().ref(), fullStep().createdAt(), fullStep().status(),
                new TaskCounts(1, 2, 3, 4, 5), fullStep().startedAt(), fullStep().finishedAt())))
                .isEqualTo(Fingerprint.steps().of(fullStep()));

        Random rnd = new Random(5);
        Status[] statuses = Status.values();
        for (int i = 0; i < 2_000; i++) {
            Task t = task("F/" + rnd.nextInt(50) + "/s/" + rnd.nextInt(1000), statuses[rnd.nextInt(statuses.length)],
                    "reason " + rnd.nextInt(7), 1 + rnd.nextInt(3));
            assertThat(Fingerprint.tasks().of(rebuilt(t))).isEqualTo(Fingerprint.tasks().of(t));
        }
    }

    @Test
    void every_field_of_a_run_changes_its_fingerprint() {
        Run r = fullRun();
        Map<String, UnaryOperator<Run>> changes = new LinkedHashMap<>();
        changes.put("flow", x -> with(x, RunRef.of("TrainFlox", "12")));
        changes.put("run id", x -> with(x, RunRef.of("TrainFlow", "13")));
        changes.put("userName", x -> new Run(x.ref(), "bob", x.user(), x.createdAt(), x.tags(), x.systemTags(), x.status(),
                x.finishedAt(), x.duration(), x.lastHeartbeat()));
        changes.put("user", x -> new Run(x.ref(), x.userName(), Optional.empty(), x.createdAt(), x.tags(), x.systemTags(),
                x.status(), x.finishedAt(), x.duration(), x.lastHeartbeat()));
        changes.put("createdAt", x -> new Run(x.ref(), x.userName(), x.user(), T0.plusNanos(1), x.tags(), x.systemTags(),
                x.status(), x.finishedAt(), x.duration(), x.lastHeartbeat()));
        changes.put("tags", x -> new Run(x.ref(), x.userName(), x.user(), x.createdAt(), List.of("env:prod", "y"),
                x.systemTags(), x.status(), x.finishedAt(), x.duration(), x.lastHeartbeat()));
        changes.put("tags split otherwise", x -> new Run(x.ref(), x.userName(), x.user(), x.createdAt(),
                List.of("env:pro", "dx"), x.systemTags(), x.status(), x.finishedAt(), x.duration(), x.lastHeartbeat()));
        changes.put("a tag moved to the system tags", x -> new Run(x.ref(), x.userName(), x.user(), x.createdAt(),
                List.of("env:prod"), List.of("x", "user:alice", "runtime:dev"), x.status(), x.finishedAt(), x.duration(),
                x.lastHeartbeat()));
        changes.put("systemTags", x -> new Run(x.ref(), x.userName(), x.user(), x.createdAt(), x.tags(),
                List.of("user:alice"), x.status(), x.finishedAt(), x.duration(), x.lastHeartbeat()));
        changes.put("status", x -> new Run(x.ref(), x.userName(), x.user(), x.createdAt(), x.tags(), x.systemTags(),
                StatusInfo.of(Status.FAILED, "end step succeeded"), x.finishedAt(), x.duration(), x.lastHeartbeat()));
        changes.put("reason", x -> new Run(x.ref(), x.userName(), x.user(), x.createdAt(), x.tags(), x.systemTags(),
                StatusInfo.of(Status.COMPLETED, "end step succeedeD"), x.finishedAt(), x.duration(), x.lastHeartbeat()));
        changes.put("finishedAt", x -> new Run(x.ref(), x.userName(), x.user(), x.createdAt(), x.tags(), x.systemTags(),
                x.status(), Optional.empty(), x.duration(), x.lastHeartbeat()));
        changes.put("duration", x -> new Run(x.ref(), x.userName(), x.user(), x.createdAt(), x.tags(), x.systemTags(),
                x.status(), x.finishedAt(), Optional.of(Duration.ofSeconds(90, 1)), x.lastHeartbeat()));
        changes.put("lastHeartbeat", x -> new Run(x.ref(), x.userName(), x.user(), x.createdAt(), x.tags(),
                x.systemTags(), x.status(), x.finishedAt(), x.duration(), Optional.of(T1)));

        assertEveryChangeIsSeen(r, changes, Fingerprint.runs());
        assertThat(Run.class.getRecordComponents()).as("a new field of Run needs a fingerprint and a row here")
                .hasSize(10);
    }

    private static Run with(Run x, RunRef ref) {
        return new Run(ref, x.userName(), x.user(), x.createdAt(), x.tags(), x.systemTags(), x.status(), x.finishedAt(),
                x.duration(), x.lastHeartbeat());
    }

    @Test
    void every_field_of_a_task_and_of_its_attempts_changes_its_fingerprint() {
        Task t = fullTask();
        Map<String, UnaryOperator<Task>> changes = new LinkedHashMap<>();
        changes.put("flow", x -> new Task(TaskRef.of("F", "12", "train", "7"), x.createdAt(), x.attempts(), x.status(),
                x.foreachLabel()));
        changes.put("run", x -> new Task(TaskRef.of("TrainFlow", "1", "train", "7"), x.createdAt(), x.attempts(),
                x.status(), x.foreachLabel()));
        changes.put("step", x -> new Task(TaskRef.of("TrainFlow", "12", "trains", "7"), x.createdAt(), x.attempts(),
                x.status(), x.foreachLabel()));
        changes.put("task id", x -> new Task(TaskRef.of("TrainFlow", "12", "train", "70"), x.createdAt(), x.attempts(),
                x.status(), x.foreachLabel()));
        changes.put("segments split otherwise", x -> new Task(TaskRef.of("TrainFlow", "1", "2train", "7"), x.createdAt(),
                x.attempts(), x.status(), x.foreachLabel()));
        changes.put("createdAt", x -> new Task(x.ref(), T0.plusMillis(1), x.attempts(), x.status(), x.foreachLabel()));
        changes.put("status", x -> new Task(x.ref(), x.createdAt(), x.attempts(), StatusInfo.of(Status.UNKNOWN, "succeeded"),
                x.foreachLabel()));
        changes.put("reason", x -> new Task(x.ref(), x.createdAt(), x.attempts(), StatusInfo.of(Status.COMPLETED, "Succeeded"),
                x.foreachLabel()));
        changes.put("foreachLabel", x -> new Task(x.ref(), x.createdAt(), x.attempts(), x.status(), Optional.of("items[4]")));
        changes.put("no foreachLabel", x -> new Task(x.ref(), x.createdAt(), x.attempts(), x.status(), Optional.empty()));
        changes.put("an attempt fewer", x -> new Task(x.ref(), x.createdAt(), x.attempts().subList(1, 2), x.status(),
                x.foreachLabel()));
        changes.put("an attempt more", x -> new Task(x.ref(), x.createdAt(), List.of(x.attempts().get(0),
                x.attempts().get(1), new Attempt(2, StatusInfo.of(Status.RUNNING, "running"), Optional.of(T1), Optional.empty())),
                x.status(), x.foreachLabel()));
        changes.put("attempt id", x -> withAttempt(x, a -> new Attempt(2, a.status(), a.startedAt(), a.finishedAt())));
        changes.put("attempt status", x -> withAttempt(x, a -> new Attempt(a.id(),
                StatusInfo.of(Status.FAILED, a.status().reason()), a.startedAt(), a.finishedAt())));
        changes.put("attempt reason", x -> withAttempt(x, a -> new Attempt(a.id(),
                StatusInfo.of(a.status().status(), "succeeded "), a.startedAt(), a.finishedAt())));
        changes.put("attempt startedAt", x -> withAttempt(x, a -> new Attempt(a.id(), a.status(),
                Optional.of(T0.plusSeconds(7)), a.finishedAt())));
        changes.put("attempt not started", x -> withAttempt(x, a -> new Attempt(a.id(), a.status(), Optional.empty(),
                a.finishedAt())));
        changes.put("attempt finishedAt", x -> withAttempt(x, a -> new Attempt(a.id(), a.status(), a.startedAt(),
                Optional.of(T1.plusNanos(1)))));
        changes.put("attempt not finished", x -> withAttempt(x, a -> new Attempt(a.id(), a.status(), a.startedAt(),
                Optional.empty())));

        assertEveryChangeIsSeen(t, changes, Fingerprint.tasks());
        assertThat(Task.class.getRecordComponents()).as("a new field of Task needs a fingerprint and a row here").hasSize(5);
        assertThat(Attempt.class.getRecordComponents()).as("a new field of Attempt needs a fingerprint and a row here")
                .hasSize(4);
    }

    /** The task with its latest attempt changed. */
    private static Task withAttempt(Task x, UnaryOperator<Attempt> change) {
        List<Attempt> attempts = new ArrayList<>(x.attempts());
        attempts.set(attempts.size() - 1, change.apply(attempts.get(attempts.size() - 1)));
        return new Task(x.ref(), x.createdAt(), attempts, x.status(), x.foreachLabel());
    }

    @Test
    void every_field_of_a_step_changes_its_fingerprint() {
        Step s = fullStep();
        Map<String, UnaryOperator<Step>> changes = new LinkedHashMap<>();
        changes.put("ref", x -> new Step(StepRef.of("TrainFlow", "12", "end"), x.createdAt(), x.status(), x.counts(),
                x.startedAt(), x.finishedAt()));
        changes.put("createdAt", x -> new Step(x.ref(), T1, x.status(), x.counts(), x.startedAt(), x.finishedAt()));
        changes.put("status", x -> new Step(x.ref(), x.createdAt(), StatusInfo.of(Status.FAILED, x.status().reason()),
                x.counts(), x.startedAt(), x.finishedAt()));
        changes.put("reason", x -> new Step(x.ref(), x.createdAt(), StatusInfo.of(Status.RUNNING, "3 of 5 tasks running"),
                x.counts(), x.startedAt(), x.finishedAt()));
        changes.put("pending", x -> counts(x, new TaskCounts(0, 2, 3, 4, 5)));
        changes.put("running", x -> counts(x, new TaskCounts(1, 3, 3, 4, 5)));
        changes.put("completed", x -> counts(x, new TaskCounts(1, 2, 4, 4, 5)));
        changes.put("failed", x -> counts(x, new TaskCounts(1, 2, 3, 0, 5)));
        changes.put("unknown", x -> counts(x, new TaskCounts(1, 2, 3, 4, 6)));
        changes.put("two counts swapped", x -> counts(x, new TaskCounts(2, 1, 3, 4, 5)));
        changes.put("startedAt", x -> new Step(x.ref(), x.createdAt(), x.status(), x.counts(), Optional.empty(),
                x.finishedAt()));
        changes.put("finishedAt", x -> new Step(x.ref(), x.createdAt(), x.status(), x.counts(), x.startedAt(),
                Optional.of(T1.plusSeconds(1))));

        assertEveryChangeIsSeen(s, changes, Fingerprint.steps());
        assertThat(Step.class.getRecordComponents()).as("a new field of Step needs a fingerprint and a row here").hasSize(6);
        assertThat(TaskCounts.class.getRecordComponents()).hasSize(5);
    }

    private static Step counts(Step x, TaskCounts c) {
        return new Step(x.ref(), x.createdAt(), x.status(), c, x.startedAt(), x.finishedAt());
    }

    private static <T> void assertEveryChangeIsSeen(T base, Map<String, UnaryOperator<T>> changes, Fingerprint<T> fp) {
        long original = fp.of(base);
        Set<Long> seen = new HashSet<>();
        seen.add(original);
        changes.forEach((field, change) -> {
            T changed = change.apply(base);
            assertThat(changed).as(field).isNotEqualTo(base);
            assertThat(fp.of(changed)).as("fingerprint after changing %s", field).isNotEqualTo(original);
            assertThat(seen.add(fp.of(changed))).as("%s has a fingerprint of its own", field).isTrue();
        });
    }

    @Test
    void the_hasher_tells_apart_what_hash_codes_do_not() {
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        assertThat(Fingerprint.hasher().add("Aa").finish()).isNotEqualTo(Fingerprint.hasher().add("BB").finish());
        assertThat(Fingerprint.hasher().add("ab").add("c").finish())
                .isNotEqualTo(Fingerprint.hasher().add("a").add("bc").finish());
        assertThat(Fingerprint.hasher().add(Optional.empty()).finish())
                .isNotEqualTo(Fingerprint.hasher().add(Optional.of("")).finish());
        assertThat(Fingerprint.hasher().add("").finish()).isNotEqualTo(Fingerprint.hasher().finish());
        assertThat(Fingerprint.hasher().add("abcd").finish()).isNotEqualTo(Fingerprint.hasher().add("abc\0").finish());

        // well mixed: 100,000 near-identical inputs give 100,000 fingerprints, each bit set about half the time
        Set<Long> all = new HashSet<>();
        int[] ones = new int[64];
        for (int i = 0; i < 100_000; i++) {
            long f = Fingerprint.hasher().add("BigFlow/12/square/" + i).finish();
            all.add(f);
            for (int b = 0; b < 64; b++) {
                ones[b] += (int) (f >>> b & 1);
            }
        }
        assertThat(all).hasSize(100_000);
        for (int b = 0; b < 64; b++) {
            assertThat(ones[b]).as("bit %d", b).isBetween(48_500, 51_500);
        }
    }

    @Test
    void the_differ_trusts_fingerprints_only_from_one_function_and_never_when_exact() {
        // a deliberately useless fingerprint: every task collides
        Fingerprint<Task> zero = t -> 0L;
        Fingerprint<Task> otherZero = t -> 0L;
        Task before = task("F/1/s/2", Status.RUNNING);
        Task after = task("F/1/s/2", Status.FAILED);
        Snapshot<Task> a = Snapshot.of(List.of(before), t -> t.ref().pathspec(), zero);
        Snapshot<Task> b = Snapshot.of(List.of(after), t -> t.ref().pathspec(), zero);

        assertThat(Differ.tasks().diff(a, b)).as("a collision hides the change from a trusting differ").isEmpty();
        assertThat(Differ.tasks().exact().diff(a, b)).singleElement().isInstanceOf(Change.StatusChanged.class);
        assertThat(Differ.tasks().exact().isExact()).isTrue();
        assertThat(Differ.tasks().isExact()).isFalse();
        assertThat(Differ.tasks().exact().withKeyOrder(String::compareTo).isExact()).isTrue();

        Snapshot<Task> other = Snapshot.of(List.of(after), t -> t.ref().pathspec(), otherZero);
        assertThat(Differ.tasks().diff(a, other)).as("other functions: compared with equals").hasSize(1);
        assertThat(Differ.tasks().diff(a, Snapshot.of(List.of(after), t -> t.ref().pathspec())))
                .as("one side without fingerprints").hasSize(1);
    }

    @Test
    void the_watchers_quiet_differ_still_ignores_what_only_time_changes() {
        RunRef run = RunRef.of("F", "1");
        Differ<Task> quiet = Resources.tasks(run).differ();
        Task t5 = task("F/1/s/2", Status.RUNNING, "heartbeat 5 s ago", 1);
        Task t9 = task("F/1/s/2", Status.RUNNING, "heartbeat 9 s ago", 1);
        Task min = task("F/1/s/2", Status.RUNNING, "heartbeat 1 min ago", 1);
        Task done = task("F/1/s/2", Status.COMPLETED, "succeeded", 1);

        assertThat(Fingerprint.tasks().of(t5)).isNotEqualTo(Fingerprint.tasks().of(t9));
        assertThat(quiet.diff(tasks(t5), tasks(t9))).as("fingerprints differ, the equivalence says same").isEmpty();
        assertThat(quiet.diff(tasks(t5), tasks(min))).singleElement().isInstanceOf(Change.Updated.class);
        assertThat(quiet.diff(tasks(t5), tasks(done))).singleElement().isInstanceOf(Change.StatusChanged.class);
        assertThat(Resources.tasks(run).strictDiffer().isExact()).isTrue();
        assertThat(Resources.tasks(run).strictDiffer().diff(tasks(t5), tasks(t9))).hasSize(1);
    }

    private static Snapshot<Task> tasks(Task... tasks) {
        return Snapshot.of(List.of(tasks), t -> t.ref().pathspec(), Fingerprint.tasks());
    }
}

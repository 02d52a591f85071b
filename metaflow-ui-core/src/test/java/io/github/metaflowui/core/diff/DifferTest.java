package io.github.metaflowui.core.diff;

import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.github.metaflowui.core.diff.Entities.run;
import static io.github.metaflowui.core.diff.Entities.task;
import static io.github.metaflowui.core.diff.Entities.withTags;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/** The diff engine, case by case: each row is (before, after) and the changes expected, in order. */
class DifferTest {
    private static final Differ<Run> RUNS = Differ.runs();

    private static Snapshot<Run> runs(Run... runs) {
        return Snapshot.of(List.of(runs), r -> r.ref().pathspec());
    }

    /** A change as text: "added F/1 running", "removed F/1", "status F/1 running->failed (why)", "updated F/1". */
    private static String describe(Change<Run> c) {
        if (c instanceof Change.Added<Run> a) {
            return "added " + a.key() + " " + a.entity().status().status().wireName();
        }
        if (c instanceof Change.Removed<Run> r) {
            return "removed " + r.key();
        }
        if (c instanceof Change.StatusChanged<Run> s) {
            return "status " + s.key() + " " + s.from().status().wireName() + "->" + s.to().status().wireName()
                    + " (" + s.to().reason() + ")";
        }
        return "updated " + c.key();
    }

    static Stream<Arguments> cases() {
        Run r1 = run("F/1", Status.RUNNING, "heartbeat 5 s ago");
        Run r2 = run("F/2", Status.COMPLETED);
        Run r10 = run("F/10", Status.FAILED);
        return Stream.of(
                Arguments.of("both empty", runs(), runs(), List.of()),
                Arguments.of("identical", runs(r1, r2), runs(r1, r2), List.of()),
                Arguments.of("equal but other instances", runs(r1),
                        runs(run("F/1", Status.RUNNING, "heartbeat 5 s ago")), List.of()),
                Arguments.of("order of a snapshot does not matter", runs(r1, r2), runs(r2, r1), List.of()),
                Arguments.of("added", runs(r1), runs(r1, r2), List.of("added F/2 completed")),
                Arguments.of("removed", runs(r1, r2), runs(r1), List.of("removed F/2")),
                Arguments.of("from empty", runs(), runs(r2, r1), List.of("added F/1 running", "added F/2 completed")),
                Arguments.of("to empty", runs(r1, r2), runs(), List.of("removed F/1", "removed F/2")),
                Arguments.of("status changed, with the reason", runs(r1),
                        runs(run("F/1", Status.FAILED, "no heartbeat for 7 min")),
                        List.of("status F/1 running->failed (no heartbeat for 7 min)")),
                Arguments.of("only the reason changed", runs(r1), runs(run("F/1", Status.RUNNING, "heartbeat 9 s ago")),
                        List.of("updated F/1")),
                Arguments.of("tags changed", runs(r2), runs(withTags(r2, "env:prod")), List.of("updated F/2")),
                Arguments.of("status and tags changed: a status change", runs(r1),
                        runs(withTags(run("F/1", Status.COMPLETED, "end step succeeded"), "x")),
                        List.of("status F/1 running->completed (end step succeeded)")),
                Arguments.of("mixed, ordered by pathspec with numeric ids", runs(r10, r2, r1),
                        runs(run("F/1", Status.COMPLETED, "end step succeeded"), run("F/3", Status.RUNNING), r10),
                        List.of("status F/1 running->completed (end step succeeded)", "removed F/2",
                                "added F/3 running")),
                Arguments.of("numeric run ids sort by value", runs(), runs(r10, r2, r1),
                        List.of("added F/1 running", "added F/2 completed", "added F/10 failed")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void yields_the_expected_changes(String name, Snapshot<Run> before, Snapshot<Run> after, List<String> expected) {
        List<Change<Run>> changes = RUNS.diff(before, after);

        assertThat(changes).map(DifferTest::describe).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fingerprinted_snapshots_yield_the_same_changes_trusted_or_exact(String name, Snapshot<Run> before,
                                                                         Snapshot<Run> after, List<String> expected) {
        Snapshot<Run> b = fingerprinted(before);
        Snapshot<Run> a = fingerprinted(after);

        assertThat(b.isFingerprinted()).isTrue();
        assertThat(RUNS.diff(b, a)).map(DifferTest::describe).containsExactlyElementsOf(expected);
        assertThat(RUNS.exact().diff(b, a)).isEqualTo(RUNS.diff(b, a));
        assertThat(RUNS.diff(before, a)).as("one side without fingerprints").isEqualTo(RUNS.diff(b, a));
        Snapshot<Run> applied = Differ.apply(b, RUNS.diff(b, a));
        assertThat(applied).isEqualTo(after);
        assertThat(applied.isFingerprinted()).isTrue();
        assertThat(RUNS.diff(applied, a)).isEmpty();
    }

    private static Snapshot<Run> fingerprinted(Snapshot<Run> s) {
        return Snapshot.of(s.values(), r -> r.ref().pathspec(), Fingerprint.runs());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void applying_the_changes_gives_the_newer_snapshot(String name, Snapshot<Run> before, Snapshot<Run> after,
                                                       List<String> expected) {
        assertThat(Differ.apply(before, RUNS.diff(before, after))).isEqualTo(after);
        assertThat(RUNS.diff(after, after)).isEmpty();
    }

    @Test
    void status_change_carries_both_entities_and_both_reasons() {
        Run before = run("F/1", Status.RUNNING, "heartbeat 5 s ago");
        Run after = run("F/1", Status.FAILED, "no heartbeat for 7 min");

        List<Change<Run>> changes = RUNS.diff(runs(before), runs(after));

        assertThat(changes).singleElement().isInstanceOfSatisfying(Change.StatusChanged.class, c -> {
            assertThat(c.previous()).isSameAs(before);
            assertThat(c.entity()).isSameAs(after);
            assertThat(c.from().reason()).isEqualTo("heartbeat 5 s ago");
            assertThat(c.to().reason()).isEqualTo("no heartbeat for 7 min");
        });
    }

    @Test
    void removal_carries_the_entity_as_it_was() {
        Run gone = run("F/1", Status.RUNNING);

        assertThat(RUNS.diff(runs(gone), runs())).singleElement()
                .isInstanceOfSatisfying(Change.Removed.class, c -> assertThat(c.entity()).isSameAs(gone));
    }

    @Test
    void task_attempts_count_as_changes() {
        Differ<Task> tasks = Differ.tasks();
        Snapshot<Task> before = Snapshot.of(List.of(task("F/1/s/2", Status.RUNNING, "attempt 0 running", 1)),
                t -> t.ref().pathspec());
        Snapshot<Task> retried = Snapshot.of(List.of(task("F/1/s/2", Status.RUNNING, "attempt 0 running", 2)),
                t -> t.ref().pathspec());

        assertThat(tasks.diff(before, retried)).singleElement().isInstanceOf(Change.Updated.class);
    }

    @Test
    void an_equivalence_hides_what_it_calls_the_same() {
        Differ<Run> statusOnly = RUNS.withEquivalence((a, b) -> a.status().status() == b.status().status());
        Snapshot<Run> before = runs(run("F/1", Status.RUNNING, "heartbeat 5 s ago"));

        assertThat(statusOnly.diff(before, runs(run("F/1", Status.RUNNING, "heartbeat 9 s ago")))).isEmpty();
        assertThat(statusOnly.diff(before, runs(run("F/1", Status.FAILED)))).hasSize(1);
    }

    @Test
    void a_custom_key_order_orders_the_changes() {
        Differ<Run> reversed = RUNS.withKeyOrder(Differ.PATHSPEC_ORDER.reversed());

        assertThat(reversed.diff(runs(), runs(run("F/1", Status.RUNNING), run("F/2", Status.RUNNING))))
                .map(Change::key).containsExactly("F/2", "F/1");
    }

    @ParameterizedTest(name = "{0} < {1}")
    @CsvSource({
            "F/9, F/10",
            "F/2/start/9, F/2/start/10",
            "F/9/bx, F/10/a",
            "A/1, B/1",
            "F/1, F/1/start",
            "F/123, F/argo-1",
            "F/007, F/7",
            "F/7, F/08",
            "F/1/end/3, F/1/start/1",
            "F/1/x, F/1/x/1",
            "'', F",
    })
    void pathspec_order(String smaller, String larger) {
        assertThat(Differ.PATHSPEC_ORDER.compare(smaller, larger)).isNegative();
        assertThat(Differ.PATHSPEC_ORDER.compare(larger, smaller)).isPositive();
        assertThat(Differ.PATHSPEC_ORDER.compare(smaller, new String(smaller))).isZero();
    }

    @Test
    void pathspec_order_is_antisymmetric_and_zero_only_for_equal_keys() {
        List<String> keys = new ArrayList<>(List.of("F/1", "F/01", "F/1/", "F//1", "F/a", "F", "", "/", "F/1/a/2"));
        for (String a : keys) {
            for (String b : keys) {
                int ab = Integer.signum(Differ.PATHSPEC_ORDER.compare(a, b));
                int ba = Integer.signum(Differ.PATHSPEC_ORDER.compare(b, a));
                assertThat(ab).as("'%s' vs '%s'", a, b).isEqualTo(-ba);
                assertThat(ab == 0).as("'%s' vs '%s'", a, b).isEqualTo(a.equals(b));
            }
        }
    }

    @Test
    void a_snapshot_rejects_two_entities_with_one_key() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> runs(run("F/1", Status.RUNNING), run("F/1", Status.FAILED)))
                .withMessage("two entities have the key 'F/1'");
    }

    @Test
    void a_snapshot_rejects_null_keys_and_entities() {
        Map<String, Run> withNull = new java.util.HashMap<>();
        withNull.put("F/1", null);

        assertThatNullPointerException().isThrownBy(() -> Snapshot.ofMap(withNull)).withMessage("entity");
        assertThatNullPointerException().isThrownBy(() -> Snapshot.of(List.of(run("F/1", Status.RUNNING)), r -> null))
                .withMessage("key");
    }

    @Test
    void a_snapshot_keeps_its_order_and_answers_lookups() {
        Run a = run("F/2", Status.RUNNING);
        Run b = run("F/1", Status.RUNNING);
        Snapshot<Run> s = runs(a, b);

        assertThat(s.keys()).containsExactly("F/2", "F/1");
        assertThat(s.values()).containsExactly(a, b);
        assertThat(s.get("F/1")).contains(b);
        assertThat(s.get("F/3")).isEmpty();
        assertThat(s.contains("F/2")).isTrue();
        assertThat(s.size()).isEqualTo(2);
        assertThat(Snapshot.<Run>empty().isEmpty()).isTrue();
        assertThat(Snapshot.of("F/2", a)).isEqualTo(Snapshot.of(List.of(a), r -> r.ref().pathspec()));
        assertThat(s.toString()).isEqualTo("Snapshot[2 entities]");
        assertThat(RunRef.of("F", "2").pathspec()).isEqualTo("F/2");
    }
}

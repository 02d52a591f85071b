package io.github.metaflowui.core.diff;

import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.github.metaflowui.core.diff.Entities.copy;
import static io.github.metaflowui.core.diff.Entities.task;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of the diff engine over random snapshots (seeded, so a failure repeats):
 * {@code diff(a, a)} is empty, {@code apply(a, diff(a, b))} equals {@code b}, there is at most one
 * change per key, the changes are sorted, and {@code diff(b, a)} is the mirror of {@code diff(a, b)};
 * fingerprinted copies of the snapshots give the same changes, trusted or exact.
 */
class DifferPropertyTest {
    private static final Differ<Task> TASKS = Differ.tasks();
    private static final Status[] STATUSES = Status.values();

    /** A random snapshot of up to {@code size} tasks whose keys come from a pool of {@code pool} pathspecs. */
    private static Snapshot<Task> randomSnapshot(Random rnd, int size, int pool) {
        Map<String, Task> m = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            String key = "Flow/" + (1 + rnd.nextInt(3)) + "/step" + rnd.nextInt(3) + "/" + rnd.nextInt(pool);
            m.put(key, task(key, STATUSES[rnd.nextInt(STATUSES.length)], "reason " + rnd.nextInt(3),
                    1 + rnd.nextInt(2)));
        }
        return Snapshot.ofMap(m);
    }

    /** A copy of {@code a} (distinct instances) where about {@code percent} % of the entities changed, were removed or added. */
    private static Snapshot<Task> mutate(Random rnd, Snapshot<Task> a, int percent) {
        Map<String, Task> m = new LinkedHashMap<>();
        int n = 0;
        for (Task t : a.values()) {
            int roll = rnd.nextInt(100 * 3);
            if (roll < percent) {
                continue; // removed
            } else if (roll < 2 * percent) {
                m.put(t.ref().pathspec(), task(t.ref().pathspec(), STATUSES[rnd.nextInt(STATUSES.length)],
                        "changed " + n++, t.attempts().size()));
            } else if (roll < 3 * percent) {
                m.put(t.ref().pathspec(), task(t.ref().pathspec(), t.status().status(), "reason changed " + n++,
                        t.attempts().size()));
            } else {
                m.put(t.ref().pathspec(), copy(t));
            }
        }
        int adds = Math.max(1, a.size() * percent / 300);
        for (int i = 0; i < adds; i++) {
            String key = "New/" + rnd.nextInt(1_000_000) + "/s/" + i;
            m.put(key, task(key, Status.PENDING));
        }
        return Snapshot.ofMap(m);
    }

    private static void assertProperties(Snapshot<Task> a, Snapshot<Task> b) {
        List<Change<Task>> ab = TASKS.diff(a, b);
        List<Change<Task>> ba = TASKS.diff(b, a);

        assertThat(TASKS.diff(a, a)).isEmpty();
        assertThat(TASKS.diff(a, Snapshot.ofMap(a.asMap()))).isEmpty();
        assertThat(Differ.apply(a, ab)).isEqualTo(b);
        assertThat(Differ.apply(b, ba)).isEqualTo(a);

        Set<String> keys = new HashSet<>();
        for (Change<Task> c : ab) {
            assertThat(keys.add(c.key())).as("one change per key: %s", c.key()).isTrue();
        }
        List<String> sorted = new ArrayList<>(ab.stream().map(Change::key).toList());
        sorted.sort(Differ.PATHSPEC_ORDER);
        assertThat(ab).map(Change::key).containsExactlyElementsOf(sorted);

        // mirror: added <-> removed, status/updated stay on the same keys with the roles swapped
        assertThat(ba).hasSameSizeAs(ab);
        for (int i = 0; i < ab.size(); i++) {
            Change<Task> x = ab.get(i);
            Change<Task> y = ba.get(i);
            assertThat(y.key()).isEqualTo(x.key());
            if (x instanceof Change.Added<Task> added) {
                assertThat(y).isInstanceOfSatisfying(Change.Removed.class, r -> assertThat(r.entity()).isEqualTo(added.entity()));
            } else if (x instanceof Change.Removed<Task> removed) {
                assertThat(y).isInstanceOfSatisfying(Change.Added.class, r -> assertThat(r.entity()).isEqualTo(removed.entity()));
            } else if (x instanceof Change.StatusChanged<Task> s) {
                assertThat(y).isInstanceOfSatisfying(Change.StatusChanged.class, r -> {
                    assertThat(r.from()).isEqualTo(s.to());
                    assertThat(r.to()).isEqualTo(s.from());
                });
            } else {
                assertThat(y).isInstanceOf(Change.Updated.class);
            }
        }
        // exactly the keys whose entities differ are reported
        Set<String> differing = new HashSet<>();
        for (String k : a.keys()) {
            if (!b.get(k).equals(a.get(k))) {
                differing.add(k);
            }
        }
        for (String k : b.keys()) {
            if (!a.contains(k)) {
                differing.add(k);
            }
        }
        assertThat(keys).isEqualTo(differing);

        // fingerprinted copies (new instances, fingerprinted as they are added) give the very same changes,
        // whether the differ trusts the fingerprints or not
        Snapshot<Task> fa = fingerprinted(a);
        Snapshot<Task> fb = fingerprinted(b);
        assertThat(TASKS.diff(fa, fb)).isEqualTo(ab);
        assertThat(TASKS.exact().diff(fa, fb)).isEqualTo(ab);
        assertThat(TASKS.diff(fa, fa)).isEmpty();
        assertThat(TASKS.diff(fa, fingerprinted(a))).isEmpty();
        assertThat(Differ.apply(fa, ab)).isEqualTo(b);
    }

    private static Snapshot<Task> fingerprinted(Snapshot<Task> s) {
        Snapshot.Builder<Task> b = Snapshot.builder(Fingerprint.tasks());
        for (Task t : s.values()) {
            Task c = copy(t);
            b.add(c.ref().pathspec(), c);
        }
        return b.build();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 1234, 99991})
    void random_unrelated_snapshots(long seed) {
        Random rnd = new Random(seed);
        for (int i = 0; i < 200; i++) {
            Snapshot<Task> a = randomSnapshot(rnd, rnd.nextInt(40), 25);
            Snapshot<Task> b = randomSnapshot(rnd, rnd.nextInt(40), 25);
            assertProperties(a, b);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 8, 9})
    void random_snapshots_and_their_mutations(long seed) {
        Random rnd = new Random(seed);
        for (int i = 0; i < 200; i++) {
            Snapshot<Task> a = randomSnapshot(rnd, rnd.nextInt(60), 1000);
            assertProperties(a, mutate(rnd, a, 1 + rnd.nextInt(60)));
        }
    }

    @Test
    void a_hundred_thousand_tasks_with_one_percent_changed() {
        Random rnd = new Random(100_000);
        List<Task> tasks = new ArrayList<>(100_000);
        for (int i = 0; i < 100_000; i++) {
            tasks.add(task("BigFlow/12/square/" + (i + 2), i % 7 == 0 ? Status.RUNNING : Status.COMPLETED));
        }
        Snapshot<Task> a = Snapshot.of(tasks, t -> t.ref().pathspec());
        Snapshot<Task> b = mutate(rnd, a, 1);

        assertProperties(a, b);
        assertThat(TASKS.diff(a, b).size()).isBetween(500, 1500);
    }
}

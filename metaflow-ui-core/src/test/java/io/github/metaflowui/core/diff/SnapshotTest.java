package io.github.metaflowui.core.diff;

import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Task;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.metaflowui.core.diff.Entities.copy;
import static io.github.metaflowui.core.diff.Entities.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The flat snapshot: its map view behaves like the ordered map it replaces; fingerprints stay out of equality. */
class SnapshotTest {

    private static List<Task> tasks(int n) {
        List<Task> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(task("F/1/s/" + (n - i), i % 3 == 0 ? Status.RUNNING : Status.COMPLETED));
        }
        return list;
    }

    @Test
    void the_map_view_equals_the_ordered_map_of_the_same_entities() {
        List<Task> list = tasks(2_000);
        Map<String, Task> expected = new LinkedHashMap<>();
        list.forEach(t -> expected.put(t.ref().pathspec(), t));
        Snapshot<Task> s = Snapshot.of(list, t -> t.ref().pathspec(), Fingerprint.tasks());

        assertThat(s.asMap()).isEqualTo(expected);
        assertThat(expected).isEqualTo(s.asMap());
        assertThat(s.asMap().hashCode()).isEqualTo(expected.hashCode());
        assertThat(s.hashCode()).isEqualTo(expected.hashCode());
        assertThat(s.keys()).containsExactlyElementsOf(expected.keySet());
        assertThat(s.values()).containsExactlyElementsOf(expected.values());
        assertThat(s.asMap().entrySet()).containsExactlyElementsOf(expected.entrySet());
        for (String k : expected.keySet()) {
            assertThat(s.get(new String(k))).contains(expected.get(k));
            assertThat(s.contains(k)).isTrue();
            assertThat(s.asMap().containsKey(k)).isTrue();
        }
        assertThat(s.get("F/1/s/0")).isEmpty();
        assertThat(s.contains(null)).isFalse();
        assertThat(s.asMap().get(42)).isNull();
        assertThatThrownBy(() -> s.asMap().put("x", list.get(0))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> s.values().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void equality_ignores_order_and_fingerprints() {
        List<Task> list = tasks(50);
        List<Task> reversed = new ArrayList<>();
        list.forEach(t -> reversed.add(0, copy(t)));
        Snapshot<Task> plain = Snapshot.of(list, t -> t.ref().pathspec());
        Snapshot<Task> fp = Snapshot.of(reversed, t -> t.ref().pathspec(), Fingerprint.tasks());

        assertThat(fp).isEqualTo(plain);
        assertThat(plain).isEqualTo(fp);
        assertThat(fp.hashCode()).isEqualTo(plain.hashCode());
        assertThat(fp.isFingerprinted()).isTrue();
        assertThat(plain.isFingerprinted()).isFalse();
        assertThat(fp.toString()).isEqualTo("Snapshot[50 entities, fingerprinted]");
        assertThat(plain).isNotEqualTo(Snapshot.of(list.subList(1, 50), t -> t.ref().pathspec()));
        assertThat(Snapshot.empty()).isEqualTo(Snapshot.ofMap(Map.of()));
    }

    @Test
    void a_builder_rejects_a_duplicate_key_and_a_second_use() {
        Snapshot.Builder<Task> b = Snapshot.builder(Fingerprint.tasks());
        b.add("a", task("F/1/s/1", Status.RUNNING)).add("b", task("F/1/s/2", Status.RUNNING))
                .add("a", task("F/1/s/3", Status.RUNNING));
        assertThatIllegalArgumentException().isThrownBy(b::build).withMessage("two entities have the key 'a'");

        Snapshot.Builder<Task> once = Snapshot.builder();
        once.add("a", task("F/1/s/1", Status.RUNNING)).build();
        assertThatIllegalStateException().isThrownBy(once::build);
        assertThatIllegalStateException().isThrownBy(() -> once.add("b", task("F/1/s/2", Status.RUNNING)));
    }
}

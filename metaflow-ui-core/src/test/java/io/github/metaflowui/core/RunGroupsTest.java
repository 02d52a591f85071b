package io.github.metaflowui.core;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link RunGroups#of}: the grouping every backend gets by default. */
class RunGroupsTest {
    private static Run run(String flow, int id, String user) {
        return new Run(RunRef.of(flow, Integer.toString(id)), user, Optional.empty(), Instant.ofEpochSecond(1_000_000 - id),
                List.of(), List.of(), StatusInfo.of(Status.COMPLETED, ""), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** Newest first: A B A C A A B ... */
    private static List<Run> list() {
        List<Run> out = new ArrayList<>();
        String[] flows = {"A", "B", "A", "C", "A", "A", "B", "A", "A"};
        for (int i = 0; i < flows.length; i++) {
            out.add(run(flows[i], i + 1, i % 2 == 0 ? "ann" : "bob"));
        }
        return out;
    }

    @Test
    void groups_come_in_the_order_of_their_first_run_with_capped_runs_and_counts() {
        RunGroups g = RunGroups.of(list(), RunGroups.By.FLOW, 2, Optional.empty(), 10, 1000);
        assertThat(g.groups()).extracting(RunGroups.Group::key).containsExactly("A", "B", "C");
        assertThat(g.groups()).extracting(RunGroups.Group::count).containsExactly(6L, 2L, 1L);
        assertThat(g.groups().get(0).runs()).extracting(r -> r.id().value()).containsExactly("1", "3");
        assertThat(g.groups()).extracting(RunGroups.Group::more).containsExactly(true, false, false);
        assertThat(g.more()).isFalse();
        assertThat(g.exact()).isTrue();
        assertThat(g.scanned()).isEqualTo(9);
        assertThat(RunGroups.of(list(), RunGroups.By.USER, 6, Optional.empty(), 10, 1000).groups())
                .extracting(RunGroups.Group::key).containsExactly("ann", "bob");
    }

    @Test
    void pages_continue_after_a_group_key_and_bounds_are_reported() {
        RunGroups first = RunGroups.of(list(), RunGroups.By.FLOW, 2, Optional.empty(), 2, 1000);
        assertThat(first.groups()).extracting(RunGroups.Group::key).containsExactly("A", "B");
        assertThat(first.more()).isTrue();
        RunGroups next = RunGroups.of(list(), RunGroups.By.FLOW, 2, Optional.of("B"), 2, 1000);
        assertThat(next.groups()).extracting(RunGroups.Group::key).containsExactly("C");
        assertThat(next.more()).isFalse();

        RunGroups bounded = RunGroups.of(list(), RunGroups.By.FLOW, 2, Optional.empty(), 10, 3);
        assertThat(bounded.exact()).isFalse();
        assertThat(bounded.scanned()).isEqualTo(3);
        assertThat(bounded.groups()).extracting(RunGroups.Group::count).containsExactly(2L, 1L);

        assertThatThrownBy(() -> RunGroups.of(list(), RunGroups.By.FLOW, 2, Optional.of("Z"), 2, 1000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start again");
    }
}

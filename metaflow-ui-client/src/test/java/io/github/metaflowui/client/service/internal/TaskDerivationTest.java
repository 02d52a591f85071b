package io.github.metaflowui.client.service.internal;

import io.github.metaflowui.client.service.internal.Rows.MetaRow;
import io.github.metaflowui.client.service.internal.Rows.TaskRow;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Attempts and statuses from metadata records, as the UI backend derives them (contract §3.6). */
class TaskDerivationTest {
    static final long T0 = 1_796_000_000_000L;
    static final TaskRef REF = TaskRef.of("F", "1", "s", "9");

    static MetaRow meta(long id, String field, String value, long ts, int attempt) {
        return new MetaRow(id, "s", "9", field, value, field, "alice", ts, List.of("attempt_id:" + attempt));
    }

    static Clock at(long millis) {
        return Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }

    @Test
    void a_started_attempt_with_a_fresh_heartbeat_is_running_and_a_stale_one_failed() {
        List<MetaRow> meta = List.of(meta(1, "attempt", "0", T0 + 100, 0));
        TaskRow row = new TaskRow("s", "9", T0, Optional.of((T0 + 30_000) / 1000));
        Task fresh = TaskDerivation.task(REF, row, meta, at(T0 + 40_000));
        assertThat(fresh.status().status()).isEqualTo(Status.RUNNING);
        Task stale = TaskDerivation.task(REF, row, meta, at(T0 + 200_000));
        assertThat(stale.status().status()).isEqualTo(Status.FAILED);
        assertThat(stale.status().reason()).startsWith("no heartbeat for 2 min");
    }

    @Test
    void a_registered_task_without_attempts_is_pending() {
        Task t = TaskDerivation.task(REF, new TaskRow("s", "9", T0, Optional.empty()), List.of(), at(T0 + 1000));
        assertThat(t.attempts()).isEmpty();
        assertThat(t.status().status()).isEqualTo(Status.PENDING);
    }

    @Test
    void done_without_outcome_is_unknown_and_a_next_attempt_fails_the_previous() {
        List<MetaRow> meta = List.of(meta(1, "attempt", "0", T0 + 10, 0), meta(2, "attempt-done", "0", T0 + 20, 0),
                meta(3, "attempt", "1", T0 + 30, 1));
        Task t = TaskDerivation.task(REF, new TaskRow("s", "9", T0, Optional.empty()), meta, at(T0 + 40));
        assertThat(t.attempts()).extracting(a -> a.status().status()).containsExactly(Status.UNKNOWN, Status.RUNNING);
        List<MetaRow> retried = List.of(meta(1, "attempt", "0", T0 + 10, 0), meta(3, "attempt", "1", T0 + 30, 1));
        Task r = TaskDerivation.task(REF, new TaskRow("s", "9", T0, Optional.empty()), retried, at(T0 + 40));
        assertThat(r.attempts().get(0).status().reason()).isEqualTo("attempt 0 was followed by attempt 1");
    }

    @Test
    void foreach_label_pairs_the_stack_with_the_execution_path() {
        List<MetaRow> meta = List.of(meta(1, "foreach-stack", "{letters=b,numbers=1}", T0, 0),
                meta(2, "foreach-execution-path", "outer:1,inner:0", T0, 0));
        assertThat(TaskDerivation.foreachLabel(meta)).contains("letters[1]=b, numbers[0]=1");
        assertThat(TaskDerivation.foreachLabel(List.of(meta(1, "foreach-stack", "[\"items=3\"]", T0, 0))))
                .contains("items=3");
        assertThat(TaskDerivation.frames("{\"a b=1\",\"c\\\"d=2\",x=3}")).containsExactly("a b=1", "c\"d=2", "x=3");
        assertThat(TaskDerivation.frames("{}")).isEmpty();
    }
}

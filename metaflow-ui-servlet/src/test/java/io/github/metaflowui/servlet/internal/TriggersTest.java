package io.github.metaflowui.servlet.internal;

import io.github.metaflowui.core.RunRef;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TriggersTest {
    private static final RunRef RUN = RunRef.of("F", "1");

    @Test
    void unreadable_records_give_no_triggers() {
        assertThat(Triggers.parse("not json", RUN)).isEmpty();
        assertThat(Triggers.parse("{\"a\": 1}", RUN)).isEmpty();
        assertThat(Triggers.parse("null", RUN)).isEmpty();
    }

    @Test
    void odd_entries_are_skipped_or_kept_without_a_link() {
        List<Triggers.Trigger> t = Triggers.parse(
                "[1, {\"type\": \"run\", \"id\": \"no-pathspec\", \"timestamp\": \"x\"},"
                        + " {\"type\": \"run\", \"id\": \"Up/7/end/9\", \"timestamp\": 1796301599123}]", RUN);
        assertThat(t).hasSize(2);
        assertThat(t.get(0).flow()).isNull();
        assertThat(t.get(0).timestampMillis()).isNull();
        assertThat(t.get(1).flow()).isEqualTo("Up");
        assertThat(t.get(1).run()).isEqualTo("7");
        assertThat(t.get(1).timestampMillis()).isEqualTo(1796301599123L); // already milliseconds
    }
}

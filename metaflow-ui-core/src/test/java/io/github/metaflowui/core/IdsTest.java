package io.github.metaflowui.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/** RunId / TaskId ordering without parsing, and the refs built from them. */
class IdsTest {

    @ParameterizedTest(name = "{0} < {1}")
    @CsvSource({
            "2, 10",
            "9, 12",
            "99, 100",
            "1796301579117609, 1796301600405831",
            // 2^53 and beyond: a double would lose them
            "9007199254740992, 9007199254740993",
            // 2^63 - 1 < 2^63 < 2^64: a long would overflow
            "9223372036854775807, 9223372036854775808",
            "9223372036854775808, 18446744073709551616",
            "99999999999999999999999999, 100000000000000000000000000",
            // numeric ids come before all others
            "99999999999999999999, argo-flow-abc12",
            "0, a",
            "12, 12a",
            "12a, 12b",
            // others compare lexically
            "argo-train-x7k2p, sfn-1a2b",
            "Abc, abc",
            // equal magnitude: the shorter spelling first, so ordering stays consistent with equals
            "007, 7",
            "0, 00"
    })
    void run_ids_order_numerically_by_magnitude_then_other_ids(String smaller, String larger) {
        RunId a = RunId.of(smaller);
        RunId b = RunId.of(larger);

        assertThat(a.compareTo(b)).isNegative();
        assertThat(b.compareTo(a)).isPositive();
        assertThat(TaskId.of(smaller).compareTo(TaskId.of(larger))).isNegative();
        assertThat(TaskId.of(larger).compareTo(TaskId.of(smaller))).isPositive();
    }

    @Test
    void equal_ids_compare_as_zero() {
        assertThat(RunId.of("1796301579117609").compareTo(RunId.of("1796301579117609"))).isZero();
        assertThat(TaskId.of("argo-x").compareTo(TaskId.of("argo-x"))).isZero();
    }

    @Test
    void ordering_is_consistent_with_equals_so_sorted_sets_keep_distinct_ids() {
        TreeSet<TaskId> ids = new TreeSet<>(List.of(TaskId.of("7"), TaskId.of("007"), TaskId.of("07")));

        assertThat(ids).extracting(TaskId::value).containsExactly("007", "07", "7");
    }

    @Test
    void sorting_mixed_ids_puts_numbers_first_by_size_then_names() {
        List<String> values = List.of("sfn-1", "10", "18446744073709551616", "2", "argo-b", "9007199254740993",
                "argo-a", "1");
        List<RunId> ids = new ArrayList<>(values.stream().map(RunId::of).toList());
        Collections.shuffle(ids, new Random(7));

        Collections.sort(ids);

        assertThat(ids).extracting(RunId::value).containsExactly("1", "2", "10", "9007199254740993",
                "18446744073709551616", "argo-a", "argo-b", "sfn-1");
    }

    @Test
    void ids_keep_the_exact_string_they_were_given() {
        RunId big = RunId.of("18446744073709551616");

        assertThat(big.value()).isEqualTo("18446744073709551616");
        assertThat(big).hasToString("18446744073709551616");
        assertThat(TaskId.of("0042").value()).isEqualTo("0042");
    }

    @ParameterizedTest
    @CsvSource({"1796301579117609, true", "12, true", "0042, true", "argo-x, false", "12a, false", "-1, false",
            "1.5, false", "'١٢', false"})
    void numeric_means_ascii_digits_only(String value, boolean numeric) {
        assertThat(RunId.of(value).isNumeric()).isEqualTo(numeric);
        assertThat(TaskId.of(value).isNumeric()).isEqualTo(numeric);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t", "  \n"})
    void blank_ids_are_rejected(String blank) {
        assertThatIllegalArgumentException().isThrownBy(() -> RunId.of(blank)).withMessage("run id must not be blank");
        assertThatIllegalArgumentException().isThrownBy(() -> TaskId.of(blank)).withMessage("task id must not be blank");
    }

    @Test
    void null_ids_are_rejected() {
        assertThatNullPointerException().isThrownBy(() -> RunId.of(null)).withMessage("value");
        assertThatNullPointerException().isThrownBy(() -> TaskId.of(null)).withMessage("value");
    }

    @Test
    void task_ref_parses_a_pathspec() {
        TaskRef ref = TaskRef.parse("LinearFlow/1796301579117609/end/3");

        assertThat(ref.run()).isEqualTo(RunRef.of("LinearFlow", "1796301579117609"));
        assertThat(ref.run().flow()).isEqualTo("LinearFlow");
        assertThat(ref.step()).isEqualTo(StepRef.of("LinearFlow", "1796301579117609", "end"));
        assertThat(ref.task()).isEqualTo(TaskId.of("3"));
        assertThat(ref.pathspec()).isEqualTo("LinearFlow/1796301579117609/end/3");
        assertThat(ref).hasToString("LinearFlow/1796301579117609/end/3");
        assertThat(ref).isEqualTo(TaskRef.of("LinearFlow", "1796301579117609", "end", "3"));
    }

    @Test
    void task_ref_parses_scheduler_ids() {
        TaskRef ref = TaskRef.parse("TrainFlow/argo-trainflow-x7k2p/train/t-0a1b2c");

        assertThat(ref.run().run().isNumeric()).isFalse();
        assertThat(ref.task().value()).isEqualTo("t-0a1b2c");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "LinearFlow/1/end; expected Flow/Run/Step/Task, got 'LinearFlow/1/end'",
            "LinearFlow/1/end/3/4; expected Flow/Run/Step/Task, got 'LinearFlow/1/end/3/4'",
            "LinearFlow; expected Flow/Run/Step/Task, got 'LinearFlow'",
            "LinearFlow/1/end/3/; expected Flow/Run/Step/Task, got 'LinearFlow/1/end/3/'",
            "/1/end/3; flow name must not be blank",
            "LinearFlow//end/3; run id must not be blank",
            "LinearFlow/1//3; step name must not be blank",
            "LinearFlow/1/end/; task id must not be blank",
            "LinearFlow/1/ /3; step name must not be blank"
    })
    void task_ref_rejects_a_malformed_pathspec_with_a_clear_message(String pathspec, String message) {
        assertThatIllegalArgumentException().isThrownBy(() -> TaskRef.parse(pathspec)).withMessage(message);
    }

    @Test
    void task_ref_rejects_null_and_empty() {
        assertThatNullPointerException().isThrownBy(() -> TaskRef.parse(null)).withMessage("pathspec");
        assertThatIllegalArgumentException().isThrownBy(() -> TaskRef.parse(""))
                .withMessage("expected Flow/Run/Step/Task, got ''");
    }

    @Test
    void refs_build_down_the_hierarchy_and_print_as_pathspecs() {
        RunRef run = RunRef.of("ForeachFlow", "11");
        StepRef step = run.step("square");
        TaskRef task = step.task("63");

        assertThat(run.pathspec()).isEqualTo("ForeachFlow/11");
        assertThat(step.pathspec()).isEqualTo("ForeachFlow/11/square");
        assertThat(task.pathspec()).isEqualTo("ForeachFlow/11/square/63");
        assertThat(task.run()).isEqualTo(run);
        assertThat(step).hasToString("ForeachFlow/11/square");
        assertThat(run).hasToString("ForeachFlow/11");
    }
}

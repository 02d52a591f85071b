package io.github.metaflowui.core;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Mflog}: parsing and the merge of Metaflow's {@code merge_logs}. The lines are copied from
 * {@code FailingFlow/1796301624448446/explode/2/0.runtime_stderr.log} and {@code 0.runtime_stdout.log}
 * of the local fixture; variants (a {@code [!} marker, {@code task} source, odd messages) are derived from them.
 */
class MflogTest {
    static final String STDERR_1 = "[MFLOG|0|2026-12-03T12:40:25.627878Z|runtime|300f43e8-c7ea-4271-ab58-d0ef1f19c56c]"
            + "explode: stderr before failure";
    static final String STDERR_2 = "[MFLOG|0|2026-12-03T12:40:25.629364Z|runtime|cc63f68b-23e1-4db3-af2f-6a5dd705c0a9]"
            + "<flow FailingFlow step explode> failed:";
    static final String STDERR_3 = "[MFLOG|0|2026-12-03T12:40:25.629490Z|runtime|bfcacf5a-bf70-4180-a9e7-2bac9a929200]"
            + "    Internal error";
    static final String STDERR_4 = "[MFLOG|0|2026-12-03T12:40:25.631013Z|runtime|8984881d-316b-4c2f-8856-88c0b31c3bf6]"
            + "Traceback (most recent call last):";
    static final String STDERR_VALUE_ERROR =
            "[MFLOG|0|2026-12-03T12:40:25.632928Z|runtime|d9fec89a-1db1-4aca-b65c-95610d7a58ba]"
                    + "ValueError: boom: this step always fails";
    static final String STDERR_EMPTY = "[MFLOG|0|2026-12-03T12:40:25.632967Z|runtime|d91121cf-89d9-4d65-9574-107cc353dfea]";
    static final String STDERR_LAST = "[MFLOG|0|2026-12-03T12:40:25.735709Z|runtime|68b8953c-0d72-4da7-814e-f695d2d6bc40]"
            + "Task failed.";
    static final String STDOUT_1 = "[MFLOG|0|2026-12-03T12:40:25.627622Z|runtime|7ccd58e4-8869-4fe9-bce7-c61835bda901]"
            + "explode: about to fail";

    static final List<String> STDERR_IN_FILE_ORDER = List.of(STDERR_1, STDERR_2, STDERR_3, STDERR_4,
            STDERR_VALUE_ERROR, STDERR_EMPTY, STDERR_LAST);

    @Nested
    class Parse {
        @Test
        void parses_a_runtime_line_into_its_parts() {
            Mflog.Line l = Mflog.parse(STDERR_1);

            assertThat(l.timestamp()).contains(Instant.parse("2026-12-03T12:40:25.627878Z"));
            assertThat(l.timestampText()).isEqualTo("2026-12-03T12:40:25.627878");
            assertThat(l.persist()).isFalse();
            assertThat(l.source()).isEqualTo("runtime");
            assertThat(l.lineId()).isEqualTo("300f43e8-c7ea-4271-ab58-d0ef1f19c56c");
            assertThat(l.message()).isEqualTo("explode: stderr before failure");
        }

        @Test
        void keeps_leading_whitespace_of_the_message() {
            assertThat(Mflog.parse(STDERR_3).message()).isEqualTo("    Internal error");
        }

        @Test
        void strips_the_should_persist_marker_and_remembers_it() {
            Mflog.Line l = Mflog.parse("[!" + STDERR_2);

            assertThat(l.persist()).isTrue();
            assertThat(l.timestamp()).contains(Instant.parse("2026-12-03T12:40:25.629364Z"));
            assertThat(l.source()).isEqualTo("runtime");
            assertThat(l.lineId()).isEqualTo("cc63f68b-23e1-4db3-af2f-6a5dd705c0a9");
            assertThat(l.message()).isEqualTo("<flow FailingFlow step explode> failed:");
        }

        @Test
        void parses_a_task_sourced_line_with_a_bash_date_as_its_id() {
            Mflog.Line l = Mflog.parse("[MFLOG|0|2026-12-03T12:40:25.628000Z|task|2026-12-03T12:40:25,627990000+00:00]"
                    + "hello from bash");

            assertThat(l.source()).isEqualTo("task");
            assertThat(l.lineId()).isEqualTo("2026-12-03T12:40:25,627990000+00:00");
            assertThat(l.message()).isEqualTo("hello from bash");
        }

        @Test
        void a_line_without_prefix_is_unparseable_and_kept_whole() {
            Mflog.Line l = Mflog.parse("Task failed.");

            assertThat(l.timestamp()).isEmpty();
            assertThat(l.timestampText()).isEqualTo(Mflog.MISSING_TIMESTAMP).isEqualTo("3000-01-01T00:00:00.000000");
            assertThat(l.persist()).isFalse();
            assertThat(l.source()).isEmpty();
            assertThat(l.lineId()).isEmpty();
            assertThat(l.message()).isEqualTo("Task failed.");
        }

        @ParameterizedTest
        @ValueSource(strings = {
                // month 13
                "[MFLOG|0|2026-13-03T12:40:25.627878Z|runtime|300f43e8-c7ea-4271-ab58-d0ef1f19c56c]boom",
                // no fraction: %S.%f needs the dot
                "[MFLOG|0|2026-12-03T12:40:25Z|runtime|300f43e8-c7ea-4271-ab58-d0ef1f19c56c]boom",
                // seven fraction digits: %f takes at most six
                "[MFLOG|0|2026-12-03T12:40:25.6278781Z|runtime|300f43e8-c7ea-4271-ab58-d0ef1f19c56c]boom",
                // not a time at all
                "[MFLOG|0|yesterday-ishZ|runtime|300f43e8-c7ea-4271-ab58-d0ef1f19c56c]boom",
                // a zone offset instead of Z
                "[MFLOG|0|2026-12-03T12:40:25.627878+00:00|runtime|300f43e8-c7ea-4271-ab58-d0ef1f19c56c]boom",
                // unknown format version
                "[MFLOG|1|2026-12-03T12:40:25.627878Z|runtime|300f43e8-c7ea-4271-ab58-d0ef1f19c56c]boom",
                // cut short before the closing bracket
                "[MFLOG|0|2026-12-03T12:40:25.627878Z|runtime|300f43e8-c7ea-4271",
                // prefix in the middle of a line
                "x[MFLOG|0|2026-12-03T12:40:25.627878Z|runtime|300f43e8-c7ea-4271-ab58-d0ef1f19c56c]boom",
                "",
                "[!"
        })
        void a_line_with_a_bad_prefix_or_timestamp_is_unparseable_and_kept_whole(String raw) {
            Mflog.Line l = Mflog.parse(raw);

            assertThat(l.timestamp()).isEmpty();
            assertThat(l.timestampText()).isEqualTo(Mflog.MISSING_TIMESTAMP);
            assertThat(l.source()).isEmpty();
            assertThat(l.lineId()).isEmpty();
            assertThat(l.message()).isEqualTo(raw);
        }

        @Test
        void accepts_a_fraction_of_one_to_six_digits_like_strptime() {
            assertThat(Mflog.parse("[MFLOG|0|2026-12-03T12:40:25.6Z|runtime|id]m").timestamp())
                    .contains(Instant.parse("2026-12-03T12:40:25.600Z"));
            assertThat(Mflog.parse("[MFLOG|0|2026-12-03T12:40:25.000001Z|runtime|id]m").timestamp())
                    .contains(Instant.parse("2026-12-03T12:40:25.000001Z"));
        }

        @Test
        void a_message_may_contain_brackets_and_pipes() {
            Mflog.Line l = Mflog.parse("[MFLOG|0|2026-12-03T12:40:25.629364Z|runtime|cc63f68b-23e1-4db3-af2f-6a5dd705c0a9]"
                    + "a] b | c |d] [x|y]");

            assertThat(l.source()).isEqualTo("runtime");
            assertThat(l.lineId()).isEqualTo("cc63f68b-23e1-4db3-af2f-6a5dd705c0a9");
            assertThat(l.message()).isEqualTo("a] b | c |d] [x|y]");
        }

        @Test
        void a_message_that_looks_like_a_prefix_stays_in_the_message() {
            Mflog.Line l = Mflog.parse(STDOUT_1.substring(0, STDOUT_1.indexOf(']') + 1) + STDERR_1);

            assertThat(l.lineId()).isEqualTo("7ccd58e4-8869-4fe9-bce7-c61835bda901");
            assertThat(l.message()).isEqualTo(STDERR_1);
        }

        @Test
        void an_empty_message_is_parsed_as_empty() {
            Mflog.Line l = Mflog.parse(STDERR_EMPTY);

            assertThat(l.timestamp()).contains(Instant.parse("2026-12-03T12:40:25.632967Z"));
            assertThat(l.lineId()).isEqualTo("d91121cf-89d9-4d65-9574-107cc353dfea");
            assertThat(l.message()).isEmpty();
        }

        @Test
        void keeps_unicode_messages_intact() {
            Mflog.Line l = Mflog.parse("[MFLOG|0|2026-12-03T12:41:05.000100Z|runtime|4b0c]"
                    + "unicode: héllo wörld – ✓ 日本語テキスト 🚀 Ω≈ç√");

            assertThat(l.message()).isEqualTo("unicode: héllo wörld – ✓ 日本語テキスト 🚀 Ω≈ç√");
        }
    }

    @Nested
    class ParseAndSort {
        @Test
        void keeps_a_file_already_in_order_as_it_is() {
            List<Mflog.Line> lines = Mflog.parseAndSort(STDERR_IN_FILE_ORDER);

            assertThat(lines).extracting(Mflog.Line::message).containsExactly(
                    "explode: stderr before failure", "<flow FailingFlow step explode> failed:", "    Internal error",
                    "Traceback (most recent call last):", "ValueError: boom: this step always fails", "",
                    "Task failed.");
        }

        @Test
        void orders_a_shuffled_file_by_timestamp() {
            List<String> shuffled = new ArrayList<>(STDERR_IN_FILE_ORDER);
            Collections.shuffle(shuffled, new Random(42));

            assertThat(Mflog.parseAndSort(shuffled)).isEqualTo(Mflog.parseAndSort(STDERR_IN_FILE_ORDER));
        }

        @Test
        void moves_unparseable_lines_last_sorted_among_themselves_by_text() {
            List<Mflog.Line> lines = Mflog.parseAndSort(List.of("zeta plain", STDERR_LAST, "Alpha plain",
                    STDERR_1, "ä umlaut", "Zulu", STDERR_2));

            assertThat(lines).extracting(Mflog.Line::message).containsExactly(
                    "explode: stderr before failure", "<flow FailingFlow step explode> failed:", "Task failed.",
                    "Alpha plain", "Zulu", "zeta plain", "ä umlaut");
        }

        @Test
        void a_line_with_a_bad_timestamp_goes_last_with_its_raw_text() {
            String bad = "[MFLOG|0|2026-12-03T99:40:25.000000Z|runtime|id]bad hour";

            List<Mflog.Line> lines = Mflog.parseAndSort(List.of(bad, STDERR_2, STDERR_1));

            assertThat(lines).extracting(Mflog.Line::message)
                    .containsExactly("explode: stderr before failure", "<flow FailingFlow step explode> failed:", bad);
        }

        @Test
        void unparseable_lines_compare_by_utf8_bytes_like_python() {
            // U+FF61 is EF BD A1 in UTF-8 but sorts after the surrogate pair of U+1F680 in UTF-16
            List<Mflog.Line> lines = Mflog.parseAndSort(List.of("\uD83D\uDE80 rocket", "\uFF61 halfwidth"));

            assertThat(lines).extracting(Mflog.Line::message).containsExactly("\uFF61 halfwidth", "\uD83D\uDE80 rocket");
        }

        @Test
        void orders_by_timestamp_text_not_by_instant() {
            // Same instant, different text: Metaflow sorts the strings, so the shorter text comes first
            String longText = "[MFLOG|0|2026-12-03T12:40:25.500000Z|runtime|aaaa]six digits";
            String shortText = "[MFLOG|0|2026-12-03T12:40:25.5Z|runtime|bbbb]one digit";

            assertThat(Mflog.parseAndSort(List.of(longText, shortText))).extracting(Mflog.Line::message)
                    .containsExactly("one digit", "six digits");
        }

        @Test
        void equal_timestamps_order_by_source_then_line_id_then_message_not_by_file_order() {
            String ts = "[MFLOG|0|2026-12-03T12:40:25.629364Z|";
            List<Mflog.Line> lines = Mflog.parseAndSort(List.of(
                    ts + "task|0001]from task",
                    ts + "runtime|ffff]runtime f",
                    ts + "runtime|aaaa]runtime a, second",
                    ts + "runtime|aaaa]runtime a, first"));

            assertThat(lines).extracting(Mflog.Line::message).containsExactly(
                    "runtime a, first", "runtime a, second", "runtime f", "from task");
        }

        @Test
        void keeps_duplicate_lines() {
            List<Mflog.Line> lines = Mflog.parseAndSort(List.of(STDERR_2, STDERR_1, STDERR_2, "raw", "raw"));

            assertThat(lines).extracting(Mflog.Line::message).containsExactly("explode: stderr before failure",
                    "<flow FailingFlow step explode> failed:", "<flow FailingFlow step explode> failed:", "raw", "raw");
        }

        @Test
        void sorting_is_stable_and_idempotent() {
            List<String> input = List.of(STDERR_3, "b raw", STDERR_1, "a raw", STDERR_2, STDERR_1);
            List<Mflog.Line> once = Mflog.parseAndSort(input);

            List<String> again = once.stream().map(MflogTest::render).toList();

            assertThat(Mflog.parseAndSort(again)).isEqualTo(once);
            assertThat(once).isSortedAccordingTo(Mflog.ORDER);
        }

        @Test
        void an_empty_file_is_empty() {
            assertThat(Mflog.parseAndSort(List.of())).isEmpty();
        }
    }

    @Nested
    class Merge {
        static final String RT = "[MFLOG|0|2026-12-03T12:40:25.%sZ|runtime|r%s]runtime %s";
        static final String TASK = "[MFLOG|0|2026-12-03T12:40:25.%sZ|task|t%s]task %s";

        private List<Mflog.Line> lines(String format, String... fractions) {
            List<String> raw = new ArrayList<>();
            for (int i = 0; i < fractions.length; i++) {
                raw.add(String.format(format, fractions[i], i, i));
            }
            return Mflog.parseAndSort(raw);
        }

        @Test
        void interleaves_runtime_and_task_logs_by_timestamp() {
            List<Mflog.Line> runtime = lines(RT, "100000", "300000", "500000");
            List<Mflog.Line> task = lines(TASK, "200000", "400000", "600000");

            assertThat(Mflog.merge(runtime, task)).extracting(Mflog.Line::message)
                    .containsExactly("runtime 0", "task 0", "runtime 1", "task 1", "runtime 2", "task 2");
        }

        @Test
        void merges_the_real_stderr_with_task_lines_written_in_between() {
            List<Mflog.Line> runtime = Mflog.parseAndSort(STDERR_IN_FILE_ORDER);
            List<Mflog.Line> task = Mflog.parseAndSort(List.of(
                    "[MFLOG|0|2026-12-03T12:40:25.700000Z|task|t1]task late",
                    "[MFLOG|0|2026-12-03T12:40:25.628000Z|task|t0]task early"));

            assertThat(Mflog.merge(runtime, task)).extracting(Mflog.Line::message).containsExactly(
                    "explode: stderr before failure", "task early", "<flow FailingFlow step explode> failed:",
                    "    Internal error", "Traceback (most recent call last):",
                    "ValueError: boom: this step always fails", "", "task late", "Task failed.");
        }

        @Test
        void unparseable_lines_of_every_file_come_last_sorted_by_text() {
            List<Mflog.Line> runtime = Mflog.parseAndSort(List.of("zz runtime raw", STDERR_1));
            List<Mflog.Line> task = Mflog.parseAndSort(List.of("aa task raw",
                    "[MFLOG|0|2026-12-03T12:40:25.999999Z|task|t0]task parsed"));

            assertThat(Mflog.merge(runtime, task)).extracting(Mflog.Line::message).containsExactly(
                    "explode: stderr before failure", "task parsed", "aa task raw", "zz runtime raw");
        }

        @Test
        void on_a_full_tie_the_earlier_list_comes_first() {
            Mflog.Line fromRuntime = Mflog.parse(STDERR_1);
            Mflog.Line fromTask = Mflog.parse(STDERR_1);

            List<Mflog.Line> merged = Mflog.merge(List.of(fromRuntime), List.of(fromTask));

            assertThat(merged).hasSize(2);
            assertThat(merged.get(0)).isSameAs(fromRuntime);
            assertThat(merged.get(1)).isSameAs(fromTask);
        }

        @Test
        void merges_three_lists_and_empty_ones() {
            List<Mflog.Line> a = lines(RT, "100000", "400000");
            List<Mflog.Line> b = lines(TASK, "200000");
            List<Mflog.Line> c = Mflog.parseAndSort(List.of("[MFLOG|0|2026-12-03T12:40:25.300000Z|task|x]third"));

            assertThat(Mflog.merge(a, List.of(), b, c)).extracting(Mflog.Line::message)
                    .containsExactly("runtime 0", "task 0", "third", "runtime 1");
            assertThat(Mflog.merge(List.of(), a)).isEqualTo(a);
            assertThat(Mflog.merge(List.of(), List.of())).isEmpty();
            assertThat(Mflog.merge()).isEmpty();
        }

        @Test
        void the_merge_is_sorted_and_keeps_every_line() {
            List<Mflog.Line> runtime = Mflog.parseAndSort(STDERR_IN_FILE_ORDER);
            List<Mflog.Line> task = lines(TASK, "000001", "630000", "630000", "999999");

            List<Mflog.Line> merged = Mflog.merge(runtime, task);

            assertThat(merged).hasSize(runtime.size() + task.size()).isSortedAccordingTo(Mflog.ORDER)
                    .containsAll(runtime).containsAll(task);
        }
    }

    /** Writes a parsed line back in the mflog format (unparseable lines as they were). */
    private static String render(Mflog.Line l) {
        if (l.timestamp().isEmpty()) {
            return l.message();
        }
        return (l.persist() ? "[!" : "") + "[MFLOG|0|" + l.timestampText() + "Z|" + l.source() + "|" + l.lineId() + "]"
                + l.message();
    }
}

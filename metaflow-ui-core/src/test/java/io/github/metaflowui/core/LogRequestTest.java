package io.github.metaflowui.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** {@link LogRequest}: the window of rows a request covers, from the start or from the end. */
class LogRequestTest {

    @ParameterizedTest(name = "fromStart({0}, {1}) of {2} lines is rows [{3}, {4})")
    @CsvSource({
            // offset, limit, total, first, end
            "0, 100, 1000, 0, 100",
            "100, 100, 1000, 100, 200",
            "950, 100, 1000, 950, 1000",
            "999, 100, 1000, 999, 1000",
            "1000, 100, 1000, 1000, 1000",
            "5000, 100, 1000, 1000, 1000",
            "0, 10000, 25000, 0, 10000",
            "20000, 10000, 25000, 20000, 25000",
            "0, 100, 0, 0, 0",
            "3, 1, 5003, 3, 4",
            "9223372036854775000, 10000, 1000, 1000, 1000",
            "9223372036854775807, 10000, 1000, 1000, 1000",
    })
    void from_start_covers_offset_to_offset_plus_limit_clamped_to_the_log(long offset, int limit, long total,
                                                                          long first, long end) {
        LogRequest r = LogRequest.fromStart(offset, limit);

        assertThat(r.firstRow(total)).as("firstRow").isEqualTo(first);
        assertThat(r.endRow(total)).as("endRow").isEqualTo(end);
    }

    @ParameterizedTest(name = "fromEnd({0}, {1}) of {2} lines is rows [{3}, {4})")
    @CsvSource({
            // offset, limit, total, first, end
            "0, 100, 1000, 900, 1000",
            "100, 100, 1000, 800, 900",
            "950, 100, 1000, 0, 50",
            "999, 100, 1000, 0, 1",
            "1000, 100, 1000, 0, 0",
            "5000, 100, 1000, 0, 0",
            "0, 100, 50, 0, 50",
            "0, 100, 0, 0, 0",
            "0, 3, 7, 4, 7",
            "0, 10000, 5003, 0, 5003",
            "9223372036854775000, 10000, 1000, 0, 0",
            "9223372036854775807, 10000, 1000, 0, 0",
            "9223372036854775807, 10000, 0, 0, 0",
    })
    void from_end_covers_the_rows_ending_offset_before_the_last_clamped_to_the_log(long offset, int limit, long total,
                                                                                   long first, long end) {
        LogRequest r = LogRequest.fromEnd(offset, limit);

        assertThat(r.firstRow(total)).as("firstRow").isEqualTo(first);
        assertThat(r.endRow(total)).as("endRow").isEqualTo(end);
    }

    @Test
    void a_window_never_has_its_end_before_its_start() {
        long[] offsets = {0, 1, 99, 100, 101, 5_000, Long.MAX_VALUE / 2, Long.MAX_VALUE - 1, Long.MAX_VALUE};
        long[] totals = {0, 1, 100, 101, 5003, 25_000};
        for (long offset : offsets) {
            for (long total : totals) {
                for (boolean fromEnd : new boolean[] {false, true}) {
                    LogRequest r = fromEnd ? LogRequest.fromEnd(offset, 100) : LogRequest.fromStart(offset, 100);
                    assertThat(r.firstRow(total)).as("%s of %d: firstRow", r, total).isBetween(0L, total);
                    assertThat(r.endRow(total)).as("%s of %d: endRow", r, total).isBetween(r.firstRow(total), total);
                    assertThat(r.endRow(total) - r.firstRow(total)).as("%s of %d: size", r, total).isLessThanOrEqualTo(100);
                }
            }
        }
    }

    @Test
    void defaults_to_the_latest_attempt_and_can_pin_one() {
        LogRequest latest = LogRequest.fromEnd(10, 20);
        LogRequest pinned = latest.attempt(2);

        assertThat(latest.latestAttempt()).isTrue();
        assertThat(latest.attempt()).isEqualTo(LogRequest.LATEST_ATTEMPT).isEqualTo(-1);
        assertThat(pinned.latestAttempt()).isFalse();
        assertThat(pinned.attempt()).isEqualTo(2);
        assertThat(pinned.offset()).isEqualTo(10);
        assertThat(pinned.limit()).isEqualTo(20);
        assertThat(pinned.fromEnd()).isTrue();
        assertThat(pinned.attempt(LogRequest.LATEST_ATTEMPT)).isEqualTo(latest).hasSameHashCodeAs(latest);
        assertThat(latest).hasToString("LogRequest[attempt=latest, offset=10, limit=20, fromEnd=true]");
        assertThat(pinned).hasToString("LogRequest[attempt=2, offset=10, limit=20, fromEnd=true]");
        assertThat(LogRequest.fromStart(10, 20)).isNotEqualTo(latest);
    }

    @Test
    void rejects_bad_windows_with_clear_messages() {
        assertThatIllegalArgumentException().isThrownBy(() -> LogRequest.fromStart(-1, 10))
                .withMessage("offset must be >= 0, got -1");
        assertThatIllegalArgumentException().isThrownBy(() -> LogRequest.fromEnd(0, 0))
                .withMessage("limit must be between 1 and 10000, got 0");
        assertThatIllegalArgumentException().isThrownBy(() -> LogRequest.fromStart(0, 10_001))
                .withMessage("limit must be between 1 and 10000, got 10001");
        assertThatIllegalArgumentException().isThrownBy(() -> LogRequest.fromStart(0, 10).attempt(-2))
                .withMessage("attempt must be >= 0 (or LATEST_ATTEMPT), got -2");
        assertThat(LogRequest.fromStart(0, LogRequest.MAX_LIMIT).limit()).isEqualTo(10_000);
    }
}

package io.github.metaflowui.servlet.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PathCodecTest {

    @Test
    void decodes_a_segment_exactly_once_keeping_plus_signs() {
        assertThat(PathCodec.decodeSegment("LinearFlow")).isEqualTo("LinearFlow");
        assertThat(PathCodec.decodeSegment("A%2FB")).isEqualTo("A/B");
        assertThat(PathCodec.decodeSegment("%253C")).isEqualTo("%3C");
        assertThat(PathCodec.decodeSegment("a+b")).isEqualTo("a+b");
        assertThat(PathCodec.decodeSegment("experiment-%CE%B2")).isEqualTo("experiment-β");
        assertThat(PathCodec.decodeSegment("%F0%9F%9A%80x")).isEqualTo("🚀x");
        assertThat(PathCodec.decodeSegment("🚀%20")).isEqualTo("🚀 ");
    }

    @Test
    void refuses_broken_escapes_and_bytes_that_are_not_utf8() {
        assertThatThrownBy(() -> PathCodec.decodeSegment("abc%2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("broken percent-escape in path segment 'abc%2'");
        assertThatThrownBy(() -> PathCodec.decodeSegment("%zz"))
                .hasMessage("broken percent-escape in path segment '%zz'");
        assertThatThrownBy(() -> PathCodec.decodeSegment("%c0%ae"))
                .hasMessage("path segment '%c0%ae' is not valid UTF-8 once decoded");
    }

    @Test
    void encodes_everything_that_could_split_or_break_a_segment() {
        assertThat(PathCodec.encodeSegment("admin")).isEqualTo("admin");
        assertThat(PathCodec.encodeSegment("a b/c?d#e%f")).isEqualTo("a%20b%2Fc%3Fd%23e%25f");
        assertThat(PathCodec.encodeSegment("β")).isEqualTo("%CE%B2");
        assertThat(PathCodec.decodeSegment(PathCodec.encodeSegment("x/<y> z%"))).isEqualTo("x/<y> z%");
    }
}

package io.github.metaflowui.servlet.internal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTest {

    private static String write(Json.Body body) {
        return new String(Json.bytes(body), StandardCharsets.UTF_8);
    }

    @Test
    void escapes_markup_characters_and_javascript_line_separators() {
        String out = write(g -> g.writeString("</script><b>&\u2028\u2029é"));

        assertThat(out).isEqualTo("\"\\u003C/script\\u003E\\u003Cb\\u003E\\u0026\\u2028\\u2029é\"");
    }

    @Test
    void copies_a_rendered_value_exactly_and_re_escaped() {
        String out = write(g -> Json.copyValue(g, "{\"a\":[0.1,1e400,12345678901234567890],\"s\":\"<x>\"}"));

        assertThat(out).isEqualTo("{\"a\":[0.1,1E+400,12345678901234567890],\"s\":\"\\u003Cx\\u003E\"}");
    }

    @Test
    void knows_a_single_json_value_from_anything_else() {
        assertThat(Json.isSingleValue("15")).isTrue();
        assertThat(Json.isSingleValue("{\"a\":[1,2]}")).isTrue();
        assertThat(Json.isSingleValue("\"NaN\"")).isTrue();
        assertThat(Json.isSingleValue("[1,2")).isFalse();
        assertThat(Json.isSingleValue("1 2")).isFalse();
        assertThat(Json.isSingleValue("")).isFalse();
        assertThat(Json.isSingleValue("pandas.core.frame.DataFrame (12,345 bytes)")).isFalse();
        assertThat(Json.isSingleValue("NaN")).isFalse();
    }
}

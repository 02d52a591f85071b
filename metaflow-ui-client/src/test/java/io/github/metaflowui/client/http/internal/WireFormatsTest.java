package io.github.metaflowui.client.http.internal;

import io.github.metaflowui.core.MetaflowException.DecodeException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Query encoding, error-body summaries, array streaming and Retry-After parsing. */
class WireFormatsTest {
    @Test
    void filter_syntax_stays_readable_and_reserved_characters_are_encoded() {
        Query q = Query.of("status:eq", "failed,running").and("_order", "+ts_epoch").and("_tags:any", "env:test,a b")
                .and("_cursor", "eyJ0==").and("label", "experiment-β&x=1#y");
        assertThat(q.encoded()).isEqualTo("status:eq=failed,running&_order=%2Bts_epoch&_tags:any=env:test,a%20b"
                + "&_cursor=eyJ0%3D%3D&label=experiment-%CE%B2%26x%3D1%23y");
        assertThat(Query.encodeSegment("my flow/with?odd#chars")).isEqualTo("my%20flow%2Fwith%3Fodd%23chars");
        assertThat(HttpTransport.path("flows", "F", "runs", "argo-a1b2")).isEqualTo("/flows/F/runs/argo-a1b2");
    }

    @Test
    void error_bodies_are_reduced_to_one_line() {
        assertThat(ErrorBodies.summarize("text/plain", "")).isEqualTo("empty body");
        assertThat(ErrorBodies.summarize("text/plain", "{}")).isEqualTo("{}");
        assertThat(ErrorBodies.summarize("text/plain", "\"Invalid cursor\"")).isEqualTo("Invalid cursor");
        assertThat(ErrorBodies.summarize("text/plain", "\"{\\\"err_msg\\\": {\\\"type\\\": \\\"timeout error\\\"}}\""))
                .isEqualTo("timeout error");
        assertThat(ErrorBodies.summarize("application/json", "{\"id\": \"log-error\", \"detail\": \"Task not found\","
                + " \"status\": 500, \"title\": \"Internal Server Error\", \"type\": \"about:blank\"}"))
                .isEqualTo("log-error: Task not found");
        assertThat(ErrorBodies.summarize(null, "<!DOCTYPE html><html><body><h1>Service\n  Unavailable</h1><p>try later</p></body></html>"))
                .isEqualTo("an HTML page, likely from a proxy or gateway: \"Service Unavailable\"");
        assertThat(ErrorBodies.summarize("text/plain", "405: Method Not Allowed")).isEqualTo("405: Method Not Allowed");
        assertThat(ErrorBodies.summarize("text/plain", "x".repeat(500))).hasSize(201).endsWith("…");
    }

    @Test
    void arrays_stream_element_by_element_and_double_encoded_arrays_are_unwrapped() throws Exception {
        List<String> seen = new ArrayList<>();
        long n = JsonBodies.forEachElement(stream("[{\"a\": 1}, {\"a\": 2}, {\"a\": 3}]"), e -> {
            seen.add(e.get("a").asText());
            return !e.get("a").asText().equals("2");
        });
        assertThat(n).isEqualTo(2);
        assertThat(seen).containsExactly("1", "2");
        assertThat(JsonBodies.forEachElement(stream("\"[{\\\"a\\\": 1}]\""), e -> true)).isEqualTo(1);
        assertThat(JsonBodies.forEachElement(stream("[]"), e -> true)).isZero();
    }

    @Test
    void answers_that_are_not_arrays_are_decode_errors() {
        assertThatThrownBy(() -> JsonBodies.forEachElement(stream("{\"err\": 1}"), e -> true))
                .isInstanceOf(DecodeException.class).hasMessage("expected a JSON array, got an object: {\"err\":1}");
        assertThatThrownBy(() -> JsonBodies.forEachElement(stream(""), e -> true))
                .isInstanceOf(DecodeException.class).hasMessage("the answer was empty where a JSON array was expected");
        assertThatThrownBy(() -> JsonBodies.forEachElement(stream("\"pong\""), e -> true))
                .isInstanceOf(DecodeException.class).hasMessage("expected a JSON array, got the string \"pong\"");
    }

    @Test
    void retry_after_takes_seconds_or_an_http_date() {
        assertThat(HttpTransport.parseRetryAfter("7")).contains(Duration.ofSeconds(7));
        assertThat(HttpTransport.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).contains(Duration.ZERO);
        assertThat(HttpTransport.parseRetryAfter("soon")).isEmpty();
        assertThat(HttpTransport.parseRetryAfter(null)).isEmpty();
        assertThat(HttpTransport.parseRetryAfter("-3")).isEmpty();
    }

    @Test
    void display_url_never_shows_user_info() {
        assertThat(HttpTransport.display(java.net.URI.create("https://u:p@mf.example.com:8443/api")))
                .isEqualTo("https://mf.example.com:8443/api/");
    }

    static ByteArrayInputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}

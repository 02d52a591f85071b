package io.github.metaflowui.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.metaflowui.client.local.LocalMetaflowBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests Jetty refuses before the servlet sees them, sent byte for byte over a socket (an HTTP
 * client would refuse to send them): the runner answers them itself, and nothing names Jetty.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandaloneErrorPagesTest {
    private StandaloneServer server;

    @BeforeAll
    void start() throws IOException {
        Path fixture = SharedFixture.localDotMetaflow();
        server = StandaloneServer.start(LocalMetaflowBackend.builder().root(fixture).build(), "127.0.0.1", 0);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** A raw response: status, headers (lower-case names) and body. */
    record Raw(int status, Map<String, String> headers, String body) {
    }

    private Raw send(String requestTarget) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + requestTarget + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            String[] head = text.substring(0, end).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                headers.put(head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), head[i].substring(colon + 1).trim());
            }
            return new Raw(Integer.parseInt(head[0].split(" ")[1]), headers, text.substring(end + 4));
        }
    }

    private static void assertNoJetty(Raw r) {
        assertThat(r.headers()).doesNotContainKey("server").doesNotContainKey("x-powered-by");
        assertThat(r.body()).doesNotContainIgnoringCase("jetty").doesNotContain("<html").doesNotContain("<h");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/flows/%C0%AF", "/api/flows/a%2Fb/runs", "/api/flows/%2e%2e/x"})
    void a_bad_api_uri_is_a_problem_json_without_jetty(String target) throws IOException {
        Raw r = send(target);

        assertThat(r.status()).as(target).isEqualTo(400);
        assertThat(r.headers().get("content-type")).startsWith("application/problem+json");
        JsonNode problem = new ObjectMapper().readTree(r.body());
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("title").asText()).isEqualTo("Bad Request");
        assertNoJetty(r);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%zz", "/LinearFlow/%C0%AF"})
    void a_bad_ui_uri_is_a_small_plain_page_without_jetty(String target) throws IOException {
        Raw r = send(target);

        assertThat(r.status()).as(target).isEqualTo(400);
        assertThat(r.headers().get("content-type")).startsWith("text/plain");
        assertThat(r.body()).startsWith("400 Bad Request: ");
        assertNoJetty(r);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/flows/%zz", "/%zz", "/LinearFlow/%"})
    void a_uri_jetty_cannot_parse_has_no_known_path_and_gets_the_plain_page_without_jetty(String target)
            throws IOException {
        Raw r = send(target);

        assertThat(r.status()).as(target).isEqualTo(400);
        assertThat(r.headers().get("content-type")).startsWith("text/plain");
        assertThat(r.body()).startsWith("400 Bad Request: the request could not be understood");
        assertNoJetty(r);
    }

    @Test
    void a_uri_too_long_is_414_in_plain_text_without_jetty() throws IOException {
        Raw r = send("/api/flows/" + "x".repeat(20_000));

        assertThat(r.status()).isEqualTo(414);
        assertThat(r.headers().get("content-type")).startsWith("text/plain");
        assertThat(r.body()).isEqualTo("414 URI Too Long: the request URL is too long\n");
        assertNoJetty(r);
    }

    @Test
    void ordinary_answers_do_not_name_the_server_either() throws IOException {
        Raw page = send("/");
        Raw ping = send("/api/ping");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers()).doesNotContainKey("server");
        assertThat(ping.status()).isEqualTo(200);
        assertThat(ping.headers()).doesNotContainKey("server");
    }
}

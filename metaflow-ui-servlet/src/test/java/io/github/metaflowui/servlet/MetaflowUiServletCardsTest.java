package io.github.metaflowui.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.servlet.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cards over real HTTP (embedded Jetty, lax about odd URIs so the servlet's own checks are what is
 * tested), on a temporary copy of LinearFlow's first run into which a card is written in Metaflow's
 * layout. The shared fixture is never touched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiServletCardsTest {
    static final String RUN = "1796301579117609";
    static final String TASK = "/api/flows/LinearFlow/runs/" + RUN + "/steps/start/tasks/1";
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    static final String HTML = "<!DOCTYPE html><html><body><h1>Hello card</h1>"
            + "<script>document.body.append(String(document.cookie))</script></body></html>";

    private Path tmp;
    private TestServer server;

    @BeforeAll
    void start() throws IOException {
        Path fixture = TestServer.localFixture();
        tmp = Files.createTempDirectory("mfui-cards");
        Path root = tmp.resolve(".metaflow");
        copy(fixture.resolve("LinearFlow/_meta"), root.resolve("LinearFlow/_meta"));
        copy(fixture.resolve("LinearFlow/" + RUN), root.resolve("LinearFlow/" + RUN));
        Path cards = root.resolve("mf.cards/LinearFlow/runs/" + RUN + "/steps/start/tasks/1/cards");
        Files.createDirectories(cards);
        Files.writeString(cards.resolve("default-" + SHA + ".html"), HTML, StandardCharsets.UTF_8);
        Path runtime = cards.resolveSibling("runtime");
        Files.createDirectories(runtime);
        Files.writeString(runtime.resolve("default-" + SHA + ".data.json"), "{\"data\": {\"step\": 1}}");
        // what a naive path join of a hash would reach
        Files.writeString(root.resolve("mf.cards/secret.html"), "TOP SECRET");
        LocalMetaflowBackend backend = LocalMetaflowBackend.builder().root(root)
                .clock(Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC)).build();
        server = TestServer.start("/", TestServer.mappings(
                "/*", new MetaflowUiServlet(backend, MetaflowUiOptions.defaults(), TestServer.TEST_ASSETS),
                "/embedded/*", new MetaflowUiServlet(backend, MetaflowUiOptions.builder()
                        .frameAncestors("https://admin.example.com").build(), TestServer.TEST_ASSETS)), true);
    }

    @AfterAll
    void stop() throws IOException {
        server.close();
        try (var s = Files.walk(tmp)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void lists_a_tasks_cards() {
        Reply r = server.get(TASK + "/cards");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/json;charset=utf-8");
        JsonNode data = r.json().get("data");
        assertThat(data).hasSize(1);
        assertThat(data.get(0).get("hash").asText()).isEqualTo(SHA);
        assertThat(data.get(0).get("type").asText()).isEqualTo("default");
        assertThat(data.get(0).get("id").isNull()).isTrue();
        assertThat(data.get(0).get("size").asLong()).isEqualTo(HTML.getBytes(StandardCharsets.UTF_8).length);

        Reply none = server.get("/api/flows/LinearFlow/runs/" + RUN + "/steps/end/tasks/3/cards");
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().get("data")).isEmpty();

        Reply unknown = server.get("/api/flows/LinearFlow/runs/" + RUN + "/steps/start/tasks/99/cards");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).isEqualTo("application/problem+json;charset=utf-8");
    }

    @Test
    void serves_the_card_as_an_isolated_document() {
        Reply r = server.get(TASK + "/cards/" + SHA);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(HTML);
        assertThat(r.contentType()).isEqualTo("text/html;charset=utf-8");
        String csp = r.header("Content-Security-Policy");
        assertThat(csp).startsWith("sandbox allow-scripts;")
                .doesNotContain("allow-same-origin")
                .contains("default-src 'none'")
                .contains("connect-src 'none'")
                .contains("form-action 'none'")
                .endsWith("frame-ancestors 'self'");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(r.header("Content-Disposition"))
                .isEqualTo("inline; filename=\"card_LinearFlow_" + RUN + "_start_1_default-" + SHA + ".html\"");
    }

    @Test
    void download_variant_is_an_attachment() {
        Reply r = server.get(TASK + "/cards/" + SHA + "?download=1");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(HTML);
        assertThat(r.header("Content-Disposition"))
                .isEqualTo("attachment; filename=\"card_LinearFlow_" + RUN + "_start_1_default-" + SHA + ".html\"");
        assertThat(r.header("Content-Security-Policy")).startsWith("sandbox allow-scripts;");
    }

    @Test
    void head_sends_the_headers_only() {
        Reply r = server.send("HEAD", TASK + "/cards/" + SHA);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bytes()).isEmpty();
        assertThat(r.header("Content-Security-Policy")).startsWith("sandbox allow-scripts;");
    }

    @Test
    void a_short_hash_finds_the_card_and_an_unknown_hash_is_404() {
        assertThat(server.get(TASK + "/cards/" + SHA.substring(0, 7)).body()).isEqualTo(HTML);
        Reply r = server.get(TASK + "/cards/ffffffff");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).isEqualTo("application/problem+json;charset=utf-8");
        assertThat(r.json().get("detail").asText()).contains("has no card 'ffffffff'");
    }

    @Test
    void path_traversal_in_the_hash_is_rejected() {
        for (String hash : new String[] {"..%2F..%2F..%2F..%2F..%2F..%2F..%2Fsecret.html", "..%2Fsecret",
                "secret.html", "..", "%2e%2e", "a%5Cb", "%00", SHA + "%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fsecret"}) {
            Reply r = server.get(TASK + "/cards/" + hash);
            assertThat(r.status()).as(hash + " -> " + r.body()).isBetween(400, 404);
            assertThat(r.body()).as(hash).doesNotContain("TOP SECRET").doesNotContain("Hello card");
        }
        Reply r = server.get(TASK + "/cards/..%2Fsecret");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).startsWith("a card hash is 1 to 128 letters or digits");
        assertThat(server.get(TASK + "/cards/" + SHA + "/other").status()).isEqualTo(404);
    }

    @Test
    void realtime_data_is_served_as_json() {
        Reply r = server.get(TASK + "/cards/" + SHA + "/data");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/json;charset=utf-8");
        assertThat(r.json().get("data").get("step").asInt()).isEqualTo(1);
        assertThat(server.get(TASK + "/cards/abcdef/data").status()).isEqualTo(404);
    }

    @Test
    void a_ui_framed_by_a_console_lets_that_console_frame_its_cards_too() {
        Reply r = server.get("/embedded" + TASK + "/cards/" + SHA);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Security-Policy")).endsWith("frame-ancestors 'self' https://admin.example.com");
    }

    @Test
    void the_ui_page_may_frame_same_origin_documents() {
        Reply r = server.get("/LinearFlow/" + RUN + "/start/1");
        assertThat(r.header("Content-Security-Policy")).contains("frame-src 'self'");
    }

    private static void copy(Path source, Path target) {
        try {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path t = target.resolve(source.relativize(file).toString());
                    Files.copy(file, t);
                    t.toFile().setWritable(true);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

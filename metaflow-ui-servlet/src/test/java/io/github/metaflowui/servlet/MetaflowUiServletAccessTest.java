package io.github.metaflowui.servlet;

import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.servlet.TestServer.Reply;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Access policies, unexpected failures, context paths and a missing UI, each on its own real Jetty. */
class MetaflowUiServletAccessTest {
    private static final Pattern APP = Pattern.compile("src=\"([^\"]*)app\\.js\"");

    private static MetaflowUiServlet servlet(MetaflowUiOptions options) {
        return new MetaflowUiServlet(new FailingBackend(() -> new MetaflowException("data source down")), options,
                TestServer.TEST_ASSETS);
    }

    @Test
    void a_denying_policy_gets_403_everywhere_under_the_mount() {
        MetaflowUiOptions denyAll = MetaflowUiOptions.builder().accessPolicy(request -> false).build();
        try (TestServer server = TestServer.start("/", TestServer.mappings("/metaflow/*", servlet(denyAll)))) {
            Reply api = server.get("/metaflow/api/ping");
            assertThat(api.status()).isEqualTo(403);
            assertThat(api.contentType()).isEqualTo("application/problem+json;charset=utf-8");
            assertThat(api.json().get("title").asText()).isEqualTo("Forbidden");
            assertThat(api.json().get("detail").asText())
                    .isEqualTo("access to the Metaflow API is not allowed for this request");

            for (String path : List.of("/metaflow/", "/metaflow/LinearFlow/1", "/metaflow/static/x/app.js",
                    "/metaflow")) {
                Reply ui = server.get(path);
                assertThat(ui.status()).as(path).isEqualTo(403);
                assertThat(ui.contentType()).isEqualTo("text/plain;charset=utf-8");
                assertThat(ui.body()).isEqualTo("403 Forbidden: access to the Metaflow UI is not allowed for this"
                        + " request\n");
            }
            assertThat(server.send("POST", "/metaflow/api/runs").status()).as("denied before the method check")
                    .isEqualTo(403);
        }
    }

    @Test
    void a_custom_policy_decides_per_request() {
        MetaflowUiOptions byHeader = MetaflowUiOptions.builder()
                .accessPolicy(request -> "yes".equals(request.getHeader("X-Admin")))
                .build();
        try (TestServer server = TestServer.start("/", TestServer.mappings("/metaflow/*", servlet(byHeader)))) {
            assertThat(server.get("/metaflow/api/ping").status()).isEqualTo(403);
            assertThat(server.getWithHeader("/metaflow/api/ping", "X-Admin", "yes").status()).isEqualTo(200);
        }
    }

    @Test
    void a_policy_that_throws_denies_instead_of_failing() {
        MetaflowUiOptions broken = MetaflowUiOptions.builder()
                .accessPolicy(request -> {
                    throw new IllegalStateException("policy bug");
                })
                .build();
        try (TestServer server = TestServer.start("/", TestServer.mappings("/metaflow/*", servlet(broken)))) {
            assertThat(server.get("/metaflow/api/ping").status()).isEqualTo(403);
        }
    }

    @Test
    void an_unexpected_backend_error_is_a_generic_500_that_reveals_nothing() {
        MetaflowUiServlet servlet = new MetaflowUiServlet(
                new FailingBackend(() -> new IllegalStateException("secret table 'prod_users' is corrupt")),
                MetaflowUiOptions.defaults(), TestServer.TEST_ASSETS);
        try (TestServer server = TestServer.start("/", TestServer.mappings("/*", servlet))) {
            Reply r = server.get("/api/runs");

            assertThat(r.status()).isEqualTo(500);
            assertThat(r.contentType()).isEqualTo("application/problem+json;charset=utf-8");
            assertThat(r.json().get("title").asText()).isEqualTo("Internal Server Error");
            assertThat(r.json().get("detail").asText())
                    .isEqualTo("unexpected error while answering this request; see the server log");
            assertThat(r.body()).doesNotContain("secret").doesNotContain("IllegalStateException");

            assertThat(server.get("/api/ping").status()).isEqualTo(200);
        }
    }

    @Test
    void every_url_is_built_from_the_context_path_and_the_servlet_path() {
        try (TestServer server = TestServer.start("/ctx", TestServer.mappings("/metaflow/*",
                servlet(MetaflowUiOptions.defaults())))) {
            Reply page = server.get("/ctx/metaflow/SomeFlow/1");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains("<meta name=\"metaflow-ui-base\" content=\"/ctx/metaflow/\">");
            Matcher m = APP.matcher(page.body());
            assertThat(m.find()).isTrue();
            assertThat(m.group(1)).matches("/ctx/metaflow/static/[0-9a-f]{16}/");
            assertThat(server.get(m.group(1) + "app.js").status()).isEqualTo(200);

            Reply redirect = server.get("/ctx/metaflow");
            assertThat(redirect.status()).isEqualTo(302);
            assertThat(redirect.header("Location")).endsWith("/ctx/metaflow/");

            Reply ping = server.get("/ctx/metaflow/api/ping");
            assertThat(ping.json().at("/links/self").asText()).isEqualTo("/ctx/metaflow/api/ping");
        }
    }

    @Test
    void without_index_html_the_page_is_a_clear_500_and_the_api_still_works() {
        MetaflowUiServlet servlet = new MetaflowUiServlet(new FailingBackend(() -> new MetaflowException("down")),
                MetaflowUiOptions.defaults(), "io/github/metaflowui/servlet/no-such-ui/");
        try (TestServer server = TestServer.start("/", TestServer.mappings("/mf/*", servlet))) {
            Reply page = server.get("/mf/");
            assertThat(page.status()).isEqualTo(500);
            assertThat(page.body()).isEqualTo("The Metaflow UI files are missing from the classpath (index.html);"
                    + " the API under /mf/api/ still works.\n");

            assertThat(server.get("/mf/api/ping").status()).isEqualTo(200);
        }
    }

    @Test
    void the_same_assets_always_get_the_same_hash_and_a_page_never_mixes_versions() {
        String first;
        try (TestServer a = TestServer.start("/", TestServer.mappings("/*", servlet(MetaflowUiOptions.defaults())))) {
            Matcher m = APP.matcher(a.get("/").body());
            assertThat(m.find()).isTrue();
            first = m.group(1);
        }
        try (TestServer b = TestServer.start("/", TestServer.mappings("/*", servlet(MetaflowUiOptions.defaults())))) {
            Matcher m = APP.matcher(b.get("/").body());
            assertThat(m.find()).isTrue();
            assertThat(m.group(1)).isEqualTo(first);
        }
    }

    @Test
    void a_failure_is_logged_in_one_bounded_line_however_long_the_path_and_the_message() {
        String huge = "/very/long/server/path/" + "y".repeat(10_000);
        MetaflowUiServlet servlet = new MetaflowUiServlet(
                new FailingBackend(() -> new MetaflowException.NoAnswerException("cannot read " + huge + "\nsecond")),
                MetaflowUiOptions.defaults(), TestServer.TEST_ASSETS);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        try (TestServer server = TestServer.start("/", TestServer.mappings("/*", servlet))) {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            Reply r = server.get("/api/flows/" + "f".repeat(3000) + "/runs");

            assertThat(r.status()).isEqualTo(502);
            assertThat(r.json().get("detail").asText()).hasSizeLessThan(500).startsWith("cannot read /very/long");
        } finally {
            System.setErr(err);
        }
        List<String> lines = captured.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("Metaflow backend failed")).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).hasSizeLessThan(1000).contains("(3016 characters)").contains("(10042 characters)");
    }

    /** A GET with the given Host header, sent over a socket (HTTP clients do not let a caller set Host). */
    private static String getWithHost(TestServer server, String path, String host) throws java.io.IOException {
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void the_default_policy_refuses_a_loopback_caller_that_names_another_host_dns_rebinding() throws Exception {
        try (TestServer server = TestServer.start("/", TestServer.mappings("/*", servlet(MetaflowUiOptions.defaults())))) {
            String api = getWithHost(server, "/api/ping", "evil.example:" + server.port());
            String page = getWithHost(server, "/", "evil.example");

            assertThat(api).startsWith("HTTP/1.1 403").contains("application/problem+json")
                    .contains("\"detail\":\"the Host header names 'evil.example:" + server.port() + "', not this "
                            + "machine: the Metaflow UI answers only requests addressed to localhost, 127.0.0.1 or [::1]"
                            + " (protection against DNS rebinding); open it at one of those\"");
            assertThat(page).startsWith("HTTP/1.1 403").contains("text/plain")
                    .endsWith("403 Forbidden: the Host header names 'evil.example', not this machine: the Metaflow UI"
                            + " answers only requests addressed to localhost, 127.0.0.1 or [::1] (protection against DNS"
                            + " rebinding); open it at one of those\n");
            for (String host : List.of("localhost:" + server.port(), "127.0.0.1:" + server.port(),
                    "[::1]:" + server.port(), "metaflow.localhost")) {
                assertThat(getWithHost(server, "/api/ping", host)).as(host).startsWith("HTTP/1.1 200");
            }
        }
    }

    @Test
    void allow_all_keeps_accepting_any_host() throws Exception {
        MetaflowUiOptions open = MetaflowUiOptions.builder().accessPolicy(AccessPolicy.allowAll()).build();
        try (TestServer server = TestServer.start("/", TestServer.mappings("/*", servlet(open)))) {
            assertThat(getWithHost(server, "/api/ping", "evil.example")).startsWith("HTTP/1.1 200");
            assertThat(getWithHost(server, "/", "metaflow.internal.example:8083")).startsWith("HTTP/1.1 200");
        }
    }
}

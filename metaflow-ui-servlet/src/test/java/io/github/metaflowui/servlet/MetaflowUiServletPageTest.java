package io.github.metaflowui.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.servlet.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The UI page, the hashed assets, redirects, methods and access, on a real Jetty with the servlet
 * mounted twice: at the root ({@code /*}) and at {@code /admin/metaflow/*}. No Metaflow data is
 * needed here, so the backend is one that always fails (which also proves the page never calls it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiServletPageTest {
    static final String TITLE = "Metaflow <prod> & \"co\"";
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "font-src 'self'; connect-src 'self'; frame-src 'self'; base-uri 'self'; form-action 'self'; "
            + "frame-ancestors 'self' https://admin.example.com";
    private static final Pattern STATIC = Pattern.compile("href=\"([^\"]*)styles\\.css\"");

    private TestServer server;

    @BeforeAll
    void start() {
        MetaflowUiOptions options = MetaflowUiOptions.builder()
                .title(TITLE)
                .frameAncestors("'self' https://admin.example.com")
                .build();
        FailingBackend backend = new FailingBackend(() -> new MetaflowException.NoAnswerException(
                "metadata service at http://127.0.0.1:1 did not answer: connection refused"));
        server = TestServer.start("/", TestServer.mappings(
                "/*", new MetaflowUiServlet(backend, options, TestServer.TEST_ASSETS),
                "/admin/metaflow/*", new MetaflowUiServlet(backend, options, TestServer.TEST_ASSETS)));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = MetaflowUiServletPageTest.class.getClassLoader()
                .getResourceAsStream(TestServer.TEST_ASSETS + name)) {
            assertThat(in).as("test resource " + name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** The asset base URL the rendered page points at. */
    private String staticBase(String mount) {
        Reply page = server.get(mount + "/");
        Matcher m = STATIC.matcher(page.body());
        assertThat(m.find()).as("page links styles.css: " + page.body()).isTrue();
        return m.group(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void renders_the_page_with_the_mount_base_for_every_ui_path(String mount) {
        for (String path : List.of("/", "/LinearFlow", "/LinearFlow/1796301579117609",
                "/LinearFlow/1796301579117609/end/3", "/Odd%20Flow/x")) {
            Reply r = server.get(mount + path);

            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.body()).contains("<meta name=\"metaflow-ui-base\" content=\"" + mount + "/\">");
            assertThat(r.body()).containsPattern("src=\"" + Pattern.quote(mount + "/static/")
                    + "[0-9a-f]{16}/app\\.js\"");
            assertThat(r.body()).doesNotContain("{{");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void paths_that_cannot_be_a_page_get_the_page_with_404(String mount) {
        for (String path : List.of("/favicon.ico", "/robots.txt", "/apple-touch-icon.png", "/sitemap.xml/x",
                "/LinearFlow/1796301579117609/end/3/extra", "/a/b/c/d/e/f")) {
            Reply r = server.get(mount + path);

            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.contentType()).isEqualTo("text/html;charset=utf-8");
            assertThat(r.body()).as("the UI renders its own not-found view")
                    .contains("<meta name=\"metaflow-ui-base\" content=\"" + mount + "/\">");
            assertThat(r.header("Content-Security-Policy")).isEqualTo(CSP);
        }
        assertThat(server.send("HEAD", mount + "/favicon.ico").status()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void page_has_no_cache_html_type_and_a_strict_csp_with_the_configured_frame_ancestors(String mount) {
        Reply r = server.get(mount + "/SomeFlow/12");

        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.contentType()).isEqualTo("text/html;charset=utf-8");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("Referrer-Policy")).isEqualTo("same-origin");
        assertThat(r.header("Content-Security-Policy")).isEqualTo(CSP);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void escapes_the_title_in_the_page(String mount) {
        Reply r = server.get(mount + "/");

        assertThat(r.body()).contains("<title>Metaflow &lt;prod&gt; &amp; &quot;co&quot;</title>");
        assertThat(r.body()).doesNotContain("<prod>");
    }

    @Test
    void the_mount_without_its_trailing_slash_redirects_to_it_keeping_the_query() {
        Reply r = server.get("/admin/metaflow?status=failed");

        assertThat(r.status()).isEqualTo(302);
        assertThat(URI.create(r.header("Location")).getPath()).isEqualTo("/admin/metaflow/");
        assertThat(URI.create(r.header("Location")).getQuery()).isEqualTo("status=failed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void serves_hashed_assets_for_a_year_with_their_content_types(String mount) throws IOException {
        String base = staticBase(mount);

        Reply js = server.get(base + "app.js");
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.bytes()).isEqualTo(resource("app.js"));
        assertThat(js.contentType()).isEqualTo("text/javascript;charset=utf-8");
        assertThat(js.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
        assertThat(js.header("X-Content-Type-Options")).isEqualTo("nosniff");

        Reply css = server.get(base + "styles.css");
        assertThat(css.contentType()).isEqualTo("text/css;charset=utf-8");
        assertThat(css.bytes()).isEqualTo(resource("styles.css"));

        Reply svg = server.get(base + "favicon.svg");
        assertThat(svg.header("Content-Type")).isEqualTo("image/svg+xml");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void relative_module_imports_between_assets_resolve(String mount) {
        URI app = URI.create("http://127.0.0.1" + staticBase(mount) + "app.js");

        String imported = app.resolve("./views/runs.js").getRawPath();
        Reply r = server.get(imported);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("export function render");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void a_wrong_hash_or_unknown_asset_is_a_404_problem(String mount) {
        String base = staticBase(mount);

        Reply wrongHash = server.get(mount + "/static/0123456789abcdef/app.js");
        assertThat(wrongHash.status()).isEqualTo(404);
        assertThat(wrongHash.header("Content-Type")).startsWith("application/problem+json");
        assertThat(wrongHash.json().get("detail").asText())
                .isEqualTo("no such asset version '0123456789abcdef'; reload the page");

        Reply missing = server.get(base + "nope.js");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("detail").asText()).isEqualTo("no such asset 'nope.js'");

        Reply template = server.get(base + "index.html");
        assertThat(template.status()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void path_traversal_never_reaches_a_file_outside_the_assets(String mount) {
        String base = staticBase(mount);
        List<String> attacks = List.of(
                "../../../io/github/metaflowui/servlet/MetaflowUiServlet.class",
                "..%2F..%2F..%2Fio%2Fgithub%2Fmetaflowui%2Fservlet%2FMetaflowUiServlet.class",
                "%2e%2e/%2e%2e/%2e%2e/io/github/metaflowui/servlet/MetaflowUiServlet.class",
                "%252e%252e/%252e%252e/MetaflowUiServlet.class",
                "views/..%5c..%5cindex.html",
                "%2Fetc%2Fpasswd",
                "/etc/passwd",
                "..;/..;/simplelogger.properties",
                "views/%2e%2e/app.js",
                "file:%2F%2F%2Fetc%2Fpasswd",
                "%c0%ae%c0%ae/%c0%ae%c0%ae/simplelogger.properties");

        for (String attack : attacks) {
            Reply r = server.get(base + attack);

            assertThat(r.status()).as(attack).isIn(400, 404);
            assertThat(r.body()).as(attack).doesNotContain("root:").doesNotContain("simpleLogger")
                    .doesNotContain("export function").doesNotContain("\u00ca\u00fe\u00ba\u00be");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void path_traversal_is_refused_by_the_servlet_itself_in_a_lax_container(String mount) {
        FailingBackend backend = new FailingBackend(() -> new MetaflowException("unused"));
        try (TestServer lax = TestServer.start("/", TestServer.mappings(
                "/*", new MetaflowUiServlet(backend, MetaflowUiOptions.defaults(), TestServer.TEST_ASSETS),
                "/admin/metaflow/*", new MetaflowUiServlet(backend, MetaflowUiOptions.defaults(),
                        TestServer.TEST_ASSETS)), true)) {
            Matcher m = STATIC.matcher(lax.get(mount + "/").body());
            assertThat(m.find()).isTrue();
            String base = m.group(1);
            record Attack(String path, String detail) {
            }
            String dots = "the request path must not contain '.' or '..' segments";
            String slash = "an asset path segment must not contain '/', '\\' or control characters";
            for (Attack a : List.of(
                    new Attack("%2e%2e/%2e%2e/MetaflowUiServlet.class", dots),
                    new Attack("views/%2e%2e/app.js", dots),
                    new Attack("views/%2E/%2E%2E/app.js", dots),
                    new Attack("..%2F..%2Fsimplelogger.properties", slash),
                    new Attack("%2Fetc%2Fpasswd", slash),
                    new Attack("views/..%5C..%5Csimplelogger.properties", slash),
                    new Attack("views%2Fruns.js", slash),
                    new Attack("%252e%252e/MetaflowUiServlet.class", "no such asset '%2e%2e/MetaflowUiServlet.class'"),
                    new Attack("%c0%ae%c0%ae/simplelogger.properties",
                            "path segment '%c0%ae%c0%ae' is not valid UTF-8 once decoded"))) {
                Reply r = lax.get(base + a.path());

                assertThat(r.status()).as(a.path()).isIn(400, 404);
                assertThat(r.header("Content-Type")).as(a.path()).startsWith("application/problem+json");
                assertThat(r.json().get("detail").asText()).as(a.path()).isEqualTo(a.detail());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void other_methods_are_405_with_allow_and_a_problem(String mount) {
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")) {
            for (String path : List.of("/api/runs", "/", "/LinearFlow")) {
                Reply r = server.send(method, mount + path);

                assertThat(r.status()).as(method + " " + path).isEqualTo(405);
                assertThat(r.header("Allow")).isEqualTo("GET, HEAD");
                if (!method.equals("TRACE")) {
                    assertThat(r.header("Content-Type")).startsWith("application/problem+json");
                    JsonNode p = r.json();
                    assertThat(p.get("type").asText()).isEqualTo("about:blank");
                    assertThat(p.get("title").asText()).isEqualTo("Method Not Allowed");
                    assertThat(p.get("status").asInt()).isEqualTo(405);
                    assertThat(p.get("detail").asText())
                            .isEqualTo("method " + method + " is not allowed; this interface is read-only (GET, HEAD)");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void head_answers_headers_without_a_body(String mount) {
        Reply page = server.send("HEAD", mount + "/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.bytes()).isEmpty();
        assertThat(page.header("Content-Security-Policy")).isEqualTo(CSP);

        Reply ping = server.send("HEAD", mount + "/api/ping");
        assertThat(ping.status()).isEqualTo(200);
        assertThat(ping.bytes()).isEmpty();
        assertThat(ping.contentType()).isEqualTo("application/json;charset=utf-8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void an_unknown_api_path_is_a_404_problem_naming_it(String mount) {
        Reply r = server.get(mount + "/api/nothing/here");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).isEqualTo("application/problem+json;charset=utf-8");
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.json().get("title").asText()).isEqualTo("Not Found");
        assertThat(r.json().get("detail").asText()).isEqualTo("no API resource at 'api/nothing/here'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void ping_and_config_answer_without_the_data_source(String mount) {
        Reply ping = server.get(mount + "/api/ping");
        assertThat(ping.status()).isEqualTo(200);
        assertThat(ping.json().get("data").asText()).isEqualTo("pong");
        assertThat(ping.header("Cache-Control")).isEqualTo("no-store");
        assertThat(ping.header("X-Content-Type-Options")).isEqualTo("nosniff");

        Reply config = server.get(mount + "/api/config");
        assertThat(config.status()).isEqualTo(200);
        assertThat(config.json().at("/data/title").asText()).isEqualTo(TITLE);
        assertThat(config.json().at("/data/backend").asText()).isEqualTo("a data source that always fails");
        assertThat(config.json().at("/data/runs_page_size").asInt()).isEqualTo(50);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void a_failing_data_source_is_a_502_problem_and_breaks_nothing_else(String mount) {
        for (String path : List.of("/api/runs", "/api/flows", "/api/flows/LinearFlow",
                "/api/flows/LinearFlow/runs/1/steps", "/api/flows/F/runs/1/steps/s/tasks/2/logs/out",
                "/api/flows/F/runs/1/steps/s/tasks/2/logs/err/download")) {
            Reply r = server.get(mount + path);

            assertThat(r.status()).as(path).isEqualTo(502);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
            assertThat(r.json().get("title").asText()).isEqualTo("Metaflow data source unavailable");
            assertThat(r.json().get("detail").asText())
                    .isEqualTo("metadata service at http://127.0.0.1:1 did not answer: connection refused");
            assertThat(r.body()).doesNotContain("at io.github");
        }

        assertThat(server.get(mount + "/api/ping").status()).isEqualTo(200);
        assertThat(server.get(mount + "/").status()).isEqualTo(200);
        assertThat(server.get(staticBase(mount) + "app.js").status()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void bad_parameters_are_400_problems_before_any_data_is_read(String mount) {
        record Case(String path, String detail) {
        }
        for (Case c : List.of(
                new Case("/api/runs?_page=abc", "_page must be an integer between 1 and 1000000, got 'abc'"),
                new Case("/api/runs?_page=0", "_page must be an integer between 1 and 1000000, got '0'"),
                new Case("/api/runs?_limit=0", "_limit must be an integer between 1 and 1000, got '0'"),
                new Case("/api/runs?_limit=1001", "_limit must be an integer between 1 and 1000, got '1001'"),
                new Case("/api/runs?_limit=ten", "_limit must be an integer between 1 and 1000, got 'ten'"),
                new Case("/api/runs?_order=-color", "unknown _order field 'color' for runs; expected one of "
                        + "ts_epoch, finished_at, duration, flow_id, user, status, run"),
                new Case("/api/runs?status=running,exploded", "unknown status 'exploded'; expected one of pending,"
                        + " running, completed, failed, unknown"),
                new Case("/api/runs?ts_epoch:ge=yesterday",
                        "ts_epoch:ge must be a time in epoch milliseconds, got 'yesterday'"),
                new Case("/api/flows?_order=-color",
                        "unknown _order field 'color' for flows; expected one of flow_id, ts_epoch"))) {
            Reply r = server.get(mount + c.path());

            assertThat(r.status()).as(c.path()).isEqualTo(400);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
            assertThat(r.json().get("title").asText()).isEqualTo("Bad Request");
            assertThat(r.json().get("status").asInt()).isEqualTo(400);
            assertThat(r.json().get("detail").asText()).as(c.path()).isEqualTo(c.detail());
        }
    }
}

package io.github.metaflowui.servlet;

import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.servlet.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The servlet with its production UI files (the public constructor, classpath
 * {@code io/github/metaflowui/servlet/ui/}): every file the page references and every relative
 * module import resolves under the hashed URL, and the page has nothing inline for the CSP to block.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaflowUiServletRealAssetsTest {
    private static final Pattern STATIC_REF = Pattern.compile("(?:href|src)=\"([^\"]*/static/[0-9a-f]{16}/[^\"]+)\"");
    private static final Pattern IMPORT = Pattern.compile("(?:from|import)\\s*\\(?\\s*'(\\.{1,2}/[^']+)'");

    private TestServer server;

    @BeforeAll
    void start() {
        FailingBackend backend = new FailingBackend(() -> new MetaflowException("not needed"));
        server = TestServer.start("/", TestServer.mappings(
                "/*", new MetaflowUiServlet(backend),
                "/admin/metaflow/*", new MetaflowUiServlet(backend)));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void the_page_and_every_module_it_imports_resolve_under_the_hashed_url(String mount) {
        Reply page = server.get(mount + "/LinearFlow/1796301579117609");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<meta name=\"metaflow-ui-base\" content=\"" + mount + "/\">")
                .doesNotContain("{{");

        Deque<String> todo = new ArrayDeque<>();
        Matcher refs = STATIC_REF.matcher(page.body());
        while (refs.find()) {
            todo.add(refs.group(1));
        }
        assertThat(todo).as("the page references its assets").isNotEmpty()
                .allMatch(u -> u.startsWith(mount + "/static/"));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String url = todo.poll();
            if (!seen.add(url)) {
                continue;
            }
            Reply asset = server.get(url);
            assertThat(asset.status()).as(url).isEqualTo(200);
            assertThat(asset.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
            if (url.endsWith(".js")) {
                assertThat(asset.contentType()).isEqualTo("text/javascript;charset=utf-8");
                Matcher imports = IMPORT.matcher(asset.body());
                while (imports.find()) {
                    todo.add(URI.create("http://h" + url).resolve(imports.group(1)).getRawPath());
                }
            }
        }
        assertThat(seen).anyMatch(u -> u.endsWith("/app.js")).anyMatch(u -> u.endsWith("/views/task.js"));
        assertThat(page.body()).as("a real favicon link, so browsers need not ask for /favicon.ico")
                .containsPattern("<link rel=\"icon\" type=\"image/svg\\+xml\" href=\"" + Pattern.quote(mount)
                        + "/static/[0-9a-f]{16}/favicon\\.svg\">");
        assertThat(seen).anyMatch(u -> u.endsWith("/favicon.svg"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/admin/metaflow"})
    void the_page_has_no_inline_script_style_or_handler(String mount) {
        String html = server.get(mount + "/").body();

        assertThat(html).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>")
                .doesNotContainPattern("(?i)<style")
                .doesNotContainPattern("(?i)\\sstyle=")
                .doesNotContainPattern("(?i)\\son[a-z]+=")
                .doesNotContainPattern("(?i)javascript:");
    }
}

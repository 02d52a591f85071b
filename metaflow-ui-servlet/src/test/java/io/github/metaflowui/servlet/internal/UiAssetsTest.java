package io.github.metaflowui.servlet.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class UiAssetsTest {
    private static final String ROOT = "io/github/metaflowui/servlet/testui/";

    @Test
    void reads_a_directory_on_the_classpath_with_content_types() {
        UiAssets assets = UiAssets.load(UiAssetsTest.class.getClassLoader(), ROOT);

        assertThat(assets.paths()).containsExactly("app.js", "favicon.svg", "index.html", "styles.css",
                "views/runs.js");
        assertThat(assets.hash()).matches("[0-9a-f]{16}");
        assertThat(assets.get("views/runs.js").orElseThrow().contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(assets.get("../index.html")).isEmpty();
    }

    @Test
    void reads_the_same_files_from_a_jar_with_the_same_hash(@TempDir Path dir) throws IOException {
        UiAssets fromDirectory = UiAssets.load(UiAssetsTest.class.getClassLoader(), ROOT);
        Path jar = dir.resolve("ui.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("io/"));
            out.putNextEntry(new JarEntry(ROOT));
            for (String p : fromDirectory.paths()) {
                out.putNextEntry(new JarEntry(ROOT + p));
                out.write(fromDirectory.get(p).orElseThrow().bytes());
            }
            out.putNextEntry(new JarEntry("io/github/metaflowui/servlet/testui-other/secret.txt"));
            out.write("not an asset".getBytes(StandardCharsets.UTF_8));
        }

        try (URLClassLoader loader = new URLClassLoader(new URL[]{jar.toUri().toURL()}, null)) {
            UiAssets fromJar = UiAssets.load(loader, ROOT);

            assertThat(fromJar.paths()).isEqualTo(fromDirectory.paths());
            assertThat(fromJar.hash()).isEqualTo(fromDirectory.hash());
            assertThat(fromJar.get("app.js").orElseThrow().bytes())
                    .isEqualTo(fromDirectory.get("app.js").orElseThrow().bytes());
        }
    }

    @Test
    void any_change_to_any_file_changes_the_hash(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a").resolve(ROOT);
        Path b = dir.resolve("b").resolve(ROOT);
        for (Path p : new Path[]{a, b}) {
            Files.createDirectories(p.resolve("views"));
            Files.writeString(p.resolve("index.html"), "<html></html>");
            Files.writeString(p.resolve("views/x.js"), "export const x = 1;");
        }
        try (OutputStream out = Files.newOutputStream(b.resolve("views/x.js"))) {
            out.write("export const x = 2;".getBytes(StandardCharsets.UTF_8));
        }

        try (URLClassLoader la = new URLClassLoader(new URL[]{dir.resolve("a").toUri().toURL()}, null);
             URLClassLoader lb = new URLClassLoader(new URL[]{dir.resolve("b").toUri().toURL()}, null)) {
            assertThat(UiAssets.load(la, ROOT).hash()).isNotEqualTo(UiAssets.load(lb, ROOT).hash());
        }
    }

    @Test
    void content_types_cover_the_ui_file_kinds() {
        assertThat(UiAssets.contentType("app.js")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(UiAssets.contentType("a.mjs")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(UiAssets.contentType("styles.css")).isEqualTo("text/css; charset=utf-8");
        assertThat(UiAssets.contentType("icon.svg")).isEqualTo("image/svg+xml");
        assertThat(UiAssets.contentType("logo.PNG")).isEqualTo("image/png");
        assertThat(UiAssets.contentType("font.woff2")).isEqualTo("font/woff2");
        assertThat(UiAssets.contentType("data.json")).isEqualTo("application/json; charset=utf-8");
        assertThat(UiAssets.contentType("blob")).isEqualTo("application/octet-stream");
    }
}

package io.github.metaflowui.examples;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The real Metaflow fixtures in {@code ../shared} (the build passes their place as {@code metaflow.shared.dir}). */
final class SharedFixture {
    private SharedFixture() {
    }

    /** The local {@code .metaflow} directory made by the real Metaflow library; read only. */
    static Path localDotMetaflow() {
        String shared = System.getProperty("metaflow.shared.dir");
        assertThat(shared).as("system property metaflow.shared.dir (set by the build)").isNotNull();
        Path fixture = Path.of(shared, "fixtures/metaflow/local/dot-metaflow").toAbsolutePath().normalize();
        assertThat(fixture).as("the shared Metaflow fixture").isDirectory();
        return fixture;
    }
}

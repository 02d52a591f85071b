package io.github.metaflowui.client.http;

import io.github.metaflowui.client.service.MetadataServiceBackend;
import io.github.metaflowui.client.uibackend.UiServiceBackend;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Ready-made HTTP backends, for programs (like the standalone runner) that only have a URL or the
 * environment. For timeouts, clocks, log readers and the rest, use the backends' builders:
 * {@link MetadataServiceBackend#builder()}, {@link UiServiceBackend#builder()}.
 *
 * <pre>{@code
 * try (MetaflowBackend backend = MetaflowBackends.fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")))
 *         .orElseThrow(() -> new IllegalStateException("set METAFLOW_SERVICE_URL"))) {
 *     MetaflowClient.of(backend).runs(RunQuery.ofFlow("TrainFlow")).stream().limit(5).forEach(System.out::println);
 * }
 * }</pre>
 */
public final class MetaflowBackends {
    private MetaflowBackends() {
    }

    /** A backend over a metadata service, e.g. {@code http://localhost:8080/}, with default settings. */
    public static MetaflowBackend metadataService(URI url) {
        return MetadataServiceBackend.builder().baseUri(Objects.requireNonNull(url, "url")).build();
    }

    /** A backend over a UI backend's API root, e.g. {@code http://localhost:8083/api}, with default settings. */
    public static MetaflowBackend uiBackend(URI url) {
        return UiServiceBackend.builder().baseUri(Objects.requireNonNull(url, "url")).build();
    }

    /** The backend a configuration describes, with its URL, auth key and headers. */
    public static MetaflowBackend fromConfig(MetaflowServiceConfig config) {
        Objects.requireNonNull(config, "config");
        return config.kind() == MetaflowServiceConfig.Kind.UI_BACKEND
                ? UiServiceBackend.builder().config(config).build()
                : MetadataServiceBackend.builder().config(config).build();
    }

    /**
     * The backend Metaflow's own configuration points at (see {@link MetaflowServiceConfig#fromEnvironment}),
     * or empty when no service is configured (Metaflow would then use the local {@code .metaflow} directory).
     *
     * @param env  environment variables, e.g. {@code System.getenv()}
     * @param home the user's home directory, for {@code ~/.metaflowconfig}; may be null
     * @throws IllegalArgumentException when the configuration is malformed (the message names the setting)
     */
    public static Optional<MetaflowBackend> fromEnvironment(Map<String, String> env, Path home) {
        return MetaflowServiceConfig.fromEnvironment(env, home).map(MetaflowBackends::fromConfig);
    }

    /** {@link #fromEnvironment(Map, Path)} with this process's environment and home directory. */
    public static Optional<MetaflowBackend> fromEnvironment() {
        String home = System.getProperty("user.home");
        return fromEnvironment(System.getenv(), home == null || home.isBlank() ? null : Path.of(home));
    }
}

package io.github.metaflowui.client.http;

import io.github.metaflowui.client.http.MetaflowServiceConfig.Kind;
import io.github.metaflowui.client.service.MetadataServiceBackend;
import io.github.metaflowui.client.uibackend.UiServiceBackend;
import io.github.metaflowui.core.spi.MetaflowBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration the way Metaflow reads its own: environment first, then {@code ~/.metaflowconfig}. */
class ConfigurationTest {
    @TempDir
    Path home;

    void writeConfig(String name, String json) throws IOException {
        Path dir = home.resolve(".metaflowconfig");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name), json);
    }

    @Test
    void nothing_configured_is_empty() {
        assertThat(MetaflowServiceConfig.fromEnvironment(Map.of(), home)).isEmpty();
        assertThat(MetaflowBackends.fromEnvironment(Map.of(), home)).isEmpty();
        assertThat(MetaflowServiceConfig.fromEnvironment(Map.of(), null)).isEmpty();
    }

    @Test
    void environment_gives_url_key_and_headers() {
        MetaflowServiceConfig c = MetaflowServiceConfig.fromEnvironment(Map.of(
                "METAFLOW_SERVICE_URL", "https://mf.example.com/metadata",
                "METAFLOW_SERVICE_AUTH_KEY", "k3y-secret",
                "METAFLOW_SERVICE_HEADERS", "{\"X-Team\": \"ml-secret-team\"}"), home).orElseThrow();
        assertThat(c.kind()).isEqualTo(Kind.METADATA_SERVICE);
        assertThat(c.url()).isEqualTo(URI.create("https://mf.example.com/metadata"));
        assertThat(c.requestHeaders()).containsExactly(Map.entry("X-Team", "ml-secret-team"), Map.entry("x-api-key", "k3y-secret"));
        assertThat(c.source()).isEqualTo("environment");
        assertThat(c.toString()).isEqualTo("MetaflowServiceConfig[kind=METADATA_SERVICE, url=https://mf.example.com/metadata,"
                + " authKey=****, headers={X-Team=****}, source=environment]");
    }

    @Test
    void config_file_is_read_when_the_environment_is_silent() throws IOException {
        writeConfig("config.json", "{\"METAFLOW_SERVICE_URL\": \"http://file.example.com:8080\","
                + " \"METAFLOW_SERVICE_AUTH_KEY\": \"from-file\", \"METAFLOW_SERVICE_HEADERS\": {\"X-A\": \"1\"},"
                + " \"METAFLOW_DEFAULT_METADATA\": \"service\"}");
        MetaflowServiceConfig c = MetaflowServiceConfig.fromEnvironment(Map.of(), home).orElseThrow();
        assertThat(c.url()).isEqualTo(URI.create("http://file.example.com:8080"));
        assertThat(c.requestHeaders()).containsEntry("x-api-key", "from-file").containsEntry("X-A", "1");
        assertThat(c.source()).isEqualTo(home.resolve(".metaflowconfig/config.json").toString());
    }

    @Test
    void environment_wins_over_the_file() throws IOException {
        writeConfig("config.json", "{\"METAFLOW_SERVICE_URL\": \"http://file.example.com\", \"METAFLOW_SERVICE_HEADERS\":"
                + " \"{\\\"X-From\\\": \\\"file\\\"}\"}");
        MetaflowServiceConfig c = MetaflowServiceConfig.fromEnvironment(Map.of("METAFLOW_SERVICE_URL", "http://env.example.com"),
                home).orElseThrow();
        assertThat(c.url()).isEqualTo(URI.create("http://env.example.com"));
        assertThat(c.requestHeaders()).containsExactly(Map.entry("X-From", "file")); // headers given as a JSON string
    }

    @Test
    void profile_selects_its_own_file() throws IOException {
        writeConfig("config.json", "{\"METAFLOW_SERVICE_URL\": \"http://default.example.com\"}");
        writeConfig("config_prod.json", "{\"METAFLOW_SERVICE_URL\": \"http://prod.example.com\"}");
        assertThat(MetaflowServiceConfig.fromEnvironment(Map.of("METAFLOW_PROFILE", "prod"), home).orElseThrow().url())
                .isEqualTo(URI.create("http://prod.example.com"));
        assertThatThrownBy(() -> MetaflowServiceConfig.fromEnvironment(Map.of("METAFLOW_PROFILE", "dev"), home))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("METAFLOW_PROFILE is 'dev' but " + home.resolve(".metaflowconfig/config_dev.json") + " does not exist");
    }

    @Test
    void metaflow_home_moves_the_configuration_directory() throws IOException {
        Path other = home.resolve("elsewhere");
        Files.createDirectories(other);
        Files.writeString(other.resolve("config.json"), "{\"METAFLOW_SERVICE_URL\": \"http://home.example.com\"}");
        assertThat(MetaflowServiceConfig.fromEnvironment(Map.of("METAFLOW_HOME", other.toString()), null).orElseThrow().url())
                .isEqualTo(URI.create("http://home.example.com"));
        assertThat(MetaflowServiceConfig.fromEnvironment(Map.of("METAFLOW_HOME", "~/elsewhere"), home).orElseThrow().url())
                .isEqualTo(URI.create("http://home.example.com"));
    }

    @Test
    void local_default_metadata_means_no_service() {
        assertThat(MetaflowServiceConfig.fromEnvironment(Map.of("METAFLOW_SERVICE_URL", "http://x.example.com",
                "METAFLOW_DEFAULT_METADATA", "local"), home)).isEmpty();
    }

    @Test
    void ui_backend_url_selects_the_ui_backend() {
        MetaflowServiceConfig c = MetaflowServiceConfig.fromEnvironment(Map.of("METAFLOW_SERVICE_URL", "http://md.example.com",
                "METAFLOW_UI_BACKEND_URL", "http://ui.example.com/api"), home).orElseThrow();
        assertThat(c.kind()).isEqualTo(Kind.UI_BACKEND);
        try (MetaflowBackend b = MetaflowBackends.fromConfig(c)) {
            assertThat(b).isInstanceOf(UiServiceBackend.class);
            assertThat(b.describe()).isEqualTo("Metaflow UI backend at http://ui.example.com/api/");
        }
        try (MetaflowBackend b = MetaflowBackends.fromEnvironment(Map.of("METAFLOW_SERVICE_URL", "http://md.example.com:8080"),
                home).orElseThrow()) {
            assertThat(b).isInstanceOf(MetadataServiceBackend.class);
            assertThat(b.describe()).isEqualTo("Metaflow metadata service at http://md.example.com:8080/");
        }
    }

    @Test
    void malformed_settings_are_named_without_their_secret_values() throws IOException {
        assertThatThrownBy(() -> MetaflowServiceConfig.fromEnvironment(Map.of("METAFLOW_SERVICE_URL", "http://x.example.com",
                "METAFLOW_SERVICE_HEADERS", "{not json s3cret"), home))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("METAFLOW_SERVICE_HEADERS (from environment) is not valid JSON");
        assertThatThrownBy(() -> MetaflowServiceConfig.fromEnvironment(Map.of("METAFLOW_SERVICE_URL", "http://x.example.com",
                "METAFLOW_SERVICE_HEADERS", "[\"s3cret\"]"), home))
                .hasMessage("METAFLOW_SERVICE_HEADERS (from environment) must be a JSON object of header names to values");
        assertThatThrownBy(() -> MetaflowServiceConfig.fromEnvironment(Map.of("METAFLOW_SERVICE_URL", "ftp://x.example.com"), home))
                .hasMessage("METAFLOW_SERVICE_URL (from environment): baseUri must be an http or https URL, got 'ftp://x.example.com'");
        assertThatThrownBy(() -> MetaflowServiceConfig.fromEnvironment(Map.of("METAFLOW_SERVICE_URL",
                "http://user:pa55word@x.example.com"), home))
                .hasMessageNotContaining("pa55word")
                .hasMessageContaining("must not hold credentials");
        writeConfig("config.json", "{\"METAFLOW_SERVICE_URL\": ");
        assertThatThrownBy(() -> MetaflowServiceConfig.fromEnvironment(Map.of(), home))
                .hasMessageStartingWith("the Metaflow configuration " + home.resolve(".metaflowconfig/config.json")
                        + " is not valid JSON: ");
    }

    @Test
    void builders_validate_with_precise_messages() {
        assertThatThrownBy(() -> MetadataServiceBackend.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("baseUri is required: the URL of the metadata service");
        assertThatThrownBy(() -> UiServiceBackend.builder().build())
                .hasMessage("baseUri is required: the URL of the UI backend");
        assertThatThrownBy(() -> MetadataServiceBackend.builder().baseUri("localhost:8080").build())
                .hasMessage("baseUri must be an http or https URL, got 'localhost:8080'");
        assertThatThrownBy(() -> MetadataServiceBackend.builder().baseUri("http://x.example.com/?a=1").build())
                .hasMessage("baseUri must not have a query or fragment: 'http://x.example.com/?a=1'");
        assertThatThrownBy(() -> MetadataServiceBackend.builder().baseUri("http:///nohost").build())
                .hasMessage("baseUri has no host: 'http:///nohost'");
        assertThatThrownBy(() -> MetadataServiceBackend.builder().baseUri("http://x.example.com")
                .header("X-Token", "abc\r\nInjected: yes").build())
                .hasMessage("the value of header 'X-Token' contains a line break");
        assertThatThrownBy(() -> MetadataServiceBackend.builder().baseUri("http://x.example.com").header("Bad Name", "v").build())
                .hasMessage("header name 'Bad Name' is not a valid HTTP header name");
        assertThatThrownBy(() -> MetadataServiceBackend.builder().baseUri("http://x.example.com").concurrency(0).build())
                .hasMessage("concurrency must be between 1 and 64, got 0");
        assertThatThrownBy(() -> MetadataServiceBackend.builder().baseUri("http://x.example.com").legacyWindow(10).build())
                .hasMessage("legacyWindow must be between 100 and 1000000, got 10");
        assertThatThrownBy(() -> HttpOptions.builder().maxRetries(-1).build())
                .hasMessage("maxRetries must be between 0 and 20, got -1");
        assertThatThrownBy(() -> HttpOptions.builder().attemptTimeout(Duration.ZERO).build())
                .hasMessage("attemptTimeout must be positive, got PT0S");
        assertThatThrownBy(() -> HttpOptions.builder().retryDelay(Duration.ofSeconds(2), Duration.ofSeconds(1)).build())
                .hasMessage("maxRetryDelay (PT1S) must not be shorter than retryDelay (PT2S)");
        assertThatThrownBy(() -> HttpOptions.builder().circuitBreaker(0, Duration.ofSeconds(1)).build())
                .hasMessage("circuit breaker failure threshold must be >= 1, got 0");
    }

    @Test
    void factory_methods_build_working_backends() {
        try (MetaflowBackend md = MetaflowBackends.metadataService(URI.create("http://localhost:1/"));
             MetaflowBackend ui = MetaflowBackends.uiBackend(URI.create("http://localhost:1/api"))) {
            assertThat(md).isInstanceOf(MetadataServiceBackend.class);
            assertThat(ui).isInstanceOf(UiServiceBackend.class);
        }
        assertThat(Optional.of(HttpOptions.defaults().toString())).get().asString()
                .contains("maxRetries=3").contains("attemptTimeout=PT1M");
    }
}

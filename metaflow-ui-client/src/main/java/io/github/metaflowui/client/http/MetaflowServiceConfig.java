package io.github.metaflowui.client.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.client.http.internal.Json;
import io.github.metaflowui.client.http.internal.Settings;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a Metaflow service is and how to authenticate, resolved the way Metaflow resolves its own
 * configuration. Secrets (the auth key, header values) never appear in {@link #toString()}, logs or
 * exception messages.
 *
 * <p>{@link #fromEnvironment(Map, Path)} reads, for each setting, the environment variable first and
 * then the Metaflow configuration file: {@code $METAFLOW_HOME/config.json} ({@code METAFLOW_HOME}
 * defaults to {@code ~/.metaflowconfig}), or {@code config_<profile>.json} when {@code METAFLOW_PROFILE}
 * is set. The settings:
 * <ul>
 *   <li>{@code METAFLOW_SERVICE_URL}: the metadata service. Ignored when {@code METAFLOW_DEFAULT_METADATA}
 *       is {@code local}, as Metaflow itself would then not use it.</li>
 *   <li>{@code METAFLOW_SERVICE_AUTH_KEY}: sent as the {@code x-api-key} header.</li>
 *   <li>{@code METAFLOW_SERVICE_HEADERS}: a JSON object of extra headers (in the file, an object or a
 *       string holding one).</li>
 *   <li>{@code METAFLOW_UI_BACKEND_URL} (this library's own, not Metaflow's): a UI backend's {@code /api}
 *       root. When set it wins over {@code METAFLOW_SERVICE_URL}, because the UI backend also serves
 *       logs, graphs and parameter values. The same auth key and headers are sent.</li>
 * </ul>
 */
public final class MetaflowServiceConfig {
    /** Which kind of service the URL points at. */
    public enum Kind {
        METADATA_SERVICE,
        UI_BACKEND
    }

    public static final String SERVICE_URL = "METAFLOW_SERVICE_URL";
    public static final String SERVICE_AUTH_KEY = "METAFLOW_SERVICE_AUTH_KEY";
    public static final String SERVICE_HEADERS = "METAFLOW_SERVICE_HEADERS";
    public static final String DEFAULT_METADATA = "METAFLOW_DEFAULT_METADATA";
    public static final String PROFILE = "METAFLOW_PROFILE";
    public static final String HOME = "METAFLOW_HOME";
    public static final String UI_BACKEND_URL = "METAFLOW_UI_BACKEND_URL";

    private final Kind kind;
    private final URI url;
    private final String authKey;
    private final Map<String, String> headers;
    private final String source;

    private MetaflowServiceConfig(Kind kind, URI url, String authKey, Map<String, String> headers, String source) {
        this.kind = kind;
        this.url = url;
        this.authKey = authKey;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        this.source = source;
    }

    /** A configuration with just a URL. */
    public static MetaflowServiceConfig of(Kind kind, URI url) {
        Objects.requireNonNull(kind, "kind");
        return new MetaflowServiceConfig(kind, Settings.validateBaseUri(url, describe(kind)), null, Map.of(), "code");
    }

    /**
     * The configured service, or empty when none is configured.
     *
     * @param env  environment variables (e.g. {@code System.getenv()})
     * @param home the user's home directory (for {@code ~/.metaflowconfig}); may be null when unknown
     * @throws IllegalArgumentException for a malformed configuration file, URL or headers value, naming
     *                                  the setting and where it came from (never its secret value)
     */
    public static Optional<MetaflowServiceConfig> fromEnvironment(Map<String, String> env, Path home) {
        Objects.requireNonNull(env, "env");
        Path dir = configDir(env, home);
        String profile = blankToNull(env.get(PROFILE));
        Path file = dir == null ? null : dir.resolve(profile == null ? "config.json" : "config_" + profile + ".json");
        JsonNode config = Json.MAPPER.createObjectNode();
        if (file != null && Files.isRegularFile(file)) {
            try {
                config = Json.MAPPER.readTree(file.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException("the Metaflow configuration " + file + " is not valid JSON: "
                        + firstLine(e.getMessage()));
            }
            if (config == null || !config.isObject()) {
                throw new IllegalArgumentException("the Metaflow configuration " + file + " is not a JSON object");
            }
        } else if (profile != null) {
            throw new IllegalArgumentException(PROFILE + " is '" + profile + "' but "
                    + (file == null ? "config_" + profile + ".json" : file) + " does not exist");
        }
        Lookup lookup = new Lookup(env, config, file);
        Kind kind;
        Optional<Setting> url = lookup.text(UI_BACKEND_URL);
        if (url.isPresent()) {
            kind = Kind.UI_BACKEND;
        } else {
            url = lookup.text(SERVICE_URL);
            if (url.isEmpty()) {
                return Optional.empty();
            }
            if (lookup.text(DEFAULT_METADATA).map(s -> s.value().trim().equalsIgnoreCase("local")).orElse(false)) {
                return Optional.empty();
            }
            kind = Kind.METADATA_SERVICE;
        }
        URI uri;
        try {
            uri = URI.create(url.get().value().trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(url.get().name() + " (from " + url.get().source() + ") is not a valid URL");
        }
        try {
            Settings.validateBaseUri(uri, describe(kind));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(url.get().name() + " (from " + url.get().source() + "): " + e.getMessage());
        }
        String key = lookup.text(SERVICE_AUTH_KEY).map(Setting::value).filter(s -> !s.isBlank()).orElse(null);
        Map<String, String> headers = lookup.headers();
        try {
            Settings.validateHeaders(headers);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(SERVICE_HEADERS + ": " + e.getMessage());
        }
        return Optional.of(new MetaflowServiceConfig(kind, uri, key, headers, url.get().source()));
    }

    public Kind kind() {
        return kind;
    }

    public URI url() {
        return url;
    }

    public boolean hasAuthKey() {
        return authKey != null;
    }

    /** Where the URL came from: {@code environment} or the configuration file's path. */
    public String source() {
        return source;
    }

    /** The headers to send: the configured extra headers plus {@code x-api-key} when an auth key is set. */
    public Map<String, String> requestHeaders() {
        Map<String, String> out = new LinkedHashMap<>(headers);
        if (authKey != null) {
            out.put("x-api-key", authKey);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Secrets are masked. */
    @Override
    public String toString() {
        StringBuilder h = new StringBuilder("{");
        for (String name : headers.keySet()) {
            if (h.length() > 1) {
                h.append(", ");
            }
            h.append(name).append("=****");
        }
        h.append('}');
        return "MetaflowServiceConfig[kind=" + kind + ", url=" + Settings.withoutUserInfo(url) + ", authKey="
                + (authKey == null ? "none" : "****") + ", headers=" + h + ", source=" + source + "]";
    }

    private static String describe(Kind kind) {
        return kind == Kind.UI_BACKEND ? "UI backend" : "metadata service";
    }

    private static Path configDir(Map<String, String> env, Path home) {
        String mfHome = blankToNull(env.get(HOME));
        if (mfHome != null) {
            if ((mfHome.equals("~") || mfHome.startsWith("~/")) && home != null) {
                return home.resolve(mfHome.equals("~") ? "" : mfHome.substring(2));
            }
            return Path.of(mfHome);
        }
        return home == null ? null : home.resolve(".metaflowconfig");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private record Setting(String name, String value, String source) {
    }

    private static final class Lookup {
        private final Map<String, String> env;
        private final JsonNode config;
        private final Path file;

        Lookup(Map<String, String> env, JsonNode config, Path file) {
            this.env = env;
            this.config = config;
            this.file = file;
        }

        Optional<Setting> text(String name) {
            String e = env.get(name);
            if (e != null && !e.isBlank()) {
                return Optional.of(new Setting(name, e, "environment"));
            }
            JsonNode v = config.get(name);
            if (v != null && v.isValueNode() && !v.isNull() && !v.asText().isBlank()) {
                return Optional.of(new Setting(name, v.asText(), String.valueOf(file)));
            }
            return Optional.empty();
        }

        Map<String, String> headers() {
            String e = env.get(SERVICE_HEADERS);
            JsonNode node;
            String source;
            if (e != null && !e.isBlank()) {
                source = "environment";
                node = parse(e, source);
            } else {
                node = config.get(SERVICE_HEADERS);
                source = String.valueOf(file);
                if (node != null && node.isTextual()) {
                    node = node.asText().isBlank() ? null : parse(node.asText(), source);
                }
            }
            if (node == null || node.isNull()) {
                return Map.of();
            }
            if (!node.isObject()) {
                throw new IllegalArgumentException(SERVICE_HEADERS + " (from " + source + ") must be a JSON object of header names to values");
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (var f : node.properties()) {
                if (!f.getValue().isValueNode() || f.getValue().isNull()) {
                    throw new IllegalArgumentException(SERVICE_HEADERS + " (from " + source + "): the value of header '"
                            + f.getKey() + "' is not a string");
                }
                out.put(f.getKey(), f.getValue().asText());
            }
            return out;
        }

        private static JsonNode parse(String json, String source) {
            try {
                return Json.MAPPER.readTree(json);
            } catch (IOException ex) {
                // never echo the text: it holds secrets
                throw new IllegalArgumentException(SERVICE_HEADERS + " (from " + source + ") is not valid JSON");
            }
        }
    }
}

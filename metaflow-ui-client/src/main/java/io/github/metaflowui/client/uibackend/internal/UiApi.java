package io.github.metaflowui.client.uibackend.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.client.http.internal.HttpTransport;
import io.github.metaflowui.client.http.internal.Json;
import io.github.metaflowui.client.http.internal.JsonBodies;
import io.github.metaflowui.client.http.internal.Query;
import io.github.metaflowui.core.MetaflowException.DecodeException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The UI backend's envelope (contract §3.2): {@code data} plus the {@code pages} numbers. */
public final class UiApi {
    /** The UI backend's largest page ({@code _limit} is capped at 1000). */
    public static final int MAX_LIMIT = 1000;
    /** Safety stop for "read every page" loops. */
    private static final int MAX_PAGES = 100_000;

    /** One answer: its data and paging numbers. */
    public record Envelope(JsonNode data, Optional<Integer> next, Optional<Integer> last) {
        public List<JsonNode> list() {
            List<JsonNode> out = new ArrayList<>();
            if (data.isArray()) {
                data.forEach(out::add);
            }
            return out;
        }
    }

    private final HttpTransport http;

    public UiApi(HttpTransport http) {
        this.http = http;
    }

    public HttpTransport http() {
        return http;
    }

    public Envelope get(String path, Query query) {
        return http.get(path, query, (info, body) -> envelope(JsonBodies.readValue(body)));
    }

    /** Empty for the UI backend's JSON 404 ({@code {"data": {}}} or {@code {"data": []}}). */
    public Optional<Envelope> getIfFound(String path, Query query) {
        return http.getIfFound(path, query, (info, body) -> envelope(JsonBodies.readValue(body)));
    }

    /**
     * Every row of a list, reading pages of {@link #MAX_LIMIT} until {@code pages.next} is null.
     * {@code query} must carry {@code _order} and no paging parameters.
     */
    public List<JsonNode> all(String path, Query query) {
        List<JsonNode> out = new ArrayList<>();
        for (int page = 1; page <= MAX_PAGES; page++) {
            Optional<Envelope> e = getIfFound(path, query.and("_limit", MAX_LIMIT).and("_page", page));
            if (e.isEmpty()) {
                return out;
            }
            List<JsonNode> rows = e.get().list();
            out.addAll(rows);
            if (e.get().next().isEmpty() || rows.size() < MAX_LIMIT) {
                return out;
            }
        }
        return out;
    }

    static Envelope envelope(JsonNode root) {
        if (!root.isObject() || !root.has("data")) {
            throw new DecodeException("expected the UI backend's {\"data\": ...} envelope, got " + Json.excerpt(root));
        }
        JsonNode pages = root.path("pages");
        return new Envelope(JsonBodies.unwrap(root.get("data")), intValue(pages, "next"), intValue(pages, "last"));
    }

    private static Optional<Integer> intValue(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.canConvertToInt() && !v.isNull() ? Optional.of(v.asInt()) : Optional.empty();
    }
}

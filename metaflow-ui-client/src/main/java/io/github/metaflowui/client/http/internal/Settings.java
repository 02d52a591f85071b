package io.github.metaflowui.client.http.internal;

import java.net.URI;
import java.util.Locale;
import java.util.Map;

/** Validation shared by the HTTP backends' builders; messages never contain secrets. */
public final class Settings {
    private Settings() {
    }

    /** Checks a service URL: required, absolute http(s) with a host, no query, fragment or credentials. */
    public static URI validateBaseUri(URI uri, String service) {
        if (uri == null) {
            throw new IllegalArgumentException("baseUri is required: the URL of the " + service);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("baseUri must be an http or https URL, got '" + withoutUserInfo(uri) + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("baseUri must not hold credentials; send them as headers (apiKey, header)");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new IllegalArgumentException("baseUri has no host: '" + uri + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("baseUri must not have a query or fragment: '" + uri + "'");
        }
        return uri;
    }

    /** Header names must be HTTP tokens; values must not break lines. Values are never shown. */
    public static void validateHeaders(Map<String, String> headers) {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String name = h.getKey();
            if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
                throw new IllegalArgumentException("header name '" + name + "' is not a valid HTTP header name");
            }
            if (h.getValue().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new IllegalArgumentException("the value of header '" + name + "' contains a line break");
            }
        }
    }

    /** The URI as text without its user-info part. */
    public static String withoutUserInfo(URI uri) {
        String s = uri.toString();
        if (uri.getRawUserInfo() != null) {
            s = s.replace(uri.getRawUserInfo() + "@", "");
        }
        return s;
    }
}

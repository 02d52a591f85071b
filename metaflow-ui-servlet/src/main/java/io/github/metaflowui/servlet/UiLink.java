package io.github.metaflowui.servlet;

import java.util.Locale;
import java.util.Objects;

/**
 * A link the UI shows at run or task scope (e.g. a Kubernetes dashboard or a log search). Shown as a
 * plain link with its label as text; opened in a new tab without a referrer.
 *
 * @param label the link text
 * @param url   an {@code http(s)://} URL or a path on this site starting with {@code /}
 */
public record UiLink(String label, String url) {
    public UiLink {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(url, "url");
        if (label.isBlank()) {
            throw new IllegalArgumentException("link label must not be blank");
        }
        if (!isSafeUrl(url)) {
            throw new IllegalArgumentException("link url must start with http://, https:// or a single /, got '"
                    + (url.length() > 80 ? url.substring(0, 80) + "…" : url) + "'");
        }
    }

    /** True for {@code http://}, {@code https://} and site paths ({@code /x}, not {@code //host}), without controls. */
    public static boolean isSafeUrl(String url) {
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c < 0x20 || c == 0x7f || c == ' ' || c == '\\') {
                return false;
            }
        }
        String lower = url.toLowerCase(Locale.ROOT);
        return lower.startsWith("https://") || lower.startsWith("http://")
                || (url.startsWith("/") && !url.startsWith("//"));
    }
}

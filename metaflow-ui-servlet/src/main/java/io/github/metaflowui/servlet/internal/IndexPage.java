package io.github.metaflowui.servlet.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The UI's {@code index.html} as a template. These placeholders are replaced per request:
 * {@code {{BASE}}} (the mount URL path ending with {@code /}), {@code {{STATIC}}} (the hashed asset
 * URL, {@code {{BASE}}static/<hash>/}), {@code {{TITLE}}} and {@code {{EMBED}}} ({@code 1} when the
 * options hide the chrome, else {@code 0}); all are HTML-escaped, so they are safe in text and in
 * quoted attributes.
 */
public final class IndexPage {
    private static final List<String> PLACEHOLDERS = List.of("{{BASE}}", "{{STATIC}}", "{{TITLE}}", "{{EMBED}}");

    /** Literal text, or a placeholder when {@code placeholder} is set. */
    private record Part(String text, boolean placeholder) {
    }

    private final List<Part> parts;
    private final String hash;
    private final String title;
    private final boolean embed;

    public IndexPage(byte[] template, String hash, String title) {
        this(template, hash, title, false);
    }

    /** @param embed whether the page hides its chrome (app bar and footer) for embedding */
    public IndexPage(byte[] template, String hash, String title, boolean embed) {
        this.embed = embed;
        this.hash = Objects.requireNonNull(hash, "hash");
        this.title = Objects.requireNonNull(title, "title");
        this.parts = parse(new String(template, StandardCharsets.UTF_8));
    }

    /** Renders the page for a mount whose URL path is {@code base} (ending with {@code /}). */
    public byte[] render(String base) {
        String baseEsc = Html.escape(base);
        String staticEsc = Html.escape(base + "static/" + hash + "/");
        String titleEsc = Html.escape(title);
        StringBuilder out = new StringBuilder(4096);
        for (Part p : parts) {
            if (!p.placeholder()) {
                out.append(p.text());
            } else if (p.text().equals("{{BASE}}")) {
                out.append(baseEsc);
            } else if (p.text().equals("{{STATIC}}")) {
                out.append(staticEsc);
            } else if (p.text().equals("{{EMBED}}")) {
                out.append(embed ? '1' : '0');
            } else {
                out.append(titleEsc);
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static List<Part> parse(String template) {
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < template.length()) {
            int next = -1;
            String which = null;
            for (String ph : PLACEHOLDERS) {
                int at = template.indexOf(ph, i);
                if (at >= 0 && (next < 0 || at < next)) {
                    next = at;
                    which = ph;
                }
            }
            if (next < 0) {
                parts.add(new Part(template.substring(i), false));
                break;
            }
            if (next > i) {
                parts.add(new Part(template.substring(i, next), false));
            }
            parts.add(new Part(which, true));
            i = next + which.length();
        }
        return List.copyOf(parts);
    }
}

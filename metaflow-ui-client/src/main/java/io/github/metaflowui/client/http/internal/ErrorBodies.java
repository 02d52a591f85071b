package io.github.metaflowui.client.http.internal;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an error body into one short, readable line. Understands the services' shapes (a
 * double-encoded {@code {"err_msg": ...}} string, {@code {"detail", "title"}} problems, the UI
 * backend envelope, plain strings) and gateway HTML pages (reduced to their title or text).
 */
public final class ErrorBodies {
    private static final int MAX = 200;
    private static final Pattern TITLE = Pattern.compile("<title[^>]*>(.*?)</title>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern H1 = Pattern.compile("<h1[^>]*>(.*?)</h1>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern SCRIPT = Pattern.compile("<(script|style)[^>]*>.*?</\\1>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private ErrorBodies() {
    }

    /** True when the body is an HTML page rather than an API answer. */
    public static boolean isHtml(String contentType, String body) {
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).contains("html")) {
            return true;
        }
        String s = body.stripLeading().toLowerCase(Locale.ROOT);
        return s.startsWith("<!doctype html") || s.startsWith("<html") || s.startsWith("<head") || s.startsWith("<body")
                || (s.startsWith("<") && s.contains("</html>"));
    }

    /** One line describing the body, at most 200 characters. */
    public static String summarize(String contentType, String body) {
        if (body.isBlank()) {
            return "empty body";
        }
        if (isHtml(contentType, body)) {
            return "an HTML page, likely from a proxy or gateway: \"" + htmlText(body) + "\"";
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return clip(oneLine(body));
        }
        if (node == null || node.isMissingNode()) {
            return clip(oneLine(body));
        }
        return clip(json(node, 0));
    }

    private static String json(JsonNode node, int depth) {
        if (depth > 4) {
            return oneLine(node.toString());
        }
        if (node.isTextual()) {
            JsonNode inner = JsonBodies.unwrap(node);
            if (inner != node) {
                return json(inner, depth + 1);
            }
            return oneLine(node.asText());
        }
        if (node.isObject()) {
            if (node.isEmpty()) {
                return "{}";
            }
            JsonNode err = node.get("err_msg");
            if (err != null && !err.isNull()) {
                return errMsg(JsonBodies.unwrap(err), depth);
            }
            for (String key : new String[] {"detail", "message", "error", "title"}) {
                JsonNode v = node.get(key);
                if (v != null && v.isTextual() && !v.asText().isBlank()) {
                    String id = node.has("id") && node.get("id").isTextual() ? node.get("id").asText() + ": " : "";
                    return id + oneLine(v.asText());
                }
            }
            JsonNode data = node.get("data");
            if (data != null && node.has("status")) {
                if (data.isTextual() || (data.isObject() && (data.has("err_msg") || data.has("detail")))) {
                    return json(data, depth + 1);
                }
                return data.isEmpty() ? "not found" : oneLine(data.toString());
            }
        }
        return oneLine(node.toString());
    }

    private static String errMsg(JsonNode err, int depth) {
        if (err.isTextual()) {
            return oneLine(err.asText());
        }
        if (err.isObject()) {
            JsonNode diag = err.get("diag");
            if (diag != null && diag.has("message_primary") && diag.get("message_primary").isTextual()) {
                return oneLine(diag.get("message_primary").asText());
            }
            for (String key : new String[] {"pgerror", "message", "type", "detail"}) {
                JsonNode v = err.get(key);
                if (v != null && v.isTextual() && !v.asText().isBlank()) {
                    return oneLine(v.asText());
                }
            }
        }
        return json(err, depth + 1);
    }

    private static String htmlText(String html) {
        Matcher m = TITLE.matcher(html);
        String text = null;
        if (m.find()) {
            text = strip(m.group(1));
        }
        if (text == null || text.isBlank()) {
            Matcher h = H1.matcher(html);
            if (h.find()) {
                text = strip(h.group(1));
            }
        }
        if (text == null || text.isBlank()) {
            text = strip(SCRIPT.matcher(html).replaceAll(" "));
        }
        return text.length() <= 120 ? text : text.substring(0, 120) + "…";
    }

    private static String strip(String html) {
        String t = TAG.matcher(html).replaceAll(" ");
        t = t.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&");
        return oneLine(t);
    }

    /** Collapses whitespace (including newlines) into single spaces. */
    public static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    private static String clip(String s) {
        return s.length() <= MAX ? s : s.substring(0, MAX) + "…";
    }
}

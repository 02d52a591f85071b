package io.github.metaflowui.client.http.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An ordered, immutable list of query parameters. Encodes like a browser address bar would for the
 * services' filter syntax: {@code :} and {@code ,} stay readable ({@code status:eq=failed,running}),
 * while {@code +}, {@code &}, {@code =}, {@code #}, {@code %}, spaces and non-ASCII are percent-encoded.
 */
public final class Query {
    private static final Query EMPTY = new Query(List.of());

    private final List<String[]> params;

    private Query(List<String[]> params) {
        this.params = params;
    }

    public static Query empty() {
        return EMPTY;
    }

    public static Query of(String name, Object value) {
        return EMPTY.and(name, value);
    }

    /** This query with one more parameter. */
    public Query and(String name, Object value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        List<String[]> next = new ArrayList<>(params.size() + 1);
        next.addAll(params);
        next.add(new String[] {name, String.valueOf(value)});
        return new Query(List.copyOf(next));
    }

    /** This query with {@code name=value} only when {@code condition} holds. */
    public Query andIf(boolean condition, String name, Object value) {
        return condition ? and(name, value) : this;
    }

    public boolean isEmpty() {
        return params.isEmpty();
    }

    public boolean has(String name) {
        for (String[] p : params) {
            if (p[0].equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** {@code a=1&b=2}, encoded; empty for no parameters. */
    public String encoded() {
        StringBuilder sb = new StringBuilder();
        for (String[] p : params) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            encode(p[0], sb);
            sb.append('=');
            encode(p[1], sb);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return encoded();
    }

    /** Percent-encodes one path segment (RFC 3986 {@code pchar}, minus {@code ;} and {@code =}). */
    public static String encodeSegment(String segment) {
        StringBuilder sb = new StringBuilder(segment.length() + 8);
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (isUnreserved(c) || c == ':' || c == '@' || c == ',' || c == '!' || c == '$' || c == '\'' || c == '('
                    || c == ')' || c == '*') {
                sb.append((char) c);
            } else {
                percent(c, sb);
            }
        }
        return sb.toString();
    }

    private static void encode(String s, StringBuilder sb) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (isUnreserved(c) || c == ':' || c == ',' || c == '@' || c == '!' || c == '$' || c == '\'' || c == '('
                    || c == ')' || c == '*' || c == ';' || c == '/' || c == '?') {
                sb.append((char) c);
            } else {
                percent(c, sb);
            }
        }
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '~';
    }

    private static void percent(int c, StringBuilder sb) {
        final String hex = "0123456789ABCDEF";
        sb.append('%').append(hex.charAt(c >> 4)).append(hex.charAt(c & 0xf));
    }
}

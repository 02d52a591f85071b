package io.github.metaflowui.servlet.internal;

/**
 * Text from requests and data sources, made safe to put in a log line or a message: control
 * characters become spaces and anything over a limit is cut, saying how long it was. A request path
 * can be kilobytes long; a log line about it should not be.
 */
public final class Bounded {
    /** The longest request path (URI) written to a log line. */
    public static final int URI = 200;
    /** The longest error message written to a log line or shown as a problem detail. */
    public static final int MESSAGE = 400;

    private Bounded() {
    }

    /** {@code text} with control characters as spaces, cut to {@code max} characters plus a note. */
    public static String text(String text, int max) {
        if (text == null) {
            return "";
        }
        String t = text.length() > max ? text.substring(0, max) : text;
        StringBuilder out = new StringBuilder(t.length() + 24);
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (text.length() > max) {
            out.append("... (").append(text.length()).append(" characters)");
        }
        return out.toString();
    }
}

package io.github.metaflowui.client.local.internal;

import io.github.metaflowui.core.ArtifactValue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Turns decoded Python values into display text. Plain values (int, float, str, bool, None, and
 * list, tuple, dict, set, frozenset of those) render as compact JSON the way Python's
 * {@code json.dumps(value, separators=(',', ':'), ensure_ascii=False)} writes it: tuples and sets
 * as arrays, dict keys as strings, floats in Python's {@code repr} form, and the non-finite floats
 * as the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}. Anything else is
 * described by its type and size, e.g. {@code pandas.core.frame.DataFrame (12,345 bytes)}.
 */
public final class PythonValues {
    /** Python types whose values we render. */
    public static final Set<String> PLAIN_TYPES = Set.of("int", "float", "str", "bool", "NoneType", "list", "tuple",
            "dict", "set", "frozenset");
    private static final int MAX_DEPTH = 100;

    private PythonValues() {
    }

    /** {@code <class 'pandas.core.frame.DataFrame'>} to {@code pandas.core.frame.DataFrame}. */
    public static String typeName(String recorded) {
        String s = recorded.trim();
        if (s.startsWith("<class '") && s.endsWith("'>")) {
            s = s.substring("<class '".length(), s.length() - 2);
        } else if (s.startsWith("<type '") && s.endsWith("'>")) {
            s = s.substring("<type '".length(), s.length() - 2);
        }
        if (s.startsWith("builtins.")) {
            s = s.substring("builtins.".length());
        }
        return s;
    }

    /** The short Python type name of a decoded value. */
    public static String typeOf(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Integer || v instanceof Long || v instanceof BigInteger || v instanceof Short
                || v instanceof Byte) {
            return "int";
        }
        if (v instanceof Double || v instanceof Float) {
            return "float";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof byte[]) {
            return "bytes";
        }
        if (v instanceof Object[]) {
            return "tuple";
        }
        if (v instanceof SafeUnpickler.FrozenSet) {
            return "frozenset";
        }
        if (v instanceof Set<?>) {
            return "set";
        }
        if (v instanceof List<?>) {
            return "list";
        }
        if (v instanceof Map<?, ?>) {
            return "dict";
        }
        if (v instanceof SafeUnpickler.PyObject o) {
            return o.qualifiedName();
        }
        return v.getClass().getSimpleName();
    }

    /** The description used for values we do not render: type and size. */
    public static String describe(String pythonType, OptionalLong size) {
        if (size.isEmpty()) {
            return pythonType;
        }
        DecimalFormat f = new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.ROOT));
        return pythonType + " (" + f.format(size.getAsLong()) + (size.getAsLong() == 1 ? " byte)" : " bytes)");
    }

    /**
     * Renders a decoded value.
     *
     * @param value      the decoded pickle
     * @param pythonType the type to report (the recorded one when known)
     * @param size       the serialized size, for the description of values that are not rendered
     * @param maxChars   the longest display wanted
     */
    public static ArtifactValue render(Object value, String pythonType, OptionalLong size, int maxChars) {
        if (maxChars < 0) {
            throw new IllegalArgumentException("maxChars must be >= 0, got " + maxChars);
        }
        Optional<Rendered> r = toJson(value, maxChars);
        if (r.isEmpty()) {
            return unrendered(pythonType, size, maxChars);
        }
        return new ArtifactValue(pythonType, r.get().text(), true, r.get().truncated());
    }

    /** The value as text that describes it without rendering it. */
    public static ArtifactValue unrendered(String pythonType, OptionalLong size, int maxChars) {
        String d = describe(pythonType, size);
        Rendered c = cut(d, maxChars);
        return new ArtifactValue(pythonType, c.text(), false, c.truncated());
    }

    /** Compact JSON of a plain value, cut to {@code maxChars}; empty if the value is not plain. */
    public static Optional<Rendered> toJson(Object value, int maxChars) {
        Writer w = new Writer(maxChars);
        try {
            w.write(value, 0);
        } catch (Full full) {
            return Optional.of(cut(w.out.toString(), maxChars));
        } catch (NotPlain notPlain) {
            return Optional.empty();
        }
        return Optional.of(new Rendered(w.out.toString(), false));
    }

    /** Display text and whether it was cut. */
    public record Rendered(String text, boolean truncated) {
    }

    private static Rendered cut(String s, int maxChars) {
        if (s.length() <= maxChars) {
            return new Rendered(s, false);
        }
        int end = maxChars;
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return new Rendered(s.substring(0, end), true);
    }

    /** Python's {@code repr(float)}: the shortest text that reads back as the same double. */
    public static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(d);
        BigDecimal shortest = exact;
        for (int p = 1; p <= 17; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == d) {
                shortest = r;
                break;
            }
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        // value = 0.digits * 10^decpt
        int decpt = digits.length() - shortest.scale();
        StringBuilder sb = new StringBuilder();
        if (shortest.signum() < 0) {
            sb.append('-');
        }
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) {
                sb.append("0.");
                sb.append("0".repeat(-decpt));
                sb.append(digits);
            } else if (decpt >= digits.length()) {
                sb.append(digits);
                sb.append("0".repeat(decpt - digits.length()));
                sb.append(".0");
            } else {
                sb.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
            }
        } else {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            int exp = decpt - 1;
            sb.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) {
                sb.append('0');
            }
            sb.append(a);
        }
        return sb.toString();
    }

    private static final class Full extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Full() {
            super(null, null, false, false);
        }
    }

    private static final class NotPlain extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotPlain() {
            super(null, null, false, false);
        }
    }

    private static final class Writer {
        final StringBuilder out = new StringBuilder();
        final int max;
        final IdentityHashMap<Object, Boolean> path = new IdentityHashMap<>();
        boolean full;

        Writer(int max) {
            this.max = max;
        }

        void append(CharSequence s) {
            if (full) {
                return;
            }
            out.append(s);
            if (out.length() > max) {
                full = true;
            }
        }

        void append(char c) {
            if (full) {
                return;
            }
            out.append(c);
            if (out.length() > max) {
                full = true;
            }
        }

        /**
         * Writes the value. Keeps checking plainness after the budget is full, so that a value that
         * is not plain is never shown as a cut-short rendering.
         */
        void write(Object v, int depth) {
            writeValue(v, depth);
            if (depth == 0 && full) {
                throw new Full();
            }
        }

        private void writeValue(Object v, int depth) {
            if (depth > MAX_DEPTH) {
                throw new NotPlain();
            }
            if (v == null) {
                append("null");
            } else if (v instanceof Boolean b) {
                append(b ? "true" : "false");
            } else if (v instanceof Integer || v instanceof Long || v instanceof BigInteger || v instanceof Short
                    || v instanceof Byte) {
                append(v.toString());
            } else if (v instanceof Double || v instanceof Float) {
                append(floatJson(((Number) v).doubleValue()));
            } else if (v instanceof String s) {
                string(s);
            } else if (v instanceof Object[] a) {
                container(v, Arrays.asList(a), depth);
            } else if (v instanceof Collection<?> c) {
                container(v, c, depth);
            } else if (v instanceof Map<?, ?> m) {
                enter(v);
                append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        append(',');
                    }
                    first = false;
                    string(keyText(e.getKey()));
                    append(':');
                    writeValue(e.getValue(), depth + 1);
                }
                append('}');
                path.remove(v);
            } else {
                throw new NotPlain();
            }
        }

        private void container(Object self, Collection<?> items, int depth) {
            enter(self);
            append('[');
            boolean first = true;
            for (Object o : items) {
                if (!first) {
                    append(',');
                }
                first = false;
                writeValue(o, depth + 1);
            }
            append(']');
            path.remove(self);
        }

        private void enter(Object container) {
            if (path.put(container, Boolean.TRUE) != null) {
                throw new NotPlain(); // a cycle: json.dumps refuses it too
            }
        }

        private String keyText(Object k) {
            if (k instanceof String s) {
                return s;
            }
            if (k == null) {
                return "null";
            }
            if (k instanceof Boolean b) {
                return b ? "true" : "false";
            }
            if (k instanceof Integer || k instanceof Long || k instanceof BigInteger) {
                return k.toString();
            }
            if (k instanceof Double || k instanceof Float) {
                double d = ((Number) k).doubleValue();
                if (Double.isNaN(d)) {
                    return "NaN";
                }
                if (Double.isInfinite(d)) {
                    return d > 0 ? "Infinity" : "-Infinity";
                }
                return floatRepr(d);
            }
            throw new NotPlain(); // json.dumps refuses tuple keys
        }

        private String floatJson(double d) {
            if (Double.isNaN(d)) {
                return "\"NaN\"";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
            }
            return floatRepr(d);
        }

        private void string(String s) {
            if (full) {
                return;
            }
            append('"');
            for (int i = 0; i < s.length() && !full; i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"':
                        append("\\\"");
                        break;
                    case '\\':
                        append("\\\\");
                        break;
                    case '\n':
                        append("\\n");
                        break;
                    case '\r':
                        append("\\r");
                        break;
                    case '\t':
                        append("\\t");
                        break;
                    case '\b':
                        append("\\b");
                        break;
                    case '\f':
                        append("\\f");
                        break;
                    default:
                        if (c < 0x20) {
                            append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            append(c);
                        }
                }
            }
            append('"');
        }
    }
}

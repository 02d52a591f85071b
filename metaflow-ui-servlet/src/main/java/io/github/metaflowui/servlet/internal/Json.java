package io.github.metaflowui.servlet.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * JSON writing with Jackson's streaming generator. Output escapes {@code < > &} and the JavaScript
 * line separators as {@code \\uXXXX}, so that no text a flow wrote can ever form markup, even if a
 * response were sniffed as HTML.
 */
public final class Json {
    private static final JsonFactory FACTORY = new JsonFactory().setCharacterEscapes(new SafeEscapes());

    private Json() {
    }

    /** Something that writes one JSON document. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /** Writes a whole document into bytes (UTF-8). */
    public static byte[] bytes(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * True when {@code text} is exactly one JSON value (no trailing content). Used before embedding
     * a backend's rendered artifact text as raw JSON.
     */
    public static boolean isSingleValue(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /** Copies one JSON value given as text into the generator, re-escaping strings, numbers exact. */
    public static void copyValue(JsonGenerator g, String text) throws IOException {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IOException("no JSON value");
            }
            g.copyCurrentStructureExact(p);
        }
    }

    /** {@code text} without control characters, cut to {@code max} characters. */
    public static String clip(String text, int max) {
        String t = text.replaceAll("\\p{Cntrl}", " ");
        return t.length() > max ? t.substring(0, max) + "..." : t;
    }

    public static void str(JsonGenerator g, String field, String value) throws IOException {
        g.writeFieldName(field);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeString(value);
        }
    }

    public static void optStr(JsonGenerator g, String field, Optional<String> value) throws IOException {
        str(g, field, value.orElse(null));
    }

    public static void millis(JsonGenerator g, String field, Instant value) throws IOException {
        g.writeNumberField(field, value.toEpochMilli());
    }

    public static void optMillis(JsonGenerator g, String field, Optional<Instant> value) throws IOException {
        if (value.isPresent()) {
            g.writeNumberField(field, value.get().toEpochMilli());
        } else {
            g.writeNullField(field);
        }
    }

    public static void optSeconds(JsonGenerator g, String field, Optional<Instant> value) throws IOException {
        if (value.isPresent()) {
            g.writeNumberField(field, value.get().getEpochSecond());
        } else {
            g.writeNullField(field);
        }
    }

    public static void optDuration(JsonGenerator g, String field, Optional<Duration> value) throws IOException {
        if (value.isPresent()) {
            g.writeNumberField(field, value.get().toMillis());
        } else {
            g.writeNullField(field);
        }
    }

    /**
     * A duration in milliseconds: {@code end - start} computed on the millisecond values written
     * elsewhere in the same object when both are known (so that {@code finished_at - started_at ==
     * duration} holds exactly for a client), else {@code fallback}.
     */
    public static void durationBetween(JsonGenerator g, String field, Optional<Instant> start,
                                       Optional<Instant> end, Optional<Duration> fallback) throws IOException {
        if (start.isPresent() && end.isPresent()) {
            g.writeNumberField(field, end.get().toEpochMilli() - start.get().toEpochMilli());
        } else {
            optDuration(g, field, fallback);
        }
    }

    public static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /** Escapes {@code < > &} and U+2028/U+2029 besides what JSON requires. */
    private static final class SafeEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] escapes;

        SafeEscapes() {
            int[] e = CharacterEscapes.standardAsciiEscapesForJSON();
            e['<'] = CharacterEscapes.ESCAPE_STANDARD;
            e['>'] = CharacterEscapes.ESCAPE_STANDARD;
            e['&'] = CharacterEscapes.ESCAPE_STANDARD;
            this.escapes = e;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch == 0x2028) {
                return new SerializedString("\\u2028");
            }
            if (ch == 0x2029) {
                return new SerializedString("\\u2029");
            }
            return null;
        }
    }
}

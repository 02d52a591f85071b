package io.github.metaflowui.client.http.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.core.MetaflowException.DecodeException;

import java.io.IOException;
import java.io.InputStream;

/**
 * Decodes response bodies as JSON whatever their content type. Arrays are streamed element by
 * element with Jackson's streaming parser, so a list of a million objects never sits in memory at
 * once. A body that is a JSON <em>string</em> holding JSON (the services double-encode some answers)
 * is unwrapped.
 */
public final class JsonBodies {
    /** Receives the elements of an array one at a time. */
    @FunctionalInterface
    public interface ElementVisitor {
        /** @return false to stop reading (the rest of the body is discarded) */
        boolean visit(JsonNode element) throws IOException;
    }

    private JsonBodies() {
    }

    /**
     * Streams the elements of a top-level JSON array.
     *
     * @return how many elements were visited
     * @throws DecodeException if the body is not an array (or a string holding one)
     */
    public static long forEachElement(InputStream body, ElementVisitor visitor) throws IOException {
        try (JsonParser p = Json.MAPPER.createParser(body)) {
            return forEachElement(p, visitor);
        }
    }

    private static long forEachElement(JsonParser p, ElementVisitor visitor) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new DecodeException("the answer was empty where a JSON array was expected");
        }
        if (t == JsonToken.VALUE_STRING) {
            String inner = p.getText();
            try (JsonParser ip = Json.MAPPER.createParser(inner)) {
                JsonToken it = ip.nextToken();
                if (it != JsonToken.START_ARRAY) {
                    throw new DecodeException("expected a JSON array, got the string " + quote(inner));
                }
                return elements(ip, visitor);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new DecodeException("expected a JSON array, got the string " + quote(inner));
            }
        }
        if (t != JsonToken.START_ARRAY) {
            throw new DecodeException("expected a JSON array, got " + describe(t, p));
        }
        return elements(p, visitor);
    }

    private static long elements(JsonParser p, ElementVisitor visitor) throws IOException {
        long n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new com.fasterxml.jackson.core.io.JsonEOFException(p, null,
                        "the JSON array ended before its closing ']' (truncated answer?)");
            }
            JsonNode element = Json.MAPPER.readTree(p);
            n++;
            if (!visitor.visit(element)) {
                return n;
            }
        }
        return n;
    }

    /** Reads a whole JSON value (an object, usually), unwrapping a double-encoded string. */
    public static JsonNode readValue(InputStream body) throws IOException {
        JsonNode node = Json.MAPPER.readTree(body);
        if (node == null || node.isMissingNode()) {
            throw new DecodeException("the answer was empty where JSON was expected");
        }
        return unwrap(node);
    }

    /** A string node whose text is JSON becomes that JSON; anything else is returned as is. */
    public static JsonNode unwrap(JsonNode node) {
        if (node.isTextual()) {
            String s = node.asText().trim();
            if (s.startsWith("{") || s.startsWith("[")) {
                try {
                    return Json.MAPPER.readTree(s);
                } catch (IOException e) {
                    return node;
                }
            }
        }
        return node;
    }

    private static String describe(JsonToken t, JsonParser p) throws IOException {
        switch (t) {
            case START_OBJECT:
                JsonNode obj = Json.MAPPER.readTree(p);
                return "an object: " + Json.excerpt(obj);
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "the number " + p.getText();
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "the boolean " + p.getText();
            case VALUE_NULL:
                return "null";
            default:
                return t.asString() == null ? t.name() : t.asString();
        }
    }

    private static String quote(String s) {
        String cut = s.length() <= 120 ? s : s.substring(0, 120) + "…";
        return "\"" + cut + "\"";
    }
}

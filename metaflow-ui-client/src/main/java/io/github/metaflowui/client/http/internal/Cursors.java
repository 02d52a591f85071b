package io.github.metaflowui.client.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Our page cursors: base64url of a small JSON object, opaque to callers. A cursor that does not
 * decode is a caller error ({@link IllegalArgumentException}), not a service failure.
 */
public final class Cursors {
    private Cursors() {
    }

    public static ObjectNode object() {
        return Json.MAPPER.createObjectNode();
    }

    public static String encode(ObjectNode cursor) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(cursor.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException if the text is not a cursor this library made */
    public static JsonNode decode(String cursor, String kind) {
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(cursor);
            JsonNode node = Json.MAPPER.readTree(bytes);
            if (node == null || !node.isObject() || !kind.equals(node.path("t").asText())) {
                throw new IllegalArgumentException("not a " + kind + " cursor of this backend: '" + clip(cursor) + "'");
            }
            return node;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("not a ")) {
                throw e;
            }
            throw new IllegalArgumentException("not a " + kind + " cursor of this backend: '" + clip(cursor) + "'");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a " + kind + " cursor of this backend: '" + clip(cursor) + "'");
        }
    }

    private static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }
}

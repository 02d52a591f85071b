package io.github.metaflowui.synthetic.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes JSON-shaped values as Python pickles (protocol 2: dicts, lists, str, int, float, bool,
 * None), the way Metaflow stores artifacts in the local datastore.
 */
final class Pickles {
    private Pickles() {
    }

    /** The pickle of the value a JSON text describes. */
    static byte[] fromJson(String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(2);
        try (JsonParser p = Web.JSON.createParser(json)) {
            p.nextToken();
            value(p, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('.');
        return out.toByteArray();
    }

    private static void value(JsonParser p, ByteArrayOutputStream out) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT:
                out.write('}');
                out.write('(');
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    string(p.getCurrentName(), out);
                    p.nextToken();
                    value(p, out);
                }
                out.write('u');
                break;
            case START_ARRAY:
                out.write(']');
                out.write('(');
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    value(p, out);
                }
                out.write('e');
                break;
            case VALUE_STRING:
                string(p.getText(), out);
                break;
            case VALUE_NUMBER_INT: {
                long v = p.getLongValue();
                if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                    out.write('J');
                    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
                } else {
                    out.write(0x8a); // LONG1
                    byte[] le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
                    out.write(8);
                    out.writeBytes(le);
                }
                break;
            }
            case VALUE_NUMBER_FLOAT:
                out.write('G');
                out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(p.getDoubleValue()).array());
                break;
            case VALUE_TRUE:
                out.write(0x88);
                break;
            case VALUE_FALSE:
                out.write(0x89);
                break;
            default:
                out.write('N');
        }
    }

    private static void string(String s, ByteArrayOutputStream out) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        out.writeBytes(b);
    }
}

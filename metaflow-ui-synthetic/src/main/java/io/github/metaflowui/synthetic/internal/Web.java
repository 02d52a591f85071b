package io.github.metaflowui.synthetic.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The little HTTP layer of the simulator: decoded path segments, query parameters, JSON answers. */
public final class Web {
    static final JsonFactory JSON = JsonFactory.builder().build();

    private Web() {
    }

    /** A parsed request. */
    public static final class Request {
        final List<String> segments;
        final Map<String, List<String>> params;
        final String rawQuery;
        final String path;

        Request(String path, String rawQuery) {
            this.path = path;
            this.rawQuery = rawQuery;
            this.segments = new ArrayList<>();
            for (String s : path.split("/")) {
                if (!s.isEmpty()) {
                    segments.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
                }
            }
            this.params = new LinkedHashMap<>();
            if (rawQuery != null && !rawQuery.isEmpty()) {
                for (String part : rawQuery.split("&")) {
                    if (part.isEmpty()) {
                        continue;
                    }
                    int eq = part.indexOf('=');
                    String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                    String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                    params.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
                }
            }
        }

        Optional<String> param(String name) {
            List<String> v = params.get(name);
            return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
        }

        /** Every comma-separated value of every occurrence. */
        List<String> values(String name) {
            List<String> out = new ArrayList<>();
            List<String> v = params.get(name);
            if (v != null) {
                for (String s : v) {
                    for (String p : s.split(",")) {
                        if (!p.isEmpty()) {
                            out.add(p);
                        }
                    }
                }
            }
            return out;
        }

        int intParam(String name, int def) {
            Optional<String> v = param(name);
            if (v.isEmpty()) {
                return def;
            }
            try {
                return Integer.parseInt(v.get().trim());
            } catch (NumberFormatException e) {
                return def;
            }
        }

        int size() {
            return segments.size();
        }

        String seg(int i) {
            return segments.get(i);
        }
    }

    /** Writes a JSON body. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /** A failure answer the services give (a status with a small body). */
    static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String body;

        Problem(int status, String body) {
            super(body, null, false, false);
            this.status = status;
            this.body = body;
        }
    }

    /**
     * Sends a JSON answer: buffered and sent with a length when small, streamed chunked once it
     * outgrows {@code 1 MiB} (a run's whole metadata, say), so that no answer is ever held whole.
     */
    static void send(HttpExchange ex, int status, String contentType, Map<String, String> headers, Body body)
            throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        try (Spill out = new Spill(ex, status, 1 << 20);
             JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            body.write(g);
        }
    }

    static void sendText(HttpExchange ex, int status, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(bytes);
            }
        } else {
            ex.close();
        }
    }

    /** Buffers up to a limit, then switches to a chunked response. */
    private static final class Spill extends OutputStream {
        private final HttpExchange ex;
        private final int status;
        private final int limit;
        private ByteArrayOutputStream buffer = new ByteArrayOutputStream(8192);
        private OutputStream direct;
        private boolean closed;

        Spill(HttpExchange ex, int status, int limit) {
            this.ex = ex;
            this.status = status;
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (direct != null) {
                direct.write(b, off, len);
                return;
            }
            buffer.write(b, off, len);
            if (buffer.size() > limit) {
                ex.sendResponseHeaders(status, 0);
                direct = new java.io.BufferedOutputStream(ex.getResponseBody(), 64 * 1024);
                buffer.writeTo(direct);
                buffer = null;
            }
        }

        @Override
        public void flush() throws IOException {
            if (direct != null) {
                direct.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (direct != null) {
                direct.close();
                return;
            }
            ex.sendResponseHeaders(status, buffer.size() == 0 ? -1 : buffer.size());
            if (buffer.size() > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    buffer.writeTo(os);
                }
            } else {
                ex.close();
            }
        }
    }

    static void stringList(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    static void nullableLong(JsonGenerator g, String field, long value) throws IOException {
        if (value == Long.MIN_VALUE) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, value);
        }
    }
}

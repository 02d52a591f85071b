package io.github.metaflowui.examples;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The runner's answers to requests Jetty refuses before the Metaflow servlet sees them (malformed
 * URIs, bad encodings, URIs or headers too long): {@code application/problem+json} under
 * {@code /api/}, a short plain-text page elsewhere, never Jetty's HTML page or its version. A
 * request Jetty cannot even parse (a broken {@code %}-escape, a URI too long) has no known path
 * and gets the plain-text page.
 */
final class StandaloneErrors {
    private StandaloneErrors() {
    }

    /** For errors outside any context (the server's own). */
    static final class ServerLevel extends org.eclipse.jetty.server.handler.ErrorHandler {
        ServerLevel() {
            setShowStacks(false);
            setShowCauses(false);
        }

        @Override
        protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
                                                     String contentType, List<Charset> charsets, int code,
                                                     String message, Throwable cause) {
            answer(request, response, callback, code);
            return true;
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            return plain(status, fields);
        }
    }

    /** For errors inside the servlet context (e.g. a URI the servlet container finds ambiguous). */
    static final class ContextLevel extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
        ContextLevel() {
            setShowStacks(false);
            setShowCauses(false);
        }

        @Override
        protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
                                                     String contentType, List<Charset> charsets, int code,
                                                     String message, Throwable cause) {
            answer(request, response, callback, code);
            return true;
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            return plain(status, fields);
        }
    }

    private static void answer(Request request, Response response, Callback callback, int code) {
        boolean api = isApi(request.getHttpURI());
        byte[] body = api ? problem(code) : text(code);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, api ? "application/problem+json; charset=utf-8"
                : "text/plain; charset=utf-8");
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** For a message Jetty cannot even read as a request: nothing is known of its path. */
    private static ByteBuffer plain(int status, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        fields.put(HttpHeader.CACHE_CONTROL, "no-store");
        fields.put("X-Content-Type-Options", "nosniff");
        return ByteBuffer.wrap(text(status));
    }

    /** The runner mounts the servlet at the root, so its API is {@code /api/}. */
    private static boolean isApi(HttpURI uri) {
        String path = uri == null || uri.getPath() == null ? "" : uri.getPath();
        return path.equals("/api") || path.startsWith("/api/");
    }

    private static String title(int code) {
        String reason = HttpStatus.getMessage(code);
        return reason == null || reason.isEmpty() ? "Error" : reason;
    }

    private static String detail(int code) {
        switch (code) {
            case 400:
                return "the request could not be understood: check the URL for a malformed %-escape, bytes that"
                        + " are not UTF-8, or an encoded '/' or '.' segment";
            case 404:
                return "nothing here";
            case 405:
                return "this interface is read-only (GET, HEAD)";
            case 414:
                return "the request URL is too long";
            case 431:
                return "the request headers are too large";
            default:
                return code >= 500 ? "the server could not answer this request; see the server log"
                        : "the request cannot be answered (" + code + " " + title(code) + ")";
        }
    }

    static byte[] problem(int code) {
        String json = "{\"type\":\"about:blank\",\"title\":\"" + title(code) + "\",\"status\":" + code
                + ",\"detail\":\"" + detail(code).replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] text(int code) {
        return (code + " " + title(code) + ": " + detail(code) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}

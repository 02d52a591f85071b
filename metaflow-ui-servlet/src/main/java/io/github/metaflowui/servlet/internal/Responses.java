package io.github.metaflowui.servlet.internal;

import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writing whole responses, with the headers every response of ours carries. */
public final class Responses {
    public static final String JSON = "application/json; charset=utf-8";
    public static final String PROBLEM_JSON = "application/problem+json; charset=utf-8";
    public static final String TEXT = "text/plain; charset=utf-8";
    /** For API responses: nothing in them is ever a document to render. */
    public static final String API_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

    private Responses() {
    }

    /** Sends bytes with a status, type and length; the body is left out for HEAD. */
    public static void send(HttpServletResponse resp, int status, String contentType, byte[] body, boolean head)
            throws IOException {
        resp.setStatus(status);
        resp.setContentType(contentType);
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setContentLength(body.length);
        if (!head) {
            resp.getOutputStream().write(body);
        }
    }

    /** An API answer: JSON, not cached. */
    public static void json(HttpServletResponse resp, int status, byte[] body, boolean head) throws IOException {
        apiHeaders(resp);
        send(resp, status, JSON, body, head);
    }

    /** {@code application/problem+json} with {@code type about:blank}, a title and a precise detail. */
    public static void problem(HttpServletResponse resp, int status, String title, String detail, boolean head)
            throws IOException {
        byte[] body = Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("type", "about:blank");
            g.writeStringField("title", title);
            g.writeNumberField("status", status);
            g.writeStringField("detail", detail);
            g.writeEndObject();
        });
        apiHeaders(resp);
        send(resp, status, PROBLEM_JSON, body, head);
    }

    /** A short plain-text page (for the UI side: 403, missing assets). */
    public static void text(HttpServletResponse resp, int status, String text, boolean head) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("Content-Security-Policy", API_CSP);
        send(resp, status, TEXT, (text + "\n").getBytes(StandardCharsets.UTF_8), head);
    }

    public static void apiHeaders(HttpServletResponse resp) {
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("Content-Security-Policy", API_CSP);
        resp.setHeader("X-Content-Type-Options", "nosniff");
    }
}

package io.github.metaflowui.servlet.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import jakarta.servlet.http.HttpServletRequest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Metaflow UI backend's response envelopes.
 *
 * <p>Single object: {@code {"data":{...},"status":200,"links":{"self"},"query":{}}}.
 * List: {@code {"data":[...],"status":200,"links":{self,first,prev,next,last},
 * "pages":{self,first,prev,next,last},"query":{...}}}.
 *
 * <p>Differences from upstream, all in the direction of truth: {@code pages.next} is set only when
 * another row exists (we fetch one more than asked); {@code pages.prev} is null on page 1;
 * {@code pages.last} is null unless the total is known (logs, whole lists, a page that reached the
 * end of its list); links are path-absolute URLs (no
 * scheme or host, so they are right behind any proxy).
 */
public final class Envelope {
    private final HttpServletRequest request;

    public Envelope(HttpServletRequest request) {
        this.request = request;
    }

    /** A single object. */
    public byte[] single(Json.Body data) {
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeFieldName("data");
            data.write(g);
            g.writeNumberField("status", 200);
            g.writeObjectFieldStart("links");
            g.writeStringField("self", selfUrl());
            g.writeEndObject();
            writeQuery(g);
            g.writeEndObject();
        });
    }

    /**
     * A list page.
     *
     * @param last       the last page number when known, else null
     * @param totalLines for logs, the number of lines of the whole log (an extension in {@code pages})
     */
    public byte[] list(int page, boolean hasNext, Long last, Long totalLines, Json.Body rows) {
        return list(page, hasNext, last, totalLines, false, null, rows);
    }

    /**
     * A list page that can also be continued with a cursor: {@code pages.next_cursor} (and
     * {@code links.next_cursor}) give the {@code _cursor} of the following page, an alternative to
     * {@code _page} that stays put while new rows arrive.
     */
    public byte[] list(int page, boolean hasNext, Long last, Long totalLines, boolean cursors, String nextCursor,
                       Json.Body rows) {
        return list(page, hasNext, last, totalLines, cursors, nextCursor, null, rows);
    }

    /** As above, with more fields in {@code pages} written by {@code morePages} (when not null). */
    public byte[] list(int page, boolean hasNext, Long last, Long totalLines, boolean cursors, String nextCursor,
                       Json.Body morePages, Json.Body rows) {
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("data");
            rows.write(g);
            g.writeEndArray();
            g.writeNumberField("status", 200);
            g.writeObjectFieldStart("links");
            g.writeStringField("self", selfUrl());
            g.writeStringField("first", pageUrl(1));
            Json.str(g, "prev", page > 1 ? pageUrl(page - 1) : null);
            Json.str(g, "next", hasNext ? pageUrl(page + 1) : null);
            Json.str(g, "last", last != null ? pageUrl(last) : null);
            if (cursors) {
                Json.str(g, "next_cursor", hasNext && nextCursor != null ? cursorUrl(nextCursor) : null);
            }
            g.writeEndObject();
            g.writeObjectFieldStart("pages");
            g.writeNumberField("self", page);
            g.writeNumberField("first", 1);
            writeNullable(g, "prev", page > 1 ? Long.valueOf(page - 1) : null);
            writeNullable(g, "next", hasNext ? Long.valueOf(page + 1L) : null);
            writeNullable(g, "last", last);
            if (totalLines != null) {
                g.writeNumberField("total_lines", totalLines);
            }
            if (cursors) {
                Json.str(g, "next_cursor", hasNext ? nextCursor : null);
            }
            if (morePages != null) {
                morePages.write(g);
            }
            g.writeEndObject();
            writeQuery(g);
            g.writeEndObject();
        });
    }

    private static void writeNullable(JsonGenerator g, String field, Long value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, value);
        }
    }

    private void writeQuery(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("query");
        for (Map.Entry<String, String[]> e : request.getParameterMap().entrySet()) {
            String[] v = e.getValue();
            g.writeStringField(e.getKey(), v.length == 0 ? "" : v[0]);
        }
        g.writeEndObject();
    }

    private String selfUrl() {
        String q = request.getQueryString();
        return request.getRequestURI() + (q == null || q.isEmpty() ? "" : "?" + q);
    }

    /** This request's URL with {@code _cursor} set and {@code _page} (and {@code _at}) dropped. */
    String cursorUrl(String cursor) {
        String q = request.getQueryString();
        List<String> parts = new ArrayList<>();
        if (q != null && !q.isEmpty()) {
            for (String part : q.split("&")) {
                String name = part.contains("=") ? part.substring(0, part.indexOf('=')) : part;
                if (!part.isEmpty() && !name.equals("_page") && !name.equals("_cursor") && !name.equals("_at")) {
                    parts.add(part);
                }
            }
        }
        parts.add("_cursor=" + cursor);
        return request.getRequestURI() + "?" + String.join("&", parts);
    }

    /** This request's URL with {@code _page} set to {@code page} (other parameters kept as sent, but {@code _at}). */
    String pageUrl(long page) {
        String q = request.getQueryString();
        List<String> parts = new ArrayList<>();
        boolean replaced = false;
        if (q != null && !q.isEmpty()) {
            for (String part : q.split("&")) {
                if (part.isEmpty()) {
                    continue;
                }
                String name = part.contains("=") ? part.substring(0, part.indexOf('=')) : part;
                if (name.equals("_at")) {
                    continue; // the page number replaces "the page that holds this run"
                }
                if (name.equals("_page")) {
                    if (!replaced) {
                        parts.add("_page=" + page);
                        replaced = true;
                    }
                } else {
                    parts.add(part);
                }
            }
        }
        if (!replaced) {
            parts.add("_page=" + page);
        }
        return request.getRequestURI() + "?" + String.join("&", parts);
    }
}

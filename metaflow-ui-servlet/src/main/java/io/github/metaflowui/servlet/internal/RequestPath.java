package io.github.metaflowui.servlet.internal;

import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.MappingMatch;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a request points below the servlet's mount. The mount URL is built from the context path
 * and the servlet path; the path below it is taken from the raw request URI and split <em>before</em>
 * decoding, so that an encoded {@code /} inside a flow name stays part of that name. Each segment is
 * decoded exactly once.
 *
 * @param base         the mount's URL path ending with {@code /} (encoded, as a browser would send it)
 * @param segments     the decoded segments below the mount, without a trailing empty one
 * @param atMount      the request named the mount itself without its trailing slash
 * @param trailingSlash the raw path below the mount ended with {@code /}
 */
public record RequestPath(String base, List<String> segments, boolean atMount, boolean trailingSlash) {

    public RequestPath {
        segments = List.copyOf(segments);
    }

    /**
     * @throws IllegalArgumentException when the path cannot be understood: broken escapes, bytes that
     *                                  are not UTF-8, empty, {@code .} or {@code ..} segments
     */
    public static RequestPath of(HttpServletRequest request) {
        String context = request.getContextPath() == null ? "" : request.getContextPath();
        String uri = request.getRequestURI();
        if (uri == null || !uri.startsWith(context)) {
            throw new IllegalArgumentException("the request path does not start with the context path");
        }
        List<String> raw = split(uri.substring(context.length()));
        List<String> mount = mountSegments(request);
        if (raw.size() < mount.size()) {
            throw new IllegalArgumentException("the request path does not match the servlet mapping");
        }
        StringBuilder base = new StringBuilder(context);
        for (int i = 0; i < mount.size(); i++) {
            if (!PathCodec.decodeSegment(raw.get(i)).equals(mount.get(i))) {
                throw new IllegalArgumentException("the request path does not match the servlet mapping");
            }
            base.append('/').append(PathCodec.encodeSegment(mount.get(i)));
        }
        base.append('/');
        List<String> below = raw.subList(mount.size(), raw.size());
        if (below.isEmpty()) {
            return new RequestPath(base.toString(), List.of(), true, false);
        }
        boolean trailingSlash = below.get(below.size() - 1).isEmpty();
        List<String> segments = new ArrayList<>(below.size());
        for (int i = 0; i < below.size(); i++) {
            String s = PathCodec.decodeSegment(below.get(i));
            if (s.isEmpty()) {
                if (i == below.size() - 1) {
                    break;
                }
                throw new IllegalArgumentException("the request path has an empty segment ('//')");
            }
            if (s.equals(".") || s.equals("..")) {
                throw new IllegalArgumentException("the request path must not contain '.' or '..' segments");
            }
            segments.add(s);
        }
        return new RequestPath(base.toString(), segments, false, trailingSlash);
    }

    /** The path below the mount, for messages: segments joined with {@code /}. */
    public String relative() {
        return String.join("/", segments);
    }

    private static List<String> mountSegments(HttpServletRequest request) {
        HttpServletMapping mapping = request.getHttpServletMapping();
        if (mapping != null && mapping.getMappingMatch() == MappingMatch.DEFAULT) {
            return List.of(); // mapped as "/": the servlet path is the whole path
        }
        String servletPath = request.getServletPath();
        List<String> parts = split(servletPath == null ? "" : servletPath);
        if (parts.contains("")) {
            throw new IllegalArgumentException("the servlet path has an empty segment");
        }
        return parts;
    }

    /** "" -> [], "/" -> [""], "/a/b" -> [a, b], "/a/b/" -> [a, b, ""]. */
    private static List<String> split(String path) {
        List<String> out = new ArrayList<>();
        if (path.isEmpty()) {
            return out;
        }
        int start = path.charAt(0) == '/' ? 1 : 0;
        while (true) {
            int slash = path.indexOf('/', start);
            if (slash < 0) {
                out.add(path.substring(start));
                return out;
            }
            out.add(path.substring(start, slash));
            start = slash + 1;
        }
    }
}

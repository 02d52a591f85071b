package io.github.metaflowui.servlet;

import jakarta.servlet.http.HttpServletRequest;

import io.github.metaflowui.servlet.internal.Bounded;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether a request may see the Metaflow UI and its API. Checked before anything else on
 * every request under the mount; a denied request gets 403 and nothing else.
 *
 * <p>The default, {@link #loopbackOnly()}, serves callers on the same machine only, and only when
 * they address it by a loopback name ({@code localhost}, {@code 127.0.0.1}, {@code [::1]},
 * {@code *.localhost}): a web page elsewhere cannot use DNS rebinding (its own host name resolving
 * to {@code 127.0.0.1}) to read the runs through the user's browser. Behind a reverse proxy on the
 * same host every caller looks local and the Host header names the proxy's site: plug in a policy
 * that knows your authentication instead (e.g. {@code req -> req.isUserInRole("admin")}).
 */
@FunctionalInterface
public interface AccessPolicy {

    /** True when this request may be served. Must be thread-safe and must not throw. */
    boolean allows(HttpServletRequest request);

    /**
     * Why a request this policy does not allow was refused, when the caller may be told (it is
     * shown in the 403 answer); empty for the generic message. Called only for denied requests.
     */
    default Optional<String> denialReason(HttpServletRequest request) {
        return Optional.empty();
    }

    /**
     * Callers whose remote address is a loopback address ({@code 127.0.0.0/8}, {@code ::1}) and whose
     * {@code Host} header names a loopback host ({@link #isLoopbackHost}); a request from this machine
     * that names another host (DNS rebinding) is refused with a message that says so.
     */
    static AccessPolicy loopbackOnly() {
        return new AccessPolicy() {
            @Override
            public boolean allows(HttpServletRequest request) {
                return isLoopback(request.getRemoteAddr()) && isLoopbackHost(host(request));
            }

            @Override
            public Optional<String> denialReason(HttpServletRequest request) {
                if (isLoopback(request.getRemoteAddr()) && !isLoopbackHost(host(request))) {
                    return Optional.of("the Host header names '" + Bounded.text(host(request), 100) + "', not this "
                            + "machine: the Metaflow UI answers only requests addressed to localhost, 127.0.0.1 or "
                            + "[::1] (protection against DNS rebinding); open it at one of those");
                }
                return Optional.empty();
            }

            @Override
            public String toString() {
                return "AccessPolicy.loopbackOnly()";
            }
        };
    }

    /** Everyone, whatever Host they name. Only for hosts that authenticate before the request reaches the servlet. */
    static AccessPolicy allowAll() {
        return request -> true;
    }

    /**
     * True when a {@code Host} header value (with or without a port) names this machine by a loopback
     * name: {@code localhost} or a name ending in {@code .localhost} (RFC 6761), or a loopback IP
     * literal ({@code 127.0.0.1}, {@code [::1]}). Nothing is resolved.
     */
    static boolean isLoopbackHost(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return false;
        }
        String h = hostHeader.trim();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            if (close < 0 || (close + 1 < h.length() && h.charAt(close + 1) != ':')) {
                return false;
            }
            return h.substring(1, close).indexOf(':') >= 0 && isLoopback(h.substring(1, close));
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            if (h.indexOf(':', colon + 1) >= 0) {
                return false; // an IPv6 literal must be bracketed in a Host header
            }
            h = h.substring(0, colon);
        }
        h = h.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h.equals("localhost") || (h.endsWith(".localhost") && h.length() > ".localhost".length())
                || isLoopback(h);
    }

    /** The request's Host header, or the server name when it sent none (HTTP/1.0). */
    private static String host(HttpServletRequest request) {
        String host = request.getHeader("Host");
        return host != null ? host : request.getServerName();
    }

    /**
     * True when {@code address} is a literal loopback IP address. Host names are never resolved:
     * anything that is not an IP literal is not loopback.
     */
    static boolean isLoopback(String address) {
        if (address == null || address.isEmpty()) {
            return false;
        }
        String a = address;
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        int zone = a.indexOf('%');
        if (zone >= 0) {
            a = a.substring(0, zone);
        }
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            boolean literal = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                    || c == '.' || c == ':';
            if (!literal) {
                return false;
            }
        }
        if (a.indexOf(':') < 0 && a.chars().filter(ch -> ch == '.').count() != 3) {
            return false; // not a dotted IPv4 literal; getByName would try DNS for "1234"
        }
        try {
            // a literal: only its format is checked, no lookup happens
            return InetAddress.getByName(a).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}

package io.github.metaflowui.servlet;

import jakarta.servlet.http.HttpServletRequest;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Decides whether a request may see the Metaflow UI and its API. Checked before anything else on
 * every request under the mount; a denied request gets 403 and nothing else.
 *
 * <p>The default, {@link #loopbackOnly()}, serves callers on the same machine only. Behind a
 * reverse proxy on the same host every caller looks local: plug in a policy that knows your
 * authentication instead (e.g. {@code req -> req.isUserInRole("admin")}).
 */
@FunctionalInterface
public interface AccessPolicy {

    /** True when this request may be served. Must be thread-safe and must not throw. */
    boolean allows(HttpServletRequest request);

    /** Callers whose remote address is a loopback address ({@code 127.0.0.0/8}, {@code ::1}). */
    static AccessPolicy loopbackOnly() {
        return request -> isLoopback(request.getRemoteAddr());
    }

    /** Everyone. Only for hosts that authenticate before the request reaches the servlet. */
    static AccessPolicy allowAll() {
        return request -> true;
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

package io.github.metaflowui.servlet.internal;

import io.github.metaflowui.core.SortOrder;
import io.github.metaflowui.core.Status;
import jakarta.servlet.http.HttpServletRequest;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/** The query parameters of an API request, parsed strictly: a bad value is a 400 naming it. */
public final class Params {
    /** The highest {@code _page} accepted; keeps offset arithmetic far from overflow. */
    public static final int MAX_PAGE = 1_000_000;
    /** The highest {@code attempt_id} accepted (Metaflow itself stops far below). */
    public static final int MAX_ATTEMPT = 999_999;

    private final HttpServletRequest request;

    public Params(HttpServletRequest request) {
        this.request = request;
    }

    /** The first value of a parameter, if given. */
    public Optional<String> get(String name) {
        return Optional.ofNullable(request.getParameter(name));
    }

    /** {@code _page}: 1 when absent. */
    public int page() {
        return intParam("_page", 1, 1, MAX_PAGE);
    }

    /** {@code _limit}: {@code def} when absent, else within 1..max. */
    public int limit(int def, int max) {
        return intParam("_limit", def, 1, max);
    }

    /** {@code attempt_id} when given: an integer within 0..{@link #MAX_ATTEMPT}. */
    public OptionalInt attempt() {
        if (get("attempt_id").isEmpty()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(intParam("attempt_id", 0, 0, MAX_ATTEMPT));
    }

    /**
     * An integer parameter within min..max; {@code def} when absent. Anything else, however long,
     * is a 400 that says the range: "_page must be an integer between 1 and 1000000, got '0'".
     */
    public int intParam(String name, int def, int min, int max) {
        Optional<String> v = get(name);
        if (v.isEmpty()) {
            return def;
        }
        String s = v.get().trim();
        if (s.matches("[+-]?[0-9]{1,18}")) {
            long n = Long.parseLong(s);
            if (n >= min && n <= max) {
                return (int) n;
            }
        }
        throw ApiProblem.badRequest(name + " must be an integer between " + min + " and " + max + ", got '"
                + Bounded.text(v.get(), 40) + "'");
    }

    /** A time in epoch milliseconds, e.g. {@code ts_epoch:ge}. */
    public OptionalLong epochMillis(String name) {
        Optional<String> v = get(name);
        if (v.isEmpty()) {
            return OptionalLong.empty();
        }
        String s = v.get().trim();
        if (!s.matches("[0-9]{1,15}")) {
            throw ApiProblem.badRequest(name + " must be a time in epoch milliseconds, got '" + v.get() + "'");
        }
        return OptionalLong.of(Long.parseLong(s));
    }

    /** Every comma-separated value of every occurrence of the named parameters, trimmed, blanks dropped. */
    public Set<String> list(String... names) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : names) {
            String[] values = request.getParameterValues(name);
            if (values == null) {
                continue;
            }
            for (String value : values) {
                for (String part : value.split(",")) {
                    String p = part.trim();
                    if (!p.isEmpty()) {
                        out.add(p);
                    }
                }
            }
        }
        return out;
    }

    /** {@code status=a,b}: wire names of {@link Status}, strictly. */
    public Set<Status> statuses() {
        Set<Status> out = new LinkedHashSet<>();
        for (String v : list("status")) {
            out.add(parseStatus(v));
        }
        return out;
    }

    static Status parseStatus(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        for (Status s : Status.values()) {
            if (s.wireName().equals(v)) {
                return s;
            }
        }
        throw ApiProblem.badRequest("unknown status '" + value + "'; expected one of pending, running, completed,"
                + " failed, unknown");
    }

    /** One {@code _order} term: a field and its direction. */
    public record Order(String field, SortOrder order) {
    }

    /**
     * {@code _order}, a comma list: {@code +field} ascending, {@code -field} or plain {@code field}
     * descending (Metaflow's convention). A {@code +} sent unencoded arrives as a space and still
     * means ascending.
     */
    public List<Order> orders() {
        List<Order> out = new ArrayList<>();
        String[] values = request.getParameterValues("_order");
        if (values == null) {
            return out;
        }
        for (String value : values) {
            for (String part : value.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                SortOrder order = SortOrder.DESC;
                String f = part;
                if (f.startsWith("+") || f.startsWith(" ")) {
                    order = SortOrder.ASC;
                    f = f.substring(1);
                } else if (f.startsWith("-")) {
                    f = f.substring(1);
                }
                out.add(new Order(f.trim(), order));
            }
        }
        return out;
    }
}

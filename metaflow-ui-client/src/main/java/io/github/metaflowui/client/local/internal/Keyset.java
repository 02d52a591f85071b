package io.github.metaflowui.client.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.SortOrder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Keyset paging over an in-memory list. Each item has a {@link Key}: an optional primary value
 * (a number or a text), then an id and a group that break ties. A page cursor is the key of the
 * last item served, so paging stays stable when items are added elsewhere in the order. Items
 * without a primary value sort last in both directions.
 *
 * <p>A cursor is base64url of a small JSON object naming the order it belongs to; a cursor made for
 * another order, or one that does not decode, is refused with an {@link IllegalArgumentException}.
 */
public final class Keyset {
    private Keyset() {
    }

    /**
     * A sort key.
     *
     * @param number primary numeric value, or null
     * @param text   primary text value (used when {@code number} is null), or null
     * @param id     the id that breaks ties (compared with the id comparator)
     * @param group  the group that breaks remaining ties (e.g. the flow or step name)
     */
    public record Key(Long number, String text, String id, String group) {
        public Key {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(group, "group");
        }

        boolean hasPrimary() {
            return number != null || text != null;
        }
    }

    /** The order of keys: primary, id, group; all reversed for DESC except that a missing primary is last. */
    public static Comparator<Key> comparator(SortOrder order, Comparator<String> ids) {
        int sign = order == SortOrder.ASC ? 1 : -1;
        return (a, b) -> {
            if (a.hasPrimary() != b.hasPrimary()) {
                return a.hasPrimary() ? -1 : 1;
            }
            int c = 0;
            if (a.number() != null && b.number() != null) {
                c = Long.compare(a.number(), b.number());
            } else if (a.text() != null && b.text() != null) {
                c = a.text().compareTo(b.text());
            } else if (a.hasPrimary()) {
                c = a.number() != null ? -1 : 1;
            }
            if (c == 0) {
                c = ids.compare(a.id(), b.id());
            }
            if (c == 0) {
                c = a.group().compareTo(b.group());
            }
            return sign * c;
        };
    }

    /**
     * One page of {@code items} in key order after the request's cursor.
     *
     * @param orderName names the order (e.g. {@code runs:CREATED:DESC}); cursors carry it
     */
    public static <T> Page<T> page(List<T> items, Function<T, Key> keyOf, Comparator<Key> order, String orderName,
                                   PageRequest request) {
        record Keyed<T>(T item, Key key) {
        }
        List<Keyed<T>> keyed = new ArrayList<>(items.size());
        for (T t : items) {
            keyed.add(new Keyed<>(t, keyOf.apply(t)));
        }
        keyed.sort((x, y) -> order.compare(x.key(), y.key()));
        int start = 0;
        if (request.cursor().isPresent()) {
            Key after = decode(request.cursor().get(), orderName);
            while (start < keyed.size() && order.compare(keyed.get(start).key(), after) <= 0) {
                start++;
            }
        }
        int end = Math.min(keyed.size(), start + request.limit());
        List<T> out = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
            out.add(keyed.get(i).item());
        }
        String next = end < keyed.size() && end > start ? encode(keyed.get(end - 1).key(), orderName) : null;
        return Page.of(out, next);
    }

    static String encode(Key key, String orderName) {
        ObjectNode o = LocalFiles.JSON.createObjectNode();
        o.put("o", orderName);
        if (key.number() != null) {
            o.put("n", key.number());
        }
        if (key.text() != null) {
            o.put("t", key.text());
        }
        o.put("i", key.id());
        o.put("g", key.group());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(o.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Key decode(String cursor, String orderName) {
        JsonNode o;
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(cursor);
            o = LocalFiles.JSON.readTree(bytes);
        } catch (Exception e) {
            throw new IllegalArgumentException("invalid page cursor '" + abbreviate(cursor) + "'");
        }
        if (o == null || !o.isObject() || !o.path("i").isTextual() || !o.path("g").isTextual()) {
            throw new IllegalArgumentException("invalid page cursor '" + abbreviate(cursor) + "'");
        }
        if (!orderName.equals(o.path("o").asText())) {
            throw new IllegalArgumentException("the page cursor was made for another listing or order ("
                    + o.path("o").asText() + ", not " + orderName + ")");
        }
        Long n = o.path("n").isIntegralNumber() ? o.path("n").asLong() : null;
        String t = o.path("t").isTextual() ? o.path("t").asText() : null;
        return new Key(n, t, o.path("i").asText(), o.path("g").asText());
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}

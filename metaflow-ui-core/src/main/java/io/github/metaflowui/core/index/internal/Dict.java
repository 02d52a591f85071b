package io.github.metaflowui.core.index.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Interns values: each distinct value is stored once and named by a small int. Not thread-safe. */
public final class Dict<T> {
    private final Map<T, Integer> ids = new HashMap<>();
    private final List<T> values = new ArrayList<>();

    public int id(T value) {
        Integer id = ids.get(value);
        if (id != null) {
            return id;
        }
        int next = values.size();
        ids.put(value, next);
        values.add(value);
        return next;
    }

    /** The id of a value already interned, or -1. */
    public int find(T value) {
        Integer id = ids.get(value);
        return id == null ? -1 : id;
    }

    public T get(int id) {
        return values.get(id);
    }

    public int size() {
        return values.size();
    }
}

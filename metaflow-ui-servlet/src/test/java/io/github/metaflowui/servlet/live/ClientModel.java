package io.github.metaflowui.servlet.live;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * What a browser keeps of its resources, built only from events (as the UI does): each channel's
 * rows by key, replaced by snapshots, patched by changes; and which channels said they finished.
 */
final class ClientModel {
    final Map<String, String> channelOf = new HashMap<>();
    final Map<String, Map<String, String>> rows = new HashMap<>();
    final Set<String> finished = new HashSet<>();
    final CountDownLatch done;
    private final int resources;
    volatile String error;
    int events;

    ClientModel(int resources) {
        this.resources = resources;
        this.done = new CountDownLatch(1);
    }

    synchronized void accept(SseReader.Event e) {
        events++;
        try {
            JsonNode d = e.data();
            switch (e.type()) {
                case "hello" -> d.get("resources").fields().forEachRemaining(f -> channelOf.put(f.getKey(), f.getValue().asText()));
                case "snapshot" -> {
                    Map<String, String> m = new LinkedHashMap<>();
                    for (JsonNode row : d.get("data")) {
                        m.put(key(row), summary(row));
                    }
                    rows.put(d.get("r").asText(), m);
                }
                case "changes" -> {
                    Map<String, String> m = rows.get(d.get("r").asText());
                    if (m == null) {
                        error = "changes before a snapshot for " + d.get("r").asText();
                        return;
                    }
                    for (JsonNode c : d.get("changes")) {
                        if (c.get("op").asText().equals("removed")) {
                            m.remove(c.get("key").asText());
                        } else {
                            m.put(c.get("key").asText(), summary(c.get("data")));
                        }
                    }
                }
                case "status" -> {
                    if (d.get("state").asText().equals("finished")) {
                        finished.add(d.get("r").asText());
                        if (finished.size() == resources) {
                            done.countDown();
                        }
                    }
                }
                default -> {
                }
            }
        } catch (RuntimeException ex) {
            error = ex.toString();
        }
    }

    static String key(JsonNode row) {
        StringBuilder k = new StringBuilder(row.get("flow_id").asText()).append('/').append(row.get("run_number").asText());
        if (row.has("step_name")) {
            k.append('/').append(row.get("step_name").asText());
        }
        if (row.has("task_id")) {
            k.append('/').append(row.get("task_id").asText());
        }
        return k.toString();
    }

    /**
     * What the test compares of a row, kept small so that a thousand models do not hide the server's
     * memory: "status", plus "#attempts" for tasks and " completed=N" for steps.
     */
    static String summary(JsonNode row) {
        String s = row.get("status").asText();
        if (row.has("attempt_count")) {
            s += "#" + row.get("attempt_count").asInt();
        }
        if (row.has("task_counts")) {
            s += " completed=" + row.get("task_counts").get("completed").asInt();
        }
        return s;
    }

    synchronized Map<String, String> rowsOf(String resource) {
        return rows.getOrDefault(channelOf.get(resource), Map.of());
    }
}

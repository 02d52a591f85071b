package io.github.metaflowui.client.service.internal;

import io.github.metaflowui.client.service.internal.Rows.MetaRow;
import io.github.metaflowui.client.service.internal.Rows.TaskRow;
import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.StatusRules;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskRef;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A task's attempts and status from its metadata records, with the UI backend's rules (contract
 * §3.6, {@link StatusRules#attempt}): per attempt {@code N}, the {@code attempt} record with value
 * {@code N} is its start, {@code attempt-done} with value {@code N} its end, the {@code attempt_ok}
 * record tagged {@code attempt_id:N} its outcome, and the start of {@code N+1} ends it as failed.
 * The task's heartbeat applies to its attempts.
 *
 * <p>The foreach label is built like the local backend's: {@code foreach-stack} ({@code {letters=b,numbers=1}},
 * a Postgres array literal as the service stores it, or a JSON list) paired with
 * {@code foreach-execution-path} ({@code outer:1,inner:0}) gives {@code letters[1]=b, numbers[0]=1}.
 */
public final class TaskDerivation {
    private TaskDerivation() {
    }

    private static final class Facts {
        Optional<Instant> started = Optional.empty();
        Optional<Instant> done = Optional.empty();
        Optional<Boolean> ok = Optional.empty();
        Optional<Instant> okAt = Optional.empty();
        long okTs = Long.MIN_VALUE;
        long okId = Long.MIN_VALUE;
    }

    public static Task task(TaskRef ref, TaskRow row, List<MetaRow> meta, Clock clock) {
        TreeMap<Integer, Facts> byAttempt = new TreeMap<>();
        for (MetaRow m : meta) {
            switch (m.field()) {
                case "attempt": {
                    Optional<Integer> n = Rows.parseAttempt(m.value());
                    if (n.isPresent()) {
                        Facts f = byAttempt.computeIfAbsent(n.get(), k -> new Facts());
                        f.started = later(f.started, Instant.ofEpochMilli(m.ts()));
                    }
                    break;
                }
                case "attempt-done": {
                    Optional<Integer> n = Rows.parseAttempt(m.value());
                    if (n.isPresent()) {
                        Facts f = byAttempt.computeIfAbsent(n.get(), k -> new Facts());
                        f.done = later(f.done, Instant.ofEpochMilli(m.ts()));
                    }
                    break;
                }
                case "attempt_ok": {
                    Optional<Boolean> ok = bool(m.value());
                    if (ok.isPresent()) {
                        int n = m.attemptTag().orElse(0);
                        Facts f = byAttempt.computeIfAbsent(n, k -> new Facts());
                        if (m.ts() > f.okTs || (m.ts() == f.okTs && m.id() > f.okId)) {
                            f.ok = ok;
                            f.okAt = Optional.of(Instant.ofEpochMilli(m.ts()));
                            f.okTs = m.ts();
                            f.okId = m.id();
                        }
                    }
                    break;
                }
                default:
                    break;
            }
        }
        Optional<Instant> heartbeat = row.heartbeatSec().map(Instant::ofEpochSecond);
        Instant created = Instant.ofEpochMilli(row.ts());
        if (byAttempt.isEmpty() && heartbeat.isPresent()) {
            byAttempt.put(0, new Facts());
        }
        List<Attempt> attempts = new ArrayList<>(byAttempt.size());
        for (var e : byAttempt.entrySet()) {
            Facts f = e.getValue();
            Facts next = byAttempt.get(e.getKey() + 1);
            Optional<Instant> nextStart = next == null ? Optional.empty() : next.started;
            attempts.add(StatusRules.attempt(new StatusRules.AttemptFacts(e.getKey(), created, f.started, f.done, f.ok,
                    f.okAt, nextStart, heartbeat), clock));
        }
        return new Task(ref, created, attempts, StatusRules.taskStatus(attempts), foreachLabel(meta));
    }

    /** The latest attempt named by {@code attempt} records (or outcomes), if any. */
    public static Optional<Integer> latestAttempt(List<MetaRow> meta) {
        TreeSet<Integer> ids = new TreeSet<>();
        for (MetaRow m : meta) {
            if (m.field().equals("attempt") || m.field().equals("attempt-done")) {
                Rows.parseAttempt(m.value()).ifPresent(ids::add);
            } else if (m.field().equals("attempt_ok")) {
                m.attemptTag().ifPresent(ids::add);
            }
        }
        return ids.isEmpty() ? Optional.empty() : Optional.of(ids.last());
    }

    /** The newest record of a field (by time, then id). */
    public static Optional<MetaRow> newest(List<MetaRow> meta, String field) {
        return meta.stream().filter(m -> m.field().equals(field))
                .max(Comparator.comparingLong(MetaRow::ts).thenComparingLong(MetaRow::id));
    }

    public static Optional<Boolean> bool(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return Optional.of(true);
        }
        if (v.equals("false")) {
            return Optional.of(false);
        }
        return Optional.empty();
    }

    static Optional<String> foreachLabel(List<MetaRow> meta) {
        Optional<MetaRow> stack = newest(meta, "foreach-stack");
        if (stack.isEmpty()) {
            return Optional.empty();
        }
        List<String> frames = frames(stack.get().value());
        if (frames.isEmpty()) {
            return Optional.empty();
        }
        List<String> indices = new ArrayList<>();
        newest(meta, "foreach-execution-path").ifPresent(p -> {
            for (String part : p.value().split(",")) {
                int colon = part.lastIndexOf(':');
                if (colon >= 0) {
                    indices.add(part.substring(colon + 1).trim());
                }
            }
        });
        boolean paired = indices.size() == frames.size();
        List<String> out = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            String frame = frames.get(i);
            int eq = frame.indexOf('=');
            if (paired && eq > 0 && Rows.parseAttempt(indices.get(i)).isPresent()) {
                out.add(frame.substring(0, eq) + "[" + indices.get(i) + "]=" + frame.substring(eq + 1));
            } else {
                out.add(frame);
            }
        }
        return Optional.of(String.join(", ", out));
    }

    /** Elements of {@code {a=1,"b c=2"}} (a Postgres array literal) or {@code ["a=1","b=2"]} (JSON). */
    static List<String> frames(String value) {
        String v = value.trim();
        List<String> out = new ArrayList<>();
        if (v.startsWith("[")) {
            try {
                for (var n : io.github.metaflowui.client.http.internal.Json.MAPPER.readTree(v)) {
                    out.add(n.asText());
                }
                return out;
            } catch (java.io.IOException e) {
                return List.of(v);
            }
        }
        if (!(v.startsWith("{") && v.endsWith("}"))) {
            return v.isEmpty() ? List.of() : List.of(v);
        }
        String body = v.substring(1, v.length() - 1);
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < body.length()) {
                    cur.append(body.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                any = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
                any = false;
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any || cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    private static Optional<Instant> later(Optional<Instant> a, Instant b) {
        return a.isPresent() && a.get().isAfter(b) ? a : Optional.of(b);
    }
}

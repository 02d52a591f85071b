package io.github.metaflowui.servlet.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.github.metaflowui.core.diff.Change;
import io.github.metaflowui.core.diff.Snapshot;
import io.github.metaflowui.core.watch.ChangeSet;
import io.github.metaflowui.core.watch.LogTail;
import io.github.metaflowui.core.watch.Subscription;
import io.github.metaflowui.core.watch.WatchError;
import io.github.metaflowui.core.watch.WatchListener;
import io.github.metaflowui.core.watch.Watcher;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Live updates for every browser of one servlet: {@code GET {mount}/api/events} (Server-Sent Events)
 * and {@code GET {mount}/api/events/poll} (the same events as JSON, for clients that cannot hold a
 * stream open).
 *
 * <h2>Sharing</h2> Each distinct resource is one <em>channel</em>: one {@link Watcher} subscription
 * (one upstream poll per interval) whose changes are encoded once and fanned out to every client
 * that asked for it. A channel with no client left lingers a while, so that a reloading page resumes
 * it, then stops.
 *
 * <h2>Event ids and resume</h2> Every change gets the next number of one sequence, written as
 * {@code <boot>.<n>} ({@code boot} changes when the servlet restarts). Publishing and queueing happen
 * under one lock, so each client receives ids in increasing order. A client that reconnects with
 * {@code Last-Event-ID} gets the events it missed from each channel's bounded replay buffer, or, when
 * they are gone (or the id is from another boot), a fresh {@code snapshot} of that resource.
 *
 * <h2>Protection</h2> A connection limit (503 beyond it), a byte budget per client queue and a stall
 * timeout (a client that does not read is dropped, never buffered forever), heartbeat comments.
 */
public final class EventHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);
    private static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.US_ASCII);
    /** At most this many resources in one connection. */
    public static final int MAX_RESOURCES = 16;

    /** How the hub behaves. */
    public record Settings(int maxClients, Duration heartbeat, long clientQueueBytes, int replayEvents,
                           long replayBytes, Duration slowClientTimeout, Duration linger, Duration retry,
                           int defaultLimit) {
        public Settings {
            Objects.requireNonNull(heartbeat, "heartbeat");
            Objects.requireNonNull(slowClientTimeout, "slowClientTimeout");
            Objects.requireNonNull(linger, "linger");
            Objects.requireNonNull(retry, "retry");
        }
    }

    private final Watcher watcher;
    private final Clock clock;
    private final Settings settings;
    private final String boot;
    private final ScheduledExecutorService timer;
    private final Object lock = new Object();
    // guarded by lock
    private long seq;
    private int channelNumbers;
    private final Map<Object, Channel<?>> channels = new HashMap<>();
    private final Set<SseClient> clients = new LinkedHashSet<>();
    private boolean closed;
    private long dropped;
    private int opening;

    public EventHub(Watcher watcher, Clock clock, Settings settings) {
        this.watcher = Objects.requireNonNull(watcher, "watcher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        this.boot = String.format("%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metaflow-ui-events-" + boot);
            t.setDaemon(true);
            return t;
        });
        long beat = settings.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::tick, beat, beat, TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- events

    /** One published event; {@code frame} is its SSE text. */
    private record Event(long seq, byte[] frame) {
    }

    private String id(long n) {
        return boot + "." + n;
    }

    private static byte[] frame(String id, String type, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 64);
        if (id != null) {
            out.writeBytes(("id: " + id + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("event: " + type + "\ndata: ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        out.writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** The sequence number of a {@code Last-Event-ID} of this boot, or -1. */
    long parseId(String lastEventId) {
        if (lastEventId == null) {
            return -1;
        }
        String v = lastEventId.trim();
        int dot = v.indexOf('.');
        if (dot < 0 || !v.substring(0, dot).equals(boot)) {
            return -1;
        }
        String n = v.substring(dot + 1);
        if (!n.matches("[0-9]{1,18}")) {
            return -1;
        }
        return Long.parseLong(n);
    }

    // ---------------------------------------------------------------- channels

    /** One resource shared by every client that asked for it. */
    final class Channel<T> implements WatchListener<T> {
        final String id;
        final LiveSpec<T> spec;
        final long createdSeq;
        final Set<SseClient> members = new LinkedHashSet<>();
        private final ArrayDeque<Event> ring = new ArrayDeque<>();
        private long ringBytes;
        private long evictedUpTo;
        private Snapshot<T> current;
        private byte[] snapshotData;
        private byte[] statusData;
        private Instant idleSince;
        private Subscription subscription;

        Channel(String id, LiveSpec<T> spec, long createdSeq) {
            this.id = id;
            this.spec = spec;
            this.createdSeq = createdSeq;
        }

        void start() {
            Subscription s = watcher.watch(spec.resource(), this);
            synchronized (lock) {
                if (closed || !channels.containsKey(spec.resource()) || channels.get(spec.resource()) != this) {
                    s.close();
                    return;
                }
                subscription = s;
            }
        }

        void stop() {
            Subscription s;
            synchronized (lock) {
                s = subscription;
                subscription = null;
            }
            if (s != null) {
                s.close();
            }
        }

        // --- from the watcher (its poll thread)

        @Override
        public void onSnapshot(Snapshot<T> snapshot) {
            byte[] data = encodeSnapshot(snapshot);
            publish(data, "snapshot", () -> {
                current = snapshot;
                snapshotData = data;
            });
        }

        @Override
        public void onChanges(ChangeSet<T> changes) {
            byte[] data = encodeChanges(changes);
            publish(data, "changes", () -> {
                current = changes.after();
                snapshotData = null;
            });
        }

        @Override
        public void onError(WatchError error) {
            status("error", error.message(), error.since(), error.retryIn());
        }

        @Override
        public void onRecovered() {
            status("ok", null, null, null);
        }

        @Override
        public void onFinished(Snapshot<T> last) {
            status("finished", null, null, null);
        }

        private void publish(byte[] data, String type, Runnable update) {
            List<SseClient> drop = new ArrayList<>();
            synchronized (lock) {
                if (closed) {
                    return;
                }
                update.run();
                long n = ++seq;
                Event e = new Event(n, frame(id(n), type, data));
                ring.add(e);
                ringBytes += e.frame().length;
                while (ring.size() > settings.replayEvents() || (ringBytes > settings.replayBytes() && ring.size() > 1)) {
                    Event old = ring.poll();
                    ringBytes -= old.frame().length;
                    evictedUpTo = old.seq();
                }
                for (SseClient c : members) {
                    if (!c.offer(e.frame())) {
                        drop.add(c);
                    }
                }
                lock.notifyAll();
            }
            dropAll(drop, "its queue is full");
        }

        private void status(String state, String detail, Instant since, Duration retryIn) {
            byte[] data = Json.bytes(g -> {
                g.writeStartObject();
                g.writeStringField("r", id);
                g.writeStringField("state", state);
                if (detail != null) {
                    g.writeStringField("detail", "Metaflow data source unavailable: " + Json.clip(detail, 300));
                }
                if (since != null) {
                    g.writeNumberField("since", since.toEpochMilli());
                }
                if (retryIn != null) {
                    g.writeNumberField("retry_in_ms", retryIn.toMillis());
                }
                g.writeEndObject();
            });
            byte[] f = frame(null, "status", data);
            List<SseClient> drop = new ArrayList<>();
            synchronized (lock) {
                statusData = "ok".equals(state) ? null : data;
                for (SseClient c : members) {
                    if (!c.offer(f)) {
                        drop.add(c);
                    }
                }
            }
            dropAll(drop, "its queue is full");
        }

        // --- encoding (outside the lock)

        private byte[] encodeSnapshot(Snapshot<T> s) {
            return Json.bytes(g -> {
                g.writeStartObject();
                g.writeStringField("r", id);
                if (spec.isLog()) {
                    @SuppressWarnings("unchecked")
                    LogTail tail = ((Snapshot<LogTail>) s).values().stream().findFirst().orElse(null);
                    writeLog(g, tail, true);
                } else {
                    g.writeArrayFieldStart("data");
                    for (T e : s.values()) {
                        spec.writer().write(g, e);
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            });
        }

        private byte[] encodeChanges(ChangeSet<T> cs) {
            return Json.bytes(g -> {
                g.writeStartObject();
                g.writeStringField("r", id);
                g.writeBooleanField("resync", cs.resync());
                if (spec.isLog()) {
                    @SuppressWarnings("unchecked")
                    LogTail before = ((Snapshot<LogTail>) cs.before()).values().stream().findFirst().orElse(null);
                    @SuppressWarnings("unchecked")
                    LogTail after = ((Snapshot<LogTail>) cs.after()).values().stream().findFirst().orElse(null);
                    writeLog(g, after, before == null || after == null || before.attempt() != after.attempt());
                } else {
                    g.writeArrayFieldStart("changes");
                    for (Change<T> c : cs.changes()) {
                        g.writeStartObject();
                        String op = c instanceof Change.Added<T> ? "added" : c instanceof Change.Removed<T> ? "removed"
                                : c instanceof Change.StatusChanged<T> ? "status" : "updated";
                        g.writeStringField("op", op);
                        g.writeStringField("key", c.key());
                        if (c instanceof Change.StatusChanged<T> sc) {
                            g.writeStringField("from", sc.from().status().wireName());
                            g.writeStringField("to", sc.to().status().wireName());
                            g.writeStringField("reason", sc.to().reason());
                        }
                        g.writeFieldName("data");
                        spec.writer().write(g, c.entity());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    if (cs.orderChanged()) {
                        g.writeArrayFieldStart("order");
                        for (String k : cs.after().keys()) {
                            g.writeString(k);
                        }
                        g.writeEndArray();
                    }
                }
                g.writeEndObject();
            });
        }

        /** The snapshot event of the current state with the given id; null before the first poll. Holding lock. */
        byte[] snapshotFrame(String frameId) {
            if (current == null) {
                return null;
            }
            if (snapshotData == null) {
                snapshotData = encodeSnapshot(current);
            }
            return frame(frameId, "snapshot", snapshotData);
        }

        /** The events after {@code after}, or null when some are gone. Holding lock. */
        List<Event> since(long after) {
            if (current == null || after < createdSeq || after < evictedUpTo || after > seq) {
                return null;
            }
            List<Event> out = new ArrayList<>();
            for (Event e : ring) {
                if (e.seq() > after) {
                    out.add(e);
                }
            }
            return out;
        }
    }

    private static void writeLog(JsonGenerator g, LogTail tail, boolean reset) throws IOException {
        g.writeObjectFieldStart("log");
        g.writeBooleanField("reset", reset);
        if (tail != null) {
            g.writeNumberField("attempt", tail.attempt());
            g.writeNumberField("total_lines", tail.totalLines());
            g.writeArrayFieldStart("lines");
            for (io.github.metaflowui.core.LogLine l : tail.lines()) {
                Views.logLine(g, l);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- opening and closing streams

    /** The channels for these resources, made (and to be started) when missing. Holding lock. */
    private List<Channel<?>> channelsFor(List<LiveSpec<?>> specs, List<Channel<?>> created) {
        List<Channel<?>> out = new ArrayList<>();
        for (LiveSpec<?> spec : specs) {
            Channel<?> ch = channels.get(spec.resource());
            if (ch == null) {
                ch = newChannel(spec);
                channels.put(spec.resource(), ch);
                created.add(ch);
            }
            if (!out.contains(ch)) {
                out.add(ch);
            }
        }
        return out;
    }

    private <T> Channel<T> newChannel(LiveSpec<T> spec) {
        return new Channel<>("c" + (++channelNumbers), spec, seq);
    }

    /** What a client that last saw {@code after} (-1: nothing) needs to catch up on {@code chs}. Holding lock. */
    private List<byte[]> catchUp(List<Channel<?>> chs, long after) {
        List<Event> replay = new ArrayList<>();
        List<byte[]> snapshots = new ArrayList<>();
        List<byte[]> statuses = new ArrayList<>();
        String now = id(seq);
        for (Channel<?> ch : chs) {
            List<Event> missed = after >= 0 ? ch.since(after) : null;
            if (missed != null) {
                replay.addAll(missed);
            } else {
                byte[] snap = ch.snapshotFrame(now);
                if (snap != null) {
                    snapshots.add(snap);
                }
            }
            if (ch.statusData != null) {
                statuses.add(frame(null, "status", ch.statusData));
            }
        }
        replay.sort(Comparator.comparingLong(Event::seq));
        List<byte[]> out = new ArrayList<>();
        replay.forEach(e -> out.add(e.frame()));
        out.addAll(snapshots);
        out.addAll(statuses);
        return out;
    }

    private byte[] hello(List<LiveSpec<?>> specs, List<Channel<?>> chs, boolean streaming) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (LiveSpec<?> s : specs) {
            for (Channel<?> ch : chs) {
                if (ch.spec.resource().equals(s.resource())) {
                    ids.put(s.text(), ch.id);
                }
            }
        }
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("boot", boot);
            g.writeBooleanField("streaming", streaming);
            g.writeNumberField("server_time", clock.millis());
            g.writeNumberField("heartbeat_ms", settings.heartbeat().toMillis());
            g.writeObjectFieldStart("resources");
            for (Map.Entry<String, String> e : ids.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** The resources a request names ({@code resource}, repeatable; none means {@code /runs}). */
    List<LiveSpec<?>> specs(HttpServletRequest req) {
        String[] given = req.getParameterValues("resource");
        List<String> texts = given == null || given.length == 0 ? List.of("/runs") : List.of(given);
        if (texts.size() > MAX_RESOURCES) {
            throw ApiProblem.badRequest("at most " + MAX_RESOURCES + " resources per connection, got " + texts.size());
        }
        List<LiveSpec<?>> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String t : texts) {
            if (seen.add(t)) {
                out.add(LiveSpec.parse(t, settings.defaultLimit()));
            }
        }
        return out;
    }

    /** {@code GET {mount}/api/events}. */
    public void stream(HttpServletRequest req, HttpServletResponse resp, boolean head) throws IOException {
        List<LiveSpec<?>> specs;
        try {
            specs = specs(req);
        } catch (ApiProblem p) {
            Responses.problem(resp, p.status(), p.title(), p.detail(), head);
            return;
        }
        String last = req.getHeader("Last-Event-ID");
        if (last == null) {
            last = req.getParameter("last_event_id");
        }
        long after = parseId(last);
        if (head) {
            streamHeaders(resp);
            return;
        }
        if (!req.isAsyncSupported()) {
            streamHeaders(resp);
            shortStream(resp, specs, after);
            return;
        }
        boolean full;
        synchronized (lock) {
            full = closed || clients.size() + opening >= settings.maxClients();
            if (!full) {
                opening++;
            }
        }
        if (full) {
            resp.setHeader("Retry-After", "30");
            Responses.problem(resp, 503, "Service Unavailable", "too many live-update connections (the limit is "
                    + settings.maxClients() + "); the page keeps working by polling api/events/poll", false);
            return;
        }
        List<Channel<?>> created = new ArrayList<>();
        SseClient client;
        try {
            streamHeaders(resp);
            AsyncContext ctx = req.startAsync();
            ctx.setTimeout(0);
            ServletOutputStream out = resp.getOutputStream();
            client = new SseClient(ctx, out, this, clock, settings.clientQueueBytes(), req.getRemoteAddr());
            ctx.addListener(client);
            out.setWriteListener(client);
        } finally {
            synchronized (lock) {
                opening--;
            }
        }
        boolean ok = true;
        synchronized (lock) {
            if (closed) {
                ok = false;
            } else {
                List<Channel<?>> chs = channelsFor(specs, created);
                clients.add(client);
                for (Channel<?> ch : chs) {
                    ch.members.add(client);
                    ch.idleSince = null;
                    client.channels.add(ch);
                }
                List<byte[]> initial = new ArrayList<>();
                initial.add(("retry: " + settings.retry().toMillis() + "\n\n").getBytes(StandardCharsets.US_ASCII));
                initial.add(frame(null, "hello", hello(specs, chs, true)));
                initial.addAll(catchUp(chs, after));
                // queued under the lock, so that no live event can come before them
                for (byte[] f : initial) {
                    ok &= client.offer(f);
                }
            }
        }
        if (!ok) {
            disconnect(client);
            client.complete();
        }
        created.forEach(Channel::start);
    }

    private static void streamHeaders(HttpServletResponse resp) {
        resp.setStatus(200);
        resp.setContentType("text/event-stream; charset=utf-8");
        Responses.apiHeaders(resp);
        resp.setHeader("X-Accel-Buffering", "no");
    }

    /** Without async support: what there is now, then the browser reconnects (a long poll in SSE form). */
    private void shortStream(HttpServletResponse resp, List<LiveSpec<?>> specs, long after) throws IOException {
        Caught caught = catchUpBlocking(specs, after);
        ServletOutputStream out = resp.getOutputStream();
        out.write(("retry: " + settings.retry().toMillis() + "\n\n").getBytes(StandardCharsets.US_ASCII));
        out.write(frame(null, "hello", caught.hello()));
        for (byte[] f : caught.frames()) {
            out.write(f);
        }
        out.flush();
    }

    private record Caught(byte[] hello, List<byte[]> frames, String lastId) {
    }

    /** Catch-up without a stream: waits briefly for new channels' first poll. */
    private Caught catchUpBlocking(List<LiveSpec<?>> specs, long after) {
        List<Channel<?>> created = new ArrayList<>();
        List<Channel<?>> chs;
        synchronized (lock) {
            chs = channelsFor(specs, created);
            for (Channel<?> ch : chs) {
                if (ch.members.isEmpty()) {
                    ch.idleSince = clock.instant();
                }
            }
        }
        created.forEach(Channel::start);
        synchronized (lock) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!closed && chs.stream().anyMatch(c -> c.current == null && c.statusData == null)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return new Caught(hello(specs, chs, false), catchUp(chs, after), id(seq));
        }
    }

    /** {@code GET {mount}/api/events/poll?resource=...&since=<id>}: the events as JSON. */
    public byte[] poll(HttpServletRequest req) {
        List<LiveSpec<?>> specs = specs(req);
        Caught caught = catchUpBlocking(specs, parseId(req.getParameter("since")));
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("last_event_id", caught.lastId());
            g.writeNumberField("retry_ms", settings.retry().toMillis());
            g.writeFieldName("hello");
            g.writeRawValue(new String(caught.hello(), StandardCharsets.UTF_8));
            g.writeArrayFieldStart("events");
            for (byte[] f : caught.frames()) {
                writeFrameAsJson(g, new String(f, StandardCharsets.UTF_8));
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void writeFrameAsJson(JsonGenerator g, String frame) throws IOException {
        String id = null;
        String type = "message";
        String data = "null";
        for (String line : frame.split("\n")) {
            if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                type = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data = line.substring(6);
            }
        }
        g.writeStartObject();
        Json.str(g, "id", id);
        g.writeStringField("event", type);
        g.writeFieldName("data");
        g.writeRawValue(data);
        g.writeEndObject();
    }

    /** Forgets a client (its connection ended or was dropped). Idempotent, any thread. */
    void disconnect(SseClient client) {
        synchronized (lock) {
            if (!clients.remove(client)) {
                return;
            }
            Instant now = clock.instant();
            for (Channel<?> ch : client.channels) {
                ch.members.remove(client);
                if (ch.members.isEmpty()) {
                    ch.idleSince = now;
                }
            }
            client.channels.clear();
        }
    }

    private void dropAll(List<SseClient> drop, String why) {
        for (SseClient c : drop) {
            synchronized (lock) {
                dropped++;
            }
            LOG.info("Dropping the live-update stream of {}: {}", c.address(), why);
            disconnect(c);
            c.complete();
        }
    }

    // ---------------------------------------------------------------- housekeeping

    /** Heartbeats, slow clients, idle channels. */
    private void tick() {
        try {
            List<SseClient> drop = new ArrayList<>();
            List<SseClient> stalled = new ArrayList<>();
            List<Channel<?>> idle = new ArrayList<>();
            Instant now = clock.instant();
            synchronized (lock) {
                for (SseClient c : clients) {
                    if (c.stalledFor(now).compareTo(settings.slowClientTimeout()) > 0) {
                        stalled.add(c);
                    } else if (!c.offer(HEARTBEAT)) {
                        drop.add(c);
                    }
                }
                channels.values().removeIf(ch -> {
                    boolean gone = ch.members.isEmpty() && ch.idleSince != null
                            && Duration.between(ch.idleSince, now).compareTo(settings.linger()) >= 0;
                    if (gone) {
                        idle.add(ch);
                    }
                    return gone;
                });
            }
            dropAll(drop, "its queue is full");
            dropAll(stalled, "it has not read for over " + settings.slowClientTimeout().toSeconds() + " s");
            idle.forEach(Channel::stop);
        } catch (RuntimeException e) {
            LOG.warn("Live-update housekeeping failed; it runs again at the next heartbeat", e);
        }
    }

    /** Numbers for tests and monitoring. */
    public record Stats(int clients, int channels, long lastEventId, long dropped) {
    }

    public Stats stats() {
        synchronized (lock) {
            return new Stats(clients.size(), channels.size(), seq, dropped);
        }
    }

    public String boot() {
        return boot;
    }

    /**
     * Ends every open stream cleanly (browsers reconnect and resume), e.g. before the container stops,
     * and waits up to {@code wait} for the connections to finish.
     */
    public void endStreams(Duration wait) {
        List<SseClient> all;
        synchronized (lock) {
            all = new ArrayList<>(clients);
        }
        all.forEach(c -> {
            disconnect(c);
            c.complete();
        });
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline && all.stream().anyMatch(c -> !c.isCompleted())) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Ends every stream and stops the housekeeping thread; the watcher is the caller's. */
    @Override
    public void close() {
        List<SseClient> all;
        List<Channel<?>> chs;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(clients);
            chs = new ArrayList<>(channels.values());
            clients.clear();
            channels.clear();
            lock.notifyAll();
        }
        timer.shutdownNow();
        all.forEach(SseClient::complete);
        chs.forEach(Channel::stop);
    }
}

package io.github.metaflowui.servlet.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A Server-Sent Events reader on the JDK's HttpClient: parses the stream as a browser's EventSource does. */
final class SseReader implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One event; {@code data} parsed as JSON. */
    record Event(String id, String type, String raw) {
        JsonNode data() {
            try {
                return MAPPER.readTree(raw);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + raw, e);
            }
        }
    }

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final Consumer<Event> listener;
    private final CompletableFuture<Integer> status = new CompletableFuture<>();
    private volatile String contentType;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final AtomicInteger comments = new AtomicInteger();
    private volatile Flow.Subscription subscription;
    private volatile String lastId;
    private volatile String retry;

    private SseReader(Consumer<Event> listener) {
        this.listener = listener;
    }

    /** Opens a stream; events go to {@link #next} (or to {@code listener} when given). */
    static SseReader open(HttpClient http, URI uri, String lastEventId, Consumer<Event> listener) {
        SseReader r = new SseReader(listener);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        http.sendAsync(b.build(), info -> {
            r.contentType = info.headers().firstValue("Content-Type").orElse(null);
            r.status.complete(info.statusCode());
            return HttpResponse.BodySubscribers.fromLineSubscriber(r.new Lines());
        }).whenComplete((resp, e) -> {
            r.status.complete(-1);
            r.ended.complete(null);
        });
        return r;
    }

    static SseReader open(HttpClient http, URI uri, String lastEventId) {
        return open(http, uri, lastEventId, null);
    }

    int status() {
        try {
            return status.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("no response", e);
        }
    }

    /** The next event, waiting up to {@code timeout}; fails the test when none comes. */
    Event next(Duration timeout) {
        try {
            Event e = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                throw new AssertionError("no event within " + timeout);
            }
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Events until (and including) the first that matches. */
    List<Event> until(Predicate<Event> stop, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Event> out = new ArrayList<>();
        while (true) {
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            Event e = next(left);
            out.add(e);
            if (stop.test(e)) {
                return out;
            }
        }
    }

    /** Whatever arrives within {@code wait}. */
    List<Event> drain(Duration wait) {
        List<Event> out = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return out;
                }
                Event e = queue.poll(left, TimeUnit.NANOSECONDS);
                if (e != null) {
                    out.add(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return out;
        }
    }

    String contentType() {
        status();
        return contentType;
    }

    int comments() {
        return comments.get();
    }

    String lastId() {
        return lastId;
    }

    String retry() {
        return retry;
    }

    boolean awaitEnd(Duration timeout) {
        try {
            ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    private final class Lines implements Flow.Subscriber<String> {
        private String id;
        private String type;
        private final StringBuilder data = new StringBuilder();
        private boolean hasData;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (line.isEmpty()) {
                if (hasData) {
                    if (id != null) {
                        lastId = id;
                    }
                    Event e = new Event(lastId, type == null ? "message" : type, data.toString());
                    if (listener != null) {
                        listener.accept(e);
                    } else {
                        queue.add(e);
                    }
                }
                id = null;
                type = null;
                data.setLength(0);
                hasData = false;
            } else if (line.startsWith(":")) {
                comments.incrementAndGet();
            } else if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                type = line.substring(7);
            } else if (line.startsWith("retry: ")) {
                retry = line.substring(7);
            } else if (line.startsWith("data: ")) {
                if (hasData) {
                    data.append('\n');
                }
                data.append(line.substring(6));
                hasData = true;
            }
        }

        @Override
        public void onError(Throwable t) {
            ended.complete(null);
        }

        @Override
        public void onComplete() {
            ended.complete(null);
        }
    }
}

package io.github.metaflowui.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One browser's event stream: a bounded queue of ready-made SSE frames written with non-blocking
 * I/O, so no thread waits on a slow client. A client whose queue would exceed its byte budget, or
 * that has not taken a byte for too long while frames wait, is dropped (the browser reconnects and
 * resumes from its last event id).
 */
final class SseClient implements WriteListener, AsyncListener {
    private final AsyncContext context;
    private final ServletOutputStream out;
    private final EventHub hub;
    private final Clock clock;
    private final long maxQueuedBytes;
    private final String address;
    /** The channels this client listens to; guarded by the hub's lock. */
    final Set<EventHub.Channel<?>> channels = new LinkedHashSet<>();

    // guarded by "this"
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean needFlush;
    private boolean closed;
    private Instant stalledSince;
    private long written;
    /** The container finished the response (set by {@link #onComplete}). */
    private volatile boolean completed;

    SseClient(AsyncContext context, ServletOutputStream out, EventHub hub, Clock clock, long maxQueuedBytes,
              String address) {
        this.context = context;
        this.out = out;
        this.hub = hub;
        this.clock = clock;
        this.maxQueuedBytes = maxQueuedBytes;
        this.address = address;
    }

    /**
     * Queues a frame and writes what the connection takes now.
     *
     * @return false when the frame does not fit in the queue: the caller drops the client
     */
    boolean offer(byte[] frame) {
        synchronized (this) {
            if (closed) {
                return true;
            }
            if (queuedBytes + frame.length > maxQueuedBytes && !queue.isEmpty()) {
                return false;
            }
            queue.add(frame);
            queuedBytes += frame.length;
        }
        pump();
        return true;
    }

    /** How long frames have been waiting without the connection taking any, or zero. */
    synchronized Duration stalledFor(Instant now) {
        return stalledSince == null ? Duration.ZERO : Duration.between(stalledSince, now);
    }

    synchronized long queuedBytes() {
        return queuedBytes;
    }

    synchronized long bytesWritten() {
        return written;
    }

    String address() {
        return address;
    }

    /** Writes while the connection is ready. */
    private void pump() {
        boolean failed = false;
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                while (out.isReady()) {
                    byte[] next = queue.poll();
                    if (next == null) {
                        if (needFlush) {
                            needFlush = false;
                            out.flush();
                            continue;
                        }
                        break;
                    }
                    queuedBytes -= next.length;
                    written += next.length;
                    stalledSince = null;
                    out.write(next);
                    needFlush = true;
                }
                if ((needFlush || !queue.isEmpty()) && stalledSince == null) {
                    stalledSince = clock.instant();
                }
                if (!needFlush && queue.isEmpty()) {
                    stalledSince = null;
                }
            } catch (IOException | RuntimeException e) {
                failed = true;
                closed = true;
            }
        }
        if (failed) {
            hub.disconnect(this);
            complete();
        }
    }

    /** Ends the response; the browser may reconnect. Safe to call more than once, from any thread. */
    void complete() {
        synchronized (this) {
            closed = true;
            queue.clear();
            queuedBytes = 0;
        }
        try {
            context.complete();
        } catch (RuntimeException ignored) {
            // already completed or the connection is gone
        }
    }

    synchronized boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- container callbacks

    @Override
    public void onWritePossible() {
        pump();
    }

    @Override
    public void onError(Throwable t) {
        synchronized (this) {
            closed = true;
        }
        hub.disconnect(this);
        complete();
    }

    /** True once the container has finished the response. */
    boolean isCompleted() {
        return completed;
    }

    @Override
    public void onComplete(AsyncEvent event) {
        completed = true;
        synchronized (this) {
            closed = true;
        }
        hub.disconnect(this);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        hub.disconnect(this);
        complete();
    }

    @Override
    public void onError(AsyncEvent event) {
        onError(event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }
}

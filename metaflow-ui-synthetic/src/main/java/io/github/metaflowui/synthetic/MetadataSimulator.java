package io.github.metaflowui.synthetic;

import io.github.metaflowui.synthetic.internal.Server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.util.Objects;

/**
 * A synthetic archive served over loopback HTTP the way Metaflow's services serve a real one: the
 * metadata service's read endpoints at {@link #metadataServiceUri()} (bare arrays, cursor pages with
 * {@code _limit}/{@code _cursor}/{@code X-Next-Cursor}, run filters) and the UI backend's at
 * {@link #uiBackendUri()} ({@code /api}: envelopes, {@code _page}/{@code _limit}/{@code _order},
 * derived statuses, one task row per attempt, paged logs, DAG, parameters), with the JSON shapes of
 * the contract. Point {@code MetadataServiceBackend} or {@code UiServiceBackend} at it.
 *
 * <p>Like the real services it has no index on derived columns: ordering runs by duration or status
 * sorts every matching run on each request, and {@code _page} is an offset. Heartbeats of running
 * runs and tasks follow the given clock, so they stay alive while it is served. Threads are daemon
 * threads named {@code metaflow-simulator-N}; {@link #close()} stops them.
 */
public final class MetadataSimulator implements AutoCloseable {
    private final SyntheticArchive archive;
    private final Server server;
    private final String host;

    private MetadataSimulator(SyntheticArchive archive, Server server, String host) {
        this.archive = archive;
        this.server = server;
        this.host = host;
    }

    /** Serves the archive on a free loopback port with the system clock. */
    public static MetadataSimulator start(SyntheticArchive archive) {
        return start(archive, 0, Clock.systemUTC());
    }

    /**
     * Serves the archive on {@code 127.0.0.1:port} (0 picks a free port).
     *
     * @throws IllegalArgumentException for a local-flavoured archive
     * @throws UncheckedIOException     when the port cannot be bound
     */
    public static MetadataSimulator start(SyntheticArchive archive, int port, Clock clock) {
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(clock, "clock");
        String host = "127.0.0.1";
        try {
            return new MetadataSimulator(archive, new Server(archive.tables(), host, port, clock, 4), host);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the synthetic archive on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
    }

    public SyntheticArchive archive() {
        return archive;
    }

    public int port() {
        return server.port();
    }

    /** The metadata service's root, e.g. {@code http://127.0.0.1:41234/}. */
    public URI metadataServiceUri() {
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /** The UI backend's API root, e.g. {@code http://127.0.0.1:41234/api}. */
    public URI uiBackendUri() {
        return URI.create("http://" + host + ":" + port() + "/api");
    }

    /** How many requests were answered so far. */
    public long requestCount() {
        return server.requests();
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "MetadataSimulator[" + metadataServiceUri() + ", " + archive + "]";
    }
}

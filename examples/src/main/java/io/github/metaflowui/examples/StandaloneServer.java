package io.github.metaflowui.examples;

import io.github.metaflowui.core.spi.MetaflowBackend;
import io.github.metaflowui.servlet.AccessPolicy;
import io.github.metaflowui.servlet.MetaflowUiOptions;
import io.github.metaflowui.servlet.MetaflowUiServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An embedded Jetty 12 serving {@link MetaflowUiServlet} at the root path. Requests Jetty refuses
 * itself (malformed URIs, URIs too long) get {@link StandaloneErrors}' answers, not Jetty's pages,
 * and no response names the server software or its version.
 */
public final class StandaloneServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final MetaflowBackend backend;
    private final String host;

    private StandaloneServer(Server server, ServerConnector connector, MetaflowBackend backend, String host) {
        this.server = server;
        this.connector = connector;
        this.backend = backend;
        this.host = host;
    }

    /**
     * Starts serving {@code backend} on {@code host:port} (port 0 picks a free port). Callers on
     * other machines are let in only when {@code host} is not a loopback address.
     *
     * @throws IOException when the address cannot be bound (e.g. the port is busy)
     */
    public static StandaloneServer start(MetaflowBackend backend, String host, int port) throws IOException {
        return start(backend, host, port, MetaflowUiOptions.builder());
    }

    /**
     * As {@link #start(MetaflowBackend, String, int)}, with UI options (e.g. external links or
     * plugins); the access policy is still opened up for a non-loopback {@code host}.
     */
    public static StandaloneServer start(MetaflowBackend backend, String host, int port,
                                         MetaflowUiOptions.Builder options) throws IOException {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(options, "options");
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("metaflow-ui-http");
        threads.setDaemon(false);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        if (!isLoopback(host)) {
            options.accessPolicy(AccessPolicy.allowAll());
        }
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder("metaflow-ui", new MetaflowUiServlet(backend, options.build())), "/*");
        context.setErrorHandler(new StandaloneErrors.ContextLevel());
        server.setHandler(context);
        server.setErrorHandler(new StandaloneErrors.ServerLevel());
        server.setStopAtShutdown(true);
        try {
            server.start();
        } catch (IOException e) {
            stopQuietly(server);
            throw e;
        } catch (Exception e) {
            stopQuietly(server);
            throw new IOException(e.getMessage(), e);
        }
        return new StandaloneServer(server, connector, backend, host);
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The port actually bound. */
    public int port() {
        return connector.getLocalPort();
    }

    /** The URL of the UI, e.g. {@code http://127.0.0.1:8083/}. */
    public URI uri() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        if ("0.0.0.0".equals(host) || "::".equals(host)) {
            h = "127.0.0.1";
        }
        return URI.create("http://" + h + ":" + port() + "/");
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        stopQuietly(server);
        backend.close();
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception ignored) {
            // nothing more to do
        }
    }
}

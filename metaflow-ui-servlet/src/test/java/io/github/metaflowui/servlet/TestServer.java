package io.github.metaflowui.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A real embedded Jetty 12 (ee10) on a free loopback port, with servlets at given mappings. */
final class TestServer implements AutoCloseable {
    static final String TEST_ASSETS = "io/github/metaflowui/servlet/testui/";

    /**
     * The local {@code .metaflow} fixture made by the real Metaflow library, in {@code ../shared}
     * (surefire passes its place as {@code metaflow.shared.dir}); read only.
     */
    static Path localFixture() {
        String shared = System.getProperty("metaflow.shared.dir");
        if (shared == null || shared.isBlank()) {
            throw new IllegalStateException("system property metaflow.shared.dir is not set (surefire sets it to ../shared)");
        }
        Path root = Path.of(shared, "fixtures", "metaflow", "local", "dot-metaflow");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("the local Metaflow fixture is missing: " + root);
        }
        return root;
    }
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Server server;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private TestServer(Server server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts one context at {@code contextPath} with each servlet at its mapping (e.g. {@code /admin/metaflow/*}). */
    static TestServer start(String contextPath, Map<String, HttpServlet> servletsByMapping) {
        return start(contextPath, servletsByMapping, false);
    }

    /**
     * @param lax let every odd URI through to the servlet (encoded slashes, dot segments, empty
     *            segments...), as a careless container might, so that the servlet's own checks are tested
     */
    static TestServer start(String contextPath, Map<String, HttpServlet> servletsByMapping, boolean lax) {
        return start(contextPath, servletsByMapping, lax, true, new Server());
    }

    /**
     * @param async whether the servlets are registered with async support (live updates stream only then)
     * @param server the server to configure (e.g. with a named, bounded thread pool)
     */
    static TestServer start(String contextPath, Map<String, HttpServlet> servletsByMapping, boolean lax, boolean async,
                            Server server) {
        HttpConfiguration config = new HttpConfiguration();
        if (lax) {
            config.setUriCompliance(UriCompliance.UNSAFE);
        }
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath(contextPath);
        servletsByMapping.forEach((mapping, servlet) -> {
            ServletHolder holder = new ServletHolder(servlet);
            holder.setAsyncSupported(async);
            context.addServlet(holder, mapping);
        });
        if (lax) {
            context.getServletHandler().setDecodeAmbiguousURIs(true);
        }
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start Jetty", e);
        }
        return new TestServer(server, connector.getLocalPort());
    }

    static Map<String, HttpServlet> mappings(Object... mappingAndServlet) {
        Map<String, HttpServlet> m = new LinkedHashMap<>();
        for (int i = 0; i < mappingAndServlet.length; i += 2) {
            m.put((String) mappingAndServlet[i], (HttpServlet) mappingAndServlet[i + 1]);
        }
        return m;
    }

    int port() {
        return port;
    }

    /** A response with its body as text. */
    record Reply(int status, HttpResponse<byte[]> raw) {
        String body() {
            return new String(raw.body(), StandardCharsets.UTF_8);
        }

        byte[] bytes() {
            return raw.body();
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        /** The Content-Type header lower-cased without spaces, e.g. {@code text/css;charset=utf-8}. */
        String contentType() {
            String v = header("Content-Type");
            return v == null ? null : v.replace(" ", "").toLowerCase(java.util.Locale.ROOT);
        }

        JsonNode json() {
            try {
                return MAPPER.readTree(raw.body());
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (" + status + "): " + body(), e);
            }
        }
    }

    /** GET of a raw path-and-query, sent exactly as written. */
    Reply get(String rawPathAndQuery) {
        return send("GET", rawPathAndQuery);
    }

    Reply getWithHeader(String rawPathAndQuery, String name, String value) {
        return exchange(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + rawPathAndQuery))
                .header(name, value)
                .timeout(Duration.ofSeconds(60))
                .build());
    }

    Reply send(String method, String rawPathAndQuery) {
        return exchange(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + rawPathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(60))
                .build());
    }

    private Reply exchange(HttpRequest request) {
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop Jetty", e);
        }
    }
}

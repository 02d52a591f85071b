package io.github.metaflowui.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.jetty.server.Server;

/** Lets tests in other packages start the package-private {@link TestServer} with one servlet at {@code /*}. */
public final class TestServerAccess implements AutoCloseable {
    private final TestServer server;

    private TestServerAccess(TestServer server) {
        this.server = server;
    }

    public static TestServerAccess start(MetaflowUiServlet servlet, boolean async, Server jetty) {
        return new TestServerAccess(TestServer.start("/", TestServer.mappings("/*", servlet), false, async, jetty));
    }

    public int port() {
        return server.port();
    }

    public Reply get(String rawPathAndQuery) {
        return new Reply(server.get(rawPathAndQuery));
    }

    /** A response. */
    public static final class Reply {
        private final TestServer.Reply reply;

        Reply(TestServer.Reply reply) {
            this.reply = reply;
        }

        public int status() {
            return reply.status();
        }

        public String body() {
            return reply.body();
        }

        public String header(String name) {
            return reply.header(name);
        }

        public String contentType() {
            return reply.contentType();
        }

        public JsonNode json() {
            return reply.json();
        }
    }

    @Override
    public void close() {
        server.close();
    }
}

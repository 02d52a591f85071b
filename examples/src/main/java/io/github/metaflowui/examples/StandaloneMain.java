package io.github.metaflowui.examples;

import io.github.metaflowui.client.http.MetaflowBackends;
import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.core.spi.MetaflowBackend;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The standalone Metaflow UI: {@code java -jar metaflow-ui-standalone.jar [--metaflow-dir DIR]}.
 * Serves the bundled sample runs when no directory is given.
 */
public final class StandaloneMain {
    private StandaloneMain() {
    }

    public static void main(String[] args) {
        routeJavaLoggingToSlf4j();
        String home = System.getProperty("user.home");
        Launch launch = start(args, System.getenv(), home == null ? null : Path.of(home), System.out, System.err);
        if (launch.server() == null) {
            System.exit(launch.exitCode());
            return;
        }
        try {
            launch.server().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Core logs with {@code java.util.logging} and {@code System.Logger} (which writes to it): hand
     * those records to SLF4J, whose simple logger prints every other line, so all look the same.
     */
    static void routeJavaLoggingToSlf4j() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /** Either a running server, or the exit code to end with (server null). */
    record Launch(StandaloneServer server, int exitCode) {
        static Launch exit(int code) {
            return new Launch(null, code);
        }
    }

    /** Why {@code --host} cannot be listened on, before trying: not an address, or not one of this machine's. */
    static Optional<String> hostProblem(String host) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException | SecurityException e) {
            return Optional.of("--host '" + host + "' is not a valid IP address or a host name that resolves; use "
                    + "e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)");
        }
        try {
            if (!address.isAnyLocalAddress() && !address.isLoopbackAddress()
                    && NetworkInterface.getByInetAddress(address) == null) {
                return Optional.of("--host '" + host + "' (" + address.getHostAddress() + ") is not an address of "
                        + "this machine; use e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)");
            }
        } catch (SocketException e) {
            // cannot tell: let the bind say what is wrong
        }
        return Optional.empty();
    }

    /**
     * Parses the arguments and starts the server, or says why not: {@code --help} (exit 0), bad
     * arguments or data (2), the address cannot be bound (1).
     */
    static Launch start(String[] args, Map<String, String> env, Path home, PrintStream out, PrintStream err) {
        StandaloneOptions options;
        try {
            options = StandaloneOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return Launch.exit(2);
        }
        if (options.help()) {
            out.println(StandaloneOptions.USAGE);
            return Launch.exit(0);
        }
        Optional<String> badHost = hostProblem(options.host());
        if (badHost.isPresent()) {
            err.println("error: " + badHost.get());
            return Launch.exit(2);
        }
        MetaflowBackend backend;
        String source;
        DemoRuns demo = null;
        try {
            if (options.demo()) {
                Path dir = SampleData.writableCopy();
                backend = LocalMetaflowBackend.builder().root(dir).build();
                demo = new DemoRuns(dir, Clock.systemUTC(), 1.0);
                SampleData.stopBeforeCleanup(demo);
                source = "a temporary copy of the bundled sample runs, where a simulated " + DemoRuns.FLOW
                        + " run progresses (tagged demo; a new one about every 40 s)";
            } else if (options.synthetic().isPresent()) {
                SyntheticSource synthetic = SyntheticSource.start(options.synthetic().get(), out);
                backend = synthetic.backend();
                source = synthetic.describe();
            } else if (options.metaflowDir().isPresent()) {
                backend = LocalMetaflowBackend.builder().root(options.metaflowDir().get()).build();
                source = backend.describe();
            } else if (options.serviceUrl().isPresent()) {
                backend = MetaflowBackends.metadataService(options.serviceUrl().get());
                source = backend.describe();
            } else if (options.uiBackendUrl().isPresent()) {
                backend = MetaflowBackends.uiBackend(options.uiBackendUrl().get());
                source = backend.describe();
            } else {
                Optional<MetaflowBackend> configured = MetaflowBackends.fromEnvironment(env, home);
                if (configured.isPresent()) {
                    backend = configured.get();
                    source = backend.describe() + " (from Metaflow's configuration)";
                } else {
                    backend = LocalMetaflowBackend.builder().root(SampleData.materialize()).build();
                    source = "the bundled sample runs (give --metaflow-dir DIR for your own)";
                }
            }
        } catch (RuntimeException e) {
            err.println("error: " + e.getMessage());
            return Launch.exit(2);
        }
        try {
            StandaloneServer server = StandaloneServer.start(backend, options.host(), options.port(),
                    io.github.metaflowui.servlet.MetaflowUiOptions.builder(), demo);
            if (demo != null) {
                demo.start();
            }
            out.println("Metaflow UI: " + server.uri());
            out.println("Data: " + source);
            if (!StandaloneServer.isLoopback(options.host())) {
                out.println("Warning: listening on " + options.host()
                        + ", so other machines can see these runs. There is no authentication.");
            }
            out.println("Press Ctrl+C to stop.");
            return new Launch(server, 0);
        } catch (IOException e) {
            backend.close();
            Throwable cause = e;
            while (cause != null && !(cause instanceof BindException)) {
                cause = cause.getCause();
            }
            if (cause != null || String.valueOf(e.getMessage()).contains("Failed to bind")) {
                err.println("error: cannot listen on " + options.host() + ":" + options.port()
                        + " (" + (cause != null ? cause.getMessage() : e.getMessage())
                        + "). Is the port already in use? Choose another with --port.");
            } else {
                err.println("error: cannot start the server on " + options.host() + ":" + options.port() + ": "
                        + e.getMessage());
            }
            return Launch.exit(1);
        }
    }
}

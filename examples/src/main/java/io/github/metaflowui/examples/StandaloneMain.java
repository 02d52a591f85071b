package io.github.metaflowui.examples;

import io.github.metaflowui.client.local.LocalMetaflowBackend;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The standalone Metaflow UI: {@code java -jar metaflow-ui-standalone.jar [--metaflow-dir DIR]}.
 * Serves the bundled sample runs when no directory is given.
 */
public final class StandaloneMain {
    private StandaloneMain() {
    }

    public static void main(String[] args) {
        Launch launch = start(args, System.out, System.err);
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

    /** Either a running server, or the exit code to end with (server null). */
    record Launch(StandaloneServer server, int exitCode) {
        static Launch exit(int code) {
            return new Launch(null, code);
        }
    }

    /**
     * Parses the arguments and starts the server, or says why not: {@code --help} (exit 0), bad
     * arguments or data (2), the address cannot be bound (1).
     */
    static Launch start(String[] args, PrintStream out, PrintStream err) {
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
        MetaflowBackend backend;
        String source;
        DemoRuns demo = null;
        try {
            Path dir = options.metaflowDir().orElseGet(options.demo() ? SampleData::writableCopy : SampleData::materialize);
            backend = LocalMetaflowBackend.builder().root(dir).build();
            source = options.metaflowDir().isPresent()
                    ? backend.describe()
                    : "the bundled sample runs (give --metaflow-dir DIR for your own)";
            if (options.demo()) {
                demo = new DemoRuns(dir, Clock.systemUTC(), 1.0);
                source = "a temporary copy of the bundled sample runs, where a simulated " + DemoRuns.FLOW
                        + " run progresses (tagged demo; a new one every minute or so)";
            }
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            return Launch.exit(2);
        }
        try {
            StandaloneServer server = StandaloneServer.start(backend, options.host(), options.port(), demo);
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

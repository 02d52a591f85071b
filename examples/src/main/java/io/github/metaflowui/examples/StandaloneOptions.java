package io.github.metaflowui.examples;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The standalone runner's command line. Parsing never exits the JVM: a bad argument is an
 * {@link IllegalArgumentException} whose message is printed for the user.
 */
record StandaloneOptions(String host, int port, Optional<Path> metaflowDir, boolean demo, boolean help) {
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8083;

    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: java -jar metaflow-ui-standalone.jar [options]",
            "",
            "Serves the Metaflow UI for a .metaflow directory (by default, the bundled sample runs).",
            "",
            "Options:",
            "  --metaflow-dir DIR   a .metaflow directory (whatever its name), or the directory that contains",
            "                       .metaflow; read-only, nothing in it is ever written or moved",
            "  --host HOST          the address to listen on (default " + DEFAULT_HOST + "; anything other than a",
            "                       loopback address lets other machines in)",
            "  --port PORT          the port to listen on (default " + DEFAULT_PORT + "; 0 picks a free one)",
            "  --demo               keep simulated runs going (new tasks, growing logs, a retry, a failure) in a",
            "                       temporary copy of the bundled sample runs, to watch the UI update live;",
            "                       cannot be combined with --metaflow-dir (your directory is never written)",
            "  --help               show this help");

    static StandaloneOptions parse(String... args) {
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        Path dir = null;
        boolean help = false;
        boolean demo = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            switch (name) {
                case "--help":
                case "-h":
                    help = true;
                    break;
                case "--demo":
                    if (inline != null) {
                        throw new IllegalArgumentException("--demo takes no value");
                    }
                    demo = true;
                    break;
                case "--host":
                    host = value(name, inline, args, ++i);
                    if (inline != null) {
                        i--;
                    }
                    if (host.isBlank()) {
                        throw new IllegalArgumentException("--host must not be empty");
                    }
                    break;
                case "--port": {
                    String v = value(name, inline, args, ++i);
                    if (inline != null) {
                        i--;
                    }
                    try {
                        port = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port must be a number from 0 to 65535, got '" + v + "'");
                    }
                    if (port < 0 || port > 65535) {
                        throw new IllegalArgumentException("--port must be a number from 0 to 65535, got " + port);
                    }
                    break;
                }
                case "--metaflow-dir": {
                    String v = value(name, inline, args, ++i);
                    if (inline != null) {
                        i--;
                    }
                    if (v.isBlank()) {
                        throw new IllegalArgumentException("--metaflow-dir must not be empty");
                    }
                    dir = Path.of(v);
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown option '" + arg + "' (see --help)");
            }
        }
        if (demo && dir != null) {
            throw new IllegalArgumentException("--demo runs on a copy of the bundled sample runs and cannot be"
                    + " combined with --metaflow-dir (your directory is only ever read)");
        }
        return new StandaloneOptions(host, port, Optional.ofNullable(dir), demo, help);
    }

    private static String value(String name, String inline, String[] args, int i) {
        if (inline != null) {
            return inline;
        }
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(name + " needs a value (see --help)");
        }
        return args[i];
    }
}

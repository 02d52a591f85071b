package io.github.metaflowui.examples;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The standalone runner's command line. Parsing never exits the JVM: a bad argument is an
 * {@link IllegalArgumentException} whose message is printed for the user.
 */
record StandaloneOptions(String host, int port, Optional<Path> metaflowDir, Optional<URI> serviceUrl,
                         Optional<URI> uiBackendUrl, Optional<String> synthetic, boolean demo, boolean help) {
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8083;

    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: java -jar metaflow-ui-standalone.jar [options]",
            "",
            "Serves the Metaflow UI for your runs. Where the runs come from, the first that applies:",
            "  1. --metaflow-dir, --service-url, --ui-backend-url or --synthetic (give one);",
            "  2. Metaflow's own configuration: METAFLOW_SERVICE_URL (with METAFLOW_SERVICE_AUTH_KEY and",
            "     METAFLOW_SERVICE_HEADERS), or ~/.metaflowconfig/config.json (config_<METAFLOW_PROFILE>.json);",
            "  3. the bundled sample runs.",
            "",
            "Options:",
            "  --metaflow-dir DIR   a .metaflow directory (whatever its name), or the directory that contains",
            "                       .metaflow; read-only, nothing in it is ever written or moved",
            "  --service-url URL    a Metaflow metadata service, e.g. http://metadata.internal:8080/",
            "  --ui-backend-url URL a Metaflow UI backend (its /api prefix included), e.g. http://ui.internal:8083/api/",
            "  --synthetic RUNS:TASKS",
            "                       a generated archive of RUNS runs (up to 2,000,000) across a few hundred flows,",
            "                       one of them with a TASKS-task foreach step, e.g. 1000000:100000; served by an",
            "                       in-process metadata-service/UI-backend simulator on loopback, indexed in memory",
            "                       (give the JVM -Xmx256m or more for a million runs)",
            "  --host HOST          the address to listen on (default " + DEFAULT_HOST + "; anything other than a",
            "                       loopback address lets other machines in)",
            "  --port PORT          the port to listen on (default " + DEFAULT_PORT + "; 0 picks a free one)",
            "  --demo               keep simulated runs going (new tasks, growing logs, a retry, a failure) in a",
            "                       temporary copy of the bundled sample runs, to watch the UI update live;",
            "                       cannot be combined with another data source (yours is never written)",
            "  --help               show this help");

    static StandaloneOptions parse(String... args) {
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        Path dir = null;
        URI service = null;
        URI uiBackend = null;
        String synthetic = null;
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
                case "--service-url":
                case "--ui-backend-url": {
                    String v = value(name, inline, args, ++i);
                    if (inline != null) {
                        i--;
                    }
                    URI url = httpUrl(name, v);
                    if ("--service-url".equals(name)) {
                        service = url;
                    } else {
                        uiBackend = url;
                    }
                    break;
                }
                case "--synthetic": {
                    String v = value(name, inline, args, ++i);
                    if (inline != null) {
                        i--;
                    }
                    io.github.metaflowui.synthetic.ArchiveSpec.parse(v, java.time.Instant.EPOCH); // validates
                    synthetic = v.trim();
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown option '" + arg + "' (see --help)");
            }
        }
        int sources = (dir != null ? 1 : 0) + (service != null ? 1 : 0) + (uiBackend != null ? 1 : 0)
                + (synthetic != null ? 1 : 0);
        if (sources > 1) {
            throw new IllegalArgumentException(
                    "give only one of --metaflow-dir, --service-url, --ui-backend-url and --synthetic");
        }
        if (demo && sources > 0) {
            throw new IllegalArgumentException("--demo runs on a copy of the bundled sample runs and cannot be"
                    + " combined with --metaflow-dir, --service-url, --ui-backend-url or --synthetic (your data is only"
                    + " ever read)");
        }
        return new StandaloneOptions(host, port, Optional.ofNullable(dir), Optional.ofNullable(service),
                Optional.ofNullable(uiBackend), Optional.ofNullable(synthetic), demo, help);
    }

    /** True when a data source was named on the command line. */
    boolean hasExplicitSource() {
        return metaflowDir.isPresent() || serviceUrl.isPresent() || uiBackendUrl.isPresent() || synthetic.isPresent();
    }

    private static URI httpUrl(String name, String value) {
        try {
            URI uri = new URI(value.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException(name + " must be an http(s) URL such as http://host:8080/, got '"
                        + value + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + " must be an http(s) URL such as http://host:8080/, got '"
                    + value + "'");
        }
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

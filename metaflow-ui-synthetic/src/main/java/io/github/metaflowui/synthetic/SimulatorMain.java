package io.github.metaflowui.synthetic;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;

/**
 * Serves a synthetic archive from the command line, for benchmarks that keep the simulator out of
 * the measured JVM: {@code java -cp ... io.github.metaflowui.synthetic.SimulatorMain RUNS:TASKS [PORT]}.
 * Prints {@code port=<n>} once it listens, and stops when its standard input closes.
 */
public final class SimulatorMain {
    private SimulatorMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: SimulatorMain RUNS:TASKS [PORT]");
            System.exit(2);
            return;
        }
        ArchiveSpec spec;
        int port;
        try {
            spec = ArchiveSpec.parse(args[0], Instant.now());
            port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        SyntheticArchive archive = SyntheticArchive.generate(spec);
        try (MetadataSimulator simulator = MetadataSimulator.start(archive, port, Clock.systemUTC())) {
            System.out.println("port=" + simulator.port());
            System.out.println("archive=" + archive);
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until stdin closes
            }
        }
    }
}

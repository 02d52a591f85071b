package io.github.metaflowui.benchmarks;

import java.util.Arrays;
import java.util.Locale;

/**
 * The benchmarks jar's entry point:
 * <pre>
 * java -jar metaflow-ui-benchmarks.jar servlet [RUNS:TASKS]      servlet API on the simulator, index vs none
 * java -jar metaflow-ui-benchmarks.jar stream [RUNS]             Paged&lt;Run&gt; vs raw Jackson over the same bytes
 * java -jar metaflow-ui-benchmarks.jar local DIR [RUNS:TASKS]    the local backend on a generated tree
 * java -jar metaflow-ui-benchmarks.jar jmh [JMH options]         the JMH benchmarks (IndexBench, DiffBench)
 * </pre>
 * Every program prints the machine, each figure with its baseline measured in the same run, and the ratio.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: java -jar metaflow-ui-benchmarks.jar servlet|stream|local|jmh [args]");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0].toLowerCase(Locale.ROOT)) {
            case "servlet":
                ServletBench.main(rest);
                break;
            case "stream":
                StreamBench.main(rest);
                break;
            case "local":
                LocalBench.main(rest);
                break;
            case "jmh":
                org.openjdk.jmh.Main.main(rest);
                break;
            default:
                System.err.println("unknown benchmark '" + args[0] + "'");
                System.exit(2);
        }
    }
}

package io.github.metaflowui.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --demo} keeps writing runs into a temporary copy of the sample: stopped with SIGTERM (the
 * way a terminal or a service manager stops it), the runner stops its writer first and leaves no
 * copy behind (the cleanup used to race with the writer, which recreated files behind it).
 */
class DemoCleanupTest {
    @TempDir
    Path tmp;

    @Test
    void sigterm_while_the_demo_writes_leaves_no_temporary_copy() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                StandaloneMain.class.getName(), "--demo", "--port", "0")
                .redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        CompletableFuture<Void> writing = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    synchronized (output) {
                        output.add(line);
                    }
                    if (line.contains("http://")) {
                        writing.complete(null);
                    }
                }
                writing.completeExceptionally(new IllegalStateException("the runner ended: " + output));
            } catch (Exception e) {
                writing.completeExceptionally(e);
            }
        }, "demo-cleanup-test-output");
        reader.setDaemon(true);
        reader.start();
        try {
            writing.get(2, TimeUnit.MINUTES);
            // the demo's first run starts writing 1.5 s in; stop it while it writes
            Path copy = awaitDemoRunDirectory(tmp);
            assertThat(copy).as("the demo's run directory in the temporary copy").isNotNull();
            Thread.sleep(3000); // let it register and run tasks, so the stop lands while logs grow
            process.destroy(); // SIGTERM: shutdown hooks run
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the runner stops on SIGTERM").isTrue();
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("metaflow-ui-")))
                    .as("temporary copies left in java.io.tmpdir; runner output:\n" + String.join("\n", output))
                    .isEmpty();
        }
    }

    /** Waits (bounded) until the demo has created a run of its flow in a copy under {@code tmp}. */
    private static Path awaitDemoRunDirectory(Path tmp) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            try (Stream<Path> copies = Files.list(tmp)) {
                for (Path c : copies.filter(p -> p.getFileName().toString().startsWith("metaflow-ui-")).toList()) {
                    Path flow = c.resolve(".metaflow").resolve(DemoRuns.FLOW);
                    if (Files.isDirectory(flow)) {
                        try (Stream<Path> runs = Files.list(flow)) {
                            if (runs.anyMatch(r -> Files.isDirectory(r) && r.getFileName().toString().matches("\\d+")
                                    && !r.getFileName().toString().equals(DemoRuns.TEMPLATE_RUN))) {
                                return c;
                            }
                        }
                    }
                }
            }
            Thread.sleep(100);
        }
        return null;
    }
}

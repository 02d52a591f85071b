package io.github.metaflowui.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The sample {@code .metaflow} directory bundled with the runner: real runs written by Metaflow.
 * From a jar it is copied to a temporary directory (deleted on exit); from a classes directory it is
 * used in place.
 */
final class SampleData {
    static final String RESOURCE = "/io/github/metaflowui/examples/sample/.metaflow";

    private SampleData() {
    }

    /** Returns a directory holding the sample {@code .metaflow} tree (read-only use). */
    static Path materialize() {
        return materialize(false);
    }

    /**
     * A temporary, writable copy of the sample {@code .metaflow} tree, deleted when the JVM exits
     * (the demo writes its simulated runs there, never into the bundled data or a user's directory).
     */
    static Path writableCopy() {
        return materialize(true);
    }

    private static Path materialize(boolean copy) {
        URL url = SampleData.class.getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException("the bundled sample data is missing from the classpath (" + RESOURCE + ")");
        }
        try {
            URI uri = url.toURI();
            if ("file".equals(uri.getScheme()) && !copy) {
                return Path.of(uri);
            }
            if ("file".equals(uri.getScheme())) {
                Path target = Files.createTempDirectory("metaflow-ui-demo-");
                copyTree(Path.of(uri), target.resolve(".metaflow"));
                deleteOnExit(target);
                return target.resolve(".metaflow");
            }
            if ("jar".equals(uri.getScheme())) {
                Path target = Files.createTempDirectory("metaflow-ui-sample-");
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    Path source = jar.getPath(RESOURCE);
                    copyTree(source, target.resolve(".metaflow"));
                }
                deleteOnExit(target);
                return target.resolve(".metaflow");
            }
            throw new IllegalStateException("cannot read the bundled sample data from " + uri);
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack the bundled sample data: " + e.getMessage(), e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                try (InputStream in = Files.newInputStream(file)) {
                    Files.copy(in, target.resolve(source.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Writers into a temporary copy (the demo), stopped before the copies are deleted at exit. */
    private static final List<AutoCloseable> WRITERS = new CopyOnWriteArrayList<>();

    /**
     * Stops {@code writer} at exit before the temporary copies are deleted: shutdown hooks run while
     * daemon threads still run, so a writer left going would recreate files behind the cleanup.
     */
    static void stopBeforeCleanup(AutoCloseable writer) {
        WRITERS.add(writer);
    }

    private static void deleteOnExit(Path root) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable writer : WRITERS) {
                try {
                    writer.close();
                } catch (Exception ignored) {
                    // best effort: the process is ending
                }
            }
            deleteTree(root);
        }, "metaflow-ui-sample-cleanup"));
    }

    /** Deletes a temporary tree, best effort: files that vanish or fail on the way are skipped. */
    static void deleteTree(Path root) {
        for (int round = 0; round < 3 && Files.exists(root); round++) {
            try {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        quietlyDelete(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                        quietlyDelete(dir);
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException | RuntimeException ignored) {
                // best effort: it is a temporary copy; the next round picks up what is left
            }
        }
    }

    private static void quietlyDelete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a directory something was just written into: the next round deletes it
        }
    }
}

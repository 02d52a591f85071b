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
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

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

    private static void deleteOnExit(Path root) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // best effort: it is a temporary copy
                    }
                });
            } catch (IOException ignored) {
                // best effort
            }
        }, "metaflow-ui-sample-cleanup"));
    }
}

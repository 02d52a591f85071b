package io.github.metaflowui.client.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;

/** The real Metaflow fixture shared by the conformance tests, and helpers to copy parts of it. */
final class LocalFixture {
    /** A fixed "now", a day after the fixture runs (2026-12-03). */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC);

    private LocalFixture() {
    }

    /** The shared fixtures folder ({@code metaflow.shared.dir} + {@code /fixtures/metaflow}). */
    static Path fixtures() {
        String shared = System.getProperty("metaflow.shared.dir");
        if (shared == null || shared.isBlank()) {
            throw new IllegalStateException("system property metaflow.shared.dir is not set; run the tests with Maven "
                    + "(surefire passes it) or -Dmetaflow.shared.dir=<path to shared>");
        }
        Path dir = Path.of(shared, "fixtures", "metaflow");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("the Metaflow fixtures are missing: " + dir + " is not a directory "
                    + "(metaflow.shared.dir=" + shared + ")");
        }
        return dir;
    }

    /** The fixture's {@code .metaflow} directory (named {@code dot-metaflow}). */
    static Path root() {
        return fixtures().resolve("local").resolve("dot-metaflow");
    }

    static LocalMetaflowBackend backend() {
        return LocalMetaflowBackend.builder().root(root()).clock(CLOCK).build();
    }

    static LocalMetaflowBackend backend(Path root) {
        return LocalMetaflowBackend.builder().root(root).clock(CLOCK).build();
    }

    /**
     * Copies {@code relative} (a path under the fixture root, e.g. {@code LinearFlow}) into
     * {@code targetRoot}, keeping modification times and making the copy writable.
     */
    static void copy(String relative, Path targetRoot) {
        Path source = root().resolve(relative);
        Path target = targetRoot.resolve(relative);
        try {
            Files.createDirectories(target.getParent());
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path t = target.resolve(source.relativize(file).toString());
                    Files.copy(file, t, StandardCopyOption.COPY_ATTRIBUTES);
                    makeWritable(t, false);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Path t = target.resolve(source.relativize(dir).toString());
                    makeWritable(t, true);
                    Files.setLastModifiedTime(t, Files.getLastModifiedTime(dir));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a file without touching its directory's modification time. */
    static void overwrite(Path file, String content) {
        try {
            Path dir = file.getParent();
            FileTime dirTime = Files.getLastModifiedTime(dir);
            Files.writeString(file, content);
            Files.setLastModifiedTime(dir, dirTime);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void makeWritable(Path p, boolean dir) throws IOException {
        try {
            Set<PosixFilePermission> perms = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            if (dir) {
                perms.add(PosixFilePermission.OWNER_EXECUTE);
            }
            perms.addAll(Files.getPosixFilePermissions(p));
            Files.setPosixFilePermissions(p, perms);
        } catch (UnsupportedOperationException e) {
            p.toFile().setWritable(true);
        }
    }
}

package io.github.metaflowui.synthetic;

import io.github.metaflowui.synthetic.internal.LocalWriter;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes a local-flavoured {@link SyntheticArchive} ({@link SyntheticArchive#generateLocal}) as the
 * {@code .metaflow} tree Metaflow's local provider would have written, so that it reads back through
 * the same local backend as a real one: run, step and task records, attempt markers and outcomes,
 * foreach labels, mflog logs, and each run's graph and parameters as gzipped pickles.
 */
public final class LocalArchiveWriter {
    private LocalArchiveWriter() {
    }

    /** What was written. */
    public record Written(Path metaflowDir, long files) {
    }

    /**
     * Writes the archive into {@code dir/.metaflow}, which must not exist yet.
     *
     * @throws IllegalArgumentException when the archive is not local, or {@code dir/.metaflow} exists
     */
    public static Written write(SyntheticArchive archive, Path dir) {
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(dir, "dir");
        Path root = dir.toAbsolutePath().normalize().resolve(".metaflow");
        long files = new LocalWriter(archive.tables(), root).write();
        return new Written(root, files);
    }
}

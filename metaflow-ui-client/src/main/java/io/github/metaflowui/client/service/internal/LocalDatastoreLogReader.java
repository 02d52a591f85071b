package io.github.metaflowui.client.service.internal;

import io.github.metaflowui.client.local.LocalLogReader;
import io.github.metaflowui.client.service.DatastoreLocation;
import io.github.metaflowui.client.service.DatastoreLogReader;
import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.TaskRef;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Reads logs of tasks whose {@code ds-type} is {@code local} and whose {@code ds-root} is a readable
 * directory on this machine, with the local backend's {@link LocalLogReader} (read-only; it copies
 * nothing and moves nothing). One reader (and cache) per root, for at most 16 roots.
 */
public final class LocalDatastoreLogReader implements DatastoreLogReader {
    private final ConcurrentMap<Path, LocalLogReader> readers = new ConcurrentHashMap<>();

    @Override
    public Optional<LogPage> read(DatastoreLocation location, TaskRef task, LogStream stream, int attempt,
                                  LogRequest window) {
        Optional<Path> root = readableRoot(location);
        if (root.isEmpty()) {
            return Optional.empty();
        }
        if (readers.size() > 16) {
            readers.clear();
        }
        LocalLogReader reader = readers.computeIfAbsent(root.get(), LocalLogReader::of);
        return Optional.of(reader.read(task, stream, attempt, window));
    }

    /** The root as a readable directory, when the location is a local datastore. */
    public static Optional<Path> readableRoot(DatastoreLocation location) {
        if (!"local".equals(location.type()) || location.root().isBlank()) {
            return Optional.empty();
        }
        try {
            Path p = Path.of(location.root());
            return p.isAbsolute() && Files.isDirectory(p) && Files.isReadable(p) ? Optional.of(p) : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }
}

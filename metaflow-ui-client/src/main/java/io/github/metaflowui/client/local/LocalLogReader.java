package io.github.metaflowui.client.local;

import io.github.metaflowui.client.local.internal.LocalFaults;
import io.github.metaflowui.client.local.internal.LocalFiles;
import io.github.metaflowui.client.local.internal.LruCache;
import io.github.metaflowui.client.local.internal.TaskReader;
import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.core.Mflog;
import io.github.metaflowui.core.TaskRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads task logs from a local datastore, the way Metaflow's client does ({@code Task.loglines}):
 * for attempt {@code N} of {@code <root>/<Flow>/<Run>/<Step>/<Task>/}, the mflog files
 * {@code N.runtime_<stream>.log} and {@code N.task_<stream>.log} (either may be missing) are parsed,
 * each sorted by timestamp, and merged ({@link Mflog#parseAndSort}, {@link Mflog#merge}). When
 * neither exists, the legacy {@code N.<stream>.log} is read as plain lines without timestamps.
 *
 * <p>Files are decoded as UTF-8 with malformed bytes replaced, and split into lines as Python's
 * {@code bytes.splitlines()} does ({@code \n}, {@code \r\n}, {@code \r}). The merged lines of the
 * files last read are kept in a small cache keyed by each file's (path, size, modification time), so
 * paging through a long log parses it once; a file that grows is re-read.
 *
 * <p>A log file that cannot be read fails with a {@link MetaflowException.NoAnswerException} that
 * names the log of the task ("the runtime_stdout log of attempt 0 of task F/1/start/1 cannot be
 * read"), never the server path; that is logged once.
 *
 * <p>Read-only and thread-safe. Usable for any datastore whose {@code ds-type} is {@code local},
 * including runs recorded by a metadata service.
 */
public final class LocalLogReader {
    /** How many merged logs are kept. */
    public static final int DEFAULT_CACHE_ENTRIES = 16;
    /** How many characters of log text the cache may hold in all. */
    public static final long DEFAULT_CACHE_CHARS = 32L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(LocalLogReader.class);

    private final Path root;
    private final LruCache<List<FileKey>, Parsed> cache;
    private final LocalFaults faults;

    private record FileKey(Path path, long size, Instant modified) {
    }

    private record Parsed(List<Mflog.Line> lines, long chars) {
    }

    private LocalLogReader(Path root, int entries, long chars) {
        this.root = Objects.requireNonNull(root, "root");
        this.cache = new LruCache<>(entries, chars, Parsed::chars);
        this.faults = new LocalFaults(root, LOG);
    }

    /** A reader for the datastore rooted at {@code datastoreRoot} (the directory holding {@code <Flow>/}). */
    public static LocalLogReader of(Path datastoreRoot) {
        return new LocalLogReader(datastoreRoot, DEFAULT_CACHE_ENTRIES, DEFAULT_CACHE_CHARS);
    }

    /** The same with a cache of the given size. */
    public static LocalLogReader of(Path datastoreRoot, int cacheEntries, long cacheChars) {
        if (cacheEntries < 1) {
            throw new IllegalArgumentException("cacheEntries must be >= 1, got " + cacheEntries);
        }
        if (cacheChars < 0) {
            throw new IllegalArgumentException("cacheChars must be >= 0, got " + cacheChars);
        }
        return new LocalLogReader(datastoreRoot, cacheEntries, cacheChars);
    }

    public Path root() {
        return root;
    }

    /**
     * A window of one stream of one attempt. A missing log (or task) is an empty page.
     *
     * @param attempt the attempt, already resolved (see {@link #latestAttempt(TaskRef)}); the
     *                window's own attempt is ignored
     * @throws IllegalArgumentException if {@code attempt} is negative
     */
    public LogPage read(TaskRef task, LogStream stream, int attempt, LogRequest window) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(window, "window");
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0, got " + attempt);
        }
        Optional<Path> dir = taskDir(task);
        if (dir.isEmpty()) {
            return new LogPage(attempt, List.of(), 0);
        }
        List<Mflog.Line> lines;
        try {
            lines = lines(dir.get(), stream, attempt);
        } catch (MetaflowException e) {
            throw faults.publicForm(e);
        }
        long total = lines.size();
        long first = window.firstRow(total);
        long end = window.endRow(total);
        List<LogLine> out = new ArrayList<>((int) Math.max(0, end - first));
        for (long row = first; row < end; row++) {
            Mflog.Line l = lines.get((int) row);
            out.add(new LogLine(row, l.timestamp(), l.message(), stream));
        }
        return new LogPage(attempt, out, total);
    }

    /** The latest attempt of a task: the highest {@code N} with {@code N.attempt.json}, else the latest {@code attempt} record. */
    public OptionalInt latestAttempt(TaskRef task) {
        return taskDir(task).map(TaskReader::latestAttempt).orElse(OptionalInt.empty());
    }

    private Optional<Path> taskDir(TaskRef task) {
        return LocalFiles.child(root, task.run().flow())
                .flatMap(d -> LocalFiles.child(d, task.run().run().value()))
                .flatMap(d -> LocalFiles.child(d, task.step().step()))
                .flatMap(d -> LocalFiles.child(d, task.task().value()));
    }

    private List<Mflog.Line> lines(Path dir, LogStream stream, int attempt) {
        Path runtime = dir.resolve(attempt + ".runtime_" + stream.fileName() + ".log");
        Path taskLog = dir.resolve(attempt + ".task_" + stream.fileName() + ".log");
        Optional<FileKey> r = key(runtime);
        Optional<FileKey> t = key(taskLog);
        boolean legacy = false;
        List<FileKey> keys = new ArrayList<>(2);
        r.ifPresent(keys::add);
        t.ifPresent(keys::add);
        if (keys.isEmpty()) {
            Optional<FileKey> old = key(dir.resolve(attempt + "." + stream.fileName() + ".log"));
            if (old.isEmpty()) {
                return List.of();
            }
            keys.add(old.get());
            legacy = true;
        }
        Optional<Parsed> hit = cache.get(keys);
        if (hit.isPresent()) {
            return hit.get().lines();
        }
        List<Mflog.Line> merged;
        if (legacy) {
            List<String> raw = splitLines(keys.get(0).path());
            merged = new ArrayList<>(raw.size());
            for (String s : raw) {
                merged.add(new Mflog.Line(Optional.empty(), "", false, "", "", s));
            }
        } else {
            List<Mflog.Line> runtimeLines = r.map(k -> Mflog.parseAndSort(splitLines(k.path()))).orElse(List.of());
            List<Mflog.Line> taskLines = t.map(k -> Mflog.parseAndSort(splitLines(k.path()))).orElse(List.of());
            merged = Mflog.merge(runtimeLines, taskLines);
        }
        long chars = 0;
        for (Mflog.Line l : merged) {
            chars += l.message().length() + 64;
        }
        Parsed parsed = new Parsed(List.copyOf(merged), chars);
        cache.put(keys, parsed);
        return parsed.lines();
    }

    private static Optional<FileKey> key(Path p) {
        Optional<BasicFileAttributes> a = LocalFiles.attributes(p);
        if (a.isEmpty() || !a.get().isRegularFile()) {
            return Optional.empty();
        }
        return Optional.of(new FileKey(p, a.get().size(), a.get().lastModifiedTime().toInstant()));
    }

    /** The lines of a file as Python's {@code bytes.splitlines()} gives them, decoded leniently. */
    static List<String> splitLines(Path p) {
        byte[] bytes = LocalFiles.readIfExists(p).orElse(new byte[0]);
        String text = decodeUtf8(bytes);
        List<String> out = new ArrayList<>();
        int start = 0;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                out.add(text.substring(start, i));
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
            i++;
        }
        if (start < n) {
            out.add(text.substring(start));
        }
        return out;
    }

    private static String decodeUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            // cannot happen with REPLACE; fall back to the lenient String constructor
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}

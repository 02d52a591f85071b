package io.github.metaflowui.client.local.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.metaflowui.core.MetaflowException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Read-only file access for the local store. Every method only reads: nothing here creates, writes,
 * moves or locks a file. I/O failures become {@link LocalFaults.Unreadable} (a
 * {@link MetaflowException.NoAnswerException}); JSON that does not parse becomes
 * {@link LocalFaults.Undecodable} (a {@link MetaflowException.DecodeException}); both keep the path
 * for the log, see {@link LocalFaults#publicForm}.
 */
public final class LocalFiles {
    /** The longest file name (in UTF-8 bytes) that common file systems store (NAME_MAX). */
    public static final int MAX_NAME_BYTES = 255;

    /** The one JSON mapper; thread-safe once configured. */
    public static final ObjectMapper JSON = new ObjectMapper();

    private LocalFiles() {
    }

    /** The names of the entries of a directory, or an empty list if it does not exist. */
    public static List<String> list(Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                names.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            if (isAbsent(e)) {
                return List.of();
            }
            throw new LocalFaults.Unreadable(dir, "cannot be listed", describe(e), e);
        }
        return names;
    }

    /** Size and modification time, or empty if the file does not exist. */
    public static Optional<BasicFileAttributes> attributes(Path p) {
        try {
            return Optional.of(Files.readAttributes(p, BasicFileAttributes.class));
        } catch (IOException e) {
            if (isAbsent(e)) {
                return Optional.empty();
            }
            throw new LocalFaults.Unreadable(p, "cannot be read", describe(e), e);
        }
    }

    public static boolean isFile(Path p) {
        return Files.isRegularFile(p);
    }

    /** The modification time of a file or directory, or empty if it does not exist. */
    public static Optional<Instant> mtime(Path p) {
        return attributes(p).map(a -> a.lastModifiedTime().toInstant());
    }

    /** The whole file, or empty if it does not exist. */
    public static Optional<byte[]> readIfExists(Path p) {
        try {
            return Optional.of(Files.readAllBytes(p));
        } catch (IOException e) {
            if (isAbsent(e)) {
                return Optional.empty();
            }
            throw new LocalFaults.Unreadable(p, "cannot be read", describe(e), e);
        }
    }

    /** The whole file; a missing file is an error here. */
    public static byte[] read(Path p) {
        return readIfExists(p).orElseThrow(() -> new LocalFaults.Unreadable(p, "is missing", "", null));
    }

    /** Parses a JSON file; empty if the file does not exist. */
    public static Optional<JsonNode> readJsonIfExists(Path p) {
        return readIfExists(p).map(bytes -> parseJson(bytes, p));
    }

    /** Parses a JSON file that must exist. */
    public static JsonNode readJson(Path p) {
        return parseJson(read(p), p);
    }

    /** Parses JSON text read from {@code source}, naming it in the error. */
    public static JsonNode parseJson(byte[] bytes, Path source) {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new LocalFaults.Undecodable(source, "is empty where JSON was expected", "", null);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new LocalFaults.Undecodable(source, "is malformed JSON", e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new LocalFaults.Undecodable(source, "is malformed JSON", describe(e), e);
        }
    }

    /** A JSON object field as text, or empty when absent or null. */
    public static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        return Optional.of(v.isValueNode() ? v.asText() : v.toString());
    }

    /** A JSON object field as a long (number or digit string), or empty. */
    public static Optional<Long> longValue(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (v.isIntegralNumber()) {
            return Optional.of(v.asLong());
        }
        if (v.isNumber()) {
            return Optional.of((long) v.asDouble());
        }
        if (v.isTextual()) {
            try {
                return Optional.of(Long.parseLong(v.asText().trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** A JSON array of strings, or an empty list. */
    public static List<String> strings(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            if (!e.isNull()) {
                out.add(e.asText());
            }
        }
        return out;
    }

    /**
     * Whether a name coming from a caller can safely name a directory entry: not empty, not
     * {@code .}/{@code ..}, without separators or NUL, and at most {@link #MAX_NAME_BYTES} bytes in
     * UTF-8 (no file system stores a longer name). Anything else cannot exist in the store.
     */
    public static boolean isSafeName(String name) {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..")
                || name.length() > MAX_NAME_BYTES) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c == 0) {
                return false;
            }
        }
        return name.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES;
    }

    /**
     * The entry {@code name} of {@code dir}, or empty when no file system could hold that name (see
     * {@link #isSafeName}, and names this platform refuses): such a name is simply not there.
     */
    public static Optional<Path> child(Path dir, String name) {
        if (!isSafeName(name)) {
            return Optional.empty();
        }
        try {
            return Optional.of(dir.resolve(name));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    /**
     * A missing file, a path through something that is not a directory (ENOTDIR), or a path too long
     * for the file system (ENAMETOOLONG): nothing can be there.
     */
    private static boolean isAbsent(IOException e) {
        if (e instanceof NoSuchFileException || e instanceof NotDirectoryException) {
            return true;
        }
        return e instanceof FileSystemException f
                && ("Not a directory".equals(f.getReason()) || "File name too long".equals(f.getReason()));
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
    }
}

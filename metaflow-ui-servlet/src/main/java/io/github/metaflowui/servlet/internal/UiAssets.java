package io.github.metaflowui.servlet.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The UI's files, read once from a classpath directory into memory, with one content hash over all of
 * them. Assets are served as {@code static/<hash>/<file>}, so every file moves to a new URL when any
 * file changes and relative ES-module imports between them keep working. Only files found at load
 * time can ever be served: a request path is a key in this map, never a file system path.
 */
public final class UiAssets {
    private static final Logger LOG = LoggerFactory.getLogger(UiAssets.class);
    /** The classpath directory the UI lives in. */
    public static final String DEFAULT_ROOT = "io/github/metaflowui/servlet/ui/";
    public static final String INDEX = "index.html";
    private static final long MAX_TOTAL_BYTES = 64L * 1024 * 1024;

    /** One file: its bytes and content type. */
    public record Asset(String path, byte[] bytes, String contentType) {
    }

    private final Map<String, Asset> files;
    private final String hash;

    private UiAssets(Map<String, Asset> files, String hash) {
        this.files = Collections.unmodifiableMap(files);
        this.hash = hash;
    }

    /**
     * Reads every file under {@code root} (a classpath directory ending with {@code /}) from every
     * classpath location that has it; the first location wins for a file present in several.
     *
     * @throws UncheckedIOException when a location cannot be read
     */
    public static UiAssets load(ClassLoader loader, String root) {
        if (!root.endsWith("/") || root.startsWith("/")) {
            throw new IllegalArgumentException("asset root must be relative and end with '/', got '" + root + "'");
        }
        Map<String, Asset> files = new TreeMap<>();
        long[] total = {0};
        try {
            Enumeration<URL> locations = loader.getResources(root);
            while (locations.hasMoreElements()) {
                URL url = locations.nextElement();
                readLocation(url, root, files, total);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the UI assets under classpath:" + root, e);
        }
        if (files.isEmpty()) {
            LOG.warn("No UI assets found under classpath:{}; the UI page will not be available", root);
        }
        return new UiAssets(files, hash(files));
    }

    /** The content hash of every file, 16 hex digits. */
    public String hash() {
        return hash;
    }

    /** A file by its path below the root (e.g. {@code app.js}, {@code views/runs.js}). */
    public Optional<Asset> get(String path) {
        return Optional.ofNullable(files.get(path));
    }

    public Optional<Asset> index() {
        return get(INDEX);
    }

    /** Every file path, sorted. */
    public java.util.Set<String> paths() {
        return files.keySet();
    }

    private static void readLocation(URL url, String root, Map<String, Asset> files, long[] total)
            throws IOException {
        if ("file".equals(url.getProtocol())) {
            Path dir;
            try {
                dir = Paths.get(url.toURI());
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IOException("unusable asset location " + url, e);
            }
            if (!Files.isDirectory(dir)) {
                return;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                    String rel = dir.relativize(p).toString().replace('\\', '/');
                    if (!files.containsKey(rel)) {
                        add(files, rel, Files.readAllBytes(p), total);
                    }
                }
            }
            return;
        }
        URLConnection connection = url.openConnection();
        if (connection instanceof JarURLConnection jar) {
            jar.setUseCaches(false);
            try (JarFile file = jar.getJarFile()) {
                String prefix = jar.getEntryName() == null ? root : jar.getEntryName();
                if (!prefix.endsWith("/")) {
                    prefix = prefix + "/";
                }
                Enumeration<JarEntry> entries = file.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    if (e.isDirectory() || !e.getName().startsWith(prefix)) {
                        continue;
                    }
                    String rel = e.getName().substring(prefix.length());
                    if (!rel.isEmpty() && !files.containsKey(rel)) {
                        try (InputStream in = file.getInputStream(e)) {
                            add(files, rel, in.readAllBytes(), total);
                        }
                    }
                }
            }
            return;
        }
        LOG.warn("Cannot list UI assets at {} (protocol {}); skipping it", url, url.getProtocol());
    }

    private static void add(Map<String, Asset> files, String rel, byte[] bytes, long[] total) throws IOException {
        total[0] += bytes.length;
        if (total[0] > MAX_TOTAL_BYTES) {
            throw new IOException("UI assets exceed " + MAX_TOTAL_BYTES + " bytes");
        }
        files.put(rel, new Asset(rel, bytes, contentType(rel)));
    }

    private static String hash(Map<String, Asset> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Asset a : files.values()) { // sorted by path
                sha.update(a.path().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(Long.toString(a.bytes().length).getBytes(StandardCharsets.US_ASCII));
                sha.update((byte) 0);
                sha.update(a.bytes());
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The content type served for a file name. */
    public static String contentType(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        String ext = dot < 0 ? "" : n.substring(dot + 1);
        switch (ext) {
            case "js":
            case "mjs":
                return "text/javascript; charset=utf-8";
            case "css":
                return "text/css; charset=utf-8";
            case "html":
                return "text/html; charset=utf-8";
            case "svg":
                return "image/svg+xml";
            case "png":
                return "image/png";
            case "ico":
                return "image/x-icon";
            case "woff2":
                return "font/woff2";
            case "woff":
                return "font/woff";
            case "json":
            case "map":
                return "application/json; charset=utf-8";
            case "txt":
                return "text/plain; charset=utf-8";
            default:
                return "application/octet-stream";
        }
    }
}

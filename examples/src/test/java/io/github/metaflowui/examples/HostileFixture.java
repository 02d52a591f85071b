package io.github.metaflowui.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * A temp copy of one real ParamsLogsFlow run whose tag, stdout line and "label" parameter carry
 * markup. Only the copy is edited; the shared fixture is read, never written.
 */
final class HostileFixture {
    static final String FLOW = "ParamsLogsFlow";
    static final String RUN = "1796301628865091";
    static final String TAG = "<script>window.__xss='tag'</script>";
    static final String LOG_LINE = "<img src=x onerror=\"window.__xss='log'\"><script>window.__xss='log'</script>";
    /** A coloured line: red bold "ERROR", then a reset, then markup. */
    static final String ANSI_LINE = "\u001b[1;31mERROR\u001b[0m plain \u001b[32m<b>green</b>\u001b[39m\u001b[K";
    static final String LABEL = "<script>window.__xss='param'</script>";

    private HostileFixture() {
    }

    /** Builds the copy under {@code dir} and returns its .metaflow root. */
    static Path build(Path fixtureRoot, Path dir) throws IOException {
        Path root = dir.resolve(".metaflow");
        Path flow = root.resolve(FLOW);
        Files.createDirectories(flow);
        copyTree(fixtureRoot.resolve(FLOW).resolve("_meta"), flow.resolve("_meta"));
        copyTree(fixtureRoot.resolve(FLOW).resolve("data"), flow.resolve("data"));
        copyTree(fixtureRoot.resolve(FLOW).resolve(RUN), flow.resolve(RUN));

        Path self = flow.resolve(RUN).resolve("_meta/_self.json");
        String json = Files.readString(self);
        String withTag = json.replace("\"tags\": []", "\"tags\": [\"" + TAG + "\"]");
        if (withTag.equals(json)) {
            throw new IllegalStateException("the fixture run has tags already; pick a run without tags");
        }
        Files.writeString(self, withTag);

        Path stdout = flow.resolve(RUN).resolve("start/1/0.runtime_stdout.log");
        Files.writeString(stdout, "[MFLOG|0|2026-12-03T12:40:29.700000Z|runtime|00000000-0000-0000-0000-000000000000]"
                + LOG_LINE + "\n"
                + "[MFLOG|0|2026-12-03T12:40:29.700001Z|runtime|00000000-0000-0000-0000-000000000000]"
                + ANSI_LINE + "\n", StandardOpenOption.APPEND);

        // the "label" parameter: a new content-addressed blob (gzip of a pickled str) and the pointer to it
        byte[] blob = gzip(pickledString(LABEL));
        String sha = sha1(blob);
        Path blobDir = flow.resolve("data").resolve(sha.substring(0, 2));
        Files.createDirectories(blobDir);
        Files.write(blobDir.resolve(sha), blob);
        Files.writeString(blobDir.resolve(sha + "_meta"), "{\"cas_raw\": false, \"cas_version\": 1}");
        Path data = flow.resolve(RUN).resolve("_parameters/0/0.data.json");
        String pointers = Files.readString(data);
        String repointed = pointers.replace("\"label\": \"78179ff09f9d1b223472327755a68cc868c91791\"", "\"label\": \"" + sha + "\"");
        if (repointed.equals(pointers)) {
            throw new IllegalStateException("the fixture's label parameter moved; update HostileFixture");
        }
        Files.writeString(data, repointed);
        return root;
    }

    private static byte[] pickledString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 255) {
            throw new IllegalArgumentException("too long for SHORT_BINUNICODE");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80); // PROTO 4
        out.write(4);
        out.write(0x8c); // SHORT_BINUNICODE
        out.write(utf8.length);
        out.writeBytes(utf8);
        out.write(0x94); // MEMOIZE
        out.write('.'); // STOP
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static String sha1(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(p -> {
                Path target = to.resolve(from.relativize(p).toString());
                try {
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                        target.toFile().setWritable(true);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}

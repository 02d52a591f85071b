package io.github.metaflowui.client.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.core.MetaflowException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Reads pickled artifacts from a content-addressed store: {@code <root>/<Flow>/data/<sha[0:2]>/<sha>},
 * gzip-compressed unless the {@code <sha>_meta} sidecar says {@code "cas_raw": true}. Size-bounded:
 * blobs over {@link #MAX_COMPRESSED} bytes on disk or {@link #MAX_DECOMPRESSED} bytes once
 * decompressed are refused with a {@link MetaflowException.DecodeException}.
 */
public final class PickleBlobs {
    public static final long MAX_COMPRESSED = 16L * 1024 * 1024;
    public static final long MAX_DECOMPRESSED = 64L * 1024 * 1024;

    private PickleBlobs() {
    }

    /** Where the blob of {@code sha} lives under a datastore root. */
    public static Path blobPath(Path root, String flow, String sha) {
        if (sha.length() < 3 || !sha.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new MetaflowException.DecodeException("artifact sha '"
                    + (sha.length() > 48 ? sha.substring(0, 48) + "..." : sha) + "' of flow " + flow
                    + " is not a hexadecimal digest");
        }
        return root.resolve(flow).resolve("data").resolve(sha.substring(0, 2)).resolve(sha);
    }

    /** The decompressed pickle bytes of a blob, or empty if the blob file does not exist. */
    public static Optional<byte[]> readPickle(Path blob) {
        Optional<Long> size = LocalFiles.attributes(blob).map(a -> a.size());
        if (size.isEmpty()) {
            return Optional.empty();
        }
        if (size.get() > MAX_COMPRESSED) {
            throw new LocalFaults.Undecodable(blob, "is " + size.get() + " bytes, over the " + (MAX_COMPRESSED >> 20)
                    + " MiB limit for decoding", "", null);
        }
        byte[] raw = LocalFiles.read(blob);
        boolean casRaw = LocalFiles.readJsonIfExists(blob.resolveSibling(blob.getFileName() + "_meta"))
                .map(m -> m.path("cas_raw"))
                .map(JsonNode::asBoolean)
                .orElse(false);
        boolean gzip = raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b;
        if (casRaw || !gzip) {
            if (raw.length > MAX_DECOMPRESSED) {
                throw tooLarge(blob);
            }
            return Optional.of(raw);
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
            byte[] out = in.readNBytes((int) MAX_DECOMPRESSED + 1);
            if (out.length > MAX_DECOMPRESSED) {
                throw tooLarge(blob);
            }
            return Optional.of(out);
        } catch (IOException e) {
            throw new LocalFaults.Undecodable(blob, "is not valid gzip", LocalFiles.describe(e), e);
        }
    }

    /** Decodes pickle bytes read from {@code source} with the {@link SafeUnpickler}. */
    public static Object unpickle(byte[] pickle, Path source) {
        SafeUnpickler u = new SafeUnpickler();
        try {
            return u.loads(pickle);
        } catch (IOException | RuntimeException e) {
            throw new LocalFaults.Undecodable(source, "cannot be decoded as a pickle",
                    e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        } catch (StackOverflowError e) {
            throw new LocalFaults.Undecodable(source, "is nested too deeply to decode", "", e);
        } finally {
            u.close();
        }
    }

    /** Reads and decodes a blob; empty if the blob is missing. */
    public static Optional<Object> load(Path blob) {
        return readPickle(blob).map(bytes -> unpickle(bytes, blob));
    }

    private static LocalFaults.Undecodable tooLarge(Path blob) {
        return new LocalFaults.Undecodable(blob, String.format(Locale.ROOT, "is over the %d MiB limit once decompressed",
                MAX_DECOMPRESSED >> 20), "", null);
    }
}

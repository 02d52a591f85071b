package io.github.metaflowui.client.local.internal;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of the files in a task's {@code _meta} folder: {@code sysmeta_<field>_<ms>.json} for a
 * metadata record, {@code <attempt>_artifact_<name>.json} for an artifact record, and the object's
 * own {@code _self.json}. Field names contain {@code -} and {@code _}, so the field is what is left
 * after removing the prefix and the trailing {@code _<digits>.json}.
 */
public final class MetaFileName {
    private static final Pattern METADATA = Pattern.compile("^(?:sysmeta_)?(.+)_(\\d{1,19})\\.json$");
    private static final Pattern ARTIFACT = Pattern.compile("^(\\d{1,9})_artifact_(.+)\\.json$");

    private MetaFileName() {
    }

    /** A metadata file name: field name and registration time in ms. */
    public record Metadata(String field, long millis) {
    }

    /** An artifact file name: attempt and artifact name. */
    public record Artifact(int attempt, String name) {
    }

    public static Optional<Artifact> artifact(String fileName) {
        Matcher m = ARTIFACT.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Artifact(Integer.parseInt(m.group(1)), m.group(2)));
    }

    public static Optional<Metadata> metadata(String fileName) {
        if (fileName.equals("_self.json") || ARTIFACT.matcher(fileName).matches()) {
            return Optional.empty();
        }
        Matcher m = METADATA.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Metadata(m.group(1), Long.parseLong(m.group(2))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** {@code N} of a file named {@code N<suffix>} (e.g. {@code 1.attempt.json}), if it is one. */
    public static OptionalInt attemptOf(String fileName, String suffix) {
        if (!fileName.endsWith(suffix)) {
            return OptionalInt.empty();
        }
        return attemptNumber(fileName.substring(0, fileName.length() - suffix.length()));
    }

    /** A small non-negative decimal attempt number. */
    public static OptionalInt attemptNumber(String s) {
        String t = s.trim();
        if (t.isEmpty() || t.length() > 9) {
            return OptionalInt.empty();
        }
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') {
                return OptionalInt.empty();
            }
        }
        return OptionalInt.of(Integer.parseInt(t));
    }
}

package io.github.metaflowui.client.local.internal;

import io.github.metaflowui.core.MetaflowException;
import org.slf4j.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Problems with files of a local store, told two ways. Inside, a {@link Fault} keeps the file, what
 * is wrong with it ("is malformed JSON") and the technical detail (the parser's or the file
 * system's words). Outside, {@link #publicForm} says what is wrong relative to the Metaflow object
 * ("the run record of LinearFlow/123 is malformed JSON"), with no server path or parser internals,
 * and logs the detail once, bounded.
 */
public final class LocalFaults {
    /** The longest detail written to the log for one problem. */
    static final int MAX_LOGGED = 1000;
    private static final List<String> KINDS = List.of("flow", "run", "step", "task");
    private static final Pattern ATTEMPT_FILE = Pattern.compile("([0-9]{1,9})\\.(.+)");

    private final Path root;
    private final Logger log;
    private final LruCache<String, Boolean> logged = new LruCache<>(1_000);

    public LocalFaults(Path root, Logger log) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.log = Objects.requireNonNull(log, "log");
    }

    /** A file of the store and what is wrong with it. */
    public interface Fault {
        /** The file (or directory). */
        Path file();

        /** What is wrong, without the file: "is malformed JSON", "cannot be read". */
        String problem();
    }

    /** A file that exists but cannot be read (I/O error, permissions). */
    public static final class Unreadable extends MetaflowException.NoAnswerException implements Fault {
        private final transient Path file;
        private final String problem;

        public Unreadable(Path file, String problem, String detail, Throwable cause) {
            super(file + " " + problem + (detail.isEmpty() ? "" : ": " + detail), cause);
            this.file = file;
            this.problem = problem;
        }

        @Override
        public Path file() {
            return file;
        }

        @Override
        public String problem() {
            return problem;
        }
    }

    /** A file whose content cannot be understood (malformed JSON, a broken pickle). */
    public static final class Undecodable extends MetaflowException.DecodeException implements Fault {
        private final transient Path file;
        private final String problem;

        public Undecodable(Path file, String problem, String detail, Throwable cause) {
            super(file + " " + problem + (detail.isEmpty() ? "" : ": " + detail), cause);
            this.file = file;
            this.problem = problem;
        }

        @Override
        public Path file() {
            return file;
        }

        @Override
        public String problem() {
            return problem;
        }
    }

    /**
     * The exception to show outside: for a {@link Fault}, one of the same kind whose message names
     * the Metaflow object and the problem (the fault is its cause), after logging the fault's
     * detail once; anything else as it is.
     */
    public MetaflowException publicForm(MetaflowException e) {
        if (!(e instanceof Fault f)) {
            return e;
        }
        String message = describe(f.file()) + " " + f.problem();
        warnOnce(message + " (" + bounded(e.getMessage()) + ")");
        return e instanceof MetaflowException.NoAnswerException
                ? new MetaflowException.NoAnswerException(message, e)
                : new MetaflowException.DecodeException(message, e);
    }

    /** Logs a message once (per distinct text, among the last thousand), not on every poll. */
    private void warnOnce(String message) {
        String m = bounded(message);
        if (logged.get(m).isEmpty()) {
            logged.put(m, Boolean.TRUE);
            log.warn(m);
        }
    }

    private static String bounded(String s) {
        String t = s == null ? "" : s.replaceAll("\\p{Cntrl}", " ");
        return t.length() > MAX_LOGGED ? t.substring(0, MAX_LOGGED) + "... (" + t.length() + " characters)" : t;
    }

    /**
     * What a file of the store is, in Metaflow's words: "the run record of LinearFlow/123", "the
     * attempt_ok metadata of task LinearFlow/123/end/3", "the artifact blob 31d41558 of flow LinearFlow".
     */
    public String describe(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        if (!abs.startsWith(root)) {
            return "a file outside the Metaflow directory";
        }
        List<String> parts = new ArrayList<>();
        root.relativize(abs).forEach(p -> parts.add(p.toString()));
        parts.removeIf(String::isEmpty);
        if (parts.isEmpty()) {
            return "the Metaflow directory";
        }
        if (parts.size() >= 2 && parts.get(1).equals("data")) {
            String flow = parts.get(0);
            if (parts.size() < 4) {
                return "the artifact store of flow " + flow;
            }
            String name = parts.get(parts.size() - 1);
            boolean sidecar = name.endsWith("_meta");
            String sha = sidecar ? name.substring(0, name.length() - "_meta".length()) : name;
            String blob = "artifact blob " + (sha.length() > 8 ? sha.substring(0, 8) : sha) + " of flow " + flow;
            return sidecar ? "the metadata of " + blob : "the " + blob;
        }
        int meta = parts.indexOf("_meta");
        List<String> object = parts.subList(0, meta >= 0 ? meta : Math.min(parts.size(), KINDS.size()));
        List<String> rest = parts.subList(object.size(), parts.size());
        if (object.isEmpty() || object.size() > KINDS.size()) {
            return "a file of the Metaflow directory";
        }
        String kind = KINDS.get(object.size() - 1);
        String name = String.join("/", object);
        String of = kind + " " + name;
        if (rest.isEmpty()) {
            return "the directory of " + of;
        }
        if (meta >= 0) {
            if (rest.size() == 1) {
                return "the metadata folder of " + of;
            }
            String f = rest.get(1);
            if (f.equals("_self.json")) {
                return kind.equals("run") ? "the run record of " + name : "the record of " + of;
            }
            Optional<MetaFileName.Artifact> artifact = MetaFileName.artifact(f);
            if (artifact.isPresent()) {
                return "the record of artifact " + artifact.get().name() + " (attempt " + artifact.get().attempt()
                        + ") of " + of;
            }
            Optional<MetaFileName.Metadata> metadata = MetaFileName.metadata(f);
            if (metadata.isPresent()) {
                return "the " + metadata.get().field() + " metadata of " + of;
            }
            return "a metadata file of " + of;
        }
        Matcher m = ATTEMPT_FILE.matcher(rest.get(rest.size() - 1));
        if (rest.size() == 1 && m.matches()) {
            String what;
            switch (m.group(2)) {
                case "attempt.json":
                    what = "the start record";
                    break;
                case "data.json":
                    what = "the artifact index";
                    break;
                case "runtime":
                    what = "the outcome record";
                    break;
                case "DONE.lock":
                    what = "the done marker";
                    break;
                default:
                    what = m.group(2).endsWith(".log")
                            ? "the " + m.group(2).substring(0, m.group(2).length() - ".log".length()) + " log"
                            : "a file";
            }
            return what + " of attempt " + m.group(1) + " of " + of;
        }
        return "a file of " + of;
    }
}

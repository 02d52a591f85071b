package io.github.metaflowui.client.local;

import io.github.metaflowui.core.Card;
import io.github.metaflowui.core.CardHtml;
import io.github.metaflowui.core.CardTooLargeException;
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.core.TaskRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Reads Metaflow cards ({@code @card}) from a local card store, strictly read-only (nothing is
 * created, written, moved or locked).
 *
 * <h2>Layout</h2>
 * As Metaflow's {@code CardDatastore} writes and reads it ({@code metaflow/plugins/cards/card_datastore.py}
 * in Netflix/metaflow: {@code get_storage_root}, {@code _make_path}, {@code get_card_location},
 * {@code info_from_path}; the root is {@code CARD_LOCALROOT}, by default {@code <.metaflow>/mf.cards},
 * {@code CARD_SUFFIX = "mf.cards"} in {@code metaflow_config.py}):
 * <pre>
 * &lt;card root&gt;/&lt;Flow&gt;/runs/&lt;run&gt;/steps/&lt;step&gt;/tasks/&lt;task&gt;/cards/&lt;type&gt;[-&lt;id&gt;]-&lt;hash&gt;.html     (since mid 2022)
 * &lt;card root&gt;/&lt;Flow&gt;/runs/&lt;run&gt;/tasks/&lt;task&gt;/cards/&lt;type&gt;[-&lt;id&gt;]-&lt;hash&gt;.html                  (older clients)
 * &lt;card root&gt;/&lt;Flow&gt;/runs/&lt;run&gt;/steps/&lt;step&gt;/tasks/&lt;task&gt;/runtime/&lt;type&gt;[-&lt;id&gt;]-&lt;hash&gt;.data.json  (realtime data)
 * </pre>
 * Like Metaflow, the older folder is read only when the newer one holds no card. A file name splits
 * on {@code -} into 2 parts (type, hash) or 3 (type, id, hash); any other name, an empty file, a
 * hash that is not letters and digits, or anything that is not a regular file is skipped, with one
 * log line per file. A hash given by a caller matches a card whose hash is equal or starts with it
 * (Metaflow's short hashes), first card wins; it is never used to build a path.
 *
 * <p>Thread-safe.
 */
public final class LocalCardReader {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCardReader.class);
    private static final String HTML = ".html";
    private static final String DATA = ".data.json";
    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_.]+");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_]+"); // the @card id pattern
    private static final int MAX_WARNED = 1000;

    private final Path root;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private LocalCardReader(Path root) {
        this.root = Objects.requireNonNull(root, "root");
    }

    /** A reader of the card store at {@code cardRoot} (e.g. {@code /data/.metaflow/mf.cards}). */
    public static LocalCardReader of(Path cardRoot) {
        return new LocalCardReader(cardRoot.toAbsolutePath().normalize());
    }

    /** The card store for a local datastore root: {@code <datastoreRoot>/mf.cards}, as Metaflow's default. */
    public static LocalCardReader forDatastore(Path datastoreRoot) {
        return of(datastoreRoot.resolve("mf.cards"));
    }

    /** The card root read. */
    public Path root() {
        return root;
    }

    /** The task's cards, oldest first (by modification time, then file name). */
    public List<Card> list(TaskRef task) {
        Objects.requireNonNull(task, "task");
        List<Found> found = scan(task);
        List<Card> out = new ArrayList<>(found.size());
        for (Found f : found) {
            out.add(f.card());
        }
        return out;
    }

    /**
     * The HTML of the first card whose hash is {@code hash} or starts with it.
     *
     * @throws CardTooLargeException when the card is larger than {@code maxBytes}
     */
    public Optional<CardHtml> html(TaskRef task, String hash, long maxBytes) {
        Objects.requireNonNull(task, "task");
        if (!Card.isValidHash(hash)) {
            return Optional.empty();
        }
        for (Found f : scan(task)) {
            if (f.card().hash().startsWith(hash)) {
                String what = "card " + f.card().type() + "-" + f.card().hash() + " of task " + task.pathspec();
                return readBounded(f.file(), maxBytes, what, task).map(bytes -> new CardHtml(f.card(), bytes));
            }
        }
        return Optional.empty();
    }

    /**
     * The realtime data ({@code runtime/<type>[-<id>]-<hash>.data.json}) of the card whose hash is
     * {@code hash} or starts with it, as JSON text; empty when the card has none.
     *
     * @throws CardTooLargeException when it is larger than {@code maxBytes}
     */
    public Optional<String> data(TaskRef task, String hash, long maxBytes) {
        Objects.requireNonNull(task, "task");
        if (!Card.isValidHash(hash)) {
            return Optional.empty();
        }
        Optional<Path> dir = taskDir(task, true).map(d -> d.resolve("runtime"));
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        for (Path file : entries(dir.get(), task)) {
            String name = file.getFileName().toString();
            if (!name.endsWith(DATA)) {
                continue;
            }
            Optional<Card> info = parse(name.substring(0, name.length() - DATA.length()), file, task, DATA);
            if (info.isPresent() && info.get().hash().startsWith(hash)) {
                String what = "the realtime data of card " + info.get().type() + "-" + info.get().hash() + " of task "
                        + task.pathspec();
                return readBounded(file, maxBytes, what, task).map(b -> new String(b, StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ internals

    private record Found(Card card, Path file) {
    }

    private List<Found> scan(TaskRef task) {
        List<Found> found = new ArrayList<>();
        for (boolean withSteps : new boolean[] {true, false}) {
            Optional<Path> dir = taskDir(task, withSteps).map(d -> d.resolve("cards"));
            if (dir.isEmpty()) {
                continue;
            }
            for (Path file : entries(dir.get(), task)) {
                card(file, task).ifPresent(c -> found.add(new Found(c, file)));
            }
            if (!found.isEmpty()) {
                break; // Metaflow reads the folder without steps only when the one with steps has none
            }
        }
        found.sort(Comparator.comparing((Found f) -> f.card().modifiedAt().map(i -> i.toEpochMilli()).orElse(0L))
                .thenComparing(f -> f.file().getFileName().toString()));
        return found;
    }

    /** {@code <root>/<Flow>/runs/<run>[/steps/<step>]/tasks/<task>}, when every name is a plain file name. */
    private Optional<Path> taskDir(TaskRef task, boolean withSteps) {
        String flow = task.run().flow();
        String run = task.run().run().value();
        String step = task.step().step();
        String id = task.task().value();
        for (String name : List.of(flow, run, step, id)) {
            if (!safeName(name)) {
                return Optional.empty();
            }
        }
        try {
            Path runDir = root.resolve(flow).resolve("runs").resolve(run);
            return Optional.of(withSteps
                    ? runDir.resolve("steps").resolve(step).resolve("tasks").resolve(id)
                    : runDir.resolve("tasks").resolve(id));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static boolean safeName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
                && name.indexOf('\\') < 0 && name.indexOf('\0') < 0 && name.length() <= 255;
    }

    private List<Path> entries(Path dir, TaskRef task) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                out.add(p);
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        } catch (IOException e) {
            throw new MetaflowException.NoAnswerException("the cards of task " + task.pathspec()
                    + " cannot be listed: " + e.getClass().getSimpleName(), e);
        }
        return out;
    }

    private Optional<Card> card(Path file, TaskRef task) {
        String name = file.getFileName().toString();
        if (!name.endsWith(HTML)) {
            warnOnce(file, "card folder of task " + task.pathspec() + " holds '" + name
                    + "', which is not a card (<type>[-<id>]-<hash>.html); skipped");
            return Optional.empty();
        }
        Optional<Card> info = parse(name.substring(0, name.length() - HTML.length()), file, task, HTML);
        if (info.isEmpty()) {
            return Optional.empty();
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            warnOnce(file, "card file '" + name + "' of task " + task.pathspec() + " cannot be read ("
                    + e.getClass().getSimpleName() + "); skipped");
            return Optional.empty();
        }
        if (!attrs.isRegularFile()) {
            warnOnce(file, "card '" + name + "' of task " + task.pathspec() + " is not a regular file; skipped");
            return Optional.empty();
        }
        if (attrs.size() == 0) {
            warnOnce(file, "card '" + name + "' of task " + task.pathspec()
                    + " is empty (still being written, or a broken write); skipped");
            return Optional.empty();
        }
        Card c = info.get();
        return Optional.of(new Card(c.type(), c.hash(), c.id(), OptionalLong.of(attrs.size()),
                Optional.of(attrs.lastModifiedTime().toInstant())));
    }

    /** {@code type-hash} or {@code type-id-hash} (Metaflow's {@code info_from_path}). */
    private Optional<Card> parse(String stem, Path file, TaskRef task, String suffix) {
        String[] parts = stem.split("-", -1);
        if (parts.length != 2 && parts.length != 3) {
            warnOnce(file, "card file '" + stem + suffix + "' of task " + task.pathspec()
                    + " is not named <type>-<hash>" + suffix + " or <type>-<id>-<hash>" + suffix + "; skipped");
            return Optional.empty();
        }
        String type = parts[0];
        String hash = parts[parts.length - 1];
        Optional<String> id = parts.length == 3 ? Optional.of(parts[1]) : Optional.empty();
        if (!TYPE.matcher(type).matches() || id.map(i -> !ID.matcher(i).matches()).orElse(false)
                || !Card.isValidHash(hash)) {
            warnOnce(file, "card file '" + stem + suffix + "' of task " + task.pathspec()
                    + " has a type, id or hash that is not letters, digits and '_'; skipped");
            return Optional.empty();
        }
        return Optional.of(Card.of(type, hash, id));
    }

    private Optional<byte[]> readBounded(Path file, long maxBytes, String what, TaskRef task) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new CardTooLargeException(what, size, maxBytes);
            }
            // the file may grow while read: never take more than the limit
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new CardTooLargeException(what, -1, maxBytes);
            }
            return Optional.of(bytes);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // removed between listing and reading
        } catch (IOException e) {
            LOG.warn("{} cannot be read ({}): {}", what, file, e.toString());
            throw new MetaflowException.NoAnswerException(what + " cannot be read: " + e.getClass().getSimpleName(), e);
        }
    }

    private void warnOnce(Path file, String message) {
        String key = file.toString();
        if (warned.size() > MAX_WARNED) {
            warned.clear();
        }
        if (warned.add(key)) {
            LOG.warn("{} ({})", message, file);
        }
    }

    @Override
    public String toString() {
        return "LocalCardReader[" + root + "]";
    }
}

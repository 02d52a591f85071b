package io.github.metaflowui.client.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.TaskRef;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads one task directory: its attempts and their outcome, its foreach label, its metadata and
 * artifact records. Scans are cached per directory and reused while neither the task directory nor
 * its {@code _meta} folder changed (every new attempt, outcome or record adds a file to one of them)
 * and the latest attempt has finished; unfinished attempts are always re-read.
 *
 * <p>The foreach label is built from the {@code foreach-stack} metadata ({@code ["letters=c","numbers=1"]})
 * paired with {@code foreach-execution-path} ({@code outer:2,inner:0}): one {@code var[index]=value}
 * per nested foreach, joined by {@code ", "}, e.g. {@code letters[2]=c, numbers[0]=1} or
 * {@code items[3]=3}. Without the execution path a frame is shown as recorded ({@code items=3}).
 */
public final class TaskReader {
    /** Directory times this recent may still be followed by a change within the same time tick. */
    private static final Duration SETTLE = Duration.ofSeconds(2);

    private final Clock clock;
    private final LruCache<Path, Cached> cache;

    private record Cached(Optional<Instant> dirMtime, Optional<Instant> metaMtime, TaskScan scan) {
    }

    public TaskReader(Clock clock, int cacheEntries) {
        this.clock = clock;
        this.cache = new LruCache<>(cacheEntries);
    }

    /** The scan of a task directory, or empty when it has no {@code _meta/_self.json}. */
    public Optional<TaskScan> scan(TaskRef ref, Path dir) {
        Path meta = dir.resolve("_meta");
        Optional<Instant> dirMtime = LocalFiles.mtime(dir);
        if (dirMtime.isEmpty()) {
            return Optional.empty();
        }
        Optional<Instant> metaMtime = LocalFiles.mtime(meta);
        Optional<Cached> hit = cache.get(dir);
        if (hit.isPresent() && hit.get().dirMtime().equals(dirMtime) && hit.get().metaMtime().equals(metaMtime)) {
            return Optional.of(hit.get().scan());
        }
        Optional<TaskScan> scan = read(ref, dir, dirMtime.get(), metaMtime);
        scan.ifPresent(s -> {
            Instant settled = clock.instant().minus(SETTLE);
            boolean finished = s.latest().map(TaskScan.AttemptScan::finished).orElse(false);
            boolean quiet = dirMtime.get().isBefore(settled) && metaMtime.map(m -> m.isBefore(settled)).orElse(true);
            if (finished && quiet) {
                cache.put(dir, new Cached(dirMtime, metaMtime, s));
            } else {
                cache.remove(dir);
            }
        });
        return scan;
    }

    private record Record(String field, JsonNode value, OptionalInt attemptId, long millis) {
        String text() {
            return value.isValueNode() ? value.asText() : value.toString();
        }
    }

    private Optional<TaskScan> read(TaskRef ref, Path dir, Instant dirMtime, Optional<Instant> metaMtime) {
        Path meta = dir.resolve("_meta");
        Optional<JsonNode> self = LocalFiles.readJsonIfExists(meta.resolve("_self.json"));
        if (self.isEmpty()) {
            return Optional.empty();
        }
        Instant created = Instant.ofEpochMilli(LocalFiles.longValue(self.get(), "ts_epoch").orElse(0L));

        Map<Integer, Instant> startedByFile = new TreeMap<>();
        Map<Integer, String> doneLocks = new HashMap<>();
        Map<Integer, String> runtimes = new HashMap<>();
        List<String> files = LocalFiles.list(dir);
        for (String f : files) {
            OptionalInt n = MetaFileName.attemptOf(f, ".attempt.json");
            if (n.isPresent()) {
                Path p = dir.resolve(f);
                JsonNode t = LocalFiles.readJson(p).get("time");
                if (t != null && t.isNumber()) {
                    startedByFile.put(n.getAsInt(), secondsToInstant(t.asDouble()));
                }
                continue;
            }
            n = MetaFileName.attemptOf(f, ".DONE.lock");
            if (n.isPresent()) {
                doneLocks.put(n.getAsInt(), f);
                continue;
            }
            n = MetaFileName.attemptOf(f, ".runtime");
            if (n.isPresent()) {
                runtimes.put(n.getAsInt(), f);
            }
        }

        List<Record> records = new ArrayList<>();
        for (String f : LocalFiles.list(meta)) {
            Optional<MetaFileName.Metadata> name = MetaFileName.metadata(f);
            if (name.isEmpty()) {
                continue;
            }
            String field = name.get().field();
            if (!isStatusField(field)) {
                continue;
            }
            JsonNode json = LocalFiles.readJson(meta.resolve(f));
            String actual = LocalFiles.text(json, "field_name").orElse(field);
            if (!isStatusField(actual)) {
                continue;
            }
            JsonNode value = json.path("value");
            records.add(new Record(actual, value, attemptTag(json),
                    LocalFiles.longValue(json, "ts_epoch").orElse(name.get().millis())));
        }
        records.sort(Comparator.comparingLong(Record::millis));

        TreeSet<Integer> ids = new TreeSet<>(startedByFile.keySet());
        ids.addAll(doneLocks.keySet());
        Map<Integer, Instant> startedByRecord = new HashMap<>();
        Map<Integer, Instant> doneByRecord = new HashMap<>();
        Map<Integer, Record> okByRecord = new HashMap<>();
        Record foreachStack = null;
        Record foreachPath = null;
        for (Record r : records) {
            switch (r.field()) {
                case "attempt": {
                    OptionalInt n = MetaFileName.attemptNumber(r.text());
                    if (n.isEmpty()) {
                        n = r.attemptId();
                    }
                    if (n.isPresent()) {
                        ids.add(n.getAsInt());
                        startedByRecord.putIfAbsent(n.getAsInt(), Instant.ofEpochMilli(r.millis()));
                    }
                    break;
                }
                case "attempt-done": {
                    OptionalInt n = r.attemptId().isPresent() ? r.attemptId() : MetaFileName.attemptNumber(r.text());
                    if (n.isPresent()) {
                        ids.add(n.getAsInt());
                        doneByRecord.put(n.getAsInt(), Instant.ofEpochMilli(r.millis()));
                    }
                    break;
                }
                case "attempt_ok": {
                    OptionalInt n = r.attemptId();
                    if (n.isPresent()) {
                        ids.add(n.getAsInt());
                        okByRecord.put(n.getAsInt(), r); // records are oldest first: the newest wins
                    }
                    break;
                }
                case "foreach-stack":
                    foreachStack = r;
                    break;
                case "foreach-execution-path":
                    foreachPath = r;
                    break;
                default:
                    break;
            }
        }

        List<TaskScan.AttemptScan> attempts = new ArrayList<>();
        for (int id : ids) {
            Optional<Instant> started = Optional.ofNullable(startedByFile.get(id))
                    .or(() -> Optional.ofNullable(startedByRecord.get(id)));
            Optional<Instant> done = Optional.ofNullable(doneByRecord.get(id));
            if (done.isEmpty() && doneLocks.containsKey(id)) {
                done = LocalFiles.mtime(dir.resolve(doneLocks.get(id)));
            }
            Optional<Boolean> ok = Optional.empty();
            Optional<Instant> okAt = Optional.empty();
            boolean fromRuntime = false;
            Record okRecord = okByRecord.get(id);
            if (okRecord != null) {
                ok = parseBool(okRecord.value());
                okAt = Optional.of(Instant.ofEpochMilli(okRecord.millis()));
            } else if (runtimes.containsKey(id)) {
                Path rt = dir.resolve(runtimes.get(id));
                JsonNode success = LocalFiles.readJson(rt).get("success");
                if (success != null && success.isBoolean()) {
                    ok = Optional.of(success.asBoolean());
                    okAt = done.isPresent() ? done : LocalFiles.mtime(rt);
                    fromRuntime = true;
                }
            }
            attempts.add(new TaskScan.AttemptScan(id, started, done, ok, okAt, fromRuntime));
        }

        Instant lastModified = dirMtime;
        if (metaMtime.isPresent() && metaMtime.get().isAfter(lastModified)) {
            lastModified = metaMtime.get();
        }
        if (!attempts.isEmpty() && !attempts.get(attempts.size() - 1).finished()) {
            String prefix = attempts.get(attempts.size() - 1).id() + ".";
            for (String f : files) {
                if (f.startsWith(prefix) && f.endsWith(".log")) {
                    Optional<Instant> m = LocalFiles.mtime(dir.resolve(f));
                    if (m.isPresent() && m.get().isAfter(lastModified)) {
                        lastModified = m.get();
                    }
                }
            }
        }
        return Optional.of(new TaskScan(ref, dir, created, attempts, foreachLabel(foreachStack, foreachPath),
                lastModified, Optional.empty()));
    }

    private static boolean isStatusField(String field) {
        switch (field) {
            case "attempt":
            case "attempt-done":
            case "attempt_ok":
            case "foreach-stack":
            case "foreach-execution-path":
                return true;
            default:
                return false;
        }
    }

    static Instant secondsToInstant(double seconds) {
        long micros = Math.round(seconds * 1_000_000d);
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    private static OptionalInt attemptTag(JsonNode json) {
        for (String t : LocalFiles.strings(json, "tags")) {
            if (t.startsWith("attempt_id:")) {
                OptionalInt n = MetaFileName.attemptNumber(t.substring("attempt_id:".length()));
                if (n.isPresent()) {
                    return n;
                }
            }
        }
        return OptionalInt.empty();
    }

    private static Optional<Boolean> parseBool(JsonNode v) {
        if (v.isBoolean()) {
            return Optional.of(v.asBoolean());
        }
        String s = v.asText().trim();
        if (s.equalsIgnoreCase("true")) {
            return Optional.of(true);
        }
        if (s.equalsIgnoreCase("false")) {
            return Optional.of(false);
        }
        return Optional.empty();
    }

    private static Optional<String> foreachLabel(Record stack, Record path) {
        if (stack == null) {
            return Optional.empty();
        }
        List<String> frames = new ArrayList<>();
        JsonNode v = stack.value();
        if (v.isArray()) {
            v.forEach(e -> frames.add(e.asText()));
        } else if (v.isTextual() && !v.asText().isBlank()) {
            frames.add(v.asText());
        }
        if (frames.isEmpty()) {
            return Optional.empty();
        }
        List<String> indices = new ArrayList<>();
        if (path != null && path.value().isTextual()) {
            for (String part : path.value().asText().split(",")) {
                int colon = part.lastIndexOf(':');
                if (colon >= 0) {
                    indices.add(part.substring(colon + 1).trim());
                }
            }
        }
        boolean paired = indices.size() == frames.size();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            String frame = frames.get(i);
            int eq = frame.indexOf('=');
            if (paired && eq > 0 && MetaFileName.attemptNumber(indices.get(i)).isPresent()) {
                out.add(frame.substring(0, eq) + "[" + indices.get(i) + "]=" + frame.substring(eq + 1));
            } else {
                out.add(frame);
            }
        }
        return Optional.of(String.join(", ", out));
    }

    /** Every metadata record of a task, oldest first (by time, then file name). */
    public List<MetadataRecord> metadata(Path dir) {
        Path meta = dir.resolve("_meta");
        List<String> names = new ArrayList<>();
        for (String f : LocalFiles.list(meta)) {
            if (MetaFileName.metadata(f).isPresent()) {
                names.add(f);
            }
        }
        record Raw(String file, MetadataRecordBuilder b) {
        }
        List<Raw> raws = new ArrayList<>();
        for (String f : names) {
            MetaFileName.Metadata name = MetaFileName.metadata(f).orElseThrow();
            JsonNode json = LocalFiles.readJson(meta.resolve(f));
            JsonNode value = json.path("value");
            String text = value.isMissingNode() || value.isNull() ? "" : value.isValueNode() ? value.asText()
                    : value.toString();
            String field = LocalFiles.text(json, "field_name").orElse(name.field());
            raws.add(new Raw(f, new MetadataRecordBuilder(field, text,
                    LocalFiles.text(json, "type").orElse(""),
                    LocalFiles.text(json, "user_name").orElse(""),
                    LocalFiles.longValue(json, "ts_epoch").orElse(name.millis()),
                    LocalFiles.strings(json, "tags"))));
        }
        raws.sort(Comparator.comparingLong((Raw r) -> r.b().millis()).thenComparing(Raw::file));
        List<MetadataRecord> out = new ArrayList<>(raws.size());
        long id = 1;
        for (Raw r : raws) {
            MetadataRecordBuilder b = r.b();
            out.add(new MetadataRecord(id++, b.field(), b.value(), b.type(), b.user(),
                    Instant.ofEpochMilli(b.millis()), b.tags()));
        }
        return out;
    }

    private record MetadataRecordBuilder(String field, String value, String type, String user, long millis,
                                         List<String> tags) {
    }

    /** The {@code objects} and {@code info} of one attempt's {@code N.data.json}, if it exists. */
    public record DataJson(Map<String, String> objects, Map<String, String> types, Map<String, Long> sizes) {
        static final DataJson EMPTY = new DataJson(Map.of(), Map.of(), Map.of());
    }

    public DataJson dataJson(Path dir, int attempt) {
        Optional<JsonNode> json = LocalFiles.readJsonIfExists(dir.resolve(attempt + ".data.json"));
        if (json.isEmpty()) {
            return DataJson.EMPTY;
        }
        Map<String, String> objects = new HashMap<>();
        json.get().path("objects").properties().forEach(e -> objects.put(e.getKey(), e.getValue().asText()));
        Map<String, String> types = new HashMap<>();
        Map<String, Long> sizes = new HashMap<>();
        json.get().path("info").properties().forEach(e -> {
            JsonNode t = e.getValue().get("type");
            if (t != null && t.isTextual()) {
                types.put(e.getKey(), t.asText());
            }
            JsonNode s = e.getValue().get("size");
            if (s != null && s.isNumber()) {
                sizes.put(e.getKey(), s.asLong());
            }
        });
        return new DataJson(objects, types, sizes);
    }

    /** Artifact records of every attempt, by attempt then name. */
    public List<ArtifactRecord> artifacts(Path dir) {
        Path meta = dir.resolve("_meta");
        List<ArtifactRecord> out = new ArrayList<>();
        Map<Integer, DataJson> data = new HashMap<>();
        for (String f : LocalFiles.list(meta)) {
            Optional<MetaFileName.Artifact> name = MetaFileName.artifact(f);
            if (name.isEmpty()) {
                continue;
            }
            JsonNode json = LocalFiles.readJson(meta.resolve(f));
            int attempt = (int) (long) LocalFiles.longValue(json, "attempt_id").orElse((long) name.get().attempt());
            String artifact = LocalFiles.text(json, "name").orElse(name.get().name());
            DataJson d = data.computeIfAbsent(attempt, a -> dataJson(dir, a));
            Long size = d.sizes().get(artifact);
            out.add(new ArtifactRecord(artifact, attempt,
                    LocalFiles.text(json, "sha").orElse(d.objects().getOrDefault(artifact, "")),
                    LocalFiles.text(json, "location").orElse(""),
                    LocalFiles.text(json, "ds_type").orElse("local"),
                    LocalFiles.text(json, "content_type").orElse(""),
                    Optional.ofNullable(d.types().get(artifact)),
                    size == null ? OptionalLong.empty() : OptionalLong.of(size),
                    Instant.ofEpochMilli(LocalFiles.longValue(json, "ts_epoch").orElse(0L))));
        }
        out.sort(Comparator.comparingInt(ArtifactRecord::attemptId).thenComparing(ArtifactRecord::name));
        return out;
    }

    /** The attempt whose files a reader should show by default: highest {@code N.attempt.json}, else metadata. */
    public static OptionalInt latestAttempt(Path dir) {
        OptionalInt best = OptionalInt.empty();
        for (String f : LocalFiles.list(dir)) {
            OptionalInt n = MetaFileName.attemptOf(f, ".attempt.json");
            if (n.isPresent() && (best.isEmpty() || n.getAsInt() > best.getAsInt())) {
                best = n;
            }
        }
        if (best.isPresent()) {
            return best;
        }
        long newest = Long.MIN_VALUE;
        Path meta = dir.resolve("_meta");
        for (String f : LocalFiles.list(meta)) {
            Optional<MetaFileName.Metadata> m = MetaFileName.metadata(f);
            if (m.isPresent() && m.get().field().equals("attempt") && m.get().millis() >= newest) {
                OptionalInt n = MetaFileName.attemptNumber(LocalFiles.text(LocalFiles.readJson(meta.resolve(f)),
                        "value").orElse(""));
                if (n.isPresent()) {
                    newest = m.get().millis();
                    best = n;
                }
            }
        }
        return best;
    }
}

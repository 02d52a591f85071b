package io.github.metaflowui.core;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Metaflow's log line format, {@code [MFLOG|0|2026-12-03T12:43:07.355865Z|runtime|<id>]message},
 * and the merge of {@code runtime_*} and {@code task_*} logs exactly as Metaflow's client does it
 * ({@code metaflow/mflog/mflog.py}, {@code merge_logs}):
 * <ul>
 *   <li>a line matches {@code (\[!)?\[MFLOG\|(0)\|(.+?)Z\|(.+?)\|(.+?)\](.*)} and its timestamp parses
 *       as {@code %Y-%m-%dT%H:%M:%S.%f}, or it is unparseable;</li>
 *   <li>in each file, unparseable lines are moved after the parsed ones (they get the year 3000);</li>
 *   <li>each file is sorted by (timestamp text, persist marker, version, source, line id, message),
 *       which is how Python orders its {@code (tstamp, MFLogline)} tuples; unparseable lines
 *       therefore sort among themselves by their text;</li>
 *   <li>the sorted files are merged, the earlier file first on a full tie.</li>
 * </ul>
 */
public final class Mflog {
    private static final Pattern LINE = Pattern.compile("^(\\[!)?\\[MFLOG\\|(0)\\|(.+?)Z\\|(.+?)\\|(.+?)\\](.*)$",
            Pattern.DOTALL);
    /** The timestamp text Metaflow gives lines it cannot parse, so they sort last. */
    static final String MISSING_TIMESTAMP = "3000-01-01T00:00:00.000000";

    private Mflog() {
    }

    /**
     * One parsed line.
     *
     * @param timestamp     when written; empty if the line could not be parsed
     * @param timestampText the raw timestamp text (the sort key), or the year-3000 stand-in
     * @param persist       whether it carried the {@code [!} should-persist marker
     * @param source        {@code runtime} or {@code task}; empty if unparseable
     * @param lineId        the line's id (a UUID); empty if unparseable
     * @param message       the text after the prefix (the whole line if unparseable)
     */
    public record Line(Optional<Instant> timestamp, String timestampText, boolean persist, String source,
                       String lineId, String message) {
        public Line {
            Objects.requireNonNull(timestamp, "timestamp");
            Objects.requireNonNull(timestampText, "timestampText");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(lineId, "lineId");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Metaflow's ordering of lines within and across files. */
    public static final Comparator<Line> ORDER = (a, b) -> {
        int c = a.timestampText().compareTo(b.timestampText());
        if (c != 0) {
            return c;
        }
        c = Boolean.compare(a.persist(), b.persist());
        if (c != 0) {
            return c;
        }
        c = a.source().compareTo(b.source());
        if (c != 0) {
            return c;
        }
        c = a.lineId().compareTo(b.lineId());
        if (c != 0) {
            return c;
        }
        return compareUtf8(a.message(), b.message());
    };

    /** Parses one line (without its line terminator). Never throws. */
    public static Line parse(String raw) {
        if (!raw.startsWith("[MFLOG|") && !raw.startsWith("[![MFLOG|")) {
            return unparseable(raw);
        }
        Matcher m = LINE.matcher(raw);
        if (!m.matches()) {
            return unparseable(raw);
        }
        Optional<Instant> ts = parseTimestamp(m.group(3));
        if (ts.isEmpty()) {
            return unparseable(raw);
        }
        return new Line(ts, m.group(3), m.group(1) != null, m.group(4), m.group(5), m.group(6));
    }

    private static Line unparseable(String raw) {
        return new Line(Optional.empty(), MISSING_TIMESTAMP, false, "", "", raw);
    }

    static Optional<Instant> parseTimestamp(String s) {
        // %Y-%m-%dT%H:%M:%S.%f : the fraction has 1 to 6 digits
        int dot = s.indexOf('.');
        if (dot < 0 || s.length() - dot - 1 < 1 || s.length() - dot - 1 > 6) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.parse(s).toInstant(ZoneOffset.UTC));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Parses the lines of one file into Metaflow's order (parsed lines by timestamp, then the rest). */
    public static List<Line> parseAndSort(List<String> rawLines) {
        List<Line> out = new ArrayList<>(rawLines.size());
        boolean sorted = true;
        Line prev = null;
        for (String raw : rawLines) {
            Line l = parse(raw);
            if (prev != null && ORDER.compare(prev, l) > 0) {
                sorted = false;
            }
            prev = l;
            out.add(l);
        }
        if (!sorted) {
            out.sort(ORDER);
        }
        return out;
    }

    /** Merges lists already in {@link #ORDER}; on a full tie the earlier list comes first. */
    @SafeVarargs
    public static List<Line> merge(List<Line>... sortedLists) {
        List<List<Line>> nonEmpty = new ArrayList<>();
        int total = 0;
        for (List<Line> l : sortedLists) {
            if (!l.isEmpty()) {
                nonEmpty.add(l);
                total += l.size();
            }
        }
        if (nonEmpty.isEmpty()) {
            return List.of();
        }
        if (nonEmpty.size() == 1) {
            return List.copyOf(nonEmpty.get(0));
        }
        List<Line> out = new ArrayList<>(total);
        int[] idx = new int[nonEmpty.size()];
        PriorityQueue<Integer> heap = new PriorityQueue<>((x, y) -> {
            int c = ORDER.compare(nonEmpty.get(x).get(idx[x]), nonEmpty.get(y).get(idx[y]));
            return c != 0 ? c : Integer.compare(x, y);
        });
        for (int i = 0; i < nonEmpty.size(); i++) {
            heap.add(i);
        }
        while (!heap.isEmpty()) {
            int i = heap.poll();
            out.add(nonEmpty.get(i).get(idx[i]++));
            if (idx[i] < nonEmpty.get(i).size()) {
                heap.add(i);
            }
        }
        return out;
    }

    private static int compareUtf8(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            int c = Integer.compare(x[i] & 0xff, y[i] & 0xff);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}

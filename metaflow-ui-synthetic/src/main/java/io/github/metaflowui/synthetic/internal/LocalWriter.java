package io.github.metaflowui.synthetic.internal;

import io.github.metaflowui.synthetic.internal.Facts.Meta;
import io.github.metaflowui.synthetic.internal.Plans.RunPlan;
import io.github.metaflowui.synthetic.internal.Plans.StepPlan;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a local-flavoured archive in the layout of Metaflow's {@code local} metadata provider and
 * datastore (contract §5): {@code _meta/_self.json} records, {@code sysmeta_*} metadata, attempt
 * markers, mflog logs, and the run graph and parameters as gzipped pickles in the content-addressed
 * store. Only what a reader needs is written (no per-task artifacts, no system metadata).
 */
public final class LocalWriter {
    private static final DateTimeFormatter MFLOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS")
            .withZone(ZoneOffset.UTC);

    private final Archive a;
    private final Path root;
    private final AtomicLong files = new AtomicLong();
    private final Map<String, Boolean> blobs = new ConcurrentHashMap<>();

    public LocalWriter(Archive a, Path root) {
        if (!a.local) {
            throw new IllegalArgumentException("only a local archive (SyntheticArchive.generateLocal) can be written as a .metaflow tree");
        }
        this.a = a;
        this.root = root;
    }

    /** Writes everything; returns how many files were written. */
    public long write() {
        try {
            Files.createDirectories(root.getParent());
            Files.createDirectory(root);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(root + " already exists; the archive is only written into a new directory");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int f = 0; f < a.flows.length; f++) {
            if (a.runsOfFlow[f].length == 0) {
                continue;
            }
            Path flowDir = root.resolve(a.flows[f]);
            json(flowDir.resolve("_meta").resolve("_self.json"), "{\"flow_id\": " + q(a.flows[f]) + ", \"ts_epoch\": "
                    + Rows.flowCreated(a, f) + "}");
            int[] runs = a.runsOfFlow[f];
            text(flowDir.resolve("latest_run"), a.runId(runs[runs.length - 1]));
        }
        IntStream.range(0, a.n).parallel().forEach(this::run);
        return files.get();
    }

    private void run(int r) {
        String flow = a.flows[a.flow[r]];
        String id = a.runId(r);
        Path runDir = root.resolve(flow).resolve(id);
        RunPlan plan = Plans.plan(a, r);
        String self = "{\"run_number\": " + q(id) + ", \"flow_id\": " + q(flow) + ", \"user_name\": " + q(a.userName(r))
                + ", \"tags\": " + list(a.tags(r)) + ", \"system_tags\": " + list(a.systemTags(r));
        json(runDir.resolve("_meta").resolve("_self.json"), self + ", \"ts_epoch\": " + a.created[r] + "}");
        // _parameters: graph, parameters, start and end steps
        Path params = runDir.resolve(Rows.PARAMETERS);
        long pts = plan.paramsCreated;
        json(params.resolve("_meta").resolve("_self.json"), self + ", \"step_name\": \"_parameters\", \"ts_epoch\": " + pts + "}");
        Path p0 = params.resolve("0");
        String taskSelf = self + ", \"step_name\": \"_parameters\", \"task_id\": \"0\", \"ts_epoch\": " + pts + "}";
        json(p0.resolve("_meta").resolve("_self.json"), taskSelf);
        sysmeta(p0, flow, id, Rows.PARAMETERS, "0", new Meta(0, "attempt-done", "0", null, "attempt-done", pts + 3, 0), r);
        sysmeta(p0, flow, id, Rows.PARAMETERS, "0", new Meta(0, "start_step", "start", null, "graph_structure", pts + 4, -1), r);
        sysmeta(p0, flow, id, Rows.PARAMETERS, "0", new Meta(0, "end_step", "end", null, "graph_structure", pts + 4, -1), r);
        json(p0.resolve("0.attempt.json"), "{\"time\": " + seconds(pts + 1) + "}");
        Map<String, String> objects = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : Facts.parameters(a, r).entrySet()) {
            blob(flow, e.getKey(), e.getValue(), objects, types, sizes);
        }
        blob(flow, "name", q(flow), objects, types, sizes);
        blob(flow, "_graph_info", Facts.dagJson(a, r), objects, types, sizes);
        json(p0.resolve("0.data.json"), dataJson(0, objects, types, sizes));
        text(p0.resolve("0.DONE.lock"), "\"\"");
        for (StepPlan s : plan.steps) {
            Path stepDir = runDir.resolve(s.name);
            String stepSelf = self + ", \"step_name\": " + q(s.name);
            json(stepDir.resolve("_meta").resolve("_self.json"), stepSelf + ", \"ts_epoch\": " + s.created + "}");
            for (int k = 0; k < s.size; k++) {
                task(plan, s, k, stepDir, stepSelf, flow, id, r);
            }
        }
    }

    private void task(RunPlan plan, StepPlan s, int k, Path stepDir, String stepSelf, String flow, String run, int r) {
        String tid = Long.toString(s.taskId(k));
        Path dir = stepDir.resolve(tid);
        json(dir.resolve("_meta").resolve("_self.json"), stepSelf + ", \"task_id\": " + q(tid) + ", \"ts_epoch\": "
                + s.taskCreated[k] + "}");
        for (Meta m : Facts.metadata(a, plan, s, k)) {
            switch (m.field()) {
                case "attempt":
                case "attempt_ok":
                case "attempt-done":
                case "ds-type":
                case "ds-root":
                case "foreach-stack":
                case "foreach-execution-path":
                    sysmeta(dir, flow, run, s.name, tid, m, r);
                    break;
                default:
                    break;
            }
        }
        for (int at = 0; at < s.attempts[k]; at++) {
            int i = k * Plans.MAX_ATTEMPTS + at;
            json(dir.resolve(at + ".attempt.json"), "{\"time\": " + seconds(s.start[i]) + "}");
            if (s.outcome[i] == Plans.LIVE) {
                continue; // logs and outcome come when the attempt ends
            }
            boolean ok = s.outcome[i] == Plans.OK;
            text(dir.resolve(at + ".DONE.lock"), "\"\"");
            if (!ok) {
                json(dir.resolve(at + ".runtime"), "{\"return_code\": 1, \"killed\": false, \"success\": false}");
            }
            log(dir.resolve(at + ".runtime_stdout.log"), plan, s, k, at, false);
            log(dir.resolve(at + ".runtime_stderr.log"), plan, s, k, at, true);
        }
    }

    private void log(Path file, RunPlan plan, StepPlan s, int k, int at, boolean stderr) {
        int total = Facts.logLines(a, plan, s, k, at, stderr);
        if (total == 0) {
            return; // an empty stream leaves no file behind here
        }
        StringBuilder b = new StringBuilder(total * 90);
        for (int row = 0; row < total; row++) {
            long t = Facts.logTime(s, k, at, row, total, a.asOfMs);
            long h = Hash.of(a.seed, 70, s.taskId(k) * 4 + at, row * 2L + (stderr ? 1 : 0));
            b.append("[MFLOG|0|").append(MFLOG_TIME.format(Instant.ofEpochMilli(t).plusNanos(Hash.below(h, 1000) * 1000L)))
                    .append("Z|runtime|").append(uuid(h)).append(']')
                    .append(Facts.logLine(a, plan, s, k, at, stderr, row, total)).append('\n');
        }
        text(file, b.toString());
    }

    private static String uuid(long h) {
        long h2 = Hash.mix(h);
        String x = String.format("%016x%016x", h, h2);
        return x.substring(0, 8) + "-" + x.substring(8, 12) + "-4" + x.substring(13, 16) + "-a" + x.substring(17, 20)
                + "-" + x.substring(20, 32);
    }

    private void sysmeta(Path taskDir, String flow, String run, String step, String task, Meta m, int r) {
        String value = m.jsonValue() != null ? m.jsonValue() : q(m.value());
        String tags = m.attempt() >= 0 ? "[\"attempt_id:" + m.attempt() + "\"]" : "[]";
        json(taskDir.resolve("_meta").resolve("sysmeta_" + m.field() + "_" + m.ts() + ".json"),
                "{\"flow_id\": " + q(flow) + ", \"run_number\": " + q(run) + ", \"step_name\": " + q(step)
                        + ", \"task_id\": " + q(task) + ", \"field_name\": " + q(m.field()) + ", \"type\": " + q(m.type())
                        + ", \"value\": " + value + ", \"tags\": " + tags + ", \"user_name\": " + q(a.userName(r))
                        + ", \"ts_epoch\": " + m.ts() + "}");
    }

    private void blob(String flow, String name, String json, Map<String, String> objects, Map<String, String> types,
                      Map<String, Integer> sizes) {
        byte[] pickle = Pickles.fromJson(json);
        String sha = sha1(pickle);
        objects.put(name, sha);
        types.put(name, pythonType(json));
        sizes.put(name, pickle.length);
        if (blobs.putIfAbsent(flow + "/" + sha, Boolean.TRUE) == null) {
            Path dir = root.resolve(flow).resolve("data").resolve(sha.substring(0, 2));
            try {
                ByteArrayOutputStream gz = new ByteArrayOutputStream();
                try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
                    z.write(pickle);
                }
                bytes(dir.resolve(sha), gz.toByteArray());
                text(dir.resolve(sha + "_meta"), "{\"cas_raw\": false, \"cas_version\": 1}");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String pythonType(String json) {
        String j = json.trim();
        if (j.startsWith("{")) {
            return "<class 'dict'>";
        }
        if (j.startsWith("[")) {
            return "<class 'list'>";
        }
        if (j.startsWith("\"")) {
            return "<class 'str'>";
        }
        if (j.equals("true") || j.equals("false")) {
            return "<class 'bool'>";
        }
        return j.contains(".") ? "<class 'float'>" : "<class 'int'>";
    }

    private static String dataJson(int attempt, Map<String, String> objects, Map<String, String> types,
                                   Map<String, Integer> sizes) {
        StringBuilder o = new StringBuilder();
        StringBuilder info = new StringBuilder();
        for (String name : objects.keySet()) {
            if (o.length() > 0) {
                o.append(", ");
                info.append(", ");
            }
            o.append(q(name)).append(": ").append(q(objects.get(name)));
            info.append(q(name)).append(": {\"size\": ").append(sizes.get(name)).append(", \"type\": ")
                    .append(q(types.get(name))).append(", \"encoding\": \"gzip+pickle-v4\", \"serializer_info\": "
                            + "{\"source\": \"metaflow\"}}");
        }
        return "{\"datastore\": \"local\", \"version\": \"1.0\", \"attempt\": " + attempt
                + ", \"python_version\": \"3.11.2\", \"objects\": {" + o + "}, \"info\": {" + info + "}}";
    }

    private static String sha1(byte[] data) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(data);
            StringBuilder b = new StringBuilder(40);
            for (byte x : d) {
                b.append(String.format("%02x", x));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String seconds(long ms) {
        return ms / 1000 + "." + String.format("%03d", ms % 1000) + "123";
    }

    private static String list(List<String> values) {
        List<String> quoted = new ArrayList<>(values.size());
        for (String v : values) {
            quoted.add(q(v));
        }
        return "[" + String.join(", ", quoted) + "]";
    }

    /** A JSON string literal. */
    static String q(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private void json(Path file, String content) {
        text(file, content);
    }

    private void text(Path file, String content) {
        bytes(file, content.getBytes(StandardCharsets.UTF_8));
    }

    private void bytes(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            files.incrementAndGet();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}

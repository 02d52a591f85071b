package io.github.metaflowui.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Demo mode: keeps simulated runs going in a (temporary) copy of the sample data, writing files the
 * way Metaflow's local runtime does (contract §5): run, step and task {@code _meta/_self.json},
 * {@code sysmeta_<field>_<ms>.json} records, {@code <attempt>.attempt.json}, mflog
 * {@code runtime_stdout/stderr} logs that grow line by line, artifacts records, {@code DONE.lock}
 * and {@code <attempt>.runtime}. Each run replays the recorded {@code NestedForeachFlow} run
 * (its graph, artifacts and outputs) with fresh ids and times, slowed down so a person can watch:
 * tasks register, run for a few seconds printing progress, and finish; one task fails its first
 * attempt and is retried; every second run fails in its {@code end} step.
 *
 * <p>Only ever run against a copy: it writes into the directory it is given and deletes the oldest
 * demo runs it made (keeping {@link #KEEP_RUNS}).
 */
final class DemoRuns implements AutoCloseable {
    static final String FLOW = "NestedForeachFlow";
    static final String TEMPLATE_RUN = "1796301646182255";
    static final int KEEP_RUNS = 6;
    private static final DateTimeFormatter MFLOG_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final Pattern TS_EPOCH = Pattern.compile("\"ts_epoch\": \\d+");
    private static final Pattern MFLOG = Pattern.compile("^(\\[!?\\[?MFLOG\\|0\\|)([^|]+)(\\|[^|]*\\|[^\\]]*\\])(.*)$");
    private static final Pattern SYSMETA = Pattern.compile("sysmeta_(.+)_(\\d+)\\.json");

    private final Path root;
    private final Clock clock;
    private final double speed;
    private final Template template;
    private final Deque<Path> made = new ArrayDeque<>();
    private final int keepRuns;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile int runsStarted;
    private volatile String currentRun;
    private final List<String> runIds = new CopyOnWriteArrayList<>();
    private long lastRunMicros;

    /**
     * @param dotMetaflow a writable copy of the sample {@code .metaflow} directory
     * @param speed       1.0 for people (about a minute per run); larger is faster (tests)
     */
    DemoRuns(Path dotMetaflow, Clock clock, double speed) {
        this(dotMetaflow, clock, speed, KEEP_RUNS);
    }

    /** The same, keeping the last {@code keepRuns} simulated runs. */
    DemoRuns(Path dotMetaflow, Clock clock, double speed, int keepRuns) {
        this.keepRuns = keepRuns;
        this.root = Objects.requireNonNull(dotMetaflow, "dotMetaflow");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be positive, got " + speed);
        }
        this.speed = speed;
        this.template = Template.read(root.resolve(FLOW).resolve(TEMPLATE_RUN));
        this.thread = new Thread(this::loop, "metaflow-ui-demo");
        this.thread.setDaemon(true);
    }

    /** Starts the simulation on its own daemon thread. */
    DemoRuns start() {
        thread.start();
        return this;
    }

    /** How many runs were started so far. */
    int runsStarted() {
        return runsStarted;
    }

    /**
     * The id of the {@code n}-th run started (from 1), or null before it starts. Unlike
     * {@link #currentRun()} it stays the same while later runs start.
     */
    String run(int n) {
        return n >= 1 && n <= runIds.size() ? runIds.get(n - 1) : null;
    }

    /** The id of the run being written, or of the last one. */
    String currentRun() {
        return currentRun;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            for (int n = 0; !stopped; n++) {
                playOnce(n % 2 == 1);
                sleep(ms(8000));
            }
        } catch (InterruptedException e) {
            // stopped
        } catch (RuntimeException e) {
            System.err.println("demo: the simulated runs stopped: " + e);
        }
    }

    private long ms(long humanMillis) {
        return Math.max(1, Math.round(humanMillis / speed));
    }

    private void sleep(long millis) throws InterruptedException {
        if (!stopped) {
            Thread.sleep(millis);
        }
    }

    // ---------------------------------------------------------------- one run

    /** One planned file write, at a time from the run's start. */
    private record Action(long at, int order, Path file, String content, boolean append) {
    }

    private final class Plan {
        final List<Action> actions = new ArrayList<>();
        final long startMs;
        final String runId;
        int order;

        Plan(long startMs, String runId) {
            this.startMs = startMs;
            this.runId = runId;
        }

        void write(long at, Path file, String content) {
            actions.add(new Action(at, order++, file, content, false));
        }

        void append(long at, Path file, String line) {
            actions.add(new Action(at, order++, file, line, true));
        }

        /** A template JSON file as it would have been written at {@code at}. */
        String json(String text, long at) {
            String t = text.replace("\"run_number\": \"" + TEMPLATE_RUN + "\"", "\"run_number\": \"" + runId + "\"")
                    .replace("\"tags\": [\"nested\"]", "\"tags\": [\"demo\"]");
            return TS_EPOCH.matcher(t).replaceAll("\"ts_epoch\": " + (startMs + at));
        }

        String mflog(long at, String message) {
            return "[MFLOG|0|" + MFLOG_TIME.format(Instant.ofEpochMilli(startMs + at)) + "|runtime|"
                    + java.util.UUID.randomUUID() + "]" + message + "\n";
        }
    }

    void playOnce(boolean failEnd) throws InterruptedException {
        long now = clock.millis();
        long micros = Math.max(now * 1000, lastRunMicros + 1);
        lastRunMicros = micros;
        String runId = Long.toString(micros);
        Path runDir = root.resolve(FLOW).resolve(runId);
        Plan plan = new Plan(now, runId);
        planRun(plan, runDir, failEnd);
        currentRun = runId;
        runIds.add(runId);
        runsStarted++;
        made.add(runDir);
        while (made.size() > keepRuns) {
            deleteTree(made.poll());
        }
        plan.actions.sort(Comparator.comparingLong(Action::at).thenComparingInt(Action::order));
        for (Action a : plan.actions) {
            long wait = plan.startMs + a.at() - clock.millis();
            if (wait > 0) {
                sleep(wait);
            }
            if (stopped) {
                return;
            }
            write(a);
        }
    }

    private void planRun(Plan p, Path runDir, boolean failEnd) {
        // the run and its _parameters task, at once
        p.write(0, runDir.resolve("_meta/_self.json"), p.json(template.runSelf, 0));
        p.write(0, root.resolve(FLOW).resolve("latest_run"), p.runId);
        Template.Step params = template.parameters;
        p.write(1, runDir.resolve("_parameters/_meta/_self.json"), p.json(params.self, 1));
        for (Template.Task t : params.tasks) {
            for (Map.Entry<String, String> f : t.files.entrySet()) {
                Path target = runDir.resolve("_parameters").resolve(t.id).resolve(f.getKey());
                p.write(2, rename(target, f.getKey(), p.startMs + 2), p.json(f.getValue(), 2));
            }
        }
        long at = ms(1500);
        Template.Task retried = template.steps.stream().filter(s -> s.name.equals("inner")).findFirst()
                .map(s -> s.tasks.get(0)).orElse(null);
        for (Template.Step step : template.steps) {
            Path stepDir = runDir.resolve(step.name);
            p.write(at, stepDir.resolve("_meta/_self.json"), p.json(step.self, at));
            long stepEnd = at;
            for (int i = 0; i < step.tasks.size(); i++) {
                Template.Task t = step.tasks.get(i);
                long registered = at + ms(250L * i);
                long started = registered + ms(600);
                long duration = ms(2500 + 1000L * (i % 3));
                Path taskDir = stepDir.resolve(t.id);
                long end;
                if (t == retried) {
                    long failedAt = started + ms(2000);
                    planTask(p, step, t, taskDir, registered, started, failedAt, 0, Outcome.FAIL_RETRY);
                    end = failedAt + ms(1000) + duration;
                    planTask(p, step, t, taskDir, -1, failedAt + ms(1000), end, 1, Outcome.OK);
                } else {
                    end = started + duration;
                    boolean fail = failEnd && step.name.equals("end");
                    planTask(p, step, t, taskDir, registered, started, end, 0, fail ? Outcome.FAIL_END : Outcome.OK);
                }
                stepEnd = Math.max(stepEnd, end);
            }
            at = stepEnd + ms(700);
        }
    }

    private enum Outcome { OK, FAIL_RETRY, FAIL_END }

    /**
     * One attempt of a task: registration (when {@code registered >= 0}), start, progress lines,
     * outcome. {@code attempt} renumbers the template's attempt-0 files.
     */
    private void planTask(Plan p, Template.Step step, Template.Task t, Path dir, long registered, long started,
                          long end, int attempt, Outcome outcome) {
        if (registered >= 0) {
            p.write(registered, dir.resolve("_meta/_self.json"), p.json(t.files.get("_meta/_self.json"), registered));
        }
        List<String> stdout = new ArrayList<>();
        List<String> stderr = new ArrayList<>();
        for (Map.Entry<String, String> f : t.files.entrySet()) {
            String name = f.getKey();
            String text = f.getValue();
            if (name.equals("_meta/_self.json")) {
                continue;
            }
            if (name.equals("0.runtime_stdout.log") || name.equals("0.runtime_stderr.log")) {
                for (String line : text.split("\n")) {
                    Matcher m = MFLOG.matcher(line);
                    if (m.matches()) {
                        (name.contains("stdout") ? stdout : stderr).add(m.group(4));
                    }
                }
                continue;
            }
            Matcher sys = SYSMETA.matcher(name.substring(name.lastIndexOf('/') + 1));
            long when;
            if (sys.matches()) {
                String field = sys.group(1);
                long original = Long.parseLong(sys.group(2));
                if (original < t.attemptStart - 200) {
                    if (registered < 0) {
                        continue; // registration records exist already
                    }
                    when = registered + 1;
                } else if (field.equals("attempt_ok")) {
                    when = end - 2;
                } else if (field.equals("attempt-done")) {
                    when = end - 1;
                } else {
                    when = started + 1;
                }
            } else if (name.contains("_artifact_") || name.endsWith(".data.json")) {
                if (outcome == Outcome.FAIL_RETRY) {
                    continue; // a failed attempt here stored nothing
                }
                when = end - 3;
            } else if (name.endsWith(".attempt.json") || name.endsWith(".task_begin")) {
                when = started;
            } else {
                when = end; // DONE.lock, task_end, runtime
            }
            String content = p.json(text, when);
            if (name.endsWith(".attempt.json")) {
                content = String.format(Locale.ROOT, "{\"time\": %.7f}", (p.startMs + when) / 1000.0);
            }
            if (name.endsWith(".runtime") && outcome != Outcome.OK) {
                content = "{\"return_code\": 1, \"killed\": false, \"success\": false}";
            }
            if (sys.matches() && sys.group(1).equals("attempt_ok") && outcome != Outcome.OK) {
                content = content.replace("\"value\": \"True\"", "\"value\": \"False\"");
            }
            if (attempt != 0) {
                content = content.replace("\"attempt_id\": 0", "\"attempt_id\": " + attempt)
                        .replace("attempt_id:0", "attempt_id:" + attempt)
                        .replace("\"attempt\": 0", "\"attempt\": " + attempt)
                        .replace("\"retry_count\": 0", "\"retry_count\": " + attempt);
                if (sys.matches() && (sys.group(1).equals("attempt") || sys.group(1).equals("attempt-done"))) {
                    content = content.replace("\"value\": \"0\"", "\"value\": \"" + attempt + "\"");
                }
            }
            p.write(when, rename(dir.resolve(renumber(name, attempt)), renumber(name, attempt), p.startMs + when),
                    content);
        }
        // the log: the recorded lines, with progress lines while it runs
        Path out = dir.resolve(attempt + ".runtime_stdout.log");
        Path err = dir.resolve(attempt + ".runtime_stderr.log");
        p.write(started, out, "");
        p.write(started, err, "");
        long span = Math.max(1, end - started - 10);
        int progress = 8;
        p.append(started + 5, out, p.mflog(started + 5, "[demo] " + step.name + "/" + t.id + " attempt " + attempt
                + " started"));
        for (int i = 1; i <= progress; i++) {
            long when = started + span * i / (progress + 1);
            p.append(when, out, p.mflog(when, "[demo] working… " + (i * 100 / (progress + 1)) + "%"));
        }
        // one millisecond apart, so that the reader's sort by time keeps them in order
        long last = end - 30;
        for (String line : stdout) {
            p.append(last, out, p.mflog(last++, line));
        }
        for (String line : stderr) {
            p.append(last, err, p.mflog(last++, line));
        }
        if (outcome != Outcome.OK) {
            for (String line : failure(step.name, attempt, outcome)) {
                p.append(last, err, p.mflog(last++, line));
            }
        }
    }

    private static List<String> failure(String step, int attempt, Outcome outcome) {
        String error = outcome == Outcome.FAIL_RETRY
                ? "ConnectionError: demo: the pair service timed out on attempt " + attempt
                : "PermissionError: demo: the results bucket refused the upload";
        return List.of("<flow " + FLOW + " step " + step + "> failed:",
                "    Internal error",
                "Traceback (most recent call last):",
                "  File \"nested_foreach_flow.py\", line " + (outcome == Outcome.FAIL_RETRY ? 31 : 52) + ", in " + step,
                outcome == Outcome.FAIL_RETRY ? "    self.pair = fetch_pair(self.letter, self.input)"
                        : "    publish(self.all_pairs)",
                error,
                "",
                "Task failed.");
    }

    /** {@code 0.x} and {@code _meta/0_artifact_x} become attempt {@code n}'s names. */
    private static String renumber(String name, int n) {
        if (n == 0) {
            return name;
        }
        if (name.startsWith("0.")) {
            return n + name.substring(1);
        }
        if (name.startsWith("_meta/0_artifact_")) {
            return "_meta/" + n + name.substring("_meta/0".length());
        }
        return name;
    }

    /** A sysmeta file is named after the time it was recorded. */
    private static Path rename(Path target, String name, long atMs) {
        Matcher sys = SYSMETA.matcher(name.substring(name.lastIndexOf('/') + 1));
        if (!sys.matches()) {
            return target;
        }
        return target.resolveSibling("sysmeta_" + sys.group(1) + "_" + atMs + ".json");
    }

    private static void write(Action a) {
        try {
            Files.createDirectories(a.file().getParent());
            byte[] bytes = a.content().getBytes(StandardCharsets.UTF_8);
            if (a.append()) {
                Files.write(a.file(), bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } else {
                // as Metaflow does: a temporary file, then a rename
                Path tmp = a.file().resolveSibling("." + a.file().getFileName() + ".tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, a.file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("demo: cannot write " + a.file() + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: an old demo run
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    // ---------------------------------------------------------------- the recorded run

    /** The recorded run's files, by step and task, in execution order. */
    private static final class Template {
        final String runSelf;
        final Step parameters;
        final List<Step> steps;

        static final class Step {
            final String name;
            final String self;
            final List<Task> tasks = new ArrayList<>();

            Step(String name, String self) {
                this.name = name;
                this.self = self;
            }
        }

        static final class Task {
            final String id;
            final Map<String, String> files;
            final long attemptStart;

            Task(String id, Map<String, String> files, long attemptStart) {
                this.id = id;
                this.files = files;
                this.attemptStart = attemptStart;
            }
        }

        private Template(String runSelf, Step parameters, List<Step> steps) {
            this.runSelf = runSelf;
            this.parameters = parameters;
            this.steps = steps;
        }

        static Template read(Path runDir) {
            if (!Files.isDirectory(runDir)) {
                throw new IllegalStateException("the demo needs the recorded run " + FLOW + "/" + TEMPLATE_RUN
                        + " in the sample data (" + runDir + ")");
            }
            try {
                Step params = null;
                List<Step> steps = new ArrayList<>();
                try (Stream<Path> dirs = Files.list(runDir)) {
                    for (Path stepDir : dirs.filter(Files::isDirectory).toList()) {
                        String name = stepDir.getFileName().toString();
                        if (name.equals("_meta")) {
                            continue;
                        }
                        Step step = new Step(name, Files.readString(stepDir.resolve("_meta/_self.json")));
                        try (Stream<Path> tasks = Files.list(stepDir)) {
                            for (Path taskDir : tasks.filter(d -> !d.getFileName().toString().equals("_meta")).toList()) {
                                step.tasks.add(readTask(taskDir));
                            }
                        }
                        step.tasks.sort(Comparator.comparingLong(t -> Long.parseLong(t.id)));
                        if (name.equals("_parameters")) {
                            params = step;
                        } else {
                            steps.add(step);
                        }
                    }
                }
                steps.sort(Comparator.comparingLong(s -> Long.parseLong(s.tasks.get(0).id)));
                return new Template(Files.readString(runDir.resolve("_meta/_self.json")), params, steps);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the recorded demo run: " + e.getMessage(), e);
            }
        }

        private static Task readTask(Path taskDir) throws IOException {
            Map<String, String> files = new LinkedHashMap<>();
            Files.walkFileTree(taskDir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    files.put(taskDir.relativize(file).toString().replace('\\', '/'), Files.readString(file));
                    return FileVisitResult.CONTINUE;
                }
            });
            long start = Long.MAX_VALUE;
            String attempt = files.get("0.attempt.json");
            if (attempt != null) {
                Matcher m = Pattern.compile("\"time\": ([0-9.]+)").matcher(attempt);
                if (m.find()) {
                    start = Math.round(Double.parseDouble(m.group(1)) * 1000);
                }
            }
            return new Task(taskDir.getFileName().toString(), files, start);
        }
    }
}

package io.github.metaflowui.synthetic.internal;

import io.github.metaflowui.synthetic.internal.Plans.RunPlan;
import io.github.metaflowui.synthetic.internal.Plans.StepPlan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records a task leaves behind, derived from its plan: metadata (as Metaflow registers it),
 * artifact records, log lines, and a run's parameters and graph. Shared by the simulator and the
 * local writer so that both tell the same story.
 */
public final class Facts {
    /** Where the (absent) datastore is said to be. */
    public static final String DS_ROOT = "/synthetic/.metaflow";

    private Facts() {
    }

    /** One metadata record; {@code attempt} -1 for none. {@code jsonValue} is the local file's raw JSON value, if not a string. */
    public record Meta(long id, String field, String value, String jsonValue, String type, long ts, int attempt) {
    }

    /** One artifact record. */
    public record Artifact(String name, int attempt, String sha, long ts, String content) {
    }

    public static long metaId(long taskId, int seq) {
        return taskId * 32 + seq;
    }

    /** Every metadata record of a task, oldest first. */
    public static List<Meta> metadata(Archive a, RunPlan plan, StepPlan step, int k) {
        long taskId = step.taskId(k);
        long created = step.taskCreated[k];
        int run = plan.run;
        List<Meta> out = new ArrayList<>(8 + 8 * step.attempts[k]);
        int seq = 0;
        String flow = a.flows[a.flow[run]];
        out.add(new Meta(metaId(taskId, seq++), "user", a.userName(run), null, "user", created, 0));
        out.add(new Meta(metaId(taskId, seq++), "runtime", a.scheduler(run) ? "argo-workflows" : "dev", null, "runtime", created, 0));
        out.add(new Meta(metaId(taskId, seq++), "python_version", a.systemTags(run).stream()
                .filter(t -> t.startsWith("python_version:")).findFirst().orElse(":3.11.2").split(":", 2)[1], null,
                "python_version", created, 0));
        out.add(new Meta(metaId(taskId, seq++), "metaflow_version", a.systemTags(run).stream()
                .filter(t -> t.startsWith("metaflow_version:")).findFirst().orElse(":2.19.38").split(":", 2)[1], null,
                "metaflow_version", created, 0));
        out.add(new Meta(metaId(taskId, seq++), "script-name", scriptName(flow), null, "script-name", created, 0));
        for (int at = 0; at < step.attempts[k]; at++) {
            int i = k * Plans.MAX_ATTEMPTS + at;
            long s = step.start[i];
            out.add(new Meta(metaId(taskId, seq++), "attempt", Integer.toString(at), null, "attempt", s, at));
            out.add(new Meta(metaId(taskId, seq++), "origin-run-id", "None", null, "origin-run-id", s, at));
            out.add(new Meta(metaId(taskId, seq++), "ds-type", "local", null, "ds-type", s, at));
            out.add(new Meta(metaId(taskId, seq++), "ds-root", DS_ROOT, null, "ds-root", s, at));
            if (step.foreach) {
                String frame = foreachVar(step) + "=" + k;
                out.add(new Meta(metaId(taskId, seq++), "foreach-stack", "{" + frame + "}", "[\"" + frame + "\"]",
                        "foreach-stack", s, at));
                out.add(new Meta(metaId(taskId, seq++), "foreach-execution-path", step.name + ":" + k, null,
                        "foreach-execution-path", s, at));
            }
            byte o = step.outcome[i];
            if (o != Plans.LIVE) {
                long f = step.finish[i];
                out.add(new Meta(metaId(taskId, seq++), "attempt_ok", o == Plans.OK ? "True" : "False", null,
                        "internal_attempt_status", f, at));
                out.add(new Meta(metaId(taskId, seq++), "attempt-done", Integer.toString(at), null, "attempt-done", f, at));
            }
        }
        return out;
    }

    /** Artifact records of every finished attempt of a task, by attempt then name. */
    public static List<Artifact> artifacts(Archive a, RunPlan plan, StepPlan step, int k) {
        long taskId = step.taskId(k);
        List<Artifact> out = new ArrayList<>();
        String flow = a.flows[a.flow[plan.run]];
        for (int at = 0; at < step.attempts[k]; at++) {
            int i = k * Plans.MAX_ATTEMPTS + at;
            byte o = step.outcome[i];
            if (o == Plans.LIVE) {
                continue;
            }
            long f = step.finish[i];
            boolean ok = o == Plans.OK;
            List<String[]> values = new ArrayList<>();
            values.add(new String[]{"_success", ok ? "True" : "False"});
            values.add(new String[]{"_task_ok", ok ? "True" : "False"});
            values.add(new String[]{"name", "\"" + flow + "\""});
            if (ok) {
                values.add(new String[]{"result", score(a.seed, taskId, at)});
            } else {
                values.add(new String[]{"_exception", "\"RuntimeError('simulated failure')\""});
            }
            values.sort((x, y) -> x[0].compareTo(y[0]));
            for (String[] v : values) {
                out.add(new Artifact(v[0], at, sha(a.seed, taskId, at, v[0]), f, v[1]));
            }
        }
        return out;
    }

    /** The run's parameters as the UI backend renders them: name to JSON value. */
    public static Map<String, String> parameters(Archive a, int run) {
        Map<String, String> out = new LinkedHashMap<>();
        long h = Hash.of(a.seed, 40, run);
        out.put("alpha", Double.toString(new double[]{0.1, 0.01, 0.001, 0.5}[Hash.below(h, 4)]));
        out.put("epochs", Integer.toString(1 + Hash.below(h >>> 8, 50)));
        out.put("label", "\"" + (a.tags(run).isEmpty() ? "baseline" : a.tags(run).get(0)) + "\"");
        return out;
    }

    public static String scriptName(String flow) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < flow.length(); i++) {
            char c = flow.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                b.append('_');
            }
            b.append(Character.toLowerCase(c));
        }
        return b + ".py";
    }

    public static String foreachVar(StepPlan step) {
        return step.name.equals(Archive.BIG_STEP) ? "params" : "items";
    }

    public static String foreachLabel(StepPlan step, int k) {
        return step.taskId(k) + "[" + k + "]";
    }

    static String score(long seed, long taskId, int attempt) {
        long h = Hash.of(seed, 41, taskId, attempt);
        return String.format(java.util.Locale.ROOT, "%.4f", 0.5 + Hash.unit(h) / 2);
    }

    static String sha(long seed, long taskId, int attempt, String name) {
        long h1 = Hash.of(seed, 42, taskId * 8 + attempt, name.hashCode());
        long h2 = Hash.mix(h1);
        long h3 = Hash.mix(h2);
        String s = String.format("%016x%016x%016x", h1, h2, h3);
        return s.substring(0, 40);
    }

    // ------------------------------------------------------------------ logs

    /** How many lines a stream of an attempt has. */
    public static int logLines(Archive a, RunPlan plan, StepPlan step, int k, int attempt, boolean stderr) {
        int i = k * Plans.MAX_ATTEMPTS + attempt;
        long h = Hash.of(a.seed, 50, step.taskId(k), attempt);
        if (stderr) {
            if (step.outcome[i] == Plans.FAIL) {
                return TRACEBACK.length + 1;
            }
            return Hash.below(h, 5) == 0 ? 1 : 0;
        }
        if (plan.run == a.bigRun && step.foreach && k == step.size / 2) {
            return 20_000; // one chatty task
        }
        return 3 + Hash.below(h >>> 8, 12);
    }

    private static final String[] TRACEBACK = {
        "Traceback (most recent call last):",
        "  File \"/synthetic/metaflow/metaflow/cli.py\", line 739, in main",
        "    start(auto_envvar_prefix=\"METAFLOW\", obj=state)",
        "  File \"/synthetic/metaflow/metaflow/task.py\", line 702, in run_step",
        "    self._exec_step_function(step_func)",
        "  File \"/synthetic/flows/%s\", line %d, in %s",
        "    raise RuntimeError(\"simulated failure on attempt %d\")",
    };

    /** Line {@code row} of a stream. */
    public static String logLine(Archive a, RunPlan plan, StepPlan step, int k, int attempt, boolean stderr, int row,
                                 int total) {
        long taskId = step.taskId(k);
        String flow = a.flows[a.flow[plan.run]];
        if (stderr) {
            int i = k * Plans.MAX_ATTEMPTS + attempt;
            if (step.outcome[i] == Plans.FAIL) {
                if (row < TRACEBACK.length) {
                    String t = TRACEBACK[row];
                    if (row == 5) {
                        return String.format(java.util.Locale.ROOT, t, scriptName(flow), 40 + (int) (taskId % 50), step.name);
                    }
                    return row == 6 ? String.format(java.util.Locale.ROOT, t, attempt) : t;
                }
                return "RuntimeError: simulated failure on attempt " + attempt + " of " + step.name + "/" + taskId;
            }
            return "UserWarning: <synthetic> deprecated option used in " + step.name;
        }
        if (row == 0) {
            return "Starting " + flow + "." + step.name + " (task " + taskId + ", attempt " + attempt + ")";
        }
        if (row == total - 1) {
            return step.outcome[k * Plans.MAX_ATTEMPTS + attempt] == Plans.FAIL ? "giving up: see stderr"
                    : "done: " + step.name + "/" + taskId;
        }
        long h = Hash.of(a.seed, 51, taskId * 4 + attempt, row);
        return String.format(java.util.Locale.ROOT, "[%s/%d] step %d of %d: loss=%.4f lr=%.5f", step.name, taskId, row,
                total - 2, 1.0 / (1 + row) + Hash.unit(h) / 10, 0.001 * (1 + Hash.below(h >>> 20, 9)));
    }

    /** When line {@code row} was written (ms). */
    public static long logTime(StepPlan step, int k, int attempt, int row, int total, long liveMs) {
        int i = k * Plans.MAX_ATTEMPTS + attempt;
        long s = step.start[i];
        long f = step.outcome[i] == Plans.LIVE ? Math.max(s + 1, liveMs) : step.finish[i];
        return s + (f - s) * (row + 1) / (total + 1);
    }

    /** The {@code _graph_info} of a flow kind, as a JSON text. */
    public static String dagJson(Archive a, int run) {
        int kind = a.flowKind[a.flow[run]];
        boolean big = run == a.bigRun;
        String flow = a.flows[a.flow[run]];
        List<List<String>> stages = Plans.stages(kind, big);
        StringBuilder steps = new StringBuilder();
        List<String> flat = new ArrayList<>();
        stages.forEach(flat::addAll);
        int line = 10;
        for (int s = 0; s < stages.size(); s++) {
            for (String name : stages.get(s)) {
                List<String> next = s + 1 < stages.size() ? stages.get(s + 1) : List.of();
                String type;
                String extra = "";
                if (s == 0) {
                    type = kind == Archive.KIND_FOREACH ? "split-foreach" : kind == Archive.KIND_BRANCH ? "split-static" : "start";
                    if (kind == Archive.KIND_FOREACH) {
                        extra = ", \"foreach_artifact\": \"" + (big ? "params" : "items") + "\"";
                    }
                } else if (s == stages.size() - 1) {
                    type = "end";
                } else if (name.equals("join")) {
                    type = "join";
                } else {
                    type = "linear";
                }
                String decorators = name.equals("train") ? "[{\"name\": \"retry\", \"attributes\": {\"times\": 2}, "
                        + "\"statically_defined\": true, \"inserted_by\": null}]" : "[]";
                if (steps.length() > 0) {
                    steps.append(", ");
                }
                steps.append('"').append(name).append("\": {\"name\": \"").append(name).append("\", \"type\": \"")
                        .append(type).append("\", \"line\": ").append(line).append(", \"source_file\": \"/synthetic/flows/")
                        .append(scriptName(flow)).append("\", \"doc\": \"\", \"decorators\": ").append(decorators)
                        .append(", \"next\": ").append(quoted(next)).append(", \"node_info\": {}").append(extra).append('}');
                line += 6;
            }
        }
        StringBuilder structure = new StringBuilder("[");
        for (int s = 0; s < stages.size(); s++) {
            if (s > 0) {
                structure.append(", ");
            }
            List<String> st = stages.get(s);
            if (s == 1 && (kind == Archive.KIND_BRANCH || kind == Archive.KIND_FOREACH)) {
                structure.append('[');
                for (int b = 0; b < st.size(); b++) {
                    structure.append(b > 0 ? ", " : "").append("[\"").append(st.get(b)).append("\"]");
                }
                structure.append(']');
            } else {
                structure.append('"').append(st.get(0)).append('"');
            }
        }
        structure.append(']');
        return "{\"file\": \"" + scriptName(flow) + "\", \"start_step\": \"start\", \"end_step\": \"end\", "
                + "\"parameters\": [], \"constants\": [], \"steps\": {" + steps + "}, \"graph_structure\": "
                + structure + ", \"doc\": \"A synthetic " + flow + ".\", \"decorators\": [], \"extensions\": {}}";
    }

    private static String quoted(List<String> names) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < names.size(); i++) {
            b.append(i > 0 ? ", " : "").append('"').append(names.get(i)).append('"');
        }
        return b.append(']').toString();
    }
}

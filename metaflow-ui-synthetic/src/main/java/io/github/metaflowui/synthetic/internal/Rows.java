package io.github.metaflowui.synthetic.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.github.metaflowui.synthetic.internal.Plans.RunPlan;
import io.github.metaflowui.synthetic.internal.Plans.StepPlan;

import java.io.IOException;
import java.util.List;

/** Resolving paths to runs, steps and tasks, and the pieces of JSON both services share. */
final class Rows {
    static final String PARAMETERS = "_parameters";

    private Rows() {
    }

    /** A task found by path: its run's plan, its step (null for {@code _parameters}) and its index. */
    record TaskAt(RunPlan plan, StepPlan step, int k, long taskId) {
        boolean parameters() {
            return step == null;
        }
    }

    static int run(Archive a, String flow, String id) {
        int r = a.findRun(flow, id);
        if (r < 0) {
            throw notFound();
        }
        return r;
    }

    static Web.Problem notFound() {
        return new Web.Problem(404, "{}");
    }

    /** The step of a run, or null for {@code _parameters}; 404 when the run never reached it. */
    static StepPlan step(RunPlan plan, String name) {
        if (name.equals(PARAMETERS)) {
            return null;
        }
        StepPlan s = plan.step(name);
        if (s == null) {
            throw notFound();
        }
        return s;
    }

    static TaskAt task(Archive a, RunPlan plan, String stepName, String taskId) {
        StepPlan step = step(plan, stepName);
        if (!Archive.isDigits(taskId) || taskId.length() > 15) {
            throw notFound();
        }
        long id = Long.parseLong(taskId);
        if (step == null) {
            if (id != a.firstTaskId(plan.run)) {
                throw notFound();
            }
            return new TaskAt(plan, null, 0, id);
        }
        int k = step.indexOf(id);
        if (k < 0) {
            throw notFound();
        }
        return new TaskAt(plan, step, k, id);
    }

    static long taskHeartbeatSec(Archive a, StepPlan step, int k, long nowMs) {
        int last = k * Plans.MAX_ATTEMPTS + step.attempts[k] - 1;
        if (step.outcome[last] == Plans.LIVE) {
            return nowMs / 1000 - Hash.below(Hash.of(a.seed, 60, step.taskId(k)), 20);
        }
        return step.finish[last] / 1000;
    }

    /** The run id as the metadata service exposes it: a number, or the scheduler's string. */
    static void exposedRunNumber(JsonGenerator g, Archive a, int run) throws IOException {
        if (a.scheduler(run)) {
            g.writeStringField("run_number", a.runId(run));
        } else {
            g.writeNumberField("run_number", run + 1L);
        }
    }

    static void tags(JsonGenerator g, Archive a, int run) throws IOException {
        Web.stringList(g, "tags", a.tags(run));
        Web.stringList(g, "system_tags", a.systemTags(run));
    }

    static long flowCreated(Archive a, int flow) {
        int[] runs = a.runsOfFlow[flow];
        return runs.length == 0 ? a.asOfMs - a.spanMs : a.created[runs[0]] - 1_000;
    }

    static List<String> emptyIfNull(List<String> l) {
        return l == null ? List.of() : l;
    }
}

package io.github.metaflowui.synthetic.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The run filters both services understand, tested against the columns without building rows. */
final class RunFilter {
    final Archive a;
    int flow = -1;
    Set<Integer> flows;
    int statusMask = 0;
    Set<String> userNames;
    Set<String> users;
    List<String> tagsAll = List.of();
    List<String> tagsAny = List.of();
    long createdFrom = Long.MIN_VALUE;
    long createdTo = Long.MAX_VALUE;
    boolean impossible;
    private boolean[] userSetMatchAny;

    RunFilter(Archive a) {
        this.a = a;
    }

    void status(String wire) {
        switch (wire.trim()) {
            case "completed":
                statusMask |= 1 << Archive.COMPLETED;
                break;
            case "failed":
                statusMask |= 1 << Archive.FAILED;
                break;
            case "running":
                statusMask |= 1 << Archive.RUNNING;
                break;
            default:
                throw new Web.Problem(400, "\"invalid status " + wire.replace("\"", "") + "\"");
        }
    }

    void flowName(String name) {
        if (flows == null) {
            flows = new HashSet<>();
        }
        int f = a.flowIndex(name);
        flows.add(f);
    }

    /** Call after setting tags: precomputes which user-tag sets match. */
    void prepare() {
        int sets = a.tagSets.size();
        userSetMatchAny = new boolean[sets];
        for (int i = 0; i < sets; i++) {
            List<String> t = a.tagSets.get(i);
            userSetMatchAny[i] = tagsAny.stream().anyMatch(t::contains);
        }
    }

    boolean test(int run) {
        if (impossible) {
            return false;
        }
        if (flow >= 0 && a.flow[run] != flow) {
            return false;
        }
        if (flows != null && !flows.contains(a.flow[run])) {
            return false;
        }
        long c = a.created[run];
        if (c < createdFrom || c > createdTo) {
            return false;
        }
        if (statusMask != 0 && (statusMask & (1 << a.state[run])) == 0) {
            return false;
        }
        if (userNames != null && !userNames.contains(a.userName(run))) {
            return false;
        }
        if (users != null && (a.user(run) == null || !users.contains(a.user(run)))) {
            return false;
        }
        if (!tagsAll.isEmpty()) {
            List<String> own = a.tags(run);
            for (String t : tagsAll) {
                if (!own.contains(t) && !hasSystemTag(run, t)) {
                    return false;
                }
            }
        }
        if (!tagsAny.isEmpty() && !userSetMatchAny[a.tagSet[run]]) {
            boolean any = false;
            for (String t : tagsAny) {
                if (hasSystemTag(run, t)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    /** Whether the run's system tags hold {@code tag}, without building them. */
    boolean hasSystemTag(int run, String tag) {
        int colon = tag.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String key = tag.substring(0, colon);
        String v = tag.substring(colon + 1);
        switch (key) {
            case "user":
            case "runtime":
            case "python_version":
            case "metaflow_version":
            case "project":
            case "project_branch":
            case "production":
                return a.systemTags(run).contains(tag);
            default:
                return false;
        }
    }
}

package io.github.metaflowui.client.local.internal;

import io.github.metaflowui.core.Dag;
import io.github.metaflowui.core.DagStep;
import io.github.metaflowui.core.StepType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps a decoded {@code _graph_info} artifact (a dict written by Metaflow's
 * {@code FlowGraph.output_steps}) to the core {@link Dag}.
 */
public final class GraphInfo {
    private GraphInfo() {
    }

    /**
     * @param flow   the flow name (the graph does not record it)
     * @param value  the decoded pickle
     * @param source the blob it came from, for error messages
     */
    public static Dag toDag(String flow, Object value, Path source) {
        if (!(value instanceof Map<?, ?> info)) {
            throw new LocalFaults.Undecodable(source, "is not a graph (a dict) but " + PythonValues.typeOf(value),
                    "", null);
        }
        Map<String, DagStep> steps = new LinkedHashMap<>();
        Object rawSteps = info.get("steps");
        if (rawSteps instanceof Map<?, ?> stepMap) {
            for (Map.Entry<?, ?> e : stepMap.entrySet()) {
                if (e.getValue() instanceof Map<?, ?> node) {
                    String name = str(node.get("name")).orElse(String.valueOf(e.getKey()));
                    steps.put(name, step(name, node));
                }
            }
        }
        List<Object> structure = new ArrayList<>();
        Object rawStructure = info.get("graph_structure");
        if (rawStructure instanceof List<?> l) {
            structure = structure(l);
        }
        return new Dag(flow,
                str(info.get("start_step")).orElse("start"),
                str(info.get("end_step")).orElse("end"),
                str(info.get("doc")).orElse(""),
                steps, structure);
    }

    private static DagStep step(String name, Map<?, ?> node) {
        List<String> next = new ArrayList<>();
        if (node.get("next") instanceof List<?> l) {
            for (Object o : l) {
                if (o != null) {
                    next.add(o.toString());
                }
            }
        }
        Map<String, String> cases = new LinkedHashMap<>();
        if (node.get("switch_cases") instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (e.getKey() != null && e.getValue() != null) {
                    cases.put(e.getKey().toString(), e.getValue().toString());
                }
            }
        }
        List<String> decorators = new ArrayList<>();
        if (node.get("decorators") instanceof List<?> l) {
            for (Object d : l) {
                if (d instanceof Map<?, ?> dm) {
                    str(dm.get("name")).ifPresent(decorators::add);
                } else if (d instanceof String s) {
                    decorators.add(s);
                }
            }
        }
        int line = node.get("line") instanceof Number n ? n.intValue() : 0;
        return new DagStep(name, StepType.fromWire(str(node.get("type")).orElse("unknown")), next,
                str(node.get("doc")).orElse(""), str(node.get("foreach_artifact")),
                str(node.get("matching_join")), cases, decorators, line);
    }

    private static List<Object> structure(List<?> in) {
        List<Object> out = new ArrayList<>(in.size());
        for (Object o : in) {
            if (o instanceof String s) {
                out.add(s);
            } else if (o instanceof List<?> l) {
                out.add(structure(l));
            } else if (o instanceof Object[] a) {
                out.add(structure(List.of(a)));
            }
        }
        return out;
    }

    private static Optional<String> str(Object o) {
        return o instanceof String s ? Optional.of(s) : Optional.empty();
    }
}

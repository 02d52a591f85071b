package io.github.metaflowui.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A flow's graph as recorded in its {@code _graph_info} artifact.
 *
 * @param flowName       the flow class name
 * @param startStep      usually {@code start}
 * @param endStep        usually {@code end}
 * @param doc            the flow docstring
 * @param steps          step name to node, in the order the graph lists them
 * @param graphStructure the nested execution-order structure: strings (step names) and lists
 *                       (a split's branches, each a list), as in {@code ["start",[["a"],["b"]],"join","end"]}
 */
public record Dag(String flowName, String startStep, String endStep, String doc, Map<String, DagStep> steps,
                  List<Object> graphStructure) {
    public Dag {
        Objects.requireNonNull(flowName, "flowName");
        Objects.requireNonNull(startStep, "startStep");
        Objects.requireNonNull(endStep, "endStep");
        Objects.requireNonNull(doc, "doc");
        steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
        graphStructure = deepCopy(graphStructure);
    }

    public Optional<DagStep> step(String name) {
        return Optional.ofNullable(steps.get(name));
    }

    /** Step names in execution order: a depth-first walk of {@code graphStructure}, then any other steps. */
    public List<String> stepOrder() {
        List<String> order = new ArrayList<>();
        flatten(graphStructure, order);
        for (String s : steps.keySet()) {
            if (!order.contains(s)) {
                order.add(s);
            }
        }
        return List.copyOf(order);
    }

    private static void flatten(List<?> structure, List<String> out) {
        for (Object o : structure) {
            if (o instanceof String s) {
                if (!out.contains(s)) {
                    out.add(s);
                }
            } else if (o instanceof List<?> l) {
                flatten(l, out);
            }
        }
    }

    private static List<Object> deepCopy(List<?> in) {
        List<Object> out = new ArrayList<>(in.size());
        for (Object o : in) {
            if (o instanceof String s) {
                out.add(s);
            } else if (o instanceof List<?> l) {
                out.add(deepCopy(l));
            } else {
                throw new IllegalArgumentException("graph structure holds only strings and lists, got " + o);
            }
        }
        return Collections.unmodifiableList(out);
    }
}

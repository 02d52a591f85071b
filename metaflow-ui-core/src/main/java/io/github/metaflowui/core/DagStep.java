package io.github.metaflowui.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One node of a flow's graph.
 *
 * @param name            step name
 * @param type            its kind
 * @param next            the steps it transitions to
 * @param doc             its docstring (may be empty)
 * @param foreachArtifact for a foreach split, the artifact it fans out over
 * @param matchingJoin    for a split, the join that closes it, when recorded
 * @param switchCases     for a switch, case value to step name
 * @param decorators      decorator names, e.g. {@code retry}
 * @param line            source line, 0 when unknown
 */
public record DagStep(String name, StepType type, List<String> next, String doc, Optional<String> foreachArtifact,
                      Optional<String> matchingJoin, Map<String, String> switchCases, List<String> decorators,
                      int line) {
    public DagStep {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        next = List.copyOf(next);
        Objects.requireNonNull(doc, "doc");
        Objects.requireNonNull(foreachArtifact, "foreachArtifact");
        Objects.requireNonNull(matchingJoin, "matchingJoin");
        switchCases = Map.copyOf(switchCases);
        decorators = List.copyOf(decorators);
    }
}

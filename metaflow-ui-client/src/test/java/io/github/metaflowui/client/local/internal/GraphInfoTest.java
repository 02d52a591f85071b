package io.github.metaflowui.client.local.internal;

import io.github.metaflowui.core.Dag;
import io.github.metaflowui.core.DagStep;
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.core.StepType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Graph shapes the fixture does not have (switches, parallel, older type names, missing keys). */
class GraphInfoTest {

    private static Map<String, Object> node(String name, String type, List<String> next) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("name", name);
        n.put("type", type);
        n.put("next", next);
        n.put("doc", "");
        n.put("line", 3);
        n.put("decorators", List.of());
        return n;
    }

    @Test
    void a_switch_step_keeps_its_cases() {
        Map<String, Object> start = node("start", "split-switch", List.of("high", "low"));
        Map<Object, Object> cases = new LinkedHashMap<>();
        cases.put("big", "high");
        cases.put(Boolean.FALSE, "low");
        start.put("switch_cases", cases);
        start.put("decorators", List.of(Map.of("name", "retry"), Map.of("name", "resources")));
        Map<String, Object> steps = new LinkedHashMap<>();
        steps.put("start", start);
        steps.put("high", node("high", "linear", List.of("end")));
        steps.put("low", node("low", "linear", List.of("end")));
        steps.put("end", node("end", "end", List.of()));
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("steps", steps);
        info.put("graph_structure", List.of("start", List.of(List.of("high"), List.of("low")), "end"));

        Dag dag = GraphInfo.toDag("SwitchFlow", info, Path.of("blob"));

        DagStep s = dag.step("start").orElseThrow();
        assertThat(s.type()).isEqualTo(StepType.SPLIT_SWITCH);
        assertThat(s.switchCases()).containsExactlyInAnyOrderEntriesOf(Map.of("big", "high", "false", "low"));
        assertThat(s.decorators()).containsExactly("retry", "resources");
        assertThat(dag.startStep()).isEqualTo("start");
        assertThat(dag.endStep()).isEqualTo("end");
        assertThat(dag.doc()).isEmpty();
        assertThat(dag.stepOrder()).containsExactly("start", "high", "low", "end");
    }

    @Test
    void older_and_unknown_type_names_are_mapped() {
        Map<String, Object> steps = new LinkedHashMap<>();
        steps.put("a", node("a", "foreach", List.of("b")));
        steps.put("b", node("b", "split-and", List.of()));
        steps.put("c", node("c", "something-new", List.of()));
        Map<String, Object> info = Map.of("steps", steps);

        Dag dag = GraphInfo.toDag("OldFlow", info, Path.of("blob"));

        assertThat(dag.step("a").orElseThrow().type()).isEqualTo(StepType.SPLIT_FOREACH);
        assertThat(dag.step("b").orElseThrow().type()).isEqualTo(StepType.SPLIT_STATIC);
        assertThat(dag.step("c").orElseThrow().type()).isEqualTo(StepType.UNKNOWN);
        assertThat(dag.graphStructure()).isEmpty();
        assertThat(dag.stepOrder()).containsExactly("a", "b", "c");
    }

    @Test
    void a_graph_that_is_not_a_dict_is_a_decode_error() {
        assertThatThrownBy(() -> GraphInfo.toDag("F", List.of(1), Path.of("blob")))
                .isInstanceOf(MetaflowException.DecodeException.class)
                .hasMessage("blob is not a graph (a dict) but list")
                .extracting(e -> ((LocalFaults.Fault) e).problem()).isEqualTo("is not a graph (a dict) but list");
    }
}

// A simple DAG drawing from the run's graph_structure: sequences top to bottom, split branches side
// by side, every node coloured (and labelled) by the live status of its step.
import { h } from '../dom.js';
import { normalizeStatus, formatCount } from '../format.js';

/** Step names in execution order (graph_structure walk, then any step it does not mention). */
export function stepOrder(dag) {
  const out = [];
  const walk = (items) => {
    for (const item of items) {
      if (typeof item === 'string') {
        if (!out.includes(item)) {
          out.push(item);
        }
      } else if (Array.isArray(item)) {
        walk(item);
      }
    }
  };
  if (Array.isArray(dag.graph_structure)) {
    walk(dag.graph_structure);
  }
  for (const name of Object.keys(dag.steps || {})) {
    if (!out.includes(name)) {
      out.push(name);
    }
  }
  return out;
}

/** "foreach over items", "split", "join"... or "" for plain linear steps. */
export function stepTypeLabel(step) {
  if (!step || typeof step !== 'object') {
    return '';
  }
  switch (step.type) {
    case 'split-foreach':
      return step.foreach_artifact ? `foreach over ${step.foreach_artifact}` : 'foreach';
    case 'split-static':
      return 'split';
    case 'split-parallel':
      return 'parallel';
    case 'split-switch':
      return 'switch';
    case 'join':
      return 'join';
    default:
      return '';
  }
}

/**
 * The graph as nested boxes, or null when the DAG has no structure to draw.
 * @param hrefForStep (stepName) => href of the run page filtered to that step
 */
export function dagView(dag, steps, selected, hrefForStep) {
  if (!Array.isArray(dag.graph_structure) || !dag.graph_structure.length) {
    return null;
  }
  const byName = new Map(steps.map((s) => [String(s.step_name), s]));
  const node = (name) => {
    const s = byName.get(name);
    const status = s ? normalizeStatus(s.status) : 'pending';
    const counts = (s && s.task_counts) || {};
    const total = Number(counts.total ?? 0);
    const failed = Number(counts.failed ?? 0);
    const info = dag.steps ? dag.steps[name] : null;
    const type = stepTypeLabel(info);
    return h('a', {
      class: ['dag-node', `dag-${status}`, name === selected && 'selected'],
      href: hrefForStep(name),
      title: [`${name}: ${s ? status : 'not started'}`, info && info.doc ? String(info.doc) : ''].filter(Boolean).join('\n'),
      'aria-current': name === selected ? 'true' : null,
    },
    h('span', { class: 'dag-name' }, name),
    h('span', { class: 'dag-meta' },
      s ? status : 'not started',
      total > 1 ? ` · ${formatCount(total)} tasks` : '',
      failed > 0 && total > 1 ? h('strong', null, ` · ${formatCount(failed)} failed`) : ''),
    type ? h('span', { class: 'dag-type' }, type) : null);
  };
  const seq = (items) => {
    const col = h('div', { class: 'dag-seq' });
    items.forEach((item, i) => {
      if (i > 0) {
        col.append(h('div', { class: 'dag-arrow', 'aria-hidden': 'true' }, '↓'));
      }
      if (typeof item === 'string') {
        col.append(node(item));
      } else if (Array.isArray(item)) {
        col.append(h('div', { class: 'dag-split' },
          item.map((branch) => seq(Array.isArray(branch) ? branch : [branch]))));
      }
    });
    return col;
  };
  return h('div', { class: 'dag', role: 'group', 'aria-label': 'Flow graph; each step links to its tasks' },
    seq(dag.graph_structure));
}

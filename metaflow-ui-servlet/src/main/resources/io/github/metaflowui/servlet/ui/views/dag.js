// The run's DAG as SVG: steps laid out in layers along their `next` edges (so every step type is
// drawn: linear, static split, foreach, parallel, switch, joins, nested foreach), each node coloured
// by its step's status with task counts per status. Click a node to filter the task list; drag to
// pan, wheel or the buttons to zoom. No inline styles: geometry goes in SVG attributes.
import { h } from '../dom.js';
import { normalizeStatus, formatCount } from '../format.js';
import { navigate } from '../nav.js';

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

const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 184;
const NODE_H = 58;
const GAP_X = 28;
const GAP_Y = 46;
const COUNT_ICONS = [['completed', '✓'], ['running', '●'], ['failed', '✕'], ['pending', '○'], ['unknown', '?']];

/** An SVG element with attributes (never style) and children (strings become text). */
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined && v !== false) {
      el.setAttribute(k, String(v));
    }
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) {
      el.append(c instanceof Node ? c : String(c));
    }
  }
  return el;
}

/** Layers (longest path from start along `next`, back edges of loops ignored) and edges. */
export function layout(dag) {
  const steps = dag.steps || {};
  const order = stepOrder(dag);
  const next = (name) => (steps[name] && Array.isArray(steps[name].next) ? steps[name].next.map(String) : [])
    .filter((n) => n in steps || order.includes(n));
  const start = dag.start_step && order.includes(String(dag.start_step)) ? String(dag.start_step) : order[0];
  const edges = [];
  const back = new Set();
  const state = new Map(); // 1 visiting, 2 done
  const visit = (name) => {
    state.set(name, 1);
    for (const n of next(name)) {
      if (state.get(n) === 1) {
        back.add(`${name}\u0000${n}`);
      } else if (!state.has(n)) {
        visit(n);
      }
    }
    state.set(name, 2);
  };
  if (start) {
    visit(start);
  }
  order.filter((n) => !state.has(n)).forEach(visit);
  const layer = new Map(order.map((n) => [n, 0]));
  // longest path on the acyclic part (order has at most a few hundred steps)
  for (let pass = 0; pass < order.length; pass++) {
    let changed = false;
    for (const name of order) {
      for (const n of next(name)) {
        if (!back.has(`${name}\u0000${n}`) && layer.get(n) < layer.get(name) + 1) {
          layer.set(n, layer.get(name) + 1);
          changed = true;
        }
      }
    }
    if (!changed) {
      break;
    }
  }
  for (const name of order) {
    for (const n of next(name)) {
      const type = steps[name] ? steps[name].type : '';
      edges.push({ from: name, to: n, back: back.has(`${name}\u0000${n}`), foreach: type === 'split-foreach', switch: type === 'split-switch' });
    }
  }
  const layers = [];
  for (const name of order) {
    const l = layer.get(name);
    (layers[l] = layers[l] || []).push(name);
  }
  return { layers: layers.filter(Boolean), edges };
}

/**
 * The graph as an SVG with pan and zoom, or null when the DAG has no steps to draw.
 * @param steps the run's steps with their task counts, or null while they are being counted (nodes
 *   then show `unknownText`, neutral, rather than "not started")
 * @param hrefForStep (stepName) => href of the run page filtered to that step
 */
export function dagView(dag, steps, selected, hrefForStep, unknownText = 'counting…') {
  if (!dag || !dag.steps || !Object.keys(dag.steps).length) {
    return null;
  }
  const { layers, edges } = layout(dag);
  const known = Array.isArray(steps);
  const byName = new Map((known ? steps : []).map((st) => [String(st.step_name), st]));
  const widest = Math.max(...layers.map((l) => l.length));
  const width = widest * NODE_W + (widest - 1) * GAP_X + 40;
  const height = layers.length * NODE_H + (layers.length - 1) * GAP_Y + 40;
  const pos = new Map();
  layers.forEach((names, li) => {
    const rowW = names.length * NODE_W + (names.length - 1) * GAP_X;
    names.forEach((name, i) => {
      pos.set(name, { x: (width - rowW) / 2 + i * (NODE_W + GAP_X), y: 20 + li * (NODE_H + GAP_Y) });
    });
  });

  const edgeEls = edges.map((e) => {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) {
      return null;
    }
    const x1 = a.x + NODE_W / 2;
    const y1 = a.y + NODE_H;
    const x2 = b.x + NODE_W / 2;
    const y2 = b.y;
    let d;
    if (e.back || y2 <= y1) {
      const side = Math.max(a.x, b.x) + NODE_W + 14;
      d = `M${a.x + NODE_W} ${a.y + NODE_H / 2} C${side} ${a.y + NODE_H / 2} ${side} ${b.y + NODE_H / 2} ${b.x + NODE_W} ${b.y + NODE_H / 2}`;
    } else {
      const my = (y1 + y2) / 2;
      d = `M${x1} ${y1} C${x1} ${my} ${x2} ${my} ${x2} ${y2 - 4}`;
    }
    const cases = e.switch && dag.steps[e.from] && dag.steps[e.from].switch_cases
      ? Object.entries(dag.steps[e.from].switch_cases).filter(([, to]) => String(to) === e.to).map(([k]) => k) : [];
    return s('g', { class: ['dag-edge', e.foreach && 'dag-edge-foreach', e.back && 'dag-edge-back', e.switch && 'dag-edge-switch'].filter(Boolean).join(' ') },
      s('path', { d, 'marker-end': 'url(#dag-arrow)' }),
      cases.length ? s('text', { x: (x1 + x2) / 2 + 4, y: (y1 + y2) / 2, class: 'dag-edge-label' }, cases.join(', ')) : null,
      e.foreach ? s('text', { x: (x1 + x2) / 2 + 4, y: (y1 + y2) / 2 + 4, class: 'dag-edge-label' }, '× foreach') : null);
  });

  const nodeEls = [...pos.entries()].map(([name, p]) => {
    const st = byName.get(name);
    const status = st ? normalizeStatus(st.status) : (known ? 'pending' : 'counting');
    const state = st ? status : (known ? 'not started' : unknownText);
    const counts = (st && st.task_counts) || {};
    const info = dag.steps[name];
    const type = stepTypeLabel(info);
    const countText = COUNT_ICONS.filter(([k]) => Number(counts[k] || 0) > 0)
      .map(([k, icon]) => s('tspan', { class: `dag-c dag-c-${k}` }, `${icon}${formatCount(Number(counts[k]))} `));
    const label = `${name}: ${state}${type ? `, ${type}` : ''}`
      + COUNT_ICONS.filter(([k]) => Number(counts[k] || 0) > 0).map(([k]) => `, ${formatCount(Number(counts[k]))} ${k}`).join('');
    const g = s('g', {
      class: ['dag-n', `dag-n-${status}`, name === selected && 'selected'].filter(Boolean).join(' '),
      transform: `translate(${p.x} ${p.y})`, tabindex: '0', role: 'link', 'aria-label': label, 'data-step': name,
    },
    s('title', null, [label, info && info.doc ? String(info.doc) : ''].filter(Boolean).join('\n')),
    s('rect', { width: NODE_W, height: NODE_H, rx: 6, ry: 6, class: 'dag-box' }),
    s('rect', { width: NODE_W, height: 4, rx: 2, ry: 2, class: 'dag-bar' }),
    s('text', { x: 10, y: 21, class: 'dag-t-name' }, name.length > 24 ? `${name.slice(0, 23)}…` : name),
    s('text', { x: 10, y: 37, class: 'dag-t-meta' }, `${state}${type ? ` · ${type}` : ''}`),
    s('text', { x: 10, y: 51, class: 'dag-t-counts' }, countText.length ? countText : (st || !known ? '' : '—')));
    const go = () => navigate(hrefForStep(name), { scroll: 'keep' });
    g.addEventListener('click', (ev) => {
      if (!g.closest('.dag-svg').classList.contains('dragged')) {
        ev.preventDefault();
        go();
      }
    });
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        go();
      }
    });
    return g;
  });

  const content = s('g', { class: 'dag-content' }, edgeEls, nodeEls);
  const svg = s('svg', {
    class: 'dag-svg', viewBox: `0 0 ${width} ${height}`, width: '100%', height: Math.min(height, 560),
    role: 'group', 'aria-label': 'Flow graph; each step filters the task list', preserveAspectRatio: 'xMidYMin meet',
  },
  s('defs', null, s('marker', { id: 'dag-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    s('path', { d: 'M0 0 L10 5 L0 10 z', class: 'dag-arrowhead' }))),
  content);

  // pan and zoom by changing the viewBox
  let view = { x: 0, y: 0, w: width, h: height };
  const apply = () => svg.setAttribute('viewBox', `${view.x} ${view.y} ${view.w} ${view.h}`);
  const zoom = (factor, cx = view.x + view.w / 2, cy = view.y + view.h / 2) => {
    const w = Math.min(width * 4, Math.max(NODE_W, view.w * factor));
    const f = w / view.w;
    view = { x: cx - (cx - view.x) * f, y: cy - (cy - view.y) * f, w, h: view.h * f };
    apply();
  };
  const toSvg = (ev) => {
    const r = svg.getBoundingClientRect();
    const scale = Math.max(view.w / r.width, view.h / r.height);
    return { x: view.x + (ev.clientX - r.left) * scale, y: view.y + (ev.clientY - r.top) * scale, scale };
  };
  svg.addEventListener('wheel', (ev) => {
    if (!ev.ctrlKey && !ev.metaKey && !svg.classList.contains('zoomed')) {
      return; // plain wheel scrolls the page until the user zooms in
    }
    ev.preventDefault();
    const p = toSvg(ev);
    zoom(ev.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    svg.classList.add('zoomed');
  }, { passive: false });
  let drag = null;
  svg.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0) {
      return;
    }
    drag = { x: ev.clientX, y: ev.clientY, view: { ...view }, moved: false };
    svg.classList.remove('dragged');
  });
  svg.addEventListener('pointermove', (ev) => {
    if (!drag) {
      return;
    }
    const dx = ev.clientX - drag.x;
    const dy = ev.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) {
      return;
    }
    if (!drag.moved) {
      drag.moved = true;
      svg.setPointerCapture(ev.pointerId);
      svg.classList.add('dragging', 'dragged');
    }
    const { scale } = toSvg(ev);
    view = { ...drag.view, x: drag.view.x - dx * scale, y: drag.view.y - dy * scale };
    apply();
  });
  const end = () => {
    drag = null;
    svg.classList.remove('dragging');
  };
  svg.addEventListener('pointerup', end);
  svg.addEventListener('pointercancel', end);

  const btn = (text, title, fn) => h('button', { type: 'button', class: 'btn btn-small', title, 'aria-label': title, onclick: fn }, text);
  return h('div', { class: 'dag dag-graph' },
    h('div', { class: 'dag-tools' },
      btn('+', 'Zoom in', () => { zoom(1 / 1.25); svg.classList.add('zoomed'); }),
      btn('−', 'Zoom out', () => { zoom(1.25); svg.classList.add('zoomed'); }),
      btn('Fit', 'Show the whole graph', () => { view = { x: 0, y: 0, w: width, h: height }; apply(); svg.classList.remove('zoomed'); }),
      h('span', { class: 'muted dag-hint' }, 'Drag to pan, Ctrl+wheel to zoom, click a step to filter its tasks')),
    svg);
}

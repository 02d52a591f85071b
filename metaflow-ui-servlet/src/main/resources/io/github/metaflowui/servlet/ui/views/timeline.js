// The run's timeline (Gantt): one bar per step from the step data, then the tasks, fetched page by
// page as they scroll into view (never the whole run), each drawn with its attempts as segments.
// Modes: workflow (tasks by start), newest (latest start first), failed (failed tasks only).
// Zoom (buttons, Ctrl+wheel) and pan (drag) change the shown time window, kept in the URL.
import { h } from '../dom.js';
import { hereWith, paths } from '../nav.js';
import { formatDuration, formatDateTime, isoUtc, normalizeStatus, toMillis, formatCount } from '../format.js';
import { virtualTable } from '../virtual-list.js';

const PAGE = 100;
const MODES = [['workflow', 'Workflow'], ['newest', 'Newest'], ['failed', 'Failed']];

/**
 * @param {object} o
 * @param {string} o.flow
 * @param {string} o.run
 * @param {object} o.runData the run (ts_epoch, finished_at, status)
 * @param {object[]} o.steps steps in graph order
 * @param {string} o.stepFilter the step the page is filtered to, or ''
 * @param {URLSearchParams} o.query
 * @param {Function} o.load the page's loader
 * @param {string[]} o.base API path of the run
 * @param {Function} o.hrefHere run page href with changes
 */
export function timelineSection(o) {
  // the first mode follows the run (failed: its failed tasks; running: the newest), unless the URL says
  const runStatus = normalizeStatus(o.runData.status);
  const defaultMode = runStatus === 'failed' ? 'failed' : (runStatus === 'running' ? 'newest' : 'workflow');
  const mode = MODES.some(([m]) => m === o.query.get('tl')) ? o.query.get('tl') : defaultMode;
  let steps = o.steps;
  let runData = o.runData;
  const runStart = toMillis(runData.ts_epoch) ?? Math.min(...steps.map((s) => toMillis(s.started_at ?? s.ts_epoch) ?? Infinity));
  const endOf = () => {
    const ends = steps.map((s) => toMillis(s.finished_at)).filter((x) => x !== null);
    return normalizeStatus(runData.status) === 'running' ? Date.now()
      : (toMillis(runData.finished_at) ?? (ends.length ? Math.max(...ends) : Date.now()));
  };
  let runEnd = endOf();
  if (!Number.isFinite(runStart) || !(runEnd > runStart)) {
    return null;
  }
  const fullOf = () => ({ from: runStart, to: runEnd + Math.max(1, (runEnd - runStart) * 0.02) });
  let full = fullOf();
  const asked = (o.query.get('tlw') || '').split('~').map(Number);
  let win = asked.length === 2 && asked.every(Number.isFinite) && asked[1] > asked[0] ? { from: asked[0], to: asked[1] } : { ...full };

  const attemptsCache = new Map(); // task id -> attempts[] | 'loading'
  const tracks = new Set(); // drawn track cells, redrawn on zoom
  let tasksList = null;

  function place(el, from, to) {
    const span = win.to - win.from;
    const left = ((from - win.from) / span) * 100;
    const right = ((Math.max(to, from) - win.from) / span) * 100;
    const l = Math.max(-1, Math.min(101, left));
    const r = Math.max(-1, Math.min(101, right));
    el.style.left = `${l}%`;
    el.style.width = `${Math.max(0.15, r - l)}%`;
    el.hidden = right < 0 || left > 100;
  }

  function bar(cls, from, to, title) {
    const el = h('span', { class: ['tl-bar', ...[].concat(cls)], title });
    el.dataset.from = String(from);
    el.dataset.to = String(to);
    place(el, from, to);
    return el;
  }

  function track(...bars) {
    const el = h('div', { class: 'tl-track' }, bars);
    tracks.add(el);
    return el;
  }

  function redraw({ keepUrl = false } = {}) {
    for (const t of [...tracks]) {
      if (!t.isConnected) {
        tracks.delete(t);
        continue;
      }
      t.querySelectorAll('.tl-bar').forEach((b) => place(b, Number(b.dataset.from), Number(b.dataset.to)));
    }
    axis.replaceChildren(...ticks());
    if (!keepUrl) {
      history.replaceState(history.state, '', hereWith({ tlw: win.from === full.from && win.to === full.to ? null : `${Math.round(win.from)}~${Math.round(win.to)}` }) + location.hash);
    }
  }

  function ticks() {
    const out = [];
    const span = win.to - win.from;
    for (let i = 0; i <= 4; i++) {
      const t = h('span', { class: 'tl-tick' }, `+${formatDuration(win.from - runStart + (span * i) / 4)}`);
      t.style.left = `${i * 25}%`;
      out.push(t);
    }
    return out;
  }

  const stepRowsOf = () => steps.map((s) => {
    const name = String(s.step_name);
    const from = toMillis(s.started_at ?? s.ts_epoch);
    const to = toMillis(s.finished_at) ?? runEnd;
    const status = normalizeStatus(s.status);
    const total = Number((s.task_counts || {}).total ?? 0);
    return h('tr', { class: ['tl-step', name === o.stepFilter && 'selected'] },
      h('th', { scope: 'row', class: 'tl-label' },
        h('a', { href: o.hrefHere({ step: name === o.stepFilter ? null : name }) + '#timeline' }, name),
        total > 1 ? h('span', { class: 'muted' }, ` ×${formatCount(total)}`) : null),
      h('td', { class: 'tl-cell' }, from === null ? h('span', { class: 'muted' }, 'not started')
        : track(bar(`tl-${status}`, from, to, `${name}: ${status}, ${formatDuration(to - from)} (${isoUtc(from)})`))));
  });

  function attemptsOf(t) {
    const id = String(t.task_id);
    const n = Number(t.attempt_count ?? 1);
    if (n <= 1) {
      return null;
    }
    const cached = attemptsCache.get(id);
    if (cached === undefined) {
      attemptsCache.set(id, 'loading');
      o.load.fresh([...o.base, 'steps', String(t.step_name), 'tasks', id, 'attempts'], { _limit: 1000 })
        .then((res) => {
          attemptsCache.set(id, Array.isArray(res.data) ? res.data : []);
          if (tasksList) {
            tasksList.refresh();
          }
        })
        .catch(() => attemptsCache.set(id, []));
      return null;
    }
    return Array.isArray(cached) && cached.length ? cached : null;
  }

  function taskRow(t) {
    const step = String(t.step_name);
    const id = String(t.task_id);
    const status = normalizeStatus(t.status);
    const attempts = attemptsOf(t);
    const segs = [];
    if (attempts) {
      for (const a of attempts.slice().sort((x, y) => Number(x.attempt_id) - Number(y.attempt_id))) {
        const from = toMillis(a.started_at ?? a.ts_epoch);
        if (from === null) {
          continue;
        }
        const to = toMillis(a.finished_at) ?? (normalizeStatus(a.status) === 'running' ? runEnd : from);
        const st = normalizeStatus(a.status);
        segs.push(bar(['tl-attempt', `tl-${st}`], from, to, `attempt ${a.attempt_id}: ${st}, ${formatDuration(to - from)}`));
      }
    }
    if (!segs.length) {
      const from = toMillis(t.started_at ?? t.ts_epoch);
      if (from !== null) {
        const to = toMillis(t.finished_at) ?? (status === 'running' ? runEnd : from);
        segs.push(bar(`tl-${status}`, from, to, `${step}/${id}: ${status}, ${formatDuration(to - from)} (${formatDateTime(from)})`));
      }
    }
    return h('tr', { class: 'tl-task' },
      h('th', { scope: 'row', class: 'tl-label' },
        h('a', { class: 'id', href: paths.task(o.flow, o.run, step, id) }, `${step}/${id}`),
        t.foreach_label ? h('span', { class: 'muted' }, ` ${t.foreach_label}`) : null),
      h('td', { class: 'tl-cell' }, segs.length ? track(segs) : h('span', { class: 'muted' }, 'not started')));
  }

  const params = {
    _limit: PAGE,
    _order: mode === 'newest' ? '-started_at' : '+started_at',
    status: mode === 'failed' ? 'failed' : null,
    step_name: o.stepFilter || null,
  };
  // Workflow mode: the tasks of each step in graph order, each step's by start. Row i of the list
  // maps to (step, offset) through the steps' task counts; only the API pages covering the rows in
  // view are fetched.
  let groups = [];
  let grouped = 0;
  const regroup = () => {
    groups = [];
    grouped = 0;
    if (mode === 'workflow') {
      for (const st of steps) {
        const name = String(st.step_name);
        const n = Number((st.task_counts || {}).total ?? 0);
        if (n > 0 && (!o.stepFilter || o.stepFilter === name)) {
          groups.push({ name, start: grouped, n });
          grouped += n;
        }
      }
    }
  };
  regroup();
  const workflow = groups.length > 0;
  const stepPage = (name, page, fresh) => (fresh ? o.load.fresh : o.load)([...o.base, 'tasks'], { ...params, step_name: name, _page: page })
    .then((res) => (Array.isArray(res.data) ? res.data : []));
  async function workflowPage(p, { fresh = false } = {}) {
    const from = (p - 1) * PAGE;
    const to = Math.min(grouped, p * PAGE);
    const rows = [];
    for (const g of groups) {
      const lo = Math.max(from, g.start);
      const hi = Math.min(to, g.start + g.n);
      if (lo >= hi) {
        continue;
      }
      const k0 = lo - g.start;
      const k1 = hi - g.start;
      const firstPage = Math.floor(k0 / PAGE) + 1;
      const lastPage = Math.floor((k1 - 1) / PAGE) + 1;
      const got = [];
      for (let q = firstPage; q <= lastPage; q++) {
        got.push(...await stepPage(g.name, q, fresh));
      }
      const part = got.slice(k0 - (firstPage - 1) * PAGE, k1 - (firstPage - 1) * PAGE);
      rows.push(...part);
      for (let i = part.length; i < k1 - k0; i++) {
        rows.push(null); // counts ran ahead of the list (a live run): keep the rows aligned
      }
    }
    return { rows, hasNext: to < grouped };
  }
  const axis = h('div', { class: 'tl-axis', 'aria-hidden': 'true' }, ticks());
  tasksList = virtualTable({
    thead: h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'tl-label' }, 'Task'), h('th', { scope: 'col' }, axis))),
    className: 'grid tl-table',
    columns: 2,
    pageSize: PAGE,
    total: workflow ? grouped : null,
    firstPage: null,
    firstHasNext: true,
    fetchPage: workflow ? workflowPage : async (p, { fresh = false } = {}) => {
      const res = await (fresh ? o.load.fresh : o.load)([...o.base, 'tasks'], { ...params, _page: p });
      return { rows: Array.isArray(res.data) ? res.data : [], hasNext: Boolean(res.pages && res.pages.next) };
    },
    renderRow: taskRow,
    key: `timeline:${o.flow}/${o.run}?${mode}&${o.stepFilter}`,
    label: 'Task timeline (scroll to load more)',
  });

  const zoom = (factor, center = (win.from + win.to) / 2) => {
    const span = Math.min(full.to - full.from, Math.max(50, (win.to - win.from) * factor));
    const f = span / (win.to - win.from);
    let from = center - (center - win.from) * f;
    from = Math.max(full.from - span * 0.5, Math.min(from, full.to - span * 0.5));
    win = { from, to: from + span };
    redraw();
  };
  const btn = (text, label, fn) => h('button', { type: 'button', class: 'btn btn-small', 'aria-label': label, title: label, onclick: fn }, text);

  const stepsBody = h('tbody', null, stepRowsOf());
  const body = h('div', { class: 'tl-body' },
    h('div', { class: 'table-wrap' }, h('table', { class: 'grid tl-table tl-steps' },
      h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'tl-label' }, 'Step'), h('th', { scope: 'col' }, 'Run time'))),
      stepsBody)),
    tasksList.node);

  // Ctrl+wheel zooms around the pointer, drag pans.
  body.addEventListener('wheel', (ev) => {
    const cell = ev.target.closest('.tl-cell');
    if (!cell || !(ev.ctrlKey || ev.metaKey)) {
      return;
    }
    ev.preventDefault();
    const r = cell.getBoundingClientRect();
    const at = win.from + ((ev.clientX - r.left) / r.width) * (win.to - win.from);
    zoom(ev.deltaY > 0 ? 1.25 : 0.8, at);
  }, { passive: false });
  let drag = null;
  body.addEventListener('pointerdown', (ev) => {
    const cell = ev.target.closest('.tl-cell');
    if (!cell || ev.button !== 0) {
      return;
    }
    delete body.dataset.dragged;
    drag = { x: ev.clientX, width: cell.getBoundingClientRect().width, win: { ...win }, id: ev.pointerId };
  });
  body.addEventListener('pointermove', (ev) => {
    if (!drag) {
      return;
    }
    if (!body.classList.contains('panning') && Math.abs(ev.clientX - drag.x) > 3) {
      body.setPointerCapture(drag.id);
    }
    const dt = ((ev.clientX - drag.x) / drag.width) * (drag.win.to - drag.win.from);
    if (Math.abs(ev.clientX - drag.x) > 3) {
      body.classList.add('panning');
      body.dataset.dragged = '1';
      win = { from: drag.win.from - dt, to: drag.win.to - dt };
      redraw();
    }
  });
  const endDrag = () => {
    drag = null;
    body.classList.remove('panning');
  };
  body.addEventListener('pointerup', endDrag);
  body.addEventListener('pointercancel', endDrag);
  // a drag that moved is not a click on a link under it
  body.addEventListener('click', (ev) => {
    if (body.dataset.dragged === '1') {
      ev.preventDefault();
      ev.stopPropagation();
    }
    delete body.dataset.dragged;
  }, true);

  // Live changes: step bars and counts are redrawn, the window follows a running run's end (unless
  // zoomed in), and the task rows in view are fetched again (at most once a second); rows scrolled
  // to later are fetched as they come into view.
  let lastRefetch = 0;
  let refetchTimer = 0;
  const refetch = () => {
    refetchTimer = 0;
    lastRefetch = Date.now();
    attemptsCache.clear();
    tasksList.invalidate(workflow ? { total: grouped } : {});
  };
  function update(next) {
    if (next.steps) {
      steps = next.steps;
    }
    if (next.runData) {
      runData = next.runData;
    }
    const whole = win.from === full.from && win.to === full.to;
    runEnd = Math.max(runEnd, endOf());
    full = fullOf();
    if (whole) {
      win = { ...full };
    }
    if (workflow) {
      regroup();
    }
    tracks.forEach((t) => {
      if (stepsBody.contains(t)) {
        tracks.delete(t);
      }
    });
    stepsBody.replaceChildren(...stepRowsOf());
    redraw({ keepUrl: true });
    if (!refetchTimer) {
      refetchTimer = setTimeout(refetch, Math.max(0, 1000 - (Date.now() - lastRefetch)));
    }
  }

  const node = h('details', { class: 'block', id: 'timeline', open: true, dataset: { key: 'timeline' } },
    h('summary', null, h('h2', null, 'Timeline')),
    h('div', { class: 'filters tl-tools' },
      h('div', { class: 'seg', role: 'group', 'aria-label': 'Timeline mode' },
        MODES.map(([m, label]) => h('a', {
          class: 'seg-item', href: o.hrefHere({ tl: m === defaultMode ? null : m }) + '#timeline', 'aria-current': m === mode ? 'true' : null,
        }, label))),
      btn('+', 'Zoom in', () => zoom(0.5)),
      btn('−', 'Zoom out', () => zoom(2)),
      btn('Fit', 'Show the whole run', () => {
        win = { ...full };
        redraw();
      }),
      h('span', { class: 'muted tl-hint' }, 'Drag to pan, Ctrl+wheel to zoom; retried tasks show each attempt')),
    body);
  return { node, update, reattach: () => tasksList.reattach() };
}

// "/{flow}/{run}": run header, failed-task shortcut, parameters, graph, steps and the task list.
import { h } from '../dom.js';
import { ApiError, optional } from '../api.js';
import { paths, withQuery, navigate } from '../nav.js';
import { normalizeStatus, formatCount, plural, STATUSES } from '../format.js';
import {
  statusBadge, statusCount, timeEl, durationEl, tagChip, fact, message, sortHeader, th,
} from '../ui.js';
import { dagView, stepOrder, stepTypeLabel } from './dag.js';
import { extrasSection } from './extras.js';
import { virtualTable } from '../virtual-list.js';
import { timelineSection } from './timeline.js';
import { resourceOf, applyRows, sameRows } from '../live.js';

const TASK_PAGE_SIZE = 100;
const FAILED_SHOWN = 5;
const TASK_STATUSES = ['failed', 'running', 'pending', 'unknown', 'completed'];

export async function runView({ params, query, load }) {
  const { flow, run } = params;
  const base = ['flows', flow, 'runs', run];
  const page = 1; // the task list is virtualized: pages are fetched as they scroll into view
  const limit = TASK_PAGE_SIZE;
  const statusFilter = query.get('status') || '';
  const stepFilter = query.get('step') || '';
  const search = (query.get('q') || '').trim();
  const order = query.get('_order') || '+ts_epoch';
  const taskParams = {
    _page: page, _limit: limit, _order: order, status: statusFilter || null, step_name: stepFilter || null, q: search || null,
  };

  const failedParams = { status: 'failed', _limit: FAILED_SHOWN + 1, _order: '+ts_epoch' };
  // The first screen (header, graph, first task page) does not wait for what needs every task of
  // the run (the steps' task counts, the failed tasks): for a big run those come a moment later,
  // while the server reads its task table, and the page fills them in when they arrive.
  const model = { r: {}, steps: null, stepsError: null, tasks: [], failed: [] };
  const stepsP = optional(load([...base, 'steps'], { _limit: 1000 })).then((res) => {
    if (res.ok) {
      model.steps = Array.isArray(res.value.data) ? res.value.data : [];
    } else {
      model.stepsError = res.error;
    }
  });
  const failedP = optional(load([...base, 'tasks'], failedParams)).then((res) => {
    model.failed = res.ok && Array.isArray(res.value.data) ? res.value.data : [];
  });
  const counted = Promise.all([stepsP, failedP]);
  const [runRes, tasksRes, dagRes, paramsRes, extrasRes] = await Promise.all([
    load(base),
    load([...base, 'tasks'], taskParams),
    optional(load([...base, 'dag'])),
    optional(load([...base, 'parameters'])),
    optional(load([...base, 'extras'])),
  ]);
  // counts that are ready together with the rest are drawn in the same first render
  await Promise.race([counted, new Promise((resolve) => setTimeout(resolve, 30))]);

  const dag = dagRes.ok ? dagRes.value.data : null;
  model.r = runRes.data || {};
  model.tasks = Array.isArray(tasksRes.data) ? tasksRes.data : [];
  const hasNext = Boolean(tasksRes.pages && tasksRes.pages.next);
  const runId = String(model.r.run ?? model.r.run_id ?? run);
  const hrefHere = (changes) => paths.run(flow, run, withQuery(query, changes));
  // the timeline reads its own pages as they scroll in: drawn once the steps are known, kept across
  // live re-renders, and told about live changes
  let timeline; // undefined: not drawn yet; null: nothing to draw
  const timelineNow = () => {
    if (timeline === undefined && model.steps) {
      timeline = timelineSection({
        flow, run, runData: model.r, steps: orderSteps(model.steps, dag), stepFilter, query, load, base, hrefHere,
      });
    } else if (timeline) {
      timeline.reattach();
    }
    if (timeline === undefined) {
      return countingSection('Timeline', model.stepsError);
    }
    return timeline ? timeline.node : null;
  };
  const listHolder = { list: null };
  const marks = new Set();
  const mark = (name) => {
    if (!marks.has(name)) {
      marks.add(name);
      // after the caller has put the page in the document, before it is painted
      requestAnimationFrame(() => performance.mark(name));
    }
  };
  const build = () => {
    const known = model.steps !== null;
    const steps = orderSteps(model.steps || [], dag);
    const failed = model.failed.filter((t) => normalizeStatus(t.status) === 'failed');
    const node = h('section', { class: 'view view-run' },
      runHeader(flow, model.r, runId),
      extrasSection(extrasRes),
      failedShortcut(flow, run, failed, steps, hrefHere),
      parametersSection(paramsRes),
      // until the steps are counted the nodes say so, rather than "not started"
      dag ? dagSection(dag, known ? steps : null, stepFilter, hrefHere, model.stepsError ? 'counts unavailable' : 'counting…')
        : dagProblem(dagRes),
      known ? stepsSection(steps, dag, stepFilter, hrefHere) : countingSection('Steps', model.stepsError),
      timelineNow(),
      tasksSection({
        // a step filter naming no step of the run (known once the steps are counted)
        unknownStep: known && Boolean(stepFilter) && !steps.some((s) => String(s.step_name) === stepFilter)
          && !(dag && dag.steps && Object.hasOwn(dag.steps, stepFilter)),
        listHolder, flow, run, tasks: model.tasks, steps, known, page, hasNext, statusFilter, stepFilter, order, hrefHere,
        search, fetchPage: async (p, { fresh = false } = {}) => {
          const res = await (fresh ? load.fresh : load)([...base, 'tasks'], { ...taskParams, _page: p });
          return { rows: Array.isArray(res.data) ? res.data : [], hasNext: Boolean(res.pages && res.pages.next) };
        },
      }));
    mark('mf-run-first-screen');
    if (known) {
      mark('mf-run-complete');
    }
    return node;
  };

  // what is on screen, kept up to date by the server: the run, its steps, the first page of the task
  // list (not a search: that is asked again on Enter) and the failed box
  const res = {
    run: resourceOf(base),
    steps: resourceOf([...base, 'steps']),
    tasks: search ? null : resourceOf([...base, 'tasks'], taskParams),
    failed: resourceOf([...base, 'tasks'], failedParams),
  };

  return {
    live: {
      resources: Object.values(res).filter(Boolean),
      apply(batch) {
        // a snapshot equal to what is shown (every stream starts with one) changes nothing
        let changed = false;
        const update = (key, rows) => {
          const next = applyRows(rows, batch.get(res[key]));
          if (!sameRows(rows, next)) {
            changed = true;
          }
          return next;
        };
        if (batch.has(res.run)) {
          const rows = applyRows([model.r], batch.get(res.run));
          // pushed run rows leave out the triggers (read once with the run): keep them
          let next = model.r;
          if (rows.length) {
            next = { ...rows[0] };
            if (next.triggers === undefined && model.r.triggers !== undefined) {
              next.triggers = model.r.triggers;
            }
          }
          if (!sameRows([model.r], [next])) {
            changed = true;
          }
          model.r = next;
        }
        if (batch.has(res.steps)) {
          model.steps = update('steps', model.steps || []);
        }
        if (res.tasks && batch.has(res.tasks)) {
          model.tasks = update('tasks', model.tasks);
        }
        if (batch.has(res.failed)) {
          model.failed = update('failed', model.failed);
        }
        if (changed && timeline && model.steps) {
          timeline.update({ steps: orderSteps(model.steps, dag), runData: model.r });
        }
        if (changed) {
          // how many live batches the page took in (read by the browser tests)
          const doc = document.documentElement.dataset;
          doc.liveApplied = String(Number(doc.liveApplied || 0) + 1);
        }
        return changed;
      },
      rebuild: build,
    },
    title: `${flow}/${runId}`,
    crumbs: [
      { label: 'Runs', href: paths.runs() },
      { label: flow, href: paths.flow(flow) },
      { label: runId },
    ],
    node: build(),
    // rebuilt once the counts are in (when they were not in time for the first render)
    later: model.steps === null ? counted : null,
  };
}

// A section whose content needs every task of the run, while the server reads them.
function countingSection(title, error) {
  return h('section', { class: 'block counting' }, h('h2', null, title),
    error
      ? message('warn', 'The task counts could not be loaded; the tasks below are still listed.', h('p', null, error.message))
      : h('p', { class: 'loading muted' }, 'Counting the tasks of this run…'));
}

function orderSteps(steps, dag) {
  const order = dag ? stepOrder(dag) : [];
  const rank = (s) => {
    const i = order.indexOf(String(s.step_name));
    return i < 0 ? order.length : i;
  };
  const time = (s) => Number(s.started_at ?? s.ts_epoch ?? 0);
  return steps
    .filter((s) => s.step_name !== '_parameters')
    .slice()
    .sort((a, b) => rank(a) - rank(b) || time(a) - time(b));
}

function runHeader(flow, r, runId) {
  const status = normalizeStatus(r.status);
  const tags = Array.isArray(r.tags) ? r.tags.map(String) : [];
  const systemTags = Array.isArray(r.system_tags) ? r.system_tags.map(String) : [];
  const user = r.user ?? r.user_name;
  return h('header', { class: ['run-head', `head-${status}`] },
    h('div', { class: 'title-row' },
      h('h1', null, h('span', { class: 'eyebrow' }, h('a', { href: paths.flow(flow) }, flow)), h('span', { class: 'id' }, runId)),
      statusBadge(r.status, r.status_reason, { large: true })),
    r.status_reason ? h('p', { class: 'reason' }, String(r.status_reason)) : null,
    h('dl', { class: 'facts' },
      fact('User', user === null || user === undefined ? '—'
        : h('a', { href: paths.runs({ user: String(user) }), title: `Runs by ${user}` }, String(user))),
      fact('Started', timeEl(r.ts_epoch)),
      fact('Finished', timeEl(r.finished_at, { empty: status === 'running' ? 'still running' : '—' })),
      fact('Duration', durationEl(r.duration, { running: status === 'running', start: r.ts_epoch })),
      Array.isArray(r.triggers) && r.triggers.length ? fact('Triggered by', triggerList(r.triggers)) : null,
      r.project ? fact('Project', h('a', { href: paths.runs({ _tags: `project:${r.project}` }) }, String(r.project)),
        r.branch ? [' / ', h('a', { href: paths.runs({ _tags: `project_branch:${r.branch}` }) }, String(r.branch))] : null) : null,
      fact('Tags', tags.length ? h('span', { class: 'tags' }, tags.map((t) => tagChip(t, { href: paths.runs({ _tags: t }) }))) : h('span', { class: 'muted' }, 'none')),
      fact('System tags', systemTags.length
        ? h('span', { class: 'tags' }, systemTags.map((t) => tagChip(t, { href: paths.runs({ _tags: t }), system: true })))
        : h('span', { class: 'muted' }, 'none'))));
}

// What started the run (execution-triggers): an upstream Metaflow run links to its page, an event
// is named with its type and time.
function triggerList(triggers) {
  return h('ul', { class: 'triggers' }, triggers.map((t) => {
    const type = t.type ? String(t.type) : 'trigger';
    const when = t.timestamp ? [' ', timeEl(t.timestamp)] : null;
    if (t.flow_id && t.run_id) {
      return h('li', { class: 'trigger trigger-run' },
        h('a', { href: paths.run(String(t.flow_id), String(t.run_id)), title: t.id ? `Triggered when ${t.id} finished` : null },
          `${t.flow_id}/${t.run_id}`),
        h('span', { class: 'muted' }, ` ${type}`), when);
    }
    return h('li', { class: 'trigger' },
      h('span', { class: 'mono', title: t.id ? `id ${t.id}` : null }, t.name ? String(t.name) : (t.id ? String(t.id) : 'unnamed')),
      h('span', { class: 'muted' }, ` ${type}`), when);
  }));
}

function failedShortcut(flow, run, failed, steps, hrefHere) {
  const totalFailed = steps.reduce((n, s) => n + Number((s.task_counts || {}).failed || 0), 0);
  if (!failed.length && !totalFailed) {
    return null;
  }
  const count = Math.max(totalFailed, failed.length);
  const shown = failed.slice(0, FAILED_SHOWN);
  return h('section', { class: 'failed-box', 'aria-labelledby': 'failed-title' },
    h('h2', { id: 'failed-title' }, h('span', { 'aria-hidden': 'true' }, '✕ '), plural(count, 'failed task')),
    h('ul', null, shown.map((t) => {
      const step = String(t.step_name);
      const task = String(t.task_id);
      const attempt = t.attempt_id;
      return h('li', null,
        h('a', { class: 'btn btn-danger', href: paths.task(flow, run, step, task, { log: 'err' }) },
          'stderr of ', h('span', { class: 'id' }, `${step}/${task}`), h('span', { 'aria-hidden': 'true' }, ' →')),
        t.status_reason
          ? h('span', { class: 'muted' }, ` ${t.status_reason}`)
          : (Number(t.attempt_count || 1) > 1 ? h('span', { class: 'muted' }, ` attempt ${attempt}`) : null));
    })),
    count > shown.length
      ? h('p', null, h('a', { href: hrefHere({ status: 'failed', step: null, _page: null }) + '#tasks' }, `Show all ${formatCount(count)} failed tasks`))
      : null);
}

function parametersSection(paramsRes) {
  if (!paramsRes.ok) {
    const e = paramsRes.error;
    if (e instanceof ApiError && e.status === 404) {
      return null;
    }
    return h('section', { class: 'block' }, h('h2', null, 'Parameters'), message('warn', 'Parameters could not be loaded.', h('p', null, e.message)));
  }
  const data = paramsRes.value.data && typeof paramsRes.value.data === 'object' ? paramsRes.value.data : {};
  const names = Object.keys(data).sort();
  if (!names.length) {
    return null;
  }
  return h('section', { class: 'block' },
    h('h2', null, 'Parameters'),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'grid kv' },
        h('thead', null, h('tr', null, th('Name'), th('Value'))),
        h('tbody', null, names.map((name) => h('tr', null,
          h('th', { scope: 'row', class: 'mono' }, name),
          h('td', null, parameterValue(data[name]))))))));
}

function parameterValue(p) {
  if (!p || typeof p !== 'object' || !('value' in p)) {
    return h('code', null, JSON.stringify(p));
  }
  if (p.available === false) {
    return h('span', { class: 'unavailable' },
      h('span', { class: 'status status-unknown' }, 'unavailable'),
      p.reason ? h('span', { class: 'muted' }, ` ${String(p.reason)}`) : null);
  }
  if (p.rendered === false || p.truncated === true) {
    return [h('code', null, String(p.value)),
      h('span', { class: 'muted' }, p.truncated ? ' (truncated)' : ` (${p.type || 'not rendered'})`)];
  }
  const v = p.value;
  if (v !== null && typeof v === 'object') {
    return h('code', { class: 'json' }, JSON.stringify(v));
  }
  return h('code', null, typeof v === 'string' ? v : JSON.stringify(v));
}

// The graph could not be loaded (not merely absent): say so where it would be.
function dagProblem(dagRes) {
  if (dagRes.ok || (dagRes.error instanceof ApiError && dagRes.error.status === 404)) {
    return null;
  }
  return h('section', { class: 'block' }, h('h2', null, 'Graph'),
    message('warn', 'The graph could not be loaded; steps are shown in the order they started.', h('p', null, dagRes.error.message)));
}

function dagSection(dag, steps, stepFilter, hrefHere, unknownText) {
  const view = dagView(dag, steps, stepFilter, (step) => hrefHere({ step: step === stepFilter ? null : step, _page: null }) + '#tasks',
    unknownText);
  if (!view) {
    return null;
  }
  return h('details', { class: 'block', id: 'graph', open: true, dataset: { key: 'graph' } },
    h('summary', null, h('h2', null, 'Graph')),
    view);
}

function stepsSection(steps, dag, stepFilter, hrefHere) {
  if (!steps.length) {
    return h('section', { class: 'block' }, h('h2', null, 'Steps'), message('empty', 'No steps yet.'));
  }
  return h('section', { class: 'block' },
    h('h2', null, 'Steps'),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'grid steps-table' },
        h('thead', null, h('tr', null, th('Step'), th('Status'), th('Tasks'), th('Started'), th('Finished'), th('Duration', 'col-num'))),
        h('tbody', null, steps.map((s) => {
          const name = String(s.step_name);
          const counts = s.task_counts || {};
          const status = normalizeStatus(s.status);
          const selected = name === stepFilter;
          const type = dag && dag.steps ? stepTypeLabel(dag.steps[name]) : '';
          return h('tr', { class: [`row-${status}`, selected && 'selected'] },
            h('td', null,
              h('a', {
                href: hrefHere({ step: selected ? null : name, _page: null }) + '#tasks',
                'aria-current': selected ? 'true' : null,
                title: selected ? 'Show tasks of all steps' : `Show the tasks of ${name}`,
              }, name),
              type ? h('span', { class: 'sub-inline' }, ` ${type}`) : null),
            h('td', null, statusBadge(s.status, s.status_reason)),
            h('td', { class: 'counts' }, taskCounts(counts)),
            h('td', null, timeEl(s.started_at ?? s.ts_epoch)),
            h('td', null, timeEl(s.finished_at)),
            h('td', { class: 'col-num' }, durationEl(s.duration, { running: status === 'running', start: s.started_at })));
        })))));
}

function taskCounts(counts) {
  const parts = TASK_STATUSES.filter((st) => Number(counts[st] || 0) > 0).map((st) => statusCount(st, Number(counts[st])));
  const total = Number(counts.total ?? TASK_STATUSES.reduce((n, st) => n + Number(counts[st] || 0), 0));
  return [h('span', { class: 'count-total', title: plural(total, 'task') }, formatCount(total)), ...parts];
}

function tasksSection({ unknownStep, listHolder, flow, run, tasks, steps, known: countsKnown, page, hasNext, statusFilter, stepFilter, order, hrefHere, search, fetchPage }) {
  const counts = {};
  for (const s of steps) {
    if (stepFilter && String(s.step_name) !== stepFilter) {
      continue;
    }
    for (const st of STATUSES) {
      counts[st] = (counts[st] || 0) + Number((s.task_counts || {})[st] || 0);
    }
  }
  const total = STATUSES.reduce((n, st) => n + (counts[st] || 0), 0);
  const filters = h('div', { class: 'filters' },
    h('div', { class: 'seg', role: 'group', 'aria-label': 'Task status' },
      [['', 'All', total], ...TASK_STATUSES.map((st) => [st, st[0].toUpperCase() + st.slice(1), counts[st] || 0])]
        .filter(([st, , n]) => !st || n > 0 || st === statusFilter || !countsKnown)
        .map(([st, label, n]) => h('a', {
          class: ['seg-item', st && `seg-${st}`],
          href: hrefHere({ status: st || null, _page: null }) + '#tasks',
          'aria-current': statusFilter === st ? 'true' : null,
        }, label, h('span', { class: 'seg-count' }, countsKnown ? formatCount(n) : '…')))),
    stepFilter
      ? h('span', { class: 'chip chip-filter' }, 'step: ', h('strong', null, stepFilter), ' ',
        h('a', { href: hrefHere({ step: null, _page: null }) + '#tasks', 'aria-label': `Remove step filter ${stepFilter}`, title: 'Show all steps' }, '✕'))
      : null,
    taskSearch(search, hrefHere));

  let body;
  if (!tasks.length && unknownStep) {
    body = message('empty', `This run has no step "${stepFilter}".`,
      h('p', null, h('a', { href: hrefHere({ step: null, _page: null }) + '#tasks' }, 'Show the tasks of all steps')));
  } else if (!tasks.length) {
    body = page > 1
      ? message('empty', `No tasks on page ${formatCount(page)}.`, h('p', null, h('a', { href: hrefHere({ _page: null }) + '#tasks' }, 'Go to the first page')))
      : message('empty', statusFilter || stepFilter || search ? 'No tasks match these filters.' : 'No tasks yet.');
  } else {
    const sortHref = (o) => hrefHere({ _order: o === '+ts_epoch' ? null : o, _page: null }) + '#tasks';
    const known = search || !countsKnown ? null : (statusFilter ? (counts[statusFilter] || 0) : total);
    const thead = h('thead', null, h('tr', null,
          sortHeader('Task', 'task_id', order, sortHref, { firstDir: '+' }),
          th('Step'), th('Status'), th('Attempts', 'col-num'), th('Foreach'),
          sortHeader('Started', 'started_at', order, sortHref, { firstDir: '+' }),
          sortHeader('Finished', 'finished_at', order, sortHref),
          sortHeader('Duration', 'duration', order, sortHref, { cls: 'col-num' }),
          th('Logs')));
    const rows = known && known >= tasks.length ? known : null;
    // one list for the life of the page: a re-render (live changes, counts arriving) refreshes the
    // rows in view and keeps its scroll position, which is also kept in the URL (at=<row>)
    if (!listHolder.list) {
      listHolder.list = virtualTable({
        thead, className: 'grid tasks-table', columns: 9, pageSize: TASK_PAGE_SIZE,
        total: rows, firstPage: tasks, firstHasNext: hasNext, fetchPage,
        renderRow: (t) => taskRow(flow, run, t), key: `${flow}/${run}?${statusFilter}&${stepFilter}&${search}&${order}`,
        label: 'Tasks (scroll to load more)', positionParam: 'at',
      });
    } else {
      listHolder.list.invalidate({ firstPage: tasks, hasNext, total: rows });
      listHolder.list.reattach();
    }
    body = listHolder.list.node;
  }
  return h('section', { class: 'block', id: 'tasks' },
    h('h2', null, 'Tasks', stepFilter ? h('span', { class: 'muted' }, ` of ${stepFilter}`) : null),
    filters,
    body);
}

// Search by foreach value (e.g. "items[3]" or "=42") or task id, on the server, on Enter.
function taskSearch(search, hrefHere) {
  const input = h('input', {
    type: 'search', id: 'task-q', class: 'task-search', value: search, placeholder: 'Foreach value or task id',
    'aria-label': 'Find tasks by foreach value or task id', spellcheck: 'false', autocomplete: 'off', maxlength: '200',
  });
  const form = h('form', { class: 'task-search-form', role: 'search' }, input,
    h('button', { type: 'submit', class: 'btn btn-small' }, 'Find'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(hrefHere({ q: input.value.trim() || null, _page: null }) + '#tasks', { scroll: 'keep' });
  });
  return form;
}

function taskRow(flow, run, t) {
  const step = String(t.step_name);
  const task = String(t.task_id);
  const status = normalizeStatus(t.status);
  const attempts = Number(t.attempt_count ?? (Number(t.attempt_id ?? 0) + 1));
  const link = (q) => paths.task(flow, run, step, task, q);
  return h('tr', { class: `row-${status}` },
    h('td', null, h('a', { class: 'id', href: link() }, task)),
    h('td', null, step),
    h('td', null, statusBadge(t.status, t.status_reason)),
    h('td', { class: 'col-num' }, attempts > 1
      ? h('span', { class: 'retried', title: `Retried: ${attempts} attempts, showing the latest (${t.attempt_id})` }, formatCount(attempts))
      : formatCount(attempts)),
    h('td', { class: 'mono' }, t.foreach_label ? String(t.foreach_label) : ''),
    h('td', null, timeEl(t.started_at)),
    h('td', null, timeEl(t.finished_at)),
    h('td', { class: 'col-num' }, durationEl(t.duration, { running: status === 'running', start: t.started_at })),
    h('td', { class: 'log-links' },
      h('a', { href: link({ log: 'out' }), title: `stdout of ${step}/${task}` }, 'out'),
      ' · ',
      h('a', { href: link({ log: 'err' }), class: status === 'failed' ? 'err-link' : null, title: `stderr of ${step}/${task}` }, 'err')));
}

// "/" and "/{flow}": the runs list with filters in the URL.
import { h } from '../dom.js';
import { optional } from '../api.js';
import { paths, navigate, withQuery } from '../nav.js';
import { splitList, normalizeStatus, formatCount } from '../format.js';
import { statusBadge, timeEl, durationEl, tagChip, message, pager, sortHeader, th, pageParam } from '../ui.js';

const STATUS_FILTERS = [
  ['', 'All'],
  ['running', 'Running'],
  ['failed', 'Failed'],
  ['completed', 'Completed'],
];

// URL query keys passed on to the API as they are (the UI uses the API's names, like Metaflow's UI).
const PASS_THROUGH = ['status', 'user', '_tags', '_tags:any', '_tags:all', 'flow_id',
  'ts_epoch:ge', 'ts_epoch:gt', 'ts_epoch:le', 'ts_epoch:lt', '_limit'];
// Keys that make the list "filtered" (for the empty state and the Clear link).
const FILTER_KEYS = ['status', 'user', '_tags', '_tags:any', '_tags:all', 'flow_id',
  'ts_epoch:ge', 'ts_epoch:gt', 'ts_epoch:le', 'ts_epoch:lt'];
const MAX_TAGS_SHOWN = 4;

export async function runsView({ params, query, load }) {
  const flow = params.flow ?? null;
  const page = pageParam(query, '_page');
  const order = query.get('_order') || '-ts_epoch';
  const apiParams = { _order: order, _page: page };
  for (const key of PASS_THROUGH) {
    if (query.get(key)) {
      apiParams[key] = query.get(key);
    }
  }
  const [runsRes, flowsRes] = await Promise.all([
    load(flow === null ? ['runs'] : ['flows', flow, 'runs'], apiParams),
    optional(load(['flows'], { _limit: 1000, _order: '+flow_id' })), // without it, the select offers the current flow only
  ]);
  const runs = Array.isArray(runsRes.data) ? runsRes.data : [];
  const hasNext = Boolean(runsRes.pages && runsRes.pages.next);
  const flows = flowsRes.ok && Array.isArray(flowsRes.value.data) ? flowsRes.value.data.map((f) => String(f.flow_id)) : [];
  if (flow !== null && !flows.includes(flow)) {
    flows.unshift(flow);
  }

  const listHref = (changes) => {
    const q = withQuery(query, changes);
    return flow === null ? paths.runs(q) : paths.flow(flow, q);
  };
  const filtered = FILTER_KEYS.some((k) => query.get(k));

  const header = h('div', { class: 'page-head' },
    h('div', null,
      flow === null ? h('h1', null, 'Runs') : h('h1', null, h('span', { class: 'eyebrow' }, 'Flow'), flow),
      flow === null ? null : h('p', { class: 'muted' }, h('a', { href: paths.runs(withQuery(query, { _page: null })) }, '← Runs of all flows'))),
    pager(page, hasNext, (p) => listHref({ _page: p > 1 ? p : null }), { label: 'Runs pages (top)' }));

  const body = runs.length
    ? runsTable(runs, query, order, listHref, flow)
    : emptyState(page, filtered, listHref, flow);

  return {
    live: runs.some((r) => normalizeStatus(r.status) === 'running'),
    title: flow === null ? 'Runs' : `${flow} · Runs`,
    crumbs: flow === null ? [{ label: 'Runs' }] : [{ label: 'Runs', href: paths.runs() }, { label: flow }],
    node: h('section', { class: 'view view-runs' },
      header,
      filterBar(query, flow, flows, listHref),
      body,
      h('div', { class: 'page-foot' }, pager(page, hasNext, (p) => listHref({ _page: p > 1 ? p : null }), { label: 'Runs pages' }))),
  };
}

function filterBar(query, flow, flows, listHref) {
  const current = query.get('status') || '';
  const statusLinks = h('div', { class: 'seg', role: 'group', 'aria-label': 'Status' },
    STATUS_FILTERS.map(([value, label]) => h('a', {
      class: ['seg-item', value && `seg-${value}`],
      href: listHref({ status: value || null, _page: null }),
      'aria-current': current === value ? 'true' : null,
    }, label)));

  const flowSelect = h('select', { name: 'flow', id: 'f-flow' },
    h('option', { value: '' }, 'All flows'),
    flows.map((f) => h('option', { value: f, selected: f === flow }, f)));
  const userInput = h('input', {
    type: 'search', name: 'user', id: 'f-user', value: query.get('user') || '',
    placeholder: 'any user', autocomplete: 'off', spellcheck: 'false',
  });
  const tagInput = h('input', {
    type: 'search', name: 'tags', id: 'f-tags', value: splitList(query.get('_tags')).join(', '),
    placeholder: 'e.g. env:prod, team:ml', autocomplete: 'off', spellcheck: 'false',
  });

  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter runs' },
    statusLinks,
    h('label', { class: 'field', for: 'f-flow' }, h('span', null, 'Flow'), flowSelect),
    h('label', { class: 'field', for: 'f-user' }, h('span', null, 'User'), userInput),
    h('label', { class: 'field', for: 'f-tags', title: 'Runs having all these tags (comma separated)' }, h('span', null, 'Tags'), tagInput),
    h('button', { type: 'submit', class: 'btn' }, 'Apply'),
    FILTER_KEYS.some((k) => query.get(k))
      ? h('a', { class: 'btn btn-quiet', href: flow === null ? paths.runs() : paths.flow(flow) }, 'Clear filters')
      : null);

  const submit = () => {
    const tags = splitList(tagInput.value).join(',');
    const q = withQuery(query, { user: userInput.value.trim(), _tags: tags, _page: null });
    const target = flowSelect.value;
    if (target === (flow ?? '')) {
      navigate(flow === null ? paths.runs(q) : paths.flow(flow, q));
    } else {
      navigate(target ? paths.flow(target, q) : paths.runs(q));
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  flowSelect.addEventListener('change', submit);
  return form;
}

function runsTable(runs, query, order, listHref, flow) {
  const sortHref = (o) => listHref({ _order: o === '-ts_epoch' ? null : o, _page: null });
  const head = h('thead', null, h('tr', null,
    sortHeader('Status', 'status', order, sortHref, { firstDir: '+' }),
    flow === null ? sortHeader('Flow', 'flow_id', order, sortHref, { firstDir: '+' }) : null,
    sortHeader('Run', 'run', order, sortHref),
    sortHeader('User', 'user', order, sortHref, { firstDir: '+' }),
    sortHeader('Started', 'ts_epoch', order, sortHref),
    sortHeader('Finished', 'finished_at', order, sortHref),
    sortHeader('Duration', 'duration', order, sortHref, { cls: 'col-num' }),
    th('Tags')));
  const tbody = h('tbody', null, runs.map((run) => runRow(run, query, listHref, flow)));
  // The whole row is clickable for mouse users; the run id is the real, keyboard-reachable link.
  tbody.addEventListener('click', (e) => {
    const row = e.target.closest('tr[data-href]');
    if (!row || e.target.closest('a, button, input, select, label') || String(window.getSelection() || '')) {
      return;
    }
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) {
      return;
    }
    navigate(row.dataset.href);
  });
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'grid runs-table' },
      h('caption', { class: 'sr-only' }, 'Runs, newest first unless sorted otherwise'),
      head, tbody));
}

function runRow(run, query, listHref, flow) {
  const flowId = String(run.flow_id ?? '');
  const runId = String(run.run_id ?? run.run ?? run.run_number ?? '');
  const runHref = paths.run(flowId, runId);
  const status = normalizeStatus(run.status);
  const tags = Array.isArray(run.tags) ? run.tags.map(String) : [];
  const shownTags = tags.slice(0, MAX_TAGS_SHOWN);
  const activeTags = splitList(query.get('_tags'));
  const addTagHref = (tag) => listHref({ _tags: [...new Set([...activeTags, tag])].join(','), _page: null });
  const user = run.user ?? run.user_name;
  const project = run.project ? String(run.project) : null;
  const branch = run.branch ? String(run.branch) : null;

  return h('tr', { class: ['clickable', `row-${status}`], dataset: { href: runHref } },
    h('td', null, statusBadge(run.status, run.status_reason)),
    flow === null
      ? h('td', null,
        project ? h('div', { class: 'sub' }, project, branch ? ` / ${branch}` : '') : null,
        h('a', { href: paths.flow(flowId, withQuery(query, { _page: null, flow_id: null })), title: `Runs of ${flowId}` }, flowId))
      : null,
    h('td', null,
      flow !== null && project ? h('div', { class: 'sub' }, project, branch ? ` / ${branch}` : '') : null,
      h('a', { class: 'id', href: runHref }, String(run.run ?? runId))),
    h('td', null, user === null || user === undefined
      ? h('span', { class: 'muted' }, '—')
      : h('a', { class: 'quiet', href: listHref({ user: String(user), _page: null }), title: `Show runs by ${user}` }, String(user))),
    h('td', null, timeEl(run.ts_epoch)),
    h('td', null, timeEl(run.finished_at, { empty: status === 'running' ? 'running' : '' })),
    h('td', { class: 'col-num' }, durationEl(run.duration, { running: status === 'running' })),
    h('td', { class: 'tags-cell' }, h('span', { class: 'tags' },
      shownTags.map((t) => tagChip(t, { href: addTagHref(t) })),
      tags.length > shownTags.length
        ? h('span', { class: 'chip chip-more', title: tags.slice(MAX_TAGS_SHOWN).join(', ') }, `+${tags.length - shownTags.length}`)
        : null)));
}

function emptyState(page, filtered, listHref, flow) {
  if (page > 1) {
    return message('empty', `No runs on page ${formatCount(page)}.`,
      h('p', null, h('a', { href: listHref({ _page: null }) }, 'Go to the first page')));
  }
  if (filtered) {
    return message('empty', 'No runs match these filters.',
      h('p', null, h('a', { href: flow === null ? paths.runs() : paths.flow(flow) }, 'Clear filters')));
  }
  return message('empty', flow === null ? 'No runs yet.' : 'This flow has no runs yet.');
}

// "/" and "/{flow}": the runs list with filters in the URL.
import { h, replaceChildren } from '../dom.js';
import { optional, apiUrl, getJson } from '../api.js';
import { paths, navigate, withQuery } from '../nav.js';
import { splitList, normalizeStatus, formatCount } from '../format.js';
import { statusBadge, timeEl, durationEl, tagChip, message, pager, sortHeader, th, pageParam, UiError } from '../ui.js';
import { resourceOf, applyRows } from '../live.js';

const STATUS_FILTERS = [
  ['', 'All'],
  ['running', 'Running'],
  ['failed', 'Failed'],
  ['completed', 'Completed'],
];

// URL query keys passed on to the API as they are (the UI uses the API's names, like Metaflow's UI).
const PASS_THROUGH = ['status', 'user', '_tags:any', '_tags:all', 'flow_id',
  'ts_epoch:ge', 'ts_epoch:gt', 'ts_epoch:le', 'ts_epoch:lt', '_limit'];
// Keys that make the list "filtered" (for the empty state and the Clear link).
const FILTER_KEYS = ['status', 'user', '_tags', '_tags:any', '_tags:all', 'flow_id', 'project', 'branch', 'range',
  'ts_epoch:ge', 'ts_epoch:gt', 'ts_epoch:le', 'ts_epoch:lt'];
const DAY = 24 * 3600 * 1000;
// Time range presets ("range" in the URL). Without one the list shows the last 30 days, or all
// time when nothing ran in the last 30 days (so old data never looks like "no runs").
const RANGES = [['24h', 'Last 24 hours', DAY], ['7d', 'Last 7 days', 7 * DAY], ['30d', 'Last 30 days', 30 * DAY],
  ['90d', 'Last 90 days', 90 * DAY], ['all', 'All time', null]];
const DEFAULT_RANGE = '30d';
const GROUPS = [['', 'No grouping'], ['flow', 'Group by flow'], ['user', 'Group by user']];
const GROUP_ORDER = { flow: '+flow_id', user: '+user' };
const MAX_TAGS_SHOWN = 4;

export async function runsView({ params, query, load }) {
  const flow = params.flow ?? null;
  const page = pageParam(query, '_page');
  const group = query.get('group') === 'flow' || query.get('group') === 'user' ? query.get('group') : '';
  const order = query.get('_order') || GROUP_ORDER[group] || '-ts_epoch';
  const apiParams = { _order: order, _page: page };
  for (const key of PASS_THROUGH) {
    if (query.get(key)) {
      apiParams[key] = query.get(key);
    }
  }
  const tags = [...splitList(query.get('_tags'))];
  if (query.get('project')) {
    tags.push(`project:${query.get('project').trim()}`);
  }
  if (query.get('branch')) {
    tags.push(`project_branch:${query.get('branch').trim()}`);
  }
  if (tags.length) {
    apiParams._tags = [...new Set(tags)].join(',');
  }
  const rangeParam = query.get('range');
  if (rangeParam && !RANGES.some(([key]) => key === rangeParam)) {
    throw new UiError(`"range" must be one of ${RANGES.map(([key]) => key).join(', ')}, got "${rangeParam}".`);
  }
  const range = rangeParam || DEFAULT_RANGE;
  const explicitTime = ['ts_epoch:ge', 'ts_epoch:gt', 'ts_epoch:le', 'ts_epoch:lt'].some((k) => query.get(k));
  const span = explicitTime ? null : RANGES.find(([key]) => key === range)[2];
  const listPath = flow === null ? ['runs'] : ['flows', flow, 'runs'];
  const firstParams = span === null ? apiParams : { ...apiParams, 'ts_epoch:ge': rangeStart(span) };
  const [firstRes, flowsRes] = await Promise.all([
    load(listPath, firstParams),
    optional(load(['flows'], { _limit: 1000, _order: '+flow_id' })), // without it, the select offers the current flow only
  ]);
  let runsRes = firstRes;
  let shownParams = firstParams;
  let widened = false;
  if (!rangeParam && span !== null && page === 1 && !(Array.isArray(firstRes.data) && firstRes.data.length)) {
    runsRes = await load(listPath, apiParams);
    shownParams = apiParams;
    widened = Array.isArray(runsRes.data) && runsRes.data.length > 0;
  }
  const shownRange = widened ? 'all' : (explicitTime ? '' : range);
  const model = { runs: Array.isArray(runsRes.data) ? runsRes.data : [] };
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

  const build = () => h('section', { class: 'view view-runs' },
    header,
    filterBar(query, flow, flows, listHref, shownRange),
    widened ? message('info', null, h('p', { class: 'range-note' }, 'Nothing ran in the last 30 days, so all runs are shown.')) : null,
    model.runs.length ? runsTable(model.runs, query, order, listHref, flow, group) : emptyState(page, filtered, listHref, flow),
    h('div', { class: 'page-foot' }, pager(page, hasNext, (p) => listHref({ _page: p > 1 ? p : null }), { label: 'Runs pages' })));
  // the same page, kept up to date by the server (same filters, order and window)
  const resource = resourceOf(listPath, shownParams);

  return {
    live: {
      resources: [resource],
      apply(batch) {
        const events = batch.get(resource);
        if (!events) {
          return false;
        }
        model.runs = applyRows(model.runs, events);
        return true;
      },
      rebuild: build,
    },
    title: flow === null ? 'Runs' : `${flow} · Runs`,
    crumbs: flow === null ? [{ label: 'Runs' }] : [{ label: 'Runs', href: paths.runs() }, { label: flow }],
    node: build(),
  };
}

/** Start of a preset time range, rounded down to the minute so that re-renders share one request. */
function rangeStart(span) {
  return Math.floor((Date.now() - span) / 60000) * 60000;
}

/**
 * Fills a <datalist> with server suggestions (/api/autocomplete/{kind}) for what is typed; for a
 * comma-separated list only the last item is completed.
 */
function autocomplete(input, kind, flow, { list = false } = {}) {
  const id = `dl-${kind}`;
  const datalist = h('datalist', { id });
  input.setAttribute('list', id);
  let timer = null;
  let asked = null;
  const refresh = async () => {
    const text = input.value;
    const parts = list ? text.split(',') : [text];
    const part = parts[parts.length - 1].trim();
    const head = list ? parts.slice(0, -1).map((x) => x.trim()).filter(Boolean) : [];
    const key = `${part}|${head.join(',')}`;
    if (key === asked) {
      return;
    }
    asked = key;
    try {
      const res = await getJson(apiUrl(['autocomplete', kind], { q: part, flow_id: flow, _limit: 20 }));
      if (asked !== key) {
        return;
      }
      const values = Array.isArray(res.data) ? res.data.map(String) : [];
      replaceChildren(datalist, values.map((v) => h('option', { value: list ? [...head, v].join(', ') : v })));
    } catch {
      asked = null; // suggestions are a convenience: the field works without them
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  };
  input.addEventListener('focus', later);
  input.addEventListener('input', later);
  return datalist;
}

function filterBar(query, flow, flows, listHref, shownRange) {
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
    placeholder: 'e.g. env:test', autocomplete: 'off', spellcheck: 'false',
  });

  const projectInput = h('input', {
    type: 'search', name: 'project', id: 'f-project', value: query.get('project') || '',
    placeholder: 'any project', autocomplete: 'off', spellcheck: 'false',
  });
  const branchInput = h('input', {
    type: 'search', name: 'branch', id: 'f-branch', value: query.get('branch') || '',
    placeholder: 'any branch', autocomplete: 'off', spellcheck: 'false',
  });
  const rangeSelect = h('select', { name: 'range', id: 'f-range' },
    shownRange === '' ? h('option', { value: '', selected: true }, 'Custom range') : null,
    RANGES.map(([key, label]) => h('option', { value: key, selected: key === shownRange }, label)));
  const groupSelect = h('select', { name: 'group', id: 'f-group' },
    GROUPS.map(([key, label]) => h('option', { value: key, selected: key === (query.get('group') || '') }, label)));

  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter runs' },
    statusLinks,
    h('label', { class: 'field', for: 'f-flow' }, h('span', null, 'Flow'), flowSelect),
    h('label', { class: 'field', for: 'f-user' }, h('span', null, 'User'), userInput, autocomplete(userInput, 'users', flow)),
    h('label', { class: 'field', for: 'f-tags', title: 'Runs having all these tags (comma separated)' },
      h('span', null, 'Tags ', h('span', { class: 'field-hint' }, '(runs having all of them, comma separated)')), tagInput,
      autocomplete(tagInput, 'tags', flow, { list: true })),
    h('label', { class: 'field', for: 'f-project', title: 'The project of @project flows (system tag project:)' }, h('span', null, 'Project'), projectInput),
    h('label', { class: 'field', for: 'f-branch', title: 'The project branch (system tag project_branch:)' }, h('span', null, 'Branch'), branchInput),
    h('label', { class: 'field', for: 'f-range' }, h('span', null, 'Started'), rangeSelect),
    h('label', { class: 'field', for: 'f-group' }, h('span', null, 'Group'), groupSelect),
    h('button', { type: 'submit', class: 'btn' }, 'Apply'),
    FILTER_KEYS.some((k) => query.get(k))
      ? h('a', { class: 'btn btn-quiet', href: flow === null ? paths.runs() : paths.flow(flow) }, 'Clear filters')
      : null);

  const submit = () => {
    const tags = splitList(tagInput.value).join(',');
    const range = rangeSelect.value;
    const q = withQuery(query, {
      user: userInput.value.trim(), _tags: tags, project: projectInput.value.trim(), branch: branchInput.value.trim(),
      range: range === DEFAULT_RANGE ? null : range, group: groupSelect.value, _page: null,
    });
    if (range) {
      for (const k of ['ts_epoch:ge', 'ts_epoch:gt', 'ts_epoch:le', 'ts_epoch:lt']) {
        q.delete(k);
      }
    }
    if (groupSelect.value !== (query.get('group') || '')) {
      q.delete('_order'); // the grouping brings its own order
    }
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
  rangeSelect.addEventListener('change', submit);
  groupSelect.addEventListener('change', submit);
  return form;
}

function groupKey(run, group) {
  if (group === 'flow') {
    return String(run.flow_id ?? '');
  }
  const user = run.user ?? run.user_name;
  return user === null || user === undefined ? '' : String(user);
}

function runsTable(runs, query, order, listHref, flow, group) {
  const sortHref = (o) => listHref({ _order: o === (GROUP_ORDER[group] || '-ts_epoch') ? null : o, _page: null });
  const head = h('thead', null, h('tr', null,
    sortHeader('Status', 'status', order, sortHref, { firstDir: '+' }),
    flow === null ? sortHeader('Flow', 'flow_id', order, sortHref, { firstDir: '+' }) : null,
    sortHeader('Run', 'run', order, sortHref),
    sortHeader('User', 'user', order, sortHref, { firstDir: '+' }),
    sortHeader('Started', 'ts_epoch', order, sortHref),
    sortHeader('Finished', 'finished_at', order, sortHref),
    sortHeader('Duration', 'duration', order, sortHref, { cls: 'col-num' }),
    th('Tags')));
  const columns = flow === null ? 8 : 7;
  const rows = [];
  let current = null;
  for (const run of runs) {
    if (group) {
      const key = groupKey(run, group);
      if (key !== current) {
        current = key;
        const n = runs.filter((r) => groupKey(r, group) === key).length;
        rows.push(h('tr', { class: 'group-row' }, h('th', { scope: 'colgroup', colspan: String(columns) },
          group === 'flow' ? 'Flow ' : 'User ', h('strong', null, key || '—'),
          h('span', { class: 'muted' }, ` · ${formatCount(n)} on this page`))));
      }
    }
    rows.push(runRow(run, query, listHref, flow));
  }
  const tbody = h('tbody', null, rows);
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
    h('td', { class: 'col-num' }, durationEl(run.duration, { running: status === 'running', start: run.ts_epoch })),
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

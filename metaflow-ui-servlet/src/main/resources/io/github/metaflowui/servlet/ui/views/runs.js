// "/" and "/{flow}": the runs list with filters in the URL. The list scrolls without end: the next
// page loads as the end comes near, and only the rows in view are in the DOM (virtual-list.js).
// Live updates never move rows under the reader: scrolled down, new runs wait behind a "N new runs"
// button, and runs that leave the filters (a running run that finished, under status=running) are
// marked, not removed, until the reader is back at the top. The first run in view is kept in the URL
// (`at=flow/run`, replaced as one scrolls, no new history entries), so a copied link reopens there.
import { h, replaceChildren } from '../dom.js';
import { ApiError, optional, apiUrl, getJson, queryString } from '../api.js';
import { paths, navigate, withQuery } from '../nav.js';
import { splitList, normalizeStatus, formatCount, plural } from '../format.js';
import { statusBadge, timeEl, durationEl, tagChip, message, sortHeader, th, pageParam, UiError } from '../ui.js';
import { resourceOf, applyRows, rowKey } from '../live.js';
import { virtualRows } from '../virtual-list.js';

const STATUS_FILTERS = [
  ['', 'All'],
  ['running', 'Running'],
  ['failed', 'Failed'],
  ['completed', 'Completed'],
];

// URL query keys passed on to the API as they are (the UI uses the API's names, like Metaflow's UI).
const PASS_THROUGH = ['status', 'user', '_tags:any', '_tags:all', 'flow_id',
  'ts_epoch:ge', 'ts_epoch:gt', 'ts_epoch:le', 'ts_epoch:lt'];
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
const NEAR_END = 25;       // rows before the end of what is loaded at which the next page is asked for
const URL_EVERY_MS = 250;  // the `at=` position is written at most this often

export async function runsView({ params, query, load }) {
  const flow = params.flow ?? null;
  // `_page` links (from the old pager) open at that page's first run; `at` names the first run in view
  const startPage = pageParam(query, '_page');
  const at = (query.get('at') || '').trim();
  // runs per request: `_limit` in the URL, else the server's page size (the first page tells it)
  const askedLimit = query.get('_limit') ? pageParam(query, '_limit', 1, 1000) : null;
  const linkQuery = withQuery(query, { at: null, _page: null }); // what links keep of this view's URL
  const group = query.get('group') === 'flow' || query.get('group') === 'user' ? query.get('group') : '';
  const order = query.get('_order') || GROUP_ORDER[group] || '-ts_epoch';
  const apiParams = { _order: order, _limit: askedLimit };
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
  if (!rangeParam && span !== null && !(Array.isArray(firstRes.data) && firstRes.data.length)) {
    runsRes = await load(listPath, apiParams);
    shownParams = apiParams;
    widened = Array.isArray(runsRes.data) && runsRes.data.length > 0;
  }
  const shownRange = widened ? 'all' : (explicitTime ? '' : range);
  const firstData = Array.isArray(runsRes.data) ? runsRes.data : [];
  // the size of a full page (and of the live window): a first page with a next one is full; without
  // one the window holds the whole list
  const limit = askedLimit ?? (runsRes.pages && runsRes.pages.next ? firstData.length : Infinity);

  // where the list starts: the page holding the `at` run, the `_page` asked for, or the top
  let startRes = runsRes;
  let note = null;
  if (at) {
    const res = await optional(load(listPath, { ...shownParams, _at: at }));
    if (res.ok && res.value.pages && typeof res.value.pages.at === 'number') {
      startRes = res.value;
    } else if (res.ok) {
      note = `The run ${at} of this link is not in the list any more, so the list starts at the top.`;
    } else if (res.error instanceof ApiError && res.error.status === 400) {
      throw new UiError(`"at" must name a run as flow/run, got "${at.slice(0, 80)}".`);
    } else {
      throw res.error;
    }
  } else if (startPage > 1) {
    const res = await load(listPath, { ...shownParams, _page: startPage });
    if (Array.isArray(res.data) && res.data.length) {
      startRes = res;
    } else {
      note = `There is no page ${formatCount(startPage)} any more, so the list starts at the top.`;
    }
  }
  const firstRows = (res) => (Array.isArray(res.data) ? res.data : []);
  const topPage = startRes === runsRes ? 1 : Number(startRes.pages && startRes.pages.self) || 1;
  const list = {
    rows: firstRows(startRes),
    topPage, // the page of the first loaded run (1: the list starts at the top)
    nextCursor: (startRes.pages && startRes.pages.next_cursor) || null,
    nextPage: topPage + 1,
    hasMore: Boolean(startRes.pages && startRes.pages.next),
    loadingDown: false,
    loadingUp: false,
    downError: null,
    upError: null,
    // the live window: the first page as the server last sent it (null until known)
    window: topPage === 1 ? firstRows(startRes).slice() : null,
    pending: new Map(), // runs that arrived while the reader was scrolled down, by key
    left: new Set(),    // keys of shown runs that left the list while the reader was scrolled down
  };

  const flows = flowsRes.ok && Array.isArray(flowsRes.value.data) ? flowsRes.value.data.map((f) => String(f.flow_id)) : [];
  if (flow !== null && !flows.includes(flow)) {
    flows.unshift(flow);
  }

  const listHref = (changes) => {
    const q = withQuery(linkQuery, changes);
    return flow === null ? paths.runs(q) : paths.flow(flow, q);
  };
  const filtered = FILTER_KEYS.some((k) => query.get(k));

  const header = h('div', { class: 'page-head' },
    h('div', null,
      flow === null ? h('h1', null, 'Runs') : h('h1', null, h('span', { class: 'eyebrow' }, 'Flow'), flow),
      flow === null ? null : h('p', { class: 'muted' }, h('a', { href: paths.runs(linkQuery) }, '← Runs of all flows'))));

  // ---- rows on screen: runs, group headings, and "loading" rows at the ends
  let display = [];
  const rebuildDisplay = () => {
    const out = [];
    if (list.topPage > 1) {
      out.push({ type: 'up' });
    }
    let current = null;
    let heading = null;
    for (const run of list.rows) {
      if (group) {
        const key = groupKey(run, group);
        if (heading === null || key !== current) {
          current = key;
          heading = { type: 'group', key, n: 0, open: heading === null && list.topPage > 1 };
          out.push(heading);
        }
        heading.n += 1;
      }
      out.push({ type: 'run', run, key: rowKey(run) });
    }
    if (heading && list.hasMore) {
      heading.more = true;
    }
    if (list.hasMore || list.downError) {
      out.push({ type: 'down' });
    }
    display = out;
  };
  rebuildDisplay();

  const newRuns = h('button', { type: 'button', class: 'btn new-runs', hidden: true });
  let table = null;
  const onRange = (top, bottom) => {
    if (list.hasMore && bottom >= display.length - NEAR_END) {
      loadDown();
    }
    if (list.topPage > 1 && top <= NEAR_END) {
      loadUp();
    }
    if (list.topPage === 1 && (list.pending.size || list.left.size) && table.atTop()) {
      setTimeout(() => {
        if (list.topPage === 1 && table.atTop()) {
          applyWindow();
        }
      }, 0);
    }
    scheduleUrl();
  };
  const gone = () => !table || !table.node.isConnected;

  async function loadDown() {
    if (list.loadingDown || !list.hasMore || list.downError) {
      return;
    }
    list.loadingDown = true;
    try {
      const res = await load(listPath, list.nextCursor
        ? { ...shownParams, _cursor: list.nextCursor } : { ...shownParams, _page: list.nextPage });
      const seen = new Set(list.rows.map(rowKey));
      list.rows.push(...firstRows(res).filter((r) => !seen.has(rowKey(r))));
      list.nextCursor = (res.pages && res.pages.next_cursor) || null;
      list.nextPage += 1;
      list.hasMore = Boolean(res.pages && res.pages.next);
    } catch (e) {
      if (e && e.name === 'AbortError') {
        return;
      }
      list.downError = e;
    } finally {
      list.loadingDown = false;
    }
    if (!gone()) {
      rebuildDisplay();
      table.refresh();
    }
  }

  async function loadUp() {
    if (list.loadingUp || list.topPage <= 1 || list.upError) {
      return;
    }
    list.loadingUp = true;
    const first = display.find((d) => d.type === 'run');
    const anchor = first ? first.key : null; // display is rebuilt meanwhile when pages load below
    try {
      const page = list.topPage - 1;
      const res = await load(listPath, { ...shownParams, _page: page });
      const seen = new Set(list.rows.map(rowKey));
      list.rows = [...firstRows(res).filter((r) => !seen.has(rowKey(r))), ...list.rows];
      list.topPage = page;
      if (page === 1 && list.window === null) {
        list.window = firstRows(res).slice();
      }
    } catch (e) {
      if (e && e.name === 'AbortError') {
        return;
      }
      list.upError = e;
    } finally {
      list.loadingUp = false;
    }
    if (!gone()) {
      const isAnchor = (d) => d.type === 'run' && d.key === anchor;
      const was = display.findIndex(isAnchor);
      rebuildDisplay();
      const now = display.findIndex(isAnchor);
      table.shift(was >= 0 && now >= 0 ? now - was : 0); // the same runs stay in view
    }
  }

  // ---- live: the first page (the window) as the server sees it
  const resource = resourceOf(listPath, shownParams);
  const updateButton = () => {
    const n = list.pending.size;
    newRuns.hidden = n === 0;
    replaceChildren(newRuns, '↑ ', plural(n, 'new run'));
  };
  const applyWindow = () => {
    const win = list.window || [];
    const inWindow = new Set(win.map(rowKey));
    if (list.topPage > 1 || [...list.pending.keys()].some((k) => !inWindow.has(k))) {
      // opened further down, or more runs arrived than the window holds: start again from the
      // window (the first page), the rest loads on scrolling
      list.rows = win.slice();
      list.topPage = 1;
      list.upError = null;
      list.nextCursor = null;
      list.nextPage = 2;
      list.hasMore = win.length >= limit;
      list.downError = null;
    } else {
      const drop = list.left;
      list.rows = [...win, ...list.rows.filter((r) => !inWindow.has(rowKey(r)) && !drop.has(rowKey(r)))];
    }
    list.pending.clear();
    list.left.clear();
    updateButton();
    rebuildDisplay();
    if (!gone()) {
      table.refresh();
    }
  };
  newRuns.addEventListener('click', () => {
    applyWindow();
    table.scrollToIndex(0);
    scheduleUrl();
  });

  /** The server's window moved from `before` to `after`: patch, insert, or hold back. */
  const windowChanged = (before, after) => {
    list.window = after;
    const beforeKeys = before.map(rowKey);
    const beforeSet = new Set(beforeKeys);
    const afterKeys = after.map(rowKey);
    const afterSet = new Set(afterKeys);
    const shown = new Map(list.rows.map((r, i) => [rowKey(r), i]));
    after.forEach((r, j) => {
      const i = shown.get(afterKeys[j]);
      if (i !== undefined) {
        list.rows[i] = r; // a status change (or any other) in place
      }
    });
    // new to the window and not shown: arrivals, unless they only moved up from below a full window
    const full = before.length >= limit;
    let lastBefore = -1;
    afterKeys.forEach((k, j) => {
      if (beforeSet.has(k)) {
        lastBefore = j;
      }
    });
    const arrived = after.filter((r, j) => !beforeSet.has(afterKeys[j]) && !shown.has(afterKeys[j])
      && (!full || lastBefore < 0 || j < lastBefore));
    // gone from the window: left the list, unless they were only pushed out of its end
    let lastKept = -1;
    beforeKeys.forEach((k, j) => {
      if (afterSet.has(k)) {
        lastKept = j;
      }
    });
    const left = beforeKeys.filter((k, j) => !afterSet.has(k) && j < lastKept);
    left.forEach((k) => list.pending.delete(k));
    arrived.forEach((r) => list.pending.set(rowKey(r), r));
    left.filter((k) => shown.has(k)).forEach((k) => list.left.add(k));
    updateButton();
    if (list.topPage === 1 && table.atTop()) {
      applyWindow(); // at the top: new runs appear, finished ones go, as they happen
    } else {
      rebuildDisplay();
      table.refresh();
    }
  };

  const runsList = () => {
    const cols = flow === null ? 8 : 7;
    const renderRow = (i) => {
      const item = display[i];
      if (!item) {
        return h('tr', { class: 'vplaceholder' }, h('td', { colspan: String(cols) }));
      }
      if (item.type === 'run') {
        const row = runRow(item.run, linkQuery, listHref, flow);
        if (list.left.has(item.key)) {
          row.classList.add('row-left');
          row.title = 'No longer matches the filters; it goes when you scroll back to the top.';
        }
        return row;
      }
      if (item.type === 'group') {
        const count = `${formatCount(item.n)}${item.more || item.open ? '+' : ''} ${item.n === 1 && !item.more && !item.open ? 'run' : 'runs'}`;
        return h('tr', { class: 'group-row' }, h('th', { scope: 'colgroup', colspan: String(cols) },
          group === 'flow' ? 'Flow ' : 'User ', h('strong', null, item.key || '—'),
          h('span', { class: 'muted' }, ` · ${count}`)));
      }
      const error = item.type === 'up' ? list.upError : list.downError;
      const retry = () => {
        if (item.type === 'up') {
          list.upError = null;
          loadUp();
        } else {
          list.downError = null;
          loadDown();
        }
        rebuildDisplay();
        table.refresh();
      };
      return h('tr', { class: ['vplaceholder', `vload-${item.type}`] }, h('td', { colspan: String(cols), class: 'muted' },
        error ? [`Could not load more runs: ${error.message} `, h('button', { type: 'button', class: 'btn btn-small', onclick: retry }, 'Retry')]
          : (item.type === 'up' ? 'Loading earlier runs…' : 'Loading more runs…')));
    };
    let start = 0;
    if (at && startRes !== runsRes) {
      start = Math.max(0, display.findIndex((d) => d.type === 'run' && d.key === at));
    } else if (list.topPage > 1) {
      start = display.findIndex((d) => d.type === 'run');
    }
    if (start > 0 && display[start - 1] && display[start - 1].type === 'group') {
      start -= 1; // its heading too
    }
    table = runsTable({ order, listHref, flow, group, cols, count: () => display.length, renderRow, onRange, startIndex: () => start });
    return h('div', { class: 'runs-list' }, newRuns, table.node);
  };

  // the first run wholly in view, or nothing at the very top, kept in the URL
  let urlTimer = null;
  const scheduleUrl = () => {
    if (!urlTimer) {
      urlTimer = setTimeout(writeUrl, URL_EVERY_MS);
    }
  };
  const viewPath = location.pathname;
  function writeUrl() {
    urlTimer = null;
    if (gone() || !table.started() || location.pathname !== viewPath) {
      return;
    }
    let key = null;
    if (!(list.topPage === 1 && table.atTop())) {
      for (let i = table.topIndex(); i < display.length; i++) {
        if (display[i].type === 'run') {
          key = display[i].key;
          break;
        }
      }
    }
    const q = new URLSearchParams(location.search);
    q.delete('_page');
    if (key) {
      q.set('at', key);
    } else {
      q.delete('at');
    }
    const qs = queryString(q);
    const next = `${location.pathname}${qs ? `?${qs}` : ''}${location.hash}`;
    if (next !== `${location.pathname}${location.search}${location.hash}`) {
      history.replaceState(history.state, '', next);
    }
  }

  const hasRuns = list.rows.length > 0;
  const node = h('section', { class: 'view view-runs' },
    header,
    filterBar(linkQuery, flow, flows, listHref, shownRange),
    widened ? message('info', null, h('p', { class: 'range-note' }, 'Nothing ran in the last 30 days, so all runs are shown.')) : null,
    note ? message('info', null, h('p', { class: 'range-note' }, note)) : null,
    hasRuns ? runsList() : emptyState(filtered, flow));

  return {
    live: {
      resources: [resource],
      apply(batch) {
        const events = batch.get(resource);
        if (!events) {
          return false;
        }
        if (list.window === null) {
          const i = events.map((e) => e.type).lastIndexOf('snapshot');
          if (i >= 0) {
            list.window = applyRows([], events.slice(i)); // the first sight of the window: nothing is "new" yet
          }
          return false;
        }
        const before = list.window;
        const after = applyRows(before, events);
        if (!hasRuns) {
          return after.length ? 'reload' : false; // the first runs: draw the list
        }
        windowChanged(before, after);
        return false; // updated in place, never redrawn as a whole
      },
    },
    title: flow === null ? 'Runs' : `${flow} · Runs`,
    crumbs: flow === null ? [{ label: 'Runs' }] : [{ label: 'Runs', href: paths.runs() }, { label: flow }],
    node,
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

function runsTable({ order, listHref, flow, group, cols, count, renderRow, onRange, startIndex }) {
  const sortHref = (o) => listHref({ _order: o === (GROUP_ORDER[group] || '-ts_epoch') ? null : o });
  const thead = h('thead', null, h('tr', null,
    sortHeader('Status', 'status', order, sortHref, { firstDir: '+', cls: 'col-status' }),
    flow === null ? sortHeader('Flow', 'flow_id', order, sortHref, { firstDir: '+', cls: 'col-flow' }) : null,
    sortHeader('Run', 'run', order, sortHref, { cls: 'col-run' }),
    sortHeader('User', 'user', order, sortHref, { firstDir: '+', cls: 'col-user' }),
    sortHeader('Started', 'ts_epoch', order, sortHref, { cls: 'col-time' }),
    sortHeader('Finished', 'finished_at', order, sortHref, { cls: 'col-time' }),
    sortHeader('Duration', 'duration', order, sortHref, { cls: 'col-num col-dur' }),
    th('Tags', 'col-tags')));
  const table = virtualRows({
    thead, className: 'grid runs-table', wrapClass: 'runs-scroll', columns: cols, count, renderRow, onRange, startIndex, fit: true,
    label: 'Runs, newest first unless sorted otherwise (scroll to load more)',
  });
  // The whole row is clickable for mouse users; the run id is the real, keyboard-reachable link.
  table.node.addEventListener('click', (e) => {
    const row = e.target.closest('tr[data-href]');
    if (!row || e.target.closest('a, button, input, select, label') || String(window.getSelection() || '')) {
      return;
    }
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) {
      return;
    }
    navigate(row.dataset.href);
  });
  return table;
}

function runRow(run, query, listHref, flow) {
  const flowId = String(run.flow_id ?? '');
  const runId = String(run.run_id ?? run.run ?? run.run_number ?? '');
  const runHref = paths.run(flowId, runId);
  const status = normalizeStatus(run.status);
  const tags = Array.isArray(run.tags) ? run.tags.map(String) : [];
  const shownTags = tags.slice(0, MAX_TAGS_SHOWN);
  const activeTags = splitList(query.get('_tags'));
  const addTagHref = (tag) => listHref({ _tags: [...new Set([...activeTags, tag])].join(',') });
  const user = run.user ?? run.user_name;
  const project = run.project ? String(run.project) : null;
  const branch = run.branch ? String(run.branch) : null;

  // one line per row (the list is virtualized with one row height): project / branch follow the name
  const projectText = project ? h('span', { class: 'sub-inline', title: `Project ${project}${branch ? `, branch ${branch}` : ''}` },
    ` ${project}${branch ? ` / ${branch}` : ''}`) : null;
  return h('tr', { class: ['clickable', `row-${status}`], dataset: { href: runHref, key: rowKey(run) } },
    h('td', null, statusBadge(run.status, run.status_reason)),
    flow === null
      ? h('td', null,
        h('a', { href: paths.flow(flowId, withQuery(query, { flow_id: null })), title: `Runs of ${flowId}` }, flowId),
        projectText)
      : null,
    h('td', null,
      h('a', { class: 'id', href: runHref, title: String(run.run ?? runId) }, String(run.run ?? runId)),
      flow !== null ? projectText : null),
    h('td', null, user === null || user === undefined
      ? h('span', { class: 'muted' }, '—')
      : h('a', { class: 'quiet', href: listHref({ user: String(user) }), title: `Show runs by ${user}` }, String(user))),
    h('td', null, timeEl(run.ts_epoch)),
    h('td', null, timeEl(run.finished_at, { empty: status === 'running' ? 'running' : '' })),
    h('td', { class: 'col-num' }, durationEl(run.duration, { running: status === 'running', start: run.ts_epoch })),
    h('td', { class: 'tags-cell' }, h('span', { class: 'tags' },
      shownTags.map((t) => tagChip(t, { href: addTagHref(t) })),
      tags.length > shownTags.length
        ? h('span', { class: 'chip chip-more', title: tags.slice(MAX_TAGS_SHOWN).join(', ') }, `+${tags.length - shownTags.length}`)
        : null)));
}

function emptyState(filtered, flow) {
  if (filtered) {
    return message('empty', 'No runs match these filters.',
      h('p', null, h('a', { href: flow === null ? paths.runs() : paths.flow(flow) }, 'Clear filters')));
  }
  return message('empty', flow === null ? 'No runs yet.' : 'This flow has no runs yet.');
}

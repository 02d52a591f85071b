// "/" and "/{flow}": the runs list with filters in the URL. The list scrolls without end: the next
// page loads as the end comes near, and only the rows in view are in the DOM (virtual-list.js).
// Live updates never move rows under the reader: scrolled down, new runs wait behind a "N new runs"
// button, and runs that leave the filters (a running run that finished, under status=running) are
// marked, not removed, until the reader is back at the top. The first run in view is kept in the URL
// (`at=flow/run`, replaced as one scrolls, no new history entries), so a copied link reopens there.
import { h, replaceChildren } from '../dom.js';
import { ApiError, optional, queryString } from '../api.js';
import { paths, navigate, withQuery } from '../nav.js';
import { splitList, normalizeStatus, formatCount, plural, dateTimeInputValue, parseDateTimeInput } from '../format.js';
import { timeZoneSetting } from '../settings.js';
import { autocomplete } from '../autocomplete.js';
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
const GROUP_ROWS = 6;      // runs shown per group (like Metaflow's UI); "show all" filters to the group
const GROUPS_PAGE = 20;    // groups per request
const TIME_KEYS = ['ts_epoch:ge', 'ts_epoch:gt', 'ts_epoch:le', 'ts_epoch:lt'];
// The filters of the last runs list of all flows, restored when the UI is opened at the bare "/".
const SAVED_KEY = 'metaflow-ui.runs-filters';
const SAVED_KEYS = [...new Set([...FILTER_KEYS, 'group', '_order'])];
let firstRender = true;
const landedAt = `${location.pathname}${location.search}`; // the URL the UI was opened at
const MAX_TAGS_SHOWN = 4;
const NEAR_END = 25;       // rows before the end of what is loaded at which the next page is asked for
const URL_EVERY_MS = 250;  // the `at=` position is written at most this often

export async function runsView({ params, query: asked, load }) {
  const flow = params.flow ?? null;
  const query = rememberFilters(flow, asked);
  // `_page` links (from the old pager) open at that page's first run; `at` names the first run in view
  const startPage = pageParam(query, '_page');
  const at = (query.get('at') || '').trim();
  // runs per request: `_limit` in the URL, else the server's page size (the first page tells it)
  const askedLimit = query.get('_limit') ? pageParam(query, '_limit', 1, 1000) : null;
  const linkQuery = withQuery(query, { at: null, _page: null }); // what links keep of this view's URL
  const group = query.get('group') === 'flow' || query.get('group') === 'user' ? query.get('group') : '';
  const order = query.get('_order') || '-ts_epoch';
  // grouped: the API answers groups (in the order of their first run), each with its first runs
  const groupParams = group ? { _group: group === 'flow' ? 'flow_id' : 'user', _group_limit: GROUP_ROWS, _limit: GROUPS_PAGE } : null;
  const asList = (p) => (groupParams ? { ...p, ...groupParams } : p);
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
  const firstRes = await load(listPath, asList(firstParams));
  let runsRes = firstRes;
  let shownParams = firstParams;
  let widened = false;
  if (!rangeParam && span !== null && !(Array.isArray(firstRes.data) && firstRes.data.length)) {
    runsRes = await load(listPath, asList(apiParams));
    shownParams = apiParams;
    widened = Array.isArray(runsRes.data) && runsRes.data.length > 0;
  }
  const shownRange = widened ? 'all' : (explicitTime ? '' : range);
  const listHref = (changes) => {
    const q = withQuery(linkQuery, changes);
    return flow === null ? paths.runs(q) : paths.flow(flow, q);
  };
  const filtered = FILTER_KEYS.some((k) => query.get(k));
  const header = h('div', { class: 'page-head' },
    h('div', null,
      flow === null ? h('h1', null, 'Runs') : h('h1', null, h('span', { class: 'eyebrow' }, 'Flow'), flow),
      flow === null ? null : h('p', { class: 'muted' }, h('a', { href: paths.runs(linkQuery) }, '← Runs of all flows'))));
  const notes = widened ? message('info', null, h('p', { class: 'range-note' }, 'Nothing ran in the last 30 days, so all runs are shown.')) : null;
  if (group) {
    return groupedView({ flow, group, order, listPath, shownParams, groupParams, firstRes: runsRes, load, linkQuery, listHref,
      head: [header, filterBar(linkQuery, flow, listHref, shownRange), notes], filtered });
  }
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


  // ---- rows on screen: runs, group headings, and "loading" rows at the ends
  let display = [];
  const rebuildDisplay = () => {
    const out = [];
    if (list.topPage > 1) {
      out.push({ type: 'up' });
    }
    for (const run of list.rows) {
      out.push({ type: 'run', run, key: rowKey(run) });
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
    table = runsTable({ order, listHref, flow, cols, count: () => display.length, renderRow, onRange, startIndex: () => start });
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
    filterBar(linkQuery, flow, listHref, shownRange),
    notes,
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
 * The filters of the runs list of all flows are remembered (localStorage); opening the UI at the bare
 * "/" (the first page shown, not a link back to it) restores them. A URL with a query always wins.
 */
function rememberFilters(flow, query) {
  const first = firstRender;
  firstRender = false;
  if (flow !== null) {
    return query;
  }
  let out = query;
  try {
    if (first && location.search === '' && landedAt === location.pathname && ![...query.keys()].length) {
      const saved = new URLSearchParams(localStorage.getItem(SAVED_KEY) || '');
      const kept = new URLSearchParams();
      for (const [k, v] of saved) {
        if (SAVED_KEYS.includes(k)) {
          kept.append(k, v);
        }
      }
      if ([...kept.keys()].length) {
        out = kept;
        history.replaceState(history.state, '', `${paths.runs(kept)}${location.hash}`);
      }
    }
    const save = new URLSearchParams();
    for (const [k, v] of out) {
      if (SAVED_KEYS.includes(k)) {
        save.append(k, v);
      }
    }
    if ([...save.keys()].length) {
      localStorage.setItem(SAVED_KEY, queryString(save));
    } else {
      localStorage.removeItem(SAVED_KEY);
    }
  } catch {
    // storage may be disabled: nothing is remembered
  }
  return out;
}

/** Selected statuses of the `status` parameter (a comma list), in the filter's order. */
function statusSet(query) {
  return new Set(splitList(query.get('status')).map((s) => s.toLowerCase()));
}

function filterBar(query, flow, listHref, shownRange) {
  // status: "All" or one status; the checkbox-like toggles next to each add or remove it from a set
  const current = statusSet(query);
  const statusLinks = h('div', { class: 'seg', role: 'group', 'aria-label': 'Status' },
    STATUS_FILTERS.map(([value, label]) => {
      const on = value ? current.has(value) : current.size === 0;
      const next = new Set(current);
      if (value && on) {
        next.delete(value);
      } else if (value) {
        next.add(value);
      }
      const multi = value ? STATUS_FILTERS.map(([v]) => v).filter((v) => v && next.has(v)).join(',') : null;
      return h('span', { class: 'seg-pair' },
        h('a', {
          class: ['seg-item', value && `seg-${value}`],
          href: listHref({ status: value || null, _page: null }),
          'aria-current': (value ? current.size === 1 && on : on) ? 'true' : null,
          'aria-label': value ? `Only ${label.toLowerCase()}` : 'All statuses',
        }, label),
        value ? h('a', {
          class: ['seg-add', on && 'seg-add-on'], href: listHref({ status: multi || null, _page: null }),
          role: 'checkbox', 'aria-checked': on ? 'true' : 'false',
          title: on ? `Also without ${label.toLowerCase()} runs` : `Also ${label.toLowerCase()} runs`,
          'aria-label': `${label} (one of several statuses)`, dataset: { status: value },
        }, on ? '☑' : '☐') : null);
    }));

  const field = (name, id, value, placeholder) => h('input', {
    type: 'search', name, id, value, placeholder, autocomplete: 'off', spellcheck: 'false',
  });
  const flowInput = field('flow', 'f-flow', flow ?? '', 'all flows');
  const userInput = field('user', 'f-user', query.get('user') || '', 'any user');
  const tagInput = field('tags', 'f-tags', splitList(query.get('_tags')).join(', '), 'e.g. env:test');
  const projectInput = field('project', 'f-project', query.get('project') || '', 'any project');
  const branchInput = field('branch', 'f-branch', query.get('branch') || '', 'any branch');

  const custom = shownRange === '';
  const rangeSelect = h('select', { name: 'range', id: 'f-range' },
    RANGES.map(([key, label]) => h('option', { value: key, selected: key === shownRange }, label)),
    h('option', { value: 'custom', selected: custom }, 'Custom range'));
  const timeOf = (key, delta) => (query.get(key) && Number.isFinite(Number(query.get(key))) ? Number(query.get(key)) + delta : null);
  const from = timeOf('ts_epoch:ge', 0) ?? timeOf('ts_epoch:gt', 1);
  const to = timeOf('ts_epoch:le', 0) ?? timeOf('ts_epoch:lt', -1);
  const zone = timeZoneSetting() === 'utc' ? 'UTC' : 'local time';
  const fromInput = h('input', { type: 'datetime-local', step: '1', name: 'from', id: 'f-from', value: from === null ? '' : dateTimeInputValue(from) });
  const toInput = h('input', { type: 'datetime-local', step: '1', name: 'to', id: 'f-to', value: to === null ? '' : dateTimeInputValue(to) });
  const customBox = h('div', { class: 'range-custom', hidden: !custom, role: 'group', 'aria-label': `Custom start time range (${zone})` },
    h('label', { class: 'field', for: 'f-from' }, h('span', null, `From (${zone})`), fromInput),
    h('label', { class: 'field', for: 'f-to' }, h('span', null, `To (${zone})`), toInput));
  const groupSelect = h('select', { name: 'group', id: 'f-group' },
    GROUPS.map(([key, label]) => h('option', { value: key, selected: key === (query.get('group') || '') }, label)));

  const submit = () => {
    const tags = splitList(tagInput.value).join(',');
    const range = rangeSelect.value;
    const q = withQuery(query, {
      user: userInput.value.trim(), _tags: tags, project: projectInput.value.trim(), branch: branchInput.value.trim(),
      range: range === DEFAULT_RANGE || range === 'custom' ? null : range, group: groupSelect.value, _page: null,
    });
    for (const k of TIME_KEYS) {
      q.delete(k);
    }
    if (range === 'custom') {
      const start = fromInput.value ? parseDateTimeInput(fromInput.value) : null;
      const end = toInput.value ? parseDateTimeInput(toInput.value) : null;
      fromInput.setCustomValidity(start !== null && end !== null && start > end ? 'The start must be before the end.' : '');
      if (!fromInput.reportValidity()) {
        return;
      }
      if (start === null && end === null) {
        q.set('range', 'all'); // an open custom range is all time
      }
      if (start !== null) {
        q.set('ts_epoch:ge', String(start));
      }
      if (end !== null) {
        q.set('ts_epoch:le', String(end));
      }
    }
    const target = flowInput.value.trim();
    if (target === (flow ?? '')) {
      navigate(flow === null ? paths.runs(q) : paths.flow(flow, q));
    } else {
      navigate(target ? paths.flow(target, q) : paths.runs(q));
    }
  };

  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter runs' },
    statusLinks,
    h('label', { class: 'field', for: 'f-flow' }, h('span', null, 'Flow'), flowInput,
      autocomplete(flowInput, 'flows', { onPick: () => submit() })),
    h('label', { class: 'field', for: 'f-user' }, h('span', null, 'User'), userInput, autocomplete(userInput, 'users', { flow })),
    h('label', { class: 'field', for: 'f-tags', title: 'Runs having all these tags (comma separated)' },
      h('span', null, 'Tags ', h('span', { class: 'field-hint' }, '(runs having all of them, comma separated)')), tagInput,
      autocomplete(tagInput, 'tags', { flow, list: true })),
    h('label', { class: 'field', for: 'f-project', title: 'The project of @project flows (system tag project:)' },
      h('span', null, 'Project'), projectInput, autocomplete(projectInput, 'projects', { flow })),
    h('label', { class: 'field', for: 'f-branch', title: 'The project branch (system tag project_branch:)' },
      h('span', null, 'Branch'), branchInput, autocomplete(branchInput, 'branches', { flow })),
    h('label', { class: 'field', for: 'f-range' }, h('span', null, 'Started'), rangeSelect),
    customBox,
    h('label', { class: 'field', for: 'f-group' }, h('span', null, 'Group'), groupSelect),
    h('button', { type: 'submit', class: 'btn' }, 'Apply'),
    FILTER_KEYS.some((k) => query.get(k))
      ? h('a', { class: 'btn btn-quiet', href: flow === null ? paths.runs() : paths.flow(flow) }, 'Clear filters')
      : null);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  rangeSelect.addEventListener('change', () => {
    if (rangeSelect.value === 'custom') {
      customBox.hidden = false;
      fromInput.focus();
    } else {
      submit();
    }
  });
  groupSelect.addEventListener('change', submit);
  return form;
}

/**
 * The grouped list: one block per flow or user (in the order of its first run in the chosen order, so
 * by its newest run by default), each a heading, its first GROUP_ROWS runs and a "show all" row that
 * filters to the group; more groups load on scrolling (the API's group cursor). Live: runs shown are
 * patched in place (status, finish); new runs wait behind the "N new runs" button, which reloads the groups.
 */
function groupedView({ flow, group, order, listPath, shownParams, groupParams, firstRes, load, linkQuery, listHref, head, filtered }) {
  const state = { groups: [], nextCursor: null, exact: true, loading: false, error: null };
  const addPage = (res) => {
    const seen = new Set(state.groups.map((g) => g.key));
    for (const g of Array.isArray(res.data) ? res.data : []) {
      const key = String(g.group ?? '');
      if (!seen.has(key)) {
        seen.add(key);
        state.groups.push({ key, count: Number(g.count) || 0, more: Boolean(g.more), runs: Array.isArray(g.runs) ? g.runs : [] });
      }
    }
    state.nextCursor = (res.pages && res.pages.next_cursor) || null;
    state.exact = !(res.pages && res.pages.exact === false);
  };
  addPage(firstRes);
  const label = group === 'flow' ? 'Flow' : 'User';
  const showAllHref = (key) => (group === 'flow'
    ? paths.flow(key, withQuery(linkQuery, { group: null, flow_id: null, _order: null }))
    : listHref({ user: key, group: null, _order: null }));
  const countText = (g) => `${formatCount(g.count)}${state.exact ? '' : '+'} ${g.count === 1 && state.exact ? 'run' : 'runs'}`;

  let display = [];
  const rebuild = () => {
    const out = [];
    for (const g of state.groups) {
      out.push({ type: 'group', g });
      for (const run of g.runs) {
        out.push({ type: 'run', run, key: rowKey(run) });
      }
      if (g.more) {
        out.push({ type: 'all', g });
      }
    }
    if (state.nextCursor || state.error) {
      out.push({ type: 'down' });
    }
    display = out;
  };
  rebuild();

  let table = null;
  const gone = () => !table || !table.node.isConnected;
  async function loadDown() {
    if (state.loading || !state.nextCursor || state.error) {
      return;
    }
    state.loading = true;
    try {
      addPage(await load(listPath, { ...shownParams, ...groupParams, _cursor: state.nextCursor }));
    } catch (e) {
      if (e && e.name === 'AbortError') {
        return;
      }
      state.error = e;
    } finally {
      state.loading = false;
    }
    if (!gone()) {
      rebuild();
      table.refresh();
    }
  }

  const cols = flow === null ? 8 : 7;
  const renderRow = (i) => {
    const item = display[i];
    if (!item) {
      return h('tr', { class: 'vplaceholder' }, h('td', { colspan: String(cols) }));
    }
    if (item.type === 'run') {
      const row = runRow(item.run, linkQuery, listHref, flow);
      if (left.has(item.key)) {
        row.classList.add('row-left');
        row.title = 'No longer matches the filters; it goes when the groups are reloaded.';
      }
      return row;
    }
    if (item.type === 'group') {
      const { g } = item;
      return h('tr', { class: 'group-row', dataset: { group: g.key } }, h('th', { scope: 'colgroup', colspan: String(cols) },
        `${label} `, g.key ? h('a', { href: showAllHref(g.key), title: `All runs of ${g.key}` }, g.key) : h('strong', null, '—'),
        h('span', { class: 'muted' }, ` · ${countText(g)}`)));
    }
    if (item.type === 'all') {
      const { g } = item;
      return h('tr', { class: 'group-all' }, h('td', { colspan: String(cols) },
        g.key ? h('a', { href: showAllHref(g.key), class: 'show-all' },
          state.exact ? `Show all ${formatCount(g.count)} runs of ${g.key} →` : `Show all runs of ${g.key} →`) : null));
    }
    const retry = () => {
      state.error = null;
      loadDown();
      rebuild();
      table.refresh();
    };
    return h('tr', { class: ['vplaceholder', 'vload-down'] }, h('td', { colspan: String(cols), class: 'muted' },
      state.error ? [`Could not load more groups: ${state.error.message} `, h('button', { type: 'button', class: 'btn btn-small', onclick: retry }, 'Retry')]
        : 'Loading more groups…'));
  };
  const onRange = (top, bottom) => {
    if (state.nextCursor && bottom >= display.length - NEAR_END) {
      loadDown();
    }
  };

  // live: the plain list's first page (the newest runs in this order) as the server sees it
  const resource = resourceOf(listPath, shownParams);
  const newRuns = h('button', { type: 'button', class: 'btn new-runs', hidden: true });
  const pending = new Set();
  const left = new Set(); // shown runs that left the filters (e.g. finished under "running")
  let win = null;
  let liveSpec = null;
  newRuns.addEventListener('click', () => {
    if (liveSpec && liveSpec.reload) {
      liveSpec.reload(); // the groups again, from the server, with the new runs in them
    }
  });

  const hasGroups = state.groups.length > 0;
  let body;
  if (hasGroups) {
    table = runsTable({ order, listHref, flow, cols, count: () => display.length, renderRow, onRange, startIndex: () => 0 });
    body = h('div', { class: 'runs-list runs-grouped' }, newRuns, table.node);
  } else {
    body = emptyState(filtered, flow);
  }
  liveSpec = {
    resources: [resource],
    apply(batch) {
      const events = batch.get(resource);
      if (!events) {
        return false;
      }
      if (win === null) {
        const i = events.map((e) => e.type).lastIndexOf('snapshot');
        if (i >= 0) {
          win = applyRows([], events.slice(i));
        }
        return false;
      }
      const before = win;
      win = applyRows(before, events);
      if (!hasGroups) {
        return win.length ? 'reload' : false;
      }
      const beforeKeys = new Set(before.map(rowKey));
      const byKey = new Map(win.map((r) => [rowKey(r), r]));
      const shown = new Set();
      for (const g of state.groups) {
        g.runs = g.runs.map((r) => {
          const k = rowKey(r);
          shown.add(k);
          return byKey.get(k) || r; // a status change (or any other) in place
        });
      }
      // new to the window and not shown: arrivals (a run only pushed up from below a full window is not)
      const winKeys = win.map(rowKey);
      let lastBefore = -1;
      winKeys.forEach((k, j) => {
        if (beforeKeys.has(k)) {
          lastBefore = j;
        }
      });
      winKeys.forEach((k, j) => {
        if (!beforeKeys.has(k) && !shown.has(k) && (lastBefore < 0 || j < lastBefore || before.length === 0)) {
          pending.add(k);
        }
      });
      // gone from the window: left the list, unless only pushed out of its end
      const winSet = new Set(winKeys);
      const beforeList = before.map(rowKey);
      let lastKept = -1;
      beforeList.forEach((k, j) => {
        if (winSet.has(k)) {
          lastKept = j;
        }
      });
      beforeList.forEach((k, j) => {
        if (!winSet.has(k) && j < lastKept && shown.has(k)) {
          left.add(k);
        }
      });
      newRuns.hidden = pending.size === 0;
      replaceChildren(newRuns, '↑ ', plural(pending.size, 'new run'));
      rebuild();
      table.refresh();
      return false;
    },
  };
  return {
    live: liveSpec,
    title: flow === null ? 'Runs' : `${flow} · Runs`,
    crumbs: flow === null ? [{ label: 'Runs' }] : [{ label: 'Runs', href: paths.runs() }, { label: flow }],
    node: h('section', { class: 'view view-runs' }, ...head, body),
  };
}

function runsTable({ order, listHref, flow, cols, count, renderRow, onRange, startIndex }) {
  const sortHref = (o) => listHref({ _order: o === '-ts_epoch' ? null : o });
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

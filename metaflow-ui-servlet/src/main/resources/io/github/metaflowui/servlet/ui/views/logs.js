// The log viewer of one stream (stdout or stderr) of one attempt, virtualized per line: only the
// lines in view (plus a small overscan) exist in the DOM, whatever the log's length. Lines are one
// fixed-height row each and never wrap (long lines scroll sideways), so any line's position is
// row x height and no line has to be measured. The newest page is loaded first; the pages the
// view needs are fetched as the reader scrolls, and at most MAX_CACHED lines are kept in memory.
//
// Position in the URL: "#L38" selects line 38 (marked, centred, loading its page first);
// "#from-L1200" reopens the view with line 1200 at the top; no hash means the end of the log.
// Scrolling keeps the hash up to date (history.replaceState), so a copied link reopens the place.
import { h } from '../dom.js';
import { apiUrl, getJson } from '../api.js';
import { formatClock, formatCount, isoUtc, formatDateTime, toMillis } from '../format.js';
import { message } from '../ui.js';
import { ansiNodes, stripAnsi } from '../ansi.js';

// The most matches one search lists (the server's cap for logs/*/search, which answers exactly
// the _limit it is asked up to that); more are reported as truncated.
const SEARCH_LIMIT = 1000;

const PAGE_LINES = 1000;                // lines per fetched page (forward pages: rows (p-1)*1000 ..)
const MAX_CACHED = 20 * PAGE_LINES;     // lines kept in memory at most (the farthest go first)
const OVERSCAN = 20;                    // rows drawn above and below the view
const MAX_SCROLL_PX = 8000000;          // taller logs map the scroll range onto the rows (browser limits)
const MAX_PARALLEL = 2;                 // page requests in flight
const FETCH_DELAY_MS = 60;              // a fast drag of the scrollbar fetches only where it stops
const RETRY_AFTER_MS = 4000;            // a page that failed is asked again after this, when needed
const URL_DELAY_MS = 300;
const LONG_LINE = 1000;                 // longer lines are cut until the user asks for all of it
const ERROR_LINE = /^(?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Failure|Fault)\b(?::.*)?$/;
const LINE_ANCHOR = /^#L([1-9]\d{0,8})$/;
const FROM_ANCHOR = /^#from-L([1-9]\d{0,8})$/;
const KEY_TIMES = 'metaflow-ui.log-times';

/** What the URL's hash asks of the log: {select: row} or {top: row} (0-based), or null. */
function anchor() {
  let m = LINE_ANCHOR.exec(location.hash);
  if (m) {
    return { select: Number(m[1]) - 1 };
  }
  m = FROM_ANCHOR.exec(location.hash);
  return m ? { top: Number(m[1]) - 1 } : null;
}

function timesShown() {
  try {
    return localStorage.getItem(KEY_TIMES) !== 'off';
  } catch {
    return true;
  }
}

function rememberTimes(on) {
  try {
    localStorage.setItem(KEY_TIMES, on ? 'on' : 'off');
  } catch {
    // storage disabled: the setting lasts for the page
  }
}

const lineOf = (r) => ({ ts: toMillis(r.timestamp), line: r.line === null || r.line === undefined ? '' : String(r.line) });

/**
 * @param {object} o
 * @param {string[]} o.base API path segments of the task
 * @param {number} o.attemptId the attempt
 * @param {'out'|'err'} o.stream
 * @param {boolean} o.failed whether the attempt failed (stderr then gets an error summary)
 * @param {AbortSignal} o.signal aborts the first load when the page is left
 * @returns {{node: HTMLElement, ready: Promise<void>, append: function}} ready settles (never
 *   rejects) after the first load; append(log) merges lines pushed by the server
 */
export function logPanel({ base, attemptId, stream, failed, signal }) {
  const name = stream === 'err' ? 'stderr' : 'stdout';
  const cache = new Map();   // row -> {ts, line}
  const pending = new Set(); // forward pages in flight
  const failedPages = new Map(); // page -> {error, at}
  let total = null;
  let loadError = null;
  let rowH = 20;
  let measured = false;
  let stick = true;          // at the end: new lines keep the view at the end
  let selected = null;       // row named by "#L<n>"
  let attached = false;
  let frame = 0;
  let fetchTimer = null;
  let urlTimer = null;
  let shown = new Map();     // row -> {el, data, flags} drawn last time
  const expanded = new Set();
  const search = { q: '', hits: [], set: new Set(), data: new Map(), index: -1, truncated: false, only: false };

  const status = h('span', { class: 'log-status', 'aria-live': 'polite' }, 'Loading…');
  const btnStart = h('button', { type: 'button', class: 'btn btn-small', title: 'Show the first lines' }, h('span', { 'aria-hidden': 'true' }, '⤒'), ' Start');
  const btnEnd = h('button', { type: 'button', class: 'btn btn-small', title: 'Show the last lines' }, h('span', { 'aria-hidden': 'true' }, '⤓'), ' End');
  const download = h('a', {
    class: 'btn btn-small', href: apiUrl([...base, 'logs', stream, 'download'], { attempt_id: attemptId }), download: '',
    title: `Download the whole ${name} of attempt ${attemptId} as a text file`,
  }, 'Download');
  const searchInput = h('input', {
    type: 'search', class: 'log-search', placeholder: `Search the whole ${name}`, 'aria-label': `Search the whole ${name} on the server`,
    spellcheck: 'false', autocomplete: 'off', maxlength: '200',
  });
  const searchStatus = h('span', { class: 'log-search-status', 'aria-live': 'polite' });
  const btnPrevHit = h('button', { type: 'button', class: 'btn btn-small log-prev-hit', title: 'Previous match', 'aria-label': 'Previous match', disabled: true }, '↑');
  const btnNextHit = h('button', { type: 'button', class: 'btn btn-small log-next-hit', title: 'Next match', 'aria-label': 'Next match', disabled: true }, '↓');
  const only = h('input', { type: 'checkbox', class: 'log-only-hits', disabled: true });
  const onlyLabel = h('label', { class: 'setting', title: 'Show only the lines that match the search' }, only, 'Only matches');
  const searchForm = h('form', { class: 'log-searchbar', role: 'search' },
    searchInput, h('button', { type: 'submit', class: 'btn btn-small' }, 'Search'), btnPrevHit, btnNextHit, onlyLabel, searchStatus);
  const follow = h('input', { type: 'checkbox', class: 'log-follow', checked: true });
  const followLabel = h('label', { class: 'setting', title: 'Keep the newest lines in view as they arrive' }, follow, 'Follow');
  const times = h('input', { type: 'checkbox', class: 'log-times', checked: timesShown() });
  const timesLabel = h('label', { class: 'setting', title: 'Show the time of each line (in the time zone chosen below)' }, times, 'Times');
  const summary = h('div', { class: 'log-summary' });
  const notice = h('div', { class: 'log-notice' });
  const win = h('div', { class: 'log-lines', role: 'list' });
  const sizer = h('div', { class: 'log-sizer' }, win);
  const body = h('div', { class: 'log-body', tabindex: '0', role: 'region', 'aria-label': `${name} of attempt ${attemptId}` }, sizer);
  const node = h('div', { class: ['log-panel', `log-${stream}`, !times.checked && 'log-no-ts'] },
    h('div', { class: 'log-toolbar' }, status, h('span', { class: 'spacer' }), timesLabel, followLabel, btnStart, btnEnd, download),
    searchForm,
    summary,
    notice,
    body);

  // ---------------------------------------------------------------- what is shown

  const count = () => (search.only ? search.hits.length : (total ?? 0));
  const rowOf = (i) => (search.only ? search.hits[i] : i);
  const dataOf = (row) => cache.get(row) ?? search.data.get(row);
  const pageOf = (row) => Math.floor(row / PAGE_LINES) + 1;

  function geometry() {
    const n = count();
    const viewH = body.clientHeight || 400;
    const height = Math.min(n * rowH, MAX_SCROLL_PX);
    const span = Math.max(0, height - viewH);          // scrollTop range
    const rows = Math.max(0, n - viewH / rowH);        // top-row range
    return { n, viewH, height, span, rows };
  }

  /** The (fractional) index at the top of the view. Exact (scrollTop / rowH) below MAX_SCROLL_PX. */
  function topIndex(g = geometry()) {
    return g.span > 0 ? Math.min(g.rows, body.scrollTop * g.rows / g.span) : 0;
  }

  function scrollToIndex(i, where) {
    const g = geometry();
    const perView = g.viewH / rowH;
    let top = where === 'center' ? i - perView / 2 + 0.5 : where === 'bottom' ? i - perView + 1 : i;
    top = Math.max(0, Math.min(g.rows, top));
    sizer.style.height = `${g.height}px`;
    body.scrollTop = g.rows > 0 ? Math.round(top * g.span / g.rows) : 0;
    render();
  }

  function scrollToEnd() {
    const g = geometry();
    sizer.style.height = `${g.height}px`;
    body.scrollTop = body.scrollHeight;
    render();
  }

  const atEnd = () => body.scrollTop + body.clientHeight >= body.scrollHeight - rowH;

  function requestRender() {
    if (!frame) {
      frame = requestAnimationFrame(() => render());
    }
  }

  function render() {
    if (frame) {
      cancelAnimationFrame(frame);
      frame = 0;
    }
    const g = geometry();
    sizer.style.height = `${g.height}px`;
    node.style.setProperty('--ln-w', `${Math.max(3, String(total ?? 0).length) + 1.5}ch`);
    renderNotice();
    if (!attached) {
      return; // rows are drawn once the panel is on the page (they need its size)
    }
    if (!g.n) {
      win.replaceChildren();
      shown = new Map();
      renderStatus();
      return;
    }
    const top = topIndex(g);
    const first = Math.max(0, Math.floor(top) - OVERSCAN);
    const last = Math.min(g.n, Math.ceil(top + g.viewH / rowH) + OVERSCAN);
    win.style.transform = `translateY(${Math.max(0, body.scrollTop - (top - first) * rowH)}px)`;
    const next = new Map();
    const els = [];
    for (let i = first; i < last; i++) {
      const row = rowOf(i);
      const data = dataOf(row);
      // a row still loading is only a placeholder: it is marked (selected, hit) once its text is there
      const flags = !data ? (failedPages.has(pageOf(row)) ? 'e' : '') : `${row === selected ? 't' : ''}${row === search.hits[search.index] ? 'h' : ''}${search.set.has(row) ? 'm' : ''}${expanded.has(row) ? 'x' : ''}`;
      const prev = shown.get(row);
      const same = prev && prev.flags === flags && (prev.data === data || (prev.data && data && prev.data.line === data.line && prev.data.ts === data.ts));
      const el = same ? prev.el : lineEl(row, data, flags);
      next.set(row, { el, data, flags });
      els.push(el);
    }
    shown = next;
    const unchanged = els.length === win.childNodes.length && els.every((el, i) => win.childNodes[i] === el);
    if (!unchanged) {
      win.replaceChildren(...els); // unchanged rows keep their nodes (and a text selection in them)
    }
    if (!measured && attached) {
      const real = els.find((el) => !el.classList.contains('ll-wait'));
      const hgt = real ? real.getBoundingClientRect().height : 0;
      if (hgt > 0) {
        measured = true;
        if (Math.abs(hgt - rowH) > 0.01) {
          const keep = top;
          rowH = hgt;
          scrollToIndex(keep, 'top');
          return;
        }
      }
    }
    renderStatus(top, g);
    scheduleFetch();
  }

  function renderStatus(top, g) {
    if (!g || !g.n) {
      status.textContent = total === 0 ? '0 lines' : (loadError ? '' : 'Loading…');
      return;
    }
    const a = rowOf(Math.min(g.n - 1, Math.max(0, Math.ceil(top - 0.01))));
    const b = rowOf(Math.min(g.n - 1, Math.max(0, Math.floor(top + g.viewH / rowH) - 1)));
    const where = `Lines ${formatCount(a + 1)}–${formatCount(Math.max(a, b) + 1)} of ${formatCount(total ?? 0)}`;
    status.textContent = search.only ? `${where} · ${formatCount(search.hits.length)} matches shown` : where;
    node.classList.toggle('is-busy', pending.size > 0);
  }

  function renderNotice() {
    const parts = [];
    if (loadError) {
      parts.push(message('error', `Could not load ${name}.`, h('p', null, loadError.message)));
    } else if (total === 0) {
      parts.push(h('p', { class: 'log-empty' }, `${name} is empty for attempt ${attemptId}.`));
    }
    const key = parts.length ? `${loadError ? loadError.message : ''}|${total}` : '';
    if (notice.dataset.key !== key) {
      notice.dataset.key = key;
      notice.replaceChildren(...parts);
    }
  }

  function lineEl(row, data, flags) {
    const cls = ['ll', flags.includes('t') && 'target', flags.includes('h') && 'hit', flags.includes('m') && 'hit-any', !data && 'll-wait'];
    const ln = h('a', { class: 'ln', href: `#L${row + 1}`, 'aria-hidden': 'true', tabindex: '-1', title: `Link to line ${row + 1}` }, String(row + 1));
    if (!data) {
      const err = failedPages.get(pageOf(row));
      return h('div', { class: cls, id: `L${row + 1}`, role: 'listitem', dataset: { row } }, ln, h('span', { class: 'ts' }),
        h('span', { class: 'lt' }, err ? `Could not load this line: ${err.error.message}` : ''));
    }
    const { ts, line } = data;
    const long = line.length > LONG_LINE;
    const open = flags.includes('x');
    const textEl = h('span', { class: 'lt' }, ansiNodes(long && !open ? line.slice(0, LONG_LINE) : line));
    if (long) {
      textEl.append(h('button', {
        type: 'button', class: 'linkish', 'aria-expanded': String(open),
        onclick: () => {
          if (expanded.has(row)) {
            expanded.delete(row);
          } else {
            expanded.add(row);
          }
          render();
        },
      }, open ? ' show less' : `… show all ${formatCount(line.length)} characters`));
    }
    return h('div', { class: cls, id: `L${row + 1}`, role: 'listitem', dataset: { row } },
      ln,
      ts === null ? h('span', { class: 'ts' }) : h('time', { class: 'ts', datetime: isoUtc(ts), title: `${formatDateTime(ts)} (${isoUtc(ts)})` }, formatClock(ts)),
      textEl);
  }

  // For a failed attempt's stderr: the last "SomethingError: ..." line, one click from the top.
  function renderSummary() {
    if (stream !== 'err' || !failed || total === null) {
      return;
    }
    for (let row = total - 1; row >= Math.max(0, total - PAGE_LINES); row--) {
      const d = cache.get(row);
      if (d && ERROR_LINE.test(stripAnsi(d.line).trim())) {
        const line = stripAnsi(d.line).trim();
        summary.replaceChildren(h('div', { class: 'msg msg-error' },
          h('span', { class: 'msg-title' }, 'Error: '),
          h('code', null, line.slice(0, 500)),
          ' ',
          h('a', { href: `#L${row + 1}`, title: `Select line ${row + 1}` }, `line ${formatCount(row + 1)}`)));
        return;
      }
    }
  }

  // ---------------------------------------------------------------- loading

  function ingest(rows) {
    for (const r of Array.isArray(rows) ? rows : []) {
      const row = Number(r.row);
      if (Number.isInteger(row) && row >= 0) {
        cache.set(row, lineOf(r));
      }
    }
  }

  function setTotal(pages, rows) {
    const n = pages && pages.total_lines !== null && pages.total_lines !== undefined ? Number(pages.total_lines) : NaN;
    if (Number.isFinite(n)) {
      total = Math.max(total ?? 0, n);
    } else {
      total = Math.max(total ?? 0, (Array.isArray(rows) ? rows : []).reduce((m, r) => Math.max(m, Number(r.row) + 1), 0));
    }
  }

  /** Drops the cached lines farthest from the view when more than MAX_CACHED are kept. */
  function evict() {
    if (cache.size <= MAX_CACHED + PAGE_LINES) {
      return;
    }
    const center = rowOf(Math.floor(topIndex())) ?? 0;
    const far = [...cache.keys()].sort((a, b) => Math.abs(b - center) - Math.abs(a - center));
    for (const row of far.slice(0, cache.size - MAX_CACHED)) {
      cache.delete(row);
    }
  }

  /** The forward pages holding rows the view needs and the cache lacks, nearest first. */
  function wantedPages() {
    const g = geometry();
    if (!g.n || search.only) {
      return [];
    }
    const top = topIndex(g);
    const first = Math.max(0, Math.floor(top) - OVERSCAN);
    const last = Math.min(g.n, Math.ceil(top + g.viewH / rowH) + OVERSCAN);
    const mid = (first + last) / 2;
    const pages = new Set();
    for (let row = first; row < last; row++) {
      if (!cache.has(row)) {
        pages.add(pageOf(row));
      }
    }
    const now = Date.now();
    return [...pages]
      .filter((p) => !pending.has(p) && !(failedPages.has(p) && now - failedPages.get(p).at < RETRY_AFTER_MS))
      .sort((a, b) => Math.abs((a - 0.5) * PAGE_LINES - mid) - Math.abs((b - 0.5) * PAGE_LINES - mid));
  }

  function scheduleFetch() {
    if (fetchTimer === null && wantedPages().length) {
      fetchTimer = setTimeout(pump, FETCH_DELAY_MS);
    }
  }

  function pump() {
    fetchTimer = null;
    if (attached && !node.isConnected) {
      return; // the page was left
    }
    for (const p of wantedPages()) {
      if (pending.size >= MAX_PARALLEL) {
        break;
      }
      fetchPage(p);
    }
  }

  async function fetchPage(p) {
    pending.add(p);
    node.classList.add('is-busy');
    try {
      const res = await getJson(apiUrl([...base, 'logs', stream], { attempt_id: attemptId, _limit: PAGE_LINES, _page: p }));
      ingest(res.data);
      setTotal(res.pages, res.data);
      failedPages.delete(p);
    } catch (e) {
      if (!(e && e.name === 'AbortError')) {
        failedPages.set(p, { error: e, at: Date.now() });
        setTimeout(requestRender, RETRY_AFTER_MS + 50);
      }
    } finally {
      pending.delete(p);
    }
    evict();
    if (stick && !search.only) {
      scrollToEnd();
    } else {
      render();
    }
    pump();
  }

  /** Waits for rows to be in the cache (their pages fetched), for hit and anchor jumps. */
  async function ensureRow(row) {
    if (cache.has(row) || total === null || row >= total) {
      return;
    }
    const p = pageOf(row);
    if (pending.has(p)) {
      await new Promise((resolve) => {
        const check = () => (pending.has(p) ? setTimeout(check, 30) : resolve());
        check();
      });
      return;
    }
    await fetchPage(p);
  }

  // ---------------------------------------------------------------- scrolling and the URL

  body.addEventListener('scroll', () => {
    if (!attached) {
      return;
    }
    const end = atEnd();
    if (end !== stick) {
      stick = end && !search.only;
      follow.checked = stick;
    }
    requestRender();
    clearTimeout(urlTimer);
    urlTimer = setTimeout(writeUrl, URL_DELAY_MS);
  }, { passive: true });

  /** Keeps "#L<n>" (a selected line in view), "#from-L<n>" (the first line in view) or no hash (the end). */
  function writeUrl() {
    if (!node.isConnected || search.only) {
      return;
    }
    if (location.hash && !LINE_ANCHOR.test(location.hash) && !FROM_ANCHOR.test(location.hash)) {
      return; // someone else's anchor
    }
    const g = geometry();
    const top = topIndex(g);
    const firstRow = Math.min(Math.max(0, g.n - 1), Math.ceil(top - 0.01));
    const lastRow = Math.floor(top + g.viewH / rowH) - 1;
    let hash;
    if (selected !== null && selected >= firstRow && selected <= lastRow) {
      hash = `#L${selected + 1}`;
    } else if (stick || !g.n) {
      hash = '';
    } else {
      hash = `#from-L${firstRow + 1}`;
    }
    if (hash !== location.hash) {
      history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`);
    }
  }

  function stopFollowing() {
    stick = false;
    follow.checked = false;
  }

  /** Selects a line: marks it and centres it, loading its page first. */
  async function select(row) {
    if (total !== null && row >= total) {
      status.textContent = `Line ${formatCount(row + 1)} is past the end: ${name} has ${formatCount(total)} lines.`;
      return;
    }
    selected = row;
    if (search.only) {
      setOnly(false);
    }
    stopFollowing();
    scrollToIndex(row, 'center');
    await ensureRow(row);
    render();
    const el = win.querySelector('.ll.target');
    if (el) {
      el.scrollIntoView({ block: 'nearest' }); // the panel itself may be below the fold
    }
  }

  function place(where) {
    if (where && where.select !== undefined) {
      select(where.select);
    } else if (where && where.top !== undefined) {
      stopFollowing();
      scrollToIndex(where.top, 'top');
    } else {
      stick = true;
      follow.checked = true;
      scrollToEnd();
    }
  }

  // "#L38" or "#from-L1200" set later (a line number or the error summary clicked, Back/Forward)
  const onHash = () => {
    if (attached && !node.isConnected) {
      window.removeEventListener('hashchange', onHash);
      return;
    }
    const where = anchor();
    if (where) {
      place(where);
    }
  };
  window.addEventListener('hashchange', onHash);

  // ---------------------------------------------------------------- controls

  btnStart.addEventListener('click', () => {
    stopFollowing();
    scrollToIndex(0, 'top');
  });
  btnEnd.addEventListener('click', () => {
    if (search.only) {
      setOnly(false);
    }
    place(null);
  });
  follow.addEventListener('change', () => {
    if (follow.checked) {
      place(null);
    } else {
      stick = false;
    }
  });
  times.addEventListener('change', () => {
    node.classList.toggle('log-no-ts', !times.checked);
    rememberTimes(times.checked);
  });

  function setOnly(on) {
    search.only = on && search.hits.length > 0;
    only.checked = search.only;
    node.classList.toggle('is-filtered', search.only);
    if (search.only) {
      stopFollowing();
    }
  }
  only.addEventListener('change', () => {
    setOnly(only.checked);
    if (search.only) {
      scrollToIndex(Math.max(0, search.index), 'center');
    } else if (search.index >= 0) {
      scrollToIndex(search.hits[search.index], 'center');
    } else {
      render();
    }
  });

  // Server-side search over the whole log, with hit navigation (loads the page around a hit).
  async function showHit(i) {
    if (!search.hits.length) {
      return;
    }
    search.index = (i + search.hits.length) % search.hits.length;
    const row = search.hits[search.index];
    stopFollowing();
    scrollToIndex(search.only ? search.index : row, 'center');
    searchStatus.textContent = `Match ${formatCount(search.index + 1)} of ${formatCount(search.hits.length)}${search.truncated ? '+' : ''}, line ${formatCount(row + 1)}`
      + (search.truncated ? ` (only the first ${formatCount(search.hits.length)} matches are listed: refine the search)` : '');
    if (!search.only) {
      await ensureRow(row);
      render();
    }
  }
  searchForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = searchInput.value.trim();
    if (q && q === search.q && search.hits.length) {
      await showHit(search.index + 1); // Enter again: the next match
      return;
    }
    Object.assign(search, { q, hits: [], set: new Set(), data: new Map(), index: -1, truncated: false });
    setOnly(false);
    only.disabled = true;
    btnPrevHit.disabled = true;
    btnNextHit.disabled = true;
    render();
    if (!q) {
      searchStatus.textContent = '';
      return;
    }
    searchStatus.textContent = 'Searching…';
    try {
      const res = await getJson(apiUrl([...base, 'logs', stream, 'search'], { q, attempt_id: attemptId, _limit: SEARCH_LIMIT }));
      const data = res.data || {};
      for (const r of Array.isArray(data.rows) ? data.rows : []) {
        const row = Number(r.row);
        if (Number.isInteger(row) && row >= 0 && !search.set.has(row)) {
          search.hits.push(row);
          search.set.add(row);
          search.data.set(row, lineOf(r));
        }
      }
      search.hits.sort((a, b) => a - b);
      search.truncated = Boolean(data.truncated);
    } catch (e) {
      search.q = '';
      searchStatus.textContent = `Search failed: ${e.message}`;
      return;
    }
    if (!search.hits.length) {
      searchStatus.textContent = 'No matches in the whole log.';
      return;
    }
    btnPrevHit.disabled = false;
    btnNextHit.disabled = false;
    only.disabled = false;
    // the first match at or after the view, like a browser's find
    const from = rowOf(Math.floor(topIndex()));
    const next = search.hits.findIndex((r) => r >= from);
    await showHit(next < 0 ? 0 : next);
  });
  btnNextHit.addEventListener('click', () => showHit(search.index + 1));
  btnPrevHit.addEventListener('click', () => showHit(search.index - 1));

  // ---------------------------------------------------------------- live tail

  /**
   * Lines pushed by the server for this attempt ({attempt, total_lines, lines, reset}). Follows the
   * end when the view is at the end; otherwise the reader stays where they are (lines are added
   * below the view, so nothing in view moves).
   */
  function append(log) {
    if (!log || Number(log.attempt) !== Number(attemptId)) {
      return;
    }
    ingest(log.lines);
    if (Number.isFinite(Number(log.total_lines))) {
      total = log.reset ? Number(log.total_lines) : Math.max(total ?? 0, Number(log.total_lines));
    }
    evict();
    renderSummary();
    followNewLines();
  }

  // Moves to the end for new lines, but not from under a text selection in the log (it waits).
  let followTimer = null;
  function followNewLines() {
    clearTimeout(followTimer);
    if (!attached) {
      return;
    }
    const sel = window.getSelection();
    if (stick && !search.only && sel && String(sel) !== '' && body.contains(sel.anchorNode)) {
      renderStatus(topIndex(), geometry()); // the count grows; the view waits
      followTimer = setTimeout(followNewLines, 1000);
      return;
    }
    if (stick && !search.only) {
      scrollToEnd();
    } else {
      render();
    }
  }

  // ---------------------------------------------------------------- first load

  const attach = (resolve) => {
    if (signal && signal.aborted) {
      resolve();
      return;
    }
    if (!body.isConnected) {
      requestAnimationFrame(() => attach(resolve));
      return;
    }
    attached = true;
    render(); // measures the row height
    place(anchor());
    resolve();
  };

  const ready = (async () => {
    try {
      const res = await getJson(apiUrl([...base, 'logs', stream], { attempt_id: attemptId, _limit: PAGE_LINES, _order: '-row', _page: 1 }), { signal });
      ingest(res.data);
      setTotal(res.pages, res.data);
    } catch (e) {
      if (e && e.name === 'AbortError') {
        return;
      }
      loadError = e;
    }
    renderSummary();
    render();
    // the node is attached to the page only after ready: place the log then
    requestAnimationFrame(() => attach(() => {}));
  })();
  return { node, ready, append };
}

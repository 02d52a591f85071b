// The log viewer of one stream (stdout or stderr) of one attempt: loads the tail first, then
// pages of PAGE_LINES on demand in either direction; newest line last, with line numbers and times.
// Each line has an anchor: "#L38" in the URL selects line 38 and scrolls to it (loading it first).
import { h, replaceChildren } from '../dom.js';
import { apiUrl, getJson } from '../api.js';
import { formatClock, formatCount, isoUtc, formatDateTime, toMillis } from '../format.js';
import { message } from '../ui.js';
import { ansiNodes, stripAnsi } from '../ansi.js';

// The most matches one search lists (the server's cap for logs/*/search, which answers exactly
// the _limit it is asked up to that); more are reported as truncated.
const SEARCH_LIMIT = 1000;

const PAGE_LINES = 1000;
const MAX_KEPT = 3 * PAGE_LINES; // lines kept loaded at once, whatever the log's length
const LONG_LINE = 1000; // longer lines are cut until the user asks for all of it
const ERROR_LINE = /^(?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Failure|Fault)\b(?::.*)?$/;
const LINE_ANCHOR = /^#L([1-9]\d{0,8})$/;

/** The 0-based row the URL's "#L<n>" names, or null. */
function anchorRow() {
  const m = LINE_ANCHOR.exec(location.hash);
  return m ? Number(m[1]) - 1 : null;
}

/**
 * @param {object} o
 * @param {string[]} o.base API path segments of the task
 * @param {number} o.attemptId the attempt
 * @param {'out'|'err'} o.stream
 * @param {boolean} o.failed whether the attempt failed (stderr then gets an error summary)
 * @param {AbortSignal} o.signal aborts the first load when the page is left
 * @returns {{node: HTMLElement, ready: Promise<void>}} ready settles (never rejects) after the first load
 */
export function logPanel({ base, attemptId, stream, failed, signal }) {
  const name = stream === 'err' ? 'stderr' : 'stdout';
  const rows = new Map(); // row number -> {ts, line}
  let total = null;
  let busy = false;
  let error = null;
  let lineEls = []; // [element, lower-case text] for the filter

  const status = h('span', { class: 'log-status', 'aria-live': 'polite' }, 'Loading…');
  const filter = h('input', {
    type: 'search', class: 'log-filter', placeholder: 'Filter loaded lines', 'aria-label': `Filter loaded ${name} lines`,
    spellcheck: 'false', autocomplete: 'off',
  });
  const btnStart = h('button', { type: 'button', class: 'btn btn-small', title: 'Show the first lines' }, h('span', { 'aria-hidden': 'true' }, '⤒'), ' Start');
  const btnEnd = h('button', { type: 'button', class: 'btn btn-small', title: 'Show the last lines (reloads the tail)' }, h('span', { 'aria-hidden': 'true' }, '⤓'), ' End');
  const download = h('a', {
    class: 'btn btn-small', href: apiUrl([...base, 'logs', stream, 'download'], { attempt_id: attemptId }), download: '',
    title: `Download the whole ${name} of attempt ${attemptId} as a text file`,
  }, 'Download');
  const searchInput = h('input', {
    type: 'search', class: 'log-search', placeholder: `Search the whole ${name}`, 'aria-label': `Search the whole ${name} on the server`,
    spellcheck: 'false', autocomplete: 'off', maxlength: '200',
  });
  const searchStatus = h('span', { class: 'log-search-status', 'aria-live': 'polite' });
  const btnPrevHit = h('button', { type: 'button', class: 'btn btn-small', title: 'Previous match', 'aria-label': 'Previous match', disabled: true }, '↑');
  const btnNextHit = h('button', { type: 'button', class: 'btn btn-small', title: 'Next match', 'aria-label': 'Next match', disabled: true }, '↓');
  const searchForm = h('form', { class: 'log-searchbar', role: 'search' },
    searchInput, h('button', { type: 'submit', class: 'btn btn-small' }, 'Search'), btnPrevHit, btnNextHit, searchStatus);
  const follow = h('input', { type: 'checkbox', class: 'log-follow' });
  const followLabel = h('label', { class: 'setting', title: 'Keep the newest lines in view as they arrive' }, follow, 'Follow');
  const summary = h('div', { class: 'log-summary' });
  const body = h('div', { class: 'log-body', tabindex: '0', role: 'region', 'aria-label': `${name} of attempt ${attemptId}` });
  const node = h('div', { class: ['log-panel', `log-${stream}`] },
    h('div', { class: 'log-toolbar' }, status, filter, h('span', { class: 'spacer' }), followLabel, btnStart, btnEnd, download),
    searchForm,
    summary,
    body);

  const extreme = (pick) => {
    let best = null;
    for (const row of rows.keys()) {
      best = best === null ? row : pick(best, row);
    }
    return best;
  };
  const minRow = () => extreme(Math.min);
  const maxRow = () => extreme(Math.max);

  // Keeps at most MAX_KEPT lines (in memory and in the DOM): the lines farthest from the page just
  // loaded go; the gap controls load them again when wanted.
  function evictFar(data) {
    if (rows.size <= MAX_KEPT || !data.length) {
      return;
    }
    const lo = Number(data[0].row);
    const hi = Number(data[data.length - 1].row);
    const far = [...rows.keys()]
      .map((r) => [r, r < Math.min(lo, hi) ? Math.min(lo, hi) - r : Math.max(0, r - Math.max(lo, hi))])
      .sort((a, b) => b[1] - a[1]);
    for (const [r] of far.slice(0, rows.size - MAX_KEPT)) {
      rows.delete(r);
    }
  }

  async function fetchPage(params, sig) {
    const res = await getJson(apiUrl([...base, 'logs', stream], { attempt_id: attemptId, _limit: PAGE_LINES, ...params }), { signal: sig });
    const data = Array.isArray(res.data) ? res.data : [];
    for (const r of data) {
      const row = Number(r.row);
      if (Number.isInteger(row) && row >= 0) {
        rows.set(row, { ts: toMillis(r.timestamp), line: r.line === null || r.line === undefined ? '' : String(r.line) });
      }
    }
    evictFar(data);
    const pages = res.pages || {};
    if (Number.isFinite(Number(pages.total_lines)) && pages.total_lines !== null) {
      total = Number(pages.total_lines);
    } else if (params._order === '-row' && Number(params._page) === 1) {
      total = data.reduce((n, r) => Math.max(n, Number(r.row) + 1), 0);
    } else if (total === null || (maxRow() ?? -1) + 1 > total) {
      total = (maxRow() ?? -1) + 1;
    }
  }

  /** Runs one load, keeping the view steady; where: 'bottom', 'top', 'prepend' or 'keep'. */
  async function run(params, where, sig) {
    if (busy) {
      return;
    }
    busy = true;
    error = null;
    node.classList.add('is-busy');
    const before = { height: body.scrollHeight, top: body.scrollTop };
    try {
      await fetchPage(params, sig);
    } catch (e) {
      if (e && e.name === 'AbortError') {
        return;
      }
      error = e;
    } finally {
      busy = false;
      node.classList.remove('is-busy');
    }
    render();
    if (where === 'bottom') {
      body.scrollTop = body.scrollHeight;
    } else if (where === 'top') {
      body.scrollTop = 0;
    } else if (where === 'prepend') {
      body.scrollTop = body.scrollHeight - before.height + before.top;
    }
  }

  const pageContaining = (row) => Math.floor(row / PAGE_LINES) + 1;
  const loadTail = (where = 'bottom', sig) => run({ _order: '-row', _page: 1 }, where, sig);
  const loadAround = (row, where) => run({ _page: pageContaining(row) }, where);
  function loadEarlier() {
    const min = minRow();
    if (min === null || min <= 0) {
      return;
    }
    if (total !== null && (total - min) % PAGE_LINES === 0) {
      run({ _order: '-row', _page: (total - min) / PAGE_LINES + 1 }, 'prepend'); // aligned to the tail
    } else {
      loadAround(min - 1, 'prepend');
    }
  }

  function control(text, onClick) {
    return h('div', { class: 'log-gap' },
      h('button', { type: 'button', class: 'btn btn-small', onclick: onClick, disabled: busy }, text));
  }

  function render() {
    lineEls = [];
    const sorted = [...rows.keys()].sort((a, b) => a - b);
    const parts = [];
    if (error) {
      parts.push(message('error', `Could not load ${name}.`, h('p', null, error.message)));
    }
    if (!sorted.length) {
      if (!error) {
        parts.push(h('p', { class: 'log-empty' }, total === 0 ? `${name} is empty for attempt ${attemptId}.` : 'No lines loaded.'));
      }
      replaceChildren(body, parts);
      status.textContent = total === 0 ? '0 lines' : '';
      summary.replaceChildren();
      return;
    }
    if (sorted[0] > 0) {
      parts.push(control(`Load earlier lines (${formatCount(sorted[0])} more)`, loadEarlier));
    }
    const list = h('div', { class: 'log-lines' });
    let prev = null;
    for (const row of sorted) {
      if (prev !== null && row > prev + 1) {
        const after = prev;
        list.append(control(`Load ${formatCount(Math.min(PAGE_LINES, row - prev - 1))} of ${formatCount(row - prev - 1)} hidden lines`,
          () => loadAround(after + 1, 'keep')));
      }
      const el = lineEl(row, rows.get(row));
      lineEls.push([el, stripAnsi(rows.get(row).line).toLowerCase()]);
      list.append(el);
      prev = row;
    }
    parts.push(list);
    const last = sorted[sorted.length - 1];
    if (total !== null && last < total - 1) {
      parts.push(control(`Load later lines (${formatCount(total - 1 - last)} more)`, () => loadAround(last + 1, 'keep')));
    }
    replaceChildren(body, parts);
    status.textContent = `${formatCount(sorted.length)} of ${formatCount(total ?? sorted.length)} lines loaded`;
    renderSummary(sorted);
    applyFilter();
  }

  function lineEl(row, { ts, line }) {
    const text = line.length > LONG_LINE ? line.slice(0, LONG_LINE) : line;
    const textEl = h('span', { class: 'lt' }, ansiNodes(text));
    if (line.length > LONG_LINE) {
      const more = h('button', { type: 'button', class: 'linkish', 'aria-expanded': 'false' },
        `… show all ${formatCount(line.length)} characters`);
      more.addEventListener('click', () => {
        const open = more.getAttribute('aria-expanded') === 'true';
        replaceChildren(textEl, ansiNodes(open ? line.slice(0, LONG_LINE) : line));
        more.setAttribute('aria-expanded', String(!open));
        more.textContent = open ? `… show all ${formatCount(line.length)} characters` : ' show less';
        textEl.append(more);
      });
      textEl.append(more);
    }
    return h('div', { class: ['ll', row === anchorRow() && 'target'], id: `L${row + 1}`, dataset: { row } },
      h('a', { class: 'ln', href: `#L${row + 1}`, 'aria-hidden': 'true', tabindex: '-1', title: `Link to line ${row + 1}` }, String(row + 1)),
      ts === null ? h('span', { class: 'ts' }) : h('time', { class: 'ts', datetime: isoUtc(ts), title: `${formatDateTime(ts)} (${isoUtc(ts)})` }, formatClock(ts)),
      textEl);
  }

  // For a failed attempt's stderr: the last "SomethingError: ..." line, one click from the top.
  function renderSummary(sorted) {
    summary.replaceChildren();
    if (stream !== 'err' || !failed) {
      return;
    }
    for (let i = sorted.length - 1; i >= 0; i--) {
      const line = stripAnsi(rows.get(sorted[i]).line);
      if (ERROR_LINE.test(line.trim())) {
        const row = sorted[i];
        summary.append(h('div', { class: 'msg msg-error' },
          h('span', { class: 'msg-title' }, 'Error: '),
          h('code', null, line.trim().slice(0, 500)),
          ' ',
          h('a', { href: `#L${row + 1}`, title: `Select line ${row + 1}` }, `line ${formatCount(row + 1)}`)));
        return;
      }
    }
  }

  function applyFilter() {
    const q = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const [el, text] of lineEls) {
      const match = !q || text.includes(q);
      el.hidden = !match;
      shown += match ? 1 : 0;
    }
    node.classList.toggle('is-filtered', Boolean(q));
    if (q) {
      status.textContent = `${formatCount(shown)} of ${formatCount(lineEls.length)} loaded lines match`;
    } else if (lineEls.length) {
      status.textContent = `${formatCount(lineEls.length)} of ${formatCount(total ?? lineEls.length)} lines loaded`;
    }
  }

  let filterTimer = null;
  filter.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(applyFilter, 120);
  });
  btnStart.addEventListener('click', () => {
    if (rows.has(0)) {
      body.scrollTop = 0;
    } else {
      run({ _page: 1 }, 'top');
    }
  });
  btnEnd.addEventListener('click', () => loadTail('bottom'));

  /**
   * Lines pushed by the server for this attempt ({attempt, total_lines, lines, reset}). Follows the
   * tail when the view was at the bottom; otherwise keeps the reader where they are.
   */
  let pushed = null;
  function append(log) {
    if (!log || Number(log.attempt) !== Number(attemptId)) {
      return;
    }
    pushed = pushed || [];
    pushed.push(log);
    flushPushed();
  }
  function flushPushed() {
    if (!pushed || busy) {
      return;
    }
    const selecting = String(window.getSelection() || '') !== '' && body.contains(window.getSelection().anchorNode);
    if (selecting) {
      setTimeout(flushPushed, 1000); // do not pull the text from under a selection
      return;
    }
    const logsIn = pushed;
    pushed = null;
    const atBottom = follow.checked || body.scrollTop + body.clientHeight >= body.scrollHeight - 24;
    const before = body.scrollTop;
    for (const log of logsIn) {
      for (const r of Array.isArray(log.lines) ? log.lines : []) {
        const row = Number(r.row);
        if (Number.isInteger(row) && row >= 0) {
          rows.set(row, { ts: toMillis(r.timestamp), line: r.line === null || r.line === undefined ? '' : String(r.line) });
        }
      }
      if (Number.isFinite(Number(log.total_lines))) {
        total = Number(log.total_lines);
      }
    }
    const newest = logsIn.flatMap((log) => (Array.isArray(log.lines) ? log.lines : []));
    if (atBottom) {
      evictFar(newest); // following the tail: the oldest lines go ("Load earlier lines" brings them back)
    }
    render();
    body.scrollTop = atBottom ? body.scrollHeight : before;
  }
  // Server-side search over the whole log, with hit navigation (loads the page around a hit).
  const search = { hits: [], index: -1 };
  async function showHit(i) {
    if (!search.hits.length) {
      return;
    }
    search.index = (i + search.hits.length) % search.hits.length;
    const row = search.hits[search.index];
    if (!rows.has(row)) {
      await loadAround(row, 'keep');
    }
    body.querySelectorAll('.ll.hit').forEach((x) => x.classList.remove('hit'));
    const el = body.querySelector(`.ll[data-row="${row}"]`);
    if (el) {
      el.classList.add('hit');
      el.scrollIntoView({ block: 'center' });
    }
    searchStatus.textContent = `Match ${formatCount(search.index + 1)} of ${formatCount(search.hits.length)}${search.truncated ? '+' : ''}, line ${formatCount(row + 1)}`
      + (search.truncated ? ` (only the first ${formatCount(search.hits.length)} matches are listed: refine the search)` : '');
  }
  searchForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = searchInput.value.trim();
    search.hits = [];
    search.index = -1;
    btnPrevHit.disabled = true;
    btnNextHit.disabled = true;
    if (!q) {
      searchStatus.textContent = '';
      return;
    }
    searchStatus.textContent = 'Searching…';
    try {
      const res = await getJson(apiUrl([...base, 'logs', stream, 'search'], { q, attempt_id: attemptId, _limit: SEARCH_LIMIT }));
      const data = res.data || {};
      search.hits = (Array.isArray(data.rows) ? data.rows : []).map((r) => Number(r.row)).filter(Number.isInteger);
      search.truncated = Boolean(data.truncated);
    } catch (e) {
      searchStatus.textContent = `Search failed: ${e.message}`;
      return;
    }
    if (!search.hits.length) {
      searchStatus.textContent = 'No matches in the whole log.';
      return;
    }
    btnPrevHit.disabled = false;
    btnNextHit.disabled = false;
    await showHit(0);
  });
  btnNextHit.addEventListener('click', () => showHit(search.index + 1));
  btnPrevHit.addEventListener('click', () => showHit(search.index - 1));

  // Follow: keep the newest lines in view as the server pushes them (no polling); turning it on
  // jumps to the tail.
  follow.addEventListener('change', () => {
    if (follow.checked && node.isConnected) {
      loadTail('bottom');
    }
  });


  /** Selects a line (marks it, scrolls it into view), loading its page first when needed. */
  async function select(row, sig) {
    if (!rows.has(row) && (total === null || row < total)) {
      await run({ _page: pageContaining(row) }, 'keep', sig);
    }
    body.querySelectorAll('.ll.target').forEach((x) => x.classList.remove('target'));
    const el = body.querySelector(`.ll[data-row="${row}"]`);
    if (el) {
      el.classList.add('target');
      el.scrollIntoView({ block: 'center' });
    }
    return el;
  }

  // "#L38" set later (a line number or the error summary clicked, Back/Forward): select that line
  const onHash = () => {
    if (!node.isConnected) {
      window.removeEventListener('hashchange', onHash);
      return;
    }
    const row = anchorRow();
    if (row !== null) {
      select(row);
    }
  };
  window.addEventListener('hashchange', onHash);

  const ready = loadTail('bottom', signal).then(async () => {
    const row = anchorRow();
    if (row !== null && !rows.has(row) && (total === null || row < total)) {
      await run({ _page: pageContaining(row) }, 'keep', signal);
    }
    // the node is attached to the page only after ready: place the log then
    requestAnimationFrame(() => {
      const target = row === null ? null : body.querySelector(`.ll[data-row="${row}"]`);
      if (target) {
        target.classList.add('target');
        target.scrollIntoView({ block: 'center' });
      } else {
        body.scrollTop = body.scrollHeight;
      }
    });
  });
  return { node, ready, append };
}

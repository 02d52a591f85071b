// Small shared building blocks for the views. All data goes in as text.
import { h } from './dom.js';
import { formatDateTime, formatDuration, isoUtc, normalizeStatus, toMillis, formatCount } from './format.js';

const STATUS_ICON = { running: '●', completed: '✓', failed: '✕', pending: '○', unknown: '?' };

/** A coloured status badge with its text label; the reason (if any) is the tooltip. */
export function statusBadge(status, reason, { large = false } = {}) {
  const s = normalizeStatus(status);
  const label = status ? String(status).toLowerCase() : 'unknown';
  return h('span', { class: ['status', `status-${s}`, large && 'status-lg'], title: reason || null },
    h('span', { class: 'status-icon', 'aria-hidden': 'true' }, STATUS_ICON[s]),
    label);
}

/** "✓ 200" with a title and screen-reader text: a per-status task count. */
export function statusCount(status, n) {
  const s = normalizeStatus(status);
  return h('span', { class: ['count', `count-${s}`], title: `${formatCount(n)} ${s}` },
    h('span', { 'aria-hidden': 'true' }, STATUS_ICON[s]), ` ${formatCount(n)}`,
    h('span', { class: 'sr-only' }, ` ${s}`));
}

/** A <time> in local time with the ISO UTC instant as title; empty text for no value. */
export function timeEl(value, { empty = '' } = {}) {
  const ms = toMillis(value);
  if (ms === null) {
    return h('span', { class: 'muted' }, empty);
  }
  const iso = isoUtc(ms);
  return h('time', { datetime: iso, title: iso }, formatDateTime(ms));
}

/**
 * A human duration; negative or missing values explain themselves in the title. A running object
 * with a known start (`running` and `start` in epoch ms) shows its growing duration, counted from
 * its start on the page's shared one-second ticker (the server's clock when known).
 */
export function durationEl(value, { running = false, start = null } = {}) {
  const from = running ? toMillis(start) : null;
  if (from !== null) {
    const el = h('span', { class: 'num running-duration', dataset: { start: String(from) } });
    renderRunning(el, from);
    liveDurations.add(el, from);
    return el;
  }
  if (value === null || value === undefined) {
    return h('span', { class: 'muted' }, running ? 'running' : '');
  }
  const ms = Number(value);
  if (ms < 0) {
    return h('span', { class: 'muted', title: `The data gives a negative duration (${ms} ms)` }, '—');
  }
  return h('span', { class: 'num', title: `${formatCount(ms)} ms` }, formatDuration(ms));
}

// The offset of the server's clock from the browser's (ms), learnt from the live connection's
// hello; 0 (the browser clock) until then.
let clockSkew = 0;

/** Records the server's time (epoch ms, as just received) so running durations use its clock. */
export function setServerTime(serverMillis) {
  const ms = toMillis(serverMillis);
  if (ms !== null) {
    clockSkew = ms - Date.now();
  }
}

/** Now, on the server's clock when known. */
export function serverNow() {
  return Date.now() + clockSkew;
}

function renderRunning(el, from) {
  const ms = Math.max(0, serverNow() - from);
  el.textContent = formatDuration(ms);
  el.title = `running for ${formatDuration(ms)} (since ${isoUtc(from)})`;
}

// One interval for the whole page: running durations register here and are swept once they left
// the document (or were never attached and are old), so nothing holds a dropped row or view.
const liveDurations = {
  entries: new Set(),
  timer: null,
  add(el, from) {
    this.entries.add({ ref: new WeakRef(el), from, born: Date.now(), seen: false });
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), 1000);
    }
  },
  tick() {
    const now = Date.now();
    for (const e of this.entries) {
      const el = e.ref.deref();
      if (!el) {
        this.entries.delete(e);
      } else if (el.isConnected) {
        e.seen = true;
        renderRunning(el, e.from);
      } else if (e.seen || now - e.born > 10000) {
        this.entries.delete(e);
      }
    }
    if (!this.entries.size) {
      clearInterval(this.timer);
      this.timer = null;
    }
  },
};

/** How many running durations the page's ticker updates (for tests and diagnostics). */
export function tickingCount() {
  return liveDurations.entries.size;
}

/** A tag chip; with an href it is a link (e.g. to filter runs by it). */
export function tagChip(tag, { href = null, system = false } = {}) {
  const cls = ['chip', system && 'chip-system'];
  return href ? h('a', { class: cls, href, title: `Show runs tagged ${tag}` }, tag) : h('span', { class: cls }, tag);
}

/** A definition-list row pair for header facts. */
export function fact(label, ...value) {
  return [h('dt', null, label), h('dd', null, ...value)];
}

/** An inline message box: kind is 'error', 'warn', 'info' or 'empty'. */
export function message(kind, title, ...body) {
  return h('div', { class: ['msg', `msg-${kind}`], role: kind === 'error' ? 'alert' : null },
    title ? h('p', { class: 'msg-title' }, title) : null,
    ...body);
}

/**
 * Prev/next paging links. page is 1-based; next is pages.next from the API (null on the last page).
 */
export function pager(page, hasNext, hrefFor, { label = 'Pages' } = {}) {
  if (page <= 1 && !hasNext) {
    return null;
  }
  return h('nav', { class: 'pager', 'aria-label': label },
    page > 1
      ? h('a', { class: 'btn', href: hrefFor(page - 1), rel: 'prev', dataset: { scroll: 'top' } }, '‹ Prev')
      : h('span', { class: 'btn', 'aria-disabled': 'true' }, '‹ Prev'),
    h('span', { class: 'pager-page' }, `Page ${formatCount(page)}`),
    hasNext
      ? h('a', { class: 'btn', href: hrefFor(page + 1), rel: 'next', dataset: { scroll: 'top' } }, 'Next ›')
      : h('span', { class: 'btn', 'aria-disabled': 'true' }, 'Next ›'));
}

/**
 * A sortable column header. order is the current _order value (e.g. "-ts_epoch"); clicking flips
 * the direction of the current field or starts with firstDir ('-' or '+').
 */
export function sortHeader(label, field, order, hrefFor, { firstDir = '-', cls = null } = {}) {
  const current = String(order || '');
  const dir = current.startsWith('+') ? '+' : '-';
  const active = current.replace(/^[+-]/, '') === field;
  const nextOrder = active ? `${dir === '-' ? '+' : '-'}${field}` : `${firstDir}${field}`;
  return h('th', { scope: 'col', class: cls, 'aria-sort': active ? (dir === '-' ? 'descending' : 'ascending') : null },
    h('a', { class: 'sort', href: hrefFor(nextOrder), title: `Sort by ${label.toLowerCase()}` },
      label,
      h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (dir === '-' ? ' ▼' : ' ▲') : '')));
}

/** A plain column header. */
export function th(label, cls = null) {
  return h('th', { scope: 'col', class: cls }, label);
}

/** Parses a page number or size within the API's range (1..max); def when absent; throws a readable error when bad. */
export function pageParam(query, name, def = 1, max = name === '_limit' ? 1000 : 1000000) {
  const raw = query.get(name);
  if (raw === null || raw === '') {
    return def;
  }
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new UiError(`"${name}" must be a whole number between 1 and ${formatCount(max)}, got "${raw.slice(0, 40)}".`);
  }
  return Number(raw);
}

/** A problem found in the page URL itself (not the API). */
export class UiError extends Error {
  constructor(message, status = 400) {
    super(message);
    this.name = 'UiError';
    this.status = status;
  }
}

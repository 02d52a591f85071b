// Live updates: one EventSource for the resources on screen, events merged in batches (at most a
// few renders per second), a polling fallback, and the connection/staleness indicator.
import { BASE, getJson } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatClock } from './format.js';
import { setServerTime } from './ui.js';

const FLUSH_MS = 400;          // events are handed to the view at most this often
const STALE_AFTER_MS = 10000;  // reconnecting for longer than this: the data may be stale
const POLL_MS = 5000;          // the polling fallback's interval
const FAILED_OPENS = 3;        // streams that never opened before falling back to polling

/** "/flows/F/runs/R/tasks?_page=2": an API path (without "api") as the server names resources. */
export function resourceOf(segments, params) {
  const path = `/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== '') {
      q.set(k, String(v));
    }
  }
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * The key of a row as the server sends it in "changes": Flow/Run[/Step[/Task]].
 */
export function rowKey(row) {
  let k = `${row.flow_id}/${row.run_number}`;
  if (row.step_name !== undefined && row.step_name !== null) {
    k += `/${row.step_name}`;
  }
  if (row.task_id !== undefined && row.task_id !== null) {
    k += `/${row.task_id}`;
  }
  return k;
}

/**
 * Applies a resource's events to a list of rows (in the server's order): a snapshot replaces them,
 * changes patch them by key, and "order" (sent when it changed) reorders them. Returns the new list.
 */
export function applyRows(rows, events) {
  let out = rows;
  for (const ev of events) {
    if (ev.type === 'snapshot' && Array.isArray(ev.data.data)) {
      out = ev.data.data.slice();
    } else if (ev.type === 'changes' && Array.isArray(ev.data.changes)) {
      const byKey = new Map(out.map((r) => [rowKey(r), r]));
      for (const c of ev.data.changes) {
        if (c.op === 'removed') {
          byKey.delete(c.key);
        } else {
          byKey.set(c.key, c.data);
        }
      }
      if (Array.isArray(ev.data.order)) {
        out = ev.data.order.filter((k) => byKey.has(k)).map((k) => byKey.get(k));
      } else {
        out = out.filter((r) => byKey.has(rowKey(r))).map((r) => byKey.get(rowKey(r)));
      }
    }
  }
  return out;
}

/**
 * Whether two lists of rows hold the same data. A (re)connecting stream starts with a snapshot that
 * usually equals what the page already shows: a view redraws only when this says they differ, so
 * that an unchanged page keeps its nodes (hover, focus, a half-done click).
 */
export function sameRows(a, b) {
  if (a === b) {
    return true;
  }
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
    return false;
  }
  return a.every((row, i) => sameValue(row, b[i]));
}

// Structural equality of JSON values; object keys in any order.
function sameValue(a, b) {
  if (a === b) {
    return true;
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  if (Array.isArray(a)) {
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length
    && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue(a[k], b[k]));
}

const indicator = document.getElementById('live');

/** The connection, shared by the whole app; subscribe() replaces what it follows. */
class Live {
  constructor() {
    this.source = null;
    this.resources = [];
    this.onBatch = null;
    this.channels = new Map(); // channel id -> resource
    this.pending = [];
    this.flushTimer = null;
    this.lastId = null;
    this.state = 'off';
    this.since = null;
    this.problems = new Map(); // resource -> {detail, since}
    this.finished = new Set();
    this.failedOpens = 0;
    this.polling = false;
    this.pollTimer = null;
    this.generation = 0;
    this.tickTimer = null;
    document.addEventListener('visibilitychange', () => this.render());
  }

  /** Follows `resources` (API paths) and hands their events to onBatch(Map resource -> events[]). */
  subscribe(resources, onBatch) {
    this.close();
    this.generation += 1;
    this.resources = resources;
    this.onBatch = onBatch;
    if (!resources.length) {
      this.render();
      return;
    }
    if (this.polling || typeof EventSource === 'undefined') {
      this.startPolling();
    } else {
      this.open();
    }
  }

  allFinished() {
    return this.resources.length > 0 && this.resources.every((r) => this.finished.has(r));
  }

  /** Ends the connection but keeps what the page shows (and says it is final). */
  stop() {
    if (this.source) {
      this.source.close();
      this.source = null;
    }
    clearTimeout(this.pollTimer);
    this.generation += 1;
    this.flush();
  }

  close() {
    if (this.source) {
      this.source.close();
      this.source = null;
    }
    clearTimeout(this.pollTimer);
    clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.pending = [];
    this.channels = new Map();
    this.problems = new Map();
    this.finished = new Set();
    this.lastId = null;
    this.resources = [];
    this.setState('off');
  }

  url(path) {
    const q = new URLSearchParams();
    this.resources.forEach((r) => q.append('resource', r));
    return `${BASE}api/events${path}?${q.toString()}`;
  }

  open() {
    const gen = this.generation;
    const source = new EventSource(this.url(''));
    this.source = source;
    let opened = false;
    this.setState('connecting');
    source.addEventListener('open', () => {
      opened = true;
      this.failedOpens = 0;
      this.setState('live');
    });
    source.addEventListener('error', () => {
      if (gen !== this.generation) {
        return;
      }
      if (source.readyState === EventSource.CLOSED) {
        // refused (e.g. 503, too many streams): poll instead
        if (!opened) {
          this.failedOpens += 1;
        }
        this.source = null;
        this.startPolling();
        return;
      }
      if (!opened) {
        this.failedOpens += 1;
        if (this.failedOpens >= FAILED_OPENS) {
          source.close();
          this.source = null;
          this.startPolling();
          return;
        }
      }
      this.setState('reconnecting');
    });
    for (const type of ['hello', 'snapshot', 'changes', 'status']) {
      source.addEventListener(type, (e) => {
        if (gen === this.generation) {
          this.setState('live');
          this.receive(type, e.data, e.lastEventId);
        }
      });
    }
  }

  startPolling() {
    this.polling = true;
    const gen = this.generation;
    const poll = async () => {
      if (gen !== this.generation) {
        return;
      }
      const q = new URLSearchParams();
      this.resources.forEach((r) => q.append('resource', r));
      if (this.lastId) {
        q.set('since', this.lastId);
      }
      try {
        const res = await getJson(`${BASE}api/events/poll?${q.toString()}`);
        if (gen !== this.generation) {
          return;
        }
        this.receive('hello', JSON.stringify(res.hello), null);
        for (const ev of res.events || []) {
          this.receive(ev.event, JSON.stringify(ev.data), ev.id);
        }
        this.lastId = res.last_event_id || this.lastId;
        this.setState('polling');
      } catch (e) {
        this.setState('reconnecting');
      }
      this.pollTimer = setTimeout(poll, POLL_MS);
    };
    this.setState('connecting');
    poll();
  }

  receive(type, raw, id) {
    let data;
    try {
      data = JSON.parse(raw);
    } catch {
      return;
    }
    if (id) {
      this.lastId = id;
    }
    if (type === 'hello') {
      setServerTime(data.server_time);
      this.channels = new Map(Object.entries(data.resources || {}).map(([res, ch]) => [ch, res]));
      return;
    }
    const resource = this.channels.get(data.r);
    if (!resource) {
      return;
    }
    if (type === 'status') {
      if (data.state === 'error') {
        const prev = this.problems.get(resource);
        this.problems.set(resource, { detail: data.detail, since: prev ? prev.since : (data.since || Date.now()) });
      } else {
        this.problems.delete(resource);
      }
      if (data.state === 'finished') {
        this.finished.add(resource);
        if (this.allFinished()) {
          this.stop(); // nothing on this page will change any more: free the connection
        }
      }
      this.render();
      return;
    }
    this.pending.push({ resource, type, data });
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
    }
  }

  flush() {
    this.flushTimer = null;
    const events = this.pending;
    this.pending = [];
    if (!events.length || !this.onBatch) {
      return;
    }
    const batch = new Map();
    for (const ev of events) {
      if (!batch.has(ev.resource)) {
        batch.set(ev.resource, []);
      }
      batch.get(ev.resource).push(ev);
    }
    try {
      this.onBatch(batch);
    } catch (e) {
      console.error(e);
    }
  }

  setState(state) {
    if (state !== this.state) {
      this.since = state === 'reconnecting' && this.state === 'reconnecting' ? this.since : Date.now();
      this.state = state;
    }
    this.render();
  }

  render() {
    if (!indicator) {
      return;
    }
    clearTimeout(this.tickTimer);
    const now = Date.now();
    let cls = 'live';
    let text;
    let title;
    const problem = [...this.problems.values()][0];
    if (this.state === 'off') {
      indicator.hidden = true;
      return;
    }
    if (problem) {
      cls = 'live live-stale';
      text = `Stale since ${formatClock(problem.since)}`;
      title = `${problem.detail || 'The data source is unavailable.'} Showing the last data; retrying.`;
    } else if (this.state === 'reconnecting' || this.state === 'connecting') {
      const stale = now - this.since > STALE_AFTER_MS;
      cls = stale ? 'live live-stale' : 'live live-wait';
      text = stale ? `Stale since ${formatClock(this.since)}` : (this.state === 'connecting' ? 'Connecting…' : 'Reconnecting…');
      title = 'The live connection to the server is down; the page shows the last data it received.';
      this.tickTimer = setTimeout(() => this.render(), 1000);
    } else if (this.allFinished()) {
      cls = 'live live-done';
      text = 'Final';
      title = 'Everything on this page has finished; nothing will change any more.';
    } else {
      text = this.state === 'polling' ? 'Live (polling)' : 'Live';
      title = this.state === 'polling'
        ? 'Updates arrive by polling every 5 seconds (live streaming is not available).'
        : 'Changes appear as they happen.';
    }
    indicator.className = cls;
    indicator.title = title;
    replaceChildren(indicator, h('span', { class: 'live-dot', 'aria-hidden': 'true' }), ' ', text);
    indicator.hidden = false;
  }
}

export const live = new Live();

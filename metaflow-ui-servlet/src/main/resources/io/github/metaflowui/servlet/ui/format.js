// Formatting helpers: no DOM here. Times follow the time zone setting (local or UTC).
import { timeZoneSetting } from './settings.js';

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** Parses a wire timestamp (epoch ms as a number or numeric string); null when absent or bad. */
export function toMillis(value) {
  if (value === null || value === undefined || value === '') {
    return null;
  }
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

// The fields of an instant in the chosen zone.
function fields(ms) {
  const d = new Date(ms);
  if (timeZoneSetting() === 'utc') {
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), ms: d.getUTCMilliseconds() };
  }
  return { y: d.getFullYear(), mo: d.getMonth() + 1, d: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds(), ms: d.getMilliseconds() };
}

/** "2026-12-03 14:07:31" in the chosen time zone (local or UTC). */
export function formatDateTime(ms) {
  const f = fields(ms);
  return `${f.y}-${pad(f.mo)}-${pad(f.d)} ${pad(f.h)}:${pad(f.mi)}:${pad(f.s)}`;
}

/** "14:07:31.042" in the chosen time zone (log lines). */
export function formatClock(ms) {
  const f = fields(ms);
  return `${pad(f.h)}:${pad(f.mi)}:${pad(f.s)}.${pad(f.ms, 3)}`;
}

/** ISO-8601 UTC, for titles and datetime attributes. */
export function isoUtc(ms) {
  return new Date(ms).toISOString();
}

/**
 * A human duration: "850ms", "4.2s", "42s", "3m 12s", "2h 05m", "3d 4h". Null/undefined gives "".
 * Negative values (clock quirks in the data) give "".
 */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(Number(ms))) {
    return '';
  }
  ms = Number(ms);
  if (ms < 0) {
    return '';
  }
  if (ms < 1000) {
    return `${Math.round(ms)}ms`;
  }
  const totalSeconds = ms / 1000;
  if (totalSeconds < 10) {
    return `${(Math.floor(totalSeconds * 10) / 10).toFixed(1)}s`;
  }
  const s = Math.floor(totalSeconds);
  if (s < 60) {
    return `${s}s`;
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return `${m}m ${pad(s % 60)}s`;
  }
  const hrs = Math.floor(m / 60);
  if (hrs < 24) {
    return `${hrs}h ${pad(m % 60)}m`;
  }
  return `${Math.floor(hrs / 24)}d ${hrs % 24}h`;
}

/** "1,234" */
export function formatCount(n) {
  return Number(n).toLocaleString('en-US');
}

/** "512 B", "3.4 KB", "12 MB". */
export function formatBytes(n) {
  if (n === null || n === undefined || !Number.isFinite(Number(n))) {
    return '';
  }
  n = Number(n);
  if (n < 1024) {
    return `${n} B`;
  }
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** "1 task" / "3 tasks". */
export function plural(n, word, pluralWord = `${word}s`) {
  return `${formatCount(n)} ${n === 1 ? word : pluralWord}`;
}

/** Known status values, in the order we list them. Anything else is shown as "unknown". */
export const STATUSES = ['running', 'failed', 'completed', 'pending', 'unknown'];

export function normalizeStatus(status) {
  const s = String(status ?? '').toLowerCase();
  return STATUSES.includes(s) ? s : 'unknown';
}

/** Splits "a, b,,c" into ["a","b","c"]. */
export function splitList(text) {
  return String(text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The value of a datetime-local input for an instant, in the chosen time zone: "2026-12-03T14:07:31". */
export function dateTimeInputValue(ms) {
  const f = fields(ms);
  return `${f.y}-${pad(f.mo)}-${pad(f.d)}T${pad(f.h)}:${pad(f.mi)}:${pad(f.s)}`;
}

/** The instant a datetime-local value ("2026-12-03T14:07" or with seconds) names in the chosen time zone; null when bad. */
export function parseDateTimeInput(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(String(text || '').trim());
  if (!m) {
    return null;
  }
  const [y, mo, d, hh, mi, s] = m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x)));
  const frac = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const ms = timeZoneSetting() === 'utc'
    ? Date.UTC(y, mo - 1, d, hh, mi, s, frac)
    : new Date(y, mo - 1, d, hh, mi, s, frac).getTime();
  return Number.isFinite(ms) ? ms : null;
}

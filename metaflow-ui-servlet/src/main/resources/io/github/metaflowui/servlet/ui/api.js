// Talking to the servlet's JSON API: base URL, query strings, problem+json errors.

function readBase() {
  const meta = document.querySelector('meta[name="metaflow-ui-base"]');
  let base = meta ? meta.getAttribute('content') || '' : '';
  if (!base || base.includes('{{')) {
    base = '/'; // template not rendered (should not happen behind the servlet)
  }
  return base.endsWith('/') ? base : `${base}/`;
}

/** The mount path of the UI, always ending with "/", e.g. "/" or "/admin/metaflow/". */
export const BASE = readBase();

/** An error answer from the API, or no answer at all. */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the server could not be reached
   * @param {string} title short title (problem+json "title")
   * @param {string} detail precise message (problem+json "detail")
   */
  constructor(status, title, detail) {
    super(detail || title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.title = title || '';
    this.detail = detail || '';
  }

  /** The data source (or the server) is unavailable: worth keeping old content and retrying. */
  get unavailable() {
    return this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

/** Encodes one path segment (flow names and ids are opaque strings). */
export function seg(value) {
  return encodeURIComponent(String(value));
}

// ":" and "," are legal in a query and keep URLs like "_tags=env:prod,team:ml" readable.
// The server decodes before splitting lists, so this changes nothing in meaning.
function encQuery(value) {
  return encodeURIComponent(value).replace(/%3A/gi, ':').replace(/%2C/gi, ',');
}

/** Builds "a=1&b=x" from an object or URLSearchParams, skipping null/undefined/"" values. */
export function queryString(params) {
  if (!params) {
    return '';
  }
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  const parts = [];
  for (const [key, value] of entries) {
    if (value === null || value === undefined || value === '') {
      continue;
    }
    parts.push(`${encQuery(key)}=${encQuery(String(value))}`);
  }
  return parts.join('&');
}

/** The URL of an API resource: apiUrl(['flows', flow, 'runs'], {_page: 2}). */
export function apiUrl(segments, params) {
  const qs = queryString(params);
  return `${BASE}api/${segments.map(seg).join('/')}${qs ? `?${qs}` : ''}`;
}

/** GETs JSON; throws ApiError with the problem+json detail on any failure. */
export async function getJson(url, { signal } = {}) {
  let res;
  try {
    res = await fetch(url, { signal, headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  } catch (e) {
    if (e && e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, 'Server unreachable', 'Could not reach the server. Check your connection and try again.');
  }
  const type = res.headers.get('content-type') || '';
  let body = null;
  if (type.includes('json')) {
    try {
      body = await res.json();
    } catch (e) {
      if (e && e.name === 'AbortError') {
        throw e;
      }
      body = null;
    }
  }
  if (!res.ok) {
    const problem = body && typeof body === 'object' ? body : {};
    const title = typeof problem.title === 'string' ? problem.title : res.statusText;
    let detail = typeof problem.detail === 'string' ? problem.detail : '';
    if (!detail) {
      detail = res.status === 404 ? 'Not found.' : `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`;
    }
    throw new ApiError(res.status, title, detail);
  }
  if (body === null) {
    throw new ApiError(res.status, 'Unexpected answer', 'The server did not answer with JSON.');
  }
  return body;
}

/**
 * Awaits a request that a page can do without: resolves to {ok: true, value} or {ok: false, error}.
 * Only an abort is rethrown: a section that cannot be loaded (even one the data source fails to
 * answer) says so in place and never takes the page down; when the whole data source is down, the
 * page's required requests fail too and the page says so.
 */
export async function optional(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    if (error && error.name === 'AbortError') {
      throw error;
    }
    return { ok: false, error };
  }
}

/**
 * A loader that shares identical GETs while one page is shown (e.g. switching a filter on the run
 * page does not refetch the run). Failed requests are not kept.
 */
export function createLoader() {
  const cache = new Map();
  const load = (segments, params) => {
    const url = apiUrl(segments, params);
    let p = cache.get(url);
    if (!p) {
      p = getJson(url);
      cache.set(url, p);
      p.catch(() => cache.delete(url));
    }
    return p;
  };
  load.clear = () => cache.clear();
  /** The same GET asked again (e.g. rows that changed on the server), replacing the shared answer. */
  load.fresh = (segments, params) => {
    cache.delete(apiUrl(segments, params));
    return load(segments, params);
  };
  return load;
}

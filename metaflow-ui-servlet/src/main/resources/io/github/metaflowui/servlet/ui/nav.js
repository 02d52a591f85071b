// URLs of the UI's pages and client-side navigation (History API).
import { BASE, seg, queryString } from './api.js';

/** The UI URL for path segments and a query: href(['LinearFlow', '123'], {status: 'failed'}). */
export function href(segments = [], query) {
  const qs = queryString(query);
  return `${BASE}${segments.map(seg).join('/')}${qs ? `?${qs}` : ''}`;
}

export const paths = {
  runs: (query) => href([], query),
  flow: (flow, query) => href([flow], query),
  run: (flow, run, query) => href([flow, run], query),
  task: (flow, run, step, task, query) => href([flow, run, step, task], query),
};

/**
 * A copy of `query` with changes applied: a null/undefined/"" value removes the key.
 * withQuery(q, {status: 'failed', _page: null})
 */
export function withQuery(query, changes) {
  const next = new URLSearchParams(query);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === '') {
      next.delete(key);
    } else {
      next.set(key, String(value));
    }
  }
  return next;
}

/** The current path + a modified query, as an href. */
export function hereWith(changes) {
  const qs = queryString(withQuery(new URLSearchParams(location.search), changes));
  return `${location.pathname}${qs ? `?${qs}` : ''}`;
}

let renderer = () => {};

/** The app registers its render function here. */
export function onNavigate(fn) {
  renderer = fn;
}

/** Remembers the scroll position of the current history entry (restored on Back). */
export function saveScroll() {
  const state = { ...(history.state || {}), scrollY: window.scrollY };
  history.replaceState(state, '');
}

/**
 * Goes to a UI URL without reloading. scroll: 'top', 'keep', or 'auto' (top when the path changes).
 */
export function navigate(url, { replace = false, scroll = 'auto' } = {}) {
  const target = new URL(url, location.href);
  const samePath = target.pathname === location.pathname;
  if (!replace) {
    saveScroll();
    history.pushState({}, '', target.href);
  } else {
    history.replaceState({}, '', target.href);
  }
  renderer({ scroll: scroll === 'auto' ? (samePath ? 'keep' : 'top') : scroll });
}

/** True for an href that the client-side router handles (a page of this UI). */
export function isAppUrl(url) {
  if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) {
    return false;
  }
  const rest = url.pathname.slice(BASE.length);
  return !(rest === 'api' || rest.startsWith('api/') || rest === 'static' || rest.startsWith('static/'));
}

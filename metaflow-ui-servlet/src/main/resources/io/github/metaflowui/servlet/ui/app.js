// The shell: routes, the render loop (loading / error / stale states), breadcrumbs, link handling.
import { h, replaceChildren } from './dom.js';
import { ApiError, createLoader } from './api.js';
import { paths, navigate, onNavigate, isAppUrl, saveScroll } from './nav.js';
import { message, UiError } from './ui.js';
import { runsView } from './views/runs.js';
import { runView } from './views/run.js';
import { taskView } from './views/task.js';
import { BASE } from './api.js';
import { live } from './live.js';
import { applyTheme, setTheme, setTimeZone, themeSetting, timeZoneSetting } from './settings.js';
import { installChrome } from './chrome.js';
import { legacySection, hasLegacyQuery, translateRunQuery } from './legacy.js';

const APP_TITLE = document.title || 'Metaflow';
const main = document.getElementById('main');
const crumbsEl = document.getElementById('crumbs');
const banner = document.getElementById('banner');
const refreshButton = document.getElementById('refresh');
const REBUILD_RETRY_MS = 1000;

const ROUTES = [
  { names: [], view: runsView },
  { names: ['flow'], view: runsView },
  { names: ['flow', 'run'], view: runOrLegacy },
  { names: ['flow', 'run', 'step'], view: stepRedirect },
  { names: ['flow', 'run', 'step', 'task'], view: taskView },
];

/** Matches the current location to a route; null when no page exists there. */
function resolve(loc) {
  const path = loc.pathname;
  if (!path.startsWith(BASE)) {
    return null;
  }
  let rest = path.slice(BASE.length);
  if (rest.endsWith('/')) {
    rest = rest.slice(0, -1);
  }
  const raw = rest === '' ? [] : rest.split('/');
  let segments;
  try {
    segments = raw.map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
  if (segments.some((s) => s === '')) {
    return null;
  }
  if (segments.length === 4 && segments[2] === 'view' && legacySection(segments[3])) {
    // Metaflow UI's run tabs: /{flow}/{run}/view/{dag|timeline|task}
    return { route: { view: legacyRunTab }, params: { flow: segments[0], run: segments[1], view: segments[3] } };
  }
  const route = ROUTES.find((r) => r.names.length === segments.length);
  if (!route) {
    return null;
  }
  const params = {};
  route.names.forEach((name, i) => {
    params[name] = segments[i];
  });
  return { route, params };
}

// "/{flow}/{run}/{step}" shows the run page filtered to that step, when the run has that step
// (started, or in its graph); otherwise it is not found, like an unknown run.
async function stepRedirect({ params, query, load }) {
  const base = ['flows', params.flow, 'runs', params.run];
  const steps = await load([...base, 'steps'], { _limit: 1000 }); // an unknown run says so itself
  if (!(Array.isArray(steps.data) && steps.data.some((s) => String(s.step_name) === params.step))) {
    const dag = await load([...base, 'dag']).then((r) => r.data, () => null);
    if (!dag || !dag.steps || !Object.hasOwn(dag.steps, params.step)) {
      throw new UiError(`Run ${params.flow}/${params.run} has no step "${params.step}".`, 404);
    }
  }
  const q = translateRunQuery(query);
  q.set('step', params.step);
  return { redirect: paths.run(params.flow, params.run, q) };
}

// Links from Metaflow's UI: its run query and tabs land on the same run page sections here.
async function runOrLegacy(ctx) {
  if (hasLegacyQuery(ctx.query)) {
    return { redirect: paths.run(ctx.params.flow, ctx.params.run, translateRunQuery(ctx.query)) };
  }
  return runView(ctx);
}

async function legacyRunTab({ params, query }) {
  return { redirect: `${paths.run(params.flow, params.run, translateRunQuery(query))}#${legacySection(params.view)}` };
}

function notFoundView(detail) {
  return {
    title: 'Not found',
    crumbs: [{ label: 'Runs', href: paths.runs() }, { label: 'Not found' }],
    node: h('section', { class: 'view view-error' },
      h('h1', null, 'Not found'),
      message('empty', detail || 'There is no page at this address.',
        h('p', null, h('a', { href: paths.runs() }, 'Go to the runs list')))),
  };
}

function errorView(error, retry) {
  const unavailable = error instanceof ApiError && error.unavailable;
  const badUrl = (error instanceof ApiError && error.status === 400) || error instanceof UiError;
  const title = unavailable ? 'Metaflow data source unavailable'
    : badUrl ? 'This address has a problem' : 'Something went wrong';
  const detail = error instanceof ApiError || error instanceof UiError
    ? error.message
    : 'The page could not be shown. Try again, or go back to the runs list.';
  return {
    title,
    crumbs: [{ label: 'Runs', href: paths.runs() }, { label: 'Error' }],
    node: h('section', { class: 'view view-error' },
      h('h1', null, title),
      message(unavailable ? 'warn' : 'error', null,
        h('p', null, detail),
        h('p', { class: 'actions' },
          h('button', { type: 'button', class: 'btn', onclick: retry }, 'Try again'),
          badUrl ? h('a', { class: 'btn btn-quiet', href: location.pathname }, 'Reset the filters') : null,
          h('a', { class: 'btn btn-quiet', href: paths.runs() }, 'Runs list')))),
  };
}

function renderCrumbs(crumbs) {
  const list = h('ol', null, crumbs.map((c, i) => {
    const last = i === crumbs.length - 1;
    return h('li', null, last || !c.href
      ? h('span', { 'aria-current': last ? 'page' : null }, c.label)
      : h('a', { href: c.href }, c.label));
  }));
  replaceChildren(crumbsEl, list);
}

function showBanner(text, detail) {
  replaceChildren(banner,
    h('span', { class: 'banner-text' }, h('strong', null, text), detail ? ` ${detail}` : ''),
    h('button', { type: 'button', class: 'btn btn-small', onclick: () => render({ scroll: 'keep', refresh: true }) }, 'Retry'));
  banner.hidden = false;
}

function hideBanner() {
  banner.hidden = true;
  banner.replaceChildren();
}

const state = { controller: null, path: null, url: null, hasContent: false, result: null };
const load = createLoader();

async function render({ scroll = 'top', refresh = false, restore = null } = {}) {
  clearTimeout(rebuildTimer);
  if (state.controller) {
    state.controller.abort();
  }
  const controller = new AbortController();
  state.controller = controller;
  const path = location.pathname;
  const samePath = path === state.path;
  if (!samePath || refresh) {
    load.clear();
  }
  document.documentElement.classList.add('is-loading');
  main.setAttribute('aria-busy', 'true');
  const placeholder = samePath ? null : setTimeout(() => {
    if (state.controller === controller) {
      replaceChildren(main, h('p', { class: 'loading' }, 'Loading…'));
      state.hasContent = false;
    }
  }, 200);

  let result;
  try {
    const match = resolve(location);
    if (!match) {
      result = notFoundView();
    } else {
      result = await match.route.view({
        params: match.params,
        query: new URLSearchParams(location.search),
        load,
        signal: controller.signal,
      });
    }
    if (controller.signal.aborted) {
      return;
    }
    if (result.redirect) {
      clearTimeout(placeholder);
      navigate(result.redirect, { replace: true, scroll });
      return;
    }
    hideBanner();
    state.hasContent = true;
  } catch (error) {
    if (controller.signal.aborted || (error && error.name === 'AbortError')) {
      return;
    }
    if (error instanceof ApiError && error.unavailable && samePath && state.hasContent) {
      // keep what is on screen, say it is old
      clearTimeout(placeholder);
      showBanner('Metaflow data source unavailable — showing the last data.', error.message);
      finish(controller);
      return;
    }
    if ((error instanceof ApiError || error instanceof UiError) && error.status === 404) {
      result = notFoundView(error.message);
    } else {
      if (!(error instanceof ApiError || error instanceof UiError)) {
        console.error(error); // a bug of ours: details for developers only
      }
      result = errorView(error, () => render({ scroll: 'keep', refresh: true }));
    }
    hideBanner();
    state.hasContent = false;
    result.live = null;
  } finally {
    clearTimeout(placeholder);
  }

  if (samePath) {
    keepDetailsState(main, result.node);
  }
  state.path = path;
  state.result = result;
  state.url = path + location.search;
  replaceChildren(main, result.node);
  follow(result);
  if (result.later) {
    // parts that were not ready in time for the first render (e.g. a big run's task counts)
    result.later.then(() => rebuild(result), () => rebuild(result));
  }
  renderCrumbs(result.crumbs || []);
  document.title = result.title ? `${result.title} · ${APP_TITLE}` : APP_TITLE;
  finish(controller);
  placeScroll(scroll, restore, samePath, refresh);
}

// Collapsible sections keep their open/closed state across re-renders of the same page.
function keepDetailsState(oldRoot, newRoot) {
  const open = new Map();
  oldRoot.querySelectorAll('details[data-key]').forEach((d) => open.set(d.dataset.key, d.open));
  newRoot.querySelectorAll('details[data-key]').forEach((d) => {
    if (open.has(d.dataset.key)) {
      d.open = open.get(d.dataset.key);
    }
  });
}

// Live updates: the view names the resources it shows; their events come in batches (at most a
// few per second), the view merges them into its data and is rebuilt from it, keeping the scroll
// position and open sections. A rebuild waits while the user is typing or selecting text.
let rebuildTimer = null;
function follow(result) {
  const spec = result.live;
  if (!spec || !Array.isArray(spec.resources) || !spec.resources.length) {
    live.subscribe([], null);
    return;
  }
  // a view may ask for its data again (e.g. the grouped runs list's "N new runs" button)
  spec.reload = () => {
    if (state.result === result) {
      render({ scroll: 'keep', refresh: true });
    }
  };
  live.subscribe(spec.resources, (batch) => {
    if (state.result !== result) {
      return;
    }
    const outcome = spec.apply(batch);
    if (outcome === 'reload') {
      render({ scroll: 'keep', refresh: true });
    } else if (outcome) {
      rebuild(result);
    }
  });
}

function rebuild(result) {
  clearTimeout(rebuildTimer);
  if (state.result !== result || !result.live || !result.live.rebuild) {
    return;
  }
  if (userIsBusy()) {
    rebuildTimer = setTimeout(() => rebuild(result), REBUILD_RETRY_MS);
    return;
  }
  const node = result.live.rebuild();
  const y = window.scrollY;
  const sideways = [...main.querySelectorAll('.table-wrap')].map((el) => el.scrollLeft);
  keepDetailsState(main, node);
  replaceChildren(main, node);
  main.querySelectorAll('.table-wrap').forEach((el, i) => {
    if (sideways[i]) {
      el.scrollLeft = sideways[i];
    }
  });
  window.scrollTo(0, y);
  result.node = node;
  if (result.live.title) {
    document.title = `${result.live.title()} · ${APP_TITLE}`;
  }
}

// Re-rendering would throw away what the user is doing: typing, a text selection, or keyboard
// focus on something inside the page.
function userIsBusy() {
  const active = document.activeElement;
  if (active && active !== main && main.contains(active)) {
    return true;
  }
  return String(window.getSelection() || '') !== '';
}

function finish(controller) {
  if (state.controller === controller) {
    document.documentElement.classList.remove('is-loading');
    main.removeAttribute('aria-busy');
  }
}

function placeScroll(scroll, restore, samePath, refresh) {
  if (restore !== null && restore !== undefined) {
    window.scrollTo(0, restore);
    return;
  }
  // a refresh of the same page (live updates, Retry) leaves the reader where they are
  const target = !refresh && location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  if (target) {
    target.scrollIntoView({ block: 'start' });
  } else if (scroll === 'top') {
    window.scrollTo(0, 0);
  }
  if (!samePath) {
    // move keyboard/screen-reader focus to the new page without scrolling
    main.focus({ preventScroll: true });
  }
}

// Links to UI pages navigate in place; everything else (new tab, downloads, API, other sites) is
// left to the browser.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
    return;
  }
  const a = e.target.closest('a[href]');
  if (!a || (a.target && a.target !== '_self') || a.hasAttribute('download')) {
    return;
  }
  const url = new URL(a.href, location.href);
  if (!isAppUrl(url)) {
    return;
  }
  if (url.pathname === location.pathname && url.search === location.search && url.hash) {
    return; // in-page anchor
  }
  e.preventDefault();
  navigate(url.href, { scroll: a.dataset.scroll || 'auto' });
});

window.addEventListener('popstate', (e) => {
  if (location.pathname + location.search === state.url) {
    return; // only the #fragment changed (an in-page anchor such as a log line #L38): nothing to reload
  }
  render({ scroll: 'keep', restore: e.state && typeof e.state.scrollY === 'number' ? e.state.scrollY : null });
});

// Keep the scroll position of the current entry fresh for Back/Forward and reloads.
let scrollTimer = null;
window.addEventListener('scroll', () => {
  clearTimeout(scrollTimer);
  scrollTimer = setTimeout(saveScroll, 200);
}, { passive: true });

if (refreshButton) {
  refreshButton.addEventListener('click', () => render({ scroll: 'keep', refresh: true }));
}

// Footer settings: the time zone of shown times and the theme (kept in localStorage).
applyTheme();
installChrome();
const tzEl = document.getElementById('tz');
function renderSettings() {
  if (!tzEl) {
    return;
  }
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
  const offset = -new Date().getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const localLabel = `Local: ${zone} (UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')})`;
  const tzSelect = h('select', { id: 'set-tz', 'aria-label': 'Time zone of the times shown' },
    h('option', { value: 'local', selected: timeZoneSetting() === 'local' }, localLabel),
    h('option', { value: 'utc', selected: timeZoneSetting() === 'utc' }, 'UTC'));
  tzSelect.addEventListener('change', () => {
    setTimeZone(tzSelect.value);
    render({ scroll: 'keep' });
  });
  const themeSelect = h('select', { id: 'set-theme', 'aria-label': 'Colour theme' },
    [['system', 'System'], ['light', 'Light'], ['dark', 'Dark']].map(([v, label]) =>
      h('option', { value: v, selected: themeSetting() === v }, label)));
  themeSelect.addEventListener('change', () => setTheme(themeSelect.value));
  replaceChildren(tzEl,
    h('label', { class: 'setting' }, 'Times in', tzSelect),
    h('label', { class: 'setting' }, 'Theme', themeSelect),
    h('span', null, 'Hover a time for UTC.'));
}
renderSettings();

if ('scrollRestoration' in history) {
  history.scrollRestoration = 'manual';
}
onNavigate(render);
render({ scroll: 'keep', restore: history.state && typeof history.state.scrollY === 'number' ? history.state.scrollY : null });

// Page chrome that every view shares: the "go to" box (a pathspec like Flow/Run/Step/Task),
// `?embed=1` (hides the app bar and footer when shown inside another console; kept for the tab),
// and keyboard navigation (/ search, g go-to, j/k or arrows through table rows, Enter opens).
import { h } from './dom.js';
import { BASE } from './api.js';
import { href, navigate } from './nav.js';

const EMBED_KEY = 'metaflow-ui.embed';

/** True when the page is shown without chrome (`?embed=1` once in this tab, `?embed=0` undoes it). */
export function applyEmbed() {
  const asked = new URLSearchParams(location.search).get('embed');
  try {
    if (asked === '1' || asked === 'true') {
      sessionStorage.setItem(EMBED_KEY, '1');
    } else if (asked === '0' || asked === 'false') {
      sessionStorage.removeItem(EMBED_KEY);
    }
  } catch {
    // storage blocked: the query alone decides
  }
  const meta = document.querySelector('meta[name="metaflow-ui-embed"]');
  if (meta && meta.getAttribute('content') === '1') {
    document.documentElement.classList.add('embed'); // the server's options hide the chrome everywhere
    return true;
  }
  let on = asked === '1' || asked === 'true';
  try {
    on = on || (asked === null && sessionStorage.getItem(EMBED_KEY) === '1');
  } catch {
    // ignore
  }
  document.documentElement.classList.toggle('embed', on);
  return on;
}

/**
 * The UI path of a pathspec: "Flow", "Flow/Run", "Flow/Run/Step", "Flow/Run/Step/Task", with an
 * optional leading "/" or the UI's own URL pasted in. Null when it is not one.
 */
export function pathspecHref(text) {
  let spec = String(text || '').trim();
  if (!spec) {
    return null;
  }
  try {
    const url = new URL(spec);
    if (url.origin === location.origin && url.pathname.startsWith(BASE)) {
      return url.pathname + url.search;
    }
    return null;
  } catch {
    // not a URL: a pathspec
  }
  if (spec.startsWith(BASE) && BASE !== '/') {
    spec = spec.slice(BASE.length);
  }
  const parts = spec.replace(/^\/+|\/+$/g, '').split('/');
  if (!parts.length || parts.length > 4 || parts.some((p) => p === '' || p === '.' || p === '..')) {
    return null;
  }
  return href(parts);
}

function goToBox() {
  const input = h('input', {
    id: 'goto', type: 'search', class: 'goto-input', placeholder: 'Go to Flow/Run/Step/Task', spellcheck: 'false',
    autocomplete: 'off', 'aria-label': 'Go to a flow, run, step or task by its pathspec (Flow/Run/Step/Task); shortcut g',
    title: 'A pathspec like ForeachFlow/1796301658654985/square/2 (shortcut: g)',
  });
  const problem = h('span', { class: 'goto-problem', role: 'status' });
  const form = h('form', { class: 'goto', role: 'search' }, input, problem);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const target = pathspecHref(input.value);
    if (!target) {
      problem.textContent = 'Use Flow, Flow/Run, Flow/Run/Step or Flow/Run/Step/Task';
      return;
    }
    problem.textContent = '';
    input.value = '';
    input.blur();
    navigate(target, { scroll: 'top' });
  });
  input.addEventListener('input', () => {
    problem.textContent = '';
  });
  return form;
}

const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

function rowsOf(main) {
  return [...main.querySelectorAll('table.grid tbody tr')].filter((tr) => tr.querySelector('a[href]') || tr.dataset.href);
}

function moveSelection(main, delta) {
  const rows = rowsOf(main);
  if (!rows.length) {
    return;
  }
  const current = rows.findIndex((r) => r.classList.contains('kbd-sel'));
  // nothing picked yet: start from the first row in view (virtualized tables keep rows out of view too)
  const inView = rows.findIndex((r) => {
    const box = r.getBoundingClientRect();
    const scroller = r.closest('.vscroll');
    const top = scroller ? scroller.getBoundingClientRect().top : 0;
    return box.top >= top && box.bottom <= window.innerHeight;
  });
  const start = inView < 0 ? 0 : inView;
  const next = current < 0 ? (delta > 0 ? start : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, current + delta));
  rows.forEach((r) => r.classList.remove('kbd-sel'));
  rows[next].classList.add('kbd-sel');
  rows[next].setAttribute('aria-selected', 'true');
  rows[next].scrollIntoView({ block: 'nearest' });
}

function openSelection(main) {
  const row = main.querySelector('table.grid tbody tr.kbd-sel');
  if (!row) {
    return false;
  }
  if (row.dataset.href) {
    navigate(row.dataset.href);
    return true;
  }
  const link = row.querySelector('a.id[href]') || row.querySelector('a[href]');
  if (link) {
    link.click();
    return true;
  }
  return false;
}

/** Installs the go-to box in the app bar and the keyboard shortcuts. */
export function installChrome() {
  applyEmbed();
  const bar = document.querySelector('.appbar');
  const box = goToBox();
  if (bar) {
    const before = bar.querySelector('#live') || bar.querySelector('#refresh');
    bar.insertBefore(box, before || null);
  }
  const main = document.getElementById('main');
  document.addEventListener('keydown', (ev) => {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) {
      return;
    }
    const active = document.activeElement;
    if (typing(active)) {
      if (ev.key === 'Escape') {
        active.blur();
      }
      return;
    }
    const goto = document.getElementById('goto');
    switch (ev.key) {
      case '/': {
        const search = main.querySelector('input[type=search], input[type=text]') || goto;
        if (search) {
          ev.preventDefault();
          search.focus();
          search.select();
        }
        break;
      }
      case 'g':
        if (goto && !document.documentElement.classList.contains('embed')) {
          ev.preventDefault();
          goto.focus();
        }
        break;
      case 'j':
      case 'ArrowDown':
        if (ev.key === 'ArrowDown' && !main.querySelector('tr.kbd-sel')) {
          return; // arrows scroll the page until j/k picked a row
        }
        ev.preventDefault();
        moveSelection(main, 1);
        break;
      case 'k':
      case 'ArrowUp':
        if (ev.key === 'ArrowUp' && !main.querySelector('tr.kbd-sel')) {
          return;
        }
        ev.preventDefault();
        moveSelection(main, -1);
        break;
      case 'Enter':
        if (active === document.body || active === main || !active) {
          if (openSelection(main)) {
            ev.preventDefault();
          }
        }
        break;
      default:
    }
  });
}

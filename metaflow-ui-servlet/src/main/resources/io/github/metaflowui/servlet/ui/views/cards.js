// The "Cards" section of a task page: one sandboxed iframe per Metaflow card (@card).
//
// A card is arbitrary HTML and script written by the flow. It is never inserted into this page: each
// card is its own document, loaded from the API into <iframe sandbox="allow-scripts"> (no
// allow-same-origin), so it runs in an opaque origin and cannot read this page, its cookies or call
// its API; the server adds a CSP sandbox of its own (the same isolation when opened in a new tab).
import { h, replaceChildren } from '../dom.js';
import { apiUrl, getJson } from '../api.js';
import { formatBytes, plural } from '../format.js';
import { message } from '../ui.js';

/** How often the list is re-read while the task runs (cards are written when it finishes). */
const POLL_MS = 3000;
/** After the task is seen finished, keep looking this long: Metaflow renders cards then (45 s timeout). */
const AFTER_FINISH_MS = 60000;
/** The largest card the server shows (Cards.MAX_HTML_BYTES); larger ones are only described. */
const MAX_BYTES = 32 * 1024 * 1024;
/** Heights a card may ask for through postMessage, in CSS pixels. */
const MIN_HEIGHT = 80;
const MAX_HEIGHT = 20000;

/**
 * @param {{base: string[], signal: AbortSignal, running: () => boolean}} opts base is the task's API
 *   path segments; running() says whether the task may still produce cards
 * @returns {HTMLElement} the section (it fills itself in and keeps itself current)
 */
export function cardsSection({ base, signal, running }) {
  const count = h('span', { class: 'muted' });
  const body = h('div', { class: 'cards-body' }, h('p', { class: 'muted' }, 'Loading cards…'));
  const node = h('section', { class: 'block cards-block', 'aria-labelledby': 'cards-title' },
    h('div', { class: 'block-head' }, h('h2', { id: 'cards-title' }, 'Cards', count)),
    body);
  const shown = new Map(); // hash -> {el, frame, key}
  let finishedAt = null;
  let timer = null;

  const onMessage = (event) => {
    for (const item of shown.values()) {
      if (item.frame && event.source === item.frame.contentWindow) {
        applyHeight(item, event);
        return;
      }
    }
  };
  window.addEventListener('message', onMessage);
  signal.addEventListener('abort', () => {
    window.removeEventListener('message', onMessage);
    clearTimeout(timer);
  }, { once: true });

  async function poll() {
    if (signal.aborted) {
      return;
    }
    let list = null;
    try {
      const res = await getJson(apiUrl([...base, 'cards'], { _limit: 1000 }), { signal });
      list = (Array.isArray(res.data) ? res.data : []).filter((c) => c && typeof c.hash === 'string');
    } catch (e) {
      if (signal.aborted || (e && e.name === 'AbortError')) {
        return;
      }
      if (!shown.size) {
        replaceChildren(body, message('warn', 'Cards could not be loaded.', h('p', null, e.message)));
      }
    }
    if (list) {
      render(list);
    }
    const live = running();
    if (!live && finishedAt === null) {
      finishedAt = Date.now();
    }
    if (live || Date.now() - finishedAt < AFTER_FINISH_MS) {
      timer = setTimeout(poll, POLL_MS);
    }
  }

  // a poll that finds what is shown already changes nothing (no node is replaced)
  let emptyShown = null;
  function render(list) {
    const counted = list.length ? ` · ${plural(list.length, 'card')}` : '';
    if (count.textContent !== counted) {
      replaceChildren(count, counted);
    }
    if (!list.length) {
      shown.clear();
      const hint = running()
        ? 'Cards (@card) appear here once the task has rendered them, when it finishes.'
        : 'Add @card to a step to attach a report to its tasks.';
      if (!emptyShown || emptyShown.hint !== hint || !body.contains(emptyShown.node)) {
        const node = message('empty', 'This task has no cards.', h('p', null, hint));
        emptyShown = { hint, node };
        replaceChildren(body, node);
      }
      return;
    }
    emptyShown = null;
    const next = new Map();
    const nodes = [];
    for (const card of list) {
      const key = `${card.size ?? ''}:${card.modified_at ?? ''}`;
      let item = shown.get(card.hash);
      if (item && item.key !== key && item.frame) {
        item.frame.setAttribute('src', cardUrl(base, card.hash)); // re-rendered: reload it
        item.key = key;
      }
      if (!item) {
        item = cardItem(base, card, key);
      }
      next.set(card.hash, item);
      nodes.push(item.el);
    }
    shown.clear();
    next.forEach((v, k) => shown.set(k, v));
    // keep the iframes that stay (moving a node would reload its frame): only append what is new
    const current = [...body.children];
    if (current.length !== nodes.length || current.some((el, i) => el !== nodes[i])) {
      replaceChildren(body, nodes);
    }
  }

  poll();
  return node;
}

function cardUrl(base, hash, params) {
  return apiUrl([...base, 'cards', hash], params);
}

function cardItem(base, card, key) {
  const label = card.id ? `${card.type} · ${card.id}` : String(card.type);
  const title = `Card ${label} (${String(card.hash).slice(0, 8)})`;
  const tooLarge = typeof card.size === 'number' && card.size > MAX_BYTES;
  const frame = tooLarge ? null : h('iframe', {
    class: 'card-frame',
    src: cardUrl(base, card.hash),
    sandbox: 'allow-scripts',
    referrerpolicy: 'no-referrer',
    loading: 'lazy',
    title,
  });
  const wrap = frame ? h('div', { class: 'card-frame-wrap' }, frame) : null;
  const expand = frame ? h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false' }, 'Expand') : null;
  if (expand) {
    expand.addEventListener('click', () => {
      const open = expand.getAttribute('aria-expanded') !== 'true';
      expand.setAttribute('aria-expanded', String(open));
      expand.textContent = open ? 'Collapse' : 'Expand';
      wrap.classList.toggle('expanded', open);
      wrap.style.height = ''; // a height the card asked for gives way to the toggle
    });
  }
  const el = h('article', { class: 'card-item', dataset: { hash: card.hash } },
    h('div', { class: 'card-head' },
      h('h3', null, label, h('span', { class: 'muted mono small' }, ` ${String(card.hash).slice(0, 8)}`)),
      h('span', { class: 'card-actions' },
        typeof card.size === 'number' ? h('span', { class: 'muted small' }, formatBytes(card.size)) : null,
        expand,
        h('a', { class: 'btn btn-small', href: cardUrl(base, card.hash), target: '_blank', rel: 'noopener noreferrer' }, 'Open in new tab'),
        h('a', { class: 'btn btn-small', href: cardUrl(base, card.hash, { download: 1 }), download: '' }, 'Download HTML'))),
    wrap || message('warn', `This card is ${formatBytes(card.size)}, too large to show here.`));
  return { el, frame, wrap, key };
}

/**
 * A card may ask for its height with parent.postMessage({type: 'metaflow-card-height', height: N}).
 * Only a message from that card's own frame, with a finite number in range, is taken.
 */
function applyHeight(item, event) {
  const data = event.data;
  if (!data || typeof data !== 'object' || data.type !== 'metaflow-card-height') {
    return;
  }
  const height = data.height;
  if (typeof height !== 'number' || !Number.isFinite(height) || item.wrap.classList.contains('expanded')) {
    return;
  }
  const px = Math.round(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, height)));
  item.wrap.style.height = `${px}px`;
}

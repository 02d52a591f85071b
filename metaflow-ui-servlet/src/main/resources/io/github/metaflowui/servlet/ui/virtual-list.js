// A virtualized table body: only the rows in view (plus a small margin) exist in the DOM; two
// spacer rows stand for the rest. Rows are fetched page by page as they come into view, so a list
// of 100k rows costs a few pages. Heights are set from JS (CSSOM), which the strict CSP allows.
import { h } from './dom.js';
import { hereWith } from './nav.js';

const OVERSCAN = 15;
const scrollMemory = new Map(); // key -> scrollTop, so a re-render of the same view keeps its place

/**
 * @param {object} o
 * @param {HTMLTableSectionElement} o.thead the table head
 * @param {string} o.className classes of the table
 * @param {number} o.columns number of columns (for spacer and placeholder rows)
 * @param {number} o.pageSize rows per fetched page
 * @param {number|null} o.total the row count when known; else found while scrolling
 * @param {object[]|null} o.firstPage rows of page 1 when already loaded, else null
 * @param {boolean} o.firstHasNext whether page 1 has a next page
 * @param {(page: number, opts: {fresh: boolean}) => Promise<{rows: object[], hasNext: boolean}>} o.fetchPage
 *   1-based; fresh: asked again after invalidate() (not from a cache)
 * @param {(row: object, index: number) => HTMLTableRowElement} o.renderRow
 * @param {string} o.key identifies the view for keeping the scroll position
 * @param {string} o.label accessible name of the scroll region
 * @param {string} [o.positionParam] URL parameter that keeps the first row in view (1-based), read
 *   on creation and updated as the list scrolls, so a copied link opens the list where it was
 */
export function virtualTable(o) {
  // firstPage null: page 1 is fetched like the others
  const pages = new Map(o.firstPage ? [[1, { rows: o.firstPage, hasNext: o.firstHasNext }]] : []);
  let stale = new Map(); // pages shown until their refetch (after invalidate) arrives
  const pending = new Set();
  let epoch = 0; // bumped by invalidate(): answers to older fetches are dropped
  let total = o.total ?? null;
  let known = o.pageSize; // rows assumed while the total is unknown
  if (o.firstPage) {
    if (total === null || (!o.firstHasNext && o.firstPage.length < o.pageSize)) {
      total = o.firstHasNext ? null : o.firstPage.length;
    }
    known = o.firstHasNext ? o.firstPage.length + o.pageSize : o.firstPage.length;
  }
  let rowH = 37;
  let measured = false;
  let frame = 0;

  const topSpacer = h('tr', { class: 'vspacer', 'aria-hidden': 'true' }, h('td', { colspan: o.columns }));
  const bottomSpacer = h('tr', { class: 'vspacer', 'aria-hidden': 'true' }, h('td', { colspan: o.columns }));
  const tbody = h('tbody');
  const table = h('table', { class: o.className, 'aria-rowcount': total ?? -1 }, o.thead, tbody);
  const scroller = h('div', { class: 'table-wrap vscroll', tabindex: '0', role: 'region', 'aria-label': o.label }, table);

  const count = () => (total ?? known);
  const rowAt = (i) => {
    const n = Math.floor(i / o.pageSize) + 1;
    const p = pages.get(n) || stale.get(n);
    return p ? p.rows[i % o.pageSize] : undefined;
  };

  function ensure(page) {
    if (pages.has(page) || pending.has(page)) {
      return;
    }
    pending.add(page);
    const asked = epoch;
    o.fetchPage(page, { fresh: stale.has(page) }).then((res) => {
      if (asked !== epoch) {
        return;
      }
      stale.delete(page);
      pages.set(page, res);
      if (!res.hasNext) {
        total = (page - 1) * o.pageSize + res.rows.length;
        table.setAttribute('aria-rowcount', String(total));
      } else if (total === null) {
        known = Math.max(known, page * o.pageSize + o.pageSize);
      }
    }).catch((e) => {
      if (asked !== epoch) {
        return;
      }
      if (!(e && e.name === 'AbortError')) {
        if (stale.has(page)) {
          pages.set(page, stale.get(page)); // keep the rows shown; a later refresh tries again
          stale.delete(page);
        } else {
          pages.set(page, { rows: [], hasNext: false, error: e });
        }
      }
    }).finally(() => {
      pending.delete(page);
      if (scroller.isConnected) {
        render();
      }
    });
  }

  function render() {
    frame = 0;
    const n = count();
    const viewH = scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(scroller.scrollTop / rowH) - OVERSCAN);
    const last = Math.min(n, Math.ceil((scroller.scrollTop + viewH) / rowH) + OVERSCAN);
    for (let p = Math.floor(first / o.pageSize) + 1; p <= Math.floor(Math.max(first, last - 1) / o.pageSize) + 1; p++) {
      ensure(p);
    }
    const rows = [];
    for (let i = first; i < last; i++) {
      const row = rowAt(i);
      if (row) {
        rows.push(o.renderRow(row, i));
      } else {
        const page = pages.get(Math.floor(i / o.pageSize) + 1) || stale.get(Math.floor(i / o.pageSize) + 1);
        if (page && page.error) {
          rows.push(h('tr', { class: 'vplaceholder' }, h('td', { colspan: o.columns, class: 'muted' }, `Could not load these rows: ${page.error.message}`)));
        } else if (!page) {
          rows.push(h('tr', { class: 'vplaceholder' }, h('td', { colspan: o.columns, class: 'muted' }, 'Loading…')));
        }
      }
    }
    topSpacer.firstChild.style.height = `${first * rowH}px`;
    bottomSpacer.firstChild.style.height = `${Math.max(0, n - last) * rowH}px`;
    tbody.replaceChildren(topSpacer, ...rows, bottomSpacer);
    if (!measured && rows.length) {
      const real = rows.find((r) => !r.classList.contains('vplaceholder'));
      if (real && real.offsetHeight > 0) {
        measured = true;
        if (Math.abs(real.offsetHeight - rowH) > 1) {
          rowH = real.offsetHeight;
          render();
        }
      }
    }
  }

  let attached = false;
  let positionTimer = 0;
  scroller.addEventListener('scroll', () => {
    if (!attached) {
      return; // the browser resetting a detached list's offset is not the reader scrolling
    }
    scrollMemory.set(o.key, scroller.scrollTop);
    if (!frame) {
      frame = requestAnimationFrame(render);
    }
    if (o.positionParam) {
      clearTimeout(positionTimer);
      positionTimer = setTimeout(() => {
        if (!scroller.isConnected) {
          return;
        }
        const top = Math.floor(scroller.scrollTop / rowH);
        history.replaceState(history.state, '', hereWith({ [o.positionParam]: top > 0 ? top + 1 : null }) + location.hash);
      }, 250);
    }
  }, { passive: true });

  // The row asked for by the URL, on creation; afterwards the remembered offset wins.
  const fromUrl = o.positionParam ? Number(new URLSearchParams(location.search).get(o.positionParam)) : 0;
  let askedRow = Number.isInteger(fromUrl) && fromUrl > 1 ? fromUrl - 1 : 0;

  // render once attached (needs layout for sizes), then go back to where the reader was
  const attach = () => {
    if (!scroller.isConnected) {
      attached = false;
      requestAnimationFrame(attach);
      return;
    }
    render();
    let target = scrollMemory.get(o.key);
    if (askedRow > 0 && target === undefined) {
      if (total === null && known <= askedRow) {
        known = askedRow + o.pageSize; // room to scroll there; the real length is learnt on the way
      }
      target = askedRow * rowH;
    }
    askedRow = 0;
    if (target) {
      scroller.scrollTop = target;
      render();
    }
    attached = true;
  };
  render();
  requestAnimationFrame(attach);
  return {
    node: scroller,
    rowCount: () => tbody.querySelectorAll('tr:not(.vspacer)').length,
    /** Re-renders the rows in view (e.g. after the caller's drawing parameters changed). */
    refresh: () => render(),
    /**
     * The rows changed on the server: pages are fetched again as they come into view (now for
     * those in view), showing the rows held until then. firstPage, when given, is page 1 as it is now.
     */
    invalidate: ({ firstPage = null, hasNext = true, total: newTotal } = {}) => {
      epoch += 1;
      pending.clear();
      stale = new Map([...stale, ...pages]);
      pages.clear();
      if (firstPage) {
        pages.set(1, { rows: firstPage, hasNext });
        stale.delete(1);
      }
      if (newTotal !== undefined) {
        total = newTotal;
        table.setAttribute('aria-rowcount', String(total ?? -1));
      }
      if (scroller.isConnected) {
        render();
      }
    },
    /** Call after moving the list to a new parent (a re-render): restores its scroll offset. */
    reattach: () => {
      attached = false;
      requestAnimationFrame(attach);
    },
  };
}

/**
 * A virtualized table over rows that the caller holds (a list that grows as pages load, at either
 * end): only the rows in view plus a small overscan exist in the DOM, between two spacer rows. Every
 * row has one height (measured once; the CSS keeps rows on one line), heading rows included. The
 * keyboard selection (chrome.js's `kbd-sel`) follows its row's `data-key` across re-renders.
 *
 * @param {object} o
 * @param {HTMLTableSectionElement} o.thead the table head
 * @param {string} o.className classes of the table
 * @param {string} o.wrapClass extra classes of the scroll region
 * @param {number} o.columns number of columns (for spacer rows)
 * @param {() => number} o.count how many rows there are now
 * @param {(index: number) => HTMLTableRowElement} o.renderRow draws row `index`
 * @param {(first: number, last: number) => void} [o.onRange] told the rows in view after each render
 * @param {() => number} [o.startIndex] the row to show first, once sizes are known
 * @param {string} o.label accessible name of the scroll region
 * @param {boolean} [o.fit] make the scroll region end at the bottom of the window (the page itself then
 *   barely scrolls), following window resizes
 */
export function virtualRows(o) {
  let rowH = 37;
  let measured = false;
  let frame = 0;
  let started = false;
  let selectedKey = null;
  const topSpacer = h('tr', { class: 'vspacer', 'aria-hidden': 'true' }, h('td', { colspan: o.columns }));
  const bottomSpacer = h('tr', { class: 'vspacer', 'aria-hidden': 'true' }, h('td', { colspan: o.columns }));
  const tbody = h('tbody');
  const table = h('table', { class: o.className }, o.thead, tbody);
  const scroller = h('div', { class: ['table-wrap', 'vscroll', o.wrapClass], tabindex: '0', role: 'region', 'aria-label': o.label }, table);

  const range = () => {
    const n = o.count();
    const viewH = scroller.clientHeight || 600;
    const top = Math.floor(scroller.scrollTop / rowH);
    return {
      n,
      top,
      bottom: Math.min(n, Math.ceil((scroller.scrollTop + viewH) / rowH)),
      first: Math.max(0, top - OVERSCAN),
      last: Math.min(n, Math.ceil((scroller.scrollTop + viewH) / rowH) + OVERSCAN),
    };
  };

  function render() {
    frame = 0;
    const { n, first, last, top, bottom } = range();
    const selected = tbody.querySelector('tr.kbd-sel');
    if (selected) {
      selectedKey = selected.dataset.key; // kept while its row is out of the DOM
    }
    const rows = [];
    for (let i = first; i < last; i++) {
      const row = o.renderRow(i);
      if (selectedKey !== null && selectedKey !== undefined && row.dataset.key === selectedKey) {
        row.classList.add('kbd-sel');
        row.setAttribute('aria-selected', 'true');
      }
      rows.push(row);
    }
    topSpacer.firstChild.style.height = `${first * rowH}px`;
    bottomSpacer.firstChild.style.height = `${Math.max(0, n - last) * rowH}px`;
    tbody.replaceChildren(topSpacer, ...rows, bottomSpacer);
    // measured on a row in the middle (the first and last share collapsed borders with the spacers)
    const probe = rows[Math.floor(rows.length / 2)];
    if (!measured && probe && probe.offsetHeight > 0) {
      measured = true;
      const height = probe.getBoundingClientRect().height;
      if (Math.abs(height - rowH) > 0.01) {
        rowH = height;
        render();
        return;
      }
    }
    if (o.onRange && scroller.isConnected) {
      o.onRange(top, bottom);
    }
  }

  const schedule = () => {
    if (!frame) {
      frame = requestAnimationFrame(render);
    }
  };
  scroller.addEventListener('scroll', schedule, { passive: true });

  const fit = () => {
    if (!scroller.isConnected) {
      window.removeEventListener('resize', onResize);
      return;
    }
    const top = scroller.getBoundingClientRect().top + window.scrollY;
    scroller.style.maxHeight = `${Math.max(288, Math.floor(window.innerHeight - top - 16))}px`;
  };
  const onResize = () => {
    fit();
    schedule();
  };
  const attach = () => {
    if (!scroller.isConnected) {
      requestAnimationFrame(attach);
      return;
    }
    if (o.fit) {
      fit();
      window.addEventListener('resize', onResize, { passive: true });
    }
    render();
    const start = o.startIndex ? o.startIndex() : 0;
    if (start > 0) {
      scroller.scrollTop = start * rowH;
      render();
    }
    started = true;
  };
  render();
  requestAnimationFrame(attach);
  return {
    node: scroller,
    /** Re-draws the rows in view (after the rows changed). */
    refresh: () => {
      cancelAnimationFrame(frame);
      render();
    },
    /** Keeps the same rows in view after `added` rows were put above them (negative: removed). */
    shift(added) {
      const y = scroller.scrollTop;
      cancelAnimationFrame(frame);
      render(); // first the new height, else the browser clamps the new position to the old one
      if (added) {
        scroller.scrollTop = Math.max(0, y + added * rowH);
        render();
      }
    },
    scrollToIndex(i) {
      scroller.scrollTop = Math.max(0, i) * rowH;
      cancelAnimationFrame(frame);
      render();
    },
    /** The first row wholly in view (below the sticky head). */
    topIndex: () => Math.ceil(scroller.scrollTop / rowH - 0.05),
    /** True when the list is scrolled to its very top (less than half a row down). */
    atTop: () => scroller.scrollTop < rowH / 2,
    started: () => started,
    rowCount: () => tbody.querySelectorAll('tr:not(.vspacer)').length,
  };
}

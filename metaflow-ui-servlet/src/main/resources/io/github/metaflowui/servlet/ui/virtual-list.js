// A virtualized table body: only the rows in view (plus a small margin) exist in the DOM; two
// spacer rows stand for the rest. Rows are fetched page by page as they come into view, so a list
// of 100k rows costs a few pages. Heights are set from JS (CSSOM), which the strict CSP allows.
import { h } from './dom.js';

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
 * @param {(page: number) => Promise<{rows: object[], hasNext: boolean}>} o.fetchPage 1-based
 * @param {(row: object, index: number) => HTMLTableRowElement} o.renderRow
 * @param {string} o.key identifies the view for keeping the scroll position
 * @param {string} o.label accessible name of the scroll region
 */
export function virtualTable(o) {
  // firstPage null: page 1 is fetched like the others
  const pages = new Map(o.firstPage ? [[1, { rows: o.firstPage, hasNext: o.firstHasNext }]] : []);
  const pending = new Set();
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
    const p = pages.get(Math.floor(i / o.pageSize) + 1);
    return p ? p.rows[i % o.pageSize] : undefined;
  };

  function ensure(page) {
    if (pages.has(page) || pending.has(page)) {
      return;
    }
    pending.add(page);
    o.fetchPage(page).then((res) => {
      pages.set(page, res);
      if (!res.hasNext) {
        total = (page - 1) * o.pageSize + res.rows.length;
        table.setAttribute('aria-rowcount', String(total));
      } else if (total === null) {
        known = Math.max(known, page * o.pageSize + o.pageSize);
      }
    }).catch((e) => {
      if (!(e && e.name === 'AbortError')) {
        pages.set(page, { rows: [], hasNext: false, error: e });
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
        const page = pages.get(Math.floor(i / o.pageSize) + 1);
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

  scroller.addEventListener('scroll', () => {
    scrollMemory.set(o.key, scroller.scrollTop);
    if (!frame) {
      frame = requestAnimationFrame(render);
    }
  }, { passive: true });

  // first render once attached (needs layout for sizes)
  const attach = () => {
    if (!scroller.isConnected) {
      requestAnimationFrame(attach);
      return;
    }
    const remembered = scrollMemory.get(o.key);
    render();
    if (remembered) {
      scroller.scrollTop = remembered;
      render();
    }
  };
  render();
  requestAnimationFrame(attach);
  return {
    node: scroller,
    rowCount: () => tbody.querySelectorAll('tr:not(.vspacer)').length,
    /** Re-renders the rows in view (e.g. after the caller's drawing parameters changed). */
    refresh: () => render(),
  };
}

// Links configured in MetaflowUiOptions and links/panels from MetaflowUiPlugin implementations
// (`.../extras`): all shown as text and plain links, external ones in a new tab without a referrer.
import { h } from '../dom.js';
import { th } from '../ui.js';

const SAFE = /^(https?:\/\/|\/(?!\/))/i;

function link(label, url) {
  const text = String(label ?? '');
  const target = String(url ?? '');
  if (!SAFE.test(target)) {
    return h('span', null, text);
  }
  return h('a', { class: 'ext-link', href: target, target: '_blank', rel: 'noopener noreferrer' }, text,
    h('span', { 'aria-hidden': 'true' }, ' ↗'));
}

/** The links and panels section, or null when there is nothing (or it could not be loaded). */
export function extrasSection(res) {
  if (!res || !res.ok) {
    return null;
  }
  const data = res.value && res.value.data ? res.value.data : {};
  const links = Array.isArray(data.links) ? data.links : [];
  const panels = Array.isArray(data.panels) ? data.panels : [];
  if (!links.length && !panels.length) {
    return null;
  }
  return h('section', { class: 'block extras' },
    links.length ? h('nav', { class: 'ext-links', 'aria-label': 'External links' },
      h('span', { class: 'muted' }, 'Links: '),
      links.map((l) => link(l.label, l.url))) : null,
    panels.map((p) => h('div', { class: 'ext-panel' },
      h('h2', null, String(p.title ?? '')),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'grid kv' },
          h('thead', null, h('tr', null, th('Name'), th('Value'))),
          h('tbody', null, (Array.isArray(p.rows) ? p.rows : []).map((r) => h('tr', null,
            h('th', { scope: 'row' }, String(r.name ?? '')),
            h('td', null, r.url ? link(r.value, r.url) : String(r.value ?? ''))))))))));
}

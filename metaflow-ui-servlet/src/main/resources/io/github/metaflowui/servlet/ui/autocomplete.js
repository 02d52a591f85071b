// A filter input with server suggestions (/api/autocomplete/{kind}), as an ARIA combobox: the
// suggestions are a listbox under the input; ↓/↑ move through them, Enter takes the highlighted one,
// Escape closes them, a click takes one. Values are shown as text, never markup. For a
// comma-separated list only the last item is completed.
import { h, replaceChildren } from './dom.js';
import { apiUrl, getJson } from './api.js';

let seq = 0;

/**
 * Makes `input` a combobox; returns the listbox to place after it (inside a positioned parent).
 * `onPick(value)` runs after a suggestion was taken (the input then holds the value).
 */
export function autocomplete(input, kind, { flow = null, list = false, onPick = null } = {}) {
  seq += 1;
  const id = `ac-${kind}-${seq}`;
  const box = h('ul', { id, class: 'ac-list', role: 'listbox', 'aria-label': `Suggestions for ${input.name || kind}`, hidden: true });
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', id);
  let values = [];
  let active = -1;
  let timer = null;
  let asked = null;

  const parts = () => {
    const text = input.value;
    const all = list ? text.split(',') : [text];
    return { part: all[all.length - 1].trim(), head: list ? all.slice(0, -1).map((x) => x.trim()).filter(Boolean) : [] };
  };
  const open = () => !box.hidden;
  const close = () => {
    box.hidden = true;
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  };
  const draw = () => {
    replaceChildren(box, values.map((v, i) => h('li', {
      id: `${id}-${i}`, role: 'option', class: ['ac-item', i === active && 'ac-active'],
      'aria-selected': i === active ? 'true' : 'false', dataset: { i },
    }, v)));
    if (active >= 0) {
      input.setAttribute('aria-activedescendant', `${id}-${active}`);
      const el = box.children[active];
      if (el && el.scrollIntoView) {
        el.scrollIntoView({ block: 'nearest' });
      }
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };
  const show = () => {
    if (!values.length || document.activeElement !== input) {
      close();
      return;
    }
    box.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    draw();
  };
  const refresh = async () => {
    const { part, head } = parts();
    const key = `${part}|${head.join(',')}`;
    if (key === asked) {
      show();
      return;
    }
    asked = key;
    try {
      const res = await getJson(apiUrl(['autocomplete', kind], { q: part, flow_id: kind === 'flows' ? null : flow, _limit: 20 }));
      if (asked !== key) {
        return;
      }
      values = Array.isArray(res.data) ? res.data.map(String) : [];
      active = -1;
      show();
    } catch {
      asked = null; // suggestions are a convenience: the field works without them
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  };
  const pick = (i) => {
    const v = values[i];
    if (v === undefined) {
      return;
    }
    const { head } = parts();
    input.value = list ? [...head, v].join(', ') : v;
    asked = null;
    close();
    if (onPick) {
      onPick(v);
    }
  };
  input.addEventListener('focus', later);
  input.addEventListener('input', later);
  input.addEventListener('blur', () => setTimeout(close, 0));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open()) {
        clearTimeout(timer);
        refresh();
        return;
      }
      const n = values.length;
      active = e.key === 'ArrowDown' ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1);
      draw();
    } else if (e.key === 'Enter' && open() && active >= 0) {
      e.preventDefault(); // take the suggestion; the next Enter submits
      pick(active);
    } else if (e.key === 'Escape' && open()) {
      e.preventDefault();
      close();
    }
  });
  // mousedown (not click) so that the input keeps the focus until the value is in
  box.addEventListener('mousedown', (e) => {
    const item = e.target.closest('li[data-i]');
    if (item) {
      e.preventDefault();
      pick(Number(item.dataset.i));
    }
  });
  return box;
}

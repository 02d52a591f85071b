// Safe DOM builders. Everything that comes from data goes in as text nodes or attribute values,
// never as HTML: there is deliberately no way to pass markup through here.

const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction']);

/**
 * Creates an element: h('a', {href, class: 'x'}, 'text', child, [more, children]).
 * Attribute values are set with setAttribute (never parsed as HTML). `on<event>` keys with a
 * function value become listeners. `class` may be an array (falsy entries dropped). `null`,
 * `undefined` and `false` attributes or children are skipped; `true` sets an empty attribute.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      setAttr(el, key, value);
    }
  }
  append(el, children);
  return el;
}

function setAttr(el, key, value) {
  if (value === null || value === undefined || value === false) {
    return;
  }
  if (key === 'style' || key === 'innerHTML' || key === 'outerHTML') {
    throw new Error(`h(): "${key}" is not allowed (strict CSP, no markup from data)`);
  }
  if (key.startsWith('on') && typeof value === 'function') {
    el.addEventListener(key.slice(2), value);
    return;
  }
  if (key === 'class') {
    const cls = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
    if (cls) {
      el.className = cls;
    }
    return;
  }
  if (key === 'dataset') {
    for (const [k, v] of Object.entries(value)) {
      if (v !== null && v !== undefined) {
        el.dataset[k] = String(v);
      }
    }
    return;
  }
  if (value === true) {
    el.setAttribute(key, '');
    return;
  }
  const text = String(value);
  if (URL_ATTRS.has(key) && /^\s*(javascript|vbscript|data):/i.test(text)) {
    return; // never let a script URL through, whatever built it
  }
  el.setAttribute(key, text);
}

/** Appends children (nodes, strings, numbers, nested arrays); strings become text nodes. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces all children of el. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A document fragment of the given children. */
export function frag(...children) {
  return append(document.createDocumentFragment(), children);
}

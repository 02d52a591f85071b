// ANSI escape codes in log lines: SGR colours and styles become spans with classes (never markup),
// every other escape sequence is dropped. Pure functions plus one DOM builder.
import { h } from './dom.js';

// CSI ... final byte, OSC ... (BEL or ST), and lone two-byte escapes.
const ESCAPES = /\x1b\[([0-?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?/g;

/** True when the text holds an escape character. */
export function hasAnsi(text) {
  return text.includes('\x1b');
}

/** The text without any escape sequence. */
export function stripAnsi(text) {
  return hasAnsi(text) ? text.replace(ESCAPES, '') : text;
}

/**
 * Splits text into [{text, classes}] runs. Classes: ansi-bold, ansi-dim, ansi-italic,
 * ansi-underline, ansi-fg-N / ansi-bg-N (N 0-15: the 8 normal and 8 bright colours), ansi-inverse.
 */
export function parseAnsi(text) {
  const out = [];
  let state = { bold: false, dim: false, italic: false, underline: false, inverse: false, fg: null, bg: null };
  let last = 0;
  const push = (chunk) => {
    if (chunk) {
      out.push({ text: chunk, classes: classesOf(state) });
    }
  };
  ESCAPES.lastIndex = 0;
  let m;
  while ((m = ESCAPES.exec(text)) !== null) {
    push(text.slice(last, m.index));
    last = ESCAPES.lastIndex;
    if (m[2] === 'm') {
      state = applySgr(state, m[1]);
    }
    if (m[0].length === 0) {
      ESCAPES.lastIndex++;
    }
  }
  push(text.slice(last));
  return out;
}

function applySgr(prev, params) {
  const s = { ...prev };
  const codes = params === '' ? [0] : params.split(/[;:]/).map((x) => (x === '' ? 0 : Number(x)));
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0) {
      Object.assign(s, { bold: false, dim: false, italic: false, underline: false, inverse: false, fg: null, bg: null });
    } else if (c === 1) {
      s.bold = true;
    } else if (c === 2) {
      s.dim = true;
    } else if (c === 3) {
      s.italic = true;
    } else if (c === 4) {
      s.underline = true;
    } else if (c === 7) {
      s.inverse = true;
    } else if (c === 22) {
      s.bold = false;
      s.dim = false;
    } else if (c === 23) {
      s.italic = false;
    } else if (c === 24) {
      s.underline = false;
    } else if (c === 27) {
      s.inverse = false;
    } else if (c >= 30 && c <= 37) {
      s.fg = c - 30;
    } else if (c >= 90 && c <= 97) {
      s.fg = c - 90 + 8;
    } else if (c === 39) {
      s.fg = null;
    } else if (c >= 40 && c <= 47) {
      s.bg = c - 40;
    } else if (c >= 100 && c <= 107) {
      s.bg = c - 100 + 8;
    } else if (c === 49) {
      s.bg = null;
    } else if (c === 38 || c === 48) {
      // 38;5;N (256 colours: the first 16 are kept) or 38;2;R;G;B (true colour: dropped)
      const key = c === 38 ? 'fg' : 'bg';
      if (codes[i + 1] === 5) {
        const n = codes[i + 2];
        s[key] = Number.isInteger(n) && n >= 0 && n < 16 ? n : s[key];
        i += 2;
      } else if (codes[i + 1] === 2) {
        i += 4;
      }
    }
  }
  return s;
}

function classesOf(s) {
  const cls = [];
  if (s.bold) cls.push('ansi-bold');
  if (s.dim) cls.push('ansi-dim');
  if (s.italic) cls.push('ansi-italic');
  if (s.underline) cls.push('ansi-underline');
  if (s.inverse) cls.push('ansi-inverse');
  if (s.fg !== null) cls.push(`ansi-fg-${s.fg}`);
  if (s.bg !== null) cls.push(`ansi-bg-${s.bg}`);
  return cls;
}

/** Nodes for a line: plain text, or spans with classes for coloured parts. */
export function ansiNodes(text) {
  if (!hasAnsi(text)) {
    return [text];
  }
  return parseAnsi(text).map((run) => (run.classes.length ? h('span', { class: run.classes }, run.text) : run.text));
}

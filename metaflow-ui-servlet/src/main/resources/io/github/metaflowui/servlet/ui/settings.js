// User settings kept in localStorage: the time zone of shown times (local or UTC) and the theme
// (system, light or dark). Read once at start; changing one re-renders through the caller.

const KEY_TZ = 'metaflow-ui.tz';
const KEY_THEME = 'metaflow-ui.theme';

function read(key, allowed, def) {
  try {
    const v = localStorage.getItem(key);
    return allowed.includes(v) ? v : def;
  } catch {
    return def; // storage may be disabled: settings then last for the page only
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // see read()
  }
}

const state = {
  tz: read(KEY_TZ, ['local', 'utc'], 'local'),
  theme: read(KEY_THEME, ['system', 'light', 'dark'], 'system'),
};

/** 'local' or 'utc'. */
export function timeZoneSetting() {
  return state.tz;
}

export function setTimeZone(tz) {
  state.tz = tz === 'utc' ? 'utc' : 'local';
  write(KEY_TZ, state.tz);
}

/** 'system', 'light' or 'dark'. */
export function themeSetting() {
  return state.theme;
}

export function setTheme(theme) {
  state.theme = ['light', 'dark'].includes(theme) ? theme : 'system';
  write(KEY_THEME, state.theme);
  applyTheme();
}

/** Puts the theme on <html data-theme>; "system" leaves it to prefers-color-scheme. */
export function applyTheme() {
  if (state.theme === 'system') {
    document.documentElement.removeAttribute('data-theme');
  } else {
    document.documentElement.setAttribute('data-theme', state.theme);
  }
}

// "/{flow}/{run}/{step}/{task}": status, attempts as tabs, stdout/stderr, artifacts, metadata.
import { h, replaceChildren } from '../dom.js';
import { optional } from '../api.js';
import { paths, withQuery } from '../nav.js';
import { normalizeStatus, formatBytes, formatCount, plural } from '../format.js';
import { statusBadge, timeEl, durationEl, fact, message, th, UiError } from '../ui.js';
import { logPanel } from './logs.js';
import { resourceOf, applyRows, sameRows } from '../live.js';
import { extrasSection } from './extras.js';
import { cardsSection } from './cards.js';

export async function taskView({ params, query, load, signal }) {
  const { flow, run, step, task } = params;
  const base = ['flows', flow, 'runs', run, 'steps', step, 'tasks', task];
  const [taskRes, runRes] = await Promise.all([load(base), optional(load(['flows', flow, 'runs', run]))]);
  const t = taskRes.data || {};
  const attempts = normalizeAttempts(Array.isArray(t.attempts) ? t.attempts : (await load([...base, 'attempts'], { _limit: 1000 })).data);
  const latest = attempts.length ? attempts[attempts.length - 1].id : null;

  const attemptParam = query.get('attempt');
  let attemptId = latest;
  if (attemptParam !== null && attemptParam !== '') {
    if (!/^\d+$/.test(attemptParam)) {
      throw new UiError(`"attempt" must be a whole number, got "${attemptParam}".`);
    }
    attemptId = Number(attemptParam);
    if (!attempts.some((a) => a.id === attemptId)) {
      throw new UiError(attempts.length
        ? `Task ${step}/${task} has no attempt ${attemptId}; its attempts are ${attempts.map((a) => a.id).join(', ')}.`
        : `Task ${step}/${task} has no attempts yet.`, 404);
    }
  }
  const attempt = attempts.find((a) => a.id === attemptId) || null;
  const attemptFailed = attempt ? attempt.status === 'failed' : false;
  const logParam = query.get('log');
  const stream = logParam === 'err' || logParam === 'out' ? logParam : (attemptFailed ? 'err' : 'out');

  const logs = attempt ? logPanel({ base, attemptId, stream, failed: attemptFailed, signal }) : null;
  const [metaRes, artRes, , extrasRes] = await Promise.all([
    attempt ? optional(load([...base, 'metadata'], { _limit: 1000 })) : null,
    attempt ? optional(load([...base, 'artifacts'], { attempt_id: attemptId, _limit: 1000 })) : null,
    logs ? logs.ready : null,
    optional(load([...base, 'extras'], attempt ? { attempt_id: attemptId } : null)),
  ]);

  const r = runRes.ok ? runRes.value.data || {} : {};
  const runLabel = String(r.run ?? run);
  const hrefHere = (changes) => paths.task(flow, run, step, task, withQuery(query, changes));

  // live: the header, attempt tabs, artifacts and metadata are redrawn in place; new log lines are
  // appended to the panel
  const model = { t, r, attempts, attempt };
  const headerSlot = h('div', { class: 'slot' }, taskHeader({ flow, run, step, task, t, r, attempt, attempts }));
  const tabsSlot = h('div', { class: 'slot' }, attemptTabs(attempts, attemptId, hrefHere));
  const artState = { open: new Set(), values: new Map() }; // artifact values shown, kept across redraws
  const records = {
    artifacts: attempt && artRes.ok ? ofAttempt(artRes.value.data, attemptId) : null,
    metadata: attempt && metaRes.ok ? ofAttempt(metaRes.value.data, attemptId) : null,
  };
  const artSlot = h('div', { class: 'slot' }, attempt ? artifactsSection(artRes, base, attemptId, load, artState) : null);
  const metaSlot = h('div', { class: 'slot' }, attempt ? metadataSection(metaRes, attemptId) : null);
  const res = {
    task: resourceOf(base),
    run: resourceOf(['flows', flow, 'runs', run]),
    log: attempt ? resourceOf([...base, 'logs', stream], { attempt_id: attemptId }) : null,
    artifacts: attempt ? resourceOf([...base, 'artifacts']) : null,
    metadata: attempt ? resourceOf([...base, 'metadata']) : null,
  };
  const redraw = () => {
    replaceChildren(headerSlot, taskHeader({ flow, run, step, task, t: model.t, r: model.r, attempt: model.attempt, attempts: model.attempts }));
    replaceChildren(tabsSlot, attemptTabs(model.attempts, attemptId, hrefHere));
  };
  // A task's records arrive whole (a snapshot or an "updated" change carries the full list); a
  // table is redrawn only when the rows of the attempt shown differ from what it shows.
  const redrawRecords = (kind, events) => {
    const rows = latestRecords(events);
    if (rows === null) {
      return;
    }
    const mine = ofAttempt(rows, attemptId);
    if (records[kind] !== null && JSON.stringify(mine) === JSON.stringify(records[kind])) {
      return;
    }
    records[kind] = mine;
    const slot = kind === 'artifacts' ? artSlot : metaSlot;
    const answer = { ok: true, value: { data: mine } };
    const next = kind === 'artifacts' ? artifactsSection(answer, base, attemptId, load, artState) : metadataSection(answer, attemptId);
    keepOpen(slot, next);
    replaceChildren(slot, next);
  };
  const liveSpec = {
    resources: Object.values(res).filter(Boolean),
    apply(batch) {
      let changed = false;
      if (batch.has(res.task)) {
        const rows = applyRows([model.t], batch.get(res.task));
        if (rows.length && !sameRows([model.t], rows)) { // a snapshot equal to what is shown changes nothing
          model.t = rows[0];
          model.attempts = normalizeAttempts(Array.isArray(model.t.attempts) ? model.t.attempts : model.attempts);
          const newest = model.attempts.length ? model.attempts[model.attempts.length - 1].id : null;
          if ((attemptParam === null || attemptParam === '') && newest !== latest) {
            return 'reload'; // a new attempt started: show it
          }
          model.attempt = model.attempts.find((a) => a.id === attemptId) || model.attempt;
          changed = true;
        }
      }
      if (batch.has(res.run)) {
        const rows = applyRows([model.r], batch.get(res.run));
        if (rows.length) {
          // pushed run rows leave out the triggers (read once with the run): keep them
          const next = { ...rows[0] };
          if (next.triggers === undefined && model.r.triggers !== undefined) {
            next.triggers = model.r.triggers;
          }
          if (!sameRows([model.r], [next])) {
            model.r = next;
            changed = true;
          }
        }
      }
      if (changed) {
        redraw();
      }
      for (const kind of ['artifacts', 'metadata']) {
        if (res[kind] && batch.has(res[kind])) {
          redrawRecords(kind, batch.get(res[kind]));
        }
      }
      if (res.log && batch.has(res.log) && logs) {
        for (const ev of batch.get(res.log)) {
          if (ev.data && ev.data.log) {
            logs.append(ev.data.log);
          }
        }
      }
      return false;
    },
  };

  return {
    live: liveSpec,
    title: `${step}/${task} · ${flow}/${runLabel}`,
    crumbs: [
      { label: 'Runs', href: paths.runs() },
      { label: flow, href: paths.flow(flow) },
      { label: runLabel, href: paths.run(flow, run) },
      { label: step, href: paths.run(flow, run, { step }) },
      { label: task },
    ],
    node: h('section', { class: 'view view-task' },
      headerSlot,
      extrasSection(extrasRes),
      tabsSlot,
      h('section', { class: 'block', 'aria-labelledby': 'logs-title' },
        h('div', { class: 'block-head' },
          h('h2', { id: 'logs-title' }, 'Logs', attempt ? h('span', { class: 'muted' }, ` · attempt ${attempt.id}`) : null),
          attempt ? streamTabs(stream, hrefHere) : null),
        logs ? logs.node : message('empty', 'No attempt has started yet, so there are no logs.')),
      cardsSection({ base, signal, running: () => ['running', 'pending'].includes(normalizeStatus(model.t.status)) }),
      artSlot,
      metaSlot),
  };
}

/** The records of one attempt, plus those of no attempt (the task's own). */
function ofAttempt(list, attemptId) {
  return (Array.isArray(list) ? list : [])
    .filter((x) => x.attempt_id === undefined || x.attempt_id === null || Number(x.attempt_id) === attemptId);
}

/** The rows of a task-records resource after its events (null when they carry none). */
function latestRecords(events) {
  let rows = null;
  for (const ev of events) {
    if (ev.type === 'snapshot' && ev.data && Array.isArray(ev.data.data)) {
      rows = Array.isArray(ev.data.data[0]) ? ev.data.data[0] : [];
    } else if (ev.type === 'changes' && ev.data && Array.isArray(ev.data.changes)) {
      for (const c of ev.data.changes) {
        rows = c.op === 'removed' ? [] : (Array.isArray(c.data) ? c.data : rows);
      }
    }
  }
  return rows;
}

/** Copies the open/closed state of collapsible sections onto their redrawn versions. */
function keepOpen(oldRoot, newRoot) {
  const open = new Map();
  oldRoot.querySelectorAll('details[data-key]').forEach((d) => open.set(d.dataset.key, d.open));
  const all = [newRoot, ...newRoot.querySelectorAll('details[data-key]')];
  all.forEach((d) => {
    if (d.matches && d.matches('details[data-key]') && open.has(d.dataset.key)) {
      d.open = open.get(d.dataset.key);
    }
  });
}

function normalizeAttempts(list) {
  return (Array.isArray(list) ? list : [])
    .map((a) => ({
      id: Number(a.attempt_id ?? a.id ?? 0),
      status: normalizeStatus(a.status),
      rawStatus: a.status,
      reason: a.status_reason ?? null,
      started: a.started_at ?? null,
      finished: a.finished_at ?? null,
      duration: a.duration ?? null,
    }))
    .filter((a) => Number.isInteger(a.id) && a.id >= 0)
    .sort((a, b) => a.id - b.id);
}

function taskHeader({ flow, run, step, task, t, r, attempt, attempts }) {
  const status = normalizeStatus(t.status);
  const shown = attempt || { started: t.started_at, finished: t.finished_at, duration: t.duration };
  return h('header', { class: ['run-head', `head-${status}`] },
    h('div', { class: 'title-row' },
      h('h1', null, h('span', { class: 'eyebrow' }, 'Task'), h('span', { class: 'id' }, `${step}/${task}`)),
      statusBadge(t.status, t.status_reason, { large: true })),
    t.status_reason ? h('p', { class: 'reason' }, String(t.status_reason)) : null,
    h('dl', { class: 'facts' },
      fact('Run', h('a', { href: paths.run(flow, run) }, `${flow}/${r.run ?? run}`),
        r.status ? [' ', statusBadge(r.status, r.status_reason)] : null),
      fact('Step', h('a', { href: paths.run(flow, run, { step }) + '#tasks', title: `All tasks of ${step}` }, step)),
      t.foreach_label ? fact('Foreach', h('code', null, String(t.foreach_label))) : null,
      fact('Attempts', attempts.length ? formatCount(attempts.length) : 'none yet'),
      // with an attempt shown, these are that attempt's times (the run page's task row shows the whole task)
      fact(attempt ? `Attempt ${attempt.id} started` : 'Started', timeEl(shown.started, { empty: '—' })),
      fact(attempt ? `Attempt ${attempt.id} finished` : 'Finished', timeEl(shown.finished, { empty: attempt && attempt.status === 'running' ? 'still running' : '—' })),
      fact(attempt ? 'Attempt duration' : 'Duration', durationEl(shown.duration, { running: attempt && attempt.status === 'running', start: shown.started }))));
}

function attemptTabs(attempts, selected, hrefHere) {
  if (!attempts.length) {
    return null;
  }
  const latest = attempts[attempts.length - 1].id;
  return h('nav', { class: 'tabs', 'aria-label': 'Attempts' },
    attempts.map((a) => h('a', {
      class: ['tab', `tab-${a.status}`],
      href: hrefHere({ attempt: a.id === latest ? null : a.id, log: null }),
      'aria-current': a.id === selected ? 'page' : null,
      title: a.reason || null,
    }, `Attempt ${a.id}`, ' ', statusBadge(a.rawStatus, a.reason))));
}

function streamTabs(stream, hrefHere) {
  return h('nav', { class: 'tabs tabs-small', 'aria-label': 'Log stream' },
    [['out', 'stdout'], ['err', 'stderr']].map(([value, label]) => h('a', {
      class: 'tab', href: hrefHere({ log: value }), 'aria-current': stream === value ? 'page' : null,
    }, label)));
}

function artifactsSection(res, base, attemptId, load, state) {
  const head = h('h2', null, 'Artifacts');
  if (!res.ok) {
    return h('section', { class: 'block' }, head, message('warn', 'Artifacts could not be loaded.', h('p', null, res.error.message)));
  }
  const all = (Array.isArray(res.value.data) ? res.value.data : [])
    .filter((a) => a.attempt_id === undefined || a.attempt_id === null || Number(a.attempt_id) === attemptId)
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  const user = all.filter((a) => !String(a.name).startsWith('_'));
  const internal = all.filter((a) => String(a.name).startsWith('_'));
  const table = (items) => h('div', { class: 'table-wrap' },
    h('table', { class: 'grid artifacts-table' },
      h('thead', null, h('tr', null, th('Name'), th('Type'), th('Size', 'col-num'), th('Attempt', 'col-num'), th('Location'), th('Value'))),
      h('tbody', null, items.map((a) => artifactRows(a, base, attemptId, load, state)))));
  return h('section', { class: 'block' },
    head,
    user.length ? table(user) : message('empty', `Attempt ${attemptId} stored no artifacts of its own.`),
    internal.length
      ? h('details', { class: 'sub-block', dataset: { key: 'internal-artifacts' } }, h('summary', null, `Metaflow's internal artifacts (${internal.length})`), table(internal))
      : null,
    res.value.pages && res.value.pages.next ? h('p', { class: 'muted' }, 'Only the first 1,000 artifacts are listed.') : null);
}

// A row per artifact plus a hidden row that shows the value once loaded. `state` keeps which
// values are shown (and the loaded ones) across live redraws of the table.
function artifactRows(a, base, attemptId, load, state) {
  const name = String(a.name);
  const valueKey = `${name}@${a.sha ?? ''}`; // a value changes with its sha
  const valueCell = h('td', { colspan: '6' });
  const valueRow = h('tr', { class: 'value-row', hidden: true }, valueCell);
  const button = h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false', 'aria-label': `Show the value of ${name}` }, 'Show');
  let loaded = false;
  const show = async () => {
    valueRow.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    button.textContent = 'Hide';
    button.setAttribute('aria-label', `Hide the value of ${name}`);
    state.open.add(name);
    if (loaded) {
      return;
    }
    if (state.values.has(valueKey)) {
      replaceChildren(valueCell, artifactValue(state.values.get(valueKey)));
      loaded = true;
      return;
    }
    replaceChildren(valueCell, h('span', { class: 'muted' }, 'Loading…'));
    try {
      const res = await load([...base, 'artifacts', name], { attempt_id: attemptId });
      state.values.set(valueKey, res.data || {});
      replaceChildren(valueCell, artifactValue(res.data || {}));
      loaded = true;
    } catch (e) {
      replaceChildren(valueCell, message('error', `Could not load ${name}.`, h('p', null, e.message)));
    }
  };
  button.addEventListener('click', () => {
    const open = button.getAttribute('aria-expanded') === 'true';
    if (open) {
      valueRow.hidden = true;
      button.setAttribute('aria-expanded', 'false');
      button.textContent = 'Show';
      button.setAttribute('aria-label', `Show the value of ${name}`);
      state.open.delete(name);
      return;
    }
    show();
  });
  if (state.open.has(name)) {
    show();
  }
  const type = pythonType(a.type ?? a.python_type ?? null);
  return [
    h('tr', null,
      h('th', { scope: 'row', class: 'mono' }, name),
      h('td', { class: 'mono' }, type === null ? h('span', { class: 'muted' }, a.content_type ? String(a.content_type) : '') : String(type)),
      h('td', { class: 'col-num' }, formatBytes(a.size)),
      h('td', { class: 'col-num' }, a.attempt_id ?? ''),
      h('td', { class: 'artifact-location' }, locationCell(a.ds_type, a.location)),
      h('td', null, button, a.sha ? h('span', { class: 'sha', title: `sha ${a.sha}\n${a.location ?? ''}` }, ` ${String(a.sha).slice(0, 8)}`) : null)),
    valueRow,
  ];
}

// Where the artifact is stored: the datastore type and its location, long values cut in the
// middle (both ends say most), the whole value in the title and a copy button.
const LOCATION_SHOWN = 44;
function locationCell(dsType, location) {
  if ((location === null || location === undefined || location === '') && !dsType) {
    return h('span', { class: 'muted' }, '—');
  }
  const full = String(location ?? '');
  const shown = full.length > LOCATION_SHOWN
    ? `${full.slice(0, 18)}…${full.slice(full.length - (LOCATION_SHOWN - 19))}`
    : full;
  const copy = full && navigator.clipboard ? h('button', {
    type: 'button', class: 'btn btn-small btn-quiet copy-location', title: 'Copy the location', 'aria-label': `Copy the location ${full}`,
  }, 'Copy') : null;
  if (copy) {
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(full);
        copy.textContent = 'Copied';
      } catch {
        copy.textContent = 'Copy failed';
      }
      setTimeout(() => {
        copy.textContent = 'Copy';
      }, 1500);
    });
  }
  return [
    dsType ? h('span', { class: 'chip chip-system ds-type' }, String(dsType)) : null,
    dsType && full ? ' ' : null,
    full ? h('code', { class: 'location', title: full }, shown) : null,
    copy ? ' ' : null,
    copy,
  ];
}

/** "<class 'int'>" -> "int"; anything else as it is. */
function pythonType(type) {
  if (type === null || type === undefined) {
    return null;
  }
  const m = /^<class '(.+)'>$/.exec(String(type));
  return m ? m[1] : String(type);
}

function artifactValue(v) {
  let text;
  if (v.rendered && !v.truncated && 'value' in v && v.value !== null && typeof v.value === 'object') {
    text = JSON.stringify(v.value, null, 2);
  } else if (typeof v.display === 'string') {
    text = v.display;
  } else if ('value' in v) {
    text = typeof v.value === 'string' ? v.value : JSON.stringify(v.value, null, 2);
  } else {
    text = '';
  }
  const notes = [];
  if (v.type) {
    notes.push(`type ${pythonType(v.type)}`);
  }
  if (v.available === false) {
    // the display text says why
  } else if (v.rendered === false) {
    notes.push('not rendered: only plain Python values are shown');
  }
  if (v.truncated) {
    notes.push('truncated');
  }
  return [
    h('pre', { class: 'value' }, text),
    notes.length ? h('p', { class: 'muted small' }, notes.join(' · ')) : null,
  ];
}

function metadataSection(res, attemptId) {
  const head = h('h2', null, 'Metadata');
  if (!res.ok) {
    return h('section', { class: 'block' }, head, message('warn', 'Metadata could not be loaded.', h('p', null, res.error.message)));
  }
  const items = (Array.isArray(res.value.data) ? res.value.data : [])
    .filter((m) => m.attempt_id === null || m.attempt_id === undefined || Number(m.attempt_id) === attemptId);
  return h('details', { class: 'block', open: true, dataset: { key: 'metadata' } },
    h('summary', null, h('h2', null, 'Metadata'), h('span', { class: 'muted' }, ` ${plural(items.length, 'record')} of attempt ${attemptId} and the task`)),
    items.length
      ? h('div', { class: 'table-wrap' },
        h('table', { class: 'grid metadata-table' },
          h('thead', null, h('tr', null, th('Field'), th('Value'), th('Type'), th('Attempt', 'col-num'), th('Recorded'))),
          h('tbody', null, items.map((m) => h('tr', null,
            h('th', { scope: 'row', class: 'mono' }, String(m.field_name ?? '')),
            h('td', { class: 'mono wrap' }, String(m.value ?? '')),
            h('td', { class: 'muted' }, String(m.type ?? '')),
            h('td', { class: 'col-num' }, m.attempt_id ?? ''),
            h('td', null, timeEl(m.ts_epoch)))))))
      : message('empty', 'No metadata.'));
}

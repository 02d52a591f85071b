// Links made for Metaflow's own UI keep working here: its run-page tabs
// (/{flow}/{run}/view/{dag|timeline|task}) and its run-page query (steps, order, direction, group)
// map to this UI's run page, its sections and its query (step, _order).

const VIEWS = { dag: 'graph', timeline: 'timeline', task: 'tasks' };
const ORDERS = { startTime: 'started_at', endTime: 'finished_at', duration: 'duration' };
const LEGACY_KEYS = ['steps', 'order', 'direction', 'group'];

/** The section id of a Metaflow UI run tab ("dag", "timeline", "task"), or null. */
export function legacySection(view) {
  return Object.hasOwn(VIEWS, view) ? VIEWS[view] : null;
}

/** True when a run-page query uses Metaflow UI parameters that this UI names differently. */
export function hasLegacyQuery(query) {
  return LEGACY_KEYS.some((k) => query.has(k));
}

/**
 * This UI's run-page query for one written for Metaflow's UI: `steps=a,b` filters by the first
 * step (the page filters by one), `order=startTime|endTime|duration` with `direction=asc|desc`
 * becomes `_order`; `status` and `q` mean the same here and stay; `group` has no equivalent.
 */
export function translateRunQuery(query) {
  const q = new URLSearchParams(query);
  const steps = (q.get('steps') || '').split(',').map((s) => s.trim()).filter(Boolean);
  if (steps.length && !q.get('step')) {
    q.set('step', steps[0]);
  }
  const field = Object.hasOwn(ORDERS, q.get('order') || '') ? ORDERS[q.get('order')] : null;
  if (field && !q.get('_order')) {
    q.set('_order', `${q.get('direction') === 'desc' ? '-' : '+'}${field}`);
  }
  LEGACY_KEYS.forEach((k) => q.delete(k));
  return q;
}

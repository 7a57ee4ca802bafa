import { formatRef, type ObjectRef } from './ref.js';

/**
 * ChangeSetAction is what a sync did to one object. `unchanged` means no write was sent;
 * `skipped` always comes with a reason (a guard, prune disabled, a label another release owns).
 */
export type ChangeSetAction = 'created' | 'configured' | 'unchanged' | 'deleted' | 'skipped';

/** changeSetActions lists every action in the order summaries print them. */
export const changeSetActions: readonly ChangeSetAction[] = ['created', 'configured', 'unchanged', 'deleted', 'skipped'];

/** ChangeSetEntry is the result of a sync for one object. */
export interface ChangeSetEntry {
  object: ObjectRef;
  action: ChangeSetAction;
  /** Why the object was skipped (or anything else worth saying); always set for `skipped`. */
  reason?: string;
}

/**
 * ChangeSet is the result of one sync as data, in the order the objects were handled (the
 * applier's order, then prunes). The CLI, the API and the event stream all print from it.
 */
export interface ChangeSet {
  entries: ChangeSetEntry[];
}

/** ChangeSetCounts has one count per action. */
export type ChangeSetCounts = Record<ChangeSetAction, number>;

/** countChanges counts the entries of a change set per action; every action is present. */
export function countChanges(changeSet: ChangeSet): ChangeSetCounts {
  const counts: ChangeSetCounts = { created: 0, configured: 0, unchanged: 0, deleted: 0, skipped: 0 };
  for (const entry of changeSet.entries) counts[entry.action]++;
  return counts;
}

/**
 * hasWrites tells whether the sync wrote anything to the cluster (created, configured or deleted
 * an object); a sync of an unchanged target must not.
 */
export function hasWrites(changeSet: ChangeSet): boolean {
  return changeSet.entries.some((e) => e.action === 'created' || e.action === 'configured' || e.action === 'deleted');
}

/**
 * summarizeChanges renders the counts as one line for people, leaving out actions that did not
 * happen: `2 created, 1 configured, 14 unchanged`. An empty change set reads `no objects`.
 */
export function summarizeChanges(changeSet: ChangeSet): string {
  const counts = countChanges(changeSet);
  const parts = changeSetActions.filter((a) => counts[a] > 0).map((a) => `${counts[a]} ${a}`);
  return parts.length ? parts.join(', ') : 'no objects';
}

/**
 * formatChangeSetEntry prints one entry the way kubectl prints an apply line, with the reason of a
 * skip: `Deployment/web/api configured`, `ConfigMap/web/old skipped: prune is disabled`.
 */
export function formatChangeSetEntry(entry: ChangeSetEntry): string {
  const line = `${formatRef(entry.object)} ${entry.action}`;
  return entry.reason ? `${line}: ${entry.reason}` : line;
}

// managedFields as the server keeps them: one entry per manager identity — (manager,
// subresource) for appliers, (manager, apiVersion, subresource) for updaters — decoded to field
// sets for the merge, and encoded back in the server's order.
import { FieldSet } from './field-set.js';
import { fieldElement, type FieldPath } from './path-element.js';
import type { ManagedFieldsEntry, ManagedFieldsOperation } from './types.js';

/** ManagerState is one managedFields entry with its field set decoded. */
export interface ManagerState {
  manager: string;
  operation: ManagedFieldsOperation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** managerId is the identity of an entry: appliers are one entry whatever apiVersion they use. */
export function managerId(e: { manager: string; operation: ManagedFieldsOperation; apiVersion: string; subresource?: string | undefined }): string {
  return JSON.stringify([e.manager, e.operation, e.operation === 'Apply' ? '' : e.apiVersion, e.subresource ?? '']);
}

/** decodeManagedFields reads managedFields into states keyed by manager identity (a repeated identity keeps its first entry). */
export function decodeManagedFields(entries: ManagedFieldsEntry[] | undefined): Map<string, ManagerState> {
  const out = new Map<string, ManagerState>();
  for (const e of entries ?? []) {
    if (!e || typeof e !== 'object' || typeof e.manager !== 'string') continue;
    const operation: ManagedFieldsOperation = e.operation === 'Apply' ? 'Apply' : 'Update';
    const state: ManagerState = { manager: e.manager, operation, apiVersion: e.apiVersion ?? '', set: FieldSet.fromFieldsV1(e.fieldsV1 ?? {}) };
    if (e.subresource) state.subresource = e.subresource;
    if (e.time) state.time = e.time;
    const id = managerId(state);
    if (!out.has(id)) out.set(id, state);
  }
  return out;
}

function seconds(time: string | undefined): number {
  if (!time) return 0;
  const t = Date.parse(time);
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

function cmp(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** compareEntries is the server's order of managedFields: Apply before Update, then oldest first, then by manager, apiVersion, subresource. */
export function compareEntries(p: ManagerState | ManagedFieldsEntry, q: ManagerState | ManagedFieldsEntry): number {
  return cmp(p.operation, q.operation) || seconds(p.time) - seconds(q.time) || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource ?? '', q.subresource ?? '');
}

/** encodeManagedFields writes states back as managedFields entries, sorted as the server sorts them; empty sets are dropped. */
export function encodeManagedFields(states: Iterable<ManagerState>): ManagedFieldsEntry[] {
  const list = [...states].filter((s) => !s.set.isEmpty()).sort(compareEntries);
  return list.map((s) => {
    const e: ManagedFieldsEntry = { manager: s.manager, operation: s.operation, apiVersion: s.apiVersion } as ManagedFieldsEntry;
    if (s.time !== undefined) e.time = s.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = s.set.toFieldsV1();
    if (s.subresource) e.subresource = s.subresource;
    return e;
  });
}

const metaPaths: FieldPath[] = [
  [fieldElement('apiVersion')],
  [fieldElement('kind')],
  [fieldElement('metadata')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((f) => [fieldElement('metadata'), fieldElement(f)]),
];

/** strippedFields are never recorded as owned: the server strips identity and bookkeeping fields from a manager's set. */
export const strippedFields: FieldSet = FieldSet.fromPaths(metaPaths);

/** maxUpdateManagers is how many Update entries the server keeps before folding the oldest into "ancient-changes". */
export const maxUpdateManagers = 10;

/** capUpdateManagers folds the oldest Update entries, per apiVersion, into one "ancient-changes" entry when there are more than the cap. */
export function capUpdateManagers(states: Map<string, ManagerState>, cap = maxUpdateManagers): Map<string, ManagerState> {
  const updaters = [...states.entries()].filter(([, s]) => s.operation === 'Update');
  if (updaters.length <= cap) return states;
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || cmp(ia, ib));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > cap; i++) {
    const [id, s] = updaters[i]!;
    const bucketId = managerId({ manager: 'ancient-changes', operation: 'Update', apiVersion: s.apiVersion });
    const first = firstByVersion.get(s.apiVersion);
    if (first === undefined) {
      firstByVersion.set(s.apiVersion, id);
      continue;
    }
    if (!states.has(bucketId)) {
      const f = states.get(first)!;
      states.delete(first);
      states.set(bucketId, { manager: 'ancient-changes', operation: 'Update', apiVersion: s.apiVersion, set: f.set, ...(f.time ? { time: f.time } : {}) });
    }
    const bucket = states.get(bucketId)!;
    states.set(bucketId, { ...bucket, set: s.set.union(bucket.set), ...(s.time ? { time: s.time } : {}) });
    states.delete(id);
    length--;
  }
  return states;
}

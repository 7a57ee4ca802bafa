// Server-side apply as kube-apiserver does it (structured-merge-diff's Updater.Apply wrapped in
// the server's field managers): merge the applied configuration into the live object, give the
// applier exactly the fields its configuration specifies, remove what it stopped applying and
// nobody else owns, and refuse (or, with force, take) fields that others own with another value.
import { conflictMessage, conflictStatus, sortConflicts } from './conflict.js';
import { FieldSet } from './field-set.js';
import { ignoredSet } from './ignored.js';
import { capUpdateManagers, decodeManagedFields, encodeManagedFields, managerId, strippedFields, type ManagerState } from './managed-fields.js';
import { managedFieldsOf, metadataOf, withManagedFields, withoutManagedFields } from './object-meta.js';
import { formatFieldPath } from './path-element.js';
import { schemaFor } from './schema.js';
import type { SchemaNode } from './schema-types.js';
import { compareObjects, deepEqual, ensureNamedFieldsAreMembers, mergeValues, removeItems, toFieldSet } from './typed.js';
import type { ApplyConflict, GroupVersionKind, KubeObject, KubeStatus, ManagedFieldsEntry } from './types.js';

/** ServerSideApplyOptions are the inputs of one server-side apply (PATCH application/apply-patch+yaml). */
export interface ServerSideApplyOptions {
  /** live is the stored object; undefined when the apply creates it. */
  live?: KubeObject;
  /** applied is the request body, parsed. */
  applied: KubeObject;
  /** manager is the fieldManager query parameter. */
  manager: string;
  /** force is the force query parameter: take conflicting fields instead of failing. */
  force: boolean;
  /** managedFields of the live object. @default live.metadata.managedFields */
  managedFields?: ManagedFieldsEntry[];
  gvk: GroupVersionKind;
  /** now is the request time, RFC 3339 with seconds (e.g. 2026-11-21T16:50:01Z). */
  now: string;
  /** subresource is set for an apply through a subresource such as "status". */
  subresource?: string;
  /** schema of the kind. @default schemaFor(gvk) (built-in table, else an open schema) */
  schema?: SchemaNode;
  /** fields the server resets for this endpoint (e.g. [['status']] on the main resource): never owned through it. */
  ignoredFields?: string[][];
}

/** ServerSideApplyResult is the merged object, or the conflicts, or why the applied object is refused. */
export type ServerSideApplyResult =
  | {
      ok: true;
      /** object is the merged object with its new managedFields (the live object itself when nothing changed). */
      object: KubeObject;
      managedFields: ManagedFieldsEntry[];
      /** changed is false when neither the object nor its managedFields changed: no write, no new resourceVersion, no event. */
      changed: boolean;
    }
  | { ok: false; reason: 'Conflict'; conflicts: ApplyConflict[]; message: string; status: KubeStatus }
  | { ok: false; reason: 'Invalid' | 'BadRequest'; message: string; field?: string };

function apiVersionOf(obj: KubeObject | undefined, gvk: GroupVersionKind): string {
  const v = obj?.apiVersion;
  if (typeof v === 'string' && v) return v;
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

/**
 * pruneMerged removes from the merged object what the applier owned before and no longer applies,
 * unless another manager owns it (structured-merge-diff's prune, addBackOwnedItems and
 * addBackDanglingItems, in one version).
 */
function pruneMerged(merged: KubeObject, schema: SchemaNode, managed: FieldSet, lastSet: FieldSet | undefined): KubeObject {
  if (!lastSet || lastSet.isEmpty()) return merged;
  const ensure = (s: FieldSet, v: unknown) => ensureNamedFieldsAreMembers(s, schema, v);
  const setOf = (v: unknown) => ensure(toFieldSet(v, schema).set, v);
  const last = ensure(lastSet, merged);
  const mergedSet = setOf(merged);
  const pruned = (removeItems(merged, last, schema) ?? {}) as KubeObject;
  const ownedBack = (removeItems(merged, mergedSet.difference(setOf(pruned).union(ensure(managed, merged))), schema) ?? {}) as KubeObject;
  return (removeItems(merged, mergedSet.difference(setOf(ownedBack)).intersection(last), schema) ?? {}) as KubeObject;
}

function withoutTimes(entries: ManagedFieldsEntry[]): unknown {
  return entries.map((e) => ({ ...e, time: undefined }));
}

/** serverSideApply merges an applied configuration into the live object and updates field ownership. */
export function serverSideApply(options: ServerSideApplyOptions): ServerSideApplyResult {
  const { applied, manager, force, gvk, now, subresource } = options;
  const schema = options.schema ?? schemaFor(gvk);
  const appliedMeta = metadataOf(applied);
  if (appliedMeta && appliedMeta.managedFields !== undefined && appliedMeta.managedFields !== null) {
    return { ok: false, reason: 'BadRequest', message: 'metadata.managedFields must be nil', field: 'metadata.managedFields' };
  }
  const config = toFieldSet(applied, schema, true);
  if (config.errors.length > 0) {
    const e = config.errors[0]!;
    // Worded as structured-merge-diff's ValidationErrors: one line, or an indented list.
    const lines = config.errors.map((x) => `${x.path}: ${x.message}`);
    const message = lines.length === 1 ? lines[0]! : ['errors:', ...lines.map((l) => `  ${l}`)].join('\n');
    return { ok: false, reason: 'Invalid', message, field: e.path };
  }
  const ignored = ignoredSet(options.ignoredFields);
  const apiVersion = apiVersionOf(applied, gvk);
  const live = options.live ? withoutManagedFields(options.live) : {};
  const before = options.managedFields ?? managedFieldsOf(options.live) ?? [];
  const states = decodeManagedFields(before);
  const id = managerId({ manager, operation: 'Apply', apiVersion, subresource });
  const previous = states.get(id);

  const appliedSet = config.set.recursiveDifference(ignored);
  const mine: ManagerState = { manager, operation: 'Apply', apiVersion, set: appliedSet };
  if (subresource) mine.subresource = subresource;
  if (previous?.time) mine.time = previous.time;
  states.set(id, mine);

  let managedUnion = new FieldSet();
  for (const s of states.values()) managedUnion = managedUnion.union(s.set);
  const merged = pruneMerged(mergeValues(live, applied, schema) as KubeObject, schema, managedUnion, previous?.set);

  const compare = compareObjects(live, merged, schema);
  const changedFields = compare.modified.union(compare.added).recursiveDifference(ignored);
  const removedFields = compare.removed.recursiveDifference(ignored);
  const conflicts: ApplyConflict[] = [];
  const others = [...states.entries()].filter(([otherId]) => otherId !== id);
  for (const [otherId, s] of others) {
    const clash = s.set.intersection(changedFields);
    if (!clash.isEmpty()) {
      for (const p of clash.paths()) {
        const c: ApplyConflict = { manager: s.manager, operation: s.operation, apiVersion: s.apiVersion, field: formatFieldPath(p) };
        if (s.subresource) c.subresource = s.subresource;
        conflicts.push(c);
      }
    }
    const set = s.set.difference(clash).difference(removedFields);
    if (set.isEmpty()) states.delete(otherId);
    else states.set(otherId, { ...s, set });
  }
  if (conflicts.length > 0 && !force) {
    const sorted = sortConflicts(conflicts);
    return { ok: false, reason: 'Conflict', conflicts: sorted, message: conflictMessage(sorted), status: conflictStatus(sorted) };
  }

  mine.set = mine.set.difference(strippedFields);
  if (mine.set.isEmpty()) states.delete(id);
  const same = compare.added.isEmpty() && compare.modified.isEmpty() && compare.removed.isEmpty();
  // Newer servers stamp the applier's entry on every apply, then keep the stored object (old
  // times included) when nothing but times would change; 1.19 reached the same by not stamping a
  // no-op. Either way: a no-op keeps every time, any real change stamps the applier's entry.
  const untimed = encodeManagedFields(capUpdateManagers(new Map([...states].map(([k, v]) => [k, { ...v }]))).values());
  const managedChanged = !deepEqual(withoutTimes(untimed), withoutTimes(before));
  if (same && !managedChanged && options.live) {
    return { ok: true, object: options.live, managedFields: before, changed: false };
  }
  mine.time = now;
  const managedFields = encodeManagedFields(capUpdateManagers(states).values());
  if (same) return { ok: true, object: withManagedFields(options.live ?? merged, managedFields), managedFields, changed: true };
  return { ok: true, object: withManagedFields(merged, managedFields), managedFields, changed: true };
}

// Field ownership after a write that is not an apply (create, update, merge / JSON / strategic
// patch): the fields the write added or changed become its manager's, and leave every other
// manager; fields it removed leave everyone. This is structured-merge-diff's Updater.Update run
// as the server runs it (as a temporary manager whose set is then merged into the real one, so
// the entry's time moves only when the write changed something).
import { ignoredSet } from './ignored.js';
import { capUpdateManagers, decodeManagedFields, encodeManagedFields, managerId, strippedFields, type ManagerState } from './managed-fields.js';
import { managedFieldsOf, withManagedFields, withoutManagedFields } from './object-meta.js';
import { builtinSchemas, schemaFor } from './schema.js';
import type { SchemaNode } from './schema-types.js';
import { compareObjects } from './typed.js';
import type { GroupVersionKind, KubeObject, ManagedFieldsEntry } from './types.js';

/** TrackUpdateOptions are the inputs of one non-apply write (create, update, merge/JSON/strategic patch). */
export interface TrackUpdateOptions {
  /** before is the stored object; undefined for a create (compared with zeroObject(gvk, after), as the server compares with the empty Go object). */
  before?: KubeObject;
  /** after is the object about to be stored. */
  after: KubeObject;
  /** manager is the fieldManager parameter, or the server's default (e.g. from the user agent). */
  manager: string;
  operation?: 'Update';
  subresource?: string;
  gvk: GroupVersionKind;
  /** now is the request time, RFC 3339 with seconds. */
  now: string;
  /**
   * managedFields to start from. @default after's when non-empty (a client may write them; a single
   * empty entry `[{}]` clears them), else before's
   */
  managedFields?: ManagedFieldsEntry[];
  schema?: SchemaNode;
  /** fields the server resets for this endpoint: never owned through it. */
  ignoredFields?: string[][];
}

/** TrackUpdateResult is the after object with its managedFields brought up to date. */
export interface TrackUpdateResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

// Paths that a built-in kind's empty Go object already has: the server compares a create with
// that zero object, not with nothing, so these never show up as added (no `.` for them), nor do
// zero values it prints (creationTimestamp: null). null marks a field the Go type serialises as
// null (a list or pointer without omitempty). Only paths
// the new object has are used, so one table serves every kind.
const zeroPaths: Array<[string[], unknown]> = [
  [['spec'], {}],
  [['status'], {}],
  [['spec', 'template'], {}],
  [['spec', 'template', 'metadata'], { creationTimestamp: null }],
  [['spec', 'template', 'spec'], {}],
  [['spec', 'template', 'spec', 'containers'], null],
  [['spec', 'containers'], null],
  [['spec', 'selector'], null],
  [['spec', 'strategy'], {}],
  [['spec', 'updateStrategy'], {}],
  [['spec', 'resources'], {}],
  [['spec', 'scaleTargetRef'], {}],
  [['spec', 'jobTemplate'], {}],
  [['spec', 'jobTemplate', 'spec'], {}],
  [['spec', 'jobTemplate', 'spec', 'template'], {}],
  [['spec', 'jobTemplate', 'metadata'], { creationTimestamp: null }],
  [['spec', 'jobTemplate', 'spec', 'template', 'metadata'], { creationTimestamp: null }],
  [['spec', 'jobTemplate', 'spec', 'template', 'spec'], {}],
  [['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers'], null],
  [['rules'], null],
  [['roleRef'], {}],
];

// CustomResourceDefinition: names structs (whose plural and kind print even when empty) and lists without omitempty.
const crdZeroPaths: Array<[string[], unknown]> = [
  [['spec', 'names'], { plural: '', kind: '' }],
  [['spec', 'versions'], null],
  [['status', 'acceptedNames'], { plural: '', kind: '' }],
  [['status', 'conditions'], null],
  [['status', 'storedVersions'], null],
];

function has(obj: unknown, path: string[]): boolean {
  let cur = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !(k in cur)) return false;
    cur = (cur as Record<string, unknown>)[k];
  }
  return true;
}

/**
 * zeroObject is what the server compares a create with: for a built-in kind, the Go zero object
 * (spec, status, a pod template's parts present but empty), limited to the paths the new object
 * has; for other kinds, nothing.
 */
export function zeroObject(gvk: GroupVersionKind, after: KubeObject): KubeObject {
  const out: KubeObject = {};
  if (!builtinSchemas[`${gvk.group}/${gvk.kind}`]) return out;
  const paths = gvk.group === 'apiextensions.k8s.io' && gvk.kind === 'CustomResourceDefinition' ? [...zeroPaths, ...crdZeroPaths] : zeroPaths;
  for (const [path, value] of paths) {
    if (!has(after, path) || !has(out, path.slice(0, -1))) continue;
    let cur = out;
    for (const k of path.slice(0, -1)) cur = cur[k] as KubeObject;
    cur[path[path.length - 1]!] = structuredClone(value);
  }
  return out;
}

function isReset(entries: ManagedFieldsEntry[] | undefined): boolean {
  return Array.isArray(entries) && entries.length === 1 && entries[0] !== null && typeof entries[0] === 'object' && Object.keys(entries[0]).length === 0;
}

/** trackUpdate gives the fields that a non-apply write changed to its manager. */
export function trackUpdate(options: TrackUpdateOptions): TrackUpdateResult {
  const { manager, gvk, now, subresource } = options;
  const schema = options.schema ?? schemaFor(gvk);
  const ignored = ignoredSet(options.ignoredFields);
  const requested = managedFieldsOf(options.after);
  let start: ManagedFieldsEntry[];
  if (options.managedFields) start = options.managedFields;
  else if (isReset(requested)) start = [];
  else if (requested && decodeManagedFields(requested).size > 0) start = requested;
  else start = managedFieldsOf(options.before) ?? [];
  const states = decodeManagedFields(start);

  const before = options.before ? withoutManagedFields(options.before) : zeroObject(gvk, options.after);
  const after = withoutManagedFields(options.after);
  const compare = compareObjects(before, after, schema);
  const changed = compare.modified.union(compare.added).recursiveDifference(ignored);
  const removed = compare.removed.recursiveDifference(ignored);
  for (const [id, s] of [...states.entries()]) {
    const set = s.set.difference(changed).difference(removed);
    if (set.isEmpty()) states.delete(id);
    else states.set(id, { ...s, set });
  }

  const own = changed.difference(strippedFields);
  if (!own.isEmpty()) {
    const apiVersion = typeof options.after.apiVersion === 'string' && options.after.apiVersion ? options.after.apiVersion : gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
    const id = managerId({ manager, operation: 'Update', apiVersion, subresource });
    const prev = states.get(id);
    const state: ManagerState = { manager, operation: 'Update', apiVersion, set: prev ? own.union(prev.set) : own, time: now };
    if (subresource) state.subresource = subresource;
    states.set(id, state);
  }
  const managedFields = encodeManagedFields(capUpdateManagers(states).values());
  return { object: withManagedFields(options.after, managedFields), managedFields };
}

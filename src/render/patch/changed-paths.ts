import type { ProvenanceEntry } from '../types.js';
import { pointerOf, recordProvenance, type Resource } from '../kustomize/resource.js';
import { jsonEqual } from './json-equal.js';

/** FieldPath is a path into an object: map keys and list indices. */
export type FieldPath = (string | number)[];

/** ListMove says where the elements of one list went: old index to new index, absent when removed. */
export interface ListMove {
  /** The list's path in the new object. */
  path: FieldPath;
  moves: Map<number, number>;
}

/** ObjectDiff is what changed between two versions of an object. */
export interface ObjectDiff {
  /** The paths whose value was added, removed or changed, shortest first within each branch. */
  changed: FieldPath[];
  /** How the elements of lists that changed were matched up, outer lists first. */
  lists: ListMove[];
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// Fields that name a list element in Kubernetes objects (merge keys); an element keeps its identity
// when one of them is unchanged, even if it moved or other fields changed.
const identityFields = ['name', 'mountPath', 'devicePath', 'containerPort', 'port', 'ip', 'uid', 'topologyKey', 'type'];

function sameElement(a: unknown, b: unknown): boolean {
  if (jsonEqual(a, b)) return true;
  if (!isMap(a) || !isMap(b)) return false;
  for (const field of identityFields) {
    const x = a[field];
    const y = b[field];
    if (x !== undefined && y !== undefined && typeof x !== 'object' && typeof y !== 'object') return x === y;
  }
  return false;
}

function walk(before: unknown, after: unknown, path: FieldPath, out: ObjectDiff): void {
  if (jsonEqual(before, after)) return;
  if (isMap(before) && isMap(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (!(key in before) || !(key in after)) out.changed.push([...path, key]);
      else walk(before[key], after[key], [...path, key], out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const used = new Set<number>();
    const moves = new Map<number, number>();
    const matched: [number, number][] = [];
    after.forEach((item, j) => {
      // Prefer an identical element, then one with the same identity.
      let i = before.findIndex((old, k) => !used.has(k) && jsonEqual(old, item));
      if (i < 0) i = before.findIndex((old, k) => !used.has(k) && sameElement(old, item));
      if (i < 0) {
        out.changed.push([...path, j]);
        return;
      }
      used.add(i);
      moves.set(i, j);
      matched.push([i, j]);
    });
    out.lists.push({ path, moves });
    for (const [i, j] of matched) walk(before[i], after[j], [...path, j], out);
    return;
  }
  out.changed.push(path);
}

/**
 * diffObjects compares two versions of an object: the leaf paths that changed, and how list
 * elements moved (kustomize's strategic merge moves patched elements to the front).
 */
export function diffObjects(before: unknown, after: unknown): ObjectDiff {
  const out: ObjectDiff = { changed: [], lists: [] };
  walk(before, after, [], out);
  return out;
}

/** changedPaths returns the paths whose value differs between two versions of an object. */
export function changedPaths(before: unknown, after: unknown): FieldPath[] {
  return diffObjects(before, after).changed;
}

/**
 * recordChanges updates a resource's provenance after a step changed its object from `before`:
 * entries of list elements follow the elements where they moved (and are dropped with removed
 * ones), and every changed path is attributed to `entry`.
 */
export function recordChanges(resource: Resource, before: unknown, entry: ProvenanceEntry): void {
  const diff = diffObjects(before, resource.object);
  for (const { path, moves } of diff.lists) {
    const list = pointerOf(path) + '/';
    const renamed = new Map<string, ProvenanceEntry>();
    for (const [key, value] of resource.provenance) {
      if (!key.startsWith(list)) continue;
      resource.provenance.delete(key);
      const rest = key.slice(list.length);
      const slash = rest.indexOf('/');
      const index = Number(slash < 0 ? rest : rest.slice(0, slash));
      const to = moves.get(index);
      if (to !== undefined) renamed.set(list + String(to) + (slash < 0 ? '' : rest.slice(slash)), value);
    }
    for (const [key, value] of renamed) resource.provenance.set(key, value);
  }
  for (const path of diff.changed) recordProvenance(resource, path, entry);
}

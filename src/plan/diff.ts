import { formatRef } from '../core/index.js';
import type { JsonValue, KubeObject } from '../manifest/index.js';
import { maskFieldChanges } from './mask.js';
import type { FieldChange, ObjectChange } from './types.js';

/**
 * objectKey is the identity two revisions of a desired object share: API group, kind, namespace
 * and name. The version is left out so that moving to a newer apiVersion is a change, not a
 * remove and an add.
 */
export function objectKey(object: KubeObject): string {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return [group, object.kind, object.metadata?.namespace ?? '', object.metadata?.name ?? ''].join('/');
}

/** refOf names an object the one way messages do. */
export function refOf(object: KubeObject): string {
  return formatRef({ kind: object.kind, namespace: object.metadata?.namespace || undefined, name: object.metadata?.name ?? '' });
}

/**
 * diffObjects pairs two desired states by object identity and returns, in the order of the head
 * (removed objects after, in base order), each object added, changed or removed with its changed
 * fields. Unchanged objects are left out. Secret values are masked before they leave this function.
 */
export function diffObjects(before: readonly KubeObject[], after: readonly KubeObject[]): ObjectChange[] {
  const baseByKey = new Map<string, KubeObject>();
  for (const object of before) baseByKey.set(objectKey(object), object);
  const seen = new Set<string>();
  const changes: ObjectChange[] = [];
  for (const object of after) {
    const key = objectKey(object);
    seen.add(key);
    const old = baseByKey.get(key);
    if (!old) {
      changes.push(finish('add', object, leaves(object as unknown as JsonValue, '').map((f) => ({ path: f.path, action: 'add', after: f.value }))));
      continue;
    }
    const fields = diffValues(old as unknown as JsonValue, object as unknown as JsonValue, '');
    if (fields.length > 0) changes.push(finish('change', object, fields));
  }
  for (const object of before) {
    const key = objectKey(object);
    if (seen.has(key)) continue;
    seen.add(key);
    changes.push(finish('remove', object, leaves(object as unknown as JsonValue, '').map((f) => ({ path: f.path, action: 'remove', before: f.value }))));
  }
  return changes;
}

function finish(action: ObjectChange['action'], object: KubeObject, fields: FieldChange[]): ObjectChange {
  return { action, object: refOf(object), apiVersion: object.apiVersion, fields: maskFieldChanges(object, fields) };
}

/**
 * diffValues compares two JSON values field by field and returns every changed leaf, named by its
 * JSON pointer below `path`. Maps are compared key by key. Lists whose items are all maps with a
 * unique `name` are paired by name (containers, env, volumes, ports), so inserting a container
 * does not show every later one as changed; other lists of the same length are compared item by
 * item; anything else (a list that grew, a type that changed) is one change of the whole value.
 */
export function diffValues(before: JsonValue | undefined, after: JsonValue | undefined, path: string): FieldChange[] {
  if (jsonEqual(before, after)) return [];
  if (before === undefined) return leaves(after!, path).map((f) => ({ path: f.path, action: 'add', after: f.value }));
  if (after === undefined) return leaves(before, path).map((f) => ({ path: f.path, action: 'remove', before: f.value }));
  if (isMap(before) && isMap(after)) return diffMaps(before, after, path);
  if (Array.isArray(before) && Array.isArray(after)) {
    const keyed = diffNamedLists(before, after, path);
    if (keyed === 'reordered') return [{ path, action: 'change', before, after }];
    if (keyed) return keyed;
    if (before.length === after.length && before.length > 0) {
      return before.flatMap((item, i) => diffValues(item, after[i], `${path}/${i}`));
    }
  }
  return [{ path, action: 'change', before, after }];
}

// Fields come out in document order: the head's key order, with each removed key where the
// base had it, so a field diff reads like the manifest.
function diffMaps(before: { [key: string]: JsonValue }, after: { [key: string]: JsonValue }, path: string): FieldChange[] {
  const out: FieldChange[] = [];
  const beforeKeys = Object.keys(before);
  const position = new Map(beforeKeys.map((k, i) => [k, i]));
  let next = 0;
  const flushRemoved = (upTo: number) => {
    for (; next < upTo; next++) {
      const key = beforeKeys[next]!;
      if (!Object.hasOwn(after, key)) out.push(...diffValues(before[key], undefined, path + '/' + escape(key)));
    }
  };
  for (const key of Object.keys(after)) {
    const at = position.get(key);
    if (at !== undefined && at >= next) {
      flushRemoved(at);
      next = at + 1;
    }
    out.push(...diffValues(Object.hasOwn(before, key) ? before[key] : undefined, after[key], path + '/' + escape(key)));
  }
  flushRemoved(beforeKeys.length);
  return out;
}

function diffNamedLists(before: JsonValue[], after: JsonValue[], path: string): FieldChange[] | 'reordered' | undefined {
  const beforeNames = namesOf(before);
  const afterNames = namesOf(after);
  if (!beforeNames || !afterNames) return undefined;
  const common = afterNames.filter((n) => beforeNames.includes(n));
  // A reordering of the same items is itself a change (env order matters for $(VAR) references);
  // show it as a change of the whole list rather than pretend nothing moved.
  if (common.join('\u0000') !== beforeNames.filter((n) => afterNames.includes(n)).join('\u0000')) return 'reordered';
  const out: FieldChange[] = [];
  beforeNames.forEach((name, i) => {
    if (!afterNames.includes(name)) out.push(...diffValues(before[i], undefined, `${path}/${i}`));
  });
  afterNames.forEach((name, i) => {
    const j = beforeNames.indexOf(name);
    out.push(...diffValues(j >= 0 ? before[j] : undefined, after[i], `${path}/${i}`));
  });
  return out;
}

function namesOf(list: JsonValue[]): string[] | undefined {
  if (list.length === 0) return undefined;
  const names: string[] = [];
  for (const item of list) {
    if (!isMap(item)) return undefined;
    const name = item.name;
    if (typeof name !== 'string' && typeof name !== 'number') return undefined;
    names.push(String(name));
  }
  return new Set(names).size === names.length ? names : undefined;
}

/** leaves lists every leaf of a value (scalars, empty maps and empty lists) with its JSON pointer. */
export function leaves(value: JsonValue, path: string): { path: string; value: JsonValue }[] {
  if (isMap(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return [{ path, value }];
    return keys.flatMap((key) => leaves(value[key]!, path + '/' + escape(key)));
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return [{ path, value }];
    return value.flatMap((item, i) => leaves(item, `${path}/${i}`));
  }
  return [{ path, value }];
}

/** jsonEqual compares two JSON values deeply; key order in maps does not matter. */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function isMap(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

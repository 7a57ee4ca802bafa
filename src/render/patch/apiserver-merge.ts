import { elementSchema, fieldSchema, isMergeList, mergeKeys, type SchemaNode } from './schema.js';

/**
 * The strategic merge a Kubernetes API server applies to a PATCH with content type
 * `application/strategic-merge-patch+json` (apimachinery's strategicpatch), on plain JSON values.
 * Unlike kustomize it keeps the original order of merged lists (new elements are appended),
 * merges by the single `patchMergeKey`, and honours every directive: `$patch`,
 * `$retainKeys`, `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>`.
 */

type JsonMap = Record<string, unknown>;

/** ApiserverMergeError is a patch the API server would reject (an unknown directive value, a list of the wrong shape). */
export class ApiserverMergeError extends Error {
  constructor(message: string, readonly path: readonly string[]) {
    super(message);
    this.name = 'ApiserverMergeError';
  }
}

function isMap(value: unknown): value is JsonMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const setOrderPrefix = '$setElementOrder/';
const deletePrimitivePrefix = '$deleteFromPrimitiveList/';

/** apiserverMerge merges `patch` into `original` (both already cloned); null means the object was deleted. */
export function apiserverMerge(original: unknown, patch: unknown, schema: SchemaNode | undefined): unknown {
  if (!isMap(patch)) throw new ApiserverMergeError('a strategic merge patch must be a map', []);
  if (patch.$patch === 'delete') return null;
  return mergeMap(isMap(original) ? original : {}, patch, schema, []);
}

function mergeMap(original: JsonMap, patch: JsonMap, schema: SchemaNode | undefined, path: readonly string[]): JsonMap {
  const directive = patch.$patch;
  if (directive !== undefined) {
    if (directive === 'replace') return stripDirectives(withoutKey(patch, '$patch'), schema) as JsonMap;
    if (directive !== 'merge' && directive !== 'delete') throw new ApiserverMergeError(`unknown patch directive $patch: ${String(directive)}`, path);
  }
  const retain = patch.$retainKeys;
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new ApiserverMergeError('$retainKeys must be a list of field names', path);
    for (const key of Object.keys(original)) if (!retain.includes(key)) delete original[key];
  }
  const orders = new Map<string, unknown[]>();
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith(setOrderPrefix)) {
      if (!Array.isArray(value)) throw new ApiserverMergeError(`${key} must be a list`, path);
      orders.set(key.slice(setOrderPrefix.length), value);
      continue;
    }
    if (key.startsWith(deletePrimitivePrefix)) {
      if (!Array.isArray(value)) throw new ApiserverMergeError(`${key} must be a list`, path);
      const field = key.slice(deletePrimitivePrefix.length);
      const current = original[field];
      if (Array.isArray(current)) original[field] = current.filter((item) => !value.some((gone) => sameScalar(gone, item)));
      continue;
    }
    const sub = fieldSchema(schema, key, 'apiserver');
    if (value === null) {
      delete original[key];
      continue;
    }
    const current = original[key];
    if (isMap(value) && value.$patch === 'delete') {
      delete original[key];
      continue;
    }
    if (current === undefined) {
      original[key] = stripDirectives(value, sub);
    } else if (isMap(current) && isMap(value)) {
      original[key] = mergeMap(current, value, sub, [...path, key]);
    } else if (Array.isArray(current) && Array.isArray(value)) {
      const merged = mergeList(current, value, sub, [...path, key]);
      if (merged === undefined) delete original[key];
      else original[key] = merged;
    } else {
      original[key] = stripDirectives(value, sub);
    }
  }
  for (const [field, order] of orders) {
    const list = original[field];
    if (Array.isArray(list)) original[field] = applyOrder(list, order, fieldSchema(schema, field, 'apiserver'));
  }
  return original;
}

function withoutKey(map: JsonMap, key: string): JsonMap {
  const out = { ...map };
  delete out[key];
  return out;
}

function sameScalar(a: unknown, b: unknown): boolean {
  return a === b || (typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b));
}

// A value the original does not have is taken from the patch, minus the directives in it.
function stripDirectives(value: unknown, schema: SchemaNode | undefined): unknown {
  if (Array.isArray(value)) {
    const kept = value.filter((item) => !(isMap(item) && (item.$patch === 'delete' || (item.$patch === 'replace' && Object.keys(item).length === 1))));
    return kept.map((item) => stripDirectives(item, elementSchema(schema)));
  }
  if (isMap(value)) {
    const out: JsonMap = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === '$patch' || key === '$retainKeys' || key.startsWith(setOrderPrefix) || key.startsWith(deletePrimitivePrefix)) continue;
      if (item === null) continue;
      out[key] = stripDirectives(item, fieldSchema(schema, key, 'apiserver'));
    }
    return out;
  }
  return value;
}

function mergeList(original: unknown[], patch: unknown[], schema: SchemaNode | undefined, path: readonly string[]): unknown[] | undefined {
  if (!isMergeList(schema)) return stripDirectives(patch, schema) as unknown[];
  const lone = patch.find((item) => isMap(item) && item.$patch !== undefined && Object.keys(item).length === 1) as JsonMap | undefined;
  if (lone?.$patch === 'replace') return stripDirectives(patch, schema) as unknown[];
  if (lone?.$patch === 'delete') return undefined;
  if (lone !== undefined && lone.$patch !== 'merge') throw new ApiserverMergeError(`unknown patch directive $patch: ${String(lone.$patch)}`, path);
  const key = mergeKeys(schema)[0];
  const out = [...original];
  if (key === undefined) {
    for (const item of patch) if (!out.some((existing) => sameScalar(existing, item))) out.push(item);
    return out;
  }
  const elements = elementSchema(schema);
  for (const item of patch) {
    if (!isMap(item)) throw new ApiserverMergeError(`list elements must be maps with the merge key ${key}`, path);
    if (item.$patch !== undefined && Object.keys(item).length === 1) continue;
    if (!Object.prototype.hasOwnProperty.call(item, key)) throw new ApiserverMergeError(`a list element has no merge key ${key}`, path);
    const index = out.findIndex((existing) => isMap(existing) && sameScalar(existing[key], item[key]));
    if (item.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) {
      const existing = out[index] as JsonMap;
      out[index] = mergeMap(existing, item, elements, [...path, `${key}=${String(item[key])}`]);
    } else {
      out.push(stripDirectives(item, elements));
    }
  }
  return out;
}

// `$setElementOrder` lists the elements the client knows in the order it wants; the others keep
// their place after them.
function applyOrder(list: unknown[], order: unknown[], schema: SchemaNode | undefined): unknown[] {
  const key = mergeKeys(schema)[0];
  const identity = (item: unknown) => (key !== undefined && isMap(item) ? String(item[key]) : String(item));
  const wanted = order.map(identity);
  const ranked = list.map((item, index) => ({ item, index, rank: wanted.indexOf(identity(item)) }));
  const ordered = ranked.filter((r) => r.rank >= 0).sort((a, b) => a.rank - b.rank);
  const rest = ranked.filter((r) => r.rank < 0);
  return [...ordered, ...rest].map((r) => r.item);
}

import { elementSchema, fieldSchema, isMergeList, mergeKeys, type SchemaNode } from './schema.js';

/**
 * The strategic merge a Kubernetes API server applies to a PATCH with content type
 * `application/strategic-merge-patch+json` (apimachinery's strategicpatch with the server's
 * options), on plain JSON values. Unlike kustomize it merges lists by the single
 * `patchMergeKey`, honours `$retainKeys`, `$setElementOrder/<list>` and
 * `$deleteFromPrimitiveList/<list>`, and orders a merged list as apimachinery's
 * normalizeElementOrder does: the patch's elements in patch order, the others in their original
 * order, interleaved where the original order relates them.
 */

type JsonMap = Record<string, unknown>;

/** ApiserverMergeError is a patch the API server would reject (an unknown directive, a list element without its merge key). */
export class ApiserverMergeError extends Error {
  constructor(message: string, readonly path: readonly string[]) {
    super(message);
    this.name = 'ApiserverMergeError';
  }
}

function isMap(value: unknown): value is JsonMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const directiveKey = '$patch';
const retainKeysKey = '$retainKeys';
const setOrderPrefix = '$setElementOrder/';
const deletePrimitivePrefix = '$deleteFromPrimitiveList/';

const isDirectiveKey = (key: string) => key === directiveKey || key === retainKeysKey || key.startsWith(setOrderPrefix) || key.startsWith(deletePrimitivePrefix);

/** apiserverMerge merges `patch` into `original` (both already cloned); null means the patch deletes the object. */
export function apiserverMerge(original: unknown, patch: unknown, schema: SchemaNode | undefined): unknown {
  if (!isMap(patch)) throw new ApiserverMergeError('a strategic merge patch must be a map', []);
  if (patch[directiveKey] === 'delete') return null;
  return mergeMap(isMap(original) ? original : {}, patch, schema, []);
}

function mergeMap(original: JsonMap, patch: JsonMap, schema: SchemaNode | undefined, path: readonly string[]): JsonMap {
  if (Object.prototype.hasOwnProperty.call(patch, directiveKey)) {
    const directive = patch[directiveKey];
    if (directive === 'replace') return withoutKey(patch, directiveKey);
    // apimachinery empties a map whose patch says delete (the key stays).
    if (directive === 'delete') return {};
    throw new ApiserverMergeError(`unknown patch type ${JSON.stringify(directive)} in a map`, path);
  }
  const retain = patch[retainKeysKey];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new ApiserverMergeError('$retainKeys must be a list of field names', path);
    for (const key of Object.keys(patch)) {
      if (!isDirectiveKey(key) && patch[key] !== null && !retain.includes(key)) throw new ApiserverMergeError(`${key} is patched but not listed in $retainKeys`, path);
    }
    for (const key of Object.keys(original)) if (!retain.includes(key)) delete original[key];
  }
  const orders = new Map<string, unknown[]>();
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(setOrderPrefix)) {
      if (!Array.isArray(value)) throw new ApiserverMergeError(`${key} must be a list`, path);
      orders.set(key.slice(setOrderPrefix.length), value);
    } else if (key.startsWith(deletePrimitivePrefix)) {
      if (!Array.isArray(value)) throw new ApiserverMergeError(`${key} must be a list`, path);
      const field = key.slice(deletePrimitivePrefix.length);
      const current = original[field];
      if (Array.isArray(current)) original[field] = current.filter((item) => !value.some((gone) => gone === item));
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (isDirectiveKey(key)) continue;
    const sub = fieldSchema(schema, key, 'apiserver');
    const at = [...path, key];
    if (value === null) {
      delete original[key];
      continue;
    }
    const current = original[key];
    if (current === undefined || kindOf(current) !== kindOf(value)) {
      const cleaned = removeDirectives(value);
      if (cleaned === undefined) delete original[key];
      else original[key] = cleaned;
    } else if (isMap(current) && isMap(value)) {
      original[key] = mergeMap(current, value, sub, at);
    } else if (Array.isArray(current) && Array.isArray(value)) {
      // A list that does not merge is replaced by the patch's, as written.
      original[key] = isMergeList(sub) ? mergeList(current, value, sub, orders.get(key), at) : value;
    } else {
      original[key] = value;
    }
  }
  for (const [field, order] of orders) {
    const list = original[field];
    if (Array.isArray(list) && !Object.prototype.hasOwnProperty.call(patch, field)) {
      original[field] = normalizeOrder(list, order, list, mergeKeys(fieldSchema(schema, field, 'apiserver'))[0]);
    }
  }
  return original;
}

function kindOf(value: unknown): 'map' | 'list' | 'scalar' {
  return Array.isArray(value) ? 'list' : isMap(value) ? 'map' : 'scalar';
}

function withoutKey(map: JsonMap, key: string): JsonMap {
  const out = { ...map };
  delete out[key];
  return out;
}

// A value the original does not have is taken from the patch without its null fields and without
// every map that carries a `$patch` directive (apimachinery's discardNullValuesFromPatch and
// removeDirectives); undefined when the value itself carries one.
function removeDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(removeDirectives).filter((item) => item !== undefined);
  if (isMap(value)) {
    if (Object.prototype.hasOwnProperty.call(value, directiveKey)) return undefined;
    const out: JsonMap = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === null) continue;
      const cleaned = removeDirectives(item);
      if (cleaned !== undefined) out[key] = cleaned;
    }
    return out;
  }
  return value;
}

function mergeList(original: unknown[], patch: unknown[], schema: SchemaNode | undefined, setOrder: unknown[] | undefined, path: readonly string[]): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const key = mergeKeys(schema)[0];
  if (key === undefined) {
    if (patch.some((item) => typeof item === 'object' && item !== null)) throw new ApiserverMergeError('a list merged as a set must hold values, not maps or lists', path);
    const merged: unknown[] = [];
    for (const item of [...original, ...patch]) if (!merged.includes(item)) merged.push(item);
    return normalizeOrder(merged, setOrder ?? patch, original, undefined);
  }
  const elements = elementSchema(schema);
  let server = original;
  const plain: JsonMap[] = [];
  let replace = false;
  for (const item of patch) {
    if (!isMap(item)) throw new ApiserverMergeError(`list elements must be maps with the merge key ${key}`, path);
    if (!Object.prototype.hasOwnProperty.call(item, directiveKey)) {
      plain.push(item);
      continue;
    }
    const directive = item[directiveKey];
    if (directive === 'delete') {
      if (!Object.prototype.hasOwnProperty.call(item, key)) throw new ApiserverMergeError(`a $patch: delete element has no merge key ${key}`, path);
      server = server.filter((existing) => !(isMap(existing) && existing[key] === item[key]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw new ApiserverMergeError('merging lists cannot yet be specified in the patch', path);
    } else {
      throw new ApiserverMergeError(`unknown patch type ${JSON.stringify(directive)} in a list`, path);
    }
  }
  if (replace) return plain;
  const merged = [...server];
  for (const item of plain) {
    if (!Object.prototype.hasOwnProperty.call(item, key)) throw new ApiserverMergeError(`a list element has no merge key ${key}`, path);
    const index = merged.findIndex((existing) => isMap(existing) && existing[key] === item[key]);
    if (index >= 0) merged[index] = mergeMap(merged[index] as JsonMap, item, elements, [...path, `${key}=${String(item[key])}`]);
    // A new element is appended as the patch wrote it.
    else merged.push(item);
  }
  // apimachinery sorts the result by merge key and refuses an element without one, even one that
  // an earlier patch left in the original.
  for (const item of merged) {
    if (!isMap(item) || !Object.prototype.hasOwnProperty.call(item, key)) throw new ApiserverMergeError(`a list element has no merge key ${key}`, path);
  }
  return normalizeOrder(merged, setOrder ?? plain, server, key);
}

// apimachinery's normalizeElementOrder: the elements named in `patchOrder` in that order, the
// others in `serverOrder`, then the two interleaved where serverOrder ranks both.
function normalizeOrder(merged: readonly unknown[], patchOrder: readonly unknown[], serverOrder: readonly unknown[], key: string | undefined): unknown[] {
  const identity = (item: unknown) => (key !== undefined && isMap(item) ? item[key] : item);
  const indexIn = (list: readonly unknown[], item: unknown) => list.findIndex((other) => identity(other) === identity(item));
  const patched = merged.filter((item) => indexIn(patchOrder, item) >= 0).sort((a, b) => indexIn(patchOrder, a) - indexIn(patchOrder, b));
  const serverOnly = merged.filter((item) => indexIn(patchOrder, item) < 0).sort((a, b) => indexIn(serverOrder, a) - indexIn(serverOrder, b));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patched.length) {
    if (i >= serverOnly.length) out.push(patched[j++]);
    else if (j >= patched.length) out.push(serverOnly[i++]);
    else {
      const left = indexIn(serverOrder, serverOnly[i]);
      const right = indexIn(serverOrder, patched[j]);
      if (left >= 0 && right >= 0 && left < right) out.push(serverOnly[i++]);
      else out.push(patched[j++]);
    }
  }
  return out;
}

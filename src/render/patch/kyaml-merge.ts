import { elementSchema, fieldSchema, isMergeList, mergeKeys, schemaForKind, type SchemaNode } from './schema.js';

/**
 * The strategic merge kustomize v5 performs (kyaml's merge2 walker with the "prepend" list option),
 * reproduced on plain JSON values so that `flotilla build` prints what `kustomize build` prints,
 * quirks included:
 *
 * - merged lists put the patch's elements first, in patch order, then the original's others;
 * - only `$patch` directives are understood; `$setElementOrder/…`, `$retainKeys` and
 *   `$deleteFromPrimitiveList/…` are copied into the result as ordinary fields, as kustomize does;
 * - lists merge only where the schema says so (see schema.ts); other lists are replaced.
 *
 * Values are mutated in place, and the walk relies on the aliasing that follows (a new list taken
 * from the patch is both the destination and the source), exactly like kyaml's node graph.
 * Callers pass clones.
 */

type Json = unknown;
type JsonMap = Record<string, unknown>;

/** KyamlMergeError is a merge that kustomize refuses (a type clash, an unknown `$patch` value). */
export class KyamlMergeError extends Error {
  constructor(message: string, readonly path: readonly string[]) {
    super(message);
    this.name = 'KyamlMergeError';
  }
}

function isMap(value: Json): value is JsonMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// kyaml's IsMissingOrNull: an absent node, or one tagged !!null.
function missingOrNull(value: Json): value is undefined | null {
  return value === undefined || value === null;
}

function isEmptyMap(value: Json): boolean {
  return isMap(value) && Object.keys(value).length === 0;
}

type NodeKind = 'map' | 'seq' | 'scalar';

const describe: Record<NodeKind, string> = { map: 'a map', seq: 'a list', scalar: 'a value' };

function kindOf(value: Json): NodeKind {
  if (Array.isArray(value)) return 'seq';
  if (isMap(value)) return 'map';
  return 'scalar';
}

// The text kyaml compares merge-key values by (a YAML node's Value): scalars as written, maps and
// lists as the empty string.
function text(value: Json): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return '';
  return String(value);
}

// A plain scalar kyaml creates from text (NewScalarRNode) reads back as a number or boolean when it looks like one.
function scalarFromText(value: string): Json {
  if (/^-?(0|[1-9]\d*)$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

function replaceContent(list: Json[], content: Json[]): void {
  list.length = 0;
  list.push(...content);
}

type Directive = 'merge' | 'replace' | 'delete';

const directiveKey = '$patch';

function directiveOf(patch: Json, path: readonly string[]): Directive {
  if (patch === undefined) return 'merge';
  if (Array.isArray(patch)) {
    const carrier = patch.find((element) => isMap(element) && Object.prototype.hasOwnProperty.call(element, directiveKey)) as JsonMap | undefined;
    // A `$patch` inside an element with other fields is about that element, not the list.
    if (carrier === undefined || Object.keys(carrier).length > 1) return 'merge';
    const value = text(carrier[directiveKey]);
    if (value !== 'delete' && value !== 'replace' && value !== 'merge') {
      throw new KyamlMergeError(`unknown patch strategy '${value}'`, path);
    }
    replaceContent(patch, elementSetter(patch, undefined, [directiveKey], [value], path));
    return value;
  }
  if (isMap(patch)) {
    if (!Object.prototype.hasOwnProperty.call(patch, directiveKey)) return 'merge';
    const value = text(patch[directiveKey]);
    if (value !== 'delete' && value !== 'replace' && value !== 'merge') {
      throw new KyamlMergeError(`unknown patch strategy '${value}'`, path);
    }
    delete patch[directiveKey];
    return value;
  }
  throw new KyamlMergeError(`no implemented strategic merge patch strategy for a scalar`, path);
}

// kyaml's ElementSetter: returns the list's new content. It drops null and empty-map elements,
// removes (element undefined) or replaces the elements matching every key, and appends the
// element when nothing matched.
function elementSetter(list: readonly Json[], element: Json, keys: readonly string[], values: readonly string[], path: readonly string[]): Json[] {
  const matchKeys = keys.length === 0 ? [''] : keys;
  const mappingSetter = matchKeys[0] !== '' && values.length > 0 && values[0] !== '';
  const out: Json[] = [];
  let matched = false;
  for (const item of list) {
    if (missingOrNull(item) || isEmptyMap(item)) continue;
    if (!isMap(item) && mappingSetter) {
      out.push(item);
      continue;
    }
    let found = values.length > 0;
    for (let j = 0; j < matchKeys.length && found; j++) {
      if (j < values.length && !fieldMatches(item, matchKeys[j]!, values[j]!, path)) found = false;
    }
    if (!found) {
      if (values.length > 0) out.push(item);
      continue;
    }
    matched = true;
    if (element === undefined) continue;
    out.push(element);
  }
  if (missingOrNull(element)) return out;
  if (!matched) out.push(element);
  return out;
}

// kyaml's FieldMatcher used by ElementSetter: with an empty value, only the field's presence counts.
function fieldMatches(item: Json, name: string, value: string, path: readonly string[]): boolean {
  if (missingOrNull(item)) return false;
  if (name === '') {
    if (typeof item === 'object') throw new KyamlMergeError('expected a scalar list element', path);
    return text(item) === value;
  }
  if (!isMap(item)) throw new KyamlMergeError(`expected a map list element with field ${name}`, path);
  if (!Object.prototype.hasOwnProperty.call(item, name)) return false;
  return value === '' || text(item[name]) === value;
}

// kyaml's ElementMatcher (ElementList): the first element whose fields equal every value.
function findElement(list: Json, keys: readonly string[], values: readonly string[]): Json {
  if (!Array.isArray(list)) return undefined;
  const matchKeys = keys.length === 0 ? [''] : keys;
  const matchValues = values.length === 0 ? [''] : values;
  if (matchKeys[0] === '') return list.find((item) => !missingOrNull(item) && text(item) === matchValues[0]);
  return list.find((item) => isMap(item) && matchKeys.every((key, i) => Object.prototype.hasOwnProperty.call(item, key) && text(item[key]) === matchValues[i]));
}

// kyaml's ElementValuesList: for each element, the text of each key ('' when absent, null or empty).
function keyValues(item: Json, keys: readonly string[]): string[] {
  return keys.map((key) => {
    if (!isMap(item)) return '';
    const value = item[key];
    if (missingOrNull(value) || isEmptyMap(value) || (Array.isArray(value) && value.length === 0)) return '';
    return text(value);
  });
}

const sameValues = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

// Secondary keys that no element sets are ignored (a port without protocol merges by containerPort).
function validateKeys(valuesList: readonly (readonly string[])[], values: readonly string[], keys: readonly string[]): [string[], string[]] {
  const valid = new Set<string>();
  for (const entry of valuesList) entry.forEach((v, i) => v !== '' && valid.add(keys[i]!));
  if (valid.size === 0) return [[...keys], [...values]];
  return [keys.filter((k) => valid.has(k)), values.filter((v, i) => v !== '' || valid.has(keys[i]!))];
}

// Entries that agree wherever both are set are taken to be the same element (kyaml's mergeValues).
function mergeValues(valuesList: string[][]): void {
  for (let i = 0; i < valuesList.length; i++) {
    const first = valuesList[i]!;
    for (let j = 0; j < valuesList.length; j++) {
      const second = valuesList[j]!;
      if (first.length !== second.length) continue;
      let common = false;
      let conflict = false;
      const merged: string[] = [];
      for (let k = 0; k < first.length; k++) {
        if (first[k] === second[k]) {
          common = true;
          merged.push(first[k]!);
        } else if (first[k] !== '' && second[k] !== '') {
          conflict = true;
          break;
        } else {
          merged.push(first[k] !== '' ? first[k]! : second[k]!);
        }
      }
      if (!conflict && common) {
        valuesList[i] = merged;
        valuesList[j] = merged;
      }
    }
  }
}

type Sources = [dest: Json, origin: Json];

/**
 * kyamlMerge merges `patch` into `original` as kustomize does; undefined means the object was
 * deleted. Without `schema` the objects' own apiVersion and kind pick it.
 */
export function kyamlMerge(original: Json, patch: Json, schema?: SchemaNode): Json {
  const merged = walk([original, patch], schema, []);
  // kustomize keeps the resource's own node and reads back only whether it was deleted, so a
  // `$patch: replace` at the top, which yields the patch's node instead, changes nothing.
  return merged === undefined ? undefined : original;
}

function walk(sources: Sources, given: SchemaNode | undefined, path: readonly string[]): Json {
  const schema = given ?? embeddedSchema(sources);
  const first = sources.find((s) => !missingOrNull(s));
  if (first === undefined) return walkMap(sources, schema, path);
  const kind = kindOf(first);
  for (const source of sources) {
    if (!missingOrNull(source) && kindOf(source) !== kind) {
      throw new KyamlMergeError(`the resource has ${describe[kind]} where the patch has ${describe[kindOf(source)]}`, path);
    }
  }
  if (kind === 'map') return walkMap(sources, schema, path);
  if (kind === 'seq') return isMergeList(schema) ? walkAssociativeList(sources, schema, path) : visitList(sources, false, path);
  return sources[1] !== undefined ? sources[1] : sources[0];
}

// Where no schema reaches (the root, or inside a custom resource), a map that names a built-in
// apiVersion and kind gets that kind's schema.
function embeddedSchema(sources: Sources): SchemaNode | undefined {
  for (const source of sources) {
    if (isMap(source) && typeof source.apiVersion === 'string' && typeof source.kind === 'string' && source.apiVersion && source.kind) {
      const schema = schemaForKind(source.apiVersion, source.kind);
      if (schema) return schema;
    }
  }
  return undefined;
}

function visitMap(sources: Sources, path: readonly string[]): Json {
  const [dest, origin] = sources;
  if (missingOrNull(dest)) {
    let directive: Directive = 'merge';
    try {
      directive = directiveOf(origin, path);
    } catch {
      // kyaml ignores a bad directive when there is nothing to merge into.
    }
    return directive === 'delete' ? undefined : origin;
  }
  if (origin === null) return undefined;
  const directive = directiveOf(origin, path);
  if (directive === 'delete') return undefined;
  return directive === 'replace' ? origin : dest;
}

function walkMap(sources: Sources, schema: SchemaNode | undefined, path: readonly string[]): Json {
  const dest = visitMap(sources, path);
  if (dest === undefined) return undefined;
  sources[0] = dest;
  if (!isMap(dest)) return dest;
  const names = new Set<string>();
  for (const source of sources) if (isMap(source)) for (const key of Object.keys(source)) names.add(key);
  for (const name of [...names].sort()) {
    const fieldSources: Sources = [isMap(sources[0]) ? sources[0][name] : undefined, isMap(sources[1]) ? sources[1][name] : undefined];
    const value = walk(fieldSources, fieldSchema(schema, name), [...path, name]);
    if (missingOrNull(value)) delete dest[name];
    else dest[name] = value;
  }
  return dest;
}

function visitList(sources: Sources, associative: boolean, path: readonly string[]): Json {
  const [dest, origin] = sources;
  if (!associative) return origin !== undefined ? origin : dest;
  if (missingOrNull(dest)) return origin;
  if (origin === null) return undefined;
  const directive = directiveOf(origin, path);
  if (directive === 'delete') return undefined;
  return directive === 'replace' ? origin : dest;
}

function walkAssociativeList(sources: Sources, schema: SchemaNode | undefined, path: readonly string[]): Json {
  const dest = visitList(sources, true, path);
  if (dest === undefined) return undefined;
  sources[0] = dest;
  if (!Array.isArray(dest)) return dest;
  const keys = mergeKeys(schema);
  const elements = elementSchema(schema);
  // The patch's elements come first ("prepend"), so it is read before the destination.
  const ordered = [sources[1], sources[0]];
  if (keys.length > 0) {
    const valuesList: string[][] = [];
    for (const source of ordered) {
      if (!Array.isArray(source)) continue;
      for (const item of source) {
        const values = keyValues(item, keys);
        if (values.length === 0 || valuesList.some((seen) => sameValues(seen, values))) continue;
        valuesList.push(values);
      }
    }
    return setElements(sources, valuesList, keys, dest, elements, path);
  }
  const scalars: string[][] = [];
  const seen = new Set<string>();
  for (const source of ordered) {
    if (!Array.isArray(source)) continue;
    for (const item of source) {
      const value = text(item);
      if (seen.has(value)) continue;
      seen.add(value);
      scalars.push([value]);
    }
  }
  return setElements(sources, scalars, [''], dest, elements, path);
}

function setElements(sources: Sources, valuesList: string[][], keys: readonly string[], dest: Json[], elements: SchemaNode | undefined, path: readonly string[]): Json {
  let items: Json[] = [];
  if (keys.length > 1) mergeValues(valuesList);
  let validKeys: string[] = [...keys];
  for (const values of valuesList) {
    if (values.length === 0) continue;
    let validValues: string[];
    [validKeys, validValues] = validateKeys(valuesList, values, keys);
    const [lookupKeys, lookupValues] = validateKeys([validValues], validValues, validKeys);
    const elementSources: Sources = [findElement(sources[0], lookupKeys, lookupValues), findElement(sources[1], lookupKeys, lookupValues)];
    const value = walk(elementSources, elements, [...path, `[${validKeys.map((k, i) => `${k}=${validValues[i]}`).join(',')}]`]);
    if (missingOrNull(value) || isEmptyMap(value)) {
      replaceContent(dest, elementSetter(dest, undefined, validKeys, validValues, path));
      continue;
    }
    if (isMap(value)) {
      validKeys.forEach((key, i) => {
        if (!Object.prototype.hasOwnProperty.call(value, key) && validValues[i] !== '') value[key] = scalarFromText(validValues[i]!);
      });
    }
    items = elementSetter(items, value, validKeys, validValues, path);
  }
  if (valuesList.length === 0) return dest;
  return appendList(items, dest, validKeys, path);
}

// kyaml's appendListNode: puts each element of `source` into `target`, replacing the element with
// the same keys (or, for several keys, moving it to the end), or appending it.
function appendList(target: Json[], source: readonly Json[], keys: readonly string[], path: readonly string[]): Json[] {
  let out = target;
  for (const item of [...source]) {
    if (keys[0] === '') {
      out = elementSetter(out, item, [''], [text(item)], path);
      continue;
    }
    const values: string[] = [];
    for (const key of keys) {
      if (!isMap(item)) throw new KyamlMergeError(`expected a map list element with field ${key}`, path);
      if (!Object.prototype.hasOwnProperty.call(item, key)) {
        out.push(item);
        continue;
      }
      values.push(text(item[key]));
    }
    if (keys.length > 1) out = elementSetter(out, undefined, keys, values, path);
    out = elementSetter(out, item, keys, values, path);
  }
  return out;
}

// The walks structured-merge-diff makes over a value and its schema: the field set a value
// specifies, the merge of an applied configuration into a live object, the comparison of two
// objects (added / modified / removed fields) and the removal of a set of fields.
import { FieldSet } from './field-set.js';
import { fieldElement, formatFieldPath, keyElement, serializePathElement, type FieldPath, type PathElement } from './path-element.js';
import type { ListSchema, MapSchema, SchemaNode } from './schema-types.js';

const openNode: SchemaNode = { type: 'untyped', mode: 'open' };
const deducedNode: SchemaNode = { type: 'untyped', mode: 'deduced' };
const atomicNode: SchemaNode = { type: 'untyped', mode: 'atomic' };

/** Atom is what a schema node means for one value: a scalar, a list or a map, with its sub-schema. */
type Atom = { kind: 'scalar'; node: SchemaNode } | { kind: 'list'; list: ListSchema } | { kind: 'map'; map: MapSchema };

type Obj = Record<string, unknown>;

function isMap(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function atomFor(node: SchemaNode, value: unknown): Atom {
  if (node.type === 'scalar') return { kind: 'scalar', node };
  if (node.type === 'list') return { kind: 'list', list: node };
  if (node.type === 'map') return { kind: 'map', map: node };
  // Untyped: the value decides, as structured-merge-diff's deduceAtom does.
  if (Array.isArray(value)) return { kind: 'list', list: { type: 'list', listType: 'atomic', elementType: atomicNode } };
  if (isMap(value)) {
    if (node.mode === 'atomic') return { kind: 'map', map: { type: 'map', elementType: atomicNode, elementRelationship: 'atomic' } };
    if (node.mode === 'deduced') return { kind: 'map', map: { type: 'map', elementType: deducedNode } };
    return { kind: 'map', map: { type: 'map', open: true } };
  }
  return { kind: 'scalar', node };
}

/** fieldType gives the schema of a map key and whether it is a named (struct) field; undefined when undeclared. */
function fieldType(map: MapSchema, key: string): { node: SchemaNode; named: boolean } | undefined {
  const f = map.fields?.[key];
  if (f) return { node: f, named: true };
  if (map.elementType) return { node: map.elementType, named: false };
  if (map.open) return { node: openNode, named: true };
  return undefined;
}

function fieldTypeLenient(map: MapSchema, key: string): { node: SchemaNode; named: boolean } {
  return fieldType(map, key) ?? { node: openNode, named: true };
}

/** ValidationError is one reason a value does not fit its schema. */
export interface ValidationError {
  path: string;
  message: string;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

function validateScalar(node: SchemaNode, v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (node.type !== 'scalar') return undefined;
  switch (node.scalar) {
    case 'numeric':
      return typeof v === 'number' ? undefined : `expected numeric (int or float), got ${typeName(v)}`;
    case 'string':
      return typeof v === 'string' ? undefined : `expected string, got ${typeName(v)}`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `expected boolean, got ${typeName(v)}`;
    default:
      return Array.isArray(v) || isMap(v) ? `expected scalar, got ${typeName(v)}` : undefined;
  }
}

/**
 * listItemElement names a list item: by its key fields for a list-map (filling defaults when the
 * schema has them), by its value for a set, by its index for an atomic list.
 */
export function listItemElement(list: ListSchema, index: number, item: unknown): PathElement | string {
  if (list.listType === 'map') {
    if (!isMap(item)) return item === null ? 'associative list with keys may not have a null element' : 'associative list with keys may not have non-map elements';
    const fields: Array<[string, unknown]> = [];
    for (const k of list.keys ?? []) {
      if (k in item && item[k] !== undefined) fields.push([k, item[k]]);
      else if (list.keyDefaults && k in list.keyDefaults) fields.push([k, list.keyDefaults[k]]);
      else return `associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`;
    }
    return keyElement(fields);
  }
  if (list.listType === 'set') {
    if (item === null) return 'associative list without keys has an element that\'s a null';
    if (Array.isArray(item) || isMap(item)) return 'associative list without keys has an element that\'s a map type';
    return { kind: 'value', value: item };
  }
  return { kind: 'index', index };
}

function elementType(list: ListSchema): SchemaNode {
  return list.elementType ?? (list.listType === 'set' ? { type: 'scalar', scalar: 'untyped' } : openNode);
}

/**
 * toFieldSet gives the fields a value specifies (structured-merge-diff's ToFieldSet): every
 * scalar, every atomic list or map as a whole, every list item (as a member, so `.` when it has
 * children), and every free map key. With strict, schema violations are reported (for applied
 * configurations); otherwise the walk adapts to the value.
 */
export function toFieldSet(value: unknown, schema: SchemaNode, strict = false): { set: FieldSet; errors: ValidationError[] } {
  const set = new FieldSet();
  const errors: ValidationError[] = [];
  const err = (path: FieldPath, message: string) => errors.push({ path: formatFieldPath(path), message });

  const walk = (v: unknown, node: SchemaNode, path: FieldPath): void => {
    const atom = atomFor(node, v);
    if (atom.kind === 'scalar') {
      if (strict) {
        const m = validateScalar(atom.node, v);
        if (m) err(path, m);
      }
      set.insert(path);
      return;
    }
    if (atom.kind === 'list') {
      if (v !== null && v !== undefined && !Array.isArray(v)) {
        if (strict) err(path, `expected list, got ${typeName(v)}`);
        set.insert(path);
        return;
      }
      if (atom.list.listType === 'atomic') {
        set.insert(path);
        return;
      }
      if (!Array.isArray(v)) return;
      const seen = new Set<string>();
      v.forEach((item, i) => {
        const pe = listItemElement(atom.list, i, item);
        if (typeof pe === 'string') {
          if (strict) err(path, `element ${i}: ${pe}`);
          return;
        }
        const key = serializePathElement(pe);
        if (seen.has(key)) {
          if (strict) err([...path, pe], `duplicate entries for key ${formatFieldPath([pe])}`);
          return;
        }
        seen.add(key);
        const childPath = [...path, pe];
        walk(item, elementType(atom.list), childPath);
        set.insert(childPath);
      });
      return;
    }
    if (v !== null && v !== undefined && !isMap(v)) {
      if (strict) err(path, `expected map, got ${typeName(v)}`);
      set.insert(path);
      return;
    }
    if (atom.map.elementRelationship === 'atomic') {
      set.insert(path);
      return;
    }
    if (!isMap(v)) return;
    for (const [key, child] of Object.entries(v)) {
      if (child === undefined) continue;
      const pe = fieldElement(key);
      let ft = fieldType(atom.map, key);
      if (!ft) {
        if (strict) err([...path, pe], 'field not declared in schema');
        ft = { node: openNode, named: true };
      }
      walk(child, ft.node, [...path, pe]);
      if (!ft.named) set.insert([...path, pe]);
    }
  };
  walk(value, schema, []);
  return { set, errors };
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

export { deepEqual };

/** Comparison is what changed from one object to another, as three field sets. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

interface IndexedList {
  order: PathElement[];
  byKey: Map<string, unknown>;
}

function indexList(list: ListSchema, v: unknown[] | undefined): IndexedList {
  const order: PathElement[] = [];
  const byKey = new Map<string, unknown>();
  (v ?? []).forEach((item, i) => {
    const pe = listItemElement(list, i, item);
    if (typeof pe === 'string') return;
    const key = serializePathElement(pe);
    if (byKey.has(key)) return;
    byKey.set(key, item);
    order.push(pe);
  });
  return { order, byKey };
}

/**
 * mergeListOrder gives the items of a merged list-map or set in structured-merge-diff's order:
 * items of both sides in the applied order, live-only items kept where they were.
 */
function mergeListOrder(lhs: IndexedList, rhs: IndexedList): Array<{ pe: PathElement; l: unknown; r: unknown }> {
  const out: Array<{ pe: PathElement; l: unknown; r: unknown }> = [];
  const key = serializePathElement;
  const shared = rhs.order.filter((pe) => lhs.byKey.has(key(pe)));
  let sharedIndex = 0;
  let nextShared: string | undefined = shared[0] ? key(shared[0]) : undefined;
  const advance = () => {
    sharedIndex++;
    nextShared = shared[sharedIndex] ? key(shared[sharedIndex]!) : undefined;
  };
  let lI = 0;
  let rI = 0;
  while (lI < lhs.order.length || rI < rhs.order.length) {
    if (lI < lhs.order.length && rI < rhs.order.length) {
      const lk = key(lhs.order[lI]!);
      if (lk === key(rhs.order[rI]!)) {
        out.push({ pe: lhs.order[lI]!, l: lhs.byKey.get(lk), r: rhs.byKey.get(lk) });
        lI++;
        rI++;
        if (nextShared !== undefined) advance();
        continue;
      }
      if (rhs.byKey.has(lk) && nextShared !== undefined && nextShared !== lk) {
        lI++;
        continue;
      }
    }
    if (lI < lhs.order.length) {
      const lk = key(lhs.order[lI]!);
      if (!rhs.byKey.has(lk)) {
        out.push({ pe: lhs.order[lI]!, l: lhs.byKey.get(lk), r: undefined });
        lI++;
        continue;
      }
    }
    if (rI < rhs.order.length) {
      const pe = rhs.order[rI]!;
      const rk = key(pe);
      out.push({ pe, l: lhs.byKey.get(rk), r: rhs.byKey.get(rk) });
      rI++;
      if (nextShared !== undefined && nextShared === rk) advance();
    }
  }
  return out;
}

function isEmptyContainer(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).every((k) => v[k] === undefined);
  return false;
}

/**
 * mergeValues merges rhs (the applied configuration) into lhs (the live object): scalars and
 * atomic values from rhs, maps key by key, list-maps and sets item by item. Undefined means absent.
 */
export function mergeValues(lhs: unknown, rhs: unknown, schema: SchemaNode): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined) return rhs;
  const atom = atomFor(schema, rhs);
  if (atom.kind === 'scalar') return rhs;
  if (atom.kind === 'list') {
    const l = Array.isArray(lhs) ? lhs : undefined;
    const r = Array.isArray(rhs) ? rhs : undefined;
    if (atom.list.listType === 'atomic' || (isEmptyContainer(l) && isEmptyContainer(r)) || r === undefined) return rhs;
    if (l === undefined) return rhs;
    const et = elementType(atom.list);
    return mergeListOrder(indexList(atom.list, l), indexList(atom.list, r)).map(({ l: li, r: ri }) => mergeValues(li, ri, et));
  }
  const l = isMap(lhs) ? lhs : undefined;
  const r = isMap(rhs) ? rhs : undefined;
  if (atom.map.elementRelationship === 'atomic' || (isEmptyContainer(l) && isEmptyContainer(r)) || r === undefined || l === undefined) return rhs;
  const out: Obj = {};
  for (const [k, lv] of Object.entries(l)) {
    if (lv === undefined) continue;
    out[k] = k in r && r[k] !== undefined ? mergeValues(lv, r[k], fieldTypeLenient(atom.map, k).node) : lv;
  }
  for (const [k, rv] of Object.entries(r)) {
    if (rv === undefined || (k in l && l[k] !== undefined)) continue;
    out[k] = rv;
  }
  return out;
}

/**
 * compareValues finds what changed from lhs to rhs: leaves (scalars, atomic values, empty
 * containers) are added, removed or modified; a map, list or item that appears or disappears as a
 * whole is itself added or removed, which is what puts `.` into an updater's field set.
 */
export function compareObjects(lhs: unknown, rhs: unknown, schema: SchemaNode): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const leaf = (l: unknown, r: unknown, path: FieldPath) => {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!deepEqual(l, r)) c.modified.insert(path);
  };
  const walk = (l: unknown, r: unknown, node: SchemaNode, path: FieldPath): void => {
    const atom = atomFor(node, r !== undefined ? r : l);
    let isLeaf = false;
    if (atom.kind === 'scalar') isLeaf = true;
    else if (atom.kind === 'list') {
      const la = Array.isArray(l) ? l : undefined;
      const ra = Array.isArray(r) ? r : undefined;
      if ((l !== undefined && l !== null && !la) || (r !== undefined && r !== null && !ra)) isLeaf = true;
      else if (atom.list.listType === 'atomic' || (isEmptyContainer(la) && isEmptyContainer(ra))) isLeaf = true;
      else {
        const et = elementType(atom.list);
        for (const item of mergeListOrder(indexList(atom.list, la), indexList(atom.list, ra))) walk(item.l, item.r, et, [...path, item.pe]);
      }
    } else {
      const lm = isMap(l) ? l : undefined;
      const rm = isMap(r) ? r : undefined;
      if ((l !== undefined && l !== null && !lm) || (r !== undefined && r !== null && !rm)) isLeaf = true;
      else if (atom.map.elementRelationship === 'atomic' || (isEmptyContainer(lm) && isEmptyContainer(rm))) isLeaf = true;
      else {
        const keys = new Set<string>();
        for (const k of Object.keys(lm ?? {})) if (lm![k] !== undefined) keys.add(k);
        for (const k of Object.keys(rm ?? {})) if (rm![k] !== undefined) keys.add(k);
        for (const k of keys) walk(lm?.[k], rm?.[k], fieldTypeLenient(atom.map, k).node, [...path, fieldElement(k)]);
      }
    }
    if (isLeaf) {
      leaf(l, r, path);
      return;
    }
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
  };
  walk(lhs, rhs, schema, []);
  return c;
}

/**
 * removeItems drops from a value every path that is a member of the set (with everything below
 * it), descending into children of the set. A map or list left empty by the removal disappears,
 * as it does once the server has turned the result back into a typed object.
 */
export function removeItems(value: unknown, set: FieldSet, schema: SchemaNode): unknown {
  if (set.isEmpty()) return value;
  const atom = atomFor(schema, value);
  if (atom.kind === 'list' && Array.isArray(value) && atom.list.listType !== 'atomic') {
    const et = elementType(atom.list);
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const pe = listItemElement(atom.list, i, item);
      if (typeof pe === 'string') {
        out.push(item);
        return;
      }
      if (set.hasMember(pe)) return;
      const sub = set.child(pe);
      out.push(sub.isEmpty() ? item : removeItems(item, sub, et));
    });
    return out.length > 0 ? out : undefined;
  }
  if (atom.kind === 'map' && isMap(value) && atom.map.elementRelationship !== 'atomic') {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const pe = fieldElement(k);
      if (set.hasMember(pe)) continue;
      const sub = set.child(pe);
      if (sub.isEmpty()) {
        out[k] = v;
        continue;
      }
      const kept = removeItems(v, sub, fieldTypeLenient(atom.map, k).node);
      if (kept !== undefined) out[k] = kept;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return value;
}

/**
 * ensureNamedFieldsAreMembers adds, for every named (struct) field that has children in the set,
 * the field itself as a member (structured-merge-diff's EnsureNamedFieldsAreMembers, used by prune).
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, schema: SchemaNode, value: unknown): FieldSet {
  const extra: FieldPath[] = [];
  const walk = (s: FieldSet, node: SchemaNode, v: unknown, path: FieldPath) => {
    const atom = atomFor(node, v);
    for (const child of s.entries()) {
      if (child.set.isEmpty()) continue;
      const childPath = [...path, child.pe];
      if (atom.kind === 'map' && child.pe.kind === 'field') {
        const ft = fieldTypeLenient(atom.map, child.pe.name);
        if (ft.named) extra.push(childPath);
        walk(child.set, ft.node, isMap(v) ? v[child.pe.name] : undefined, childPath);
      } else if (atom.kind === 'list') {
        const items = Array.isArray(v) ? v : [];
        const key = serializePathElement(child.pe);
        const item = items.find((x, i) => {
          const pe = listItemElement(atom.list, i, x);
          return typeof pe !== 'string' && serializePathElement(pe) === key;
        });
        walk(child.set, elementType(atom.list), item, childPath);
      }
    }
  };
  walk(set, schema, value, []);
  return set.union(FieldSet.fromPaths(extra));
}

// Path elements name one step into an object, exactly as structured-merge-diff names them: a
// field (`f:`), a list-map item by its key fields (`k:`), a set item by its value (`v:`) or an
// atomic list's index (`i:`). Their serialised form is the key used in FieldsV1, so it must be
// byte-for-byte what the real server prints.

/** PathElement is one step of a field path. */
export type PathElement =
  | { kind: 'field'; name: string }
  | { kind: 'key'; fields: Array<[string, unknown]> }
  | { kind: 'value'; value: unknown }
  | { kind: 'index'; index: number };

/** FieldPath is a list of path elements from the object root. */
export type FieldPath = PathElement[];

/** fieldElement names a map field or struct field. */
export function fieldElement(name: string): PathElement {
  return { kind: 'field', name };
}

/** keyElement names a list-map item; the key fields are sorted by name as the server sorts them. */
export function keyElement(fields: Array<[string, unknown]>): PathElement {
  return { kind: 'key', fields: [...fields].sort((a, b) => compareStrings(a[0], b[0])) };
}

/** compareStrings orders strings by their UTF-8 bytes, as Go's strings.Compare does. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function valueRank(v: unknown): number {
  if (typeof v === 'number') return Number.isInteger(v) ? 1 : 0;
  if (typeof v === 'string') return 2;
  if (typeof v === 'boolean') return 3;
  if (Array.isArray(v)) return 4;
  if (v !== null && typeof v === 'object') return 5;
  return 6;
}

/** compareValues is structured-merge-diff's total order of values: numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra <= 1 && rb <= 1) {
    const x = a as number;
    const y = b as number;
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 2:
      return compareStrings(a as string, b as string);
    case 3:
      return a === b ? 0 : a === false ? -1 : 1;
    case 4: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    case 5: {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const xs = Object.keys(x).sort(compareStrings);
      const ys = Object.keys(y).sort(compareStrings);
      for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
        const c = compareStrings(xs[i]!, ys[i]!) || compareValues(x[xs[i]!], y[ys[i]!]);
        if (c !== 0) return c;
      }
      return xs.length === ys.length ? 0 : xs.length < ys.length ? -1 : 1;
    }
    default:
      return 0;
  }
}

const kindRank = { field: 0, key: 1, value: 2, index: 3 } as const;

/** comparePathElements orders path elements: fields, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return kindRank[a.kind] < kindRank[b.kind] ? -1 : 1;
  switch (a.kind) {
    case 'field':
      return compareStrings(a.name, (b as typeof a).name);
    case 'key': {
      const x = a.fields;
      const y = (b as typeof a).fields;
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareStrings(x[i]![0], y[i]![0]) || compareValues(x[i]![1], y[i]![1]);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    case 'value':
      return compareValues(a.value, (b as typeof a).value);
    case 'index': {
      const y = (b as typeof a).index;
      return a.index === y ? 0 : a.index < y ? -1 : 1;
    }
  }
}

// Go's encoding/json (which jsoniter's standard-library mode copies) escapes <, > and & and the
// two JavaScript line terminators; JSON.stringify does not, so strings are escaped here.
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** goJson writes a value as Go's standard JSON encoder would: map keys sorted, HTML characters escaped. */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  const obj = v as Record<string, unknown>;
  return `{${Object.keys(obj).sort(compareStrings).map((k) => `${goJsonString(k)}:${goJson(obj[k])}`).join(',')}}`;
}

/** serializePathElement gives the FieldsV1 key of a path element, e.g. `k:{"containerPort":80,"protocol":"TCP"}`. */
export function serializePathElement(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `f:${pe.name}`;
    case 'key':
      return `k:{${pe.fields.map(([n, v]) => `${goJsonString(n)}:${goJson(v)}`).join(',')}}`;
    case 'value':
      return `v:${goJson(pe.value)}`;
    case 'index':
      return `i:${pe.index}`;
  }
}

/** parsePathElement reads a FieldsV1 key back; it returns undefined for an unknown prefix (ignored, as the server does). */
export function parsePathElement(key: string): PathElement | undefined {
  const body = key.slice(2);
  if (key[1] !== ':') throw new Error(`missing colon: ${key}`);
  switch (key[0]) {
    case 'f':
      return { kind: 'field', name: body };
    case 'k': {
      const obj = JSON.parse(body) as Record<string, unknown>;
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`key is not an object: ${key}`);
      return keyElement(Object.entries(obj));
    }
    case 'v':
      return { kind: 'value', value: JSON.parse(body) as unknown };
    case 'i': {
      const index = Number(body);
      if (!Number.isInteger(index)) throw new Error(`bad index: ${key}`);
      return { kind: 'index', index };
    }
    default:
      return undefined;
  }
}

// Go's %q: printable characters stay, others become escapes. Close enough to strconv.Quote for
// the names and keys objects carry.
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** valueToString prints a value as structured-merge-diff's value.ToString does (strings quoted Go-style). */
export function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${valueToString(x)}`).join('');
}

/** pathElementToString prints one element as in conflict messages: `.image`, `[name="web"]`, `[="x"]`, `[0]`. */
export function pathElementToString(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `.${pe.name}`;
    case 'key':
      return `[${pe.fields.map(([n, v]) => `${n}=${valueToString(v)}`).join(',')}]`;
    case 'value':
      return `[=${valueToString(pe.value)}]`;
    case 'index':
      return `[${pe.index}]`;
  }
}

/** formatFieldPath prints a path as the server prints it in conflicts, e.g. `.spec.template.spec.containers[name="web"].image`. */
export function formatFieldPath(path: FieldPath): string {
  return path.map(pathElementToString).join('');
}

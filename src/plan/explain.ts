import { FlotillaError, fail, formatRef, ok, parseRef, type ObjectRef, type Result } from '../core/index.js';
import type { JsonValue, KubeObject } from '../manifest/index.js';
import { isSecret, isSecretValuePath, maskedValue } from './mask.js';

/** ProvenanceSource is the step that set a field: a file, the kind of layer, the step in the file. */
export interface ProvenanceSource {
  file: string;
  layer: string;
  step?: string;
}

/**
 * ExplainedObject is a rendered object with its provenance: a JSON pointer → the step that last
 * set that field; a field without its own entry inherits its nearest ancestor's.
 */
export interface ExplainedObject {
  object: KubeObject;
  provenance: ReadonlyMap<string, ProvenanceSource>;
}

/** ExplainRow is one line of `flotilla explain`: a field, its value, and what set it. */
export interface ExplainRow {
  /** The field as people write it: `metadata.annotations["security.policy/level"]`. */
  path: string;
  pointer: string;
  /** `field` rows are leaves (their value is shown); `ancestor` rows are the maps and lists above a chosen field. */
  role: 'field' | 'ancestor';
  /** The value of a leaf; a Secret's data shows as `(secret value)`. Absent for ancestors. */
  value?: JsonValue;
  source?: ProvenanceSource;
  /** The pointer whose provenance entry applies: the field's own, or an ancestor's it inherits. */
  sourcePointer?: string;
}

/** ExplainOptions narrow an explanation. */
export interface ExplainOptions {
  /** A dotted path (`metadata.annotations.security.policy/level`, `spec.template.spec.containers[0].image`) or a JSON pointer. */
  field?: string;
}

/**
 * explainObject lists each leaf field of an object with its value and the file, layer and step
 * that set it. With `field`, only that field (or the leaves below it) and the provenance of each
 * of its ancestors that carries its own entry, so one sees e.g. that an overlay replaced the whole
 * `annotations` map and, inside it, which patch set the value.
 */
export function explainObject(explained: ExplainedObject, options: ExplainOptions = {}): Result<ExplainRow[]> {
  const { object, provenance } = explained;
  let segments: string[] = [];
  if (options.field !== undefined) {
    const resolved = resolveFieldPath(object as unknown as JsonValue, options.field);
    if (!resolved.ok) return resolved;
    segments = resolved.value;
  }
  const secret = isSecret(object);
  const rows: ExplainRow[] = [];
  for (let i = 0; i < segments.length; i++) {
    const pointer = pointerOf(segments.slice(0, i));
    const own = provenance.get(pointer);
    if (own) rows.push({ path: displayPath(segments.slice(0, i)), pointer, role: 'ancestor', source: own, sourcePointer: pointer });
  }
  const start = valueAt(object as unknown as JsonValue, segments)!;
  for (const leaf of leafPaths(start, segments)) {
    const pointer = pointerOf(leaf.segments);
    const found = sourceOf(provenance, pointer);
    rows.push({
      path: displayPath(leaf.segments),
      pointer,
      role: 'field',
      value: secret && isSecretValuePath(pointer) ? maskedValue : leaf.value,
      ...(found ? { source: found.source, sourcePointer: found.pointer } : {}),
    });
  }
  return ok(rows);
}

/**
 * resolveFieldPath turns what a user typed into the path segments of an existing field. A JSON
 * pointer is taken as written. A dotted path is matched against the object itself, because keys
 * may contain dots (`security.policy/level`): at each map the longest run of segments that is a
 * key wins. `[0]`, `.0` and `["key"]` index lists and quote keys.
 */
export function resolveFieldPath(object: JsonValue, text: string): Result<string[]> {
  const notFound = (why: string) => fail<string[]>(new FlotillaError('EXPLAIN_FIELD_NOT_FOUND', `field ${text}: ${why}`, { field: text, hint: 'Run explain without --field to list every field of the object.' }));
  if (text === '' || text === '/') return ok([]);
  if (text.startsWith('/')) {
    const segments = text.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    return valueAt(object, segments) === undefined ? notFound('the object has no such field') : ok(segments);
  }
  const tokens = tokenize(text);
  if (!tokens) return notFound('the path is not a dotted path or a JSON pointer');
  const segments: string[] = [];
  let value: JsonValue | undefined = object;
  let i = 0;
  while (i < tokens.length) {
    if (Array.isArray(value)) {
      const token = tokens[i]!;
      if (!/^\d+$/.test(token.text) || Number(token.text) >= value.length) return notFound(`${displayPath(segments) || 'the object'} is a list of ${value.length}; ${token.text} is not an index in it`);
      segments.push(token.text);
      value = value[Number(token.text)];
      i++;
      continue;
    }
    if (value === null || typeof value !== 'object') return notFound(`${displayPath(segments)} is a ${value === null ? 'null' : typeof value}, it has no fields`);
    const map: { [key: string]: JsonValue } = value;
    let matched = 0;
    // Quoted and bracketed tokens are whole keys; plain tokens may join with the ones after them.
    for (let n = tokens.length - i; n >= 1; n--) {
      const run = tokens.slice(i, i + n);
      if (n > 1 && run.some((t) => t.quoted)) continue;
      const key = run.map((t) => t.text).join('.');
      if (Object.hasOwn(map, key)) {
        matched = n;
        segments.push(key);
        value = map[key];
        break;
      }
    }
    if (matched === 0) return notFound(`${displayPath(segments) || 'the object'} has no field ${tokens[i]!.text}`);
    i += matched;
  }
  return ok(segments);
}

interface Token {
  text: string;
  quoted: boolean;
}

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  let current = '';
  let pending = false;
  const flush = () => {
    if (pending) tokens.push({ text: current, quoted: false });
    current = '';
    pending = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '.') {
      flush();
      i++;
    } else if (c === '[') {
      flush();
      const quote = text[i + 1];
      if (quote === '"' || quote === "'") {
        // A quoted key may itself hold `]` or dots: it ends at the closing quote and bracket.
        const end = text.indexOf(quote + ']', i + 2);
        if (end < 0) return undefined;
        tokens.push({ text: text.slice(i + 2, end), quoted: true });
        i = end + 2;
      } else {
        const close = text.indexOf(']', i);
        if (close < 0) return undefined;
        tokens.push({ text: text.slice(i + 1, close), quoted: true });
        i = close + 1;
      }
    } else {
      current += c;
      pending = true;
      i++;
    }
  }
  flush();
  return tokens.length > 0 ? tokens : undefined;
}

/** displayPath prints path segments the way people type them: dots, `[0]`, and `["a.b/c"]` for keys that need quoting. */
export function displayPath(segments: readonly string[]): string {
  let out = '';
  segments.forEach((segment) => {
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += (out ? '.' : '') + segment;
    else out += `[${JSON.stringify(segment)}]`;
  });
  return out;
}

/** pointerOf joins path segments into a JSON pointer. */
export function pointerOf(segments: readonly string[]): string {
  return segments.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function sourceOf(provenance: ReadonlyMap<string, ProvenanceSource>, pointer: string): { source: ProvenanceSource; pointer: string } | undefined {
  let p = pointer;
  for (;;) {
    const source = provenance.get(p);
    if (source) return { source, pointer: p };
    if (p === '') return undefined;
    p = p.slice(0, p.lastIndexOf('/'));
  }
}

function valueAt(value: JsonValue, segments: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const segment of segments) {
    if (Array.isArray(current)) current = /^\d+$/.test(segment) ? current[Number(segment)] : undefined;
    else if (current !== null && typeof current === 'object') current = Object.hasOwn(current, segment) ? current[segment] : undefined;
    else return undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

function leafPaths(value: JsonValue, prefix: string[]): { segments: string[]; value: JsonValue }[] {
  if (Array.isArray(value) && value.length > 0) return value.flatMap((item, i) => leafPaths(item, [...prefix, String(i)]));
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  }
  return [{ segments: prefix, value }];
}

/** TargetObjects is one release's rendered objects on the cluster being explained. */
export interface TargetObjects {
  release: string;
  objects: ExplainedObject[];
}

/** FoundObject is the object explain found, and the release that renders it. */
export interface FoundObject {
  release: string;
  explained: ExplainedObject;
}

/**
 * findRenderedObject finds `KIND/[NAMESPACE/]NAME` among the releases of one cluster. The kind
 * matches without regard to case; without a namespace a cluster-scoped object matches, or the only
 * namespaced one of that kind and name; a generated ConfigMap or Secret matches by the name it was
 * given before its hash suffix. Ambiguity is an error listing the candidates.
 */
export function findRenderedObject(targets: readonly TargetObjects[], refText: string, cluster: string): Result<FoundObject> {
  const ref = parseRef(refText);
  if (!ref) {
    return fail(new FlotillaError('USAGE', `${refText} is not an object reference; write KIND/NAME or KIND/NAMESPACE/NAME`, { cluster }));
  }
  const all = targets.flatMap((t) => t.objects.map((explained) => ({ release: t.release, explained })));
  const sameKind = all.filter((c) => c.explained.object.kind.toLowerCase() === ref.kind.toLowerCase());
  const inNamespace = (c: FoundObject) => (ref.namespace === undefined ? true : (c.explained.object.metadata.namespace ?? '') === ref.namespace);
  const exact = sameKind.filter((c) => c.explained.object.metadata.name === ref.name && inNamespace(c));
  const hashed = new RegExp(`^${escapeRegExp(ref.name)}-[a-z0-9]{10}$`);
  let candidates = exact.length > 0 ? exact : sameKind.filter((c) => hashed.test(c.explained.object.metadata.name) && inNamespace(c));
  if (ref.namespace === undefined && candidates.length > 1) {
    const clusterScoped = candidates.filter((c) => !c.explained.object.metadata.namespace);
    if (clusterScoped.length > 0) candidates = clusterScoped;
  }
  const names = (list: FoundObject[]) => list.map((c) => `${refOfObject(c.explained.object)} (release ${c.release})`).join(', ');
  if (candidates.length === 1) return ok(candidates[0]!);
  if (candidates.length > 1) {
    return fail(new FlotillaError('EXPLAIN_OBJECT_AMBIGUOUS', `${refText} matches ${candidates.length} objects on cluster ${cluster}: ${names(candidates)}`, { cluster, object: ref as ObjectRef }));
  }
  const near = sameKind.slice(0, 8);
  return fail(
    new FlotillaError('EXPLAIN_OBJECT_NOT_FOUND', `no release renders ${refText} for cluster ${cluster}${near.length > 0 ? `; objects of that kind there: ${names(near)}` : ''}`, {
      cluster,
      object: ref,
    }),
  );
}

function refOfObject(object: KubeObject): string {
  return formatRef({ kind: object.kind, namespace: object.metadata.namespace || undefined, name: object.metadata.name });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

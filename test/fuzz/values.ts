// Arbitraries shared by the fuzz properties: names and paths that are valid most of the time and
// hostile some of the time, structural mutations of parsed YAML (wrong types, random fields,
// deleted fields) and textual mutations of YAML text (broken syntax, anchors, tabs, line ends).
import fc from 'fast-check';
import { stringify } from 'yaml';

/** hostileStrings are values that have broken parsers and matchers before. */
export const hostileStrings = [
  '',
  ' ',
  '.',
  '..',
  '../..',
  '/',
  '/etc/passwd',
  '-',
  '~',
  '*',
  '[',
  ']',
  '{',
  '(a+)+$',
  '(a|a)*b',
  '\\',
  '"',
  "'",
  '#',
  ': ',
  '- x',
  '&a',
  '*a',
  '!!binary',
  '<<',
  'null',
  'true',
  'on',
  'yes',
  'NaN',
  '.inf',
  '0644',
  '1e400',
  '0x1F',
  '2024-03-01',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '{{cluster.name}}',
  '{{cluster.labels.nope}}',
  '{{',
  '}}',
  '${VAR}',
  '${UNDEFINED_VARIABLE}',
  '$${VAR}',
  '${VAR:=x}',
  '${VAR#*}',
  'é',
  '名前',
  'emoji-😀',
  '\u202e',
  '\ufeff',
  '\u2028',
  'a\tb',
  'a\nb',
  'a\r\nb',
  'x'.repeat(253),
  'x'.repeat(254),
  'a'.repeat(40) + '!',
];

/** dnsName is a Kubernetes name from a small pool, so that references between generated files meet. */
export const dnsName = fc.constantFrom('web', 'db', 'cfg', 'app', 'cache', 'web-canary', 'api', 'queue', 'front', 'back', 'auth', 'metrics');

/** anyString is text of any kind, short. */
export const anyString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom(...hostileStrings),
);

/** longString is a very long name: past Kubernetes' limits, or far past them. */
export const longString = fc.oneof(
  fc.integer({ min: 50, max: 400 }).map((n) => 'n'.repeat(n)),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => 'L'.repeat(n)),
);

/** nameLike is mostly a pool name, sometimes anything. */
export const nameLike = fc.oneof({ weight: 8, arbitrary: dnsName }, { weight: 2, arbitrary: anyString }, { weight: 1, arbitrary: longString });

/** labelKey is a label key, mostly valid. */
export const labelKey = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('app', 'env', 'tier', 'app.kubernetes.io/name', 'region', 'team') }, { weight: 1, arbitrary: anyString });

/** labelValue is a label value, mostly valid. */
export const labelValue = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('web', 'prod', 'dev', 'eu-west', 'a', '') }, { weight: 1, arbitrary: anyString });

/** labels is a small label map. */
export const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 3 });

/** scalar is any YAML scalar. */
export const scalar = fc.oneof(anyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));

/** jsonish is any small JSON value, including wrong shapes for every field. */
export const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: scalar },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(anyString, scalar, { maxKeys: 3 }) },
);

/** Mutation is one structural change to a parsed document. */
export interface Mutation {
  /** Which node (by index among all nodes, modulo their number). */
  at: number;
  op: 'replace' | 'delete' | 'add' | 'wrap';
  key: string;
  value: unknown;
}

/** mutation changes one node: replaces it, deletes it, adds a field next to it, or wraps it in a list. */
export const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('replace', 'delete', 'add', 'wrap'),
  key: fc.oneof(fc.constantFrom('name', 'kind', 'apiVersion', 'metadata', 'namespace', 'spec', 'path', 'items', 'resources', 'labels', '__proto__', 'constructor'), anyString),
  value: jsonish,
});

/** mutations are up to a few structural changes; often none. */
export const mutations = fc.oneof({ weight: 10, arbitrary: fc.constant([] as Mutation[]) }, { weight: 1, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) });

type Container = Record<string, unknown> | unknown[];

function nodes(value: unknown, out: { parent: Container; key: string | number }[], parent?: Container, key?: string | number): void {
  if (parent !== undefined && key !== undefined) out.push({ parent, key });
  if (Array.isArray(value)) value.forEach((v, i) => nodes(v, out, value, i));
  else if (value && typeof value === 'object') for (const k of Object.keys(value)) nodes((value as Record<string, unknown>)[k], out, value as Record<string, unknown>, k);
}

/** applyMutations returns a changed deep copy of a JSON-like value. */
export function applyMutations<T>(value: T, list: readonly Mutation[]): T {
  const root = { doc: structuredClone(value) as unknown };
  for (const m of list) {
    const found: { parent: Container; key: string | number }[] = [];
    nodes(root.doc, found, root as unknown as Container, 'doc');
    const { parent, key } = found[m.at % found.length]!;
    const current = (parent as Record<string | number, unknown>)[key];
    switch (m.op) {
      case 'replace':
        (parent as Record<string | number, unknown>)[key] = structuredClone(m.value);
        break;
      case 'delete':
        if (parent === (root as unknown)) root.doc = null;
        else if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete (parent as Record<string, unknown>)[key];
        break;
      case 'add':
        if (current && typeof current === 'object' && !Array.isArray(current)) {
          Object.defineProperty(current, m.key, { value: structuredClone(m.value), enumerable: true, configurable: true, writable: true });
        } else if (Array.isArray(current)) current.push(structuredClone(m.value));
        break;
      case 'wrap':
        (parent as Record<string | number, unknown>)[key] = [current];
        break;
    }
  }
  return root.doc as T;
}

/** TextMutation is one change to YAML text. */
export interface TextMutation {
  at: number;
  op: 'insert' | 'delete' | 'duplicate-line' | 'truncate' | 'indent';
  text: string;
  length: number;
}

const yamlBits = fc.constantFrom('---\n', '...\n', ':', ': ', '- ', '-', '\t', '  ', '\n', '&a ', '*a', '*b', '<<: *a\n', '!!str ', '!!binary ', '!custom ', '%YAML 1.1\n', '{', '}', '[', ']', '"', "'", '|', '>', '#', '? ', '\r', '\u0085', '\ufeff', '\u0000', '\u0001', '\u007f', '\ud800');

/** textMutation inserts YAML syntax or random text, deletes, duplicates a line, truncates or re-indents. */
export const textMutation: fc.Arbitrary<TextMutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('insert', 'delete', 'duplicate-line', 'truncate', 'indent'),
  text: fc.oneof(yamlBits, anyString),
  length: fc.integer({ min: 1, max: 20 }),
});

/** textMutations are a few text changes; usually none, so most inputs stay valid YAML. */
export const textMutations = fc.oneof({ weight: 10, arbitrary: fc.constant([] as TextMutation[]) }, { weight: 1, arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 3 }) });

/** applyTextMutations changes a text. */
export function applyTextMutations(text: string, list: readonly TextMutation[]): string {
  let out = text;
  for (const m of list) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    switch (m.op) {
      case 'insert':
        out = out.slice(0, at) + m.text + out.slice(at);
        break;
      case 'delete':
        out = out.slice(0, at) + out.slice(at + m.length);
        break;
      case 'duplicate-line': {
        const start = out.lastIndexOf('\n', at - 1) + 1;
        const end = out.indexOf('\n', at);
        const line = out.slice(start, end < 0 ? out.length : end + 1);
        out = out.slice(0, start) + line + line + out.slice(start + line.length);
        break;
      }
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'indent': {
        const start = out.lastIndexOf('\n', at - 1) + 1;
        out = out.slice(0, start) + ' '.repeat(m.length % 5) + out.slice(start);
        break;
      }
    }
  }
  return out;
}

/** Encoding is how a generated document is written to disk. */
export type Encoding = 'yaml' | 'json' | 'flow' | 'crlf' | 'bom';

/** encoding is mostly plain block YAML. */
export const encoding: fc.Arbitrary<Encoding> = fc.oneof({ weight: 6, arbitrary: fc.constant<Encoding>('yaml') }, { weight: 1, arbitrary: fc.constantFrom<Encoding>('json', 'flow', 'crlf', 'bom') });

/** toText writes documents as one YAML stream in the given style. */
export function toText(docs: readonly unknown[], style: Encoding): string {
  const parts = docs.map((d) => {
    if (style === 'json') return JSON.stringify(d, null, 1) + '\n';
    if (style === 'flow') return stringify(d, { collectionStyle: 'flow', lineWidth: 0 });
    return stringify(d, { lineWidth: 0, aliasDuplicateObjects: false });
  });
  let text = parts.join('---\n');
  if (style === 'crlf') text = text.replace(/\n/g, '\r\n');
  if (style === 'bom') text = '\ufeff' + text;
  return text;
}

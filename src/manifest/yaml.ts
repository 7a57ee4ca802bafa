import { parseAllDocuments, Document as YamlDocument, isMap, isSeq, isScalar, isAlias, visit, type Document, type Scalar, type ScalarTag } from 'yaml';
import { FlotillaError, fail, ok, type Result } from '../core/index.js';

/** maxYamlBytes is the largest YAML text Flotilla parses (kustomize and Kubernetes stay far below it). */
export const maxYamlBytes = 8 * 1024 * 1024;

/** maxYamlAliases bounds alias expansion so that an alias bomb ends in an error, not an exhausted heap. */
export const maxYamlAliases = 100;

/** maxYamlDepth bounds nesting so that a deeply nested document cannot overflow the stack. */
export const maxYamlDepth = 200;

/** ParsedDocument is one YAML document with where it came from. */
export interface ParsedDocument {
  value: unknown;
  /** 0-based index of the document in its file. */
  index: number;
  /** The parsed document with source positions (ranges), for provenance and messages. */
  doc: Document.Parsed;
}

/** ParseYamlOptions tune parseYamlStream. */
export interface ParseYamlOptions {
  /** The file name used in error messages. */
  file: string;
  /** @default maxYamlBytes */
  maxBytes?: number;
  /**
   * How plain scalars resolve. `core` is YAML 1.2's core schema. `kubernetes` is what kustomize
   * and kubectl read (go-yaml v3): the core schema, plus `0644` as an octal integer. `yaml-1.1`
   * is YAML 1.1 (`on`, `yes` are booleans), as go-yaml v2 reads kustomization files.
   * @default 'core'
   */
  schema?: 'core' | 'kubernetes' | 'yaml-1.1';
  /** Whether a map that repeats a key is an error (go-yaml v3 rejects it). @default false */
  uniqueKeys?: boolean;
}

// go-yaml v3 still reads YAML 1.1 octals (`0644`) as integers, unlike the 1.2 core schema. It is
// never used to print (identify is false), only to resolve plain scalars.
const goOctalInt: ScalarTag = {
  identify: () => false,
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^[-+]?0[0-7]+$/,
  resolve: (text: string) => (text.startsWith('-') ? -parseInt(text.slice(1), 8) : parseInt(text.replace(/^\+/, ''), 8)),
};

/**
 * parseYamlStream parses a multi-document YAML text safely: a size cap, an alias budget, a depth
 * limit, and errors that name the file, line and column. Empty documents are dropped, as kustomize
 * drops them.
 */
export function parseYamlStream(text: string, options: ParseYamlOptions): Result<ParsedDocument[]> {
  const { file } = options;
  const limit = options.maxBytes ?? maxYamlBytes;
  if (text.length > limit) {
    return fail(new FlotillaError('FILE_TOO_LARGE', `${file}: ${text.length} bytes is more than the ${limit}-byte limit for a YAML file`, { file }));
  }
  if (text.includes('\u0000')) {
    return fail(new FlotillaError('FILE_NOT_TEXT', `${file}: the file holds NUL bytes; it is binary, not YAML`, { file }));
  }
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, {
      prettyErrors: true,
      uniqueKeys: options.uniqueKeys ?? false,
      strict: false,
      ...(options.schema === 'yaml-1.1' ? { version: '1.1' as const } : { schema: 'core' }),
      merge: true,
      ...(options.schema === 'kubernetes' ? { customTags: (tags: unknown[]) => [goOctalInt, ...tags] as ScalarTag[] } : {}),
    }) as Document.Parsed[];
  } catch (error) {
    return fail(new FlotillaError('YAML_PARSE', `${file}: ${(error as Error).message}`, { file, cause: error }));
  }
  if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];
  const out: ParsedDocument[] = [];
  let index = 0;
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const where = error.linePos?.[0] ? ` (line ${error.linePos[0].line}, column ${error.linePos[0].col})` : '';
      const firstLine = error.message.split('\n')[0];
      return fail(new FlotillaError('YAML_PARSE', `${file}: invalid YAML${where}: ${firstLine}`, { file }));
    }
    const depthProblem = checkDepth(doc.contents, 0);
    if (depthProblem) {
      return fail(new FlotillaError('YAML_PARSE', `${file}: document ${index + 1} nests deeper than ${maxYamlDepth} levels`, { file }));
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: maxYamlAliases });
    } catch (error) {
      const message = (error as Error).message;
      if (/alias/i.test(message)) {
        return fail(new FlotillaError('YAML_ALIAS_LIMIT', `${file}: document ${index + 1} expands too many aliases (more than ${maxYamlAliases}); this looks like an alias bomb`, { file }));
      }
      return fail(new FlotillaError('YAML_PARSE', `${file}: ${message}`, { file, cause: error }));
    }
    if (value !== null && value !== undefined) out.push({ value, index, doc });
    index++;
  }
  return ok(out);
}

function checkDepth(node: unknown, depth: number): boolean {
  if (depth > maxYamlDepth) return true;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (checkDepth(pair.key, depth + 1) || checkDepth(pair.value, depth + 1)) return true;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) if (checkDepth(item, depth + 1)) return true;
  } else if (isScalar(node) || isAlias(node) || node == null) {
    return false;
  }
  return false;
}

/**
 * stringifyYamlStream prints objects the way kustomize prints them (go-yaml v2 through
 * sigs.k8s.io/yaml): map keys sorted, sequences not indented under their key, no line folding,
 * strings with line breaks as literal blocks, strings that YAML 1.1 would read as another type
 * (`"on"`, `"0644"`, `"2024-03-01"`) double-quoted, other strings plain when YAML allows it and
 * single-quoted otherwise; documents separated by `---`.
 */
export function stringifyYamlStream(values: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += '---\n';
    out += stringifyYamlDocument(values[i]);
  }
  return out;
}

const stringifyOptions = {
  version: '1.1',
  indentSeq: false,
  lineWidth: 0,
  minContentWidth: 0,
  singleQuote: true,
  blockQuote: 'literal',
} as const;

function stringifyYamlDocument(value: unknown): string {
  const doc = new YamlDocument(sortKeys(value), { version: '1.1', aliasDuplicateObjects: false, keepSourceTokens: false });
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value === 'string') node.type = goStringStyle(node.value);
    },
  });
  return doc.toString(stringifyOptions);
}

// Keys are sorted by their UTF-8 bytes, as Go sorts map keys when it encodes JSON.
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareUtf8)) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  // Only surrogate pairs against code points above U+E000 sort differently in UTF-16; stay simple otherwise.
  if (/[\ud800-\udfff\ue000-\uffff]/.test(a + b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : 1;
}

/** goStringStyle chooses the scalar style go-yaml v2 chooses for a string. */
function goStringStyle(s: string): Scalar.Type {
  if (s.includes('\n')) return 'BLOCK_LITERAL';
  if (resolvesAsNonString(s)) return 'QUOTE_DOUBLE';
  return 'PLAIN';
}

const yaml11Words = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF',
  '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '<<',
]);
const goInt = /^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*)$/;
const goFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const base60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const timestamp = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?$/;

/** resolvesAsNonString says whether a plain scalar with this text would be read as a bool, null, number or timestamp under YAML 1.1 (go-yaml v2's resolver). */
function resolvesAsNonString(s: string): boolean {
  if (yaml11Words.has(s)) return true;
  const c = s.charCodeAt(0);
  // Only strings starting with a digit, sign or dot can be numbers or timestamps.
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return false;
  return goInt.test(s) || goFloat.test(s.replace(/_/g, '')) || base60.test(s) || timestamp.test(s);
}

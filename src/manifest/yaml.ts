import { parseAllDocuments, isMap, isSeq, isScalar, isAlias, type Document, type ScalarTag } from 'yaml';
import { FlotillaError, fail, ok, type Result } from '../core/index.js';
import { printYamlDocument } from './yaml-print.js';

/** maxYamlBytes is the largest YAML text Flotilla parses (kustomize and Kubernetes stay far below it). */
export const maxYamlBytes = 8 * 1024 * 1024;

/** maxYamlAliases bounds alias expansion so that an alias bomb ends in an error, not an exhausted heap. */
export const maxYamlAliases = 100;

/** maxYamlDepth bounds nesting so that a deeply nested document cannot overflow the stack. */
export const maxYamlDepth = 200;

// The characters YAML's c-printable leaves out (besides NUL, reported as binary). The yaml package
// reads them into keys and values; go-yaml, which kustomize reads with, refuses the file
// ("control characters are not allowed"), and a key such as "\u0001kind" only confuses later.
const controlCharacter = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]/;

/**
 * yamlTextProblem is the FILE_NOT_TEXT error for a text that holds NUL bytes or control
 * characters YAML does not allow (go-yaml refuses them: "control characters are not allowed"),
 * naming the line and column; undefined for a text YAML may hold.
 */
export function yamlTextProblem(text: string, file: string): FlotillaError | undefined {
  if (text.includes('\u0000')) return new FlotillaError('FILE_NOT_TEXT', `${file}: the file holds NUL bytes; it is binary, not YAML`, { file });
  const control = controlCharacter.exec(text);
  if (!control) return undefined;
  const before = text.slice(0, control.index);
  const line = before.split('\n').length;
  const column = control.index - before.lastIndexOf('\n');
  const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return new FlotillaError('FILE_NOT_TEXT', `${file}: line ${line}, column ${column} holds the control character U+${code}, which YAML does not allow; the file is binary or damaged`, { file });
}

/** maxYamlScanDepth bounds nesting and indentation seen before parsing (see yamlNestingProblem). */
export const maxYamlScanDepth = 500;

/**
 * yamlNestingProblem is the YAML_PARSE error for a text that nests (flow brackets, block
 * indentation, compact `- - -` entries) past maxYamlScanDepth, found by one linear scan before
 * the text is parsed; undefined otherwise. The yaml package recurses once per level: about 800
 * levels exhaust the stack, and when V8 compiles a regular expression at that moment the process
 * dies ("RegExpCompiler Allocation failed") instead of throwing, so such a text must never reach
 * the parser. The scan over-estimates (every column of indentation counts as a level), never
 * under-estimates: block scalar contents, quoted scalars and comments are skipped as YAML skips them.
 */
export function yamlNestingProblem(text: string, file: string, limit = maxYamlScanDepth): FlotillaError | undefined {
  const deep = deepestPlace(text, limit);
  if (!deep) return undefined;
  return new FlotillaError('YAML_PARSE', `${file}: line ${deep.line}, column ${deep.column}: the document nests too deeply (nesting and indentation past ${limit} levels)`, {
    file,
    hint: 'Manifests nest a few dozen levels at most; this file is damaged or built to exhaust the parser.',
  });
}

const blockScalarHeader = /(?:^|: |- |\? )(?:[!&]\S*\s+)*[|>][-+0-9]*$/;

function deepestPlace(text: string, limit: number): { line: number; column: number } | undefined {
  const n = text.length;
  let line = 1;
  let i = 0;
  let flow = 0;
  let quote = '';
  let blockIndent = -1;
  while (i < n) {
    let col = 0;
    while (i < n && text[i] === ' ') {
      i++;
      col++;
    }
    let end = text.indexOf('\n', i);
    if (end < 0) end = n;
    if (blockIndent >= 0 && !quote) {
      // Lines of a block scalar (more indented than its header, or blank) are text, not nodes.
      if (col > blockIndent || text.slice(i, end).trim() === '') {
        i = end + 1;
        line++;
        continue;
      }
      blockIndent = -1;
    }
    const indent = col;
    const contentStart = i;
    let nodeStart = !quote;
    if (!quote) {
      // Compact block entries each open a level: "- - - x", "? - x".
      while (i < end && (text[i] === '-' || text[i] === '?' || text[i] === ':') && (i + 1 === end || text[i + 1] === ' ')) {
        i++;
        col++;
        while (i < end && text[i] === ' ') {
          i++;
          col++;
        }
      }
      if (i < end && col + flow > limit) return { line, column: col + 1 };
    }
    let commentAt = end;
    for (; i < end; i++, col++) {
      const c = text[i]!;
      if (quote === '"') {
        if (c === '\\') {
          i++;
          col++;
        } else if (c === '"') quote = '';
        continue;
      }
      if (quote === "'") {
        if (c === "'") {
          if (text[i + 1] === "'") {
            i++;
            col++;
          } else quote = '';
        }
        continue;
      }
      if (c === ' ' || c === '\t') continue;
      if (c === '#' && (i === contentStart || text[i - 1] === ' ' || text[i - 1] === '\t')) {
        commentAt = i;
        break;
      }
      if (nodeStart && (c === '"' || c === "'")) {
        quote = c;
        continue;
      }
      if (nodeStart && (c === '&' || c === '!')) {
        while (i + 1 < end && text[i + 1] !== ' ') {
          i++;
          col++;
        }
        continue;
      }
      if (c === '[' || c === '{') {
        flow++;
        if (flow + indent > limit) return { line, column: col + 1 };
        nodeStart = true;
      } else if (c === ']' || c === '}') {
        if (flow > 0) flow--;
        nodeStart = false;
      } else if (c === ',' && flow > 0) nodeStart = true;
      else if ((c === ':' || c === '-' || c === '?') && (i + 1 === end || text[i + 1] === ' ')) nodeStart = true;
      else nodeStart = false;
    }
    if (!quote && flow === 0 && blockScalarHeader.test(text.slice(contentStart, commentAt).trimEnd())) blockIndent = indent;
    i = end + 1;
    line++;
  }
  return undefined;
}

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
   * and kubectl read (go-yaml v3): the core schema, plus numbers as Go parses them (`0644` is
   * octal, `1_000` is 1000). `yaml-1.1`
   * is YAML 1.1 (`on`, `yes` are booleans), as go-yaml v2 reads kustomization files.
   * @default 'core'
   */
  schema?: 'core' | 'kubernetes' | 'yaml-1.1';
  /** Whether a map that repeats a key is an error (go-yaml v3 rejects it). @default false */
  uniqueKeys?: boolean;
}

// go-yaml v3, which kustomize reads manifests with, resolves plain numbers with Go's ParseInt
// (base 0) and ParseFloat after dropping underscores: `0644` is octal 420, `1_000` is 1000,
// `0b101` is 5, `018` is the float 18. It is never used to print (identify is false), only to
// resolve plain scalars that look like numbers; what Go would not parse stays a string.
const goNumber: ScalarTag = {
  identify: () => false,
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'GO',
  test: /^(?![-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$)[-+]?[0-9.][0-9a-zA-Z_.+-]*$/,
  resolve: (text: string) => goV3Number(text),
};

const goFloatSyntax = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function goV3Number(text: string): number | string {
  if (text.startsWith('.')) {
    const f = goFloatSyntax.test(text) ? Number(text) : NaN;
    return Number.isNaN(f) ? text : f;
  }
  const plain = text.replace(/_/g, '');
  const sign = plain.startsWith('-') ? -1 : 1;
  const body = plain.replace(/^[-+]/, '');
  let digits: RegExp | undefined;
  let radix = 10;
  let rest = body;
  if (/^0[xX]/.test(body)) [digits, radix, rest] = [/^[0-9a-fA-F]+$/, 16, body.slice(2)];
  else if (/^0[oO]/.test(body)) [digits, radix, rest] = [/^[0-7]+$/, 8, body.slice(2)];
  else if (/^0[bB]/.test(body)) [digits, radix, rest] = [/^[01]+$/, 2, body.slice(2)];
  else if (/^0[0-9]/.test(body)) [digits, radix, rest] = [/^[0-7]+$/, 8, body.slice(1)];
  else digits = /^[0-9]+$/;
  if (digits.test(rest)) return sign * parseInt(rest, radix);
  if (goFloatSyntax.test(plain)) return Number(plain);
  return text;
}

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
  const notText = yamlTextProblem(text, file) ?? yamlNestingProblem(text, file);
  if (notText) return fail(notText);
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, {
      prettyErrors: true,
      uniqueKeys: options.uniqueKeys ?? false,
      strict: false,
      ...(options.schema === 'yaml-1.1' ? { version: '1.1' as const } : { schema: 'core' }),
      merge: true,
      ...(options.schema === 'kubernetes' ? { customTags: (tags: unknown[]) => [goNumber, ...tags] as ScalarTag[] } : {}),
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
      let firstLine = error.message.split('\n')[0];
      if (/Maximum call stack size exceeded/.test(error.message)) firstLine = `the document nests too deeply (more than the parser can follow)`;
      return fail(new FlotillaError('YAML_PARSE', `${file}: invalid YAML${where}: ${firstLine}`, { file }));
    }
    const depthProblem = checkDepth(doc.contents, 0);
    if (depthProblem) {
      return fail(new FlotillaError('YAML_PARSE', `${file}: document ${index + 1} nests deeper than ${maxYamlDepth} levels`, { file }));
    }
    const cycle = yamlAliasCycle(doc.contents);
    if (cycle !== undefined) return fail(aliasCycleError(file, index, cycle));
    const badKey = yamlCollectionKey(doc.contents);
    if (badKey !== undefined) {
      const line = text.slice(0, badKey).split('\n').length;
      return fail(
        new FlotillaError('YAML_PARSE', `${file}: line ${line}: a map key is itself a map or a list; keys are strings`, {
          file,
          hint: 'Use a plain or quoted string as the key (kustomize refuses such keys: "invalid map key").',
        }),
      );
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: maxYamlAliases });
    } catch (error) {
      const message = (error as Error).message;
      // The yaml package's words for its alias budget; "Merge sources must be maps or map
      // aliases" (a `<<` key with a scalar) is a plain syntax error.
      if (/Excessive alias count/i.test(message)) {
        return fail(new FlotillaError('YAML_ALIAS_LIMIT', `${file}: document ${index + 1} expands too many aliases (more than ${maxYamlAliases}); this looks like an alias bomb`, { file }));
      }
      return fail(new FlotillaError('YAML_PARSE', `${file}: document ${index + 1}: ${message}`, { file, cause: error }));
    }
    if (value !== null && value !== undefined) out.push({ value, index, doc });
    index++;
  }
  return ok(out);
}

/**
 * yamlAliasCycle names the first alias that refers to a node holding it (`a: &a [*a]`), or is
 * undefined. Such a document has no finite value: converting it gives a structure that contains
 * itself, which every later walk follows forever (kubectl kustomize dies of a stack overflow).
 * An alias can only point back into a node still open around it, so one walk finds them all.
 */
export function yamlAliasCycle(root: unknown): string | undefined {
  const latest = new Map<string, unknown>();
  const open = new Set<unknown>();
  const walk = (node: unknown): string | undefined => {
    if (isAlias(node)) return open.has(latest.get(node.source)) ? node.source : undefined;
    if (!isMap(node) && !isSeq(node)) {
      if (isScalar(node) && node.anchor) latest.set(node.anchor, node);
      return undefined;
    }
    if (node.anchor) latest.set(node.anchor, node);
    open.add(node);
    try {
      if (isMap(node)) {
        for (const pair of node.items) {
          const found = walk(pair.key) ?? walk(pair.value);
          if (found !== undefined) return found;
        }
      } else {
        for (const item of node.items) {
          const found = walk(item);
          if (found !== undefined) return found;
        }
      }
      return undefined;
    } finally {
      open.delete(node);
    }
  };
  return walk(root);
}

/**
 * yamlCollectionKey is the text offset of the first map key that is a map or a list, or
 * undefined. JavaScript objects cannot hold such a key (the yaml package prints a warning and
 * turns it into a string), and kustomize and helm refuse it ("invalid map key").
 */
export function yamlCollectionKey(node: unknown): number | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isMap(pair.key) || isSeq(pair.key)) return (pair.key as { range?: [number, number, number] }).range?.[0] ?? 0;
      const found = yamlCollectionKey(pair.key) ?? yamlCollectionKey(pair.value);
      if (found !== undefined) return found;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const found = yamlCollectionKey(item);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function aliasCycleError(file: string, index: number, anchor: string): FlotillaError {
  return new FlotillaError('YAML_ALIAS_LIMIT', `${file}: document ${index + 1}: the alias *${anchor} refers to the node that holds it, so the document never ends`, {
    file,
    hint: 'Remove the alias, or point it at a node it is not part of.',
  });
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
 * sigs.k8s.io/yaml, see yaml-print.ts): map keys in go-yaml's order, sequences not indented under
 * their key, strings with line breaks as literal blocks, strings that YAML 1.1 would read as
 * another type (`"on"`, `"0644"`, `"2024-03-01"`) double-quoted, other strings plain when YAML
 * allows it and single-quoted otherwise, long lines folded at column 80 where go-yaml folds them;
 * documents separated by `---`.
 */
export function stringifyYamlStream(values: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += '---\n';
    out += printYamlDocument(values[i]);
  }
  return out;
}

import { parseAllDocuments, stringify, isMap, isSeq, isScalar, isAlias, type Document } from 'yaml';
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
  if (text.includes('\u0000')) {
    return fail(new FlotillaError('FILE_NOT_TEXT', `${file}: the file holds NUL bytes; it is binary, not YAML`, { file }));
  }
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: false, strict: false }) as Document.Parsed[];
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
 * stringifyYamlStream prints objects the way kustomize prints them: map keys sorted, sequences not
 * indented under their key, strings that YAML 1.1 would read as another type quoted, documents
 * separated by `---`.
 */
export function stringifyYamlStream(values: readonly unknown[]): string {
  return values
    .map((value) =>
      stringify(value, {
        version: '1.1',
        sortMapEntries: true,
        indentSeq: false,
        lineWidth: 0,
        minContentWidth: 0,
        aliasDuplicateObjects: false,
        blockQuote: 'literal',
      }),
    )
    .join('---\n');
}

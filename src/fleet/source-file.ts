import { isMap, isScalar, type Document, type Node } from 'yaml';
import { FlotillaError, type ErrorCode } from '../core/index.js';

/** SourceFile is one parsed YAML document of the fleet repository, kept to point messages at lines. */
export interface SourceFile {
  /** The file, relative to the fleet root. */
  file: string;
  text: string;
  doc: Document.Parsed;
}

/** FieldPath is a path into a document: map keys and sequence indexes. */
export type FieldPath = readonly (string | number)[];

const plainKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** formatFieldPath prints a path the way messages name fields: `spec.releases[0].targets.selector.matchLabels["app.kubernetes.io/name"]`. */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (plainKey.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * lineOf finds the line of a field: the key of the last segment when `atKey` (where an unknown
 * field is written), else its value; a path that does not exist points at its deepest ancestor.
 */
export function lineOf(source: SourceFile, path: FieldPath, atKey = false): number | undefined {
  let node: unknown = source.doc.contents;
  let offset: number | undefined = (node as Node | null)?.range?.[0];
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      const keyOffset = (pair.key as Node).range?.[0];
      if (atKey && i === path.length - 1) {
        offset = keyOffset;
        break;
      }
      node = pair.value;
      offset = (node as Node | null)?.range?.[0] ?? keyOffset;
    } else if (node && typeof node === 'object' && 'items' in node && typeof segment === 'number') {
      const item = (node as { items: unknown[] }).items[segment];
      if (item === undefined) break;
      node = item;
      offset = (node as Node | null)?.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  if (offset === undefined) return undefined;
  let line = 1;
  for (let i = 0; i < offset && i < source.text.length; i++) if (source.text.charCodeAt(i) === 10) line++;
  return line;
}

/** FieldIssueOptions add facts to an issue about one field. */
export interface FieldIssueOptions {
  hint?: string;
  cluster?: string;
  /** Point at the field's key rather than its value (unknown fields). */
  atKey?: boolean;
}

/**
 * fieldIssue makes the error for one field of a source file, with the message shaped
 * `file:line: field.path: what is wrong` so that editors and terminals can jump to it.
 */
export function fieldIssue(code: ErrorCode, source: SourceFile | { file: string }, path: FieldPath, message: string, options: FieldIssueOptions = {}): FlotillaError {
  const line = 'doc' in source ? lineOf(source, path, options.atKey) : undefined;
  const field = formatFieldPath(path);
  const where = `${source.file}${line ? `:${line}` : ''}${field ? `: ${field}` : ''}`;
  const forCluster = options.cluster ? ` (for cluster ${options.cluster})` : '';
  return new FlotillaError(code, `${where}: ${message}${forCluster}`, { file: source.file, field: field || undefined, cluster: options.cluster, hint: options.hint });
}

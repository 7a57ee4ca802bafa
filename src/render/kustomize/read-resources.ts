import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import { parseYamlStream, type KubeObject } from '../../manifest/index.js';

/** ParsedResource is one object read from a resource file, with its place in the file. */
export interface ParsedResource {
  object: KubeObject;
  /** The document index in the file; items of a List share their List's index. */
  document: number;
  /** The item index inside a List, when the object came from one. */
  item?: number;
}

/**
 * parseResources reads the objects of one resource file as kustomize does: documents in order,
 * empty documents skipped, and every `*List` kind with `items` flattened, its items queued after
 * the rest of the file (kustomize's inlineAnyEmbeddedLists appends them to the end).
 */
export function parseResources(text: string, file: string): Result<ParsedResource[]> {
  const parsed = parseYamlStream(text, { file, schema: 'kubernetes', uniqueKeys: true });
  if (!parsed.ok) return parsed;
  const queue: ParsedResource[] = [];
  for (const doc of parsed.value) {
    if (isEmpty(doc.value)) continue;
    if (typeof doc.value !== 'object' || Array.isArray(doc.value)) {
      return fail(new FlotillaError('YAML_NOT_OBJECT', `${file}: document ${doc.index + 1} is ${Array.isArray(doc.value) ? 'a list' : `the scalar ${JSON.stringify(doc.value)}`}, not a Kubernetes object`, { file }));
    }
    queue.push({ object: doc.value as KubeObject, document: doc.index });
  }
  const out: ParsedResource[] = [];
  while (queue.length > 0) {
    const next = queue.shift()!;
    const { object } = next;
    if (isEmpty(object)) continue;
    const kind = object.kind;
    if (typeof kind === 'string' && kind.endsWith('List') && 'items' in object) {
      const items = object.items;
      if (items === null || items === undefined) continue;
      if (!Array.isArray(items)) {
        return fail(new FlotillaError('YAML_NOT_OBJECT', `${file}: document ${next.document + 1}: ${kind}.items must be a list`, { file, field: 'items' }));
      }
      items.forEach((item, i) => {
        queue.push({ object: item as KubeObject, document: next.document, item: i });
      });
      continue;
    }
    const problem = objectProblem(object);
    if (problem) {
      const where = next.item === undefined ? `document ${next.document + 1}` : `document ${next.document + 1}, item ${next.item + 1}`;
      return fail(new FlotillaError('YAML_NOT_OBJECT', `${file}: ${where}: ${problem}`, { file }));
    }
    out.push(next);
  }
  return ok(out);
}

// kustomize skips empty documents and List items: null, {} and [] (a scalar is an error).
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

function objectProblem(object: unknown): string | undefined {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return 'not a map';
  const o = object as Record<string, unknown>;
  if (typeof o.kind !== 'string' || o.kind === '') return 'missing kind';
  if (o.apiVersion !== undefined && typeof o.apiVersion !== 'string') return 'apiVersion must be a string';
  const metadata = o.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return `${o.kind} has no metadata`;
  const name = (metadata as Record<string, unknown>).name;
  if (typeof name !== 'string' || name === '') return `${o.kind} has no metadata.name`;
  const ns = (metadata as Record<string, unknown>).namespace;
  if (ns !== undefined && ns !== null && typeof ns !== 'string') return `${o.kind}/${name}: metadata.namespace must be a string`;
  return undefined;
}

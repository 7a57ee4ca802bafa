import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import { parseYamlStream } from '../../manifest/index.js';
import { cloneJson } from '../kustomize/resource.js';
import { jsonEqual as sameJson } from './json-equal.js';

/** JsonPatchOp is one of the six RFC 6902 operation names. */
export type JsonPatchOp = 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';

/** JsonPatchOperation is one RFC 6902 operation. */
export interface JsonPatchOperation {
  op: JsonPatchOp;
  path: string;
  from?: string;
  value?: unknown;
}

/** JsonPatchWhere names the patch in errors: the file it came from and the kustomization field. */
export interface JsonPatchWhere {
  file?: string;
  field?: string;
}

const ops: readonly JsonPatchOp[] = ['add', 'remove', 'replace', 'move', 'copy', 'test'];

function prefix(where: JsonPatchWhere): string {
  const at = [where.file, where.field].filter(Boolean).join(': ');
  return at ? `${at}: ` : '';
}

function invalid(where: JsonPatchWhere, message: string, hint?: string): FlotillaError {
  return new FlotillaError('RENDER_PATCH_INVALID', `${prefix(where)}${message}`, { file: where.file, field: where.field, hint });
}

/**
 * parseJsonPatch reads a JSON 6902 patch written as JSON or YAML: a list of operations, each with
 * `op` and `path` (and `value` or `from` as the operation needs).
 */
export function parseJsonPatch(text: string, where: JsonPatchWhere = {}): Result<JsonPatchOperation[]> {
  const parsed = parseYamlStream(text, { file: where.file ?? 'patch' });
  if (!parsed.ok) return parsed;
  if (parsed.value.length !== 1 || !Array.isArray(parsed.value[0]!.value)) {
    return fail(invalid(where, 'a JSON 6902 patch must be one list of operations'));
  }
  return validateOperations(parsed.value[0]!.value as unknown[], where);
}

/** validateOperations checks already-parsed operations and returns them typed. */
export function validateOperations(list: readonly unknown[], where: JsonPatchWhere = {}): Result<JsonPatchOperation[]> {
  const out: JsonPatchOperation[] = [];
  for (const [i, raw] of list.entries()) {
    const at = `operation ${i}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return fail(invalid(where, `${at} is not a map with op and path`));
    const entry = raw as Record<string, unknown>;
    if (typeof entry.op !== 'string' || !ops.includes(entry.op as JsonPatchOp)) {
      return fail(invalid(where, `${at} has op ${JSON.stringify(entry.op)}; expected one of ${ops.join(', ')}`));
    }
    const op = entry.op as JsonPatchOp;
    if (typeof entry.path !== 'string') return fail(invalid(where, `${at} (${op}) has no path`));
    if ((op === 'move' || op === 'copy') && typeof entry.from !== 'string') return fail(invalid(where, `${at} (${op}) has no from`));
    if ((op === 'add' || op === 'replace' || op === 'test') && !Object.prototype.hasOwnProperty.call(entry, 'value')) {
      return fail(invalid(where, `${at} (${op} ${entry.path}) has no value`));
    }
    const operation: JsonPatchOperation = { op, path: entry.path };
    if (typeof entry.from === 'string') operation.from = entry.from;
    if (Object.prototype.hasOwnProperty.call(entry, 'value')) operation.value = entry.value;
    out.push(operation);
  }
  return ok(out);
}

/** parsePointer splits a JSON pointer into unescaped segments (`~1` is `/`, `~0` is `~`). */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return value !== null && typeof value === 'object';
}

class PatchFailure extends Error {}

// Index rules of evanphx/json-patch v5, which kustomize uses: decimal indices, negative ones
// counting from the end, `-` only where a value is added.
function arrayIndex(list: unknown[], segment: string, adding: boolean): number {
  if (!/^-?\d+$/.test(segment)) throw new PatchFailure(`"${segment}" is not an array index`);
  let index = Number(segment);
  const size = adding ? list.length + 1 : list.length;
  if (index >= size) throw new PatchFailure(`index ${index} is out of range (the list has ${list.length} elements)`);
  if (index < 0) {
    if (index < -size) throw new PatchFailure(`index ${index} is out of range (the list has ${list.length} elements)`);
    index += size;
  }
  return index;
}

function parentOf(doc: unknown, segments: readonly string[], pointer: string): Container {
  let node = doc;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(node)) {
      if (segment === '-') throw new PatchFailure(`${pointer}: "-" can only be the last segment`);
      node = node[arrayIndex(node, segment, false)];
    } else if (isContainer(node)) {
      if (!Object.prototype.hasOwnProperty.call(node, segment)) throw new PatchFailure(`the document has no ${pointer}`);
      node = (node as Record<string, unknown>)[segment];
    } else {
      throw new PatchFailure(`the document has no ${pointer}`);
    }
  }
  if (!isContainer(node)) throw new PatchFailure(`the document has no ${pointer}`);
  return node;
}

function getValue(doc: unknown, pointer: string): { found: boolean; value?: unknown } {
  const segments = parsePointer(pointer);
  if (segments === undefined) throw new PatchFailure(`"${pointer}" is not a JSON pointer (it must start with "/")`);
  let node = doc;
  for (const segment of segments) {
    if (Array.isArray(node)) {
      if (!/^-?\d+$/.test(segment)) return { found: false };
      let index = Number(segment);
      if (index < 0) index += node.length;
      if (index < 0 || index >= node.length) return { found: false };
      node = node[index];
    } else if (isContainer(node) && Object.prototype.hasOwnProperty.call(node, segment)) {
      node = (node as Record<string, unknown>)[segment];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: node };
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  const segments = parsePointer(pointer);
  if (segments === undefined) throw new PatchFailure(`"${pointer}" is not a JSON pointer (it must start with "/")`);
  if (segments.length === 0) throw new PatchFailure('the whole document cannot be replaced by add');
  const parent = parentOf(doc, segments, pointer);
  const last = segments[segments.length - 1]!;
  if (Array.isArray(parent)) {
    if (last === '-') parent.push(value);
    else parent.splice(arrayIndex(parent, last, true), 0, value);
  } else {
    parent[last] = value;
  }
  return doc;
}

function remove(doc: unknown, pointer: string): { doc: unknown; removed: unknown } {
  const segments = parsePointer(pointer);
  if (segments === undefined) throw new PatchFailure(`"${pointer}" is not a JSON pointer (it must start with "/")`);
  if (segments.length === 0) throw new PatchFailure('the whole document cannot be removed');
  const parent = parentOf(doc, segments, pointer);
  const last = segments[segments.length - 1]!;
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, last, false);
    const [removed] = parent.splice(index, 1);
    return { doc, removed };
  }
  if (!Object.prototype.hasOwnProperty.call(parent, last)) throw new PatchFailure(`there is nothing at ${pointer} to remove`);
  const removed = parent[last];
  delete parent[last];
  return { doc, removed };
}

function replace(doc: unknown, pointer: string, value: unknown): unknown {
  const segments = parsePointer(pointer);
  if (segments === undefined) throw new PatchFailure(`"${pointer}" is not a JSON pointer (it must start with "/")`);
  if (segments.length === 0) throw new PatchFailure('the whole document cannot be replaced');
  const parent = parentOf(doc, segments, pointer);
  const last = segments[segments.length - 1]!;
  if (Array.isArray(parent)) {
    parent[arrayIndex(parent, last, false)] = value;
  } else {
    // kustomize's json-patch library sets a missing key on replace, like add.
    parent[last] = value;
  }
  return doc;
}

// Numbers compare by value and maps regardless of key order, as JSON documents do.
function jsonEqual(a: unknown, b: unknown): boolean {
  return sameJson(a ?? null, b ?? null);
}

/**
 * applyJsonPatch applies RFC 6902 operations to a copy of `doc`, as kustomize (evanphx/json-patch)
 * does: `add` and `replace` create or overwrite a key but need the parent to exist; `remove` needs
 * its target; `-` appends; negative indices count from the end; a failing `test` stops the patch.
 * Errors name the operation's index and path.
 */
export function applyJsonPatch(doc: unknown, operations: readonly JsonPatchOperation[], where: JsonPatchWhere = {}): Result<unknown> {
  let current: unknown = cloneJson(doc);
  for (const [i, operation] of operations.entries()) {
    const { op, path } = operation;
    try {
      switch (op) {
        case 'add':
          current = add(current, path, cloneJson(operation.value));
          break;
        case 'remove':
          current = remove(current, path).doc;
          break;
        case 'replace':
          current = replace(current, path, cloneJson(operation.value));
          break;
        case 'move': {
          const from = operation.from!;
          if (!getValue(current, from).found) throw new PatchFailure(`there is nothing at ${from} to move`);
          const moved = remove(current, from);
          current = add(moved.doc, path, moved.removed);
          break;
        }
        case 'copy': {
          const from = operation.from!;
          const source = getValue(current, from);
          if (!source.found) throw new PatchFailure(`there is nothing at ${from} to copy`);
          current = add(current, path, cloneJson(source.value));
          break;
        }
        case 'test': {
          const found = getValue(current, path);
          // evanphx/json-patch lets `test` of a missing path against null pass.
          const holds = found.found ? jsonEqual(found.value, operation.value) : operation.value === null || operation.value === undefined;
          if (!holds) {
            throw new PatchFailure(`test failed: ${path} is ${found.found ? JSON.stringify(found.value) : 'missing'}, not ${JSON.stringify(operation.value)}`);
          }
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof PatchFailure)) throw error;
      return fail(
        invalid(
          where,
          `operation ${i} (${op} ${path}): ${error.message}`,
          op === 'test' ? 'The test operation guards the patch; check the value the resource has at that path.' : 'Check the path against the resource the patch targets; add creates only the last segment.',
        ),
      );
    }
  }
  return ok(current);
}

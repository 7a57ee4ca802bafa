import { FlotillaError, fail, formatRef, ok, type Result } from '../../../core/index.js';
import type { KubeObject } from '../../../manifest/index.js';
import type { FieldSpec } from '../kustomization.js';

/**
 * splitFieldPath splits a field-spec path (`spec/template/metadata/labels`) into its fields.
 * As in kustomize, `\/` escapes a slash inside a field name, so
 * `metadata/annotations/nginx.ingress.kubernetes.io\/auth-secret` names one annotation.
 */
export function splitFieldPath(path: string): string[] {
  let cached = splitCache.get(path);
  if (!cached) {
    cached = splitUncached(path);
    if (splitCache.size < 10_000) splitCache.set(path, cached);
  }
  return cached;
}

// Transformers walk the same few hundred paths over every resource; split each once.
const splitCache = new Map<string, string[]>();
const groupVersionCache = new Map<string, { group: string; version: string }>();

function splitUncached(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('/')) {
    const last = out.length - 1;
    if (last >= 0 && out[last]!.endsWith('\\')) out[last] = out[last]!.slice(0, -1) + '/' + part;
    else out.push(part);
  }
  return out;
}

/** groupVersionOf splits an apiVersion into its group (`''` for core) and version. */
export function groupVersionOf(given: string): { group: string; version: string } {
  // kustomize keeps objects without apiVersion (the API server refuses them later).
  const apiVersion = given ?? '';
  let cached = groupVersionCache.get(apiVersion);
  if (!cached) {
    const slash = apiVersion.indexOf('/');
    cached = slash >= 0 ? { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) } : { group: '', version: apiVersion };
    if (groupVersionCache.size < 10_000) groupVersionCache.set(apiVersion, cached);
  }
  return cached;
}

/**
 * gvkSelects is kustomize's Gvk.IsSelected: each of group, version and kind the selector sets
 * must equal the object's; an unset one matches anything.
 */
export function gvkSelects(selector: { group?: string; version?: string; kind?: string }, apiVersion: string, kind: string): boolean {
  if (selector.kind && selector.kind !== kind) return false;
  if (!selector.group && !selector.version) return true;
  const { group, version } = groupVersionOf(apiVersion);
  if (selector.group && selector.group !== group) return false;
  if (selector.version && selector.version !== version) return false;
  if (selector.kind && selector.kind !== kind) return false;
  return true;
}

/** FieldRef is one field a field spec reached: its path in the object, its value, and a way to replace it. */
export interface FieldRef {
  path: (string | number)[];
  value: unknown;
  set(value: unknown): void;
}

/**
 * CreateKind is what a field spec with `create: true` puts at the end of its path when the field
 * is missing: a map (labels, annotations) or a scalar (namespace, replicas). Intermediate fields are
 * always created as maps.
 */
export type CreateKind = 'map' | 'scalar';

/** FieldVisitor is called for every field a field spec reaches; an issue stops the walk. */
export type FieldVisitor = (ref: FieldRef) => FlotillaError | void;

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * visitFieldSpec applies `visit` at every field of `object` the field spec reaches, as kustomize's
 * fieldspec filter does. The spec's group/version/kind must select the object's current
 * apiVersion and kind (callers that match on an older identity pass `skipGvkCheck`). A list met
 * on the way is entered element by element with the rest of the path (`[]` after a field name
 * only says the field is a list, and stops it from being created). A missing field ends the walk
 * quietly, unless the spec says `create: true` and `createKind` is given: then the missing fields
 * are added, maps on the way and a `createKind` value at the end. A null field counts as missing
 * when creating. A scalar where the path needs a map or list is an error, as in kustomize.
 */
export function visitFieldSpec(
  object: KubeObject,
  spec: FieldSpec,
  visit: FieldVisitor,
  options: { createKind?: CreateKind; skipGvkCheck?: boolean } = {},
): Result<void> {
  if (!options.skipGvkCheck && !gvkSelects(spec, object.apiVersion, object.kind)) return done;
  const fields = splitFieldPath(spec.path);
  const create = spec.create === true && options.createKind !== undefined;
  const issue = walk(object as unknown as Record<string, unknown>, fields, 0, [], create, options.createKind, visit, object, spec);
  return issue ? fail(issue) : done;
}

// Transformers call visitFieldSpec for every resource and spec; most calls touch nothing.
const done: Result<void> = ok(undefined);

// `at` is one shared stack of the path walked so far; visitors get a copy.
function walk(
  node: unknown,
  fields: readonly string[],
  i: number,
  at: (string | number)[],
  create: boolean,
  createKind: CreateKind | undefined,
  visit: FieldVisitor,
  object: KubeObject,
  spec: FieldSpec,
): FlotillaError | undefined {
  if (Array.isArray(node)) {
    for (let j = 0; j < node.length; j++) {
      if (node[j] === null || node[j] === undefined) continue;
      at.push(j);
      const issue = walk(node[j], fields, i, at, create, createKind, visit, object, spec);
      at.pop();
      if (issue) return issue;
    }
    return undefined;
  }
  if (!isMap(node)) {
    return new FlotillaError(
      'RENDER_TRANSFORMER_INVALID',
      `${formatRef({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name })}: field spec path "${spec.path}" reaches ${JSON.stringify(at.join('.'))}, which is ${node === null ? 'null' : typeof node}, not a map or a list`,
      { object: { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name }, field: at.join('.') },
    );
  }
  const head = fields[i]!;
  const last = i === fields.length - 1;
  const isSeq = head.endsWith('[]');
  const name = isSeq ? head.slice(0, -2) : head;
  let value = node[name];
  if (value === undefined || value === null) {
    if (!create || isSeq) {
      if (value === null && last) return visit({ path: [...at, name], value, set: (v) => (node[name] = v) }) ?? undefined;
      return undefined;
    }
    value = !last || createKind === 'map' ? {} : '';
    node[name] = value;
  }
  if (last) return visit({ path: [...at, name], value, set: (v) => (node[name] = v) }) ?? undefined;
  at.push(name);
  const issue = walk(value, fields, i + 1, at, create, createKind, visit, object, spec);
  at.pop();
  return issue;
}

/**
 * mergeFieldSpec adds one field spec to a list unless an equal one (same group, version, kind and
 * path) is there already; as in kustomize, two specs that differ only in `create` conflict.
 */
export function mergeFieldSpec(list: FieldSpec[], spec: FieldSpec): Result<FieldSpec[]> {
  const existing = list.find((s) => sameGvk(s, spec) && s.path === spec.path);
  if (!existing) return ok([...list, spec]);
  if ((existing.create === true) !== (spec.create === true)) {
    return fail(
      new FlotillaError(
        'RENDER_TRANSFORMER_INVALID',
        `conflicting field specs for path "${spec.path}"${spec.kind ? ` of kind ${spec.kind}` : ''}: one says create: true, the other does not`,
        { hint: 'Remove the duplicate field spec from the configurations file, or give both the same create setting.' },
      ),
    );
  }
  return ok(list);
}

/** mergeFieldSpecs merges every spec of `more` into `list` (kustomize's FsSlice.MergeAll). */
export function mergeFieldSpecs(list: readonly FieldSpec[], more: readonly FieldSpec[]): Result<FieldSpec[]> {
  let out = [...list];
  for (const spec of more) {
    const merged = mergeFieldSpec(out, spec);
    if (!merged.ok) return merged;
    out = merged.value;
  }
  return ok(out);
}

/** sameGvk compares the group, version and kind of two selectors, unset meaning empty. */
export function sameGvk(a: { group?: string; version?: string; kind?: string }, b: { group?: string; version?: string; kind?: string }): boolean {
  return (a.group ?? '') === (b.group ?? '') && (a.version ?? '') === (b.version ?? '') && (a.kind ?? '') === (b.kind ?? '');
}

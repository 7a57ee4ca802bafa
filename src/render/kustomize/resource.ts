import { formatRef } from '../../core/index.js';
import type { KubeObject } from '../../manifest/index.js';
import { isNamespacedKind } from '../../manifest/kinds.js';
import type { Provenance, ProvenanceEntry } from '../types.js';

/**
 * ResourceId is the identity kustomize gives a resource: group, version, kind, namespace, name.
 * Two resources with the same id in one build are an error.
 */
export interface ResourceId {
  group: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** PreviousId is an earlier identity of a resource, before a prefix, suffix, namespace or hash changed it. */
export interface PreviousId {
  kind: string;
  namespace?: string;
  name: string;
}

/** GeneratorInfo marks a resource made by configMapGenerator or secretGenerator. */
export interface GeneratorInfo {
  kind: 'ConfigMap' | 'Secret';
  behavior: 'create' | 'merge' | 'replace';
  /** Whether the content-hash suffix is (still) to be added to the name. */
  hash: boolean;
  /** The kustomization file and entry that generated it, e.g. `overlays/prod/kustomization.yaml` `configMapGenerator[0]`. */
  file: string;
  step: string;
}

/**
 * Resource is one object while a build runs: its current content, where each field came from,
 * and the names it had before (kustomize's previousNames), which patches and name references
 * use to find it.
 */
export interface Resource {
  object: KubeObject;
  provenance: Provenance;
  /** Earlier identities, oldest first. The current one is in `object`. */
  history: PreviousId[];
  generator?: GeneratorInfo;
  /** The file the resource was read from or the kustomization that generated it, for messages. */
  origin?: string;
}

/** newResource wraps an object read from `origin`, with provenance for the whole object. */
export function newResource(object: KubeObject, origin: string, entry: ProvenanceEntry): Resource {
  return { object, provenance: new Map([['', entry]]), history: [], origin };
}

/**
 * cloneResource deep-copies a resource, so a cached build result can be handed to several
 * parents that each change it. Provenance entries are shared: they are never changed in place.
 */
export function cloneResource(r: Resource): Resource {
  const out: Resource = { ...r, object: cloneJson(r.object), provenance: new Map(r.provenance), history: r.history.map((h) => ({ ...h })) };
  if (r.generator) out.generator = { ...r.generator };
  return out;
}

/** cloneJson deep-copies plain JSON data (much faster than structuredClone for manifests). */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = cloneJson((value as Record<string, unknown>)[key]);
  return out as T;
}

/** resourceId reads the identity of an object. */
export function resourceId(object: KubeObject): ResourceId {
  const apiVersion = object.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const [group, version] = slash >= 0 ? [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)] : ['', apiVersion];
  return { group, version, kind: object.kind, namespace: object.metadata.namespace || undefined, name: object.metadata.name };
}

/** escapePointer escapes one JSON pointer segment (`~` as `~0`, `/` as `~1`). */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** pointerOf joins path segments into a JSON pointer such as `/metadata/labels/app`. */
export function pointerOf(path: readonly (string | number)[]): string {
  return path.map((s) => '/' + escapePointer(String(s))).join('');
}

/**
 * recordProvenance notes that `entry` set the field at `path` (and everything below it).
 * Entries below the path are dropped: the new value replaced them.
 */
export function recordProvenance(resource: Resource, path: readonly (string | number)[], entry: ProvenanceEntry): void {
  const pointer = pointerOf(path);
  const prefix = pointer + '/';
  for (const key of resource.provenance.keys()) {
    if (key.startsWith(prefix)) resource.provenance.delete(key);
  }
  resource.provenance.set(pointer, entry);
}

/** provenanceOf finds the entry that set the field at `pointer`: its own, or its nearest ancestor's. */
export function provenanceOf(provenance: Provenance, pointer: string): ProvenanceEntry | undefined {
  let p = pointer;
  for (;;) {
    const entry = provenance.get(p);
    if (entry) return entry;
    if (p === '') return undefined;
    p = p.slice(0, p.lastIndexOf('/'));
  }
}

/**
 * idKey is a string that is equal for two resources exactly when kustomize considers their ids
 * equal: same group, version, kind and name, and the same effective namespace ("" means
 * "default"; cluster-scoped kinds have none, whatever metadata.namespace says).
 */
export function idKey(id: ResourceId): string {
  const ns = !isNamespacedKind(id.group ? `${id.group}/${id.version}` : id.version, id.kind) ? '_non_namespaceable_' : id.namespace || 'default';
  return `${id.group}|${id.version}|${id.kind}|${ns}|${id.name}`;
}

/** formatId names a resource id as messages do: `Kind/namespace/name` with its apiVersion. */
export function formatId(id: ResourceId): string {
  const apiVersion = id.group ? `${id.group}/${id.version}` : id.version;
  return `${formatRef({ kind: id.kind, namespace: id.namespace, name: id.name })}${apiVersion ? ` (${apiVersion})` : ''}`;
}

import type { KubeObject } from '../../manifest/index.js';
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
}

/** resourceId reads the identity of an object. */
export function resourceId(object: KubeObject): ResourceId {
  const [group, version] = object.apiVersion.includes('/') ? (object.apiVersion.split('/', 2) as [string, string]) : ['', object.apiVersion];
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

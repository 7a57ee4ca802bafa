// Resource identities as kustomize's transformers compare them: current and previous ids,
// effective namespaces, and the prefixes and suffixes a resource has been given.
import type { ObjectRef } from '../../../core/index.js';
import { isNamespacedKind } from '../../../manifest/kinds.js';
import type { KubeObject } from '../../../manifest/index.js';
import type { PreviousId, Resource } from '../resource.js';
import type { ProvenanceEntry } from '../../types.js';
import { groupVersionOf } from './field-spec.js';

/** ResId is an identity with its group and version, as kustomize's resid.ResId. */
export interface ResId {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** nonNamespaceable is kustomize's effective namespace of cluster-scoped objects. */
export const nonNamespaceable = '_non_namespaceable_';

/**
 * effectiveNamespace is kustomize's EffectiveNamespace: `_non_namespaceable_` for the kinds
 * kustomize knows as cluster-scoped, `default` for a namespaced id without a namespace.
 */
export function effectiveNamespace(apiVersion: string, kind: string, namespace: string | undefined): string {
  if (!isNamespacedKind(apiVersion, kind)) return nonNamespaceable;
  return namespace ? namespace : 'default';
}

/** currentId is the resource's identity now. */
export function currentId(object: KubeObject): ResId {
  const { group, version } = groupVersionOf(object.apiVersion);
  return { group, version, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace || undefined };
}

/** previousIds are the resource's earlier identities, oldest first, with its current group and version (as kustomize stores them). */
export function previousIds(resource: Resource): ResId[] {
  const { group, version } = groupVersionOf(resource.object.apiVersion);
  return resource.history.map((h) => ({ group, version, kind: h.kind, name: h.name, namespace: h.namespace || undefined }));
}

/** originalId is kustomize's OrgId: the oldest previous id, or the current one. */
export function originalId(resource: Resource): ResId {
  return previousIds(resource)[0] ?? currentId(resource.object);
}

/** allIds are the current id followed by every previous one. */
export function allIds(resource: Resource): ResId[] {
  return [currentId(resource.object), ...previousIds(resource)];
}

/** idNamespace is an id's effective namespace. */
export function idNamespace(id: ResId): string {
  return effectiveNamespace(id.group ? `${id.group}/${id.version}` : id.version, id.kind, id.namespace);
}

/** AffixedPreviousId is a history entry left by the prefix or suffix step, which remembers the affix it added. */
export interface AffixedPreviousId extends PreviousId {
  prefix?: string;
  suffix?: string;
}

/**
 * storePreviousId pushes the current identity onto the resource's history before a transformer
 * changes it (kustomize's StorePreviousId). The prefix and suffix steps pass the affix they are
 * about to add: name references compare the affixes resources were given (kustomize's build
 * annotations), and keeping them in the history carries them wherever the resource goes.
 */
export function storePreviousId(resource: Resource, affix?: { prefix?: string; suffix?: string }): void {
  const { kind, metadata } = resource.object;
  const entry: AffixedPreviousId = { kind, name: metadata.name, ...(metadata.namespace ? { namespace: metadata.namespace } : {}), ...affix };
  resource.history.push(entry);
}

/** namePrefixes are the prefixes the resource was given, innermost first. */
export function namePrefixes(resource: Resource): string[] {
  return (resource.history as AffixedPreviousId[]).flatMap((h) => (h.prefix ? [h.prefix] : []));
}

/** nameSuffixes are the suffixes the resource was given, innermost first. */
export function nameSuffixes(resource: Resource): string[] {
  return (resource.history as AffixedPreviousId[]).flatMap((h) => (h.suffix ? [h.suffix] : []));
}

/** refOf names an object for messages. */
export function refOf(object: KubeObject): ObjectRef {
  return { kind: object.kind, namespace: object.metadata.namespace || undefined, name: object.metadata.name };
}

/** transformerEntry is the provenance entry of a transformer step of the kustomization in `file`. */
export function transformerEntry(file: string, step: string): ProvenanceEntry {
  return { file, layer: 'transformer', step };
}

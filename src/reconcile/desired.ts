import { createHash } from 'node:crypto';
import { customResourceScopes, kubernetesScope, normalizeForApply, type KubeObject, type NormalizedField } from '../manifest/index.js';
import { releaseLabel } from '../plan/index.js';

/** DesiredObjects is a target's desired state as Flotilla applies it. */
export interface DesiredObjects {
  /** Rendered objects, normalised, labelled for the release, namespaced kinds in a namespace. */
  objects: KubeObject[];
  /** The defaults normalizeForApply filled in, per object index. */
  filled: { index: number; fields: NormalizedField[] }[];
  /** sha256 of the objects' canonical JSON: equal content, equal hash, whatever the order of keys. */
  contentHash: string;
}

/**
 * prepareDesired turns rendered objects into what is applied: native defaults filled in that older
 * API servers need (normalizeForApply), the label `flotilla.dev/release=<release>` on every object,
 * and namespace `default` on objects of namespaced kinds that have none (as kubectl applies them), so
 * the inventory, the prune and the drift comparison name the objects exactly as the cluster does.
 * Custom kinds no CRD in the set declares keep what the manifest says; the applier places them.
 */
export function prepareDesired(rendered: readonly KubeObject[], release: string): DesiredObjects {
  const scopes = customResourceScopes(rendered);
  const filled: DesiredObjects['filled'] = [];
  const objects = rendered.map((input, index) => {
    const { object, filled: fields } = normalizeForApply(input);
    if (fields.length) filled.push({ index, fields });
    object.metadata = { ...object.metadata, labels: { ...(object.metadata.labels ?? {}), [releaseLabel]: release } };
    if (!object.metadata.namespace && kubernetesScope(object.apiVersion, object.kind, scopes) === 'Namespaced') object.metadata.namespace = 'default';
    return object;
  });
  return { objects, filled, contentHash: contentHash(objects) };
}

/** contentHash is `sha256:<hex>` of the objects' canonical JSON (keys sorted), in their order. */
export function contentHash(objects: readonly KubeObject[]): string {
  const hash = createHash('sha256');
  for (const object of objects) hash.update(canonicalJson(object)).update('\n');
  return `sha256:${hash.digest('hex')}`;
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

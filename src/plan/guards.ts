// Guards (SPEC §5): checks that must pass before a target is applied. They read the rendered
// objects of one target and the cluster record, and answer with verdicts, never by throwing.
// The inputs are described structurally (fleet/ is a sibling area): a fleet's guards and a
// fleet RenderedTarget fit these shapes as they are.
import { formatRef } from '../core/index.js';
import { formatSelector, selectorMatches, type KubeObject, type LabelSelector } from '../manifest/index.js';
import type { GuardVerdict } from './types.js';

/** GuardRule is one guard of the fleet file: the built-in identity guard or a denyObjects guard. */
export interface GuardRule {
  name: string;
  builtin?: 'identity';
  /** The clusters a denyObjects guard applies to; absent means every cluster. */
  clusters?: LabelSelector;
  denyObjects?: LabelSelector;
}

/** GuardCluster is what guards know about the target cluster: its record. */
export interface GuardCluster {
  name: string;
  labels: Readonly<Record<string, string>>;
  identity: Readonly<Record<string, string>>;
  fingerprint?: string;
}

/** GuardInput is one rendered target: its cluster and its objects. */
export interface GuardInput {
  target: { cluster: GuardCluster };
  objects: readonly { object: KubeObject }[];
}

/** identityLabel is the label whose value, when present on a rendered object, must be the target cluster's name. */
export const identityLabel = 'cluster';

/** identityConfigMapName is the ConfigMap whose data must agree with the cluster record's identity. */
export const identityConfigMapName = 'cluster-identity';

// A configMapGenerator appends "-" and a 10-character hash, written in kustomize's alphabet
// (hex with 0 1 3 a e replaced by g h k m t, so no vowels or look-alikes).
const generatedIdentityName = /^cluster-identity-[2456789bcdfghkmt]{10}$/;

/** isIdentityConfigMap tells whether an object is the cluster-identity ConfigMap, with or without a generator hash suffix. */
export function isIdentityConfigMap(object: KubeObject): boolean {
  return object.kind === 'ConfigMap' && (object.metadata.name === identityConfigMapName || generatedIdentityName.test(object.metadata.name));
}

function refOf(object: KubeObject): string {
  return formatRef({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name });
}

/**
 * evaluateGuards runs every guard against one rendered target and returns one verdict per
 * offending object and reason; an empty list means the target may be applied. The identity
 * guard runs even when the list does not name it.
 */
export function evaluateGuards(fleet: { guards: readonly GuardRule[] }, rendered: GuardInput): GuardVerdict[] {
  const verdicts: GuardVerdict[] = [];
  const cluster = rendered.target.cluster;
  const identity = fleet.guards.find((g) => g.builtin === 'identity');
  verdicts.push(...identityVerdicts(identity?.name ?? 'identity', cluster, rendered.objects));
  for (const guard of fleet.guards) {
    if (guard.builtin || !guard.denyObjects) continue;
    if (guard.clusters && !selectorMatches(guard.clusters, cluster.labels)) continue;
    for (const { object } of rendered.objects) {
      if (selectorMatches(guard.denyObjects, object.metadata.labels)) {
        const scope = guard.clusters ? `clusters matching ${formatSelector(guard.clusters)}` : 'every cluster';
        verdicts.push({
          guard: guard.name,
          object: refOf(object),
          message: `${refOf(object)} has labels matching ${formatSelector(guard.denyObjects)}, which guard ${guard.name} denies on ${scope} (cluster ${cluster.name})`,
        });
      }
    }
  }
  return verdicts;
}

function identityVerdicts(guard: string, cluster: GuardCluster, objects: GuardInput['objects']): GuardVerdict[] {
  const verdicts: GuardVerdict[] = [];
  for (const { object } of objects) {
    const ref = refOf(object);
    const label = object.metadata.labels?.[identityLabel];
    if (label !== undefined && label !== cluster.name) {
      verdicts.push({ guard, object: ref, message: `${ref} carries the label ${identityLabel}=${label}, but the target cluster is ${cluster.name}` });
    }
    if (!isIdentityConfigMap(object)) continue;
    const data = (object.data ?? {}) as Record<string, unknown>;
    const expected: Record<string, string> = { ...cluster.identity, CLUSTER_NAME: cluster.name };
    for (const [key, want] of Object.entries(expected)) {
      if (!Object.prototype.hasOwnProperty.call(data, key)) continue;
      const got = String(data[key]);
      if (got !== want) {
        const source = key === 'CLUSTER_NAME' ? `the target cluster is ${cluster.name}` : `the identity of cluster ${cluster.name} says ${key}=${want}`;
        verdicts.push({ guard, object: ref, message: `${ref} says ${key}=${got}, but ${source}` });
      }
    }
  }
  return verdicts;
}

/**
 * checkFingerprint compares the live kube-system namespace UID with the cluster record's
 * fingerprint, before anything is written to the cluster. A record without a fingerprint
 * passes; a mismatch means the credentials reach another cluster than the record describes.
 */
export function checkFingerprint(cluster: Pick<GuardCluster, 'name' | 'fingerprint'>, liveUid: string, guard = 'identity'): GuardVerdict | undefined {
  if (!cluster.fingerprint || cluster.fingerprint === liveUid) return undefined;
  return {
    guard,
    object: 'Namespace/kube-system',
    message: `the live kube-system namespace has uid ${liveUid}, but the record of cluster ${cluster.name} has fingerprint ${cluster.fingerprint}: the connection reaches another cluster; nothing is written`,
  };
}

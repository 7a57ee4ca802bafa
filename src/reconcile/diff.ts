import { FlotillaError, formatRef, type Issue, type Result } from '../core/index.js';
import type { RenderedTarget, Target } from '../fleet/index.js';
import type { KubeObject } from '../manifest/index.js';
import { detectDrift, inventoryKey, inventoryRefOf, pruneAnnotation, releaseLabel, type DriftField } from '../plan/index.js';
import { prepareDesired } from './desired.js';
import type { ClusterPort } from './ports.js';
import { liveRefOf } from './sync-target.js';

// Drift of one target, live against desired (`flotilla diff`, the status' Drifted state and the
// API). Only reads: every desired object is read and compared with detectDrift and the release's
// ignore rules; the previous inventory names the objects a sync would prune.

/** ObjectDriftState is how one object stands: drifted fields, missing from the cluster, or to be pruned. */
export type ObjectDriftState = 'drifted' | 'missing' | 'extra';

/** ObjectDrift is one object that is not as desired. */
export interface ObjectDrift {
  /** `Kind/namespace/name`. */
  object: string;
  apiVersion: string;
  state: ObjectDriftState;
  /** The drifted fields (Secret values masked); empty for missing and extra objects. */
  fields: DriftField[];
}

/** TargetDiffState sums up a target's diff. */
export type TargetDiffState = 'in-sync' | 'drifted' | 'failed' | 'unreachable';

/** TargetDiff is the drift of one target. */
export interface TargetDiff {
  cluster: string;
  release: string;
  key: string;
  state: TargetDiffState;
  objects: ObjectDrift[];
  /** How many desired objects were compared. */
  compared: number;
  errors: Issue[];
}

/**
 * diffTarget compares a target's desired objects (as a sync applies them) with the live ones and
 * lists what differs, what is missing and what a sync would prune. A failed render or an
 * unreachable cluster is reported in the result, never thrown.
 */
export async function diffTarget(cluster: ClusterPort, target: Target, render: Result<RenderedTarget>): Promise<TargetDiff> {
  const base = { cluster: target.cluster.name, release: target.release.name, key: target.key };
  if (!render.ok) return { ...base, state: 'failed', objects: [], compared: 0, errors: render.issues };
  const desired = prepareDesired(
    render.value.objects.map((o) => o.object),
    target.release.name,
  ).objects;
  const objects: ObjectDrift[] = [];
  try {
    for (const object of desired) {
      const live = await cluster.get(liveRefOf(object));
      const drift = detectDrift(object, live, { ignore: target.release.ignore });
      if (!drift.drifted) continue;
      objects.push({ object: formatRef(liveRefOf(object)), apiVersion: object.apiVersion, state: drift.missing ? 'missing' : 'drifted', fields: drift.fields });
    }
    const previous = await cluster.readInventory(target.release.name);
    const errors: Issue[] = previous.ok ? [] : previous.issues;
    if (previous.ok && previous.value && target.release.prune !== false) {
      const keys = new Set(desired.map((o) => inventoryKey(inventoryRefOf(o))));
      for (const ref of previous.value.objects) {
        if (keys.has(inventoryKey(ref))) continue;
        const live = await cluster.get({ apiVersion: ref.apiVersion, kind: ref.kind, ...(ref.namespace ? { namespace: ref.namespace } : {}), name: ref.name });
        if (!live || !isPrunable(live, target.release.name)) continue;
        objects.push({ object: formatRef(ref), apiVersion: ref.apiVersion, state: 'extra', fields: [] });
      }
    }
    const state: TargetDiffState = errors.length ? 'failed' : objects.length ? 'drifted' : 'in-sync';
    return { ...base, state, objects, compared: desired.length, errors };
  } catch (error) {
    const failure = error instanceof FlotillaError ? error : new FlotillaError('INTERNAL', (error as Error).message, { cluster: base.cluster, cause: error });
    return { ...base, state: failure.code === 'KUBE_UNREACHABLE' ? 'unreachable' : 'failed', objects, compared: desired.length, errors: [failure] };
  }
}

function isPrunable(live: KubeObject, release: string): boolean {
  return live.metadata.labels?.[releaseLabel] === release && live.metadata.annotations?.[pruneAnnotation] !== 'disabled';
}

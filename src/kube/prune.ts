import { FlotillaError, formatRef, type ChangeSetEntry } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';
import { inventoryKey, inventoryRefOf, planPrune, type InventoryRef, type PruneInput, type PrunePlan } from '../plan/index.js';
import type { KubeCluster } from './cluster.js';
import { isUnreachable } from './errors.js';

// Prune: planPrune (src/plan/inventory.ts) decides from the previous inventory, the desired set and
// the live objects; this file reads the live objects it asks about and deletes what it chose.

/** PruneResult is what a prune did: one entry per object that left the release. */
export interface PruneResult {
  plan: PrunePlan;
  entries: ChangeSetEntry[];
  errors: FlotillaError[];
  unreachable?: FlotillaError;
}

/** PruneOptions are planPrune's inputs apart from the live objects, which are read here. */
export type PruneOptions = Omit<PruneInput, 'live'> & { dryRun?: boolean };

function refFor(ref: InventoryRef) {
  return { apiVersion: ref.apiVersion, kind: ref.kind, ...(ref.namespace ? { namespace: ref.namespace } : {}), name: ref.name };
}

/**
 * pruneRelease reads every object of the previous inventory that left the desired state, lets
 * planPrune decide, and deletes the chosen ones in the delete order, each only if it is still the
 * object that was read (uid precondition). Kept objects become `skipped` entries with the reason.
 */
export async function pruneRelease(cluster: KubeCluster, options: PruneOptions): Promise<PruneResult> {
  const live = new Map<string, KubeObject>();
  const desiredKeys = new Set(options.desired.map((d) => inventoryKey('metadata' in d && d.metadata ? inventoryRefOf(d as KubeObject) : (d as InventoryRef))));
  const candidates = options.renderFailed ? [] : (options.previous?.objects ?? []).filter((ref) => !desiredKeys.has(inventoryKey(ref)));
  try {
    for (const ref of candidates) {
      const object = await cluster.get(refFor(ref));
      if (object) live.set(inventoryKey(ref), object);
    }
  } catch (error) {
    if (isUnreachable(error)) {
      return { plan: { delete: [], keep: [] }, entries: [], errors: [], unreachable: error as FlotillaError };
    }
    throw error;
  }
  const plan = planPrune({ ...options, live: (ref) => live.get(inventoryKey(ref)) });
  const entries: ChangeSetEntry[] = [];
  const errors: FlotillaError[] = [];
  let unreachable: FlotillaError | undefined;
  for (const ref of plan.delete) {
    if (unreachable) {
      entries.push({ object: refFor(ref), action: 'skipped', reason: `not deleted: ${unreachable.message}` });
      continue;
    }
    try {
      const uid = live.get(inventoryKey(ref))?.metadata.uid;
      const deleted = await cluster.delete(refFor(ref), { uid: typeof uid === 'string' ? uid : undefined, dryRun: options.dryRun });
      entries.push(deleted ? { object: refFor(ref), action: 'deleted', ...(options.dryRun ? { reason: 'dry run' } : {}) } : { object: refFor(ref), action: 'skipped', reason: `${formatRef(ref)} was already gone` });
    } catch (error) {
      if (isUnreachable(error)) {
        unreachable = error as FlotillaError;
        entries.push({ object: refFor(ref), action: 'skipped', reason: `not deleted: ${unreachable.message}` });
        continue;
      }
      const failure = error instanceof FlotillaError ? error : new FlotillaError('INTERNAL', (error as Error).message, { cluster: cluster.name, object: refFor(ref), cause: error });
      errors.push(failure);
      entries.push({ object: refFor(ref), action: 'skipped', reason: `delete failed: ${failure.message}` });
    }
  }
  for (const keep of plan.keep) entries.push({ object: refFor(keep.ref), action: 'skipped', reason: keep.message });
  return { plan, entries, errors, ...(unreachable ? { unreachable } : {}) };
}

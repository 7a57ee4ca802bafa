import { FlotillaError, type Issue } from '../core/index.js';
import type { ClusterRecord } from '../fleet/index.js';
import type { HealthStatus } from '../health/index.js';
import { checkFingerprint, evaluateGuards, type GuardRule } from '../plan/index.js';
import { prepareDesired } from './desired.js';
import { diffTarget } from './diff.js';
import type { SyncState } from './events.js';
import type { ClusterPort } from './ports.js';
import type { TargetInput } from './sync-fleet.js';
import { aggregateHealth, liveRefOf } from './sync-target.js';

// Status without a hub: everything is read from the cluster itself, as SPEC §6 promises (the
// inventory says which revision and content were applied), and compared with what the fleet
// renders now. Only reads.

/** TargetStatus is one row of `flotilla status`: a (cluster, release) pair. */
export interface TargetStatus {
  cluster: string;
  release: string;
  /** The revision the cluster's inventory records (absent when never synced). */
  revision?: string;
  /** The revision the fleet renders now. */
  desiredRevision: string;
  sync: SyncState;
  health: HealthStatus;
  /** Objects drifted or missing (and objects a sync would prune). */
  drift: number;
  message: string;
  errors: Issue[];
}

/**
 * clusterStatus answers the status of every target of one cluster: Unreachable when the cluster
 * does not answer, Blocked on a fingerprint mismatch or a guard, Failed when the render failed,
 * OutOfSync when the inventory's content differs from the render (or there is none), Drifted when
 * a live object differs in applied fields, else Progressing or Synced by the objects' health.
 */
export async function clusterStatus(port: ClusterPort, record: ClusterRecord, targets: readonly TargetInput[], guards: readonly GuardRule[], desiredRevision: string): Promise<TargetStatus[]> {
  const row = (t: TargetInput, sync: SyncState, message: string, extra: Partial<TargetStatus> = {}): TargetStatus => ({
    cluster: record.name,
    release: t.target.release.name,
    desiredRevision,
    sync,
    health: 'Unknown',
    drift: 0,
    message,
    errors: [],
    ...extra,
  });
  let uid: string;
  try {
    uid = await port.fingerprint();
  } catch (error) {
    const failure = error instanceof FlotillaError ? error : new FlotillaError('INTERNAL', (error as Error).message, { cluster: record.name });
    return targets.map((t) => row(t, failure.code === 'KUBE_UNREACHABLE' ? 'Unreachable' : 'Failed', failure.message, { errors: [failure] }));
  }
  const mismatch = checkFingerprint(record, uid);
  if (mismatch) return targets.map((t) => row(t, 'Blocked', mismatch.message));

  const out: TargetStatus[] = [];
  for (const t of targets) {
    try {
      if (!t.render.ok) {
        out.push(row(t, 'Failed', `render failed: ${t.render.issues[0]?.message ?? ''}`, { errors: t.render.issues }));
        continue;
      }
      const verdicts = evaluateGuards({ guards }, t.render.value);
      if (verdicts.length) {
        out.push(row(t, 'Blocked', `blocked by guard ${verdicts[0]!.guard}: ${verdicts[0]!.message}`));
        continue;
      }
      const inventory = await port.readInventory(t.target.release.name);
      if (!inventory.ok) {
        out.push(row(t, 'Failed', inventory.issues[0]?.message ?? 'the inventory cannot be read', { errors: inventory.issues }));
        continue;
      }
      if (!inventory.value) {
        out.push(row(t, 'OutOfSync', 'never synced: the cluster has no inventory for this release'));
        continue;
      }
      const revision = inventory.value.revision;
      const desired = prepareDesired(
        t.render.value.objects.map((o) => o.object),
        t.target.release.name,
      );
      const diff = await diffTarget(port, t.target, t.render);
      if (diff.state === 'unreachable' || diff.state === 'failed') {
        out.push(row(t, diff.state === 'unreachable' ? 'Unreachable' : 'Failed', diff.errors[0]?.message ?? diff.state, { revision, errors: diff.errors }));
        continue;
      }
      const health = aggregateHealth((await port.readHealth(desired.objects.map(liveRefOf))).objects);
      const drifted = diff.objects.filter((o) => o.state !== 'extra').length;
      const extra = diff.objects.length - drifted;
      if (inventory.value.contentHash !== desired.contentHash || extra > 0) {
        const why = inventory.value.contentHash !== desired.contentHash ? `the cluster has revision ${revision.slice(0, 12)}, whose content differs from the render` : `${extra} ${extra === 1 ? 'object' : 'objects'} to prune`;
        out.push(row(t, 'OutOfSync', why, { revision, health, drift: diff.objects.length }));
      } else if (drifted > 0) {
        out.push(row(t, 'Drifted', `${drifted} ${drifted === 1 ? 'object differs' : 'objects differ'} from the desired state`, { revision, health, drift: drifted }));
      } else {
        out.push(row(t, health === 'Progressing' ? 'Progressing' : 'Synced', health === 'Healthy' ? 'in sync and healthy' : `in sync, ${health}`, { revision, health }));
      }
    } catch (error) {
      const failure = error instanceof FlotillaError ? error : new FlotillaError('INTERNAL', (error as Error).message, { cluster: record.name });
      out.push(row(t, failure.code === 'KUBE_UNREACHABLE' ? 'Unreachable' : 'Failed', failure.message, { errors: [failure] }));
    }
  }
  return out;
}

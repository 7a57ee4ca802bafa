import { FlotillaError, runLimited, type Issue, type Result } from '../core/index.js';
import { releaseSelects, type ClusterRecord, type Fleet, type RenderedTarget, type Target } from '../fleet/index.js';
import { checkFingerprint, type GuardVerdict } from '../plan/index.js';
import { safeSink, type EventSink, type SyncState } from './events.js';
import type { Clock, ClusterConnector, ClusterPort, PortRequestStats } from './ports.js';
import { aggregateHealth, syncTarget, type TargetSyncOptions, type TargetSyncResult } from './sync-target.js';

// The fleet runner: every chosen target, clusters in parallel (bounded), each cluster on its own.
// Per cluster: open the connection, read the fingerprint once (a mismatch blocks every target of
// the cluster before anything is written), then the targets in dependency order; a release waits
// for the releases it dependsOn to be healthy on that cluster. A cluster that does not answer
// makes its targets Unreachable and never holds up the others: requests have timeouts and a
// bounded number of retries (src/kube/retry.ts), and other clusters run in the other slots.

/** TargetInput is one target with its render. */
export interface TargetInput {
  target: Target;
  render: Result<RenderedTarget>;
  /** The revision this target is pinned to, when it differs from the run's (rollouts pin per target). */
  revision?: string;
}

/** ClusterSyncState sums up one cluster after a fleet sync. */
export type ClusterSyncState = 'Synced' | 'Failed' | 'Blocked' | 'Unreachable';

/** ClusterSyncResult is one cluster's outcome. */
export interface ClusterSyncResult {
  cluster: string;
  state: ClusterSyncState;
  message: string;
  targets: TargetSyncResult[];
  /** Requests sent to the cluster during this sync. */
  requests: PortRequestStats;
  durationMs: number;
}

/** FleetSyncResult is the outcome of syncing a set of targets. */
export interface FleetSyncResult {
  clusters: ClusterSyncResult[];
  /** Every target, clusters in name order, targets in dependency order. */
  targets: TargetSyncResult[];
  durationMs: number;
}

/** SyncProgress is one progress report: a cluster started, a target finished, a cluster finished. */
export type SyncProgress =
  | { type: 'cluster-started'; cluster: string }
  | { type: 'target-done'; cluster: string; result: TargetSyncResult }
  | { type: 'cluster-done'; cluster: string; result: ClusterSyncResult };

/** SyncFleetOptions tune syncFleet; every field has a default. */
export interface SyncFleetOptions extends Omit<TargetSyncOptions, 'onEvent'> {
  /** Clusters synced at the same time. @default 8 */
  concurrency?: number;
  onEvent?: EventSink;
  onProgress?: (progress: SyncProgress) => void;
}

/** SyncFleetInput is what syncFleet syncs, and with what. */
export interface SyncFleetInput {
  fleet: Pick<Fleet, 'guards' | 'releases'>;
  targets: readonly TargetInput[];
  revision: string;
  connect: ClusterConnector;
  clock: Clock;
  options?: SyncFleetOptions;
}

/** runLimited (from the core) runs tasks with at most `limit` at once, in order of the list. */
export { runLimited };

function zeroStats(): PortRequestStats {
  return { requests: 0, reads: 0, writes: 0, dryRuns: 0 };
}

function diffStats(after: PortRequestStats, before: PortRequestStats): PortRequestStats {
  return { requests: after.requests - before.requests, reads: after.reads - before.reads, writes: after.writes - before.writes, dryRuns: after.dryRuns - before.dryRuns };
}

/** notSynced is the result of a target that was not tried, with the state and reason. */
export function notSynced(input: TargetInput, revision: string, sync: SyncState, errors: Issue[], message: string, guards: GuardVerdict[] = []): TargetSyncResult {
  return {
    cluster: input.target.cluster.name,
    release: input.target.release.name,
    key: input.target.key,
    revision,
    sync,
    health: 'Unknown',
    message,
    changes: { entries: [] },
    guards,
    errors,
    objects: [],
    objectHealth: [],
    durationMs: 0,
  };
}

/**
 * syncFleet syncs the given targets (see above) and answers every target's and cluster's result.
 * Connections are opened through `connect` and closed at the end.
 */
export async function syncFleet(input: SyncFleetInput): Promise<FleetSyncResult> {
  const started = input.clock.now();
  const options = input.options ?? {};
  const byCluster = new Map<string, { record: ClusterRecord; targets: TargetInput[] }>();
  for (const t of input.targets) {
    const entry = byCluster.get(t.target.cluster.name) ?? { record: t.target.cluster, targets: [] };
    entry.targets.push(t);
    byCluster.set(t.target.cluster.name, entry);
  }
  const clusters = [...byCluster.values()].sort((a, b) => (a.record.name < b.record.name ? -1 : a.record.name > b.record.name ? 1 : 0));
  const results = await runLimited(clusters, options.concurrency ?? 8, async ({ record, targets }) => {
    options.onProgress?.({ type: 'cluster-started', cluster: record.name });
    let port: ClusterPort | undefined;
    try {
      port = input.connect(record);
    } catch (error) {
      const failure = error instanceof FlotillaError ? error : new FlotillaError('INTERNAL', (error as Error).message, { cluster: record.name, cause: error });
      const done = targets.map((t) => notSynced(t, input.revision, 'Failed', [failure], failure.message));
      return finishCluster(record.name, done, zeroStats(), input.clock.now() - started, options);
    }
    try {
      const result = await syncCluster(input, record, targets, port, options);
      return result;
    } finally {
      port.close();
    }
  });
  return { clusters: results, targets: results.flatMap((r) => r.targets), durationMs: input.clock.now() - started };
}

/** syncCluster syncs the targets of one cluster through an open port (the fleet runner's per-cluster step). */
export async function syncCluster(input: SyncFleetInput, record: ClusterRecord, targets: readonly TargetInput[], port: ClusterPort, options: SyncFleetOptions = {}): Promise<ClusterSyncResult> {
  const started = input.clock.now();
  const before = port.stats();
  const emit = safeSink(options.onEvent);
  const results: TargetSyncResult[] = [];
  const report = (result: TargetSyncResult) => {
    results.push(result);
    options.onProgress?.({ type: 'target-done', cluster: record.name, result });
  };

  // The fingerprint: before any write, the cluster must be the one the record names.
  let liveUid: string;
  try {
    liveUid = await port.fingerprint();
  } catch (error) {
    const failure = error instanceof FlotillaError ? error : new FlotillaError('INTERNAL', (error as Error).message, { cluster: record.name, cause: error });
    const state: SyncState = failure.code === 'KUBE_UNREACHABLE' ? 'Unreachable' : 'Failed';
    if (state === 'Unreachable') emit({ type: 'ClusterUnreachable', time: input.clock.now(), cluster: record.name, message: failure.message });
    for (const t of targets) report(notSynced(t, t.revision ?? input.revision, state, [failure], failure.message));
    return finishCluster(record.name, results, diffStats(port.stats(), before), input.clock.now() - started, options);
  }
  const mismatch = checkFingerprint(record, liveUid);
  if (mismatch) {
    for (const t of targets) {
      const error = new FlotillaError('GUARD_BLOCKED', `${t.target.key}: guard ${mismatch.guard}: ${mismatch.message}`, { cluster: record.name });
      emit({ type: 'GuardBlocked', time: input.clock.now(), cluster: record.name, release: t.target.release.name, revision: input.revision, guard: mismatch.guard, object: mismatch.object, message: mismatch.message });
      report(notSynced(t, t.revision ?? input.revision, 'Blocked', [error], `blocked by guard ${mismatch.guard}: ${mismatch.message}`, [mismatch]));
    }
    return finishCluster(record.name, results, diffStats(port.stats(), before), input.clock.now() - started, options);
  }

  const byRelease = new Map<string, TargetSyncResult>();
  let unreachable: FlotillaError | undefined;
  for (const t of targets) {
    if (unreachable) {
      report(notSynced(t, t.revision ?? input.revision, 'Unreachable', [unreachable], unreachable.message));
      continue;
    }
    const blocker = await dependencyBlocker(input, record, t, byRelease, port, options);
    if (blocker) {
      const result = notSynced(t, t.revision ?? input.revision, 'OutOfSync', [blocker], blocker.message);
      byRelease.set(t.target.release.name, result);
      report(result);
      continue;
    }
    const result = await syncTarget({ target: t.target, render: t.render, guards: input.fleet.guards, revision: t.revision ?? input.revision, cluster: port, clock: input.clock, options: { ...options, onEvent: options.onEvent } });
    byRelease.set(t.target.release.name, result);
    report(result);
    if (result.sync === 'Unreachable') {
      unreachable = result.errors[0] ?? new FlotillaError('KUBE_UNREACHABLE', `cluster ${record.name}: unreachable`, { cluster: record.name });
      emit({ type: 'ClusterUnreachable', time: input.clock.now(), cluster: record.name, message: unreachable.message });
    }
  }
  return finishCluster(record.name, results, diffStats(port.stats(), before), input.clock.now() - started, options);
}

/**
 * dependencyBlocker answers why a target may not sync yet: a release it dependsOn that targets
 * this cluster and is not healthy there. A dependency synced in this run is waited for (within its
 * timeout) when it applied but is not healthy yet; one outside this run is judged by its
 * inventory and live health in the cluster.
 */
async function dependencyBlocker(input: SyncFleetInput, record: ClusterRecord, t: TargetInput, byRelease: Map<string, TargetSyncResult>, port: ClusterPort, options: SyncFleetOptions): Promise<FlotillaError | undefined> {
  for (const name of t.target.release.dependsOn) {
    const dep = input.fleet.releases.find((r) => r.name === name);
    if (!dep || !releaseSelects(dep, record)) continue;
    const blocked = (why: string) =>
      new FlotillaError('SYNC_DEPENDENCY_NOT_READY', `${t.target.key}: not synced: release ${name}, which it dependsOn, ${why} on cluster ${record.name}`, { cluster: record.name });
    const result = byRelease.get(name);
    try {
      if (result) {
        if (result.sync === 'Failed' || result.sync === 'Blocked' || result.sync === 'Unreachable' || (result.sync === 'OutOfSync' && !options.dryRun)) return blocked(`is ${result.sync}`);
        if (result.health === 'Healthy') continue;
        if (options.dryRun) continue; // a dry run applies nothing, so nothing becomes healthy
        const waited = await port.waitForHealth(
          result.objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), name: o.metadata.name })),
          { timeoutMs: dep.timeout, intervalMs: options.waitIntervalMs, signal: options.signal },
        );
        result.objectHealth = waited.objects;
        result.health = aggregateHealth(waited.objects);
        if (waited.outcome === 'healthy') {
          if (result.sync === 'Progressing') result.sync = 'Synced';
          continue;
        }
        return blocked(`is not healthy (${waited.message})`);
      }
      const inventory = await port.readInventory(name);
      if (!inventory.ok) return blocked(`has an inventory that cannot be read`);
      if (!inventory.value) return blocked('has not been synced');
      const live = await port.readHealth(inventory.value.objects.map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name })));
      const health = aggregateHealth(live.objects);
      if (health !== 'Healthy') return blocked(`is ${health}`);
    } catch (error) {
      if (error instanceof FlotillaError) return error;
      throw error;
    }
  }
  return undefined;
}

function finishCluster(cluster: string, targets: TargetSyncResult[], requests: PortRequestStats, durationMs: number, options: SyncFleetOptions): ClusterSyncResult {
  const states = new Set(targets.map((t) => t.sync));
  const state: ClusterSyncState = states.has('Unreachable') ? 'Unreachable' : states.has('Failed') || (states.has('OutOfSync') && !options.dryRun) ? 'Failed' : states.has('Blocked') ? 'Blocked' : 'Synced';
  const problem = targets.find((t) => t.sync !== 'Synced' && t.sync !== 'Progressing');
  const message = problem ? problem.message : `${targets.length} ${targets.length === 1 ? 'release' : 'releases'} synced`;
  const result: ClusterSyncResult = { cluster, state, message, targets, requests, durationMs };
  options.onProgress?.({ type: 'cluster-done', cluster, result });
  return result;
}

import { FlotillaError, countChanges, formatRef, type ChangeSet, type ChangeSetEntry, type Issue, type Result } from '../core/index.js';
import type { RenderedTarget, Target } from '../fleet/index.js';
import { assessHealth, type HealthStatus, type ObjectHealth } from '../health/index.js';
import type { KubeObject } from '../manifest/index.js';
import { evaluateGuards, inventoryKey, inventoryRefOf, newInventory, type GuardRule, type GuardVerdict, type Inventory, type InventoryRef } from '../plan/index.js';
import { prepareDesired } from './desired.js';
import { safeSink, type EventSink, type SyncState } from './events.js';
import type { Clock, ClusterPort, LiveRef } from './ports.js';

// One target's sync (SPEC §6), as one function from inputs to a result, in this order:
//
//   render result → guards → (fingerprint: checked once per cluster by the fleet runner) →
//   previous inventory → apply in order → inventory write (desired ∪ prune candidates) →
//   prune → inventory write (desired ∪ what could not be deleted) → wait for health.
//
// Writing the inventory before the prune, with the candidates still in it, means a crash or a
// failed delete never forgets an object that is still ours; the second write drops what is gone.
// A failed render touches nothing in the cluster, so nothing is pruned. A failed apply still
// records what it created (the previous inventory ∪ the objects applied) and prunes nothing.

/** TargetSyncOptions tune syncTarget. */
export interface TargetSyncOptions {
  /** Compute the changes with server-side dry-runs; write nothing, prune nothing, wait for nothing. @default false */
  dryRun?: boolean;
  /** How often a wait reads the objects again. @default 500 */
  waitIntervalMs?: number;
  /** Skip the wait even when the release asks for it (status only). @default false */
  noWait?: boolean;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

/** TargetSyncInput is everything one target's sync needs. */
export interface TargetSyncInput {
  target: Target;
  /** The target's render (fleet renderTarget). */
  render: Result<RenderedTarget>;
  /** The fleet's guards. */
  guards: readonly GuardRule[];
  /** The revision the render came from (a commit id). */
  revision: string;
  cluster: ClusterPort;
  clock: Clock;
  options?: TargetSyncOptions;
}

/** TargetSyncResult is how one target's sync went, as data. */
export interface TargetSyncResult {
  cluster: string;
  release: string;
  /** `<cluster>/<release>`. */
  key: string;
  revision: string;
  contentHash?: string;
  sync: SyncState;
  health: HealthStatus;
  /** One line for people. */
  message: string;
  changes: ChangeSet;
  /** What writing the inventory did (absent when it was not written). */
  inventory?: 'created' | 'configured' | 'unchanged';
  guards: GuardVerdict[];
  errors: Issue[];
  /** The desired objects as applied: what drift is measured against (empty when not rendered). */
  objects: KubeObject[];
  /** The health of every desired object, in apply order (when known). */
  objectHealth: ObjectHealth[];
  durationMs: number;
}

const healthRank: Record<HealthStatus, number> = { Healthy: 0, Progressing: 1, Unknown: 2, Degraded: 3 };

/** aggregateHealth is a target's health: the worst of its objects' (Degraded, Unknown, Progressing, Healthy); no objects is Healthy. */
export function aggregateHealth(objects: readonly { status: HealthStatus }[]): HealthStatus {
  let worst: HealthStatus = 'Healthy';
  for (const o of objects) if (healthRank[o.status] > healthRank[worst]) worst = o.status;
  return worst;
}

/** liveRefOf names a desired object for reads. */
export function liveRefOf(object: KubeObject): LiveRef {
  return { apiVersion: object.apiVersion, kind: object.kind, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}), name: object.metadata.name };
}

function firstLine(issues: readonly Issue[]): string {
  const first = issues[0];
  if (!first) return '';
  return issues.length > 1 ? `${first.message} (and ${issues.length - 1} more)` : first.message;
}

/**
 * syncTarget syncs one target on one cluster (see the order above) and answers its result:
 * sync state, health, the ChangeSet (created, configured, unchanged, deleted, skipped with the
 * reason), guard verdicts and errors. It emits SyncSucceeded, SyncFailed or GuardBlocked. A
 * cluster that stops answering makes the target Unreachable; no exception escapes for expected
 * failures.
 */
export async function syncTarget(input: TargetSyncInput): Promise<TargetSyncResult> {
  const { target, cluster, clock, revision } = input;
  const options = input.options ?? {};
  const emit = safeSink(options.onEvent);
  const started = clock.now();
  const release = target.release;
  const base = { cluster: target.cluster.name, release: release.name, key: target.key, revision };
  const done = (result: Omit<TargetSyncResult, 'cluster' | 'release' | 'key' | 'revision' | 'durationMs'>): TargetSyncResult => {
    const full: TargetSyncResult = { ...base, ...result, durationMs: clock.now() - started };
    const time = clock.now();
    if (full.sync === 'Blocked') {
      for (const verdict of full.guards) emit({ type: 'GuardBlocked', time, cluster: base.cluster, release: base.release, revision, guard: verdict.guard, object: verdict.object, message: verdict.message });
    } else if (full.sync === 'Failed') {
      emit({ type: 'SyncFailed', time, cluster: base.cluster, release: base.release, revision, code: full.errors[0]?.code ?? 'INTERNAL', message: full.message });
    } else if (full.sync !== 'Unreachable' && full.sync !== 'OutOfSync' && !options.dryRun) {
      emit({ type: 'SyncSucceeded', time, cluster: base.cluster, release: base.release, revision, changes: countChanges(full.changes), health: full.health });
    }
    return full;
  };
  const empty = { changes: { entries: [] as ChangeSetEntry[] }, guards: [] as GuardVerdict[], objects: [] as KubeObject[], objectHealth: [] as ObjectHealth[] };

  // 1. A failed render: the desired state is unknown, so nothing is applied or pruned.
  if (!input.render.ok) {
    return done({ ...empty, sync: 'Failed', health: 'Unknown', errors: input.render.issues, message: `render failed: ${firstLine(input.render.issues)}` });
  }
  // 2. Guards: a blocked target writes nothing.
  const guards = evaluateGuards({ guards: input.guards }, input.render.value);
  if (guards.length) {
    const errors = guards.map((g) => new FlotillaError('GUARD_BLOCKED', `${target.key}: guard ${g.guard}: ${g.message}`, { cluster: base.cluster }));
    return done({ ...empty, guards, sync: 'Blocked', health: 'Unknown', errors, message: `blocked by guard ${guards[0]!.guard}: ${guards[0]!.message}` });
  }
  const desired = prepareDesired(
    input.render.value.objects.map((o) => o.object),
    release.name,
  );
  const contentHash = desired.contentHash;
  const withHash = { contentHash, objects: desired.objects };

  try {
    // 3. The previous inventory: what this release applied before.
    const previousRead = await cluster.readInventory(release.name);
    const inventoryErrors = previousRead.ok ? [] : previousRead.issues;
    const previous = previousRead.ok ? previousRead.value : undefined;

    // 4. Apply in order.
    const applied = await cluster.apply(desired.objects, { dryRun: options.dryRun });
    const entries: ChangeSetEntry[] = [...applied.entries];
    if (applied.unreachable) {
      return done({ ...empty, ...withHash, changes: { entries }, sync: 'Unreachable', health: 'Unknown', errors: [applied.unreachable], message: applied.unreachable.message });
    }
    const appliedObjects = applied.results.map((r) => r.object);
    const liveAfter = new Map<string, KubeObject | undefined>(applied.results.map((r) => [inventoryKey(inventoryRefOf(r.object)), r.live]));

    // An unreadable inventory: apply, but neither prune nor overwrite the list that cannot be trusted.
    if (inventoryErrors.length) {
      return done({
        ...empty,
        ...withHash,
        objects: appliedObjects,
        changes: { entries },
        sync: 'Failed',
        health: 'Unknown',
        errors: [...inventoryErrors, ...applied.errors],
        message: `the inventory cannot be read, so nothing is pruned: ${firstLine(inventoryErrors)}`,
      });
    }

    const inventoryOf = (objects: readonly (KubeObject | InventoryRef)[]): Inventory => newInventory({ release: release.name, revision, contentHash, objects });
    let inventoryWrite: TargetSyncResult['inventory'];
    const write = async (inventory: Inventory): Promise<Issue[]> => {
      const written = await cluster.writeInventory(inventory, { dryRun: options.dryRun });
      if (!written.ok) return written.issues;
      if (inventoryWrite === undefined || inventoryWrite === 'unchanged') inventoryWrite = written.value;
      return [];
    };

    // 5. A failed apply: record what was applied, prune nothing.
    if (applied.errors.length) {
      const succeeded = applied.results.filter((r) => r.action !== 'skipped').map((r) => r.object);
      const issues = await write(inventoryOf([...(previous?.objects ?? []), ...succeeded]));
      const errors = [...applied.errors, ...issues];
      return done({ ...empty, ...withHash, objects: appliedObjects, changes: { entries }, inventory: inventoryWrite, sync: 'Failed', health: 'Unknown', errors, message: `apply failed: ${firstLine(errors)}` });
    }

    // 6. Inventory with the prune candidates kept, then prune, then the final inventory.
    const desiredKeys = new Set(appliedObjects.map((o) => inventoryKey(inventoryRefOf(o))));
    const candidates = (previous?.objects ?? []).filter((ref) => !desiredKeys.has(inventoryKey(ref)));
    let issues = await write(inventoryOf([...appliedObjects, ...candidates]));
    const pruned = await cluster.prune({ release: release.name, previous, desired: appliedObjects, renderFailed: false, allowEmpty: release.allowEmpty, prune: release.prune, dryRun: options.dryRun });
    entries.push(...pruned.entries);
    if (pruned.unreachable) {
      return done({ ...empty, ...withHash, objects: appliedObjects, changes: { entries }, inventory: inventoryWrite, sync: 'Unreachable', health: 'Unknown', errors: [pruned.unreachable], message: pruned.unreachable.message });
    }
    if (!pruned.plan.blocked && candidates.length > 0) {
      const failedDeletes = new Set(pruned.errors.map((e) => (e.object ? JSON.stringify([e.object.kind, e.object.namespace ?? '', e.object.name]) : '')));
      const stillOurs = candidates.filter((ref) => failedDeletes.has(JSON.stringify([ref.kind, ref.namespace ?? '', ref.name])));
      issues = [...issues, ...(await write(inventoryOf([...appliedObjects, ...stillOurs])))];
    }
    const errors = [...pruned.errors, ...issues];
    const pruneNote = pruned.plan.blocked ? `; ${pruned.plan.blocked.message}` : '';

    // 7. Health: the apply's answers first; a wait reads again until healthy or out of time.
    let objectHealth: ObjectHealth[] = appliedObjects.map((o) => ({ object: liveRefOf(o), ...assessHealth(liveAfter.get(inventoryKey(inventoryRefOf(o)))) }));
    let health = aggregateHealth(objectHealth);
    if (errors.length) {
      return done({ ...withHash, guards: [], objects: appliedObjects, objectHealth, changes: { entries }, inventory: inventoryWrite, sync: 'Failed', health, errors, message: `prune failed: ${firstLine(errors)}` });
    }
    if (options.dryRun) {
      const changed = entries.some((e) => e.action === 'created' || e.action === 'configured' || e.action === 'deleted');
      return done({ ...withHash, guards: [], objects: appliedObjects, objectHealth, changes: { entries }, inventory: inventoryWrite, sync: changed ? 'OutOfSync' : 'Synced', health, errors: [], message: `dry run: ${changed ? 'changes to apply' : 'in sync'}${pruneNote}` });
    }
    if (release.wait && !options.noWait && health !== 'Healthy') {
      const waited = await cluster.waitForHealth(appliedObjects.map(liveRefOf), { timeoutMs: release.timeout, startedAt: started, intervalMs: options.waitIntervalMs, signal: options.signal });
      objectHealth = waited.objects;
      health = aggregateHealth(objectHealth);
      if (waited.outcome !== 'healthy') {
        const error = new FlotillaError('SYNC_HEALTH_TIMEOUT', `${target.key}: ${waited.message}`, { cluster: base.cluster });
        return done({ ...withHash, guards: [], objects: appliedObjects, objectHealth, changes: { entries }, inventory: inventoryWrite, sync: 'Failed', health, errors: [error], message: waited.message });
      }
    }
    const sync: SyncState = health === 'Progressing' ? 'Progressing' : 'Synced';
    const unhealthy = objectHealth.filter((o) => o.status !== 'Healthy');
    const healthNote = unhealthy.length ? `; ${unhealthy.length} not healthy yet: ${unhealthy.slice(0, 3).map((o) => `${formatRef(o.object)} (${o.message})`).join(', ')}${unhealthy.length > 3 ? ', …' : ''}` : '';
    return done({ ...withHash, guards: [], objects: appliedObjects, objectHealth, changes: { entries }, inventory: inventoryWrite, sync, health, errors: [], message: `applied${healthNote}${pruneNote}` });
  } catch (error) {
    const failure = error instanceof FlotillaError ? error : new FlotillaError('INTERNAL', `${target.key}: ${(error as Error).message}`, { cluster: base.cluster, cause: error });
    const unreachable = failure.code === 'KUBE_UNREACHABLE';
    return done({ ...empty, ...withHash, sync: unreachable ? 'Unreachable' : 'Failed', health: 'Unknown', errors: [failure], message: failure.message });
  }
}

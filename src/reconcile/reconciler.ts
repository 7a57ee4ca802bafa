import { FlotillaError } from '../core/index.js';
import type { ClusterRecord, Fleet } from '../fleet/index.js';
import { DriftMonitor, pinTargets, type ObjectDriftReport } from './drift-monitor.js';
import { safeSink, type EventSink } from './events.js';
import type { Clock, ClusterConnector, ClusterPort } from './ports.js';
import { notSynced, syncCluster, type ClusterSyncResult, type ClusterSyncState, type TargetInput } from './sync-fleet.js';
import type { TargetSyncResult } from './sync-target.js';

// The continuous loop the hub and the agent run: every cluster is synced when its desired state
// changes, when asked to, and every `resyncMs` as a backstop; between syncs a drift monitor per
// cluster watches its objects. Clusters are independent: at most `concurrency` sync at once, each
// on its own schedule, and one that fails or does not answer is retried with exponential backoff
// and jitter (never later than one backoff step after it is back) while the others go on.

/** DesiredFleet is what the reconciler makes true: the fleet's guards and releases and the rendered targets. */
export interface DesiredFleet {
  fleet: Pick<Fleet, 'guards' | 'releases'>;
  /** The revision the targets were rendered from (a target may carry its own pinned one). */
  revision: string;
  targets: readonly TargetInput[];
}

/** ReconcilerOptions configure the loop; every field but connect and clock has a default. */
export interface ReconcilerOptions {
  connect: ClusterConnector;
  clock: Clock;
  /** @default Math.random */
  random?: () => number;
  onEvent?: EventSink;
  /** Called after every cluster sync with its result. */
  onClusterSynced?: (result: ClusterSyncResult) => void;
  /** Clusters synced at the same time. @default 8 */
  concurrency?: number;
  /** Backoff of a failing or unreachable cluster. @default 2 s doubling up to 2 min */
  backoff?: { baseMs: number; maxMs: number };
  /** The full resync backstop of a healthy cluster. @default 600000 (10m) */
  resyncMs?: number;
  /** How often waits read the objects again. @default 500 */
  waitIntervalMs?: number;
  /** Run a drift monitor per cluster. @default true */
  driftWatch?: boolean;
}

/** ClusterLoopState is where one cluster stands in the loop. */
export interface ClusterLoopState {
  cluster: string;
  state: 'Pending' | ClusterSyncState;
  syncing: boolean;
  /** Consecutive failed or unreachable syncs. */
  failures: number;
  /** When the next sync is due (the loop's clock). */
  nextAttemptAt: number;
  message: string;
  lastSyncedAt?: number;
}

interface ClusterEntry {
  record: ClusterRecord;
  targets: TargetInput[];
  state: ClusterLoopState;
  results: TargetSyncResult[];
  port?: ClusterPort;
  monitor?: DriftMonitor;
  done?: Promise<void>;
  /** Asked for again while a sync ran: sync once more right after. */
  dirty?: boolean;
}

/**
 * backoffStep is the delay before retry `failures` (1 for the first): `base · 2^(failures-1)` capped
 * at `max`, half fixed and half random (equal jitter), so a cluster that is back is tried again
 * within one step and clusters that failed together spread out.
 */
export function backoffStep(failures: number, backoff: { baseMs: number; maxMs: number }, random: () => number): number {
  const step = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** sameTargets tells whether two target lists of a cluster are the same inputs: same targets, revisions and render results. */
function sameTargets(before: readonly TargetInput[], beforeRevision: string, after: readonly TargetInput[], afterRevision: string): boolean {
  return (
    before.length === after.length &&
    before.every((b, i) => {
      const a = after[i]!;
      return a.target === b.target && a.render === b.render && (a.revision ?? afterRevision) === (b.revision ?? beforeRevision);
    })
  );
}

/** Reconciler runs the loop described above. */
export class Reconciler {
  private readonly options: ReconcilerOptions;
  private readonly emit: EventSink;
  private readonly random: () => number;
  private desired?: DesiredFleet;
  private readonly clusters = new Map<string, ClusterEntry>();
  private running = false;
  private wake = new AbortController();
  private loopDone?: Promise<void>;

  constructor(options: ReconcilerOptions) {
    this.options = options;
    this.emit = safeSink(options.onEvent);
    this.random = options.random ?? Math.random;
  }

  /**
   * setDesired replaces the desired state. Clusters whose targets changed (another revision or
   * content) are due at once; clusters that left the fleet stop being watched.
   */
  setDesired(desired: DesiredFleet): void {
    const previous = this.desired;
    this.desired = desired;
    const byCluster = new Map<string, { record: ClusterRecord; targets: TargetInput[] }>();
    for (const t of desired.targets) {
      const entry = byCluster.get(t.target.cluster.name) ?? { record: t.target.cluster, targets: [] };
      entry.targets.push(t);
      byCluster.set(t.target.cluster.name, entry);
    }
    const now = this.options.clock.now();
    for (const [name, entry] of this.clusters) {
      if (!byCluster.has(name)) {
        void entry.monitor?.stop();
        entry.port?.close();
        this.clusters.delete(name);
      }
    }
    for (const [name, { record, targets }] of byCluster) {
      const existing = this.clusters.get(name);
      if (existing) {
        // A rollout driver hands the whole fleet again when it moves one pin: only the clusters
        // whose targets changed are synced for it.
        const changed = !previous || previous.fleet !== desired.fleet || !sameTargets(existing.targets, previous.revision, targets, desired.revision);
        existing.record = record;
        existing.targets = targets;
        if (changed) this.due(existing, now);
      } else {
        this.clusters.set(name, { record, targets, results: [], state: { cluster: name, state: 'Pending', syncing: false, failures: 0, nextAttemptAt: now, message: 'not synced yet' } });
      }
    }
    this.poke();
  }

  /** trigger makes one cluster (or every cluster) due at once. */
  trigger(cluster?: string): void {
    const now = this.options.clock.now();
    for (const [name, entry] of this.clusters) if (cluster === undefined || name === cluster) this.due(entry, now);
    this.poke();
  }

  private due(entry: ClusterEntry, now: number): void {
    if (entry.state.syncing) entry.dirty = true;
    else entry.state.nextAttemptAt = Math.min(entry.state.nextAttemptAt, now);
  }

  /** start runs the loop until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** stop ends the loop, waits for syncs in flight, stops the drift monitors and closes the connections. */
  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.loopDone;
    await Promise.allSettled([...this.clusters.values()].map((c) => c.done));
    for (const c of this.clusters.values()) {
      await c.monitor?.stop();
      c.port?.close();
      c.port = undefined;
    }
  }

  /** clusterStates lists every cluster's loop state. */
  clusterStates(): ClusterLoopState[] {
    return [...this.clusters.values()].map((c) => ({ ...c.state })).sort((a, b) => (a.cluster < b.cluster ? -1 : 1));
  }

  /**
   * targets lists the latest result of every target (or of one cluster's, or one release's); a
   * target whose objects drifted (and are not corrected yet) reads `Drifted`.
   */
  targets(only?: { cluster?: string; release?: string }): TargetSyncResult[] {
    const out: TargetSyncResult[] = [];
    for (const c of this.entries(only?.cluster)) {
      const results = only?.release !== undefined ? c.results.filter((r) => r.release === only.release) : c.results;
      if (results.length === 0) continue;
      const drifted = new Set((c.monitor?.drift() ?? []).map((d) => d.release));
      for (const r of results) out.push(drifted.has(r.release) && (r.sync === 'Synced' || r.sync === 'Progressing') ? { ...r, sync: 'Drifted' } : r);
    }
    return out;
  }

  /** drift lists the objects drifted now, per cluster (or of one cluster). */
  drift(cluster?: string): { cluster: string; objects: ObjectDriftReport[] }[] {
    return this.entries(cluster).map((c) => ({ cluster: c.record.name, objects: c.monitor?.drift() ?? [] }));
  }

  /**
   * entries is one cluster's entry (a map lookup: the hub asks after every cluster sync, and 200
   * clusters walked and sorted each time add up on a busy hub) or every entry in name order.
   */
  private entries(cluster?: string): ClusterEntry[] {
    if (cluster !== undefined) {
      const entry = this.clusters.get(cluster);
      return entry ? [entry] : [];
    }
    return [...this.clusters.values()].sort((a, b) => (a.record.name < b.record.name ? -1 : 1));
  }

  private poke(): void {
    this.wake.abort();
    this.wake = new AbortController();
  }

  private async loop(): Promise<void> {
    const concurrency = this.options.concurrency ?? 8;
    while (this.running) {
      const now = this.options.clock.now();
      const syncing = [...this.clusters.values()].filter((c) => c.state.syncing).length;
      const due = [...this.clusters.values()].filter((c) => !c.state.syncing && c.state.nextAttemptAt <= now).sort((a, b) => a.state.nextAttemptAt - b.state.nextAttemptAt);
      for (const entry of due.slice(0, Math.max(0, concurrency - syncing))) {
        entry.state.syncing = true;
        entry.done = this.syncOne(entry).finally(() => {
          entry.state.syncing = false;
          this.poke();
        });
      }
      const waiting = [...this.clusters.values()].filter((c) => !c.state.syncing).map((c) => c.state.nextAttemptAt);
      const next = waiting.length ? Math.min(...waiting) : Infinity;
      const signal = this.wake.signal;
      if (!this.running) break;
      await this.options.clock.sleep(Number.isFinite(next) ? Math.max(1, next - this.options.clock.now()) : 60_000, signal);
    }
  }

  private async syncOne(entry: ClusterEntry): Promise<void> {
    const desired = this.desired;
    if (!desired) return;
    const { clock } = this.options;
    const name = entry.record.name;
    entry.monitor?.pause();
    let result: ClusterSyncResult;
    try {
      entry.port ??= this.options.connect(entry.record);
      result = await syncCluster(
        { fleet: desired.fleet, targets: entry.targets, revision: desired.revision, connect: this.options.connect, clock },
        entry.record,
        entry.targets,
        entry.port,
        {
          waitIntervalMs: this.options.waitIntervalMs,
          // Unreachable is reported below, with the retry delay.
          onEvent: (event) => event.type !== 'ClusterUnreachable' && this.emit(event),
        },
      );
    } catch (error) {
      const failure = error instanceof FlotillaError ? error : new FlotillaError('INTERNAL', (error as Error).message, { cluster: name, cause: error });
      const targets = entry.targets.map((t) => notSynced(t, desired.revision, 'Failed', [failure], failure.message));
      result = { cluster: name, state: 'Failed', message: failure.message, targets, requests: { requests: 0, reads: 0, writes: 0, dryRuns: 0 }, durationMs: 0 };
    }
    entry.results = result.targets;
    const now = clock.now();
    const wasDown = entry.state.state === 'Unreachable';
    if (result.state === 'Unreachable' || result.state === 'Failed') {
      entry.state.failures++;
      const delay = backoffStep(entry.state.failures, this.options.backoff ?? { baseMs: 2000, maxMs: 120_000 }, this.random);
      entry.state.nextAttemptAt = now + delay;
      if (result.state === 'Unreachable') this.emit({ type: 'ClusterUnreachable', time: now, cluster: name, message: result.message, retryInMs: delay });
    } else {
      entry.state.failures = 0;
      entry.state.lastSyncedAt = now;
      entry.state.nextAttemptAt = now + (this.options.resyncMs ?? 600_000);
      if (wasDown) this.emit({ type: 'ClusterReachable', time: now, cluster: name });
    }
    if (entry.dirty) {
      entry.dirty = false;
      entry.state.nextAttemptAt = now;
    }
    entry.state.state = result.state;
    entry.state.message = result.message;
    if (this.options.driftWatch !== false && entry.port && this.running) {
      entry.monitor ??= new DriftMonitor({ cluster: entry.port, clock, onEvent: this.emit });
      entry.monitor.setTargets(pinTargets(result.targets, desired.fleet.releases));
      entry.monitor.start();
    }
    entry.monitor?.resume();
    this.options.onClusterSynced?.(result);
  }
}

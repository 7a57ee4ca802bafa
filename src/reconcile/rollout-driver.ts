import { FlotillaError, ok, type Result } from '../core/index.js';
import type { Fleet, RenderedTarget, Target } from '../fleet/index.js';
import type { HealthStatus } from '../health/index.js';
import type { KubeObject } from '../manifest/index.js';
import { isFinal, startRollout, step, type RolloutCommand, type RolloutDecision, type RolloutState, type TargetObservation } from '../rollout/index.js';
import { prepareDesired } from './desired.js';
import { safeSink, type EventSink, type RolloutDriverEvent } from './events.js';
import type { Clock, ClusterConnector, ClusterPort } from './ports.js';
import { Reconciler, type DesiredFleet, type ReconcilerOptions } from './reconciler.js';
import type { RolloutRecord, RolloutStore, TargetPin } from './rollout-store.js';
import { runLimited, type ClusterSyncResult, type TargetInput } from './sync-fleet.js';
import { aggregateHealth, liveRefOf, type TargetSyncResult } from './sync-target.js';

// The rollout driver wires the pure rollout state machine (src/rollout) to the reconcile loop
// (SPEC §7). It sits between the rendered fleet and the Reconciler:
//
//   setDesired(rendered fleet) → per release: which targets' content changed (content hash per
//   target)? → start (or supersede) a rollout of those targets → step(state, observations) →
//   sync / rollback decisions move the targets' pins → the Reconciler gets every pinned target
//   at its pinned revision (objects of older revisions come from snapshots) → its sync results are
//   the next observations.
//
// Every target is pinned to a revision, and the Reconciler (sync and drift correction alike) only
// ever sees the pinned objects, so self-heal keeps working in waves that are not promoted yet.
// The record of each release (rollout state, pins) and the snapshots of pinned content go to a
// RolloutStore, so a new driver on the same store resumes where the last one stood: finished waves
// are pinned at the new revision already and are not applied again.

/** RolloutCommandType is a command of `flotilla rollout` and the API. */
export type RolloutCommandType = RolloutCommand['type'];

/** RolloutDriverOptions configure a driver; store, connect and clock are required. */
export interface RolloutDriverOptions {
  /** Opens clusters: for the Reconciler, and to read a target's inventory the first time it is seen. */
  connect: ClusterConnector;
  clock: Clock;
  store: RolloutStore;
  /** Every event: the loop's (sync, drift, reachability) and the rollouts'. Must not throw. */
  onEvent?: EventSink;
  /** Called after every cluster sync, after the driver has taken its observations. */
  onClusterSynced?: (result: ClusterSyncResult) => void;
  /** Called when a release's rollout state changed (the hub records it and updates its metrics). */
  onRolloutChanged?: (state: RolloutState) => void;
  /** Called with failures the driver cannot hand to a caller (a store write in a timer step). */
  onError?: (error: FlotillaError) => void;
  /** The Reconciler's other options (concurrency, backoff, resync, waits, drift watches). */
  reconciler?: Omit<ReconcilerOptions, 'connect' | 'clock' | 'onEvent' | 'onClusterSynced'>;
  /** How often rollouts are stepped, for soak clocks. @default 1000 */
  stepMs?: number;
  /**
   * The least time between two steps asked for by sync results: the results of syncs that end
   * meanwhile are taken together in one step. @default 200
   */
  stepCoalesceMs?: number;
  /** How often the healthy targets of a wave in progress are read again for health (0: never). @default 5000 */
  healthProbeMs?: number;
  /** How soon a target whose inventory could not be read (its cluster did not answer) is read again. @default 10000 */
  baselineRetryMs?: number;
}

/** RolloutDesired is what a driver makes true: a DesiredFleet whose fleet carries its rollout block. */
export interface RolloutDesired extends DesiredFleet {
  fleet: Pick<Fleet, 'guards' | 'releases' | 'rollout'>;
}

/** RolloutTargetPin is one target's pin as the driver reports it (status pages show the desired revision). */
export interface RolloutTargetPin extends TargetPin {
  cluster: string;
  release: string;
}

interface ReleaseEntry {
  record: RolloutRecord;
  /** Objects by content hash: every hash a pin or the rollout still refers to. */
  snapshots: Map<string, KubeObject[]>;
  /** Hashes known to be in the store. */
  stored: Set<string>;
  /** The record as last saved (JSON). */
  saved?: string;
  /** Whether the snapshots must be looked at again (a new render, a record read from the store). */
  snapshotsStale: boolean;
  /** The last save failed: the next step writes again even when nothing else changed. */
  saveFailed?: boolean;
}

interface Observed {
  result: TargetSyncResult;
  /** When the sync that produced the result started (the loop's clock). */
  startedAt: number;
  /** A later health reading of the same objects, when there was one. */
  probe?: { at: number; health: HealthStatus };
}

interface CachedInput {
  fleet: DesiredFleet['fleet'];
  revision: string;
  source: unknown;
  target: Target;
  input: TargetInput;
}

type Baseline = { kind: 'absent' } | { kind: 'content'; contentHash?: string } | { kind: 'unknown'; message: string };

const key = (cluster: string, release: string) => `${cluster}/${release}`;

/**
 * RolloutDriver runs rollouts over a Reconciler (see above). Typical use (the hub):
 * `await driver.start()`, `await driver.setDesired(fleet)` at every new revision,
 * `driver.command(release, 'approve', actor)` from the API, `driver.list()` for status,
 * `await driver.stop()` at shutdown.
 */
export class RolloutDriver {
  /** The loop that syncs the pinned targets; read its targets(), clusterStates() and drift() for status. */
  readonly reconciler: Reconciler;
  private readonly options: RolloutDriverOptions;
  private readonly emit: EventSink;
  private readonly releases = new Map<string, ReleaseEntry>();
  private readonly observed = new Map<string, Observed>();
  private readonly hashes = new WeakMap<object, string | undefined>();
  private readonly inputs = new Map<string, CachedInput>();
  private readonly probePorts = new Map<string, ClusterPort>();
  private readonly probing = new Set<string>();
  private readonly baselineFailures = new Map<string, number>();
  /** Clusters a decision wants synced now, triggered after the pins reach the loop. */
  private readonly due = new Set<string>();
  private desired?: RolloutDesired;
  private queue: Promise<unknown> = Promise.resolve();
  private stepQueued = false;
  private stepDelay?: NodeJS.Timeout;
  /** When the last step ended (performance.now(): CPU batching, not the loop's clock). */
  private lastStepAt = -Infinity;
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(options: RolloutDriverOptions) {
    this.options = options;
    this.emit = safeSink(options.onEvent);
    this.reconciler = new Reconciler({
      ...options.reconciler,
      connect: options.connect,
      clock: options.clock,
      onEvent: this.emit,
      onClusterSynced: (result) => this.onClusterSynced(result),
    });
  }

  /** start reads every stored record (so list() answers at once), then runs the loop and the step timer. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.serial(async () => {
      for (const record of await this.options.store.list()) {
        if (!this.releases.has(record.release)) this.releases.set(record.release, this.newEntry(record, true));
      }
    });
    this.reconciler.start();
    this.timer = setInterval(() => this.requestStep(), this.options.stepMs ?? 1000);
    this.timer.unref?.();
  }

  /** stop ends the step timer and the loop (syncs in flight finish); the store holds where every rollout stands. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    if (this.stepDelay) clearTimeout(this.stepDelay);
    await this.queue.catch(() => undefined);
    await this.reconciler.stop();
    for (const port of this.probePorts.values()) port.close();
    this.probePorts.clear();
  }

  /**
   * setDesired takes a newly rendered fleet. For each release, targets whose content is what they
   * are pinned to stay as they are; when any target's content changed, a rollout of
   * `desired.revision` starts for those targets (one wave of all of them when the fleet has no
   * `rollout` block), superseding a rollout still running. Resolves once the Reconciler has the
   * pinned targets.
   */
  setDesired(desired: RolloutDesired): Promise<void> {
    return this.serial(async () => {
      this.desired = desired;
      await this.plan();
      await this.stepAll();
    });
  }

  /**
   * command hands an operator's command (approve, pause, resume, abort) to a release's rollout
   * and answers the state after it. It throws API_NOT_FOUND when the release has no rollout and
   * ROLLOUT_COMMAND_IGNORED when the command does not apply where the rollout stands.
   */
  command(release: string, command: RolloutCommandType | RolloutCommand, actor?: string): Promise<RolloutState> {
    const cmd: RolloutCommand = typeof command === 'string' ? ({ type: command } as RolloutCommand) : command;
    return this.serial(async () => {
      const entry = this.releases.get(release);
      const state = entry?.record.rollout;
      if (!entry || !state) throw new FlotillaError('API_NOT_FOUND', `release ${release} has no rollout`, { hint: 'GET /api/v1/rollouts (flotilla rollout status) lists the rollouts.' });
      const decisions = await this.stepRelease(entry, { command: cmd, actor });
      await this.afterSteps();
      const ignored = decisions.find((d) => d.type === 'event' && d.event === 'CommandIgnored');
      if (ignored && ignored.type === 'event') throw new FlotillaError('ROLLOUT_COMMAND_IGNORED', `release ${release}: ${ignored.message}`);
      return entry.record.rollout!;
    });
  }

  /** list answers every release's rollout (running or the last finished), by release name. */
  list(): RolloutState[] {
    return [...this.releases.values()]
      .map((e) => e.record.rollout)
      .filter((r): r is RolloutState => r !== undefined)
      .sort((a, b) => (a.release < b.release ? -1 : a.release > b.release ? 1 : 0));
  }

  /** get answers one release's rollout. */
  get(release: string): RolloutState | undefined {
    return this.releases.get(release)?.record.rollout;
  }

  /** pins lists every target's pin: the revision sync and self-heal apply there, and the last healthy one. */
  pins(): RolloutTargetPin[] {
    const out: RolloutTargetPin[] = [];
    for (const [release, entry] of this.releases) for (const [cluster, pin] of Object.entries(entry.record.pins)) out.push({ cluster, release, ...pin });
    return out.sort((a, b) => (a.cluster === b.cluster ? (a.release < b.release ? -1 : 1) : a.cluster < b.cluster ? -1 : 1));
  }

  /** pinnedRevision is the revision a target is pinned to, when it has one. */
  pinnedRevision(release: string, cluster: string): string | undefined {
    return this.releases.get(release)?.record.pins[cluster]?.revision;
  }

  // ---- serialisation: plans, steps and commands run one at a time

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  // A busy hub ends dozens of cluster syncs a second, and every step walks each running
  // rollout's targets, saves the records that changed and hands the pins to the loop: one step
  // per result made that quadratic in the fleet's size. Steps asked for within stepCoalesceMs of
  // the last one wait and are taken as one; an idle driver steps at once.
  private requestStep(): void {
    if (!this.running || this.stepQueued) return;
    this.stepQueued = true;
    const run = () => {
      this.stepDelay = undefined;
      void this.serial(async () => {
        this.stepQueued = false;
        if (!this.running) return;
        try {
          if (this.baselinesDue()) await this.plan();
          await this.stepAll();
          this.probeHealth();
        } finally {
          this.lastStepAt = performance.now();
        }
      }).catch((error) => this.report(error));
    };
    const wait = this.lastStepAt + (this.options.stepCoalesceMs ?? 200) - performance.now();
    if (wait > 0) this.stepDelay = setTimeout(run, wait);
    else run();
  }

  private report(error: unknown): void {
    const failure = error instanceof FlotillaError ? error : new FlotillaError('INTERNAL', (error as Error).message, { cause: error });
    try {
      this.options.onError?.(failure);
    } catch {
      // the caller's failure is its own
    }
  }

  private newEntry(record: RolloutRecord, fromStore: boolean): ReleaseEntry {
    const entry: ReleaseEntry = { record, snapshots: new Map(), stored: new Set(), snapshotsStale: true };
    if (fromStore) {
      entry.saved = JSON.stringify(record);
      for (const hash of referencedHashes(record)) entry.stored.add(hash);
    }
    return entry;
  }

  private async entry(release: string): Promise<ReleaseEntry> {
    let entry = this.releases.get(release);
    if (!entry) {
      const stored = await this.options.store.load(release);
      entry = this.newEntry(stored ?? { release, pins: {} }, stored !== undefined);
      this.releases.set(release, entry);
    }
    return entry;
  }

  // ---- observations

  private onClusterSynced(result: ClusterSyncResult): void {
    const now = this.options.clock.now();
    const startedAt = now - result.durationMs;
    for (const target of result.targets) this.observed.set(key(target.cluster, target.release), { result: target, startedAt });
    try {
      this.options.onClusterSynced?.(result);
    } catch {
      // the caller's failure is its own
    }
    this.requestStep();
  }

  /** observations are the results of syncs that started after each target was last told to sync. */
  private observations(state: RolloutState): Record<string, TargetObservation> {
    const out: Record<string, TargetObservation> = {};
    for (const [cluster, target] of Object.entries(state.targets)) {
      const seen = this.observed.get(key(cluster, state.release));
      if (!seen || seen.startedAt < (target.updatedAt ?? 0)) continue;
      const { result } = seen;
      const health = seen.probe && seen.probe.at >= seen.startedAt ? seen.probe.health : result.health;
      out[cluster] = { revision: result.revision, sync: result.sync, health, ...(result.message ? { message: result.message } : {}) };
    }
    return out;
  }

  /**
   * probeHealth reads again the health of the targets of each wave in progress that were seen
   * healthy: the loop only reads health when it syncs, and a wave must stay healthy through its soak.
   */
  private probeHealth(): void {
    const every = this.options.healthProbeMs ?? 5000;
    if (every <= 0 || !this.desired) return;
    const now = this.options.clock.now();
    const records = new Map(this.desired.targets.map((t) => [t.target.cluster.name, t.target.cluster]));
    for (const entry of this.releases.values()) {
      const state = entry.record.rollout;
      if (!state || isFinal(state) || state.paused) continue;
      const wave = state.waves[state.currentWave];
      if (!wave || (wave.phase !== 'Soaking' && wave.phase !== 'Progressing')) continue;
      for (const cluster of wave.clusters) {
        const target = state.targets[cluster];
        const k = key(cluster, state.release);
        const seen = this.observed.get(k);
        const record = records.get(cluster);
        if (target?.status !== 'Healthy' || !seen || !record || this.probing.has(k)) continue;
        if (seen.result.revision !== state.revision || now - Math.max(seen.startedAt, seen.probe?.at ?? 0) < every) continue;
        this.probing.add(k);
        void (async () => {
          try {
            let port = this.probePorts.get(cluster);
            if (!port) {
              port = this.options.connect(record);
              this.probePorts.set(cluster, port);
            }
            const read = await port.readHealth(seen.result.objects.map(liveRefOf));
            seen.probe = { at: this.options.clock.now(), health: aggregateHealth(read.objects) };
            this.requestStep();
          } catch {
            // An unreachable cluster is the loop's to report; the wave waits for a good reading.
          } finally {
            this.probing.delete(k);
          }
        })();
      }
    }
  }

  // ---- planning: which targets move, and the rollouts that move them

  private hashOf(input: TargetInput): string | undefined {
    const render = input.render as object;
    if (this.hashes.has(render)) return this.hashes.get(render);
    const hash = input.render.ok ? prepareDesired(input.render.value.objects.map((o) => o.object), input.target.release.name).contentHash : undefined;
    this.hashes.set(render, hash);
    return hash;
  }

  private baselinesDue(): boolean {
    const now = this.options.clock.now();
    for (const at of this.baselineFailures.values()) if (at <= now) return true;
    return false;
  }

  /** plan brings every release's record in line with the desired fleet (see setDesired). */
  private async plan(): Promise<void> {
    const desired = this.desired;
    if (!desired) return;
    const fleet = desired.fleet;
    const byRelease = new Map<string, TargetInput[]>();
    for (const t of desired.targets) {
      // Pull-mode clusters are their agents' to sync; the hub only observes them.
      if (t.target.cluster.connection.mode === 'pull') continue;
      const list = byRelease.get(t.target.release.name) ?? [];
      list.push(t);
      byRelease.set(t.target.release.name, list);
    }
    const baselines = await this.readBaselines(byRelease);
    // Syncs that ended since the last step count before a new rollout starts: a target seen
    // healthy at its pin has that revision to roll back to (steps wait up to stepCoalesceMs).
    for (const entry of this.releases.values()) this.learnHealthy(entry);
    const now = this.options.clock.now();
    for (const entry of this.releases.values()) entry.snapshotsStale = true;
    // A release that left the fleet: its running rollout ends; its pins stay with the record.
    for (const entry of this.releases.values()) {
      const rollout = entry.record.rollout;
      if (!rollout || isFinal(rollout) || fleet.releases.some((r) => r.name === entry.record.release)) continue;
      entry.record.rollout = step(rollout, { now, targets: {}, commands: [{ type: 'abort' }] }).state;
      this.emitRollout(entry.record.rollout, { type: 'RolloutAborted', message: `rollout of ${rollout.release} at ${rollout.revision} ended: the release left the fleet` });
    }
    for (const release of fleet.releases) {
      const entry = await this.entry(release.name);
      const record = entry.record;
      const targets = byRelease.get(release.name) ?? [];
      const current = new Map(targets.map((t) => [t.target.cluster.name, t]));

      // Targets seen for the first time: what their cluster runs decides (the inventory's hash).
      const unknown = new Set<string>();
      for (const t of targets) {
        const cluster = t.target.cluster.name;
        if (record.pins[cluster] || inRollout(record, cluster)) continue;
        const baseline = baselines.get(key(cluster, release.name));
        if (!baseline || baseline.kind === 'unknown') {
          unknown.add(cluster);
          continue;
        }
        const hash = this.hashOf(t);
        // Never ran this release, or runs exactly this content: pinned here now, no rollout needed.
        if (baseline.kind === 'absent') record.pins[cluster] = withHash({ revision: desired.revision }, hash);
        else if (baseline.contentHash !== undefined && baseline.contentHash === hash) {
          const pin = withHash({ revision: desired.revision }, hash);
          record.pins[cluster] = { ...pin, lastHealthy: { ...pin } };
        }
        // Anything else runs content we do not have: unpinned until the rollout reaches it.
      }
      for (const cluster of Object.keys(record.pins)) if (!current.has(cluster)) delete record.pins[cluster];

      // Targets whose content is not what they are pinned to (no pin: content we do not have).
      const pinChanged = (t: TargetInput) => {
        const pin = record.pins[t.target.cluster.name];
        return !pin || pin.contentHash !== this.hashOf(t);
      };
      const rollout = record.rollout;
      // An operator aborted a rollout of this very content: it is not started again by itself,
      // only when the content changes again.
      const declined = (t: TargetInput) => {
        const cluster = t.target.cluster.name;
        return rollout?.phase === 'Aborted' && rollout.targets[cluster] !== undefined && record.rolloutHashes?.[cluster] === this.hashOf(t);
      };
      if (rollout !== undefined && !isFinal(rollout)) {
        const holds = Object.keys(rollout.targets).every((c) => current.has(c)) && targets.every((t) => {
          const cluster = t.target.cluster.name;
          if (rollout.targets[cluster]) return record.rolloutHashes?.[cluster] === this.hashOf(t);
          return unknown.has(cluster) || !pinChanged(t);
        });
        if (holds) continue; // the rollout goes on
        // New content (or other targets) while a rollout runs: it ends where it stands, every
        // target keeps its pin, and a rollout of the new revision starts from there.
        const { state: aborted } = step(rollout, { now, targets: {}, commands: [{ type: 'abort' }] });
        record.rollout = aborted;
        this.emitRollout(aborted, { type: 'RolloutAborted', message: `rollout of ${release.name} at ${rollout.revision} superseded by ${desired.revision}; every target keeps its pinned revision` });
      }
      const starting = targets.filter((t) => !unknown.has(t.target.cluster.name) && pinChanged(t) && !declined(t)).map((t) => t.target.cluster.name);
      if (starting.length === 0) {
        this.renameSettled(record, targets, desired.revision);
        continue;
      }
      const state = startRollout({
        release: release.name,
        revision: desired.revision,
        policy: fleet.rollout ? { waves: fleet.rollout.waves, failurePolicy: fleet.rollout.failurePolicy } : undefined,
        targets: starting.map((cluster) => {
          const t = current.get(cluster)!;
          const pin = record.pins[cluster];
          return {
            cluster,
            labels: t.target.cluster.labels,
            ...(pin ? { pinned: pin.revision } : {}),
            // startRollout counts a target whose last healthy revision is the new one as done.
            ...(pin?.lastHealthy && pin.lastHealthy.revision !== desired.revision ? { lastHealthy: pin.lastHealthy.revision } : {}),
          };
        }),
        now,
      });
      record.rollout = state;
      record.rolloutHashes = {};
      for (const cluster of starting) {
        const hash = this.hashOf(current.get(cluster)!);
        if (hash !== undefined) record.rolloutHashes[cluster] = hash;
      }
      this.emitRollout(state, {
        type: 'RolloutStarted',
        waves: state.waves.map((w) => ({ name: w.name, clusters: w.clusters })),
        message: `rollout of ${release.name} at ${desired.revision} started: ${state.waves.map((w) => `${w.name} (${w.clusters.length})`).join(', ')}`,
      });
    }
    await this.afterSteps();
  }

  /** renameSettled moves the pins of targets whose content did not change to the new revision's name (no rollout runs). */
  private renameSettled(record: RolloutRecord, targets: readonly TargetInput[], revision: string): void {
    for (const t of targets) {
      const pin = record.pins[t.target.cluster.name];
      if (!pin || pin.revision === revision || pin.contentHash === undefined || pin.contentHash !== this.hashOf(t)) continue;
      const renamed: TargetPin = { revision, contentHash: pin.contentHash };
      if (pin.lastHealthy?.contentHash === pin.contentHash) renamed.lastHealthy = { revision, contentHash: pin.contentHash };
      else if (pin.lastHealthy) renamed.lastHealthy = pin.lastHealthy;
      record.pins[t.target.cluster.name] = renamed;
    }
  }

  /** readBaselines reads the inventory of every target seen for the first time, one connection per cluster. */
  private async readBaselines(byRelease: Map<string, TargetInput[]>): Promise<Map<string, Baseline>> {
    const now = this.options.clock.now();
    const wanted = new Map<string, TargetInput[]>();
    const candidates = new Set<string>();
    for (const [release, targets] of byRelease) {
      const entry = await this.entry(release);
      for (const t of targets) {
        const cluster = t.target.cluster.name;
        if (entry.record.pins[cluster] || inRollout(entry.record, cluster)) continue;
        candidates.add(key(cluster, release));
        const retryAt = this.baselineFailures.get(key(cluster, release));
        if (retryAt !== undefined && retryAt > now) continue;
        wanted.set(cluster, [...(wanted.get(cluster) ?? []), t]);
      }
    }
    // Targets that left the fleet, or were pinned meanwhile, are not read again.
    for (const k of [...this.baselineFailures.keys()]) if (!candidates.has(k)) this.baselineFailures.delete(k);
    const out = new Map<string, Baseline>();
    await runLimited([...wanted.values()], this.options.reconciler?.concurrency ?? 8, async (targets) => {
      const record = targets[0]!.target.cluster;
      let port: ClusterPort | undefined;
      try {
        port = this.options.connect(record);
        for (const t of targets) {
          const read = await port.readInventory(t.target.release.name);
          const k = key(record.name, t.target.release.name);
          if (!read.ok) out.set(k, { kind: 'unknown', message: read.issues[0]?.message ?? 'the inventory cannot be read' });
          else if (!read.value) out.set(k, { kind: 'absent' });
          else out.set(k, { kind: 'content', ...(read.value.contentHash ? { contentHash: read.value.contentHash } : {}) });
        }
      } catch (error) {
        for (const t of targets) out.set(key(record.name, t.target.release.name), { kind: 'unknown', message: (error as Error).message });
      } finally {
        port?.close();
      }
    });
    const retryMs = this.options.baselineRetryMs ?? 10_000;
    for (const [k, baseline] of out) {
      if (baseline.kind === 'unknown') this.baselineFailures.set(k, now + retryMs);
      else this.baselineFailures.delete(k);
    }
    return out;
  }

  // ---- steps

  private async stepAll(): Promise<void> {
    const touched = new Set<ReleaseEntry>();
    for (const entry of this.releases.values()) {
      const state = entry.record.rollout;
      if (state && !isFinal(state)) {
        await this.stepRelease(entry);
        touched.add(entry);
        // Commits that arrived while the rollout ran left this release's content as it was: now
        // that it has ended, the targets that run that content go by the newest revision's name.
        const ended = entry.record.rollout;
        const desired = this.desired;
        if (ended && isFinal(ended) && desired && ended.revision !== desired.revision) {
          this.renameSettled(entry.record, desired.targets.filter((t) => t.target.release.name === entry.record.release && t.target.cluster.connection.mode !== 'pull'), desired.revision);
        }
      }
      if (this.learnHealthy(entry)) touched.add(entry);
    }
    await this.afterSteps(touched);
  }

  /**
   * learnHealthy records a target outside a running rollout as healthy at its pin once the loop saw
   * it synced and healthy there: that revision is where a later rollout's rollback returns to.
   * (Inside a rollout the state machine decides, when the target's wave completes.)
   */
  private learnHealthy(entry: ReleaseEntry): boolean {
    let learned = false;
    const release = entry.record.release;
    for (const [cluster, pin] of Object.entries(entry.record.pins)) {
      if (inRollout(entry.record, cluster)) continue;
      if (pin.lastHealthy?.revision === pin.revision && pin.lastHealthy.contentHash === pin.contentHash) continue;
      const seen = this.observed.get(key(cluster, release));
      if (!seen || seen.result.revision !== pin.revision || seen.result.contentHash !== pin.contentHash) continue;
      const health = seen.probe && seen.probe.at >= seen.startedAt ? seen.probe.health : seen.result.health;
      if ((seen.result.sync === 'Synced' || seen.result.sync === 'Drifted') && health === 'Healthy') {
        entry.record.pins[cluster] = { ...pin, lastHealthy: withHash({ revision: pin.revision }, pin.contentHash) };
        learned = true;
      }
    }
    return learned;
  }

  /** stepRelease steps one rollout (with at most one command) and carries out its decisions. */
  private async stepRelease(entry: ReleaseEntry, command?: { command: RolloutCommand; actor?: string }): Promise<RolloutDecision[]> {
    const state = entry.record.rollout!;
    const { state: next, decisions } = step(state, { now: this.options.clock.now(), targets: this.observations(state), commands: command ? [command.command] : [] });
    const previousPins = entry.record.pins;
    entry.record.rollout = next;
    // The machine decides a rollback before it reports the failure; people read them the other way round.
    const rollbacks = new Map<string, Extract<RolloutDecision, { type: 'rollback' }>>();
    const rolledBack = (cluster: string) => {
      const d = rollbacks.get(cluster);
      if (!d) return;
      rollbacks.delete(cluster);
      this.emitRollout(next, { type: 'RolledBack', cluster: d.cluster, to: d.revision, reason: d.reason, message: `${d.cluster} goes back to ${d.revision}, its last healthy revision: ${d.reason}` });
    };
    for (const d of decisions) {
      if (d.type === 'event') {
        // A wave without targets neither starts nor completes anything worth telling.
        if ((d.event === 'WaveStarted' || d.event === 'WaveCompleted') && next.waves.find((w) => w.name === d.wave)?.clusters.length === 0) continue;
        this.emitRollout(next, { type: d.event, message: d.message, ...(d.wave ? { wave: d.wave } : {}), ...(d.cluster ? { cluster: d.cluster } : {}), ...(command?.actor ? { actor: command.actor } : {}) });
        if (d.event === 'TargetFailed' && d.cluster) rolledBack(d.cluster);
        continue;
      }
      if (d.type === 'rollback') rollbacks.set(d.cluster, d);
      // A sync or rollback needs the pin the new state holds (pushDesired hands it to the loop),
      // and a sync now even when the pin did not move (a halted target sent to sync again).
      this.due.add(d.cluster);
    }
    for (const cluster of [...rollbacks.keys()]) rolledBack(cluster);
    entry.record.pins = pinsFrom(next, previousPins, entry.record.rolloutHashes ?? {});
    return decisions;
  }

  /**
   * afterSteps saves what changed, keeps the snapshots the pins need and hands the pinned targets
   * to the loop. Given the releases a step touched, the others are not looked at (their records
   * did not change), and the loop is handed nothing new when no record changed.
   */
  private async afterSteps(touched?: ReadonlySet<ReleaseEntry>): Promise<void> {
    let changed = touched === undefined;
    for (const entry of this.releases.values()) {
      if (touched && !touched.has(entry) && !entry.snapshotsStale && !entry.saveFailed) continue;
      try {
        const text = JSON.stringify(entry.record);
        if (entry.snapshotsStale || text !== entry.saved) {
          // New pins or newly loaded snapshots: the loop's targets may differ.
          changed = true;
          await this.keepSnapshots(entry);
          entry.snapshotsStale = false;
        }
        if (text !== entry.saved) {
          await this.options.store.save(entry.record.release, entry.record);
          entry.saved = text;
          entry.saveFailed = false;
          if (entry.record.rollout) this.notifyChanged(entry.record.rollout);
        }
      } catch (error) {
        // The rollout goes on from memory; the next step writes again.
        entry.saveFailed = true;
        this.report(error);
      }
    }
    if (changed || this.due.size > 0) this.pushDesired();
  }

  private notifyChanged(state: RolloutState): void {
    try {
      this.options.onRolloutChanged?.(state);
    } catch {
      // the caller's failure is its own
    }
  }

  /** keepSnapshots makes sure every hash the record refers to has its objects in memory and in the store, and nothing else. */
  private async keepSnapshots(entry: ReleaseEntry): Promise<void> {
    const release = entry.record.release;
    const wanted = referencedHashes(entry.record);
    const currentObjects = new Map<string, KubeObject[]>();
    for (const t of this.desired?.targets ?? []) {
      if (t.target.release.name !== release || !t.render.ok) continue;
      const hash = this.hashOf(t);
      if (hash !== undefined && wanted.has(hash)) currentObjects.set(hash, t.render.value.objects.map((o) => o.object));
    }
    for (const hash of wanted) {
      if (!entry.snapshots.has(hash)) {
        const objects = currentObjects.get(hash) ?? (entry.stored.has(hash) ? await this.options.store.loadSnapshot(release, hash) : undefined);
        if (objects) entry.snapshots.set(hash, objects);
      }
      const objects = entry.snapshots.get(hash);
      if (objects && !entry.stored.has(hash)) {
        await this.options.store.saveSnapshot(release, hash, objects);
        entry.stored.add(hash);
      }
    }
    let dropped = false;
    for (const hash of [...entry.snapshots.keys()]) if (!wanted.has(hash)) entry.snapshots.delete(hash);
    for (const hash of [...entry.stored]) {
      if (!wanted.has(hash)) {
        entry.stored.delete(hash);
        dropped = true;
      }
    }
    if (dropped) await this.options.store.keepSnapshots(release, [...wanted]);
  }

  /** pushDesired hands the Reconciler every pinned target at its pinned revision, reusing unchanged inputs. */
  private pushDesired(): void {
    const desired = this.desired;
    if (!desired) return;
    const inputs: TargetInput[] = [];
    const seen = new Set<string>();
    for (const t of desired.targets) {
      if (t.target.cluster.connection.mode === 'pull') continue;
      const entry = this.releases.get(t.target.release.name);
      const pin = entry?.record.pins[t.target.cluster.name];
      if (!entry || !pin) continue;
      let source: Result<RenderedTarget> | KubeObject[] | undefined;
      // The same hash, or a render that failed then and fails now: the current render is the pinned one.
      if (pin.contentHash === this.hashOf(t)) source = t.render;
      else if (pin.contentHash !== undefined) source = entry.snapshots.get(pin.contentHash);
      if (!source) continue; // content we do not have: the target waits for its wave
      const k = t.target.key;
      seen.add(k);
      const cached = this.inputs.get(k);
      if (cached && cached.fleet === desired.fleet && cached.revision === pin.revision && cached.source === source && cached.target === t.target) {
        inputs.push(cached.input);
        continue;
      }
      const render: Result<RenderedTarget> = Array.isArray(source) ? ok({ target: t.target, objects: source.map((object) => ({ object, provenance: new Map() })) }) : source;
      const input: TargetInput = { target: t.target, render, revision: pin.revision };
      this.inputs.set(k, { fleet: desired.fleet, revision: pin.revision, source, target: t.target, input });
      inputs.push(input);
    }
    for (const k of [...this.inputs.keys()]) if (!seen.has(k)) this.inputs.delete(k);
    this.reconciler.setDesired({ fleet: desired.fleet, revision: desired.revision, targets: inputs });
    for (const cluster of this.due) this.reconciler.trigger(cluster);
    this.due.clear();
  }

  private emitRollout(state: RolloutState, event: DistributiveOmit<RolloutDriverEvent, 'time' | 'release' | 'revision'>): void {
    this.emit({ time: this.options.clock.now(), release: state.release, revision: state.revision, ...event } as RolloutDriverEvent);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function withHash(pin: { revision: string }, hash: string | undefined): TargetPin {
  return hash === undefined ? { ...pin } : { ...pin, contentHash: hash };
}

/** inRollout tells whether a cluster is a target of the release's running rollout. */
function inRollout(record: RolloutRecord, cluster: string): boolean {
  return record.rollout !== undefined && !isFinal(record.rollout) && record.rollout.targets[cluster] !== undefined;
}

/** referencedHashes is every content hash a record still needs: pins, last healthy revisions and the rollout's targets. */
function referencedHashes(record: RolloutRecord): Set<string> {
  const out = new Set<string>();
  for (const pin of Object.values(record.pins)) {
    if (pin.contentHash) out.add(pin.contentHash);
    if (pin.lastHealthy?.contentHash) out.add(pin.lastHealthy.contentHash);
  }
  if (record.rollout && !isFinal(record.rollout)) for (const hash of Object.values(record.rolloutHashes ?? {})) out.add(hash);
  return out;
}

/**
 * pinsFrom derives the pins of a rollout's targets from its state (the machine decides pinned and
 * lastHealthy revisions; the record knows their content hashes). Targets outside the rollout keep
 * their pins.
 */
export function pinsFrom(state: RolloutState, previous: Readonly<Record<string, TargetPin>>, rolloutHashes: Readonly<Record<string, string>>): Record<string, TargetPin> {
  const out: Record<string, TargetPin> = { ...previous };
  for (const [cluster, target] of Object.entries(state.targets)) {
    const old = previous[cluster];
    const content = (revision: string) => {
      const hash = revision === state.revision ? rolloutHashes[cluster] : revision === old?.revision ? old.contentHash : revision === old?.lastHealthy?.revision ? old.lastHealthy.contentHash : undefined;
      return hash === undefined ? { revision } : { revision, contentHash: hash };
    };
    if (target.pinned === undefined) {
      delete out[cluster];
      continue;
    }
    out[cluster] = { ...content(target.pinned), ...(target.lastHealthy !== undefined ? { lastHealthy: content(target.lastHealthy) } : {}) };
  }
  return out;
}

import { formatRef } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';
import { detectDrift, inventoryKey, inventoryRefOf, releaseLabel, type DriftField, type DriftIgnoreRule } from '../plan/index.js';
import { safeSink, type EventSink } from './events.js';
import type { Clock, ClusterPort } from './ports.js';
import { liveRefOf } from './sync-target.js';

// Drift through watches (SPEC §6): one watcher per kind that the cluster's pinned targets apply,
// across all namespaces, selecting objects that carry a release label. Each event is compared with
// the pinned desired object (detectDrift: only fields Flotilla applies, ignore rules honoured), so
// a change another manager makes to a field Flotilla does not apply is not drift. With selfHeal the
// pinned object is applied again at once; without it the drift is only reported. An object that
// leaves the selection (deleted, or its label removed) is read again to tell the two apart. Every
// re-list after an interrupted watch re-checks every object, and `checkAll` (the resync backstop)
// reads each one again. While a sync of the cluster runs the monitor is paused (the sync's own
// writes are not drift), but the objects whose events arrive meanwhile are remembered and read
// again on resume: an edit made just after the sync applied an object is drift like any other.

/** PinnedTarget is a target as the drift monitor guards it: the objects of its pinned revision, as applied. */
export interface PinnedTarget {
  release: string;
  revision: string;
  objects: readonly KubeObject[];
  selfHeal: boolean;
  ignore: readonly DriftIgnoreRule[];
}

/** ObjectDriftReport is the current drift of one object. */
export interface ObjectDriftReport {
  release: string;
  object: string;
  fields: DriftField[];
  missing: boolean;
  since: number;
}

/** DriftMonitorOptions configure a drift monitor. */
export interface DriftMonitorOptions {
  cluster: ClusterPort;
  clock: Clock;
  onEvent?: EventSink;
  /** Read every object again this often (the resync backstop); undefined leaves it to the caller. */
  resyncMs?: number;
}

interface Entry {
  target: PinnedTarget;
  desired: KubeObject;
}

function kindKey(object: { apiVersion: string; kind: string }): string {
  return `${object.apiVersion} ${object.kind}`;
}

/** DriftMonitor watches one cluster's pinned targets for drift and corrects it (see above). */
export class DriftMonitor {
  private readonly cluster: ClusterPort;
  private readonly clock: Clock;
  private readonly emit: EventSink;
  private readonly resyncMs?: number;
  private entries = new Map<string, Entry>();
  private watches = new Map<string, { stop(): void; ready: Promise<void> }>();
  private readonly reports = new Map<string, ObjectDriftReport>();
  private readonly busy = new Map<string, { again: boolean }>();
  /** Objects whose events arrived while paused: read again on resume (one may be an edit, not our sync). */
  private readonly missed = new Set<string>();
  private running = false;
  private paused = false;
  private timer?: NodeJS.Timeout;
  private inFlight = new Set<Promise<void>>();

  constructor(options: DriftMonitorOptions) {
    this.cluster = options.cluster;
    this.clock = options.clock;
    this.emit = safeSink(options.onEvent);
    this.resyncMs = options.resyncMs;
  }

  /** setTargets replaces the pinned targets; watches follow the kinds they apply. */
  setTargets(targets: readonly PinnedTarget[]): void {
    const entries = new Map<string, Entry>();
    for (const target of targets) for (const desired of target.objects) entries.set(inventoryKey(inventoryRefOf(desired)), { target, desired });
    this.entries = entries;
    for (const key of [...this.reports.keys()]) if (!entries.has(key)) this.reports.delete(key);
    if (this.running) this.syncWatches();
  }

  /** start opens the watches and the resync timer. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.syncWatches();
    if (this.resyncMs) {
      const tick = () => {
        this.timer = setTimeout(() => {
          void this.checkAll().finally(() => this.running && tick());
        }, this.resyncMs);
        this.timer.unref?.();
      };
      tick();
    }
  }

  /** stop closes every watch; heals in flight finish. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** pause ignores events (a sync of the cluster is running and will set new targets). */
  pause(): void {
    this.paused = true;
  }

  /**
   * resume handles events again. Objects reported as drifted, and objects whose watch events arrived
   * while paused, are read again against the (new) targets: the sync that paused the monitor may
   * have put them back, or someone may have edited them after the sync applied them.
   */
  resume(): void {
    this.paused = false;
    if (!this.running) return;
    const keys = new Set([...this.reports.keys(), ...this.missed]);
    this.missed.clear();
    for (const key of keys) this.track(this.recheck(key));
  }

  /** ready resolves once every watch has listed its kind once. */
  async ready(): Promise<void> {
    await Promise.all([...this.watches.values()].map((w) => w.ready));
  }

  /** drift lists the objects that are drifted now (reported, not yet corrected). */
  drift(): ObjectDriftReport[] {
    return [...this.reports.values()];
  }

  /** checkAll reads every pinned object and handles what differs (the resync backstop). */
  async checkAll(): Promise<void> {
    const keys = [...this.entries.keys()];
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      try {
        const live = await this.cluster.get(liveRefOf(entry.desired));
        await this.handle(key, live);
      } catch {
        // The cluster went away; the watches' errors and the next resync cover it.
      }
    }
  }

  private syncWatches(): void {
    const kinds = new Map<string, { apiVersion: string; kind: string }>();
    for (const { desired } of this.entries.values()) kinds.set(kindKey(desired), { apiVersion: desired.apiVersion, kind: desired.kind });
    for (const [key, watch] of this.watches) {
      if (!kinds.has(key)) {
        watch.stop();
        this.watches.delete(key);
      }
    }
    for (const [key, kind] of kinds) {
      if (this.watches.has(key)) continue;
      this.watches.set(
        key,
        this.cluster.watch(
          { ...kind, labelSelector: releaseLabel },
          {
            onList: (items) => this.onList(kind, items),
            onEvent: (type, object) => this.onEvent(type, object),
          },
        ),
      );
    }
  }

  private onList(kind: { apiVersion: string; kind: string }, items: KubeObject[]): void {
    const live = new Map(items.map((o) => [inventoryKey(inventoryRefOf(o)), o]));
    for (const [key, entry] of this.entries) {
      if (kindKey(entry.desired) !== kindKey(kind)) continue;
      const object = live.get(key);
      // Absent from a selection by label: deleted, or the label was removed; read it to know.
      this.track(object ? this.handle(key, object) : this.recheck(key));
    }
  }

  private onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void {
    const key = inventoryKey(inventoryRefOf(object));
    // While paused the targets are about to change: an object the sync adds is not pinned yet.
    if (this.paused && this.running) this.missed.add(key);
    if (!this.entries.has(key)) return;
    this.track(type === 'DELETED' ? this.recheck(key) : this.handle(key, object));
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async recheck(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    try {
      await this.handle(key, await this.cluster.get(liveRefOf(entry.desired)));
    } catch {
      // unreachable: the watch reconnects and re-lists
    }
  }

  /** handle compares one live object with its pinned desired state and heals or reports drift. */
  private async handle(key: string, live: KubeObject | undefined): Promise<void> {
    if (!this.running) return;
    if (this.paused) {
      this.missed.add(key);
      return;
    }
    const running = this.busy.get(key);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: false };
    this.busy.set(key, state);
    try {
      await this.handleOnce(key, live);
      while (state.again && this.running && !this.paused) {
        state.again = false;
        const entry = this.entries.get(key);
        if (!entry) break;
        await this.handleOnce(key, await this.cluster.get(liveRefOf(entry.desired)));
      }
      if (state.again) this.missed.add(key);
    } catch {
      // A failed read ends this round; the watch or the resync brings the object back.
    } finally {
      this.busy.delete(key);
    }
  }

  private async handleOnce(key: string, live: KubeObject | undefined): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    const { target, desired } = entry;
    const drift = detectDrift(desired, live, { ignore: target.ignore });
    if (!drift.drifted) {
      const resolved = this.reports.get(key);
      this.reports.delete(key);
      if (resolved) this.emit({ type: 'DriftResolved', time: this.clock.now(), cluster: this.cluster.name, release: target.release, revision: target.revision, object: resolved.object });
      return;
    }
    const object = formatRef(liveRefOf(desired));
    const fields = drift.fields.map((f) => f.path);
    const noticed = this.clock.now();
    const previous = this.reports.get(key);
    const same = previous && previous.missing === Boolean(drift.missing) && JSON.stringify(previous.fields.map((f) => f.path)) === JSON.stringify(fields);
    this.reports.set(key, { release: target.release, object, fields: drift.fields, missing: Boolean(drift.missing), since: same ? previous.since : noticed });
    const base = { time: noticed, cluster: this.cluster.name, release: target.release, revision: target.revision, object };
    if (!same || target.selfHeal) this.emit({ type: 'DriftDetected', ...base, fields, missing: Boolean(drift.missing), selfHeal: target.selfHeal });
    if (!target.selfHeal) return;
    const applied = await this.cluster.apply([desired], {});
    const failure = applied.unreachable ?? applied.errors[0];
    if (failure) {
      this.emit({ type: 'SyncFailed', time: this.clock.now(), cluster: this.cluster.name, release: target.release, revision: target.revision, code: failure.code, message: `correcting drift of ${object}: ${failure.message}` });
      return;
    }
    this.reports.delete(key);
    this.emit({ type: 'DriftCorrected', ...base, time: this.clock.now(), fields, latencyMs: this.clock.now() - noticed });
  }
}

/** pinTargets turns sync results into the pinned targets of a drift monitor (only targets that were applied). */
export function pinTargets(results: readonly { release: string; revision: string; sync: string; objects: readonly KubeObject[] }[], releases: readonly { name: string; selfHeal: boolean; ignore: readonly DriftIgnoreRule[] }[]): PinnedTarget[] {
  const out: PinnedTarget[] = [];
  for (const r of results) {
    if (r.sync !== 'Synced' && r.sync !== 'Progressing' && r.sync !== 'Drifted') continue;
    const release = releases.find((x) => x.name === r.release);
    if (!release) continue;
    out.push({ release: r.release, revision: r.revision, objects: r.objects, selfHeal: release.selfHeal, ignore: release.ignore });
  }
  return out;
}


import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// The Prometheus metrics of SPEC §9, with exactly its names and labels. They are fed from the typed
// event stream (counters) and from status snapshots (gauges) through this one class, which keeps
// its own registry so that two hubs in one process (tests) never share series.

/** MetricsEvent is an event as the metrics read it; the reconcile layer's events fit it. */
export interface MetricsEvent {
  type: string;
  cluster?: string;
  release?: string;
  /** The guard of a GuardBlocked event. */
  guard?: string;
}

/** MetricsTargetStatus is a target's status as the metrics read it. */
export interface MetricsTargetStatus {
  cluster: string;
  release: string;
  revision?: string;
  /** A sync state of SPEC §6 (`Synced`, `OutOfSync`, …). */
  sync: string;
  /** A health state of SPEC §6. */
  health: string;
}

/** MetricsRollout is a rollout as the metrics read it; the rollout area's RolloutState fits it. */
export interface MetricsRollout {
  release: string;
  currentWave: number;
  waves: readonly { name: string }[];
}

/** metricNames lists the metric names of SPEC §9, for tests and the docs. */
export const metricNames = [
  'flotilla_target_info',
  'flotilla_reconcile_duration_seconds',
  'flotilla_drift_detected_total',
  'flotilla_drift_corrected_total',
  'flotilla_apply_total',
  'flotilla_cluster_up',
  'flotilla_guard_blocked_total',
  'flotilla_rollout_wave',
  'flotilla_source_revision_info',
] as const;

/** HubMetricsOptions tune the registry. */
export interface HubMetricsOptions {
  /** Also export Node's process metrics (CPU, memory, event loop lag). @default true */
  defaultMetrics?: boolean;
}

/** safeRepo drops user info from a repository URL, so that no credential becomes a label. */
export function safeRepo(repo: string): string {
  try {
    const url = new URL(repo);
    if (!url.username && !url.password) return repo;
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return repo.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  }
}

/**
 * HubMetrics holds the hub's Prometheus registry. Counters move with events (`observe`); the
 * target, cluster, rollout and source gauges are set from the latest snapshots; `metrics()` is the
 * text a scrape of /metrics answers.
 */
export class HubMetrics {
  readonly registry = new Registry();
  private readonly targetInfo: Gauge<'cluster' | 'release' | 'revision' | 'sync_status' | 'health_status'>;
  private readonly reconcileDuration: Histogram<'cluster'>;
  private readonly driftDetected: Counter<'cluster' | 'release'>;
  private readonly driftCorrected: Counter<'cluster' | 'release'>;
  private readonly applyTotal: Counter<'cluster' | 'result'>;
  private readonly clusterUp: Gauge<'cluster'>;
  private readonly guardBlocked: Counter<'guard' | 'cluster'>;
  private readonly rolloutWave: Gauge<'release' | 'wave'>;
  private readonly sourceRevision: Gauge<'repo' | 'revision'>;
  private readonly storeWriteErrors: Counter;
  private readonly targetSeries = new Map<string, Record<string, string>>();
  private readonly rolloutSeries = new Map<string, Record<string, string>>();
  private readonly sourceSeries = new Map<string, Record<string, string>>();

  constructor(options: HubMetricsOptions = {}) {
    const registers = [this.registry];
    this.targetInfo = new Gauge({ name: 'flotilla_target_info', help: 'One series per target with its revision, sync state and health; the value is always 1.', labelNames: ['cluster', 'release', 'revision', 'sync_status', 'health_status'], registers });
    this.reconcileDuration = new Histogram({ name: 'flotilla_reconcile_duration_seconds', help: 'How long one reconcile of a cluster took (render, guards, apply, prune, wait).', labelNames: ['cluster'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300], registers });
    this.driftDetected = new Counter({ name: 'flotilla_drift_detected_total', help: 'Live objects found to differ from the desired state in applied fields.', labelNames: ['cluster', 'release'], registers });
    this.driftCorrected = new Counter({ name: 'flotilla_drift_corrected_total', help: 'Drifted objects put back by self-heal.', labelNames: ['cluster', 'release'], registers });
    this.applyTotal = new Counter({ name: 'flotilla_apply_total', help: 'Target syncs by result: succeeded or failed.', labelNames: ['cluster', 'result'], registers });
    this.clusterUp = new Gauge({ name: 'flotilla_cluster_up', help: '1 when the cluster answered the last request, 0 when it is unreachable.', labelNames: ['cluster'], registers });
    this.guardBlocked = new Counter({ name: 'flotilla_guard_blocked_total', help: 'Targets blocked by a guard (nothing was written).', labelNames: ['guard', 'cluster'], registers });
    this.rolloutWave = new Gauge({ name: 'flotilla_rollout_wave', help: "The position (1-based) of a release's rollout wave in progress, labelled with the wave's name; the number of waves once complete.", labelNames: ['release', 'wave'], registers });
    this.sourceRevision = new Gauge({ name: 'flotilla_source_revision_info', help: 'The Git revision the hub last fetched; the value is always 1.', labelNames: ['repo', 'revision'], registers });
    this.storeWriteErrors = new Counter({ name: 'flotilla_store_write_errors_total', help: 'Writes to the hub\'s history database that failed (a full or read-only data directory); the hub goes on reconciling without them.', registers });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** storeWriteFailed counts one write to the history database that failed. */
  storeWriteFailed(): void {
    this.storeWriteErrors.inc();
  }

  /** observe moves the counters (and cluster_up) for one event of the stream. */
  observe<E extends MetricsEvent>(event: E): void {
    const cluster = event.cluster ?? '';
    const release = event.release ?? '';
    switch (event.type) {
      case 'SyncSucceeded':
        this.applyTotal.inc({ cluster, result: 'succeeded' });
        this.clusterUp.set({ cluster }, 1);
        break;
      case 'SyncFailed':
        this.applyTotal.inc({ cluster, result: 'failed' });
        break;
      case 'DriftDetected':
        this.driftDetected.inc({ cluster, release });
        this.clusterUp.set({ cluster }, 1);
        break;
      case 'DriftCorrected':
        this.driftCorrected.inc({ cluster, release });
        this.clusterUp.set({ cluster }, 1);
        break;
      case 'GuardBlocked':
        this.guardBlocked.inc({ guard: event.guard ?? '', cluster });
        break;
      case 'ClusterUnreachable':
        this.clusterUp.set({ cluster }, 0);
        break;
      case 'ClusterReachable':
        this.clusterUp.set({ cluster }, 1);
        break;
    }
  }

  /** setTarget replaces a target's flotilla_target_info series with its current status. */
  setTarget(status: MetricsTargetStatus): void {
    const key = `${status.cluster}\u0000${status.release}`;
    const labels = { cluster: status.cluster, release: status.release, revision: status.revision ?? '', sync_status: status.sync, health_status: status.health };
    const previous = this.targetSeries.get(key);
    if (previous) this.targetInfo.remove(previous);
    this.targetInfo.set(labels, 1);
    this.targetSeries.set(key, labels);
  }

  /** removeTarget drops a target the fleet no longer has. */
  removeTarget(cluster: string, release: string): void {
    const key = `${cluster}\u0000${release}`;
    const previous = this.targetSeries.get(key);
    if (previous) this.targetInfo.remove(previous);
    this.targetSeries.delete(key);
  }

  /** observeReconcile records how long one reconcile of a cluster took. */
  observeReconcile(cluster: string, seconds: number): void {
    this.reconcileDuration.observe({ cluster }, seconds);
  }

  /** setClusterUp sets flotilla_cluster_up from a probe outside the event stream. */
  setClusterUp(cluster: string, up: boolean): void {
    this.clusterUp.set({ cluster }, up ? 1 : 0);
  }

  /** removeCluster drops a cluster that left the fleet. */
  removeCluster(cluster: string): void {
    this.clusterUp.remove({ cluster });
    for (const [key, labels] of this.targetSeries) {
      if (labels.cluster === cluster) {
        this.targetInfo.remove(labels);
        this.targetSeries.delete(key);
      }
    }
  }

  /** setRollout sets flotilla_rollout_wave of a release from its rollout state. */
  setRollout(state: MetricsRollout): void {
    if (state.waves.length === 0) return this.removeRollout(state.release);
    const index = Math.min(state.currentWave, state.waves.length - 1);
    const labels = { release: state.release, wave: state.waves[index]!.name };
    const previous = this.rolloutSeries.get(state.release);
    if (previous) this.rolloutWave.remove(previous);
    this.rolloutWave.set(labels, Math.min(state.currentWave + 1, state.waves.length));
    this.rolloutSeries.set(state.release, labels);
  }

  /** removeRollout drops a release's rollout series. */
  removeRollout(release: string): void {
    const previous = this.rolloutSeries.get(release);
    if (previous) this.rolloutWave.remove(previous);
    this.rolloutSeries.delete(release);
  }

  /** setSourceRevision records the revision last fetched from a repository (credentials dropped). */
  setSourceRevision(repo: string, revision: string): void {
    const labels = { repo: safeRepo(repo), revision };
    const previous = this.sourceSeries.get(labels.repo);
    if (previous) this.sourceRevision.remove(previous);
    this.sourceRevision.set(labels, 1);
    this.sourceSeries.set(labels.repo, labels);
  }

  /** contentType is the Content-Type of the scrape answer. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** metrics answers the Prometheus text exposition of every metric. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

import { randomUUID } from 'node:crypto';
import { FlotillaError } from '../core/index.js';
import { loadFleet, renderFleet, selectTargets } from '../fleet/index.js';
import { AgentMetrics } from '../metrics/index.js';
import { releaseRenderer } from '../render/index.js';
import { createHelmRenderer } from '../source/helm/index.js';
import { gitRevisionFs, redactUrl, type GitCredentials, type GitRevision, type GitSource } from '../source/index.js';
import { hubReportTransport } from './agent-hub-client.js';
import { AgentReporter, type AgentTargetStatus, type ReportOutcome, type ReportTransport, type ReporterStats } from './agent-reporter.js';
import { safeSink, type ReconcileEvent } from './events.js';
import { openFleetSource } from './fleet-source.js';
import type { Clock, ClusterConnector } from './ports.js';
import { Reconciler, type ClusterLoopState } from './reconciler.js';
import type { ClusterSyncResult, TargetInput } from './sync-fleet.js';

// The pull-mode agent (SPEC §1, §8): it runs next to (usually inside) one cluster, fetches the
// fleet repository itself, renders only the targets of its own cluster and keeps that cluster in
// the rendered state with the same loop the hub runs (Reconciler: sync on change, drift watches,
// resync backstop, backoff). It needs no route from a hub to the cluster and keeps working when
// the hub is down. With a hub configured it reports its targets' status and its events there;
// what cannot be delivered waits in a bounded buffer (src/reconcile/agent-buffer.ts).
//
// An agent applies every new revision of its cluster's targets at once: rollout waves are the
// hub's coordination of the clusters it writes to, and the hub never writes to an agent's cluster.

/** AgentLog is where the agent logs; a pino Logger fits it. */
export interface AgentLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

/** AgentOptions configure an agent; cluster, repo, dataDir and connect are required. */
export interface AgentOptions {
  /** The cluster record (metadata.name) this agent reconciles. */
  cluster: string;
  /** The fleet repository: an https, ssh or file URL, or a local path. */
  repo: string;
  /** @default the remote's default branch */
  branch?: string;
  /** How often the repository is fetched. @default 60000 */
  intervalMs?: number;
  /** Where the clone lives. */
  dataDir: string;
  gitCredentials?: GitCredentials;
  /**
   * Opens the agent's own cluster. The record's spec.connection.context is not used: the agent
   * talks to the cluster it was given (in-cluster credentials, or --kubeconfig/--context).
   */
  connect: ClusterConnector;
  /** @default the system clock */
  clock: Clock;
  /** @default Math.random */
  random?: () => number;
  /** Report to a hub. */
  hub?: { url: string; token: string | (() => string); timeoutMs?: number };
  /** Replaces the HTTP transport to the hub (tests of the buffer's bounds). */
  transport?: ReportTransport;
  /** Events buffered while the hub cannot be told. @default 10000 */
  bufferCapacity?: number;
  /** Backoff between failed reports. @default 1 s doubling up to 60 s */
  reportBackoff?: { baseMs: number; maxMs: number };
  /** A report at least this often. @default 30000 */
  heartbeatMs?: number;
  /** The full resync backstop. @default 600000 */
  resyncMs?: number;
  /** How often waits for health read objects again. @default 500 */
  waitIntervalMs?: number;
  /** Backoff of a cluster that fails or does not answer. @default 2 s doubling up to 2 min */
  clusterBackoff?: { baseMs: number; maxMs: number };
  /** The helm binary for Helm releases. @default $FLOTILLA_HELM, else helm on PATH */
  helm?: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  agentVersion?: string;
  log?: AgentLog;
  /** @default a new AgentMetrics */
  metrics?: AgentMetrics;
}

/** AgentStatus is what the agent knows about itself (its /healthz answer, tests). */
export interface AgentStatus {
  cluster: string;
  repo: string;
  /** The commit last rendered. */
  revision?: string;
  /** When it was fetched (the clock's ms). */
  fetchedAt?: number;
  /** Why the last fetch or render failed (the last good revision stays in use). */
  error?: { code: string; message: string };
  loop?: ClusterLoopState;
  targets: AgentTargetStatus[];
  /** The hub reporting, when a hub is configured (url is empty for a transport given in code). */
  hub?: ReporterStats & { url: string };
}

const silent: AgentLog = { info() {}, warn() {}, error() {}, debug() {} };

/** Agent is a running pull-mode agent (see above). */
export class Agent {
  readonly metrics: AgentMetrics;
  readonly agentId = randomUUID();
  private readonly options: AgentOptions;
  private readonly log: AgentLog;
  private readonly source: GitSource;
  private readonly reconciler: Reconciler;
  private readonly reporter?: AgentReporter;
  private readonly helm: ReturnType<typeof createHelmRenderer>;
  private readonly listeners = new Set<(event: ReconcileEvent) => void>();
  private revision?: string;
  private fetchedAt?: number;
  private error?: { code: string; message: string };
  private warnedPushMode?: string;
  private started = false;
  private stopped = false;

  constructor(options: AgentOptions) {
    this.options = options;
    this.log = options.log ?? silent;
    this.metrics = options.metrics ?? new AgentMetrics();
    this.helm = createHelmRenderer({ helm: options.helm, env: options.env });
    const transport = options.transport ?? (options.hub ? hubReportTransport({ hub: options.hub.url, cluster: options.cluster, token: options.hub.token, timeoutMs: options.hub.timeoutMs }) : undefined);
    if (transport) {
      this.reporter = new AgentReporter({
        transport,
        clock: options.clock,
        random: options.random,
        agentId: this.agentId,
        agentVersion: options.agentVersion,
        capacity: options.bufferCapacity,
        backoff: options.reportBackoff,
        heartbeatMs: options.heartbeatMs,
        onOutcome: (outcome, sent) => this.onReportOutcome(outcome, sent),
      });
    }
    const emit = safeSink((event) => this.onLoopEvent(event));
    this.reconciler = new Reconciler({
      connect: options.connect,
      clock: options.clock,
      random: options.random,
      onEvent: emit,
      onClusterSynced: (result) => this.onClusterSynced(result),
      concurrency: 1,
      resyncMs: options.resyncMs,
      waitIntervalMs: options.waitIntervalMs,
      backoff: options.clusterBackoff,
    });
    this.source = openFleetSource(options, {
      onRevision: (revision) => this.onRevision(revision),
      onError: (error) => this.onFetchError(error),
    });
  }

  /** start begins fetching, reconciling and reporting; it answers at once (the first fetch runs in the background). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.reconciler.start();
    this.reporter?.start();
    this.source.poll();
  }

  /** fetchNow fetches the repository at once (a new revision is rendered and synced). */
  async fetchNow(): Promise<void> {
    await this.source.trigger();
  }

  /** subscribe hands every event of the loop to a listener (tests, logs) until the returned function is called. */
  subscribe(listener: (event: ReconcileEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** ready tells whether the agent has rendered a revision of its cluster (GET /readyz). */
  ready(): { ready: boolean; reason?: string } {
    if (this.revision) return { ready: true };
    return { ready: false, reason: this.error ? this.error.message : 'the first fetch of the fleet repository has not finished' };
  }

  /** status says what the agent knows about itself and its cluster. */
  status(): AgentStatus {
    const loop = this.reconciler.clusterStates().find((c) => c.cluster === this.options.cluster);
    return {
      cluster: this.options.cluster,
      repo: redactUrl(this.options.repo),
      ...(this.revision ? { revision: this.revision } : {}),
      ...(this.fetchedAt !== undefined ? { fetchedAt: this.fetchedAt } : {}),
      ...(this.error ? { error: this.error } : {}),
      ...(loop ? { loop } : {}),
      targets: this.targetStatus(),
      ...(this.reporter ? { hub: { ...this.reporter.stats(), url: this.options.hub ? redactUrl(this.options.hub.url) : '' } } : {}),
    };
  }

  /**
   * stop shuts the agent down: fetching stops, the sync in flight finishes, the watches close,
   * and one last report is tried when the hub answers.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.source.stop();
    await this.reconciler.stop();
    this.refreshStatus();
    await this.reporter?.stop({ flush: true });
  }

  // ---- the Git source and the desired state

  private onFetchError(error: FlotillaError): void {
    this.error = { code: error.code, message: error.message };
    this.log.warn({ code: error.code, error: error.message }, 'fetch failed; the last good revision stays');
  }

  private onRevision(revision: GitRevision): void {
    if (this.stopped) return;
    this.fetchedAt = this.options.clock.now();
    this.metrics.setSourceRevision(this.options.repo, revision.commit);
    let targets: TargetInput[];
    let fleet;
    try {
      ({ fleet, targets } = this.render(revision.commit));
    } catch (error) {
      const problem = error instanceof FlotillaError ? error : new FlotillaError('INTERNAL', (error as Error).message, { cause: error });
      this.error = { code: problem.code, message: problem.message };
      this.log.error({ revision: revision.commit, code: problem.code, error: problem.message }, this.revision ? 'the fleet does not load at this revision; the last good one stays' : 'the fleet does not load');
      return;
    }
    this.error = undefined;
    this.revision = revision.commit;
    this.log.info({ revision: revision.commit, branch: revision.branch, targets: targets.length }, 'fetched a new revision');
    this.reconciler.setDesired({ fleet, revision: revision.commit, targets });
    this.refreshStatus();
  }

  /** render loads the fleet at a commit and renders the targets of this agent's cluster only. */
  private render(commit: string): { fleet: ReturnType<typeof loadFleetOrThrow>; targets: TargetInput[] } {
    const opened = gitRevisionFs(this.source.dir, commit);
    if (!opened.ok) throw opened.issues[0];
    const fs = opened.value;
    const fleet = loadFleetOrThrow(fs, fs.dir);
    const record = fleet.clusters.find((c) => c.name === this.options.cluster);
    if (!record) {
      throw new FlotillaError('AGENT_CLUSTER_NOT_IN_FLEET', `the fleet at ${commit.slice(0, 12)} has no cluster ${this.options.cluster}; it has ${fleet.clusters.map((c) => c.name).join(', ') || 'none'}`, {
        cluster: this.options.cluster,
        hint: 'Give --cluster the metadata.name of a cluster record, or add the record (flotilla bootstrap).',
      });
    }
    if (record.connection.mode !== 'pull' && this.warnedPushMode !== commit) {
      this.warnedPushMode = commit;
      this.log.warn({ cluster: record.name }, 'the cluster record does not say connection.mode: pull, so a hub will also apply to this cluster; set mode: pull when an agent runs it');
    }
    const chosen = selectTargets(fleet, { cluster: record.name });
    const results = renderFleet(fleet, { fs, root: fs.dir, renderer: releaseRenderer, cache: releaseRenderer.createCache(), targets: chosen, helm: this.helm });
    return { fleet, targets: results.map((r) => ({ target: r.target, render: r.result, revision: commit })) };
  }

  // ---- what the loop reports

  private onLoopEvent(event: ReconcileEvent): void {
    this.metrics.observe(event);
    this.reporter?.record(event);
    const fields = { event: event.type, cluster: event.cluster, ...('release' in event ? { release: event.release } : {}), ...('object' in event ? { object: event.object } : {}) };
    if (event.type === 'SyncFailed' || event.type === 'GuardBlocked' || event.type === 'ClusterUnreachable') this.log.warn({ ...fields, message: event.message }, event.type);
    else this.log.info(fields, event.type);
    if (event.type === 'DriftDetected' || event.type === 'DriftCorrected' || event.type === 'DriftResolved') this.refreshStatus();
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  private onClusterSynced(result: ClusterSyncResult): void {
    this.metrics.observeReconcile(result.cluster, result.durationMs / 1000);
    this.metrics.setClusterUp(result.cluster, result.state !== 'Unreachable');
    this.refreshStatus();
  }

  private targetStatus(): AgentTargetStatus[] {
    const drift = new Map<string, number>();
    for (const c of this.reconciler.drift()) for (const o of c.objects) drift.set(o.release, (drift.get(o.release) ?? 0) + 1);
    return this.reconciler.targets().map((r) => ({ release: r.release, revision: r.revision, sync: r.sync, health: r.health, drift: drift.get(r.release) ?? 0, message: r.message }));
  }

  /** refreshStatus copies the loop's view of every target into the metrics and the next report. */
  private refreshStatus(): void {
    const targets = this.targetStatus();
    for (const t of targets) this.metrics.setTarget({ cluster: this.options.cluster, ...t });
    this.reporter?.setStatus(this.revision, targets);
    if (this.reporter) this.metrics.setReporter(this.reporter.stats());
  }

  private onReportOutcome(outcome: ReportOutcome, sent: { events: number; dropped: number }): void {
    if (this.reporter) this.metrics.setReporter(this.reporter.stats());
    if (outcome.kind === 'accepted') {
      this.log.debug({ events: sent.events, dropped: sent.dropped }, 'report accepted by the hub');
      return;
    }
    const stats = this.reporter?.stats();
    const fields = { status: 'status' in outcome ? outcome.status : undefined, buffered: stats?.buffered, droppedTotal: stats?.droppedTotal, error: outcome.message };
    if (outcome.kind === 'rejected') this.log.error(fields, 'the hub rejected a report; its events are dropped');
    else if ((stats?.failures ?? 0) <= 1 || outcome.kind === 'tooLarge') this.log.warn(fields, 'report not delivered; events stay buffered and the report is retried with backoff');
    else this.log.debug(fields, 'report not delivered again');
  }
}

function loadFleetOrThrow(fs: Parameters<typeof loadFleet>[0], root: string) {
  const loaded = loadFleet(fs, root);
  if (!loaded.ok) throw loaded.issues[0];
  return loaded.value;
}

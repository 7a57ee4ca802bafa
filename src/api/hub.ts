import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { FlotillaError } from '../core/index.js';
import { kubeConnector, loadKubeconfig, systemClock } from '../kube/index.js';
import { HubMetrics } from '../metrics/index.js';
import { Notifier } from '../notify/index.js';
import { openFleetSource, RolloutDriver, type ClusterSyncResult, type ReconcileEvent, type TargetInput } from '../reconcile/index.js';
import { matchesLabelSelector, parseLabelSelector } from '../render/patch/index.js';
import type { RolloutCommand, RolloutState } from '../rollout/index.js';
import { redactUrl, type GitCredentials, type GitRevision, type GitSource } from '../source/index.js';
import { SqliteHubStore } from '../store/index.js';
import { HubEventLog } from './event-log.js';
import type { AgentReport, ClusterView, GitPush, GitPushOutcome, HubActions, SyncAccepted, SyncRequest, TargetView } from './ports.js';
import { RecordedHubState } from './recorded-state.js';
import { SqliteRolloutStore } from './sqlite-rollout-store.js';
import type { Principal } from './roles.js';
import { createHubServer, type HubServer } from './server.js';
import { describeCluster, type ClusterDetail } from './cluster-detail.js';
import { planAgainstRunning } from './fleet-plan.js';
import { TokenSource } from './tokens.js';
import type { RenderedRevision } from './revision-render.js';
import { RevisionWorker } from './revision-worker.js';

// The hub put together: the Git source feeds renders, the rollout driver (reconcile's
// RolloutDriver over the Reconciler) moves every release through its waves and pins each target,
// its records and snapshots live in the hub's database, and everything the loop reports is
// recorded, counted, notified and served. The API reaches the loop only through HubActions.

/** HubRuntimeOptions configure `flotilla serve`; repo and dataDir are required. */
export interface HubRuntimeOptions {
  /** The fleet repository: an https, ssh or file URL, or a local path. */
  repo: string;
  /** @default the remote's default branch */
  branch?: string;
  /** How often the repository is fetched. @default 60000 */
  intervalMs?: number;
  /** The data directory (history, lock, clone). */
  dataDir: string;
  /** @default 8080 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  tokensFile?: string;
  /** The tokens YAML itself (env FLOTILLA_TOKENS), when there is no file. */
  tokensText?: string;
  webhookSecretFile?: string;
  /** The webhook secret itself (env FLOTILLA_WEBHOOK_SECRET), when there is no file. */
  webhookSecret?: string;
  kubeconfig?: { path?: string; env?: string; text?: string };
  gitCredentials?: GitCredentials;
  /** The full resync backstop. @default 600000 */
  resyncMs?: number;
  /** Clusters synced at once. @default 8 */
  concurrency?: number;
  /** Time allowed for one request to a cluster. @default 10000 */
  requestTimeoutMs?: number;
  /** How often rollouts are stepped (soak clocks, approvals). @default 1000 */
  rolloutStepMs?: number;
  /** How often waits for health read objects again. @default 500 */
  waitIntervalMs?: number;
  /** The helm binary for Helm releases. @default $FLOTILLA_HELM, else helm on PATH */
  helm?: string;
  dashboardDir?: string;
  logger: Logger;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** normalizeRepo reduces a repository URL or path to `host/path` without scheme, user, `.git` or case. */
export function normalizeRepo(url: string): string {
  let text = url.trim().replace(/^file:\/\//i, '');
  text = text.replace(/^[a-z][a-z0-9+.-]*:\/\/([^/@]*@)?/i, '');
  text = text.replace(/^[^/@]+@([^:/]+):/, '$1/');
  return text.replace(/\/+$/, '').replace(/\.git$/i, '').toLowerCase();
}

/**
 * HubRuntime is a running hub: `start` opens the store (taking the data directory's lock), starts
 * the API, the rollout driver and the Git source; `close` shuts them down in order.
 */
export class HubRuntime implements HubActions {
  readonly url: string;
  readonly port: number;
  readonly store: SqliteHubStore;
  readonly state: RecordedHubState;
  readonly events: HubEventLog;
  readonly metrics: HubMetrics;
  private readonly options: HubRuntimeOptions;
  private readonly log: Logger;
  private readonly server: HubServer;
  private readonly notifier: Notifier;
  private readonly driver: RolloutDriver;
  private readonly source: GitSource;
  private readonly renderer: RevisionWorker;
  private latest?: RenderedRevision;
  /** The newest fetched revision not rendered yet; a render in progress takes it when it ends. */
  private waitingRevision?: GitRevision;
  private rendering = false;
  private closed = false;
  private readonly reportedTargets = new Map<string, string>();
  private readonly agentSeq = new Map<string, { agentId: string; seq: number }>();

  private constructor(parts: {
    options: HubRuntimeOptions;
    store: SqliteHubStore;
    state: RecordedHubState;
    events: HubEventLog;
    metrics: HubMetrics;
    notifier: Notifier;
    driver: RolloutDriver;
    source: GitSource;
    server: HubServer;
    url: string;
    port: number;
  }) {
    this.options = parts.options;
    this.log = parts.options.logger;
    this.store = parts.store;
    this.state = parts.state;
    this.events = parts.events;
    this.metrics = parts.metrics;
    this.notifier = parts.notifier;
    this.driver = parts.driver;
    this.source = parts.source;
    this.server = parts.server;
    this.url = parts.url;
    this.port = parts.port;
    this.renderer = new RevisionWorker({ helm: parts.options.helm, env: { ...(parts.options.env ?? process.env) } });
  }

  /** start brings a hub up and answers once it listens; the first fetch runs in the background. */
  static async start(options: HubRuntimeOptions): Promise<HubRuntime> {
    const log = options.logger;
    const store = SqliteHubStore.open(options.dataDir);
    let driver: RolloutDriver | undefined;
    let server: HubServer | undefined;
    try {
      const tokens = TokenSource.open({
        ...(options.tokensFile !== undefined ? { file: options.tokensFile } : { text: options.tokensText ?? '[]' }),
        onReload: (count) => log.info({ tokens: count }, 'tokens file read again'),
        onReloadError: (error) => log.error({ code: error.code, error: error.message }, 'tokens file no longer reads; every API request is refused until it is fixed'),
      });
      if (tokens.count === 0) log.warn({}, 'no API tokens: every /api/v1 request is refused (give --tokens FILE or FLOTILLA_TOKENS)');
      const metrics = new HubMetrics();
      const events = new HubEventLog(store, (error, where) => {
        // A history that cannot be written (a full disk) must show where people look: the metric.
        if (where === 'record') metrics.storeWriteFailed();
        log.error({ err: error, where }, 'event stream problem');
      });
      const state = new RecordedHubState(store);
      const notifier = new Notifier([], { deadLetters: store, log: log.child({ component: 'notify' }), secrets: { env: options.env ?? process.env } });
      const kc = loadKubeconfig(options.kubeconfig ?? {});
      const connect = kubeConnector(kc, { timeoutMs: options.requestTimeoutMs ?? 10_000 });
      let runtime: HubRuntime | undefined;
      driver = new RolloutDriver({
        connect,
        clock: systemClock,
        store: new SqliteRolloutStore(store),
        onEvent: (event) => runtime?.onLoopEvent(event),
        onClusterSynced: (result) => runtime?.onClusterSynced(result),
        onRolloutChanged: (rollout) => runtime?.onRolloutChanged(rollout),
        onError: (error) => log.error({ code: error.code, error: error.message }, 'rollout driver problem'),
        reconciler: { concurrency: options.concurrency, resyncMs: options.resyncMs, waitIntervalMs: options.waitIntervalMs },
        stepMs: options.rolloutStepMs,
      });
      const source = openFleetSource(options, {
        onRevision: (revision) => runtime?.onRevision(revision),
        onError: (error) => runtime?.onFetchError(error),
      });
      const webhookSecret = () => {
        if (options.webhookSecretFile !== undefined) {
          try {
            return readFileSync(options.webhookSecretFile, 'utf8').replace(/\r?\n$/, '') || undefined;
          } catch (error) {
            log.error({ file: options.webhookSecretFile, code: (error as NodeJS.ErrnoException).code }, 'the webhook secret file cannot be read');
            return undefined;
          }
        }
        return options.webhookSecret || undefined;
      };
      if (webhookSecret() === undefined) log.warn({}, 'no webhook secret: POST /hooks/git refuses every request (give --webhook-secret-file or FLOTILLA_WEBHOOK_SECRET)');
      let actions: HubActions | undefined;
      server = await createHubServer({
        state,
        actions: {
          requestSync: (r, a) => actions!.requestSync(r, a),
          rolloutAction: (r, c, a) => actions!.rolloutAction(r, c, a),
          gitPush: (p) => actions!.gitPush(p),
          agentReport: (c, r, a) => actions!.agentReport(c, r, a),
        },
        events,
        audit: store,
        deadLetters: store,
        tokens,
        metrics,
        webhookSecret,
        logger: log,
        dashboardDir: options.dashboardDir,
        clusterDetail: (name) => runtime?.clusterDetail(name),
        plan: () => runtime?.fleetPlan() ?? { plan: null, reason: 'the hub is starting' },
      });
      const bound = await server.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
      runtime = new HubRuntime({ options, store, state, events, metrics, notifier, driver, source, server, url: bound.url, port: bound.port });
      actions = runtime;
      await runtime.wire();
      return runtime;
    } catch (error) {
      await server?.close();
      await driver?.stop();
      store.close();
      throw error;
    }
  }

  private async wire(): Promise<void> {
    this.events.subscribe((e) => this.metrics.observe(e));
    this.events.subscribe((e) => this.notifier.notify(e));
    this.events.subscribe((e) => {
      const fields = { event: e.type, cluster: e.cluster, release: e.release, object: e.object };
      if (e.type === 'SyncFailed' || e.type === 'GuardBlocked' || e.type === 'ClusterUnreachable' || e.type === 'RolloutHalted' || e.type === 'TargetFailed') this.log.warn({ ...fields, message: e.message }, e.type);
      else this.log.info(fields, e.type);
    });
    for (const t of this.state.targets()) this.metrics.setTarget(t);
    this.state.setFleet({ repo: redactUrl(this.options.repo), ...(this.options.branch ? { branch: this.options.branch } : {}), releases: [], clusters: 0 });
    this.state.setReady(false, 'the first fetch of the fleet repository has not finished');
    // The driver reads every stored record first, so the rollouts are served before the first fetch.
    await this.driver.start();
    for (const rollout of this.driver.list()) this.onRolloutChanged(rollout);
    this.source.poll();
  }

  /**
   * close shuts the hub down: no new requests (open event streams end), the Git source stops,
   * syncs in flight finish and the watches close, notifications in flight finish (what still
   * waits becomes a dead letter), then the store closes and the lock is released.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.server.close();
    this.source.stop();
    await this.renderer.close();
    await this.driver.stop();
    await this.notifier.close();
    this.store.close();
  }

  // ---- the Git source and the desired state

  private onFetchError(error: FlotillaError): void {
    this.log.warn({ code: error.code, error: error.message }, 'fetch failed; the last good revision stays');
    this.state.setFleet({ ...this.state.fleet(), error: { code: error.code, message: error.message } });
    if (!this.latest) this.state.setReady(false, `the fleet repository cannot be fetched: ${error.message}`);
  }

  private onRevision(revision: GitRevision): void {
    if (this.closed) return;
    this.log.info({ revision: revision.commit, branch: revision.branch }, 'fetched a new revision');
    this.metrics.setSourceRevision(this.options.repo, revision.commit);
    // Revisions fetched while one renders are not queued: only the newest is rendered next.
    this.waitingRevision = revision;
    if (!this.rendering) void this.renderWaiting();
  }

  private async renderWaiting(): Promise<void> {
    this.rendering = true;
    try {
      while (this.waitingRevision && !this.closed) {
        const revision = this.waitingRevision;
        this.waitingRevision = undefined;
        await this.takeRevision(revision);
      }
    } finally {
      this.rendering = false;
    }
  }

  private async takeRevision(revision: GitRevision): Promise<void> {
    let rendered: RenderedRevision;
    try {
      rendered = await this.renderer.render(this.source.dir, revision.commit);
    } catch (error) {
      if (this.closed) return;
      const problem = error instanceof FlotillaError ? error : new FlotillaError('INTERNAL', (error as Error).message, { cause: error });
      this.log.error({ revision: revision.commit, code: problem.code, error: problem.message }, 'the fleet does not load at this revision; the last good one stays');
      this.state.setFleet({ ...this.state.fleet(), revision: revision.commit, fetchedAt: Date.now(), error: { code: problem.code, message: problem.message } });
      if (!this.latest) this.state.setReady(false, `the fleet does not load: ${problem.message}`);
      return;
    }
    if (this.closed) return;
    this.latest = rendered;
    const fleet = rendered.fleet;
    this.notifier.setNotifications(fleet.notifications);
    const { errors, warnings } = this.notifier.check();
    for (const e of errors) this.log.error({ code: e.code, error: e.message }, 'notification cannot be delivered');
    for (const w of warnings) this.log.warn({}, w);
    const counts = new Map<string, number>();
    for (const r of rendered.targets.values()) counts.set(r.target.release.name, (counts.get(r.target.release.name) ?? 0) + 1);
    this.state.setFleet({
      name: fleet.name,
      repo: redactUrl(this.options.repo),
      branch: revision.branch,
      revision: revision.commit,
      fetchedAt: Date.now(),
      releases: fleet.releases.map((r) => ({ name: r.name, targets: counts.get(r.name) ?? 0, rollout: Boolean(fleet.rollout) })),
      clusters: fleet.clusters.length,
    });
    const previous = new Map(this.state.clusters().map((c) => [c.name, c]));
    this.state.setClusters(fleet.clusters.map((c): ClusterView => ({ ...(previous.get(c.name) ?? {}), name: c.name, labels: c.labels, mode: c.connection.mode })));
    for (const name of previous.keys()) if (!fleet.clusters.some((c) => c.name === name)) this.metrics.removeCluster(name);
    for (const t of this.state.targets()) {
      if (!rendered.targets.has(`${t.cluster}/${t.release}`)) {
        this.state.removeTarget(t.cluster, t.release);
        this.metrics.removeTarget(t.cluster, t.release);
        this.reportedTargets.delete(`${t.cluster}/${t.release}`);
      }
    }
    // Pull-mode clusters are reconciled by their agents; the hub only shows what they report.
    const targets: TargetInput[] = [...rendered.targets.values()].filter((r) => r.target.cluster.connection.mode !== 'pull').map((r) => ({ target: r.target, render: r.result }));
    this.driver
      .setDesired({ fleet, revision: revision.commit, targets })
      .then(() => {
        this.state.setReady(true);
        this.refreshTargets();
      })
      .catch((error: unknown) => this.log.error({ err: error, revision: revision.commit }, 'the new revision could not be handed to the rollout driver'));
  }

  // ---- what the loop reports

  private onLoopEvent(event: ReconcileEvent): void {
    this.events.publish(event);
    if (event.type === 'ClusterUnreachable') this.state.updateCluster(event.cluster, { reachable: false, message: event.message });
    if (event.type === 'ClusterReachable') this.state.updateCluster(event.cluster, { reachable: true, message: undefined, lastSeen: event.time });
    if (event.type === 'DriftDetected' || event.type === 'DriftCorrected' || event.type === 'DriftResolved') this.refreshTargets({ cluster: event.cluster });
  }

  private onClusterSynced(result: ClusterSyncResult): void {
    this.metrics.observeReconcile(result.cluster, result.durationMs / 1000);
    if (result.state !== 'Unreachable') this.state.updateCluster(result.cluster, { reachable: true, lastSeen: Date.now(), message: undefined });
    else this.metrics.setClusterUp(result.cluster, false);
    this.refreshTargets({ cluster: result.cluster });
  }

  private onRolloutChanged(rollout: RolloutState): void {
    if (this.closed) return;
    this.state.setRollout(rollout);
    this.metrics.setRollout(rollout);
    // A rollout moves the pins (the desired revision) of its own release's targets only.
    this.refreshTargets({ release: rollout.release });
  }

  /**
   * refreshTargets copies the loop's view of the targets (all, or those of one cluster or one
   * release: what an event can have changed) into the served state and the metrics.
   */
  private refreshTargets(only?: { cluster?: string; release?: string }): void {
    if (this.closed) return;
    const reconciler = this.driver.reconciler;
    const drift = new Map<string, number>();
    for (const c of reconciler.drift(only?.cluster)) for (const o of c.objects) drift.set(`${c.cluster}/${o.release}`, (drift.get(`${c.cluster}/${o.release}`) ?? 0) + 1);
    for (const r of reconciler.targets(only)) {
      const pinned = this.driver.pinnedRevision(r.release, r.cluster);
      const view: TargetView = {
        cluster: r.cluster,
        release: r.release,
        revision: r.revision,
        ...(pinned ? { desiredRevision: pinned } : {}),
        sync: r.sync,
        health: r.health,
        drift: drift.get(`${r.cluster}/${r.release}`) ?? 0,
        message: r.message,
        updatedAt: Date.now(),
      };
      const { updatedAt: _ignored, ...comparable } = view;
      const stamp = JSON.stringify(comparable);
      if (this.reportedTargets.get(r.key) === stamp) continue;
      this.reportedTargets.set(r.key, stamp);
      this.state.setTarget(view);
      this.metrics.setTarget(view);
    }
  }

  /** clusterDetail is what the dashboard's cluster page shows beyond the summary (see describeCluster). */
  clusterDetail(name: string): ClusterDetail | undefined {
    const record = this.latest?.fleet.clusters.find((c) => c.name === name);
    if (!record) return undefined;
    const reconciler = this.driver.reconciler;
    return describeCluster(record, reconciler.targets().filter((t) => t.cluster === name), reconciler.drift().find((d) => d.cluster === name)?.objects ?? []);
  }

  /** fleetPlan is the newest fetched revision against what each cluster runs (see planAgainstRunning). */
  fleetPlan(): { plan: Record<string, unknown> } | { plan: null; reason: string } {
    const latest = this.latest;
    if (!latest) return { plan: null, reason: 'the hub has not loaded the fleet yet' };
    return { plan: planAgainstRunning({ fleet: latest.fleet, commit: latest.commit, rendered: latest.targets.values(), running: this.driver.reconciler.targets() }) };
  }

  // ---- HubActions: what the API asks for

  async requestSync(request: SyncRequest, actor: Principal): Promise<SyncAccepted> {
    const latest = this.latest;
    if (!latest) throw new FlotillaError('API_NOT_FOUND', 'the hub has not loaded the fleet yet', { retryable: true });
    const fleet = latest.fleet;
    if (request.cluster !== undefined && !fleet.clusters.some((c) => c.name === request.cluster)) throw new FlotillaError('API_NOT_FOUND', `the fleet has no cluster ${request.cluster}`);
    if (request.release !== undefined && !fleet.releases.some((r) => r.name === request.release)) throw new FlotillaError('API_NOT_FOUND', `the fleet has no release ${request.release}`);
    let selector: ReturnType<typeof parseLabelSelector> | undefined;
    if (request.selector !== undefined) {
      selector = parseLabelSelector(request.selector, { field: 'selector' });
      if (!selector.ok) throw new FlotillaError('USAGE', selector.issues[0]!.message);
    }
    const targets = [...latest.targets.values()]
      .map((r) => r.target)
      .filter((t) => t.cluster.connection.mode !== 'pull')
      .filter((t) => (request.cluster === undefined || t.cluster.name === request.cluster) && (request.release === undefined || t.release.name === request.release))
      .filter((t) => !selector || (selector.ok && matchesLabelSelector(selector.value, t.cluster.labels)));
    const clusters = [...new Set(targets.map((t) => t.cluster.name))];
    this.log.info({ actor: actor.name, clusters }, 'sync requested');
    for (const cluster of clusters) this.driver.reconciler.trigger(cluster);
    return { targets: targets.map((t) => ({ cluster: t.cluster.name, release: t.release.name })) };
  }

  async rolloutAction(release: string, command: RolloutCommand, actor: Principal): Promise<RolloutState> {
    this.log.info({ actor: actor.name, release, command: command.type }, 'rollout command');
    return this.driver.command(release, command, actor.name);
  }

  async gitPush(push: GitPush): Promise<GitPushOutcome> {
    const branch = this.source.revision?.branch ?? this.options.branch;
    if (branch !== undefined && push.branch !== branch) return { triggered: false, reason: `${push.ref ?? 'the ref'} is not the hub's branch ${branch}` };
    const ours = normalizeRepo(this.options.repo);
    if (push.repository.length > 0 && !push.repository.some((r) => normalizeRepo(r) === ours || ours.endsWith(`/${normalizeRepo(r)}`))) {
      return { triggered: false, reason: `the push is for ${push.repository[0]}, not the hub's repository` };
    }
    void this.source.trigger();
    return { triggered: true };
  }

  async agentReport(cluster: string, report: AgentReport, actor: Principal): Promise<void> {
    const record = this.latest?.fleet.clusters.find((c) => c.name === cluster);
    if (!record) throw new FlotillaError('API_NOT_FOUND', `the fleet has no cluster ${cluster}`);
    const now = Date.now();
    this.state.updateCluster(cluster, { reachable: true, lastSeen: now, message: undefined });
    this.metrics.setClusterUp(cluster, true);
    for (const t of report.targets) {
      const view: TargetView = { cluster, release: t.release, ...(t.revision ? { revision: t.revision } : {}), sync: t.sync, health: t.health, drift: t.drift ?? 0, message: t.message ?? '', updatedAt: now };
      this.state.setTarget(view);
      this.metrics.setTarget(view);
    }
    // Events are at least once: a retried report sends them again, so each agent's sequence
    // numbers are remembered and what was seen is skipped. The cluster is always the agent's own.
    const seen = this.agentSeq.get(cluster);
    const sameAgent = seen !== undefined && seen.agentId === report.agentId;
    let last = sameAgent ? seen.seq : -Infinity;
    for (const e of report.events ?? []) {
      if (e.seq <= last) continue;
      last = e.seq;
      const { seq: _seq, ...event } = e;
      this.events.publish({ ...event, cluster, agent: report.agentId ?? actor.name });
    }
    if (report.agentId !== undefined && Number.isFinite(last)) this.agentSeq.set(cluster, { agentId: report.agentId, seq: last });
    if (report.dropped) this.log.warn({ cluster, dropped: report.dropped }, 'the agent dropped events while the hub was out of reach');
    this.log.debug({ actor: actor.name, cluster, targets: report.targets.length, events: report.events?.length ?? 0 }, 'agent report');
  }
}

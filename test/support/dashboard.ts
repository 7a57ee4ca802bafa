// Shared set-up of the dashboard's end-to-end tests and benchmark: the built dashboard, headless
// Chromium, the real hub (`flotilla serve`'s HubRuntime) reconciling the example fleet from a Git
// repository into sandbox clusters, and, for fleets too large for sandboxes (hundreds of clusters),
// the hub's HTTP server over its real store, event log, tokens and rollout state machine fed with a
// made-up fleet through RecordedHubState (the port the hub runtime feeds).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { FlotillaError } from '../../src/core/index.js';
import { createHubLogger, createHubServer, HubEventLog, HubRuntime, RecordedHubState, TokenSource, type ClusterView, type FleetView, type HubActions, type HubServer, type TargetView } from '../../src/api/index.js';
import type { SyncState } from '../../src/reconcile/index.js';
import { step, type RolloutCommand, type RolloutDecision, type RolloutState, type TargetObservation } from '../../src/rollout/index.js';
import { SqliteHubStore } from '../../src/store/index.js';
import { gitFleet, type GitFleet } from './git-fleet.js';
import { exampleClusters, kubectl, startClusters } from './sync-fleet.js';

const root = new URL('../../', import.meta.url).pathname;

/** dashboardDir is where `npm run build` writes the dashboard. */
export const dashboardDir = join(root, 'dist/web');

/** artifactsDir is where the e2e tests keep their screenshots (gitignored). */
export const artifactsDir = join(root, '.artifacts/dashboard');

/** dashboardTokens are the tokens of the test hub, one per role. */
export const dashboardTokens = {
  viewer: 'viewer-token-dashboard-0123456789',
  operator: 'operator-token-dashboard-0123456789',
  admin: 'admin-token-dashboard-0123456789',
};

function newest(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * ensureDashboardBuilt builds the dashboard with vite when dist/web is missing or older than its
 * sources (the tests run from source; `npm test` has built it already).
 */
export async function ensureDashboardBuilt(): Promise<string> {
  const index = join(dashboardDir, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newest(join(root, 'web'))) return dashboardDir;
  const { build } = await import('vite');
  await build({ configFile: join(root, 'web/vite.config.ts'), logLevel: 'warn' });
  return dashboardDir;
}

/** chromiumPath is Debian's chromium (scripts/setup.sh installs it). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** launchChromium starts headless Chromium with a fresh profile and nothing that phones home. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: run scripts/setup.sh (it installs Debian's chromium) or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** screenshotPath names a screenshot file under .artifacts/dashboard. */
export function screenshotPath(name: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, `${name}.png`);
}

/** FleetSeed is the state a test hub starts with. */
export interface FleetSeed {
  fleet: FleetView;
  clusters: ClusterView[];
  targets: TargetView[];
  rollouts: RolloutState[];
}

const envs = ['dev', 'staging', 'production'];
const regions = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south'];

/**
 * syntheticSeed is a large fleet that looks lived-in: clusters over three environments and five
 * regions, most targets synced, a few drifted, behind, progressing, failing, blocked or unreachable.
 */
export function syntheticSeed(clusterCount: number, releaseNames: readonly string[], now: number): FleetSeed {
  const revision = 'c'.repeat(40);
  const clusters: ClusterView[] = [];
  const targets: TargetView[] = [];
  for (let i = 0; i < clusterCount; i++) {
    const env = envs[i % 3]!;
    const region = regions[Math.floor(i / 3) % regions.length]!;
    const name = `${env}-${region}-${String(i).padStart(3, '0')}`;
    const unreachable = i % 97 === 13;
    clusters.push({ name, labels: { env, region, team: `team-${i % 7}` }, mode: i % 10 === 0 ? 'pull' : 'push', reachable: !unreachable, lastSeen: now - (i % 60) * 1000 });
    releaseNames.forEach((release, r) => {
      const k = (i * 7 + r * 13) % 100;
      const sync: SyncState = unreachable ? 'Unreachable' : k < 85 ? 'Synced' : k < 90 ? 'Drifted' : k < 94 ? 'OutOfSync' : k < 97 ? 'Progressing' : k < 99 ? 'Failed' : 'Blocked';
      targets.push({
        cluster: name,
        release,
        revision: sync === 'OutOfSync' ? 'd'.repeat(40) : revision,
        desiredRevision: revision,
        sync,
        health: sync === 'Progressing' ? 'Progressing' : sync === 'Failed' ? 'Degraded' : sync === 'Unreachable' ? 'Unknown' : 'Healthy',
        drift: sync === 'Drifted' ? 1 + (k % 3) : 0,
        message: sync === 'Synced' ? 'in sync' : `${sync} on ${name}`,
        updatedAt: now,
      });
    });
  }
  const fleet: FleetView = { name: 'large', revision, branch: 'main', fetchedAt: now, releases: releaseNames.map((name) => ({ name, targets: clusterCount, rollout: false })), clusters: clusterCount };
  return { fleet, clusters, targets, rollouts: [] };
}

/** DashboardHub is a running hub server for the dashboard to talk to. */
export interface DashboardHub {
  url: string;
  server: HubServer;
  state: RecordedHubState;
  events: HubEventLog;
  store: SqliteHubStore;
  close(): Promise<void>;
}

/**
 * startDashboardHub serves a seeded state on a free port: the hub's real server, store, event log
 * and tokens. Sync requests answer the targets they select; rollout commands go through the real
 * rollout state machine (`step`), and its events into the event log, as the hub's loop does.
 */
export async function startDashboardHub(seed: FleetSeed, options: { now?: () => number } = {}): Promise<DashboardHub> {
  const now = options.now ?? Date.now;
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-dashboard-'));
  const store = SqliteHubStore.open(join(dir, 'data'));
  const state = new RecordedHubState(store);
  state.setFleet(seed.fleet);
  state.setClusters(seed.clusters);
  for (const t of seed.targets) state.setTarget(t);
  for (const r of seed.rollouts) state.setRollout(r);
  state.setReady(true);
  const events = new HubEventLog(store);
  const observations = (release: string): Record<string, TargetObservation> =>
    Object.fromEntries(state.targets().filter((t) => t.release === release).map((t) => [t.cluster, { revision: t.revision, sync: t.sync, health: t.health }]));
  const publish = (release: string, decisions: RolloutDecision[]) => {
    for (const d of decisions) if (d.type === 'event') events.publish({ type: d.event, time: now(), release, message: d.message, ...(d.cluster ? { cluster: d.cluster } : {}), ...(d.wave ? { wave: d.wave } : {}) });
  };
  const actions: HubActions = {
    requestSync: async (request) => {
      const picked = state.targets().filter((t) => (!request.cluster || t.cluster === request.cluster) && (!request.release || t.release === request.release));
      if (request.cluster && picked.length === 0) throw new FlotillaError('API_NOT_FOUND', `the fleet has no cluster ${request.cluster}`);
      return { targets: picked.map((t) => ({ cluster: t.cluster, release: t.release })) };
    },
    rolloutAction: async (release, command: RolloutCommand) => {
      const current = state.rollouts().find((r) => r.release === release);
      if (!current) throw new FlotillaError('API_NOT_FOUND', `release ${release} has no rollout`);
      const result = step(current, { now: now(), targets: observations(release), commands: [command] });
      state.setRollout(result.state);
      publish(release, result.decisions);
      return result.state;
    },
    gitPush: async () => ({ triggered: false, reason: 'this hub has no Git source' }),
    agentReport: async () => {},
  };
  const server = await createHubServer({
    state,
    actions,
    events,
    audit: store,
    deadLetters: store,
    tokens: TokenSource.open({ text: JSON.stringify(Object.entries(dashboardTokens).map(([role, token]) => ({ name: `${role}-user`, role, token }))) }),
    dashboardDir,
    sseHeartbeatMs: 5000,
  });
  const { url } = await server.listen({ port: 0 });
  return {
    url,
    server,
    state,
    events,
    store,
    close: async () => {
      await server.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** ExampleHub is the real hub reconciling the example fleet into six sandbox clusters. */
export interface ExampleHub {
  url: string;
  hub: HubRuntime;
  sandbox: Awaited<ReturnType<typeof startClusters>>;
  work: GitFleet;
  /** The commit every cluster ran first, and the one rolled out since (waiting at production). */
  first: string;
  second: string;
  /** kubectl against one sandbox cluster, as a person at a terminal. */
  kubectl(cluster: string, args: string[]): Promise<string>;
  close(): Promise<void>;
}

async function until(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!ok()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * startExampleHub runs `flotilla serve`'s runtime over the example fleet (in a Git repository) and
 * six sandbox clusters, serving the built dashboard, and waits for the state the tests start from:
 * every target synced and healthy at a first commit, then a change to the web app rolled out to
 * dev and staging with production waiting for approval. Test settings: staging soaks 1 s (not 2 m),
 * `web` does not self-heal (a manual edit stays visible as drift until a sync), prod-eu-west's
 * record carries its live fingerprint, and the hub fetches every 300 ms.
 */
export async function startExampleHub(): Promise<ExampleHub> {
  const sandbox = await startClusters(exampleClusters);
  const work = gitFleet();
  const base = mkdtempSync(join(tmpdir(), 'flotilla-dashboard-hub-'));
  let hub: HubRuntime | undefined;
  try {
    const run = (cluster: string, args: string[]) => kubectl(sandbox, cluster, args);
    const uid = await run('prod-eu-west', ['get', 'namespace', 'kube-system', '-o', 'jsonpath={.metadata.uid}']);
    work.replace('clusters/prod-eu-west/cluster.yaml', '  connection:\n', `  fingerprint: "${uid}"\n  connection:\n`);
    work.replace('flotilla.yaml', 'soak: 2m', 'soak: 1s');
    work.replace('flotilla.yaml', '    timeout: 5m\n', '    timeout: 5m\n    selfHeal: false\n');
    const first = work.commit('Test settings: short soak, no self-heal for web, a recorded fingerprint');
    hub = await HubRuntime.start({
      repo: work.dir,
      branch: 'main',
      intervalMs: 300,
      dataDir: join(base, 'data'),
      port: 0,
      tokensText: JSON.stringify(Object.entries(dashboardTokens).map(([role, token]) => ({ name: `${role}-user`, role, token }))),
      kubeconfig: { text: sandbox.kubeconfig() },
      rolloutStepMs: 50,
      waitIntervalMs: 20,
      dashboardDir,
      logger: createHubLogger({ format: 'json', level: 'error', destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
    });
    const running = hub;
    await until('every target to be synced and healthy', () => running.state.targets().length === 12 && running.state.targets().every((t) => t.sync === 'Synced' && t.health === 'Healthy' && t.revision === first));
    work.replace('apps/web/base/deployment.yaml', 'image: nginx:1.27', 'image: nginx:1.28');
    const second = work.commit('web: nginx 1.28');
    await until('the production wave to wait for approval', () => running.state.rollouts().some((r) => r.release === 'web' && r.revision === second && r.phase === 'WaitingApproval'));
    return {
      url: running.url,
      hub: running,
      sandbox,
      work,
      first,
      second,
      kubectl: run,
      close: async () => {
        await running.close();
        await sandbox.stop();
        work.remove();
        rmSync(base, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await hub?.close();
    await sandbox.stop();
    work.remove();
    throw error;
  }
}

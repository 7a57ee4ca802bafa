// The hybrid topology (SPEC §1): three sandbox clusters under agents and three under the hub, one
// bare Git repository. All six show in the hub's API and in `flotilla status --hub`, the agent
// clusters marked pull; the hub writes nothing to a pull cluster; an agent token of one cluster
// cannot report for another (403). Then the hub is killed and Git changes: the agent clusters
// converge anyway while their reports wait in the agents' buffers, and the restarted hub shows the
// history it missed, with the times the events happened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createHubLogger, HubRuntime, type HubRuntimeOptions } from '../../src/api/index.js';
import { systemClock, kubeConnector, loadKubeconfig } from '../../src/kube/index.js';
import { Agent, hubReportTransport, type AgentReportBody } from '../../src/reconcile/index.js';
import { clusterRecord } from '../support/fleet-files.js';
import { bareFleet, runFlotilla } from '../support/git-fleet.js';
import { startClusters } from '../support/sync-fleet.js';

const viewer = 'viewer-token-agents-0001';
const agentToken = (cluster: string) => `agent-token-${cluster}-0001`;
const pushClusters = ['hub-1', 'hub-2', 'hub-3'];
const pullClusters = ['edge-1', 'edge-2', 'edge-3'];
// A pull cluster whose agent never runs: nothing may ever be written to it.
const idleCluster = 'edge-idle';

const record = (name: string, mode: 'push' | 'pull') => clusterRecord(name, { labels: { env: mode === 'pull' ? 'edge' : 'core' }, connection: { context: name, mode } });

function fleetFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'flotilla.yaml': `apiVersion: flotilla.dev/v1alpha1
kind: Fleet
metadata: {name: hybrid}
spec:
  releases:
  - name: web
    path: apps/web
    namespace: web
    targets: {selector: {}}
`,
    'apps/web/kustomization.yaml': 'resources: [namespace.yaml, config.yaml]\n',
    'apps/web/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n',
    'apps/web/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config}\ndata: {greeting: hello, cluster: "${CLUSTER_NAME}"}\n',
  };
  for (const c of pushClusters) files[`clusters/${c}/cluster.yaml`] = record(c, 'push');
  for (const c of [...pullClusters, idleCluster]) files[`clusters/${c}/cluster.yaml`] = record(c, 'pull');
  return files;
}

async function waitFor<T>(what: string, find: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = await find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function get(url: string, path: string, token = viewer): Promise<{ status: number; json: any }> {
  const answer = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await answer.text();
  return { status: answer.status, json: text ? JSON.parse(text) : undefined };
}

test('three agent clusters and three hub clusters: one pane, 403 across clusters, agents converge while the hub is down and the hub catches up', { timeout: 120_000 }, async (t) => {
  const fleet = bareFleet(fleetFiles());
  const { work, bare } = fleet;

  const sandbox = await startClusters([...pushClusters, ...pullClusters, idleCluster]);
  const base = mkdtempSync(join(tmpdir(), 'flotilla-hybrid-'));
  const tokensFile = join(base, 'tokens.yaml');
  writeFileSync(tokensFile, [`- {name: vera, role: viewer, token: ${viewer}}`, ...pullClusters.map((c) => `- {name: agent-${c}, role: agent, cluster: ${c}, token: ${agentToken(c)}}`)].join('\n') + '\n');
  const hubOptions = (port: number): HubRuntimeOptions => ({
    repo: bare,
    branch: 'main',
    intervalMs: 60_000,
    dataDir: join(base, 'hub'),
    port,
    tokensFile,
    // The hub's kubeconfig could reach the pull clusters too: it must still leave them alone.
    kubeconfig: { text: sandbox.kubeconfig() },
    rolloutStepMs: 50,
    waitIntervalMs: 20,
    logger: createHubLogger({ format: 'json', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
  });
  let hub = await HubRuntime.start(hubOptions(0));
  const hubUrl = hub.url;
  const readers = kubeConnector(loadKubeconfig({ text: sandbox.kubeconfig() }));
  const sessions = new Map([...pushClusters, ...pullClusters, idleCluster].map((c) => [c, readers({ name: c, connection: { context: c } })]));
  const greeting = async (cluster: string) => ((await sessions.get(cluster)!.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'web-config' }))?.data as Record<string, string> | undefined)?.greeting;
  const agents = pullClusters.map(
    (cluster) =>
      new Agent({
        cluster,
        repo: `file://${bare}`,
        branch: 'main',
        dataDir: join(base, `agent-${cluster}`),
        connect: (r) => readers({ name: r.name, connection: { context: cluster } }),
        clock: systemClock,
        hub: { url: hubUrl, token: agentToken(cluster) },
        reportBackoff: { baseMs: 50, maxMs: 400 },
        heartbeatMs: 1000,
        waitIntervalMs: 20,
        agentVersion: 'test',
      }),
  );
  try {
    for (const a of agents) a.start();
    const first = work.git('rev-parse', 'HEAD');

    // One pane: every cluster's target in the hub's API, pull clusters marked and reported.
    await waitFor('all six clusters Synced at the first commit in the hub', async () => {
      const targets = (await get(hubUrl, '/api/v1/targets')).json.targets as { cluster: string; sync: string; revision?: string }[];
      return [...pushClusters, ...pullClusters].every((c) => targets.some((x) => x.cluster === c && x.sync === 'Synced' && x.revision === first));
    });
    const clusters = (await get(hubUrl, '/api/v1/clusters')).json.clusters as { name: string; mode: string; lastSeen?: number; reachable?: boolean }[];
    for (const c of pushClusters) assert.equal(clusters.find((x) => x.name === c)?.mode, 'push', c);
    for (const c of pullClusters) {
      const view = clusters.find((x) => x.name === c);
      assert.equal(view?.mode, 'pull', c);
      assert.equal(view?.reachable, true, `${c} reached through its agent`);
      assert.ok(view?.lastSeen, `${c} was seen`);
    }
    for (const c of [...pushClusters, ...pullClusters]) assert.equal(await greeting(c), 'hello', c);
    assert.equal(await greeting(idleCluster), undefined, 'the hub never writes to a pull cluster');
    assert.equal(await sessions.get(idleCluster)!.get({ apiVersion: 'v1', kind: 'Namespace', name: 'web' }), undefined);

    // `flotilla status --hub`: the six clusters (and the idle pull cluster, with no target yet).
    const status = await runFlotilla(['status', '--hub', hubUrl, '--token', viewer]);
    assert.equal(status.status, 0, status.stderr);
    const rows = status.stdout.trim().split('\n');
    assert.match(rows[0]!, /^CLUSTER\s+MODE\s+RELEASE\s+REVISION\s+SYNC\s+HEALTH/);
    for (const c of pushClusters) assert.ok(rows.some((r) => new RegExp(`^${c}\\s+push\\s+web\\s+${first.slice(0, 12)}\\s+Synced\\s+Healthy`).test(r)), `${c} in:\n${status.stdout}`);
    for (const c of pullClusters) assert.ok(rows.some((r) => new RegExp(`^${c}\\s+pull\\s+web\\s+${first.slice(0, 12)}\\s+Synced\\s+Healthy`).test(r)), `${c} in:\n${status.stdout}`);
    t.diagnostic(`flotilla status --hub:\n${status.stdout}`);

    // An agent token reports only for its own cluster.
    const body: AgentReportBody = { agentId: 'intruder', targets: [{ release: 'web', sync: 'Failed', health: 'Degraded', drift: 0, message: 'forged' }], events: [], dropped: 0 };
    const forged = await fetch(`${hubUrl}/api/v1/agents/edge-2/report`, { method: 'POST', headers: { authorization: `Bearer ${agentToken('edge-1')}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(forged.status, 403);
    assert.match(((await forged.json()) as { error: { code: string } }).error.code, /API_FORBIDDEN/);
    const viaTransport = await hubReportTransport({ hub: hubUrl, cluster: 'hub-1', token: agentToken('edge-1') })(body);
    assert.deepEqual([viaTransport.kind, 'status' in viaTransport ? viaTransport.status : undefined], ['retry', 403]);
    assert.equal((await fetch(`${hubUrl}/api/v1/agents/edge-1/report`, { method: 'POST', headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).status, 403, 'a viewer cannot report');
    const edge2 = (await get(hubUrl, '/api/v1/targets?cluster=edge-2')).json.targets as { sync: string }[];
    assert.deepEqual(edge2.map((x) => x.sync), ['Synced'], 'the forged report changed nothing');

    // The hub goes down; Git changes. The agents converge by themselves and buffer their reports.
    await hub.close();
    const down = Date.now();
    work.replace('apps/web/config.yaml', 'greeting: hello', 'greeting: hej');
    const second = work.commit('Say hej');
    work.git('push', '--quiet', 'origin', 'main');
    await Promise.all(agents.map((a) => a.fetchNow()));
    for (const c of pullClusters) await waitFor(`${c} to converge without the hub`, async () => (await greeting(c)) === 'hej');
    for (const c of pushClusters) assert.equal(await greeting(c), 'hello', `${c} waits for its hub`);
    for (const a of agents) {
      const reporting = await waitFor('the agent to notice the hub is down', () => (a.status().hub?.connected === false ? a.status().hub : undefined));
      assert.ok(reporting.buffered > 0, 'the missed events wait in the buffer');
      assert.equal(reporting.droppedTotal, 0);
    }
    const agentMetrics = await agents[0]!.metrics.metrics();
    assert.match(agentMetrics, /flotilla_agent_hub_up 0/);
    assert.match(agentMetrics, /flotilla_agent_report_buffer_events [1-9]/);

    // The hub is back on the same address and data: the missed history arrives, in order.
    hub = await HubRuntime.start(hubOptions(Number(new URL(hubUrl).port)));
    const restarted = Date.now();
    for (const c of pullClusters) {
      const events = await waitFor(`the history of ${c} to reach the restarted hub`, async () => {
        const list = (await get(hubUrl, `/api/v1/events?cluster=${c}&type=SyncSucceeded&limit=50`)).json.events as { revision: string; time: number; cluster: string }[];
        return list.some((e) => e.revision === second) ? list : undefined;
      });
      const missed = events.find((e) => e.revision === second)!;
      assert.ok(missed.time >= down && missed.time < restarted, `${c}: the event keeps the time it happened (${missed.time}), during the outage`);
      assert.equal(events.filter((e) => e.revision === second).length, 1, `${c}: delivered once`);
    }
    await waitFor('every agent to drain its buffer', () => agents.every((a) => a.status().hub?.buffered === 0 && a.status().hub?.connected === true));
    await waitFor('all six clusters at the new commit in the hub', async () => {
      const targets = (await get(hubUrl, '/api/v1/targets')).json.targets as { cluster: string; sync: string; revision?: string }[];
      return [...pushClusters, ...pullClusters].every((c) => targets.some((x) => x.cluster === c && x.sync === 'Synced' && x.revision === second));
    });
    for (const c of pushClusters) assert.equal(await greeting(c), 'hej', `${c} follows once its hub is back`);
    assert.equal(await greeting(idleCluster), undefined, 'still nothing written to the idle pull cluster');
  } finally {
    await Promise.all(agents.map((a) => a.stop()));
    await hub.close();
    for (const s of sessions.values()) s.close();
    await sandbox.stop();
    fleet.remove();
    rmSync(base, { recursive: true, force: true });
  }
});

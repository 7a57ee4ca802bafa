// The pull-mode agent against sandbox clusters, fetching from a local bare Git repository: it
// reconciles only its own cluster (with the credentials it was given, never the record's
// context), follows a new commit, serves /metrics, /healthz and /readyz, works with in-cluster
// service-account credentials, and waits (ready = false, with the reason) while the fleet has no
// record of its cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeConnector, loadKubeconfig, systemClock, type KubeSession } from '../../src/kube/index.js';
import { Agent, startAgentEndpoint, type ClusterConnector, type ReconcileEvent } from '../../src/reconcile/index.js';
import { clusterRecord } from '../support/fleet-files.js';
import { bareFleet, type BareFleet } from '../support/git-fleet.js';
import { startClusters } from '../support/sync-fleet.js';

const record = (name: string, extra = '') => clusterRecord(name, { labels: { env: 'edge' }, connection: { mode: 'pull', context: 'a-context-of-the-hub-the-agent-never-uses' }, extra });

/** agentFleet writes a fleet with the agent's cluster (and another one) into a repository with a bare remote. */
function agentFleet(clusters: string[]): BareFleet {
  const files: Record<string, string> = {
    'flotilla.yaml': `apiVersion: flotilla.dev/v1alpha1
kind: Fleet
metadata: {name: agents}
spec:
  releases:
  - name: web
    path: apps/web
    namespace: web
    targets: {selector: {}}
  - name: elsewhere
    path: apps/elsewhere
    namespace: elsewhere
    targets: {clusters: [other-1]}
`,
    'apps/web/kustomization.yaml': 'resources: [namespace.yaml, config.yaml]\n',
    'apps/web/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n',
    'apps/web/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config}\ndata: {greeting: hello, cluster: "${CLUSTER_NAME}"}\n',
    'apps/elsewhere/kustomization.yaml': 'resources: [all.yaml]\n',
    'apps/elsewhere/all.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: elsewhere}\n',
  };
  for (const c of clusters) files[`clusters/${c}/cluster.yaml`] = record(c);
  return bareFleet(files);
}

async function waitFor<T>(what: string, find: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = await find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** onContext is a connector that opens every record on one context: the agent's own cluster. */
function onContext(kubeconfig: string, context: string): ClusterConnector {
  const open = kubeConnector(loadKubeconfig({ text: kubeconfig }));
  return (r) => open({ name: r.name, connection: { context } });
}

test('an agent reconciles only its own cluster from a bare repository and follows a new commit', { timeout: 60_000 }, async (t) => {
  const { work, bare, remove } = agentFleet(['edge-1', 'other-1']);
  const sandbox = await startClusters(['edge-1', 'other-1']);
  const dataDir = mkdtempSync(join(tmpdir(), 'flotilla-agentdata-'));
  const reader = kubeConnector(loadKubeconfig({ text: sandbox.kubeconfig() }));
  const sessions: KubeSession[] = [];
  const read = async (cluster: string, kind: 'ConfigMap' | 'Namespace', name: string, namespace?: string) => {
    const session = reader({ name: cluster, connection: { context: cluster } });
    sessions.push(session);
    return session.get({ apiVersion: 'v1', kind, name, ...(namespace ? { namespace } : {}) });
  };
  const config = async (cluster: string) => (await read(cluster, 'ConfigMap', 'web-config', 'web'))?.data as Record<string, string> | undefined;
  const events: ReconcileEvent[] = [];
  const agent = new Agent({ cluster: 'edge-1', repo: `file://${bare}`, branch: 'main', dataDir, connect: onContext(sandbox.kubeconfig(), 'edge-1'), clock: systemClock, waitIntervalMs: 20, helm: '/nonexistent/helm' });
  agent.subscribe((e) => events.push(e));
  const endpoint = await startAgentEndpoint(agent, { port: 0 });
  try {
    assert.equal((await fetch(`${endpoint.url}/readyz`)).status, 503, 'not ready before the first fetch');
    agent.start();
    const first = work.git('rev-parse', 'HEAD');
    await waitFor('edge-1 to get its config', async () => (await config('edge-1'))?.greeting === 'hello');
    assert.equal((await config('edge-1'))?.cluster, 'edge-1');
    assert.equal(await read('edge-1', 'Namespace', 'elsewhere'), undefined, "another cluster's release is not rendered for this one");
    assert.equal(await read('other-1', 'Namespace', 'web'), undefined, 'the agent writes to no other cluster');
    await waitFor('the target to read Synced', () => agent.status().targets.find((x) => x.release === 'web' && x.sync === 'Synced'));
    assert.deepEqual(agent.status().targets.map((x) => [x.release, x.revision, x.sync, x.health]), [['web', first, 'Synced', 'Healthy']]);

    // A new commit: the agent fetches it (now, rather than in a minute) and converges.
    work.replace('apps/web/config.yaml', 'greeting: hello', 'greeting: hola');
    const second = work.commit('Say hola');
    work.git('push', '--quiet', 'origin', 'main');
    const pushed = Date.now();
    await agent.fetchNow();
    await waitFor('edge-1 to follow the commit', async () => (await config('edge-1'))?.greeting === 'hola');
    t.diagnostic(`commit to change on edge-1: ${Date.now() - pushed} ms`);
    await waitFor('the status to name the new revision', () => agent.status().targets[0]?.revision === second);
    assert.ok(events.some((e) => e.type === 'SyncSucceeded' && e.revision === second && e.cluster === 'edge-1'));

    // Its own endpoint: probes and the metrics of SPEC §9 for its cluster.
    const ready = await fetch(`${endpoint.url}/readyz`);
    assert.equal(ready.status, 200);
    const health = (await (await fetch(`${endpoint.url}/healthz`)).json()) as { status: string; cluster: string; revision: string; hub?: unknown };
    assert.equal(health.status, 'ok');
    assert.equal(health.cluster, 'edge-1');
    assert.equal(health.revision, second);
    assert.equal(health.hub, undefined, 'no hub, no reporting');
    const metrics = await (await fetch(`${endpoint.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`flotilla_target_info\\{cluster="edge-1",release="web",revision="${second}",sync_status="Synced",health_status="Healthy"\\} 1`));
    assert.match(metrics, /flotilla_apply_total\{cluster="edge-1",result="succeeded"\} [2-9]/);
    assert.match(metrics, new RegExp(`flotilla_source_revision_info\\{repo="file://${bare}",revision="${second}"\\} 1`));
    assert.match(metrics, /flotilla_reconcile_duration_seconds_count\{cluster="edge-1"\} [2-9]/);
    assert.equal((await fetch(`${endpoint.url}/metrics`, { method: 'POST' })).status, 405);
  } finally {
    await agent.stop();
    await endpoint.close();
    for (const s of sessions) s.close();
    await sandbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
    remove();
  }
});

test("an agent in a pod uses its service account: KUBERNETES_SERVICE_HOST/PORT, the token and the CA", { timeout: 60_000 }, async () => {
  const { bare, remove } = agentFleet(['edge-1', 'other-1']);
  const sandbox = await startClusters(['edge-1']);
  const pod = mkdtempSync(join(tmpdir(), 'flotilla-pod-'));
  const account = join(pod, 'var/run/secrets/kubernetes.io/serviceaccount');
  mkdirSync(account, { recursive: true });
  writeFileSync(join(account, 'token'), sandbox.adminToken);
  writeFileSync(join(account, 'ca.crt'), sandbox.caCert!);
  writeFileSync(join(account, 'namespace'), 'flotilla-system');
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  const dataDir = mkdtempSync(join(tmpdir(), 'flotilla-agentdata-'));
  let agent: Agent | undefined;
  try {
    delete process.env.KUBERNETES_SERVICE_HOST;
    assert.throws(() => loadKubeconfig({ inCluster: { pathPrefix: pod } }), (e: Error & { code?: string }) => e.code === 'KUBECONFIG_INVALID' && /not run in a pod/.test(e.message));
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = String(sandbox.cluster('edge-1').port);
    const kc = loadKubeconfig({ inCluster: { pathPrefix: pod } });
    assert.equal(kc.getCurrentContext(), 'inClusterContext');
    const open = kubeConnector(kc);
    agent = new Agent({ cluster: 'edge-1', repo: bare, dataDir, connect: (r) => open({ name: r.name, connection: { context: 'inClusterContext' } }), clock: systemClock, waitIntervalMs: 20 });
    agent.start();
    await waitFor('the target to sync with the service account', () => agent!.status().targets.find((x) => x.sync === 'Synced'));
    const data = sandbox.cluster('edge-1').api.store.get('/configmaps', 'web', 'web-config')?.data as Record<string, string> | undefined;
    assert.equal(data?.cluster, 'edge-1');
  } finally {
    await agent?.stop();
    if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
    else process.env.KUBERNETES_SERVICE_HOST = saved.host;
    if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
    else process.env.KUBERNETES_SERVICE_PORT = saved.port;
    await sandbox.stop();
    rmSync(pod, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
    remove();
  }
});

test('an agent whose cluster has no record waits, not ready, and starts once the record is committed', { timeout: 60_000 }, async () => {
  const { work, bare, remove } = agentFleet(['other-1']);
  const sandbox = await startClusters(['edge-1']);
  const dataDir = mkdtempSync(join(tmpdir(), 'flotilla-agentdata-'));
  const agent = new Agent({ cluster: 'edge-1', repo: bare, dataDir, connect: onContext(sandbox.kubeconfig(), 'edge-1'), clock: systemClock, waitIntervalMs: 20 });
  try {
    agent.start();
    const reason = await waitFor('the agent to say why it waits', () => agent.status().error);
    assert.equal(reason.code, 'AGENT_CLUSTER_NOT_IN_FLEET');
    assert.match(reason.message, /has no cluster edge-1; it has other-1/);
    assert.deepEqual(agent.ready(), { ready: false, reason: reason.message });
    work.write('clusters/edge-1/cluster.yaml', record('edge-1'));
    work.commit('Add edge-1');
    work.git('push', '--quiet', 'origin', 'main');
    await agent.fetchNow();
    await waitFor('the target to sync once the record exists', () => agent.status().targets.find((x) => x.sync === 'Synced'));
    assert.equal(agent.ready().ready, true);
    assert.equal(agent.status().error, undefined);
  } finally {
    await agent.stop();
    await sandbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
    remove();
  }
});

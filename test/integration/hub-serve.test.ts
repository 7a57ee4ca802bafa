// The hub end to end, in-process, against sandbox clusters and a local bare Git repository: a
// signed push webhook gets a change to the first wave in under 3 s while a bad signature is
// refused, production waits for an approval a viewer may not give (the attempts are audited), a
// restart keeps the history and the rollout where it stood, a manual edit shows in the metrics as
// drift and is healed back to Synced, and the fleet's webhook receiver gets a signed DriftDetected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createHubLogger, HubRuntime, type HubRuntimeOptions } from '../../src/api/index.js';
import { verifyWebhookSignature } from '../../src/notify/index.js';
import { hubReportTransport } from '../../src/reconcile/index.js';
import { writeTree } from '../support/fleet-files.js';
import { bareFleet, gitFleet } from '../support/git-fleet.js';
import { kubectl, kubectlJson, startClusters } from '../support/sync-fleet.js';

const viewer = 'viewer-token-serve-0001';
const operator = 'operator-token-serve-0001';
const admin = 'admin-token-serve-0001';
const hookSecret = 'push-hook-secret';
const notifySecret = 'notify-secret';


const cluster = (name: string, env: string) => `apiVersion: flotilla.dev/v1alpha1
kind: Cluster
metadata:
  name: ${name}
  labels: {env: ${env}}
spec:
  identity: {CLUSTER_NAME: ${name}}
  connection: {context: ${name}}
`;

function fleetFiles(): Record<string, string> {
  return {
    'flotilla.yaml': `apiVersion: flotilla.dev/v1alpha1
kind: Fleet
metadata: {name: hubtest}
spec:
  releases:
  - name: web
    path: apps/web
    namespace: web
    targets: {selector: {}}
  rollout:
    waves:
    - {name: dev, selector: {matchLabels: {env: dev}}}
    - {name: production, selector: {matchLabels: {env: prod}}, approval: manual}
  notifications:
  - name: ops
    type: webhook
    urlFrom: {env: HUBTEST_HOOK_URL}
    secretFrom: {env: HUBTEST_HOOK_SECRET}
    events: [DriftDetected]
`,
    'clusters/dev-1/cluster.yaml': cluster('dev-1', 'dev'),
    'clusters/prod-1/cluster.yaml': cluster('prod-1', 'prod'),
    'apps/web/kustomization.yaml': 'resources: [namespace.yaml, config.yaml]\n',
    'apps/web/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n',
    'apps/web/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config}\ndata: {greeting: hello, cluster: "${CLUSTER_NAME}"}\n',
  };
}

async function waitFor<T>(what: string, find: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = await find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function call(url: string, path: string, token: string | undefined, init: { method?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {}) {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body !== undefined || init.raw !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.raw !== undefined ? { body: init.raw } : init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
}

test('flotilla serve reconciles from a bare repository: webhook in under 3 s, approval by role, restart, drift in the metrics, notifications', { timeout: 90_000 }, async (t) => {
  const { work, bare } = bareFleet(fleetFiles());

  const received: { body: string; verified: boolean; event: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const ok = verifyWebhookSignature({ secret: notifySecret, body, timestamp: req.headers['x-flotilla-timestamp'] as string, signature: req.headers['x-flotilla-signature'] as string, now: Date.now() }).ok;
      received.push({ body, verified: ok, event: String(req.headers['x-flotilla-event']) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));

  const sandbox = await startClusters(['dev-1', 'prod-1']);
  const base = mkdtempSync(join(tmpdir(), 'flotilla-serve-'));
  const tokensFile = join(base, 'tokens.yaml');
  writeFileSync(tokensFile, `- {name: vera, role: viewer, token: ${viewer}}\n- {name: otto, role: operator, token: ${operator}}\n- {name: ada, role: admin, token: ${admin}}\n`);
  const secretFile = join(base, 'hook-secret');
  writeFileSync(secretFile, `${hookSecret}\n`);
  const logs: string[] = [];
  const options: HubRuntimeOptions = {
    repo: bare,
    branch: 'main',
    intervalMs: 60_000,
    dataDir: join(base, 'data'),
    port: 0,
    tokensFile,
    webhookSecretFile: secretFile,
    kubeconfig: { text: sandbox.kubeconfig() },
    rolloutStepMs: 50,
    waitIntervalMs: 20,
    logger: createHubLogger({ format: 'json', level: 'info', destination: new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) }) }),
    env: { ...process.env, HUBTEST_HOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, HUBTEST_HOOK_SECRET: notifySecret },
  };
  let hub = await HubRuntime.start(options);
  try {
    const greeting = async (name: string) => {
      try {
        return ((await kubectlJson(sandbox, name, ['get', 'configmap', 'web-config', '-n', 'web'])).data as Record<string, string>).greeting;
      } catch {
        return undefined;
      }
    };
    const rollout = async () => (await call(hub.url, '/api/v1/rollouts/web', viewer)).json().rollout as { phase: string; revision: string; waves: { name: string; approved: boolean }[] } | undefined;

    // The first revision goes to clusters that never ran the release at once (nothing to protect).
    await waitFor('both clusters to get the config', async () => (await greeting('dev-1')) === 'hello' && (await greeting('prod-1')) === 'hello');
    assert.equal((await call(hub.url, '/readyz', undefined)).status, 200);

    // A push and its signed webhook: the change reaches dev-1 in under 3 s (the interval is 1 m);
    // production, behind a manual approval, keeps the old content.
    work.replace('apps/web/config.yaml', 'greeting: hello', 'greeting: bonjour');
    const commit = work.commit('Say bonjour');
    work.git('push', '--quiet', 'origin', 'main');
    const payload = JSON.stringify({ ref: 'refs/heads/main', after: commit, repository: { clone_url: `file://${bare}`, full_name: 'acme/fleet' } });
    const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;
    const bad = await call(hub.url, '/hooks/git', undefined, { method: 'POST', raw: payload, headers: { 'x-github-event': 'push', 'x-github-delivery': 'bad-1', 'x-hub-signature-256': sign('not-the-secret') } });
    assert.equal(bad.status, 401);
    const pushed = Date.now();
    const hook = await call(hub.url, '/hooks/git', undefined, { method: 'POST', raw: payload, headers: { 'x-github-event': 'push', 'x-github-delivery': 'good-1', 'x-hub-signature-256': sign(hookSecret) } });
    assert.equal(hook.status, 202, hook.text);
    await waitFor('dev-1 to get the pushed change', async () => (await greeting('dev-1')) === 'bonjour', 3000);
    const took = Date.now() - pushed;
    assert.ok(took < 3000, `the change reached dev-1 after ${took} ms`);
    t.diagnostic(`push webhook to change on dev-1: ${took} ms`);
    assert.ok(!logs.join('').includes('acme/fleet'), 'the rejected payload is not logged');
    const waiting = await waitFor('the production wave to wait for approval', async () => {
      const r = await rollout();
      return r?.phase === 'WaitingApproval' ? r : undefined;
    });
    assert.deepEqual([waiting.revision, waiting.waves.map((w) => w.name)], [commit, ['dev', 'production']]);
    assert.equal(await greeting('prod-1'), 'hello', 'nothing reaches production before the approval');

    // A viewer may not approve or sync; the attempts are audited.
    assert.equal((await call(hub.url, '/api/v1/rollouts/web/approve', viewer, { method: 'POST', body: {} })).status, 403);
    assert.equal((await call(hub.url, '/api/v1/sync', viewer, { method: 'POST', body: { cluster: 'dev-1' } })).status, 403);

    // A restart on the same data directory keeps the history and the rollout state.
    await hub.close();
    hub = await HubRuntime.start(options);
    assert.deepEqual(await rollout(), waiting, 'the rollout state is served before the first fetch');
    const history = (await call(hub.url, '/api/v1/events?type=RolloutStarted,WaitingForApproval&limit=100', viewer)).json().events as { type: string }[];
    assert.deepEqual(history.map((e) => e.type).sort(), ['RolloutStarted', 'WaitingForApproval']);
    await waitFor('the restarted hub to reconcile', async () => (await call(hub.url, '/api/v1/targets?cluster=dev-1', viewer)).json().targets[0]?.sync === 'Synced');
    assert.equal((await rollout())?.phase, 'WaitingApproval', 'the approval is still pending after the restart');
    assert.equal(await greeting('prod-1'), 'hello');

    // An operator approves: production gets the change and the rollout completes.
    const approved = await call(hub.url, '/api/v1/rollouts/web/approve', operator, { method: 'POST', body: {} });
    assert.equal(approved.status, 200, approved.text);
    await waitFor('prod-1 to get the change after the approval', async () => (await greeting('prod-1')) === 'bonjour');
    await waitFor('the rollout to complete', async () => (await rollout())?.phase === 'Completed');
    const audit = (await call(hub.url, '/api/v1/audit', admin)).json().audit as { actor: string; outcome: string; path: string }[];
    assert.deepEqual(audit.map((a) => [a.actor, a.outcome, a.path]).reverse(), [
      ['webhook:github', 'denied', '/hooks/git'],
      ['webhook:github', 'succeeded', '/hooks/git'],
      ['vera', 'denied', '/api/v1/rollouts/web/approve'],
      ['vera', 'denied', '/api/v1/sync'],
      ['otto', 'succeeded', '/api/v1/rollouts/web/approve'],
    ]);

    // A manual edit of a field Flotilla applies: the metrics show the target Drifted, then Synced.
    const snapshots: string[] = [];
    const unsubscribe = hub.events.subscribe((e) => {
      if (e.type === 'DriftDetected' && e.cluster === 'dev-1') queueMicrotask(() => void hub.metrics.metrics().then((text) => snapshots.push(text)));
    });
    await kubectl(sandbox, 'dev-1', ['patch', 'configmap', 'web-config', '-n', 'web', '--type=merge', '-p', '{"data":{"greeting":"edited by hand"}}']);
    await waitFor('the drift to be healed', async () => (await greeting('dev-1')) === 'bonjour' && snapshots.length > 0);
    unsubscribe();
    assert.match(snapshots[0]!, /flotilla_target_info\{cluster="dev-1",release="web",revision="[0-9a-f]{40}",sync_status="Drifted",health_status="Healthy"\} 1/);
    const scrape = await waitFor('the metrics to show Synced again', async () => {
      const text = (await call(hub.url, '/metrics', undefined)).text;
      return /flotilla_target_info\{cluster="dev-1",release="web",revision="[0-9a-f]{40}",sync_status="Synced"/.test(text) ? text : undefined;
    });
    assert.match(scrape, /flotilla_drift_detected_total\{cluster="dev-1",release="web"\} [1-9]/);
    assert.match(scrape, /flotilla_drift_corrected_total\{cluster="dev-1",release="web"\} [1-9]/);
    assert.match(scrape, /flotilla_cluster_up\{cluster="dev-1"\} 1/);
    assert.match(scrape, new RegExp(`flotilla_source_revision_info\\{repo="[^"]+",revision="${commit}"\\} 1`));
    assert.match(scrape, /flotilla_rollout_wave\{release="web",wave="production"\} 2/);

    // The fleet's webhook notification got a signed DriftDetected.
    const drift = await waitFor('the DriftDetected notification', () => received.find((r) => r.event === 'DriftDetected'));
    assert.equal(drift.verified, true);
    assert.equal(JSON.parse(drift.body).object, 'ConfigMap/web/web-config');
  } finally {
    await hub.close();
    await sandbox.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    work.remove();
  }
});

test('a pull-mode cluster is left to its agent: the hub takes its reports (the agent transport as is), each event once, and refuses other clusters', { timeout: 60_000 }, async () => {
  const source = mkdtempSync(join(tmpdir(), 'flotilla-pullfleet-'));
  writeTree(source, {
    'flotilla.yaml': 'apiVersion: flotilla.dev/v1alpha1\nkind: Fleet\nmetadata: {name: pull}\nspec:\n  releases:\n  - {name: web, path: apps/web, targets: {selector: {}}}\n',
    'clusters/edge-1/cluster.yaml': 'apiVersion: flotilla.dev/v1alpha1\nkind: Cluster\nmetadata: {name: edge-1, labels: {env: edge}}\nspec:\n  connection: {mode: pull}\n',
    'apps/web/kustomization.yaml': 'resources: [cm.yaml]\n',
    'apps/web/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\ndata: {a: b}\n',
  });
  const work = gitFleet(source);
  const base = mkdtempSync(join(tmpdir(), 'flotilla-pull-'));
  const hub = await HubRuntime.start({
    repo: work.dir,
    dataDir: join(base, 'data'),
    port: 0,
    tokensText: '[{name: edge-agent, role: agent, cluster: edge-1, token: edge-agent-token}, {name: vera, role: viewer, token: pull-viewer-token}]',
    kubeconfig: { text: 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n' },
    logger: createHubLogger({ format: 'json', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
  });
  try {
    await waitFor('the hub to load the fleet', async () => (await call(hub.url, '/readyz', undefined)).status === 200);
    const send = hubReportTransport({ hub: hub.url, cluster: 'edge-1', token: 'edge-agent-token' });
    const report = {
      agentId: 'agent-a',
      revision: 'abc',
      targets: [{ release: 'web', revision: 'abc', sync: 'Drifted' as const, health: 'Healthy' as const, drift: 1, message: '1 object differs' }],
      events: [
        { seq: 1, type: 'DriftDetected' as const, time: 1, cluster: 'edge-1', release: 'web', revision: 'abc', object: 'ConfigMap/default/web', fields: ['/data/a'], missing: false, selfHeal: false },
        { seq: 2, type: 'ClusterReachable' as const, time: 2, cluster: 'someone-else' },
      ],
      dropped: 0,
    };
    assert.deepEqual(await send(report), { kind: 'accepted' });
    assert.deepEqual(await send(report), { kind: 'accepted' }, 'a retry after a lost answer');
    const events = (await call(hub.url, '/api/v1/events', 'pull-viewer-token')).json().events as { type: string; cluster: string; agent: string }[];
    assert.deepEqual(events.map((e) => [e.type, e.cluster, e.agent]), [['ClusterReachable', 'edge-1', 'agent-a'], ['DriftDetected', 'edge-1', 'agent-a']], 'each event once, always under the agent\'s cluster');
    const targets = (await call(hub.url, '/api/v1/targets', 'pull-viewer-token')).json().targets;
    assert.deepEqual(targets.map((t: { cluster: string; sync: string; drift: number }) => [t.cluster, t.sync, t.drift]), [['edge-1', 'Drifted', 1]]);
    const cluster = (await call(hub.url, '/api/v1/clusters/edge-1', 'pull-viewer-token')).json().cluster;
    assert.deepEqual([cluster.mode, cluster.reachable], ['pull', true]);
    const other = await hubReportTransport({ hub: hub.url, cluster: 'edge-2', token: 'edge-agent-token' })(report);
    assert.equal(other.kind, 'retry', 'another cluster is refused (403), which the agent retries');
    assert.match((other as { message: string }).message, /API_FORBIDDEN/);
  } finally {
    await hub.close();
    work.remove();
  }
});

// Fault injection, per cluster, through the library API and the admin endpoint: injected 5xx
// answers, latency, and down/up (the port refuses connections and open watches are cut; the data
// survives). Also the limits of the HTTP edge: 401 and 413 Status bodies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ clusters: ['steady', 'flaky'], adminEndpoint: true, controllers: { enabled: false } });
});

after(async () => {
  await sandbox.stop();
});

function client(context: string): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfig());
  kc.setCurrentContext(context);
  return kc.makeApiClient(CoreV1Api);
}

/** raw sends one request to a cluster and returns the status, body and any connection error code. */
function raw(cluster: string, method: string, path: string, options: { token?: string | null; body?: string } = {}): Promise<{ status: number; body: string; error?: string }> {
  const url = new URL(sandbox.cluster(cluster).url);
  return new Promise((resolve) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        ca: sandbox.caCert,
        headers: {
          ...(options.token === null ? {} : { authorization: `Bearer ${options.token ?? sandbox.adminToken}` }),
          ...(options.body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, body: '', error: error.code ?? error.message }));
    req.end(options.body);
  });
}

test('an error rate of 1 answers every request of that cluster with a 5xx Status, and only that cluster', async () => {
  const faults = sandbox.faults('flaky');
  await faults.set({ errorRate: 1, errorStatus: 503 });
  try {
    const answer = await raw('flaky', 'GET', '/api/v1/namespaces');
    assert.equal(answer.status, 503);
    const status = JSON.parse(answer.body) as { kind: string; code: number; reason: string };
    assert.deepEqual([status.kind, status.code, status.reason], ['Status', 503, 'ServiceUnavailable']);
    await assert.rejects(client('flaky').listNamespace(), (e: { code: number }) => e.code === 503);
    assert.equal((await client('steady').listNamespace()).items.length, 4);
  } finally {
    await faults.clear();
  }
  assert.equal((await client('flaky').listNamespace()).items.length, 4);
});

test('latency delays every answer by the configured time', async () => {
  const faults = sandbox.faults('flaky');
  await faults.set({ latencyMs: 250 });
  try {
    const started = Date.now();
    await client('flaky').readNamespace({ name: 'default' });
    assert.ok(Date.now() - started >= 240, `answered after ${Date.now() - started} ms`);
  } finally {
    await faults.set({ latencyMs: 0 });
  }
});

test('down refuses connections and cuts open watches; up serves again on the same port with the same data', async () => {
  const core = client('flaky');
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'survivor' } } });
  const kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfig());
  kc.setCurrentContext('flaky');
  const ended = new Promise<unknown>((resolve) => {
    void new Watch(kc).watch('/api/v1/namespaces/default/configmaps', { resourceVersion: String(sandbox.cluster('flaky').api.store.resourceVersion) }, () => {}, (error) => resolve(error ?? 'closed'));
  });
  await new Promise((r) => setTimeout(r, 50));
  const port = sandbox.cluster('flaky').port;
  await sandbox.faults('flaky').set({ down: true });
  try {
    assert.notEqual(await Promise.race([ended, new Promise((r) => setTimeout(() => r(undefined), 2000))]), undefined, 'the open watch ended');
    const refused = await raw('flaky', 'GET', '/api/v1/namespaces');
    assert.equal(refused.error, 'ECONNREFUSED');
    assert.equal((await raw('steady', 'GET', '/api/v1/namespaces')).status, 200);
  } finally {
    await sandbox.faults('flaky').set({ down: false });
  }
  assert.equal(sandbox.cluster('flaky').port, port);
  assert.equal((await core.readNamespacedConfigMap({ name: 'survivor', namespace: 'default' })).metadata?.name, 'survivor');
});

test('the admin endpoint lists clusters and sets faults with the admin token', async () => {
  const admin = sandbox.adminUrl!;
  const auth = { authorization: `Bearer ${sandbox.adminToken}` };
  assert.equal((await fetch(`${admin}/clusters`)).status, 401);
  const clusters = (await (await fetch(`${admin}/clusters`, { headers: auth })).json()) as { clusters: Array<{ name: string; url: string; fingerprint: string }> };
  assert.deepEqual(clusters.clusters.map((c) => c.name), ['steady', 'flaky']);
  assert.equal(clusters.clusters[0]!.fingerprint, sandbox.cluster('steady').fingerprint);

  const set = await fetch(`${admin}/clusters/flaky/faults`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 1 }) });
  assert.equal(set.status, 200);
  assert.deepEqual(await set.json(), { latencyMs: 0, errorRate: 1, errorStatus: 500, down: false });
  assert.equal((await raw('flaky', 'GET', '/api/v1/namespaces')).status, 500);
  const bad = await fetch(`${admin}/clusters/flaky/faults`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 2 }) });
  assert.equal(bad.status, 400);
  const reset = await fetch(`${admin}/clusters/flaky/faults`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
  assert.deepEqual(await reset.json(), { latencyMs: 0, errorRate: 0, errorStatus: 500, down: false });
  assert.equal((await raw('flaky', 'GET', '/api/v1/namespaces')).status, 200);
  assert.equal((await fetch(`${admin}/clusters/nope/faults`, { headers: auth })).status, 404);
});

test('no token gets a 401 Status; a body over the limit gets 413; health endpoints need no token', async () => {
  const anonymous = await raw('steady', 'GET', '/api/v1/namespaces', { token: null });
  assert.equal(anonymous.status, 401);
  assert.deepEqual(JSON.parse(anonymous.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { x: 'y'.repeat(4 * 1024 * 1024) } });
  const tooLarge = await raw('steady', 'POST', '/api/v1/namespaces/default/configmaps', { body: big });
  assert.equal(tooLarge.status, 413);
  assert.equal((JSON.parse(tooLarge.body) as { reason: string }).reason, 'RequestEntityTooLarge');
  const ready = await raw('steady', 'GET', '/readyz', { token: null });
  assert.deepEqual([ready.status, ready.body], [200, 'ok']);
  const unknown = await raw('steady', 'GET', '/apis/example.com/v1/widgets');
  assert.deepEqual([unknown.status, unknown.body], [404, '404 page not found\n']);
});

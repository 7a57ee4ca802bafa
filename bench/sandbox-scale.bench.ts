// 1,000 sandbox clusters with 50 objects each in one process: memory, and the latency of a get and
// a list over HTTPS (keep-alive, one client per cluster), against the same requests answered
// in-process (ApiServer.handle, no network) as the peer that isolates what the HTTP edge costs.
import { Agent, request } from 'node:https';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startSandbox, type Sandbox, type SandboxCluster } from '../src/sandbox/index.js';
import type { BenchmarkResult } from './run.js';

const clusters = 1000;
const sampleClusters = 200;
const rounds = 5;

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function ms(v: number): string {
  return v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(2)} ms`;
}

/** objectsFor returns the 50 objects one cluster is seeded with: a namespace and a small application stack. */
function objectsFor(i: number): Array<{ path: string; body: Record<string, unknown> }> {
  const ns = 'shop';
  const out: Array<{ path: string; body: Record<string, unknown> }> = [{ path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: 'shop' } } } }];
  const labels = { 'app.kubernetes.io/part-of': 'shop', 'flotilla.dev/release': 'shop' };
  for (let k = 0; k < 12; k++) out.push({ path: `/api/v1/namespaces/${ns}/configmaps`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `config-${k}`, labels }, data: { CLUSTER_NAME: `cluster-${i}`, LOG_LEVEL: 'info', 'app.properties': 'a=1\nb=2\nc=3\n'.repeat(4) } } });
  for (let k = 0; k < 8; k++) out.push({ path: `/api/v1/namespaces/${ns}/secrets`, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: `secret-${k}`, labels }, stringData: { password: `p-${i}-${k}` } } });
  for (let k = 0; k < 8; k++) {
    out.push({
      path: `/apis/apps/v1/namespaces/${ns}/deployments`,
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `svc-${k}`, labels },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: `svc-${k}` } },
          template: { metadata: { labels: { app: `svc-${k}`, ...labels } }, spec: { containers: [{ name: 'app', image: `registry.example/svc-${k}:1.${k}`, ports: [{ containerPort: 8080, protocol: 'TCP' }], env: [{ name: 'LOG_LEVEL', value: 'info' }], resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } },
        },
      },
    });
    out.push({ path: `/api/v1/namespaces/${ns}/services`, body: { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${k}`, labels }, spec: { selector: { app: `svc-${k}` }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } } });
  }
  for (let k = 0; k < 5; k++) out.push({ path: `/api/v1/namespaces/${ns}/serviceaccounts`, body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `sa-${k}`, labels } } });
  out.push({ path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', labels }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] } });
  out.push({ path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'reader', labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' }, subjects: [{ kind: 'ServiceAccount', name: 'sa-0', namespace: ns }] } });
  while (out.length < 50) out.push({ path: `/api/v1/namespaces/${ns}/configmaps`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `extra-${out.length}`, labels }, data: { k: 'v' } } });
  return out;
}

function timeHttps(agent: Agent, cluster: SandboxCluster, token: string, ca: string, path: string): Promise<number> {
  const url = new URL(cluster.url);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request({ host: url.hostname, port: url.port, path, agent, ca, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode}`));
        else resolve(Number(process.hrtime.bigint() - started) / 1e6);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function timeInProcess(cluster: SandboxCluster, token: string, path: string): number {
  const [pathname, search] = path.split('?') as [string, string | undefined];
  const started = process.hrtime.bigint();
  const answer = cluster.api.handle({ method: 'GET', path: pathname, query: new URLSearchParams(search ?? ''), headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  if (answer.status !== 200) throw new Error(`${path}: ${answer.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export default async function bench(progress: (line: string) => void): Promise<BenchmarkResult> {
  gc();
  const baseline = process.memoryUsage();
  const started = Date.now();
  const sandbox: Sandbox = await startSandbox({ clusters, controllers: { readyDelayMs: 200 } });
  const startSeconds = (Date.now() - started) / 1000;
  progress(`${clusters} clusters listening after ${startSeconds.toFixed(1)} s`);
  try {
    const seedStarted = Date.now();
    for (const [i, cluster] of sandbox.clusters.entries()) {
      for (const o of objectsFor(i)) {
        const answer = cluster.api.handle({ method: 'POST', path: o.path, query: new URLSearchParams(), headers: { authorization: `Bearer ${sandbox.adminToken}`, contentType: 'application/json', userAgent: 'bench/1' }, body: JSON.stringify(o.body) });
        if (answer.status !== 201) throw new Error(`seeding ${o.path}: ${answer.status} ${'body' in answer ? answer.body : ''}`);
      }
      if ((i + 1) % 200 === 0) progress(`seeded ${i + 1} clusters`);
    }
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    // Let the controllers finish the rollouts, so the memory includes the Deployments' status.
    await new Promise((r) => setTimeout(r, 1500));
    gc();
    const loaded = process.memoryUsage();
    const objects = sandbox.clusters.reduce((n, c) => n + c.api.store.resources().reduce((m, r) => m + c.api.store.count(r), 0), 0);
    progress(`rss ${mib(loaded.rss)}, heap ${mib(loaded.heapUsed)}, ${objects} objects`);

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const step = Math.floor(clusters / sampleClusters);
    const sample = sandbox.clusters.filter((_, i) => i % step === 0).slice(0, sampleClusters);
    const paths = { get: '/api/v1/namespaces/shop/configmaps/config-3', list: '/api/v1/namespaces/shop/configmaps?labelSelector=flotilla.dev%2Frelease%3Dshop', listDeployments: '/apis/apps/v1/namespaces/shop/deployments' };
    const https: Record<string, number[]> = { get: [], list: [], listDeployments: [] };
    const local: Record<string, number[]> = { get: [], list: [], listDeployments: [] };
    // A first request per cluster opens its TLS connection; it is not what a get costs.
    for (const c of sample) await timeHttps(agent, c, sandbox.adminToken, sandbox.caCert!, '/version');
    for (let r = 0; r < rounds; r++) {
      for (const c of sample) {
        for (const [name, path] of Object.entries(paths)) {
          https[name]!.push(await timeHttps(agent, c, sandbox.adminToken, sandbox.caCert!, path));
          local[name]!.push(timeInProcess(c, sandbox.adminToken, path));
        }
      }
      progress(`latency round ${r + 1}/${rounds}`);
    }
    agent.destroy();
    const row = (label: string, name: string) => {
      const h = [...https[name]!].sort((a, b) => a - b);
      const l = [...local[name]!].sort((a, b) => a - b);
      return `| ${label} | ${ms(percentile(h, 50))} | ${ms(percentile(h, 99))} | ${ms(h.at(-1)!)} | ${ms(percentile(l, 50))} | ${ms(percentile(l, 99))} | ${(percentile(h, 50) / percentile(l, 50)).toFixed(1)}× |`;
    };
    const allP99 = Math.max(...Object.values(https).map((v) => percentile([...v].sort((a, b) => a - b), 99)));
    const heapDelta = loaded.heapUsed - baseline.heapUsed;
    const markdown = `
${clusters} sandbox clusters in one Node process, each on its own HTTPS port with the simulated controllers running, seeded with ${objects / clusters} objects each (a namespace, 18 ConfigMaps, 8 Secrets, 8 Deployments, 8 Services, 5 ServiceAccounts, a Role and a RoleBinding, plus the 4 namespaces every cluster starts with): ${objects} objects in all. Started in ${startSeconds.toFixed(1)} s, seeded in ${seedSeconds.toFixed(1)} s (in-process creates, the full write path: defaults, managedFields, validation).

| memory after seeding (after GC) | |
|---|---:|
| resident set size | ${mib(loaded.rss)} |
| JS heap used | ${mib(loaded.heapUsed)} (${mib(heapDelta)} more than before the sandbox started) |
| per cluster (heap) | ${(heapDelta / clusters / 1024).toFixed(0)} KiB |

Target: under 1 GiB resident: **${loaded.rss < 2 ** 30 ? 'met' : 'missed'}**.

Latency of ${rounds * sample.length} requests per row (${sample.length} clusters spread over the ${clusters}, ${rounds} rounds), over HTTPS with keep-alive, against the same requests answered in-process by \`ApiServer.handle\` (the peer: no TLS, no HTTP, no socket):

| request | HTTPS p50 | HTTPS p99 | HTTPS max | in-process p50 | in-process p99 | HTTPS / in-process (p50) |
|---|---:|---:|---:|---:|---:|---:|
${row('get one ConfigMap', 'get')}
${row('list 18 ConfigMaps by label', 'list')}
${row('list 8 Deployments', 'listDeployments')}

Target: a get or list under 5 ms at this size: **${allP99 < 5 ? 'met at p99' : 'missed at p99'}** (worst p99 ${ms(allP99)}).
`;
    return { title: 'Sandbox: 1,000 clusters × 50 objects in one process', markdown };
  } finally {
    await sandbox.stop();
  }
}

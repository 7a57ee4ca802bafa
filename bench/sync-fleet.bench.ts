// Fleet sync: 100 sandbox clusters × 50 objects (a namespace and an application stack), synced by
// Flotilla through @kubernetes/client-node over HTTPS: the first sync, a no-op resync (zero
// writes expected; requests per cycle recorded) and Flotilla's memory. The sandbox runs in a child
// process (`flotilla sandbox up`), so the memory measured here is Flotilla's alone. The peer is
// the real `kubectl apply --server-side` of the same rendered objects, run on spare clusters of
// the same sandbox, first apply and re-apply, timed per cluster and extrapolated to the fleet.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Benchmark } from './run.js';
import { toolPath } from '../scripts/tools.js';
import { loadFleet, renderFleet, selectTargets } from '../src/fleet/index.js';
import { kubeConnector, loadKubeconfig, systemClock } from '../src/kube/index.js';
import { stringifyYamlStream } from '../src/manifest/index.js';
import { releaseRenderer } from '../src/render/index.js';
import { prepareDesired, syncFleet, type FleetSyncResult, type TargetInput } from '../src/reconcile/index.js';
import { localFs } from '../src/source/index.js';

const clusters = 100;
const peerClusters = 5;
const concurrency = 8;

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const root = new URL('..', import.meta.url).pathname;

function write(dir: string, rel: string, text: string): void {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

/** generateFleet writes a fleet of `n` clusters with one release of 50 objects. */
export function generateFleet(dir: string, n: number): void {
  write(dir, 'flotilla.yaml', 'apiVersion: flotilla.dev/v1alpha1\nkind: Fleet\nmetadata: {name: bench}\nspec:\n  releases:\n  - name: shop\n    path: shop\n    namespace: shop\n    targets: {selector: {}}\n');
  for (let i = 1; i <= n; i++) {
    write(dir, `clusters/cluster-${i}/cluster.yaml`, `apiVersion: flotilla.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: cluster-${i}\n  labels: {env: bench}\nspec:\n  identity: {CLUSTER_NAME: cluster-${i}}\n  connection: {context: cluster-${i}}\n`);
  }
  const docs: string[] = ['apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n'];
  for (let k = 0; k < 18; k++) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${k}\ndata:\n  CLUSTER_NAME: \${CLUSTER_NAME}\n  LOG_LEVEL: info\n  app.properties: |\n    a=1\n    b=2\n`);
  for (let k = 0; k < 8; k++) docs.push(`apiVersion: v1\nkind: Secret\nmetadata:\n  name: secret-${k}\nstringData:\n  password: p-${k}\n`);
  for (let k = 0; k < 8; k++) {
    docs.push(
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-${k}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: svc-${k}}\n  template:\n    metadata:\n      labels: {app: svc-${k}}\n    spec:\n      containers:\n      - name: app\n        image: registry.example/svc-${k}:1.${k}\n        ports:\n        - containerPort: 8080\n        env:\n        - {name: LOG_LEVEL, value: info}\n        resources:\n          requests: {cpu: 100m, memory: 128Mi}\n`,
    );
    docs.push(`apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${k}\nspec:\n  selector: {app: svc-${k}}\n  ports:\n  - {name: http, port: 80, targetPort: 8080}\n`);
  }
  for (let k = 0; k < 5; k++) docs.push(`apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-${k}\n`);
  docs.push('apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader\nrules:\n- apiGroups: [""]\n  resources: [configmaps]\n  verbs: [get, list]\n');
  docs.push('apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: reader\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\nsubjects:\n- {kind: ServiceAccount, name: sa-0, namespace: shop}\n');
  if (docs.length !== 50) throw new Error(`generated ${docs.length} objects, not 50`);
  write(dir, 'shop/objects.yaml', docs.join('---\n'));
  write(dir, 'shop/kustomization.yaml', 'resources:\n- objects.yaml\n');
}

async function startSandbox(dir: string, n: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'sandbox', 'up', '--clusters', String(n), '--dir', dir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  for (let i = 0; i < 1200 && !out.includes('sandbox ready'); i++) {
    if (child.exitCode !== null) throw new Error(`sandbox up exited: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!out.includes('sandbox ready')) throw new Error(`sandbox did not start: ${out}`);
  return child;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function totals(result: FleetSyncResult) {
  const sum = { requests: 0, reads: 0, writes: 0, dryRuns: 0 };
  for (const c of result.clusters) for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += c.requests[k];
  const actions: Record<string, number> = {};
  for (const t of result.targets) for (const e of t.changes.entries) actions[e.action] = (actions[e.action] ?? 0) + 1;
  const states: Record<string, number> = {};
  for (const t of result.targets) states[t.sync] = (states[t.sync] ?? 0) + 1;
  return { ...sum, actions, states };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const bench: Benchmark = async (progress) => {
  const work = mkdtempSync(join(tmpdir(), 'flotilla-bench-sync-'));
  const fleetDir = join(work, 'fleet');
  const sandboxDir = join(work, 'sandbox');
  let child: ChildProcess | undefined;
  try {
    generateFleet(fleetDir, clusters);
    progress(`starting ${clusters + peerClusters} sandbox clusters in a child process`);
    child = await startSandbox(sandboxDir, clusters + peerClusters);

    gc();
    const baseline = process.memoryUsage();
    const loaded = loadFleet(localFs, fleetDir);
    if (!loaded.ok) throw loaded.issues[0];
    const fleet = loaded.value;
    const renderStarted = performance.now();
    const renders = renderFleet(fleet, { fs: localFs, root: fleetDir, renderer: releaseRenderer, cache: releaseRenderer.createCache(), targets: selectTargets(fleet) });
    const renderMs = performance.now() - renderStarted;
    const targets: TargetInput[] = renders.map((r) => ({ target: r.target, render: r.result }));
    progress(`rendered ${targets.length} targets in ${seconds(renderMs)}`);

    const kc = loadKubeconfig({ path: join(sandboxDir, 'kubeconfig') });
    const connect = kubeConnector(kc);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const run = async (label: string) => {
      const started = performance.now();
      const result = await syncFleet({ fleet, targets, revision: 'bench', connect, clock: systemClock, options: { concurrency } });
      const ms = performance.now() - started;
      const t = totals(result);
      progress(`${label}: ${seconds(ms)}, ${t.requests} requests (${t.writes} writes), ${JSON.stringify(t.actions)}, states ${JSON.stringify(t.states)}`);
      return { ms, result, t };
    };
    const first = await run('first sync');
    const noop = await run('no-op resync');
    const noop2 = await run('no-op resync (again)');
    clearInterval(sampler);
    gc();
    const after = process.memoryUsage();

    // The peer: kubectl apply --server-side of the same objects on spare clusters.
    const desired = prepareDesired(
      renders[0]!.result.ok ? renders[0]!.result.value.objects.map((o) => o.object) : [],
      'shop',
    ).objects;
    const manifest = join(work, 'peer.yaml');
    writeFileSync(manifest, stringifyYamlStream(desired));
    const kubectl = (context: string) =>
      promisify(execFile)(toolPath('kubectl'), ['--kubeconfig', join(sandboxDir, 'kubeconfig'), '--context', context, 'apply', '--server-side', '--force-conflicts', '--field-manager', 'kubectl-bench', '-f', manifest], { env: { ...process.env, HOME: work }, maxBuffer: 1 << 24 });
    const peerFirst: number[] = [];
    const peerAgain: number[] = [];
    for (let i = clusters + 1; i <= clusters + peerClusters; i++) {
      let started = performance.now();
      await kubectl(`cluster-${i}`);
      peerFirst.push(performance.now() - started);
      started = performance.now();
      await kubectl(`cluster-${i}`);
      peerAgain.push(performance.now() - started);
    }
    progress(`kubectl apply --server-side: first ${seconds(median(peerFirst))}, again ${seconds(median(peerAgain))} per cluster (median of ${peerClusters})`);

    const perCluster = (r: FleetSyncResult) => median(r.clusters.map((c) => c.durationMs));
    const fleetPeerFirst = median(peerFirst) * clusters;
    const fleetPeerAgain = median(peerAgain) * clusters;
    const objects = clusters * 50;
    const markdown = `
${clusters} sandbox clusters (HTTPS, in a child process) × 50 objects (1 Namespace, 18 ConfigMaps, 8 Secrets, 8 Deployments, 8 Services, 5 ServiceAccounts, a Role and a RoleBinding), one release, ${concurrency} clusters at a time. Render: ${seconds(renderMs)} for ${targets.length} targets.

| | first sync | no-op resync |
|---|---|---|
| Flotilla, whole fleet | ${seconds(first.ms)} (${Math.round(objects / (first.ms / 1000))} objects/s) | ${seconds(noop.ms)}; again ${seconds(noop2.ms)} |
| Flotilla, one cluster (median) | ${seconds(perCluster(first.result))} | ${seconds(perCluster(noop.result))} |
| requests per cycle | ${first.t.requests} (${first.t.reads} reads, ${first.t.writes} writes, ${first.t.dryRuns} dry-runs) | ${noop.t.requests} (${noop.t.reads} reads, **${noop.t.writes} writes**, ${noop.t.dryRuns} dry-runs) |
| requests per object | ${(first.t.requests / objects).toFixed(2)} | ${(noop.t.requests / objects).toFixed(2)} |
| results | ${Object.entries(first.t.actions).map(([a, n]) => `${n} ${a}`).join(', ')} | ${Object.entries(noop.t.actions).map(([a, n]) => `${n} ${a}`).join(', ')} |
| kubectl apply --server-side, one cluster (median of ${peerClusters}) | ${seconds(median(peerFirst))} | ${seconds(median(peerAgain))} |
| kubectl, ${clusters} clusters one after another (extrapolated) | ${seconds(fleetPeerFirst)} | ${seconds(fleetPeerAgain)} |
| time of sequential kubectl ÷ time of Flotilla | ${(fleetPeerFirst / first.ms).toFixed(1)}× | ${(fleetPeerAgain / noop.ms).toFixed(1)}× |

Memory of the Flotilla process (the sandbox lives in another process): ${mib(baseline.rss)} RSS before, peak ${mib(peak)} during the syncs, ${mib(after.rss)} RSS and ${mib(after.heapUsed)} heap after (heap before: ${mib(baseline.heapUsed)}).

Reads are one list per kind, selected by the release label. On a no-op resync every object then gets a server-side dry-run apply; a dry-run result equal to the live object is \`unchanged\` and gets no write. On the first sync, objects the lists do not hold are applied at once (the 201 answer tells a creation from an adoption). Per cluster Flotilla also reads the kube-system namespace (fingerprint) and the inventory ConfigMap, and the first sync writes the inventory and its namespace. kubectl sends a PATCH (a real write request, a no-op on the server) per object on every apply and spends most of its time starting up and reading discovery. The machine is shared with other jobs; absolute times vary by tens of percent between runs, request counts do not.
`;
    return { title: 'Fleet sync: 100 clusters × 50 objects', markdown };
  } finally {
    child?.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 500));
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
};

export default bench;

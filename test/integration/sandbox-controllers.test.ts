// The simulated controllers through @kubernetes/client-node: rollouts become Available after the
// configured delay (never with an image tagged `fail`), Jobs complete, deleting a namespace
// deletes its contents, and the garbage collector follows ownerReferences and propagation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let kc: KubeConfig;

before(async () => {
  sandbox = await startSandbox({ clusters: ['ctl'], controllers: { readyDelayMs: 100, progressDeadlineMs: 300, namespaceDeleteDelayMs: 20 } });
  kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfig());
});

after(async () => {
  await sandbox.stop();
});

async function eventually<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 25));
    last = await read();
  }
  return last;
}

function deployment(name: string, image: string, replicas = 2): V1Deployment {
  return { metadata: { name }, spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } } } };
}

function condition(d: V1Deployment, type: string): string | undefined {
  const c = d.status?.conditions?.find((x) => x.type === type);
  return c ? `${c.status}/${c.reason}` : undefined;
}

test('a Deployment rolls out and becomes Available after the delay; a new image rolls out again', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: 'roll' } } });
  const created = await apps.createNamespacedDeployment({ namespace: 'roll', body: deployment('web', 'nginx:1.27') });
  assert.equal(created.status?.observedGeneration, undefined, 'a new Deployment has no status yet');
  const progressing = await eventually('progressing', () => apps.readNamespacedDeployment({ name: 'web', namespace: 'roll' }), (d) => d.status?.observedGeneration === 1);
  assert.equal(progressing.status?.updatedReplicas, 0);
  assert.equal(condition(progressing, 'Progressing'), 'True/ReplicaSetUpdated');
  const ready = await eventually('available', () => apps.readNamespacedDeployment({ name: 'web', namespace: 'roll' }), (d) => d.status?.availableReplicas === 2);
  assert.deepEqual([ready.status?.replicas, ready.status?.updatedReplicas, ready.status?.readyReplicas], [2, 2, 2]);
  assert.equal(condition(ready, 'Available'), 'True/MinimumReplicasAvailable');
  assert.equal(condition(ready, 'Progressing'), 'True/NewReplicaSetAvailable');
  assert.ok(ready.metadata?.managedFields?.some((m) => m.manager === 'kube-controller-manager'));

  ready.spec!.template.spec!.containers[0]!.image = 'nginx:1.28';
  await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'roll', body: ready });
  const rolling = await eventually('rolling again', () => apps.readNamespacedDeployment({ name: 'web', namespace: 'roll' }), (d) => d.status?.observedGeneration === 2);
  assert.equal(rolling.status?.updatedReplicas, 0, 'the new revision is not available at once');
  await eventually('available again', () => apps.readNamespacedDeployment({ name: 'web', namespace: 'roll' }), (d) => d.status?.observedGeneration === 2 && d.status?.updatedReplicas === 2);
});

test('an image tagged `fail` never becomes ready and the rollout passes its progress deadline', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: 'broken' } } });
  await apps.createNamespacedDeployment({ namespace: 'broken', body: deployment('bad', 'registry.example/app:fail') });
  const stuck = await eventually('deadline exceeded', () => apps.readNamespacedDeployment({ name: 'bad', namespace: 'broken' }), (d) => condition(d, 'Progressing') === 'False/ProgressDeadlineExceeded');
  assert.equal(stuck.status?.availableReplicas, undefined);
  assert.equal(stuck.status?.unavailableReplicas, 2);
  assert.equal(condition(stuck, 'Available'), 'False/MinimumReplicasUnavailable');

  await apps.createNamespacedStatefulSet({ namespace: 'broken', body: { metadata: { name: 'db' }, spec: { serviceName: 'db', replicas: 1, selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:fail' }] } } } } });
  await apps.createNamespacedDaemonSet({ namespace: 'broken', body: { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:1' }] } } } } });
  await eventually('daemonset ready', () => apps.readNamespacedDaemonSet({ name: 'agent', namespace: 'broken' }), (d) => d.status?.numberReady === 1 && d.status?.observedGeneration === 1);
  await new Promise((r) => setTimeout(r, 300));
  const db = await apps.readNamespacedStatefulSet({ name: 'db', namespace: 'broken' });
  assert.equal(db.status?.readyReplicas ?? 0, 0, 'the failing StatefulSet stays unready');
});

test('Jobs complete, or fail when their image fails', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  await core.createNamespace({ body: { metadata: { name: 'jobs' } } });
  const job = (name: string, image: string) => ({ metadata: { name }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'run', image }] } } } });
  const created = await batch.createNamespacedJob({ namespace: 'jobs', body: job('once', 'busybox:1') });
  assert.equal(created.spec?.selector?.matchLabels?.['batch.kubernetes.io/controller-uid'], created.metadata?.uid);
  const done = await eventually('complete', () => batch.readNamespacedJob({ name: 'once', namespace: 'jobs' }), (j) => j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ?? false);
  assert.equal(done.status?.succeeded, 1);
  await batch.createNamespacedJob({ namespace: 'jobs', body: job('broken', 'busybox:fail') });
  await eventually('failed', () => batch.readNamespacedJob({ name: 'broken', namespace: 'jobs' }), (j) => j.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True') ?? false);

  const invalid = await batch.createNamespacedJob({ namespace: 'jobs', body: { metadata: { name: 'always' }, spec: { template: { spec: { containers: [{ name: 'run', image: 'x:1' }] } } } } }).catch((e: { code: number; body: string }) => e);
  assert.equal((invalid as { code: number }).code, 422, 'a Job needs restartPolicy OnFailure or Never');
});

test('deleting a namespace deletes its contents, then the namespace', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
  await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'c' } } });
  await core.createNamespacedSecret({ namespace: 'doomed', body: { metadata: { name: 's' }, stringData: { k: 'v' } } });
  await apps.createNamespacedDeployment({ namespace: 'doomed', body: deployment('d', 'nginx:1') });
  // A finalizer keeps one object, and so the namespace, until it is removed.
  await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
  await core.deleteNamespace({ name: 'doomed' });
  const terminating = await core.readNamespace({ name: 'doomed' });
  assert.equal(terminating.status?.phase, 'Terminating');
  const refused = await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } }).catch((e: { code: number; body: string }) => e);
  assert.equal((refused as { code: number }).code, 403, 'nothing new may be created in a terminating namespace');
  await eventually('only the held object is left', () => core.listNamespacedConfigMap({ namespace: 'doomed' }), (l) => l.items.length === 1 && Boolean(l.items[0]!.metadata?.deletionTimestamp));
  assert.equal((await core.readNamespace({ name: 'doomed' })).status?.phase, 'Terminating');
  await core.patchNamespacedConfigMap({ name: 'held', namespace: 'doomed', body: [{ op: 'remove', path: '/metadata/finalizers' }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  await eventually('namespace gone', () => core.listNamespace(), (l) => !l.items.some((n) => n.metadata?.name === 'doomed'));
  const api = sandbox.cluster('ctl').api;
  for (const key of ['/configmaps', '/secrets', 'apps/deployments']) assert.equal(api.store.count(key, 'doomed'), 0, key);
});

test('the garbage collector deletes dependents in the background, first in the foreground, and orphans on request', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'gc' } } });
  const owner = async (name: string) => (await core.createNamespacedConfigMap({ namespace: 'gc', body: { metadata: { name } } })).metadata!;
  const dependent = (name: string, o: { name?: string; uid?: string }) => core.createNamespacedConfigMap({ namespace: 'gc', body: { metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: o.name!, uid: o.uid! }] } } });
  const exists = async (name: string) => (await core.listNamespacedConfigMap({ namespace: 'gc', fieldSelector: `metadata.name=${name}` })).items.length > 0;

  const background = await owner('bg');
  await dependent('bg-child', background);
  await core.deleteNamespacedConfigMap({ name: 'bg', namespace: 'gc' });
  await eventually('background child gone', () => exists('bg-child'), (e) => !e);

  const foreground = await owner('fg');
  await dependent('fg-child', foreground);
  await core.deleteNamespacedConfigMap({ name: 'fg', namespace: 'gc', propagationPolicy: 'Foreground' });
  await eventually('foreground owner gone after its child', async () => [await exists('fg'), await exists('fg-child')], ([o, c]) => !o && !c);

  const orphaning = await owner('or');
  await dependent('or-child', orphaning);
  await core.deleteNamespacedConfigMap({ name: 'or', namespace: 'gc', propagationPolicy: 'Orphan' });
  await eventually('orphan owner gone', () => exists('or'), (e) => !e);
  const child = await core.readNamespacedConfigMap({ name: 'or-child', namespace: 'gc' });
  assert.equal(child.metadata?.ownerReferences, undefined, 'the orphan lost its owner reference and stays');
});

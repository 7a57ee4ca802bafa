// @kubernetes/client-node against the sandbox over HTTPS: CRUD with optimistic concurrency, list
// selectors and paging, server-side apply conflicts and force, dry runs, the viewer's 403 and the
// anonymous 401, CRDs with their schema enforced, finalizers and generation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let kc: KubeConfig;
let viewer: KubeConfig;

before(async () => {
  sandbox = await startSandbox({ clusters: ['alpha'], controllers: { readyDelayMs: 50 } });
  kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfig('admin'));
  viewer = new KubeConfig();
  viewer.loadFromString(sandbox.kubeconfig('viewer'));
});

after(async () => {
  await sandbox.stop();
});

/** failure runs a call that must fail and returns its HTTP code and Status body. */
async function failure(call: () => Promise<unknown>): Promise<{ code: number; body: { reason?: string; message?: string; details?: { causes?: Array<{ reason: string; field: string; message: string }> }; code?: number } }> {
  try {
    await call();
  } catch (error) {
    if (error instanceof ApiException) return { code: error.code, body: typeof error.body === 'string' ? JSON.parse(error.body) : (error.body ?? {}) };
    throw error;
  }
  throw new Error('the call succeeded');
}

async function namespace(name: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
}

test('create, get, update with optimistic concurrency, delete, and NotFound afterwards', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  await namespace('crud');
  const created = await core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'app', labels: { team: 'x' } }, data: { a: '1' } } });
  assert.equal(created.metadata?.namespace, 'crud');
  assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
  assert.match(created.metadata?.creationTimestamp?.toISOString() ?? '', /^\d{4}-/);

  const dup = await failure(() => core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'app' } } }));
  assert.equal(dup.code, 409);
  assert.equal(dup.body.reason, 'AlreadyExists');

  const read = await core.readNamespacedConfigMap({ name: 'app', namespace: 'crud' });
  const stale = structuredClone(read);
  read.data = { a: '2' };
  const updated = await core.replaceNamespacedConfigMap({ name: 'app', namespace: 'crud', body: read });
  assert.deepEqual(updated.data, { a: '2' });
  assert.ok(Number(updated.metadata?.resourceVersion) > Number(read.metadata?.resourceVersion));

  stale.data = { a: 'stale' };
  const conflict = await failure(() => core.replaceNamespacedConfigMap({ name: 'app', namespace: 'crud', body: stale }));
  assert.equal(conflict.code, 409);
  assert.equal(conflict.body.reason, 'Conflict');
  assert.equal(conflict.body.message, 'Operation cannot be fulfilled on configmaps "app": the object has been modified; please apply your changes to the latest version and try again');

  await core.deleteNamespacedConfigMap({ name: 'app', namespace: 'crud' });
  const gone = await failure(() => core.readNamespacedConfigMap({ name: 'app', namespace: 'crud' }));
  assert.equal(gone.code, 404);
  assert.equal(gone.body.message, 'configmaps "app" not found');

  const invalid = await failure(() => core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'Bad_Name' } } }));
  assert.equal(invalid.code, 422);
  assert.equal(invalid.body.details?.causes?.[0]?.field, 'metadata.name');
  const noNamespace = await failure(() => core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }));
  assert.equal(noNamespace.code, 404);
  assert.equal(noNamespace.body.message, 'namespaces "nowhere" not found');
});

test('lists filter by label and field selectors and page with limit and continue', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  await namespace('lists');
  for (let i = 0; i < 5; i++) {
    await core.createNamespacedConfigMap({ namespace: 'lists', body: { metadata: { name: `cm-${i}`, labels: { tier: i % 2 === 0 ? 'even' : 'odd' } } } });
  }
  const even = await core.listNamespacedConfigMap({ namespace: 'lists', labelSelector: 'tier=even' });
  assert.deepEqual(even.items.map((i) => i.metadata?.name), ['cm-0', 'cm-2', 'cm-4']);
  const notEven = await core.listNamespacedConfigMap({ namespace: 'lists', labelSelector: 'tier in (odd),tier!=even' });
  assert.deepEqual(notEven.items.map((i) => i.metadata?.name), ['cm-1', 'cm-3']);
  const byName = await core.listNamespacedConfigMap({ namespace: 'lists', fieldSelector: 'metadata.name=cm-3' });
  assert.deepEqual(byName.items.map((i) => i.metadata?.name), ['cm-3']);
  const badField = await failure(() => core.listNamespacedConfigMap({ namespace: 'lists', fieldSelector: 'spec.nope=1' }));
  assert.equal(badField.code, 400);

  const names: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await core.listNamespacedConfigMap({ namespace: 'lists', limit: 2, ...(token ? { _continue: token } : {}) });
    names.push(...page.items.map((i) => i.metadata!.name!));
    token = page.metadata?._continue;
    if (token) assert.equal(page.metadata?.remainingItemCount, 5 - names.length);
    pages++;
  } while (token);
  assert.equal(pages, 3);
  assert.deepEqual(names, ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4']);

  const everywhere = await core.listConfigMapForAllNamespaces({ labelSelector: 'tier=odd' });
  assert.deepEqual(everywhere.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`), ['lists/cm-1', 'lists/cm-3']);
});

test('server-side apply: conflicts name the other manager, force takes the field, dropped fields go, dry runs store nothing', async () => {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  await namespace('ssa');
  const cm = (data: Record<string, string>): KubernetesObject & { data: Record<string, string> } => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'ssa' }, data });
  const apply = (data: Record<string, string>, force = false, dryRun?: string) => objects.patch(cm(data), undefined, dryRun, 'fleet', force, PatchStrategy.ServerSideApply);

  await apply({ a: '1', b: '2' });
  const dry = (await apply({ a: '9', b: '2' }, false, 'All')) as ReturnType<typeof cm>;
  assert.deepEqual(dry.data, { a: '9', b: '2' });
  const core = kc.makeApiClient(CoreV1Api);
  assert.deepEqual((await core.readNamespacedConfigMap({ name: 'app', namespace: 'ssa' })).data, { a: '1', b: '2' });

  await core.patchNamespacedConfigMap({ name: 'app', namespace: 'ssa', body: { data: { a: 'hand-edited' } }, fieldManager: 'kubectl-edit' }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  const conflict = await failure(() => apply({ a: '1' }));
  assert.equal(conflict.code, 409);
  assert.equal(conflict.body.message, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.a');
  assert.deepEqual(conflict.body.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using v1', field: '.data.a' }]);

  const forced = (await apply({ a: '1' }, true)) as ReturnType<typeof cm>;
  assert.deepEqual(forced.data, { a: '1' }, 'b is no longer applied by anyone, so it is removed');
  assert.deepEqual(forced.metadata?.managedFields?.map((m) => m.manager), ['fleet']);

  // Strategic merge patch on a built-in kind merges containers by name.
  const apps = kc.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({
    namespace: 'ssa',
    body: { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }, { name: 'side', image: 'busybox:1' }] } } } },
  });
  const patched = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'ssa', body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
  assert.deepEqual(patched.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`), ['web=nginx:2', 'side=busybox:1']);
  assert.equal(patched.metadata?.generation, 2);
  const relabelled = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'ssa', body: { metadata: { labels: { x: 'y' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.equal(relabelled.metadata?.generation, 2, 'a metadata change does not bump generation');
  const jsonPatched = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'ssa', body: [{ op: 'replace', path: '/spec/replicas', value: 4 }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  assert.equal(jsonPatched.spec?.replicas, 4);
  assert.equal(jsonPatched.metadata?.generation, 3);
});

test('the viewer reads but may not write (403 Status), and a request without a token gets 401', async () => {
  await namespace('rbac');
  const core = viewer.makeApiClient(CoreV1Api);
  const list = await core.listNamespacedConfigMap({ namespace: 'rbac' });
  assert.deepEqual(list.items, []);
  const denied = await failure(() => core.createNamespacedConfigMap({ namespace: 'rbac', body: { metadata: { name: 'x' } } }));
  assert.equal(denied.code, 403);
  assert.deepEqual(denied.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'configmaps is forbidden: User "viewer" cannot create resource "configmaps" in API group "" in the namespace "rbac"',
    reason: 'Forbidden',
    details: { name: '', kind: 'configmaps' },
    code: 403,
  });
  const clusterScoped = await failure(() => core.deleteNamespace({ name: 'rbac' }));
  assert.equal(clusterScoped.body.message, 'namespaces "rbac" is forbidden: User "viewer" cannot delete resource "namespaces" in API group "" at the cluster scope');

  const anonymous = new KubeConfig();
  anonymous.loadFromString(sandbox.kubeconfig('admin').replace(/token: .*/, 'token: wrong'));
  const rejected = await failure(() => anonymous.makeApiClient(CoreV1Api).listNamespace());
  assert.equal(rejected.code, 401, 'client-node keeps no body for a 401; the Status is checked in the fault tests');
});

test('a CRD becomes Established, its custom resources are served and checked against its schema, and deleting it removes them', async () => {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  await namespace('crds');
  // client-node's model names the schema's `default` keyword `_default` and sends it as `default`.
  await objects.create({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', shortNames: ['gd'] },
      versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 1 }, color: { type: 'string', _default: 'blue' } } }, status: { type: 'object', properties: { ready: { type: 'boolean' } } } } } } }],
    },
  } as KubernetesObject);
  const crd = (await objects.read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' } })) as KubernetesObject & { status: { conditions: Array<{ type: string; status: string }> } };
  assert.ok(crd.status.conditions.some((c) => c.type === 'Established' && c.status === 'True'));

  const custom = kc.makeApiClient(CustomObjectsApi);
  const created = (await custom.createNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'crds', plural: 'gadgets', body: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g1' }, spec: { size: 2, extra: 'pruned' }, status: { ready: true } } })) as { spec: Record<string, unknown>; status?: unknown; metadata: { generation: number } };
  assert.deepEqual(created.spec, { color: 'blue', size: 2 }, 'unknown fields are pruned and defaults filled');
  assert.equal(created.status, undefined, 'status is written through /status only');
  assert.equal(created.metadata.generation, 1);

  const strict = await failure(() => custom.createNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'crds', plural: 'gadgets', fieldValidation: 'Strict', body: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g9' }, spec: { size: 2, extra: 'typo' } } }));
  assert.equal(strict.code, 400);
  assert.equal(strict.body.message, 'strict decoding error: unknown field "spec.extra"');
  const wrong = await failure(() => custom.createNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'crds', plural: 'gadgets', body: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g2' }, spec: { size: 'big' } } }));
  assert.equal(wrong.code, 422);
  assert.equal(wrong.body.message, 'Gadget.example.com "g2" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"');
  const missing = await failure(() => custom.createNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'crds', plural: 'gadgets', body: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g3' }, spec: { size: 0 } } }));
  assert.equal(missing.code, 422);
  assert.equal(missing.body.details?.causes?.[0]?.field, 'spec.size');
  const smp = await failure(() => custom.patchNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'crds', plural: 'gadgets', name: 'g1', body: { spec: { size: 3 } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)));
  assert.equal(smp.code, 415);
  assert.equal(smp.body.reason, 'UnsupportedMediaType');

  const status = (await custom.patchNamespacedCustomObjectStatus({ group: 'example.com', version: 'v1', namespace: 'crds', plural: 'gadgets', name: 'g1', body: { status: { ready: true } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))) as { status: unknown; metadata: { generation: number } };
  assert.deepEqual(status.status, { ready: true });
  assert.equal(status.metadata.generation, 1, 'a status write does not bump generation');

  await objects.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' } });
  const alpha = sandbox.cluster('alpha');
  for (let i = 0; i < 50 && alpha.api.registry.lookup('example.com', 'v1', 'gadgets'); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alpha.api.registry.lookup('example.com', 'v1', 'gadgets'), undefined, 'the CRD is gone, and its resources are no longer served');
  assert.equal(alpha.api.store.count('example.com/gadgets'), 0);
});

test('finalizers hold a deleted object until they are removed; dryRun=All creates nothing', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  await namespace('fin');
  await core.createNamespacedConfigMap({ namespace: 'fin', body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
  await core.deleteNamespacedConfigMap({ name: 'held', namespace: 'fin' });
  const still = await core.readNamespacedConfigMap({ name: 'held', namespace: 'fin' });
  assert.ok(still.metadata?.deletionTimestamp);
  await core.patchNamespacedConfigMap({ name: 'held', namespace: 'fin', body: { metadata: { finalizers: null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.equal((await failure(() => core.readNamespacedConfigMap({ name: 'held', namespace: 'fin' }))).code, 404);

  const dry = await core.createNamespacedConfigMap({ namespace: 'fin', body: { metadata: { name: 'dry' } }, dryRun: 'All' });
  assert.equal(dry.metadata?.name, 'dry');
  assert.equal((await failure(() => core.readNamespacedConfigMap({ name: 'dry', namespace: 'fin' }))).code, 404);
});

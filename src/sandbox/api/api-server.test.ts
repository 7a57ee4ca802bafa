import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer, type ApiRequest } from './api-server.js';

function server(listKeyDefaults = false): ApiServer {
  let n = 0;
  return new ApiServer({
    listKeyDefaults,
    clusterName: 'unit',
    tokens: { admin: 'admin-token', viewer: 'viewer-token' },
    kubeSystemUid: '00000000-0000-4000-8000-000000000001',
    clock: { now: () => new Date('2026-01-02T03:04:05Z') },
    random: () => ((n = (n * 7 + 3) % 100) / 100),
  });
}

function call(api: ApiServer, method: string, target: string, options: { body?: unknown; contentType?: string; accept?: string; token?: string } = {}) {
  const url = new URL(target, 'http://unit');
  const req: ApiRequest = {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: {
      authorization: `Bearer ${options.token ?? 'admin-token'}`,
      ...(options.accept ? { accept: options.accept } : {}),
      ...(options.body !== undefined ? { contentType: options.contentType ?? 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  };
  const answer = api.handle(req);
  assert.ok(!('watch' in answer));
  return { status: answer.status, contentType: answer.contentType, text: answer.body, json: () => JSON.parse(answer.body) as Record<string, any> };
}

const deployment = (extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:latest' }] } }, ...extra },
});

test('every cluster starts with the four namespaces, kube-system carrying the given uid', () => {
  const api = server();
  const list = call(api, 'GET', '/api/v1/namespaces').json();
  assert.deepEqual(list.items.map((n: { metadata: { name: string } }) => n.metadata.name), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  assert.equal(call(api, 'GET', '/api/v1/namespaces/kube-system').json().metadata.uid, '00000000-0000-4000-8000-000000000001');
});

test('a created Deployment gets the defaults of a real server, generation 1 and an empty status', () => {
  const api = server();
  const created = call(api, 'POST', '/apis/apps/v1/namespaces/default/deployments', { body: deployment() });
  assert.equal(created.status, 201);
  const d = created.json();
  assert.equal(d.metadata.generation, 1);
  assert.equal(d.metadata.creationTimestamp, '2026-01-02T03:04:05Z');
  assert.deepEqual(d.status, {});
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  const c = d.spec.template.spec.containers[0];
  assert.equal(c.imagePullPolicy, 'Always', 'the latest tag is pulled always');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(d.spec.template.metadata.creationTimestamp, null);
  assert.equal(d.metadata.managedFields[0].manager, 'unknown');
});

test('invalid objects get 422 with one cause per problem; wrongly typed fields get the decoder 400', () => {
  const api = server();
  const invalid = call(api, 'POST', '/apis/apps/v1/namespaces/default/deployments', { body: deployment({ selector: { matchLabels: { app: 'other' } }, replicas: -1 }) });
  assert.equal(invalid.status, 422);
  const status = invalid.json();
  assert.equal(status.details.kind, 'Deployment');
  assert.equal(status.details.group, 'apps');
  assert.deepEqual(status.details.causes.map((c: { field: string }) => c.field), ['spec.replicas', 'spec.template.metadata.labels']);
  assert.match(status.message, /^Deployment.apps "web" is invalid: \[spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.template.metadata.labels: Invalid value: map\[string\]string\{"app":"web"\}: `selector` does not match template `labels`\]$/);

  const missing = call(api, 'POST', '/apis/apps/v1/namespaces/default/deployments', { body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'c' }] } } } } }).json();
  assert.deepEqual(missing.details.causes.map((c: { reason: string; field: string }) => `${c.reason} ${c.field}`), ['FieldValueRequired spec.selector', 'FieldValueRequired spec.template.spec.containers[0].image']);

  const typed = call(api, 'POST', '/apis/apps/v1/namespaces/default/deployments', { body: deployment({ replicas: 'three' }) });
  assert.equal(typed.status, 400);
  assert.equal(typed.json().reason, 'BadRequest');
  assert.match(typed.json().message, /cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32/);

  const badData = call(api, 'POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { n: 1 } } });
  assert.equal(badData.status, 400);
  const applyTyped = call(api, 'PATCH', '/api/v1/namespaces/default/configmaps/c?fieldManager=m', { body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {n: 1}\n', contentType: 'application/apply-patch+yaml' });
  assert.equal(applyTyped.status, 422, 'server-side apply answers a wrong type with 422, as newer servers do');
  assert.equal(applyTyped.json().details.causes[0].field, 'data.n');
});

test('wrong methods, media types and paths get 405, 415, 406 and 404 as the real server answers them', () => {
  const api = server();
  call(api, 'POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } });
  const named = call(api, 'POST', '/api/v1/namespaces/default/configmaps/c', { body: {} });
  assert.equal(named.status, 405);
  assert.equal(named.json().reason, 'MethodNotAllowed');
  const collection = call(api, 'DELETE', '/api/v1/namespaces');
  assert.equal(collection.status, 405, 'namespaces have no deletecollection');
  const media = call(api, 'PATCH', '/api/v1/namespaces/default/configmaps/c', { body: '{}', contentType: 'text/plain' });
  assert.equal(media.status, 415);
  assert.equal(media.json().message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml');
  assert.equal(call(api, 'GET', '/api/v1/namespaces', { accept: 'application/vnd.kubernetes.protobuf' }).status, 406);
  const unknown = call(api, 'GET', '/api/v1/widgets');
  assert.deepEqual([unknown.status, unknown.text], [404, '404 page not found\n']);
  assert.equal(call(api, 'GET', '/api/v1/namespaces/default/configmaps/c/log').status, 404);
  const noForce = call(api, 'PATCH', '/api/v1/namespaces/default/configmaps/c?force=true', { body: '{}', contentType: 'application/merge-patch+json' });
  assert.equal(noForce.status, 422);
  const noManager = call(api, 'PATCH', '/api/v1/namespaces/default/configmaps/c', { body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', contentType: 'application/apply-patch+yaml' });
  assert.equal(noManager.json().message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  const failedTest = call(api, 'PATCH', '/api/v1/namespaces/default/configmaps/c', { body: [{ op: 'test', path: '/data/x', value: 'y' }], contentType: 'application/json-patch+json' });
  assert.equal(failedTest.status, 422);
});

test('kubectl get asks for a Table; metadata-only clients for PartialObjectMetadataList; YAML on request', () => {
  const api = server();
  call(api, 'POST', '/apis/apps/v1/namespaces/default/deployments', { body: deployment() });
  const table = call(api, 'GET', '/apis/apps/v1/namespaces/default/deployments', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' }).json();
  assert.equal(table.kind, 'Table');
  assert.deepEqual(table.columnDefinitions.filter((c: { priority: number }) => c.priority === 0).map((c: { name: string }) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
  assert.deepEqual(table.rows[0].cells.slice(0, 5), ['web', '0/1', 0, 0, '0s']);
  assert.equal(table.rows[0].object.kind, 'PartialObjectMetadata');
  const meta = call(api, 'GET', '/apis/apps/v1/deployments', { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' }).json();
  assert.deepEqual([meta.kind, meta.items[0].metadata.name, meta.items[0].spec], ['PartialObjectMetadataList', 'web', undefined]);
  const yaml = call(api, 'GET', '/apis/apps/v1/namespaces/default/deployments/web', { accept: 'application/yaml' });
  assert.equal(yaml.contentType, 'application/yaml');
  assert.match(yaml.text, /^kind: Deployment\napiVersion: apps\/v1\n/);
});

test('the scale subresource reads and writes spec.replicas; the status subresource writes only status', () => {
  const api = server();
  call(api, 'POST', '/apis/apps/v1/namespaces/default/deployments', { body: deployment() });
  const scale = call(api, 'GET', '/apis/apps/v1/namespaces/default/deployments/web/scale').json();
  assert.deepEqual([scale.kind, scale.apiVersion, scale.spec.replicas, scale.status.selector], ['Scale', 'autoscaling/v1', 1, 'app=web']);
  const scaled = call(api, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { body: { spec: { replicas: 4 } }, contentType: 'application/merge-patch+json' }).json();
  assert.equal(scaled.spec.replicas, 4);
  const d = call(api, 'GET', '/apis/apps/v1/namespaces/default/deployments/web').json();
  assert.deepEqual([d.spec.replicas, d.metadata.generation], [4, 2]);

  const status = call(api, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web/status', { body: { spec: { replicas: 9 }, status: { replicas: 4 } }, contentType: 'application/merge-patch+json' }).json();
  assert.deepEqual([status.spec.replicas, status.status.replicas, status.metadata.generation], [4, 4, 2]);
  const main = call(api, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { body: { status: { replicas: 7 } }, contentType: 'application/merge-patch+json' }).json();
  assert.equal(main.status.replicas, 4, 'the main resource keeps the stored status');
});

test('generateName, deletecollection by label, and a no-op update keep their real-server behaviour', () => {
  const api = server();
  const named = call(api, 'POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'job-', labels: { batch: '1' } } } }).json();
  assert.match(named.metadata.name, /^job-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  call(api, 'POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' } } });
  const rv = api.store.resourceVersion;
  const same = call(api, 'PUT', '/api/v1/namespaces/default/configmaps/keep', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' } } });
  assert.equal(same.status, 200);
  assert.equal(api.store.resourceVersion, rv, 'an update that changes nothing writes nothing');
  const deleted = call(api, 'DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=batch%3D1').json();
  assert.deepEqual([deleted.kind, deleted.items.length], ['ConfigMapList', 1]);
  assert.deepEqual(call(api, 'GET', '/api/v1/namespaces/default/configmaps').json().items.map((i: { metadata: { name: string } }) => i.metadata.name), ['keep']);
});

test('the viewer reads everything but writes nothing; a wrong token is 401', () => {
  const api = server();
  assert.equal(call(api, 'GET', '/api/v1/namespaces', { token: 'viewer-token' }).status, 200);
  const denied = call(api, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web/status', { token: 'viewer-token', body: {}, contentType: 'application/merge-patch+json' }).json();
  assert.equal(denied.message, 'deployments.apps "web" is forbidden: User "viewer" cannot patch resource "deployments/status" in API group "apps" in the namespace "default"');
  assert.deepEqual(denied.details, { name: 'web', group: 'apps', kind: 'deployments' });
  assert.equal(call(api, 'GET', '/api/v1/namespaces', { token: 'nope' }).status, 401);
});

test('OpenAPI v3 lists every group version and declares fieldValidation on PATCH, as kubectl checks', () => {
  const api = server();
  const root = call(api, 'GET', '/openapi/v3').json();
  assert.ok(Object.keys(root.paths).includes('apis/apps/v1'));
  const url = new URL(root.paths['apis/apps/v1'].serverRelativeURL, 'http://unit');
  const doc = call(api, 'GET', url.pathname + url.search).json();
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.ok(patch.parameters.some((p: { name: string }) => p.name === 'fieldValidation'));
});

test('server-side apply refuses a port without protocol as 1.19 does, or fills it in as newer servers do', () => {
  const body = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: "nginx:1", ports: [{containerPort: 80}]}]}\n';
  const strict = call(server(), 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web?fieldManager=fleet', { body, contentType: 'application/apply-patch+yaml' });
  assert.equal(strict.status, 422);
  assert.match(strict.json().message, /omits key field "protocol"/);
  const lenient = call(server(true), 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web?fieldManager=fleet', { body, contentType: 'application/apply-patch+yaml' });
  assert.equal(lenient.status, 201);
  assert.deepEqual(lenient.json().spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
});

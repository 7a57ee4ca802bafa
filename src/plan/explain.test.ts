import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest/index.js';
import { displayPath, explainObject, findRenderedObject, resolveFieldPath, type ExplainedObject, type ProvenanceSource } from './explain.js';

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps', annotations: { 'security.policy/level': 'strict', team: 'platform' } },
  spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'web:1.2' }] } } },
};

const provenance = new Map<string, ProvenanceSource>([
  ['', { file: 'base/deployment.yaml', layer: 'resource' }],
  ['/metadata/annotations', { file: 'environments/production/kustomization.yaml', layer: 'transformer', step: 'commonAnnotations' }],
  ['/metadata/annotations/security.policy~1level', { file: 'environments/production/strict-patch.yaml', layer: 'patch', step: 'patches[0]' }],
  ['/spec/replicas', { file: 'environments/production/kustomization.yaml', layer: 'transformer', step: 'replicas' }],
]);

const explained: ExplainedObject = { object: deployment, provenance };

test('every leaf is listed with its value and the step that set it, inherited from the nearest ancestor', () => {
  const rows = explainObject(explained);
  assert.ok(rows.ok);
  const byPath = new Map(rows.value.map((r) => [r.path, r]));
  assert.equal(byPath.get('metadata.name')!.source!.file, 'base/deployment.yaml');
  assert.equal(byPath.get('metadata.name')!.sourcePointer, '');
  assert.equal(byPath.get('metadata.annotations["security.policy/level"]')!.source!.layer, 'patch');
  assert.equal(byPath.get('metadata.annotations.team')!.source!.step, 'commonAnnotations');
  assert.equal(byPath.get('spec.replicas')!.value, 3);
  assert.equal(byPath.get('spec.template.spec.containers[0].image')!.value, 'web:1.2');
  assert.ok(rows.value.every((r) => r.role === 'field'));
});

test('--field takes a dotted path whose keys hold dots and slashes, and shows its ancestors with their own provenance', () => {
  const rows = explainObject(explained, { field: 'metadata.annotations.security.policy/level' });
  assert.ok(rows.ok);
  assert.deepEqual(
    rows.value.map((r) => [r.role, r.path, r.value, r.source?.file]),
    [
      ['ancestor', '', undefined, 'base/deployment.yaml'],
      ['ancestor', 'metadata.annotations', undefined, 'environments/production/kustomization.yaml'],
      ['field', 'metadata.annotations["security.policy/level"]', 'strict', 'environments/production/strict-patch.yaml'],
    ],
  );
  const pointer = explainObject(explained, { field: '/metadata/annotations/security.policy~1level' });
  assert.ok(pointer.ok);
  assert.equal(pointer.value.at(-1)!.value, 'strict');
  const quoted = explainObject(explained, { field: 'metadata.annotations["security.policy/level"]' });
  assert.ok(quoted.ok);
  assert.equal(quoted.value.at(-1)!.value, 'strict');
});

test('field paths index lists by [0] or .0, and a map field lists the leaves below it', () => {
  assert.deepEqual(resolveFieldPath(deployment as never, 'spec.template.spec.containers[0].image'), { ok: true, value: ['spec', 'template', 'spec', 'containers', '0', 'image'] });
  assert.deepEqual(resolveFieldPath(deployment as never, 'spec.template.spec.containers.0.image'), { ok: true, value: ['spec', 'template', 'spec', 'containers', '0', 'image'] });
  const rows = explainObject(explained, { field: 'spec.template' });
  assert.ok(rows.ok);
  assert.deepEqual(rows.value.filter((r) => r.role === 'field').map((r) => r.path), ['spec.template.spec.containers[0].name', 'spec.template.spec.containers[0].image']);
});

test('a field that does not exist is EXPLAIN_FIELD_NOT_FOUND, naming what is missing', () => {
  for (const field of ['metadata.labels.app', 'spec.template.spec.containers[3]', 'spec.replicas.x', '/spec/nothing']) {
    const rows = explainObject(explained, { field });
    assert.ok(!rows.ok, field);
    assert.equal(rows.issues[0]!.code, 'EXPLAIN_FIELD_NOT_FOUND');
    assert.match(rows.issues[0]!.message, new RegExp(`field ${field.replace(/[.[\]/]/g, '\\$&')}`));
  }
});

test('Secret data is masked in explain too', () => {
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password: 'aHVudGVyMg==' }, stringData: { user: 'admin' } };
  const rows = explainObject({ object: secret, provenance: new Map([['', { file: 'base/secret.yaml', layer: 'resource' }]]) });
  assert.ok(rows.ok);
  assert.equal(rows.value.find((r) => r.pointer === '/data/password')!.value, '(secret value)');
  assert.equal(rows.value.find((r) => r.pointer === '/stringData/user')!.value, '(secret value)');
  assert.equal(rows.value.find((r) => r.pointer === '/metadata/name')!.value, 'db');
});

test('display paths use dots, [index] and quoted keys', () => {
  assert.equal(displayPath(['metadata', 'labels', 'app.kubernetes.io/name']), 'metadata.labels["app.kubernetes.io/name"]');
  assert.equal(displayPath(['spec', 'ports', '0', 'port']), 'spec.ports[0].port');
});

test('objects are found by kind (any case), namespace or not, and by the name before a generator hash', () => {
  const obj = (kind: string, name: string, namespace?: string): ExplainedObject => ({ object: { apiVersion: 'v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) } }, provenance: new Map() });
  const targets = [
    { release: 'cluster-config', objects: [obj('Namespace', 'apps'), obj('ConfigMap', 'cluster-identity-5d7f8g9h2k', 'kube-system')] },
    { release: 'app', objects: [obj('Deployment', 'web', 'apps'), obj('Deployment', 'web', 'staging-apps')] },
  ];
  const ns = findRenderedObject(targets, 'namespace/apps', 'c');
  assert.ok(ns.ok);
  assert.equal(ns.value.release, 'cluster-config');
  const hashed = findRenderedObject(targets, 'ConfigMap/kube-system/cluster-identity', 'c');
  assert.ok(hashed.ok);
  assert.equal(hashed.value.explained.object.metadata.name, 'cluster-identity-5d7f8g9h2k');
  const exact = findRenderedObject(targets, 'Deployment/apps/web', 'c');
  assert.ok(exact.ok);
  assert.equal(exact.value.explained.object.metadata.namespace, 'apps');
  const ambiguous = findRenderedObject(targets, 'Deployment/web', 'c');
  assert.ok(!ambiguous.ok);
  assert.equal(ambiguous.issues[0]!.code, 'EXPLAIN_OBJECT_AMBIGUOUS');
  assert.match(ambiguous.issues[0]!.message, /Deployment\/apps\/web \(release app\), Deployment\/staging-apps\/web \(release app\)/);
  const missing = findRenderedObject(targets, 'Deployment/apps/api', 'c');
  assert.ok(!missing.ok);
  assert.equal(missing.issues[0]!.code, 'EXPLAIN_OBJECT_NOT_FOUND');
  assert.match(missing.issues[0]!.message, /cluster c; objects of that kind there: Deployment\/apps\/web/);
  const bad = findRenderedObject(targets, 'web', 'c');
  assert.ok(!bad.ok);
  assert.equal(bad.issues[0]!.code, 'USAGE');
});

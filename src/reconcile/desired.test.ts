import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest/index.js';
import { contentHash, prepareDesired } from './desired.js';

const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', labels: { app: 'web' } }, spec: { ports: [{ port: 80 }] } };
const role: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] };
const widget: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'gear' } };

test('prepareDesired labels every object, fills port protocols and puts namespaced built-ins in default', () => {
  const { objects, filled } = prepareDesired([service, role, widget], 'web');
  assert.deepEqual(objects[0]!.metadata, { name: 'web', namespace: 'default', labels: { app: 'web', 'flotilla.dev/release': 'web' } });
  assert.deepEqual((objects[0]!.spec as { ports: unknown[] }).ports, [{ port: 80, protocol: 'TCP' }]);
  assert.deepEqual(filled, [{ index: 0, fields: [{ path: '/spec/ports/0/protocol', value: 'TCP', reason: 'protocol is a merge key of ports; older API servers reject a server-side apply without it' }] }]);
  assert.equal(objects[1]!.metadata.namespace, undefined, 'cluster-scoped');
  assert.equal(objects[2]!.metadata.namespace, undefined, 'a custom kind no CRD declares is left to the applier');
  assert.equal(service.metadata.namespace, undefined, 'the input is not changed');
});

test('contentHash depends on content and order, not on the order of keys', () => {
  const reordered: KubeObject = { spec: { ports: [{ port: 80 }] }, metadata: { labels: { app: 'web' }, name: 'web' }, kind: 'Service', apiVersion: 'v1' };
  assert.equal(contentHash([service, role]), contentHash([reordered, role]));
  assert.notEqual(contentHash([service, role]), contentHash([role, service]));
  assert.match(contentHash([]), /^sha256:[0-9a-f]{64}$/);
});

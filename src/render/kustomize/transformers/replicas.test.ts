import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prefixStep } from './name-affix.js';
import { replicasStep } from './replicas.js';
import { resourcesFromYaml, stepContext } from './testing.js';

const input = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: auth}
spec: {replicas: 1}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec: {}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: auth}
`;

test('replicas sets the count by name, adding the field when missing, and ignores other kinds', () => {
  const resources = resourcesFromYaml(input);
  assert.ok(replicasStep(resources, { replicas: [{ name: 'auth', count: 3 }, { name: 'db', count: 5 }] }, stepContext()).ok);
  assert.deepEqual(resources.map((r) => (r.object as Record<string, any>).spec?.replicas), [3, 5, undefined]);
});

test('replicas finds a resource by a name it had before a prefix', () => {
  const resources = resourcesFromYaml(input);
  prefixStep(resources, { namePrefix: 'core-' }, stepContext());
  replicasStep(resources, { replicas: [{ name: 'auth', count: 2 }] }, stepContext());
  prefixStep(resources, { namePrefix: 'prod-' }, stepContext());
  replicasStep(resources, { replicas: [{ name: 'core-auth', count: 8 }] }, stepContext());
  assert.equal((resources[0]!.object as Record<string, any>).spec.replicas, 8);
});

test('a replicas entry that names nothing scalable is an error', () => {
  const result = replicasStep(resourcesFromYaml(input), { replicas: [{ name: 'checkout-worker', count: 2 }] }, stepContext());
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.equal(result.issues[0]!.code, 'RENDER_TRANSFORMER_INVALID');
    assert.match(result.issues[0]!.message, /replicas\[0\]: no Deployment, ReplicationController, ReplicaSet, StatefulSet named "checkout-worker"/);
  }
});

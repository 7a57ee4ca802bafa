import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessStatefulSet } from './stateful-set.js';

function statefulSet(spec: Record<string, unknown>, status: Record<string, unknown>) {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'data', generation: 1 }, spec, status: { observedGeneration: 1, ...status } };
}

test('a partition as large as the replica count holds every pod back and is complete at once', () => {
  const verdict = assessStatefulSet(statefulSet({ replicas: 2, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 5 } } }, { readyReplicas: 2, currentRevision: 'a', updateRevision: 'b' }));
  assert.equal(verdict.status, 'Healthy');
});

test('without updateStrategy the default RollingUpdate compares the revisions', () => {
  assert.equal(assessStatefulSet(statefulSet({ replicas: 1 }, { readyReplicas: 1, currentRevision: 'a', updateRevision: 'b' })).status, 'Progressing');
  assert.equal(assessStatefulSet(statefulSet({ replicas: 1 }, { readyReplicas: 1, currentRevision: 'b', updateRevision: 'b' })).status, 'Healthy');
});

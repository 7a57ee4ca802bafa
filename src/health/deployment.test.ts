import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessDeployment } from './deployment.js';

function deployment(spec: Record<string, unknown>, status: Record<string, unknown>) {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop', generation: 2 }, spec, status: { observedGeneration: 2, ...status } };
}

test('spec.replicas defaults to one, as the server defaults it', () => {
  assert.equal(assessDeployment(deployment({}, { replicas: 1, updatedReplicas: 1, availableReplicas: 1 })).status, 'Healthy');
  assert.equal(assessDeployment(deployment({}, {})).status, 'Progressing');
});

test('a Deployment scaled to zero is healthy once no replica is left', () => {
  assert.equal(assessDeployment(deployment({ replicas: 0 }, {})).status, 'Healthy');
  assert.deepEqual(assessDeployment(deployment({ replicas: 0 }, { replicas: 2 })), { status: 'Progressing', message: '2 old replicas are pending termination' });
});

test('the progress deadline shown is the one in the spec', () => {
  const verdict = assessDeployment(deployment({ replicas: 1, progressDeadlineSeconds: 120 }, { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }));
  assert.equal(verdict.status, 'Degraded');
  assert.match(verdict.message, /progress deadline of 120s \(ProgressDeadlineExceeded\)/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessHealth } from './assess.js';
import { assessReadyCondition } from './ready-condition.js';

test('a custom resource without observedGeneration in its status is judged by Ready alone', () => {
  const object = { apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w', generation: 9 }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
  assert.deepEqual(assessReadyCondition(object), { status: 'Healthy', message: 'ready (Ready=True)' });
});

test('objects without a Ready condition are not sent to the Ready assessor by the dispatcher', () => {
  const object = { apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w' }, status: { conditions: [{ type: 'Synced', status: 'False' }] } };
  assert.deepEqual(assessHealth(object), { status: 'Healthy', message: 'exists' });
});

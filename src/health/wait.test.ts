import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, summarizeWait, waitStep } from './wait.js';
import type { ObjectHealth } from './types.js';

const api: ObjectHealth = { object: { kind: 'Deployment', namespace: 'shop', name: 'api' }, status: 'Progressing', message: '2 of 3 updated replicas are available' };
const migrate: ObjectHealth = { object: { kind: 'Job', namespace: 'shop', name: 'migrate' }, status: 'Degraded', message: 'the job failed (BackoffLimitExceeded: Job has reached the specified backoff limit)' };
const crd: ObjectHealth = { object: { kind: 'CustomResourceDefinition', name: 'widgets.example.org' }, status: 'Healthy', message: 'established' };
const gone: ObjectHealth = { object: { kind: 'ConfigMap', namespace: 'shop', name: 'cfg' }, status: 'Unknown', message: 'not found in the cluster' };

test('summarizeWait lists every unhealthy object in order, and only those', () => {
  assert.equal(
    summarizeWait([crd, api, migrate, gone]),
    'Deployment/shop/api: Progressing (2 of 3 updated replicas are available); ' +
      'Job/shop/migrate: Degraded (the job failed (BackoffLimitExceeded: Job has reached the specified backoff limit)); ' +
      'ConfigMap/shop/cfg: Unknown (not found in the cluster)',
  );
  assert.equal(summarizeWait([crd]), '');
});

test('waitStep is done and healthy once every object is healthy, whatever the time', () => {
  const result = waitStep({ objects: [crd, { ...api, status: 'Healthy' }], startedAt: 0, now: 10 * 60_000, timeout: 60_000 });
  assert.equal(result.done, true);
  assert.equal(result.outcome, 'healthy');
  assert.equal(result.message, 'all 2 objects are healthy');
  assert.deepEqual(result.unhealthy, []);
});

test('waitStep keeps waiting before the timeout, Degraded objects included', () => {
  const result = waitStep({ objects: [crd, api, migrate], startedAt: 1_000, now: 31_000, timeout: 300_000 });
  assert.equal(result.done, false);
  assert.equal(result.outcome, 'waiting');
  assert.equal(result.remaining, 270_000);
  assert.deepEqual(result.unhealthy, [api, migrate]);
  assert.match(result.message, /^waiting for 2 of 3 objects to become healthy: Deployment\/shop\/api: Progressing/);
});

test('waitStep times out with one message naming every object that is not healthy', () => {
  const result = waitStep({ objects: [crd, api, migrate, gone], startedAt: 1_000, now: 301_000, timeout: 300_000 });
  assert.equal(result.done, true);
  assert.equal(result.outcome, 'timed-out');
  assert.equal(result.remaining, 0);
  assert.equal(
    result.message,
    'timed out after 5m waiting for 3 of 4 objects to become healthy: ' +
      'Deployment/shop/api: Progressing (2 of 3 updated replicas are available); ' +
      'Job/shop/migrate: Degraded (the job failed (BackoffLimitExceeded: Job has reached the specified backoff limit)); ' +
      'ConfigMap/shop/cfg: Unknown (not found in the cluster)',
  );
});

test('waitStep on no objects is healthy at once', () => {
  assert.equal(waitStep({ objects: [], startedAt: 0, now: 0, timeout: 0 }).outcome, 'healthy');
});

test('a clock that goes backwards does not count as time passed', () => {
  const result = waitStep({ objects: [api], startedAt: 10_000, now: 5_000, timeout: 1_000 });
  assert.equal(result.outcome, 'waiting');
  assert.equal(result.remaining, 1_000);
});

test('formatDuration prints durations as the fleet file writes them', () => {
  assert.equal(formatDuration(300_000), '5m');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(3_720_000), '1h2m');
  assert.equal(formatDuration(250), '250ms');
  assert.equal(formatDuration(0), '0ms');
});

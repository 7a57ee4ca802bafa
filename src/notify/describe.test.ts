import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEvent } from './describe.js';
import { backoffDelay, parseRetryAfter } from './deliver.js';

test('each event type reads as one line naming cluster, release and object', () => {
  const base = { time: 0, cluster: 'prod', release: 'web', revision: '0123456789abcdef0' };
  const cases: [object, string][] = [
    [{ ...base, type: 'SyncSucceeded', health: 'Healthy' }, 'web synced on prod at 0123456789ab (Healthy)'],
    [{ ...base, type: 'SyncFailed', message: 'apply failed' }, 'web failed to sync on prod at 0123456789ab: apply failed'],
    [{ ...base, type: 'DriftDetected', object: 'Deployment/web/api', fields: [], missing: true, selfHeal: false }, 'drift on prod/web: Deployment/web/api is missing; selfHeal is off, so it stays until the next sync'],
    [{ ...base, type: 'DriftCorrected', object: 'Deployment/web/api', fields: ['/spec/replicas'], latencyMs: 5 }, 'drift corrected on prod/web: Deployment/web/api is back at 0123456789ab'],
    [{ ...base, type: 'GuardBlocked', guard: 'identity', message: 'label cluster=dev' }, 'web blocked on prod by guard identity: label cluster=dev; nothing was written'],
    [{ time: 0, cluster: 'prod', type: 'ClusterUnreachable', message: 'connection refused' }, 'cluster prod is unreachable: connection refused'],
    [{ time: 0, release: 'web', type: 'RolloutHalted', message: 'rollout of web halted: prod failed' }, 'rollout of web halted: prod failed'],
    [{ time: 0, release: 'web', type: 'RolloutStarted' }, 'RolloutStarted on web'],
  ];
  for (const [event, line] of cases) assert.equal(describeEvent(event as never), line);
});

test('backoff doubles up to the cap with the upper half jittered; Retry-After reads seconds and dates', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 1)), [100, 200, 400, 800, 1000]);
  assert.deepEqual([1, 2, 3].map((a) => backoffDelay(a, policy, () => 0)), [50, 100, 200]);
  assert.equal(parseRetryAfter('12', 0), 12_000);
  assert.equal(parseRetryAfter(new Date(5000).toUTCString(), 1000), 4000);
  assert.equal(parseRetryAfter('soon', 0), undefined);
  assert.equal(parseRetryAfter(null, 0), undefined);
});

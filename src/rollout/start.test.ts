import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RolloutSpec } from '../fleet/types.js';
import { startRollout } from './start.js';

test('startRollout pins every target to what it runs and resolves each wave\'s limits', () => {
  const state = startRollout({
    release: 'monitoring',
    revision: 'r2',
    policy: { failurePolicy: 'halt', waves: [{ name: 'canary', selector: { matchLabels: { canary: 'true' } }, maxParallel: 1, soak: 300_000 }] },
    targets: [
      { cluster: 'a', labels: { canary: 'true' }, pinned: 'r1', lastHealthy: 'r1' },
      { cluster: 'b', labels: {}, pinned: 'r1', lastHealthy: 'r1' },
      { cluster: 'c', labels: {}, pinned: 'r2', lastHealthy: 'r2' },
      { cluster: 'd', labels: {} },
    ],
    now: 42,
  });
  assert.deepEqual(
    state.waves.map((w) => ({ name: w.name, clusters: w.clusters, maxParallel: w.maxParallel, soak: w.soak, approval: w.approval })),
    [
      { name: 'canary', clusters: ['a'], maxParallel: 1, soak: 300_000, approval: false },
      { name: 'rest', clusters: ['b', 'c', 'd'], maxParallel: 3, soak: 0, approval: false },
    ],
  );
  assert.deepEqual(state.targets, {
    a: { cluster: 'a', wave: 0, status: 'Pending', pinned: 'r1', lastHealthy: 'r1' },
    b: { cluster: 'b', wave: 1, status: 'Pending', pinned: 'r1', lastHealthy: 'r1' },
    c: { cluster: 'c', wave: 1, status: 'Healthy', pinned: 'r2', lastHealthy: 'r2' },
    d: { cluster: 'd', wave: 1, status: 'Pending' },
  });
  assert.equal(state.failurePolicy, 'halt');
  assert.equal(state.startedAt, 42);
  assert.equal(state.phase, 'Progressing');
});

test('without a policy the failure policy is halt and every target is in one wave', () => {
  const state = startRollout({ release: 'x', revision: 'r', targets: [{ cluster: 'z', labels: {} }, { cluster: 'y', labels: {} }], now: 0 });
  assert.equal(state.failurePolicy, 'halt');
  assert.deepEqual(state.waves.map((w) => [w.name, w.clusters, w.maxParallel]), [['all', ['y', 'z'], 2]]);
});

test('the fleet file\'s rollout block is accepted as it is', () => {
  const fromFleet: RolloutSpec = { failurePolicy: 'rollback', waves: [{ name: 'prod', selector: { matchLabels: { env: 'production' } }, maxParallel: '50%', soak: 600_000, approval: 'manual' }] };
  const state = startRollout({ release: 'x', revision: 'r', policy: fromFleet, targets: [{ cluster: 'p', labels: { env: 'production' } }], now: 0 });
  assert.deepEqual(state.waves.map((w) => [w.name, w.approval, w.maxParallel]), [['prod', true, 1]]);
});

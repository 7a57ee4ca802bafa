import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignWaves, resolveMaxParallel, type WaveTarget } from './waves.js';

const clusters: WaveTarget[] = [
  { cluster: 'prod-b', labels: { env: 'production' } },
  { cluster: 'dev-1', labels: { env: 'dev' } },
  { cluster: 'prod-a', labels: { env: 'production', region: 'eu-west' } },
  { cluster: 'lab-9', labels: { env: 'lab' } },
];

test('each target goes into the first wave that selects it, clusters sorted by name', () => {
  const waves = assignWaves(
    [
      { name: 'dev', selector: { matchLabels: { env: 'dev' } } },
      { name: 'eu-first', selector: { matchLabels: { region: 'eu-west' } } },
      { name: 'production', selector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['production'] }] } },
    ],
    clusters,
  );
  assert.deepEqual(
    waves.map((w) => [w.spec.name, w.clusters]),
    [
      ['dev', ['dev-1']],
      ['eu-first', ['prod-a']],
      ['production', ['prod-b']],
      ['rest', ['lab-9']],
    ],
  );
});

test('no rest wave when every target has a wave; one wave "all" without waves', () => {
  assert.deepEqual(assignWaves([{ name: 'everyone', selector: {} }], clusters).map((w) => w.spec.name), ['everyone']);
  assert.deepEqual(assignWaves([], clusters).map((w) => [w.spec.name, w.clusters]), [['all', ['dev-1', 'lab-9', 'prod-a', 'prod-b']]]);
});

test('maxParallel: counts, percentages rounded up, at least one, everything when unset', () => {
  assert.equal(resolveMaxParallel(2, 10), 2);
  assert.equal(resolveMaxParallel('2', 10), 2);
  assert.equal(resolveMaxParallel('25%', 10), 3);
  assert.equal(resolveMaxParallel('100%', 7), 7);
  assert.equal(resolveMaxParallel('10%', 3), 1);
  assert.equal(resolveMaxParallel(0, 3), 1);
  assert.equal(resolveMaxParallel(undefined, 5), 5);
  assert.equal(resolveMaxParallel(undefined, 0), 1);
  assert.equal(resolveMaxParallel('lots', 5), 1);
});

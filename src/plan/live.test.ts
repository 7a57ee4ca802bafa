import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlotillaError } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';
import { buildLivePlan } from './live.js';
import type { FleetRender } from './types.js';

const cm = (name: string, level: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'apps' }, data: { level } });
const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'apps' }, data: { password: 'aHVudGVyMg==' } };

const head: FleetRender = {
  revision: 'working tree',
  failures: [{ cluster: 'c', release: 'app', issues: [new FlotillaError('RENDER_RESOURCE_NOT_FOUND', 'x.yaml: no such file')] }],
  targets: [
    { cluster: 'a', release: 'app', objects: [cm('settings', 'debug'), cm('new', 'info'), secret], guards: [] },
    { cluster: 'b', release: 'app', objects: [cm('settings', 'debug')], guards: [{ guard: 'identity', object: 'ConfigMap/apps/settings', message: 'wrong cluster' }] },
    { cluster: 'd', release: 'app', objects: [cm('settings', 'debug')], guards: [] },
  ],
};

test('a live plan adds missing objects, changes drifted fields from live to head, removes extras', () => {
  const plan = buildLivePlan(head, [
    {
      cluster: 'a',
      release: 'app',
      errors: [],
      objects: [
        { object: 'ConfigMap/apps/settings', apiVersion: 'v1', state: 'drifted', fields: [{ path: '/data/level', desired: 'debug', live: 'info' }] },
        { object: 'ConfigMap/apps/new', apiVersion: 'v1', state: 'missing', fields: [] },
        { object: 'Secret/apps/db', apiVersion: 'v1', state: 'drifted', fields: [{ path: '/data/password', desired: '(secret value)', live: '(secret value)', masked: true }] },
        { object: 'ConfigMap/apps/old', apiVersion: 'v1', state: 'extra', fields: [] },
      ],
    },
    { cluster: 'b', release: 'app', errors: [], objects: [] },
    { cluster: 'd', release: 'app', errors: [new FlotillaError('INTERNAL', 'cluster d does not answer', { cluster: 'd' })], objects: [] },
  ]);
  assert.equal(plan.base, 'live');
  assert.equal(plan.head, 'working tree');
  assert.deepEqual(plan.summary, { clusters: 1, objects: 4, blocked: 1, errors: 2 });
  const a = plan.targets.find((t) => t.cluster === 'a')!;
  assert.deepEqual(
    a.changes.map((c) => `${c.action} ${c.object}`),
    ['change ConfigMap/apps/settings', 'add ConfigMap/apps/new', 'change Secret/apps/db', 'remove ConfigMap/apps/old'],
  );
  assert.deepEqual(a.changes[0]!.fields, [{ path: '/data/level', action: 'change', before: 'info', after: 'debug' }]);
  assert.ok(a.changes[1]!.fields.some((f) => f.path === '/data/level' && f.after === 'info'));
  assert.deepEqual(a.changes[2]!.fields, [{ path: '/data/password', action: 'change', masked: true }]);
  // A blocked target stays in the plan without changes; unreachable and unrendered ones are failures.
  assert.deepEqual(plan.targets.find((t) => t.cluster === 'b')!.guards.map((g) => g.guard), ['identity']);
  assert.deepEqual(plan.failures.map((f) => `${f.cluster}/${f.revision}`), ['c/head', 'd/base']);
});

test('a missing Secret is added without its values', () => {
  const plan = buildLivePlan(head, [{ cluster: 'a', release: 'app', errors: [], objects: [{ object: 'Secret/apps/db', apiVersion: 'v1', state: 'missing', fields: [] }] }]);
  const fields = plan.targets[0]!.changes[0]!.fields;
  assert.ok(fields.some((f) => f.path === '/data/password' && f.masked === true));
  assert.ok(!JSON.stringify(plan).includes('aHVudGVyMg=='));
});

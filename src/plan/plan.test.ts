import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlotillaError } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';
import { buildPlan, planOutcome, summaryLine } from './plan.js';
import type { FleetRender, TargetRender } from './types.js';

function cm(name: string, level: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'apps' }, data: { level } };
}

function fleet(revision: string, targets: TargetRender[], failures: FleetRender['failures'] = []): FleetRender {
  return { revision, targets, failures };
}

test('a change shared by every cluster counts once per cluster; unchanged targets are left out', () => {
  const clusters = ['a', 'b', 'c'];
  const base = fleet('abc1234', [
    ...clusters.map((cluster) => ({ cluster, release: 'app', objects: [cm('settings', 'info')] })),
    ...clusters.map((cluster) => ({ cluster, release: 'other', objects: [cm('x', '1')] })),
  ]);
  const head = fleet('working tree', [
    ...clusters.map((cluster) => ({ cluster, release: 'app', objects: [cm('settings', 'debug')] })),
    ...clusters.map((cluster) => ({ cluster, release: 'other', objects: [cm('x', '1')] })),
  ]);
  const plan = buildPlan(base, head);
  assert.deepEqual(plan.summary, { clusters: 3, objects: 3, blocked: 0, errors: 0 });
  assert.deepEqual(
    plan.targets.map((t) => `${t.cluster}/${t.release}/${t.selection}`),
    ['a/app/unchanged', 'b/app/unchanged', 'c/app/unchanged'],
  );
  assert.deepEqual(plan.targets[0]!.changes[0]!.fields, [{ path: '/data/level', action: 'change', before: 'info', after: 'debug' }]);
  assert.equal(plan.base, 'abc1234');
  assert.equal(plan.head, 'working tree');
  assert.equal(summaryLine(plan), '3 objects change in 3 clusters');
  assert.equal(planOutcome(plan), 'changes');
});

test('a target only at head is newly selected, one only at base is deselected', () => {
  const base = fleet('b', [{ cluster: 'a', release: 'old', objects: [cm('x', '1'), cm('y', '1')] }]);
  const head = fleet('h', [{ cluster: 'a', release: 'new', objects: [cm('z', '1')] }]);
  const plan = buildPlan(base, head);
  assert.deepEqual(
    plan.targets.map((t) => [t.release, t.selection, t.changes.map((c) => c.action)]),
    [
      ['new', 'added', ['add']],
      ['old', 'removed', ['remove', 'remove']],
    ],
  );
  assert.equal(summaryLine(plan), '3 objects change in 1 cluster');
});

test('a newly selected target with no objects is still shown: its selection changed', () => {
  const plan = buildPlan(fleet('b', []), fleet('h', [{ cluster: 'a', release: 'empty', objects: [] }]));
  assert.deepEqual(plan.targets.map((t) => t.selection), ['added']);
  assert.equal(planOutcome(plan), 'changes');
});

test('guard verdicts come from head and keep a target in the plan even without changes', () => {
  const verdict = { guard: 'identity', object: 'ConfigMap/kube-system/cluster-identity', message: 'CLUSTER_NAME is b, the cluster is a' };
  const base = fleet('b', [{ cluster: 'a', release: 'cfg', objects: [cm('x', '1')], guards: [{ guard: 'stale', message: 'ignored at base' }] }]);
  const head = fleet('h', [{ cluster: 'a', release: 'cfg', objects: [cm('x', '1')], guards: [verdict] }]);
  const plan = buildPlan(base, head);
  assert.equal(plan.targets.length, 1);
  assert.deepEqual(plan.targets[0]!.guards, [verdict]);
  assert.deepEqual(plan.targets[0]!.changes, []);
  assert.deepEqual(plan.summary, { clusters: 0, objects: 0, blocked: 1, errors: 0 });
  assert.equal(summaryLine(plan), '0 objects change in 0 clusters; 1 target blocked by a guard');
  assert.equal(planOutcome(plan), 'blocked');
});

test('a target that fails to render at either revision is an error, and the others are still planned', () => {
  const broken = new FlotillaError('RENDER_PATCH_TARGET_NOT_FOUND', 'patch names Deployment/apps/gone', { cluster: 'b' });
  const base = fleet('b', [
    { cluster: 'a', release: 'app', objects: [cm('x', '1')] },
    { cluster: 'b', release: 'app', objects: [cm('x', '1')] },
  ]);
  const head = fleet(
    'h',
    [{ cluster: 'a', release: 'app', objects: [cm('x', '2')] }],
    [{ cluster: 'b', release: 'app', issues: [broken] }],
  );
  const plan = buildPlan(base, head);
  // b/app is not reported as deselected: its render failed, so nobody knows what it holds.
  assert.deepEqual(plan.targets.map((t) => `${t.cluster}/${t.release}`), ['a/app']);
  assert.equal(plan.failures.length, 1);
  assert.equal(plan.failures[0]!.revision, 'head');
  assert.equal(plan.summary.errors, 1);
  assert.equal(planOutcome(plan), 'error');
  assert.match(summaryLine(plan), /1 object changes in 1 cluster; 1 target failed to render/);
});

test('a failure of a whole cluster record hides all of its targets', () => {
  const base = fleet('b', [{ cluster: 'a', release: 'one', objects: [cm('x', '1')] }, { cluster: 'a', release: 'two', objects: [cm('y', '1')] }]);
  const head = fleet('h', [], [{ cluster: 'a', issues: [new FlotillaError('USAGE', 'bad record')] }]);
  const plan = buildPlan(base, head);
  assert.deepEqual(plan.targets, []);
  assert.equal(plan.failures[0]!.release, undefined);
});

test('no changes at all is outcome none and a zero summary', () => {
  const same = [{ cluster: 'a', release: 'one', objects: [cm('x', '1')] }];
  const plan = buildPlan(fleet('b', same), fleet('h', same));
  assert.deepEqual(plan.targets, []);
  assert.equal(planOutcome(plan), 'none');
  assert.equal(summaryLine(plan), '0 objects change in 0 clusters');
});

test('a target failing alike at both revisions counts once and is printed once', async () => {
  const { formatPlanText } = await import('./format-text.js');
  const issue = () => new FlotillaError('RENDER_RESOURCE_NOT_FOUND', 'apps/x.yaml: no such file', { cluster: 'a' });
  const plan = buildPlan(fleet('b', [], [{ cluster: 'a', release: 'app', issues: [issue()] }]), fleet('h', [], [{ cluster: 'a', release: 'app', issues: [issue()] }]));
  assert.equal(plan.summary.errors, 1);
  assert.equal(plan.failures.length, 2);
  const text = formatPlanText(plan);
  assert.equal(text.match(/no such file/g)!.length, 1);
  assert.match(text, /a · app at both revisions: \[RENDER_RESOURCE_NOT_FOUND\]/);
});

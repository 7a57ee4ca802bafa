import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlotillaError, fail, ok } from '../core/index.js';
import type { ClusterRecord, Release, Target } from '../fleet/index.js';
import type { KubeObject } from '../manifest/index.js';
import { newInventory } from '../plan/index.js';
import type { ClusterPort } from './ports.js';
import { backoffStep } from './reconciler.js';
import { aggregateHealth, syncTarget } from './sync-target.js';

const cluster: ClusterRecord = { name: 'prod-eu-west', labels: { env: 'production' }, identity: { CLUSTER_NAME: 'prod-eu-west' }, connection: { mode: 'push' }, file: 'clusters/prod-eu-west/cluster.yaml' };
const release: Release = { name: 'web', index: 0, path: 'web', targets: { selector: {} }, dependsOn: [], substitute: {}, prune: true, allowEmpty: false, wait: false, timeout: 300_000, selfHeal: true, ignore: [] };
const target: Target = { release, cluster, key: 'prod-eu-west/web', path: 'web', variables: {}, issues: [] };
const clock = { now: () => 0, sleep: async () => {} };
const cm = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'web', labels }, data: { a: 'b' } });

/** recordingPort answers like an empty cluster and records every call; writes are what must not happen. */
function recordingPort(overrides: Partial<ClusterPort> = {}): ClusterPort & { calls: string[] } {
  const calls: string[] = [];
  const record = (name: string) => calls.push(name);
  return {
    calls,
    name: 'prod-eu-west',
    fingerprint: async () => (record('fingerprint'), 'uid'),
    get: async () => (record('get'), undefined),
    apply: async (objects) => {
      record('apply');
      const results = objects.map((object) => ({ object, action: 'created' as const, live: object }));
      return { results, entries: results.map((r) => ({ object: { kind: r.object.kind, namespace: r.object.metadata.namespace, name: r.object.metadata.name }, action: r.action })), errors: [] };
    },
    readInventory: async () => (record('readInventory'), ok(undefined)),
    writeInventory: async () => (record('writeInventory'), ok('created' as const)),
    listInventories: async () => [],
    prune: async () => (record('prune'), { plan: { delete: [], keep: [] }, entries: [], errors: [] }),
    readHealth: async () => ({ objects: [] }),
    waitForHealth: async () => {
      throw new Error('no wait expected');
    },
    watch: () => ({ stop() {}, ready: Promise.resolve() }),
    stats: () => ({ requests: 0, reads: 0, writes: 0, dryRuns: 0 }),
    close() {},
    ...overrides,
  };
}

test('a failed render touches nothing in the cluster: no apply, no inventory, no prune', async () => {
  const port = recordingPort();
  const result = await syncTarget({ target, render: fail(new FlotillaError('RENDER_RESOURCE_NOT_FOUND', 'web/kustomization.yaml: missing.yaml does not exist')), guards: [], revision: 'abc', cluster: port, clock });
  assert.equal(result.sync, 'Failed');
  assert.equal(result.message, 'render failed: web/kustomization.yaml: missing.yaml does not exist');
  assert.deepEqual(port.calls, []);
});

test('a guard verdict blocks the target before anything is read or written', async () => {
  const port = recordingPort();
  const events: string[] = [];
  const rendered = ok({ target, objects: [{ object: cm('settings', { cluster: 'prod-us-east' }), provenance: new Map() }] });
  const result = await syncTarget({ target, render: rendered, guards: [{ name: 'identity', builtin: 'identity' }], revision: 'abc', cluster: port, clock, options: { onEvent: (e) => events.push(`${e.type} ${'guard' in e ? e.guard : ''}`) } });
  assert.equal(result.sync, 'Blocked');
  assert.equal(result.guards[0]?.guard, 'identity');
  assert.deepEqual(port.calls, []);
  assert.deepEqual(events, ['GuardBlocked identity']);
});

test('an unreadable inventory still applies but neither prunes nor rewrites the inventory', async () => {
  const port = recordingPort({ readInventory: async () => fail(new FlotillaError('INVENTORY_INVALID', 'inventory ConfigMap flotilla-system/flotilla-inv-web: data.objects line 1: not a JSON array')) });
  const result = await syncTarget({ target, render: ok({ target, objects: [{ object: cm('settings'), provenance: new Map() }] }), guards: [], revision: 'abc', cluster: port, clock });
  assert.equal(result.sync, 'Failed');
  assert.match(result.message, /the inventory cannot be read, so nothing is pruned/);
  assert.ok(!port.calls.includes('prune') && !port.calls.includes('writeInventory'));
});

test('a sync writes the inventory with the prune candidates before pruning, and again without them after', async () => {
  const written: string[][] = [];
  const previous = newInventory({ release: 'web', revision: 'old', objects: [cm('settings'), cm('old')] });
  const port = recordingPort({
    readInventory: async () => ok(previous),
    writeInventory: async (inventory) => {
      written.push(inventory.objects.map((o) => o.name));
      return ok('configured' as const);
    },
    prune: async () => ({ plan: { delete: [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'old' }], keep: [] }, entries: [{ object: { kind: 'ConfigMap', namespace: 'web', name: 'old' }, action: 'deleted' }], errors: [] }),
  });
  const result = await syncTarget({ target, render: ok({ target, objects: [{ object: cm('settings'), provenance: new Map() }] }), guards: [], revision: 'new', cluster: port, clock });
  assert.equal(result.sync, 'Synced');
  assert.deepEqual(written, [['old', 'settings'], ['settings']]);
  assert.deepEqual(result.changes.entries.map((e) => `${e.object.name} ${e.action}`), ['settings created', 'old deleted']);
});

test('aggregateHealth is the worst object health, and backoffStep stays within one capped step', () => {
  assert.equal(aggregateHealth([]), 'Healthy');
  assert.equal(aggregateHealth([{ status: 'Healthy' }, { status: 'Progressing' }]), 'Progressing');
  assert.equal(aggregateHealth([{ status: 'Progressing' }, { status: 'Unknown' }]), 'Unknown');
  assert.equal(aggregateHealth([{ status: 'Unknown' }, { status: 'Degraded' }]), 'Degraded');
  const backoff = { baseMs: 1000, maxMs: 8000 };
  assert.deepEqual([1, 2, 3, 4, 5].map((f) => backoffStep(f, backoff, () => 1)), [1000, 2000, 4000, 8000, 8000]);
  assert.deepEqual([1, 2, 3, 4, 5].map((f) => backoffStep(f, backoff, () => 0)), [500, 1000, 2000, 4000, 4000]);
});

// The sync engine against six sandbox clusters: the example fleet is applied with server-side
// apply, what the real kubectl reads back matches the render, a second sync writes nothing, a
// resource removed from the base is pruned everywhere, a broken kustomization writes and prunes
// nothing, and an object whose release label was removed by hand is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatRef } from '../../src/core/index.js';
import type { KubeObject } from '../../src/manifest/index.js';
import { detectDrift, releaseLabel } from '../../src/plan/index.js';
import { prepareDesired } from '../../src/reconcile/index.js';
import { connections, copyFleet, exampleClusters, exampleFleet, kubectl, kubectlJson, renderOnce, startClusters, syncOnce } from '../support/sync-fleet.js';

const managedKinds = 'namespaces,configmaps,networkpolicies,services,deployments';

function keyOf(object: KubeObject): string {
  return formatRef({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name });
}

/** liveManaged reads, with kubectl, every object of a cluster that carries a release label. */
async function liveManaged(sandbox: Awaited<ReturnType<typeof startClusters>>, cluster: string): Promise<Map<string, KubeObject>> {
  const list = await kubectlJson(sandbox, cluster, ['get', managedKinds, '--all-namespaces']);
  return new Map((list.items as KubeObject[]).map((o) => [keyOf(o), o]));
}

function labelled(live: Map<string, KubeObject>): Map<string, KubeObject> {
  return new Map([...live].filter(([, o]) => o.metadata.labels?.[releaseLabel] !== undefined));
}

test('the example fleet syncs to six clusters, kubectl reads back the render, and a second sync writes nothing', async () => {
  const sandbox = await startClusters();
  try {
    const first = connections(sandbox);
    const result = await syncOnce(exampleFleet, first.connect);
    assert.equal(result.targets.length, 12);
    for (const t of result.targets) {
      assert.equal(t.sync, 'Synced', `${t.key}: ${t.message}`);
      assert.equal(t.health, 'Healthy', t.key);
      assert.ok(t.changes.entries.length > 0, t.key);
      for (const e of t.changes.entries) assert.equal(e.action, 'created', `${t.key}: ${formatRef(e.object)} ${e.action} ${e.reason ?? ''}`);
      assert.equal(t.inventory, 'created');
    }

    for (const cluster of exampleClusters) {
      const live = await liveManaged(sandbox, cluster);
      const rendered = renderOnce(exampleFleet, { cluster });
      let expected = 0;
      for (const { target, result: render } of rendered) {
        assert.ok(render.ok, target.key);
        for (const desired of prepareDesired(render.value.objects.map((o) => o.object), target.release.name).objects) {
          expected++;
          const object = live.get(keyOf(desired));
          assert.ok(object, `${cluster}: kubectl does not find ${keyOf(desired)}`);
          assert.equal(object.metadata.labels?.[releaseLabel], target.release.name);
          const drift = detectDrift(desired, object);
          assert.deepEqual(drift.fields, [], `${cluster}: ${keyOf(desired)} differs from the render`);
        }
        const inventory = live.get(`ConfigMap/flotilla-system/flotilla-inv-${target.release.name}`) as { data?: Record<string, string> } | undefined;
        assert.equal(inventory?.data?.revision, 'test');
        assert.equal(inventory?.data?.objects?.trim().split('\n').length, render.value.objects.length);
      }
      assert.equal(labelled(live).size, expected, `${cluster}: labelled objects ${[...labelled(live).keys()].join(', ')}`);
    }
    for (const c of result.clusters) assert.ok(c.requests.writes > 0);

    const second = await syncOnce(exampleFleet, connections(sandbox).connect);
    for (const t of second.targets) {
      assert.equal(t.sync, 'Synced', t.key);
      for (const e of t.changes.entries) assert.equal(e.action, 'unchanged', `${t.key}: ${formatRef(e.object)} ${e.action}`);
      assert.equal(t.inventory, 'unchanged');
    }
    for (const c of second.clusters) assert.equal(c.requests.writes, 0, `${c.cluster} wrote on a no-op sync`);
  } finally {
    await sandbox.stop();
  }
});

test('a resource removed from the base is pruned from all six clusters; a broken kustomization writes and prunes nothing; an unlabelled object is kept', async () => {
  const fleet = copyFleet();
  const sandbox = await startClusters();
  const base = join(fleet.dir, 'base', 'kustomization.yaml');
  const original = readFileSync(base, 'utf8');
  try {
    const synced = await syncOnce(fleet.dir, connections(sandbox).connect);
    assert.ok(synced.targets.every((t) => t.sync === 'Synced'));

    // Broken: a resource that does not exist, and the NetworkPolicy gone from the list.
    writeFileSync(base, original.replace('- default-deny.yaml', '- missing.yaml'));
    const broken = await syncOnce(fleet.dir, connections(sandbox).connect);
    for (const t of broken.targets) {
      if (t.release === 'cluster-config') {
        assert.equal(t.sync, 'Failed', t.key);
        assert.match(t.message, /render failed/);
        assert.deepEqual(t.changes.entries, []);
      }
    }
    for (const c of broken.clusters) assert.equal(c.requests.writes, 0, `${c.cluster} was written after a failed render`);
    for (const cluster of exampleClusters) assert.ok((await liveManaged(sandbox, cluster)).has('NetworkPolicy/monitoring/default-deny'), `${cluster} lost the NetworkPolicy after a failed render`);

    // Someone takes one cluster's NetworkPolicy out of Flotilla's hands.
    await kubectl(sandbox, 'prod-us-east', ['label', 'networkpolicy', '-n', 'monitoring', 'default-deny', `${releaseLabel}-`]);

    writeFileSync(base, original.replace('- default-deny.yaml\n', ''));
    const pruned = await syncOnce(fleet.dir, connections(sandbox).connect);
    for (const t of pruned.targets.filter((x) => x.release === 'cluster-config')) {
      assert.equal(t.sync, 'Synced', `${t.key}: ${t.message}`);
      const entry = t.changes.entries.find((e) => formatRef(e.object) === 'NetworkPolicy/monitoring/default-deny');
      assert.ok(entry, t.key);
      if (t.cluster === 'prod-us-east') {
        assert.equal(entry.action, 'skipped');
        assert.match(entry.reason ?? '', /no longer carries the label/);
      } else {
        assert.equal(entry.action, 'deleted', t.key);
      }
    }
    for (const cluster of exampleClusters) {
      const live = await liveManaged(sandbox, cluster);
      assert.equal(live.has('NetworkPolicy/monitoring/default-deny'), cluster === 'prod-us-east', cluster);
      const inventory = live.get('ConfigMap/flotilla-system/flotilla-inv-cluster-config') as { data?: Record<string, string> } | undefined;
      assert.ok(inventory, cluster);
      assert.doesNotMatch(inventory.data?.objects ?? '', /NetworkPolicy/, `${cluster}: the inventory still lists the NetworkPolicy`);
    }
  } finally {
    await sandbox.stop();
    fleet.remove();
  }
});

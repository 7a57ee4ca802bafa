import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlStream, type KubeObject } from '../manifest/index.js';
import {
  decodeInventory,
  encodeInventory,
  inventoryKey,
  inventoryName,
  newInventory,
  planPrune,
  type Inventory,
  type InventoryRef,
  type PruneInput,
} from './inventory.js';

function fixture(name: string): unknown {
  const parsed = parseYamlStream(readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8'), { file: name });
  assert.ok(parsed.ok);
  return parsed.value[0]!.value;
}

function obj(apiVersion: string, kind: string, name: string, namespace?: string, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), ...metadata } };
}

const shopObjects = [
  obj('v1', 'Service', 'api', 'shop'),
  obj('v1', 'Namespace', 'shop'),
  obj('apps/v1', 'Deployment', 'api', 'shop'),
  obj('cert-manager.io/v1', 'Certificate', 'shop-tls', 'shop'),
  obj('v1', 'ConfigMap', 'api-config', 'shop'),
  obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'shop:reader'),
];

test('encodes to the documented ConfigMap, byte for byte as the fixture holds it', () => {
  const inventory = newInventory({ release: 'shop', revision: '9b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c', contentHash: 'sha256:4c1f0e0b8a7d2e6f', objects: shopObjects });
  const encoded = encodeInventory(inventory);
  assert.ok(encoded.ok);
  const stored = fixture('inventory-shop.yaml') as KubeObject;
  assert.deepEqual(encoded.value.data, stored.data);
  assert.deepEqual(encoded.value.metadata, { name: 'flotilla-inv-shop', namespace: 'flotilla-system', labels: stored.metadata.labels });
  assert.equal(inventoryName('shop'), 'flotilla-inv-shop');
});

test('the encoding does not depend on the order of the objects', () => {
  const a = encodeInventory(newInventory({ release: 'shop', revision: 'r', objects: shopObjects }));
  const b = encodeInventory(newInventory({ release: 'shop', revision: 'r', objects: [...shopObjects].reverse() }));
  assert.ok(a.ok && b.ok);
  assert.equal(JSON.stringify(a.value.data), JSON.stringify(b.value.data));
});

test('decodes what it encodes', () => {
  const inventory = newInventory({ release: 'shop', revision: 'r1', objects: shopObjects });
  const encoded = encodeInventory(inventory);
  assert.ok(encoded.ok);
  const decoded = decodeInventory(encoded.value, { release: 'shop' });
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.value, inventory);
  const empty = encodeInventory(newInventory({ release: 'shop', revision: 'r2', objects: [] }));
  assert.ok(empty.ok);
  const cleared = decodeInventory(empty.value);
  assert.ok(cleared.ok);
  assert.deepEqual(cleared.value, { release: 'shop', revision: 'r2', objects: [] });
});

test('reads the live ConfigMap fixture with its server fields', () => {
  const decoded = decodeInventory(fixture('inventory-shop.yaml'), { release: 'shop' });
  assert.ok(decoded.ok);
  assert.equal(decoded.value.revision, '9b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c');
  assert.equal(decoded.value.contentHash, 'sha256:4c1f0e0b8a7d2e6f');
  assert.equal(decoded.value.objects.length, 6);
  assert.deepEqual(decoded.value.objects.find((o) => o.kind === 'ClusterRole'), { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'shop:reader' });
});

test('tolerates CRLF, blank and duplicate lines and missing format and release keys', () => {
  const decoded = decodeInventory(fixture('inventory-tolerant.yaml'), { release: 'shop' });
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.issues.map((i) => i.message).join('\n'));
  assert.deepEqual(decoded.value, {
    release: 'shop',
    revision: '9b1c2d3e',
    objects: [
      { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'api' },
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' },
    ],
  });
});

test('refuses an inventory with unreadable lines, naming every one of them', () => {
  const decoded = decodeInventory(fixture('inventory-corrupt.yaml'), { release: 'shop' });
  assert.equal(decoded.ok, false);
  if (decoded.ok) return;
  assert.deepEqual(decoded.issues.map((i) => i.code), ['INVENTORY_INVALID', 'INVENTORY_INVALID']);
  assert.match(decoded.issues[0]!.message, /^inventory ConfigMap flotilla-system\/flotilla-inv-shop: data\.objects line 2: not a JSON array: apps\/v1 Deployment shop worker$/);
  assert.match(decoded.issues[1]!.message, /line 3: expected \["apiVersion", "kind", "namespace", "name"\]/);
  assert.deepEqual(decoded.issues[0]!.object, { kind: 'ConfigMap', namespace: 'flotilla-system', name: 'flotilla-inv-shop' });
});

test('refuses a format written by a newer Flotilla, another release, and things that are not inventories', () => {
  const future = decodeInventory(fixture('inventory-future.yaml'));
  assert.ok(!future.ok && /flotilla\.dev\/inventory\/v2.*newer Flotilla/.test(future.issues[0]!.message));
  const other = decodeInventory(fixture('inventory-shop.yaml'), { release: 'billing' });
  assert.ok(!other.ok && /belongs to release "shop", not "billing"/.test(other.issues[0]!.message));
  const secret = decodeInventory({ kind: 'Secret', metadata: { name: 'flotilla-inv-shop' }, data: {} });
  assert.ok(!secret.ok && /is a Secret, not a ConfigMap/.test(secret.issues[0]!.message));
  const numbers = decodeInventory({ kind: 'ConfigMap', metadata: { name: 'flotilla-inv-shop' }, data: { objects: 5 } });
  assert.ok(!numbers.ok && /data\.objects is not a string/.test(numbers.issues[0]!.message));
  assert.equal(decodeInventory(null).ok, false);
});

test('an inventory too large for one ConfigMap is an error, not a truncated list', () => {
  const objects = Array.from({ length: 20_000 }, (_, i) => obj('v1', 'ConfigMap', `config-${String(i).padStart(6, '0')}-with-a-rather-long-name`, 'shop'));
  const encoded = encodeInventory(newInventory({ release: 'shop', revision: 'r', objects }));
  assert.ok(!encoded.ok && encoded.issues[0]!.code === 'INVENTORY_TOO_LARGE');
});

test('the identity leaves out the version, so a new apiVersion is the same object', () => {
  assert.equal(
    inventoryKey({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace: 'shop', name: 'api' }),
    inventoryKey({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', namespace: 'shop', name: 'api' }),
  );
  assert.notEqual(inventoryKey({ apiVersion: 'v1', kind: 'Event', name: 'e' }), inventoryKey({ apiVersion: 'events.k8s.io/v1', kind: 'Event', name: 'e' }));
});

// ---- prune

const labelled = (o: KubeObject, release = 'shop', annotations?: Record<string, string>): KubeObject => ({
  ...o,
  metadata: { ...o.metadata, labels: { 'flotilla.dev/release': release }, ...(annotations ? { annotations } : {}) },
});

function refKey(r: InventoryRef): string {
  return `${r.kind}/${r.namespace ?? ''}/${r.name}`;
}

function pruneInput(previous: Inventory | undefined, desired: KubeObject[], liveObjects: KubeObject[], extra: Partial<PruneInput> = {}): PruneInput {
  const live = new Map(liveObjects.map((o) => [inventoryKey({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name }), o]));
  return { release: 'shop', previous, desired, renderFailed: false, allowEmpty: false, live: (ref) => live.get(inventoryKey(ref)), ...extra };
}

const previous = newInventory({ release: 'shop', revision: 'r1', objects: shopObjects });

test('deletes what left the release and is still ours, in delete order', () => {
  const desired = [obj('v1', 'Namespace', 'shop'), obj('apps/v1', 'Deployment', 'api', 'shop')];
  const plan = planPrune(pruneInput(previous, desired, shopObjects.map((o) => labelled(o))));
  assert.equal(plan.blocked, undefined);
  assert.deepEqual(plan.keep, []);
  // the custom resource goes first, the cluster-scoped ClusterRole after the namespaced objects
  assert.deepEqual(plan.delete.map(refKey), ['Certificate/shop/shop-tls', 'Service/shop/api', 'ConfigMap/shop/api-config', 'ClusterRole//shop:reader']);
});

test('keeps, with the reason, objects that lost the label, belong to another release, opt out or are gone', () => {
  const live = [
    labelled(obj('v1', 'Namespace', 'shop')),
    labelled(obj('apps/v1', 'Deployment', 'api', 'shop')),
    obj('v1', 'Service', 'api', 'shop'), // label removed by hand
    labelled(obj('v1', 'ConfigMap', 'api-config', 'shop'), 'billing'), // taken over by another release
    labelled(obj('cert-manager.io/v1', 'Certificate', 'shop-tls', 'shop'), 'shop', { 'flotilla.dev/prune': 'disabled' }),
    // the ClusterRole is already gone
  ];
  const plan = planPrune(pruneInput(previous, [obj('v1', 'Namespace', 'shop'), obj('apps/v1', 'Deployment', 'api', 'shop')], live));
  assert.deepEqual(plan.delete, []);
  assert.deepEqual(
    plan.keep.map((k) => [refKey(k.ref), k.reason]),
    [
      ['ConfigMap/shop/api-config', 'other-release'],
      ['Service/shop/api', 'label-removed'],
      ['Certificate/shop/shop-tls', 'prune-disabled'],
      ['ClusterRole//shop:reader', 'not-found'],
    ],
  );
  assert.equal(plan.keep.find((k) => k.reason === 'label-removed')!.message, 'Service/shop/api left the release but is kept: it no longer carries the label flotilla.dev/release=shop');
});

test('an object still desired is never deleted, whatever version it is applied at now', () => {
  const desired = shopObjects.map((o) => (o.kind === 'Deployment' ? { ...o, apiVersion: 'apps/v1beta2' } : o));
  assert.deepEqual(planPrune(pruneInput(previous, desired, shopObjects.map((o) => labelled(o)))).delete, []);
});

test('nothing is pruned after a failed render', () => {
  const plan = planPrune(pruneInput(previous, [], shopObjects.map((o) => labelled(o)), { renderFailed: true, allowEmpty: true }));
  assert.deepEqual(plan.delete, []);
  assert.equal(plan.blocked?.reason, 'render-failed');
});

test('an empty render with a non-empty inventory prunes nothing unless allowEmpty', () => {
  const blocked = planPrune(pruneInput(previous, [], shopObjects.map((o) => labelled(o))));
  assert.deepEqual(blocked.delete, []);
  assert.equal(blocked.blocked?.reason, 'empty-desired');
  assert.match(blocked.blocked!.message, /renders no objects while its inventory lists 6; nothing is pruned \(set allowEmpty: true/);

  const allowed = planPrune(pruneInput(previous, [], shopObjects.map((o) => labelled(o)), { allowEmpty: true }));
  assert.equal(allowed.blocked, undefined);
  assert.equal(allowed.delete.length, 6);
  assert.equal(refKey(allowed.delete.at(-1)!), 'Namespace//shop');
});

test('without a previous inventory nothing is known to be ours', () => {
  assert.deepEqual(planPrune(pruneInput(undefined, [], [labelled(obj('v1', 'ConfigMap', 'x', 'shop'))])), { delete: [], keep: [] });
});

test('a release with prune: false keeps everything that left it, saying so', () => {
  const plan = planPrune(pruneInput(previous, [obj('v1', 'Namespace', 'shop')], shopObjects.map((o) => labelled(o)), { prune: false }));
  assert.deepEqual(plan.delete, []);
  assert.equal(plan.keep.length, 5);
  assert.ok(plan.keep.every((k) => k.reason === 'release-prune-off'));
});

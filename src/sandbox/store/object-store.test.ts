import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore, type KubeJson } from './object-store.js';

const cm = (name: string, namespace = 'ns'): KubeJson => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });

test('every write takes the next resourceVersion, and lists come back in key order', () => {
  const store = new ObjectStore({ initialResourceVersion: 10 });
  store.put('/configmaps', cm('b'));
  store.put('/configmaps', cm('a'));
  store.put('/configmaps', cm('a', 'other'));
  assert.equal(store.resourceVersion, 13);
  assert.deepEqual(store.list('/configmaps').map((o) => `${o.metadata.namespace}/${o.metadata.name}@${o.metadata.resourceVersion}`), ['ns/a@12', 'ns/b@11', 'other/a@13']);
  assert.deepEqual(store.list('/configmaps', 'ns').map((o) => o.metadata.name), ['a', 'b']);
  const removed = store.remove('/configmaps', 'ns', 'a');
  assert.equal(removed?.metadata.resourceVersion, '14', 'a delete has its own resourceVersion');
  assert.equal(store.get('/configmaps', 'ns', 'a'), undefined);
});

test('the history keeps the newest events; resuming before them is refused, after them replays exactly the rest', () => {
  const store = new ObjectStore({ historySize: 3, initialResourceVersion: 0 });
  const seen: string[] = [];
  store.subscribe((e) => seen.push(`${e.type}:${e.object.metadata.name}`));
  for (const name of ['a', 'b', 'c', 'd', 'e']) store.put('/configmaps', cm(name));
  store.put('/configmaps', cm('a'));
  assert.equal(seen.length, 6);
  assert.equal(seen[5], 'MODIFIED:a');
  assert.equal(store.compactedRevision, 3);
  assert.equal(store.eventsSince(2), undefined, 'event 3 is gone: 410');
  assert.deepEqual(store.eventsSince(3)?.map((e) => e.rv), [4, 5, 6]);
  assert.deepEqual(store.eventsSince(5)?.map((e) => e.rv), [6]);
  assert.deepEqual(store.eventsSince(99), []);
});

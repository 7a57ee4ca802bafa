import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../manifest/index.js';
import type { Resource } from '../kustomize/resource.js';
import type { ProvenanceEntry } from '../types.js';
import { changedPaths, diffObjects, recordChanges } from './changed-paths.js';

test('changedPaths lists added, removed and changed leaves', () => {
  const before = { a: 1, b: { c: 2, d: 3 }, list: ['x', 'y'] };
  const after = { a: 1, b: { c: 9, e: 4 }, list: ['x', 'z'], f: true };
  assert.deepEqual(changedPaths(before, after).map((p) => p.join('.')).sort(), ['b.c', 'b.d', 'b.e', 'f', 'list.1']);
  assert.deepEqual(changedPaths(before, structuredClone(before)), []);
  assert.deepEqual(changedPaths({ a: { b: 1 } }, { a: 'scalar' }), [['a']]);
});

test('list elements are matched by their merge key when they move', () => {
  const before = { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] };
  const after = { containers: [{ name: 'c', image: 'c:1' }, { name: 'b', image: 'b:2' }, { name: 'a', image: 'a:1' }] };
  const diff = diffObjects(before, after);
  assert.deepEqual(diff.changed, [['containers', 0], ['containers', 1, 'image']]);
  assert.deepEqual([...diff.lists[0]!.moves], [[1, 1], [0, 2]]);
});

test('recordChanges moves provenance with list elements, drops removed ones, and attributes changes', () => {
  const file: ProvenanceEntry = { file: 'base/deployment.yaml', layer: 'resource' };
  const image: ProvenanceEntry = { file: 'base/images.yaml', layer: 'transformer', step: 'images' };
  const patch: ProvenanceEntry = { file: 'overlay/patch.yaml', layer: 'patch', step: 'patches[0]' };
  const before = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'gone', image: 'g' }, { name: 'b', image: 'b:1' }] } };
  const resource: Resource = {
    object: { ...structuredClone(before) } as KubeObject,
    provenance: new Map([
      ['', file],
      ['/spec/containers/0/image', image],
      ['/spec/containers/1/image', image],
      ['/spec/containers/2/image', image],
    ]),
    history: [],
  };
  resource.object = { ...before, spec: { containers: [{ name: 'new', image: 'n' }, { name: 'b', image: 'b:2' }, { name: 'a', image: 'a:1' }] } } as KubeObject;
  recordChanges(resource, before, patch);
  assert.deepEqual(Object.fromEntries(resource.provenance), {
    '': file,
    '/spec/containers/2/image': image,
    '/spec/containers/0': patch,
    '/spec/containers/1/image': patch,
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinTypes } from '../registry/builtin-types.js';
import type { KubeJson } from '../store/object-store.js';
import { selectorFilter } from './selectors.js';

const secret = builtinTypes.find((t) => t.kind === 'Secret')!;
const objects: KubeJson[] = [
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a', namespace: 'x', labels: { tier: 'web', env: 'prod' } }, type: 'Opaque' },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b', namespace: 'y', labels: { tier: 'db' } }, type: 'kubernetes.io/tls' },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'c', namespace: 'x' }, type: 'Opaque' },
];
const names = (query: string) => objects.filter(selectorFilter(new URLSearchParams(query), secret)).map((o) => o.metadata.name);

test('label selectors take the full syntax; field selectors the fields the kind supports', () => {
  assert.deepEqual(names(''), ['a', 'b', 'c']);
  assert.deepEqual(names('labelSelector=tier%3Dweb'), ['a']);
  assert.deepEqual(names('labelSelector=tier'), ['a', 'b']);
  assert.deepEqual(names('labelSelector=!tier'), ['c']);
  assert.deepEqual(names('labelSelector=tier+notin+(db),env!%3Ddev'), ['a', 'c']);
  assert.deepEqual(names('fieldSelector=metadata.namespace%3Dx'), ['a', 'c']);
  assert.deepEqual(names('fieldSelector=type%3Dkubernetes.io/tls'), ['b']);
  assert.deepEqual(names('fieldSelector=metadata.name!%3Da,metadata.namespace%3D%3Dx'), ['c']);
  assert.throws(() => names('fieldSelector=status.phase%3DActive'), /"status.phase" is not a known field selector/);
  assert.throws(() => names('labelSelector=a+in+(b'), (e: { code: number }) => e.code === 400);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest/index.js';
import { diffObjects, diffValues, jsonEqual, objectKey } from './diff.js';

function cm(name: string, data: Record<string, string>, namespace = 'apps'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

test('objects pair by group, kind, namespace and name; a new apiVersion version is a change, not a replacement', () => {
  assert.equal(objectKey({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'a' } }), 'apps/Deployment/a/web');
  const before: KubeObject[] = [{ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'a' }, spec: { maxReplicas: 3 } }];
  const after: KubeObject[] = [{ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'a' }, spec: { maxReplicas: 3 } }];
  const changes = diffObjects(before, after);
  assert.equal(changes.length, 1);
  assert.equal(changes[0]!.action, 'change');
  assert.deepEqual(changes[0]!.fields, [{ path: '/apiVersion', action: 'change', before: 'autoscaling/v1', after: 'autoscaling/v2' }]);
});

test('added, changed and removed objects come out with their fields; unchanged objects are left out', () => {
  const before = [cm('same', { a: '1' }), cm('edited', { a: '1', gone: 'x' }), cm('old', { a: '1' })];
  const after = [cm('same', { a: '1' }), cm('edited', { a: '2', added: 'y' }), cm('new', { k: 'v' })];
  const changes = diffObjects(before, after);
  assert.deepEqual(
    changes.map((c) => [c.action, c.object]),
    [
      ['change', 'ConfigMap/apps/edited'],
      ['add', 'ConfigMap/apps/new'],
      ['remove', 'ConfigMap/apps/old'],
    ],
  );
  assert.deepEqual(changes[0]!.fields, [
    { path: '/data/a', action: 'change', before: '1', after: '2' },
    { path: '/data/added', action: 'add', after: 'y' },
    { path: '/data/gone', action: 'remove', before: 'x' },
  ]);
  // A removed key keeps its place among the keys that stay.
  assert.deepEqual(
    diffValues({ a: 1, gone: 1, b: 1 }, { a: 1, b: 2, c: 3 }, '').map((f) => f.path),
    ['/gone', '/b', '/c'],
  );
  assert.deepEqual(
    changes[1]!.fields.map((f) => f.path),
    ['/apiVersion', '/kind', '/metadata/name', '/metadata/namespace', '/data/k'],
  );
  assert.ok(changes[2]!.fields.every((f) => f.action === 'remove' && f.before !== undefined));
});

test('the same name in another namespace is another object', () => {
  const changes = diffObjects([cm('x', { a: '1' }, 'one')], [cm('x', { a: '1' }, 'two')]);
  assert.deepEqual(
    changes.map((c) => `${c.action} ${c.object}`),
    ['add ConfigMap/two/x', 'remove ConfigMap/one/x'],
  );
});

test('lists of named items pair by name, so inserting a container does not shift the others', () => {
  const before = { containers: [{ name: 'app', image: 'app:1' }, { name: 'proxy', image: 'envoy:1' }] };
  const after = { containers: [{ name: 'init', image: 'busybox' }, { name: 'app', image: 'app:2' }, { name: 'proxy', image: 'envoy:1' }] };
  assert.deepEqual(diffValues(before, after, ''), [
    { path: '/containers/0/name', action: 'add', after: 'init' },
    { path: '/containers/0/image', action: 'add', after: 'busybox' },
    { path: '/containers/1/image', action: 'change', before: 'app:1', after: 'app:2' },
  ]);
});

test('a reordered named list and a list that grew are one change of the whole list', () => {
  const a = [{ name: 'A', value: '1' }, { name: 'B', value: '2' }];
  const b = [{ name: 'B', value: '2' }, { name: 'A', value: '1' }];
  assert.deepEqual(diffValues({ env: a }, { env: b }, ''), [{ path: '/env', action: 'change', before: a, after: b }]);
  assert.deepEqual(diffValues({ args: ['--a'] }, { args: ['--a', '--b'] }, ''), [{ path: '/args', action: 'change', before: ['--a'], after: ['--a', '--b'] }]);
  assert.deepEqual(diffValues({ args: ['--a', '--b'] }, { args: ['--a', '--c'] }, ''), [{ path: '/args/1', action: 'change', before: '--b', after: '--c' }]);
});

test('keys with slashes and tildes are escaped in pointers; a type change is one change', () => {
  assert.deepEqual(diffValues({ 'a/b': 1, 'c~d': 1 }, { 'a/b': 2, 'c~d': 2 }, ''), [
    { path: '/a~1b', action: 'change', before: 1, after: 2 },
    { path: '/c~0d', action: 'change', before: 1, after: 2 },
  ]);
  assert.deepEqual(diffValues({ x: 'text' }, { x: { y: 1 } }, ''), [{ path: '/x', action: 'change', before: 'text', after: { y: 1 } }]);
  assert.deepEqual(diffValues({ x: '1' }, { x: 1 }, ''), [{ path: '/x', action: 'change', before: '1', after: 1 }]);
});

test('jsonEqual ignores key order and tells "1" from 1 and null from absent', () => {
  assert.ok(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }));
  assert.ok(!jsonEqual({ a: '1' }, { a: 1 }));
  assert.ok(!jsonEqual({ a: null }, {}));
  assert.ok(!jsonEqual([1, 2], [2, 1]));
});

test('Secret values are masked in every action, and only in Secrets', () => {
  const secret = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'a' }, type: 'Opaque', data });
  const changed = diffObjects([secret({ password: 'aHVudGVyMg==' })], [secret({ password: 'c2VjcmV0' })]);
  assert.deepEqual(changed[0]!.fields, [{ path: '/data/password', action: 'change', masked: true }]);
  const added = diffObjects([], [{ ...secret({ token: 'dG9rZW4=' }), stringData: { key: 'plain' } }]);
  const text = JSON.stringify(added);
  assert.ok(!text.includes('dG9rZW4=') && !text.includes('plain'), text);
  assert.ok(added[0]!.fields.some((f) => f.path === '/type' && f.after === 'Opaque'));
  const removed = diffObjects([secret({ token: 'dG9rZW4=' })], []);
  assert.ok(!JSON.stringify(removed).includes('dG9rZW4='));
  // data replaced wholesale (null → map) is masked too.
  const wholesale = diffObjects([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: null as unknown as string }], [secret({ k: 'djE=' })]);
  assert.ok(!JSON.stringify(wholesale).includes('djE='));
  // A ConfigMap is not a secret.
  assert.deepEqual(diffObjects([cm('c', { password: 'x' })], [cm('c', { password: 'y' })])[0]!.fields, [{ path: '/data/password', action: 'change', before: 'x', after: 'y' }]);
});

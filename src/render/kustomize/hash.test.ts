import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeHash, generatedNameHash, goJson } from './hash.js';

test('generatedNameHash matches the names kustomize v5.7.1 printed for the conformance corpus', () => {
  // configmapgen-literals-files-envs: haproxy-flags-2c85f5dm99
  const flags = { MAXCONN: '20000', STATS_ENABLED: 'true', BANNER: 'Welcome to the edge: mind the gap', EMPTY: '' };
  assert.equal(generatedNameHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'haproxy-flags' }, data: flags }), '2c85f5dm99');
  // secretgen-types-and-sources: payments-db-95kkmmmt6c
  const secret = { DB_USER: 'cGF5bWVudHM=', DB_PASSWORD: 'cEBzczp3MHJkL3dpdGg9c3BlY2lhbHM=' };
  assert.equal(generatedNameHash({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'payments-db' }, type: 'Opaque', data: secret }), '95kkmmmt6c');
});

test('the hash depends on content and kind, not on the name or labels (kustomize never finds metadata/name)', () => {
  const a = generatedNameHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { x: 'y' } }, data: { k: 'v' } });
  const b = generatedNameHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prefix-b' }, data: { k: 'v' } });
  assert.equal(a, b);
  assert.notEqual(a, generatedNameHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'w' } }));
  assert.notEqual(a, generatedNameHash({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a' }, data: { k: 'v' } }));
});

test('goJson escapes as Go does: HTML characters, line separators, control characters; keys sorted', () => {
  assert.equal(goJson({ b: '<a&b>', a: '\u2028\u0001\n' }), '{"a":"\\u2028\\u0001\\n","b":"\\u003ca\\u0026b\\u003e"}');
  assert.equal(goJson([1, 0.5, true, null]), '[1,0.5,true,null]');
});

test('encodeHash swaps the characters that could spell words', () => {
  assert.equal(encodeHash('0123456789abcdef'), 'gh2k456789');
  assert.equal(encodeHash('abcdeabcde00'), 'mbcdtmbcdt');
  assert.equal(encodeHash('e'.repeat(12)), 'tttttttttt');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeValues, originOf } from './values.js';

test('user layers merge maps key by key, replace lists and scalars, and keep nulls for helm', () => {
  const merged = mergeValues({}, [
    { image: { repository: 'nginx', tag: '1.0' }, flags: ['a', 'b'], keep: 1 },
    { image: { tag: '2.0' }, flags: ['c'], keep: null },
  ]);
  assert.deepEqual(merged.user, { image: { repository: 'nginx', tag: '2.0' }, flags: ['c'], keep: null });
  assert.equal(originOf(merged.origins, '/image/tag'), 2);
  assert.equal(originOf(merged.origins, '/image/repository'), 1);
  assert.equal(originOf(merged.origins, '/flags/0'), 2);
});

test('chart defaults fill what the user left out, and a user null deletes the default', () => {
  const defaults = { replicaCount: 1, config: { debug: 'false', level: 'info' }, cache: { enabled: true, size: 'small' }, list: [1, 2] };
  const merged = mergeValues(defaults, [{ config: { debug: null }, cache: { size: 'large' } }, { list: [3] }]);
  assert.deepEqual(merged.effective, { replicaCount: 1, config: { level: 'info' }, cache: { enabled: true, size: 'large' }, list: [3] });
  assert.equal(originOf(merged.origins, '/replicaCount'), 0);
  assert.equal(originOf(merged.origins, '/cache/size'), 1);
  assert.equal(originOf(merged.origins, '/cache/enabled'), 0);
  assert.equal(merged.origins.has('/config/debug'), false);
  assert.equal(originOf(merged.origins, '/config/level'), 0);
  assert.equal(originOf(merged.origins, '/list/0'), 2);
  // The defaults are not changed by a merge.
  assert.deepEqual(defaults.config, { debug: 'false', level: 'info' });
});

test('a user value of another shape than the default wins, in both directions', () => {
  const merged = mergeValues({ a: { x: 1 }, b: 'text' }, [{ a: 'flat', b: { y: 2 } }]);
  assert.deepEqual(merged.effective, { a: 'flat', b: { y: 2 } });
  assert.equal(originOf(merged.origins, '/b/y'), 1);
});

test('a later layer that replaces a map with a scalar drops the origins below it', () => {
  const merged = mergeValues({}, [{ a: { x: 1, y: 2 } }, { a: 3 }, { a: { z: 4 } }]);
  assert.deepEqual(merged.user, { a: { z: 4 } });
  assert.equal(originOf(merged.origins, '/a/z'), 3);
  assert.equal(merged.origins.has('/a/x'), false);
});

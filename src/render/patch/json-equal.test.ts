import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonEqual } from './json-equal.js';

test('jsonEqual compares maps regardless of key order and lists in order', () => {
  assert.equal(jsonEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }), true);
  assert.equal(jsonEqual([1, 2], [2, 1]), false);
  assert.equal(jsonEqual({ a: 1 }, { a: 1, b: 2 }), false);
  assert.equal(jsonEqual({ a: 1, b: 2 }, { a: 1 }), false);
  assert.equal(jsonEqual(1, '1'), false);
  assert.equal(jsonEqual(null, {}), false);
  assert.equal(jsonEqual([], {}), false);
  assert.equal(jsonEqual({ a: undefined }, {}), true);
  assert.equal(jsonEqual(null, null), true);
});

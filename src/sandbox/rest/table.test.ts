import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration } from './table.js';

test('ages print as kubectl prints them', () => {
  const s = 1000;
  const cases: Array<[number, string]> = [
    [-5 * s, '<invalid>'],
    [0, '0s'],
    [119 * s, '119s'],
    [125 * s, '2m5s'],
    [10 * 60 * s, '10m'],
    [179 * 60 * s, '179m'],
    [3 * 3600 * s + 20 * 60 * s, '3h20m'],
    [30 * 3600 * s, '30h'],
    [3 * 86400 * s + 4 * 3600 * s, '3d4h'],
    [100 * 86400 * s, '100d'],
    [3 * 365 * 86400 * s + 10 * 86400 * s, '3y10d'],
    [9 * 365 * 86400 * s, '9y'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, `${ms} ms`);
});

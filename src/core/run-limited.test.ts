import assert from 'node:assert/strict';
import test from 'node:test';
import { runLimited } from './run-limited.js';

test('runLimited keeps the list order in its results and never runs more than the limit at once', async () => {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const results = await runLimited([5, 1, 4, 2, 3], 2, async (n) => {
    started.push(n);
    running++;
    most = Math.max(most, running);
    for (let i = 0; i < n; i++) await Promise.resolve();
    running--;
    return n * 10;
  });
  assert.deepEqual(results, [50, 10, 40, 20, 30]);
  assert.equal(most, 2);
  assert.deepEqual(started, [5, 1, 4, 2, 3]);
});

test('runLimited treats a limit below 1 as 1 and an empty list as nothing to do', async () => {
  let running = 0;
  let most = 0;
  const results = await runLimited([1, 2, 3], 0, async (n) => {
    running++;
    most = Math.max(most, running);
    await Promise.resolve();
    running--;
    return n;
  });
  assert.deepEqual(results, [1, 2, 3]);
  assert.equal(most, 1);
  assert.deepEqual(await runLimited([], 4, async () => 1), []);
});

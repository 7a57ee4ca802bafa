import assert from 'node:assert/strict';
import test from 'node:test';
import { backoffDelay, timerClock } from './backoff.js';

test('backoffDelay doubles from the base up to the cap, half fixed and half jittered', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((r) => backoffDelay(r, policy, () => 0)), [50, 100, 200, 400, 500, 500]);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((r) => backoffDelay(r, policy, () => 1)), [100, 200, 400, 800, 1000, 1000]);
  assert.equal(backoffDelay(-3, policy, () => 1), 100);
});

test('timerClock sleeps on the given timers and an abort ends the sleep early without a rejection', async () => {
  const pending = new Map<number, () => void>();
  let next = 0;
  const clock = timerClock({
    now: () => 42,
    setTimeout: (callback, ms) => {
      assert.equal(ms, 5000);
      pending.set(++next, callback);
      return next;
    },
    clearTimeout: (timer: number) => void pending.delete(timer),
  });
  assert.equal(clock.now(), 42);

  const fired = clock.sleep(5000);
  assert.equal(pending.size, 1);
  [...pending.values()][0]!();
  await fired;
  assert.equal(pending.size, 0);

  const abort = new AbortController();
  const aborted = clock.sleep(5000, abort.signal);
  assert.equal(pending.size, 1);
  abort.abort();
  await aborted;
  assert.equal(pending.size, 0, 'the abort clears the timer');

  await clock.sleep(5000, abort.signal);
  assert.equal(next, 2, 'an already aborted signal sets no timer');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlotillaError } from '../core/index.js';
import { backoffDelay, withRetry, type KubeClock } from './retry.js';

function fakeClock(): KubeClock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

test('backoffDelay doubles from the base up to the cap, with equal jitter', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((r) => backoffDelay(r, policy, () => 0)), [50, 100, 200, 400, 500, 500]);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((r) => backoffDelay(r, policy, () => 1)), [100, 200, 400, 800, 1000, 1000]);
  assert.equal(backoffDelay(2, policy, () => 0.5), 300);
});

test('withRetry retries retryable failures with backoff and gives up after the attempts', async () => {
  const clock = fakeClock();
  let calls = 0;
  const unreachable = new FlotillaError('KUBE_UNREACHABLE', 'down', { retryable: true });
  await assert.rejects(
    withRetry(async () => {
      calls++;
      throw unreachable;
    }, { policy: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 }, clock, random: () => 1 }),
    (e) => e === unreachable,
  );
  assert.equal(calls, 3);
  assert.deepEqual(clock.slept, [100, 200]);

  calls = 0;
  const invalid = new FlotillaError('KUBE_REQUEST_FAILED', '422 Invalid');
  await assert.rejects(withRetry(async () => { calls++; throw invalid; }, { policy: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 }, clock, random: () => 1 }));
  assert.equal(calls, 1, 'a refused request is not tried again');

  calls = 0;
  const value = await withRetry(async () => (++calls < 2 ? Promise.reject(unreachable) : 'ok'), { policy: { attempts: 3, baseDelayMs: 10, maxDelayMs: 10 }, clock, random: () => 0 });
  assert.equal(value, 'ok');
  assert.equal(calls, 2);
});

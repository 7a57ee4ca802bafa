// Retrying adapters (kube, notify) share one backoff and one abortable sleep. The core stays pure:
// the random source, the time and the timers are always handed in by the adapter.

/** BackoffPolicy is the exponential step of a backoff: its first delay and its cap. */
export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * backoffDelay is the delay before retry number `retry` (0 for the first retry): the exponential
 * step `base · 2^retry`, capped at `max`, with "equal jitter" (half fixed, half random), so that
 * callers failing together do not retry in lockstep, and the delay is never below half the step:
 * a caller can promise that a peer that is back is tried again within one full step.
 */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Clock is an adapter's time source: now in milliseconds and a sleep that an abort ends early. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** ClockSource is what timerClock builds a Clock from: the time and the timer functions. */
export interface ClockSource<Timer> {
  now(): number;
  setTimeout(callback: () => void, ms: number): Timer;
  clearTimeout(timer: Timer): void;
}

/** timerClock is a Clock over the given time and timers; its sleep resolves early (never rejects) on abort. */
export function timerClock<Timer>(source: ClockSource<Timer>): Clock {
  return {
    now: () => source.now(),
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const timer = source.setTimeout(done, ms);
        function done() {
          signal?.removeEventListener('abort', done);
          source.clearTimeout(timer);
          resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
      }),
  };
}

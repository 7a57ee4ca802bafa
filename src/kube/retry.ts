import { backoffDelay, FlotillaError, timerClock, type Clock } from '../core/index.js';

// Retries with exponential backoff and jitter. Time and randomness are injected (KubeClock,
// `random`) so tests decide them; the defaults are the real clock and Math.random.

/** KubeClock is the time source of the adapter: now in milliseconds and a sleep. */
export type KubeClock = Clock;

/** systemClock is the real clock. */
export const systemClock: KubeClock = timerClock({ now: () => Date.now(), setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (timer) => clearTimeout(timer) });

/** RetryPolicy says how often and how patiently a request is tried again. */
export interface RetryPolicy {
  /** Tries in total, the first included. @default 3 */
  attempts: number;
  /** The delay before the second try, doubled for each further one. @default 200 */
  baseDelayMs: number;
  /** The longest delay. @default 5000 */
  maxDelayMs: number;
}

/** defaultRetryPolicy is what every request to a cluster uses unless told otherwise. */
export function defaultRetryPolicy(): RetryPolicy {
  return { attempts: 3, baseDelayMs: 200, maxDelayMs: 5000 };
}

/**
 * backoffDelay (from the core) is the delay before retry number `retry` (0 for the first retry),
 * exponential, capped and with equal jitter: never below half the step.
 */
export { backoffDelay };

/** RetryOptions are what withRetry needs besides the operation. */
export interface RetryOptions {
  policy: RetryPolicy;
  clock: KubeClock;
  random: () => number;
  /** Whether an error is worth another try. @default FlotillaError.retryable */
  retryable?: (error: unknown) => boolean;
  signal?: AbortSignal;
}

/**
 * withRetry runs `operation` until it succeeds, the error is not retryable, or the attempts are
 * used up; it then throws the last error.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const retryable = options.retryable ?? ((e: unknown) => e instanceof FlotillaError && e.retryable);
  const attempts = Math.max(1, options.policy.attempts);
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt + 1 >= attempts || !retryable(error) || options.signal?.aborted) throw error;
      await options.clock.sleep(backoffDelay(attempt, options.policy, options.random), options.signal);
    }
  }
}

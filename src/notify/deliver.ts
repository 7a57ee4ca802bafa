import { backoffDelay as retryBackoffDelay } from '../core/index.js';
import type { NotifyClock, NotifyRetryPolicy } from './types.js';

// One delivery: POST the body, retry what may succeed later (network errors, timeouts, 408, 425,
// 429, 5xx) with exponential backoff and jitter, give up at once on what will not (other 4xx, a
// redirect). Redirects are not followed: the signature and the body are meant for the URL the
// operator configured, not for wherever a receiver points.

/** FetchLike is the part of fetch a delivery uses; tests may inject their own. */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; redirect: 'manual'; signal: AbortSignal }) => Promise<{
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/** DeliveryRequest is one message to one receiver. */
export interface DeliveryRequest {
  url: URL;
  body: string;
  /** The headers of one attempt (signatures carry the attempt's time). */
  headers: (now: number) => Record<string, string>;
}

/** DeliveryOptions are the delivery's collaborators. */
export interface DeliveryOptions {
  fetch: FetchLike;
  clock: NotifyClock;
  random: () => number;
  policy: NotifyRetryPolicy;
  /** Ends the retries (not the attempt in flight) when the hub shuts down. */
  signal?: AbortSignal;
  /** Removes the URL and secrets from an error text. */
  redact: (text: string) => string;
  /** Told after each failed attempt that will be retried. */
  onRetry?: (attempt: number, error: string, delayMs: number) => void;
}

/** DeliveryOutcome is how a delivery ended. */
export type DeliveryOutcome = { ok: true; attempts: number; status: number } | { ok: false; attempts: number; error: string; status?: number };

/** backoffDelay is the wait before attempt `attempt + 1`: base·2^(attempt−1), capped, with the upper half jittered. */
export function backoffDelay(attempt: number, policy: Pick<NotifyRetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  return retryBackoffDelay(attempt - 1, policy, random);
}

/** parseRetryAfter reads a Retry-After header (seconds or an HTTP date) as milliseconds from now. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const retryableStatus = (status: number) => status === 408 || status === 425 || status === 429 || status >= 500;

/** deliver sends one request with retries and answers how it ended; it never throws. */
export async function deliver(request: DeliveryRequest, options: DeliveryOptions): Promise<DeliveryOutcome> {
  const { policy, clock } = options;
  let lastError = '';
  let lastStatus: number | undefined;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    let retryAfter: number | undefined;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), policy.timeoutMs);
    try {
      const response = await options.fetch(request.url.href, { method: 'POST', headers: request.headers(clock.now()), body: request.body, redirect: 'manual', signal: timeout.signal });
      const text = await response.text().catch(() => '');
      if (response.status >= 200 && response.status < 300) return { ok: true, attempts: attempt, status: response.status };
      lastStatus = response.status;
      const snippet = text.trim().slice(0, 200);
      lastError = options.redact(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${snippet ? `: ${snippet}` : ''}`);
      if (response.status >= 300 && response.status < 400) return { ok: false, attempts: attempt, status: response.status, error: `${lastError} (a redirect; give the receiver's final URL)` };
      if (!retryableStatus(response.status)) return { ok: false, attempts: attempt, status: response.status, error: lastError };
      retryAfter = parseRetryAfter(response.headers.get('retry-after'), clock.now());
    } catch (error) {
      lastStatus = undefined;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = timeout.signal.aborted ? `no answer within ${policy.timeoutMs} ms` : `${(error as Error).message}${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ''}`;
      lastError = options.redact(why);
    } finally {
      clearTimeout(timer);
    }
    if (attempt === policy.attempts) break;
    if (options.signal?.aborted) return { ok: false, attempts: attempt, error: `${lastError}; not retried: the hub is shutting down`, ...(lastStatus ? { status: lastStatus } : {}) };
    const delay = Math.min(policy.maxDelayMs, Math.max(retryAfter ?? 0, backoffDelay(attempt, policy, options.random)));
    options.onRetry?.(attempt, lastError, delay);
    await clock.sleep(delay, options.signal);
    if (options.signal?.aborted) return { ok: false, attempts: attempt, error: `${lastError}; not retried: the hub is shutting down`, ...(lastStatus ? { status: lastStatus } : {}) };
  }
  return { ok: false, attempts: policy.attempts, error: lastError, ...(lastStatus ? { status: lastStatus } : {}) };
}

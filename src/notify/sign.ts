import { createHmac, timingSafeEqual } from 'node:crypto';

// The generic webhook is signed like Stripe's: HMAC-SHA256 over `<timestamp>.<body>`, so that the
// timestamp is covered too and a receiver can refuse old replays. The delivery id (the same in
// every retry) lets a receiver drop duplicates.

/** signatureHeader, timestampHeader, deliveryHeader and eventHeader are the generic webhook's headers. */
export const signatureHeader = 'X-Flotilla-Signature';
/** timestampHeader carries the signing time in Unix seconds. */
export const timestampHeader = 'X-Flotilla-Timestamp';
/** deliveryHeader carries the delivery id. */
export const deliveryHeader = 'X-Flotilla-Delivery';
/** eventHeader carries the event type. */
export const eventHeader = 'X-Flotilla-Event';

/** signWebhook answers the X-Flotilla-Signature value: `sha256=<hex>` of HMAC-SHA256(secret, `timestamp.body`). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** VerifyWebhookInput is what a receiver checks. */
export interface VerifyWebhookInput {
  secret: string;
  body: string;
  /** The X-Flotilla-Timestamp header. */
  timestamp: string | undefined;
  /** The X-Flotilla-Signature header. */
  signature: string | undefined;
  /** The receiver's clock in milliseconds. */
  now: number;
  /** How old (or how far in the future) a signature may be. @default 300000 (5 minutes) */
  toleranceMs?: number;
}

/**
 * verifyWebhookSignature checks a generic webhook delivery in constant time, as a receiver written
 * in TypeScript would: the signature must match and the timestamp be within the tolerance.
 */
export function verifyWebhookSignature(input: VerifyWebhookInput): { ok: true } | { ok: false; reason: string } {
  if (!input.signature || !input.timestamp) return { ok: false, reason: 'missing signature or timestamp header' };
  const ts = Number(input.timestamp);
  if (!Number.isInteger(ts)) return { ok: false, reason: 'the timestamp is not a number of seconds' };
  if (Math.abs(input.now - ts * 1000) > (input.toleranceMs ?? 300_000)) return { ok: false, reason: 'the timestamp is outside the tolerance (a replay?)' };
  const expected = Buffer.from(signWebhook(input.secret, ts, input.body));
  const given = Buffer.from(input.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'the signature does not match' };
  return { ok: true };
}

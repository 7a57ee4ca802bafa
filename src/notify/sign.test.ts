import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature } from './sign.js';

test('the signature is sha256=hex of HMAC-SHA256(secret, "timestamp.body")', () => {
  const expected = createHmac('sha256', 'k').update('1700000000.{"a":1}').digest('hex');
  assert.equal(signWebhook('k', 1700000000, '{"a":1}'), `sha256=${expected}`);
});

test('a receiver refuses a wrong signature, a changed body, an old timestamp and missing headers', () => {
  const now = 1_700_000_000_000;
  const body = '{"type":"SyncFailed"}';
  const signature = signWebhook('k', 1_700_000_000, body);
  const base = { secret: 'k', body, timestamp: '1700000000', signature, now };
  assert.deepEqual(verifyWebhookSignature(base), { ok: true });
  assert.deepEqual(verifyWebhookSignature({ ...base, body: body + ' ' }), { ok: false, reason: 'the signature does not match' });
  assert.deepEqual(verifyWebhookSignature({ ...base, signature: 'sha256=00' }), { ok: false, reason: 'the signature does not match' });
  assert.deepEqual(verifyWebhookSignature({ ...base, now: now + 301_000 }), { ok: false, reason: 'the timestamp is outside the tolerance (a replay?)' });
  assert.deepEqual(verifyWebhookSignature({ ...base, timestamp: '1700000001' }), { ok: false, reason: 'the signature does not match' }, 'the timestamp is signed too');
  assert.deepEqual(verifyWebhookSignature({ ...base, signature: undefined }), { ok: false, reason: 'missing signature or timestamp header' });
});

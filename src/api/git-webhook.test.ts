import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DeliveryLog, isPushEvent, verifyGitWebhook } from './git-webhook.js';

test('the GitHub signature covers the exact bytes of the body', () => {
  const body = Buffer.from('{"ref":"refs/heads/main"}');
  const signature = `sha256=${createHmac('sha256', 'k').update(body).digest('hex')}`;
  assert.deepEqual(verifyGitWebhook({ 'x-hub-signature-256': signature, 'x-github-event': 'push', 'x-github-delivery': 'd' }, body, 'k'), { ok: true, provider: 'github', event: 'push', deliveryId: 'd' });
  assert.equal(verifyGitWebhook({ 'x-hub-signature-256': signature }, Buffer.from('{"ref":"refs/heads/main" }'), 'k').ok, false);
  assert.equal(verifyGitWebhook({ 'x-hub-signature-256': signature.toUpperCase().replace('SHA256=', 'sha256=') }, body, 'k').ok, true, 'hex case does not matter');
  assert.equal(verifyGitWebhook({ 'x-hub-signature-256': 'sha256=short' }, body, 'k').ok, false);
  assert.equal(verifyGitWebhook({ 'x-hub-signature': 'sha1=...' }, body, 'k').ok, false, 'the SHA-1 header is not accepted');
  assert.deepEqual(verifyGitWebhook({ 'x-gitea-event': 'push', 'x-hub-signature-256': signature, 'x-gitea-delivery': 'g' }, body, 'k'), { ok: true, provider: 'github', event: 'push', deliveryId: 'g' });
});

test('push events are told from the rest', () => {
  assert.equal(isPushEvent('github', 'push'), true);
  assert.equal(isPushEvent('github', 'pull_request'), false);
  assert.equal(isPushEvent('gitlab', 'Tag Push Hook'), true);
  assert.equal(isPushEvent('gitlab', 'Merge Request Hook'), false);
});

test('the delivery log refuses a replay inside its window and stays bounded', () => {
  const log = new DeliveryLog({ ttlMs: 1000, max: 3 });
  assert.equal(log.remember('a', 0), true);
  assert.equal(log.remember('a', 500), false);
  assert.equal(log.remember('a', 1500), true, 'after the window an id is new again');
  for (const id of ['b', 'c', 'd']) log.remember(id, 1600);
  assert.equal(log.remember('a', 1700), true, 'the oldest id was dropped to stay within max');
});

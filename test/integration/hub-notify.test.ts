// Notifications from the hub's event stream to real local HTTP receivers: a signed DriftDetected
// webhook that the receiver verifies, and a receiver that keeps failing, whose delivery ends as a
// dead letter in the history (visible over the API, with the URL redacted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHubServer, HubEventLog, RecordedHubState, TokenSource, type HubActions } from '../../src/api/index.js';
import { HubMetrics } from '../../src/metrics/index.js';
import { Notifier, verifyWebhookSignature } from '../../src/notify/index.js';
import { SqliteHubStore } from '../../src/store/index.js';

async function receiver(status: (n: number) => number) {
  const received: { headers: IncomingHttpHeaders; body: string; verified: boolean }[] = [];
  const secret = 'receiver-shared-secret';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      // What a real receiver does: verify before trusting anything in the body.
      const check = verifyWebhookSignature({ secret, body, timestamp: req.headers['x-flotilla-timestamp'] as string, signature: req.headers['x-flotilla-signature'] as string, now: Date.now() });
      received.push({ headers: req.headers, body, verified: check.ok });
      res.writeHead(check.ok ? status(received.length) : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/flotilla/SECRET-PATH-123`, secret, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('a local receiver gets a signed DriftDetected; a receiver that keeps failing ends in a dead letter in the history', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-notify-'));
  const good = await receiver(() => 200);
  const failing = await receiver(() => 500);
  const secretFile = join(dir, 'hook-secret');
  writeFileSync(secretFile, `${good.secret}\n`);
  const store = SqliteHubStore.open(join(dir, 'data'));
  const sleeps: number[] = [];
  const notifier = new Notifier(
    [
      { name: 'ops-webhook', type: 'webhook', urlFrom: { env: 'OPS_HOOK_URL' }, secretFrom: { file: secretFile }, events: ['DriftDetected', 'SyncFailed'] },
      { name: 'flaky-webhook', type: 'webhook', urlFrom: { env: 'FLAKY_URL' }, secretFrom: { file: secretFile }, events: ['DriftDetected'] },
    ],
    {
      fleet: 'acme',
      secrets: { env: { OPS_HOOK_URL: good.url, FLAKY_URL: failing.url } },
      deadLetters: store,
      retry: { attempts: 3, baseDelayMs: 2000 },
      // Retries wait through the injected clock: no real waiting in the test.
      clock: { now: () => Date.now(), sleep: async (ms) => void sleeps.push(ms) },
    },
  );
  const events = new HubEventLog(store);
  const metrics = new HubMetrics({ defaultMetrics: false });
  events.subscribe((e) => notifier.notify(e));
  events.subscribe((e) => metrics.observe(e));

  events.publish({ type: 'SyncSucceeded', time: Date.now(), cluster: 'prod-eu', release: 'web', revision: 'r1' });
  events.publish({ type: 'DriftDetected', time: Date.now(), cluster: 'prod-eu', release: 'web', revision: 'r1', object: 'Deployment/web/api', fields: ['/spec/replicas'], missing: false, selfHeal: true });
  await notifier.idle();

  assert.equal(good.received.length, 1, 'only the subscribed event');
  const [delivery] = good.received;
  assert.equal(delivery!.verified, true, 'the receiver verified the HMAC signature');
  assert.equal(delivery!.headers['x-flotilla-event'], 'DriftDetected');
  const payload = JSON.parse(delivery!.body);
  assert.deepEqual([payload.type, payload.cluster, payload.release, payload.object, payload.fleet], ['DriftDetected', 'prod-eu', 'web', 'Deployment/web/api', 'acme']);
  assert.equal(payload.id, delivery!.headers['x-flotilla-delivery']);
  assert.equal(payload.event.id, 2, 'the event carries its id in the history');

  assert.equal(failing.received.length, 3, 'three attempts');
  assert.ok(failing.received.every((r) => r.verified));
  assert.deepEqual(sleeps.length, 2);
  assert.ok(sleeps[1]! > sleeps[0]!, 'the backoff grows');
  const letters = store.listDeadLetters();
  assert.equal(letters.length, 1);
  assert.deepEqual([letters[0]!.notification, letters[0]!.provider, letters[0]!.attempts, letters[0]!.event.type], ['flaky-webhook', 'webhook', 3, 'DriftDetected']);
  assert.match(letters[0]!.error, /^HTTP 500 Internal Server Error \(receiver http:\/\/127\.0\.0\.1:\d+\/…, 3 attempts\)$/);

  // The dead letter is in the history a restarted hub serves, without the receiver's URL.
  const tokensFile = join(dir, 'tokens.yaml');
  writeFileSync(tokensFile, '- {name: vera, role: viewer, token: viewer-token-123}\n');
  const actions: HubActions = { requestSync: async () => ({ targets: [] }), rolloutAction: async () => assert.fail(), gitPush: async () => ({ triggered: false }), agentReport: async () => {} };
  const server = await createHubServer({ state: new RecordedHubState(store), actions, events, audit: store, deadLetters: store, tokens: TokenSource.open({ file: tokensFile }), metrics });
  const { url } = await server.listen({ port: 0 });
  const response = await fetch(`${url}/api/v1/dead-letters`, { headers: { authorization: 'Bearer viewer-token-123' } });
  const body = await response.text();
  assert.equal(JSON.parse(body).deadLetters[0].deliveryId, letters[0]!.deliveryId);
  assert.ok(!body.includes('SECRET-PATH-123'), 'the URL is redacted');
  const scrape = await (await fetch(`${url}/metrics`)).text();
  assert.match(scrape, /flotilla_drift_detected_total\{cluster="prod-eu",release="web"\} 1/);
  assert.match(scrape, /flotilla_apply_total\{cluster="prod-eu",result="succeeded"\} 1/);

  await server.close();
  await notifier.close();
  store.close();
  await good.close();
  await failing.close();
});

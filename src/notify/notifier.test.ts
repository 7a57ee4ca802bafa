import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotificationSpec } from '../fleet/index.js';
import { Notifier } from './notifier.js';
import { verifyWebhookSignature } from './sign.js';
import type { DeadLetterRecord, NotifyClock } from './types.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  path: string;
}

async function receiver(answer: (n: number, res: ServerResponse) => void) {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ headers: req.headers, body, path: req.url ?? '' });
      answer(requests.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function fakeClock() {
  const sleeps: number[] = [];
  let now = 1_750_000_000_000;
  const clock: NotifyClock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  return { clock, sleeps };
}

function captureLog() {
  const lines: string[] = [];
  const write = (fields: object, message: string) => lines.push(`${message} ${JSON.stringify(fields)}`);
  return { lines, log: { info: write, warn: write, error: write } };
}

const drift = { type: 'DriftDetected', time: 1_750_000_000_000, cluster: 'prod-eu', release: 'web', revision: '0123456789abcdef', object: 'Deployment/web/api', fields: ['/spec/replicas'], missing: false, selfHeal: true };

test('a generic webhook gets the events it subscribes to, signed with HMAC-SHA256 over timestamp.body', async () => {
  const rx = await receiver((_, res) => res.writeHead(204).end());
  const spec: NotificationSpec = { name: 'ops', type: 'webhook', urlFrom: { env: 'OPS_URL' }, secretFrom: { file: '/run/secrets/ops' }, events: ['DriftDetected', 'SyncFailed'] };
  const { clock } = fakeClock();
  const notifier = new Notifier([spec], {
    fleet: 'acme',
    clock,
    secrets: { env: { OPS_URL: `${rx.url}/hooks/flotilla?key=k1` }, readFile: (path) => (path === '/run/secrets/ops' ? 's3cret-value\n' : '') },
    newId: () => 'delivery-1',
  });
  assert.equal(notifier.notify({ type: 'SyncSucceeded', time: 1, cluster: 'prod-eu', release: 'web' }), 0, 'not subscribed');
  assert.equal(notifier.notify(drift), 1);
  await notifier.idle();
  await rx.close();
  assert.equal(rx.requests.length, 1);
  const [request] = rx.requests;
  assert.equal(request!.path, '/hooks/flotilla?key=k1');
  assert.equal(request!.headers['content-type'], 'application/json');
  assert.equal(request!.headers['x-flotilla-event'], 'DriftDetected');
  assert.equal(request!.headers['x-flotilla-delivery'], 'delivery-1');
  const check = verifyWebhookSignature({ secret: 's3cret-value', body: request!.body, timestamp: request!.headers['x-flotilla-timestamp'] as string, signature: request!.headers['x-flotilla-signature'] as string, now: clock.now() });
  assert.deepEqual(check, { ok: true });
  assert.equal(verifyWebhookSignature({ secret: 'other', body: request!.body, timestamp: request!.headers['x-flotilla-timestamp'] as string, signature: request!.headers['x-flotilla-signature'] as string, now: clock.now() }).ok, false);
  const payload = JSON.parse(request!.body);
  assert.equal(payload.id, 'delivery-1');
  assert.equal(payload.type, 'DriftDetected');
  assert.equal(payload.fleet, 'acme');
  assert.equal(payload.time, '2025-06-15T15:06:40.000Z');
  assert.equal(payload.message, 'drift on prod-eu/web: Deployment/web/api differs from Git (/spec/replicas)');
  assert.deepEqual(payload.event, drift);
  assert.deepEqual(notifier.stats(), { delivered: 1, deadLetters: 0, queued: 0 });
});

test('Slack gets an incoming-webhook message with text and blocks, escaped for mrkdwn', async () => {
  const rx = await receiver((_, res) => res.writeHead(200).end('ok'));
  const notifier = new Notifier([{ name: 'slack', type: 'slack', urlFrom: { env: 'SLACK_URL' }, events: ['GuardBlocked'] }], { secrets: { env: { SLACK_URL: `${rx.url}/services/T0/B0/XYZ` } }, clock: fakeClock().clock });
  notifier.notify({ type: 'GuardBlocked', time: 0, cluster: 'prod-us', release: 'web', revision: 'abc', guard: 'gdpr-residency', object: 'ConfigMap/web/<eu>', message: 'region us & not eu' });
  await notifier.idle();
  await rx.close();
  const body = JSON.parse(rx.requests[0]!.body);
  assert.equal(body.text, ':no_entry: [flotilla] GuardBlocked: web blocked on prod-us by guard gdpr-residency (ConfigMap/web/&lt;eu&gt;): region us &amp; not eu; nothing was written');
  assert.equal(body.blocks[0].type, 'section');
  assert.match(body.blocks[1].elements[0].text, /cluster \*prod-us\* · release \*web\* · revision `abc`/);
  assert.equal(rx.requests[0]!.headers['x-flotilla-signature'], undefined);
});

test('a receiver that keeps failing is retried with growing delays, then a dead letter is recorded; the URL never shows', async () => {
  const rx = await receiver((_, res) => res.writeHead(503).end(`down, see ${'/services/T0/B0/SECRETPATH'}`));
  const { clock, sleeps } = fakeClock();
  const letters: DeadLetterRecord[] = [];
  const { lines, log } = captureLog();
  const notifier = new Notifier([{ name: 'ops', type: 'webhook', urlFrom: { env: 'U' }, secretFrom: { env: 'S' }, events: ['DriftDetected'] }], {
    secrets: { env: { U: `${rx.url}/services/T0/B0/SECRETPATH`, S: 'hmac-secret' } },
    clock,
    random: () => 0.5,
    retry: { attempts: 4, baseDelayMs: 1000, maxDelayMs: 3000 },
    deadLetters: { addDeadLetter: (l) => letters.push(l) },
    log,
    newId: () => 'd-9',
  });
  notifier.notify(drift);
  await notifier.idle();
  await rx.close();
  assert.equal(rx.requests.length, 4, 'four attempts');
  assert.deepEqual(sleeps, [750, 1500, 2250], 'exponential, capped at 3000, jittered in the upper half');
  assert.equal(new Set(rx.requests.map((r) => r.headers['x-flotilla-delivery'])).size, 1, 'one delivery id across retries');
  assert.equal(letters.length, 1);
  assert.equal(letters[0]!.notification, 'ops');
  assert.equal(letters[0]!.attempts, 4);
  assert.equal(letters[0]!.deliveryId, 'd-9');
  assert.deepEqual(letters[0]!.event, drift);
  assert.match(letters[0]!.error, /^HTTP 503 Service Unavailable: down, see http:\/\/127\.0\.0\.1:\d+\/… \(receiver http:\/\/127\.0\.0\.1:\d+\/…, 4 attempts\)$/);
  const everything = JSON.stringify(letters) + lines.join('\n');
  assert.ok(!everything.includes('SECRETPATH'), everything);
  assert.ok(!everything.includes('hmac-secret'));
  assert.equal(lines.filter((l) => l.startsWith('notification delivery failed; retrying')).length, 3);
  assert.deepEqual(notifier.stats(), { delivered: 0, deadLetters: 1, queued: 0 });
});

test('a refusal (4xx) is not retried; a Retry-After is honoured; a network error is retried', async () => {
  const rx = await receiver((n, res) => (n === 1 ? res.writeHead(429, { 'retry-after': '7' }).end() : res.writeHead(400).end('invalid_payload')));
  const { clock, sleeps } = fakeClock();
  const letters: DeadLetterRecord[] = [];
  const notifier = new Notifier([{ name: 'slack', type: 'slack', urlFrom: { env: 'U' }, events: ['SyncFailed'] }], {
    secrets: { env: { U: rx.url } },
    clock,
    random: () => 0,
    deadLetters: { addDeadLetter: (l) => letters.push(l) },
  });
  notifier.notify({ type: 'SyncFailed', time: 0, cluster: 'c', release: 'r', message: 'boom' });
  await notifier.idle();
  await rx.close();
  assert.deepEqual(sleeps, [7000]);
  assert.equal(rx.requests.length, 2);
  assert.equal(letters[0]!.attempts, 2);
  assert.match(letters[0]!.error, /^HTTP 400 Bad Request: invalid_payload/);

  const down = new Notifier([{ name: 'gone', type: 'webhook', urlFrom: { env: 'U' }, events: ['SyncFailed'] }], {
    secrets: { env: { U: rx.url } },
    clock,
    retry: { attempts: 2 },
    deadLetters: { addDeadLetter: (l) => letters.push(l) },
  });
  down.notify({ type: 'SyncFailed', time: 0, cluster: 'c', release: 'r', message: 'boom' });
  await down.idle();
  assert.equal(letters[1]!.attempts, 2);
  assert.match(letters[1]!.error, /ECONNREFUSED/);
});

test('a URL or secret that cannot be read is a dead letter naming the variable, not a crash', async () => {
  const letters: DeadLetterRecord[] = [];
  const notifier = new Notifier([{ name: 'slack', type: 'slack', urlFrom: { env: 'MISSING_URL' }, events: ['SyncFailed'] }, { name: 'bad', type: 'webhook', urlFrom: { env: 'NOT_A_URL' }, events: ['SyncFailed'] }], {
    secrets: { env: { NOT_A_URL: 'ftp-and-a-secret-token' } },
    deadLetters: { addDeadLetter: (l) => letters.push(l) },
    fetch: () => assert.fail('nothing is sent'),
  });
  const { errors, warnings } = notifier.check();
  assert.deepEqual(errors.map((e) => e.code), ['NOTIFY_SECRET_UNAVAILABLE', 'NOTIFY_SECRET_UNAVAILABLE']);
  assert.deepEqual(warnings, []);
  notifier.notify({ type: 'SyncFailed', time: 0, cluster: 'c', release: 'r' });
  await notifier.idle();
  assert.deepEqual(letters.map((l) => [l.notification, l.attempts, l.error]), [
    ['slack', 0, 'notification slack: urlFrom: the environment variable MISSING_URL is not set on the hub'],
    ['bad', 0, 'notification bad: urlFrom: env NOT_A_URL does not hold an http(s) URL'],
  ]);
});

test('check warns about a webhook without secretFrom (unsigned deliveries)', () => {
  const notifier = new Notifier([{ name: 'plain', type: 'webhook', urlFrom: { env: 'U' }, events: ['SyncFailed'] }], { secrets: { env: { U: 'https://example.test/h' } } });
  assert.deepEqual(notifier.check(), { errors: [], warnings: ['notification plain: no secretFrom, so its deliveries are not signed; receivers cannot tell them from forgeries'] });
});

test('close lets the attempt in flight finish and turns what still waits into dead letters', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const rx = await receiver((_, res) => void gate.then(() => res.writeHead(200).end()));
  const letters: DeadLetterRecord[] = [];
  const notifier = new Notifier([{ name: 'ops', type: 'webhook', urlFrom: { env: 'U' }, events: ['SyncFailed'] }], {
    secrets: { env: { U: rx.url } },
    deadLetters: { addDeadLetter: (l) => letters.push(l) },
  });
  for (let i = 0; i < 3; i++) notifier.notify({ type: 'SyncFailed', time: i, cluster: 'c', release: 'r' });
  while (rx.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const closing = notifier.close();
  release();
  await closing;
  await rx.close();
  assert.equal(rx.requests.length, 1);
  assert.equal(notifier.stats().delivered, 1);
  assert.deepEqual(letters.map((l) => [l.event.time, l.error]), [[1, 'not sent: the hub shut down first'], [2, 'not sent: the hub shut down first']]);
  assert.equal(notifier.notify({ type: 'SyncFailed', time: 9, cluster: 'c', release: 'r' }), 0, 'closed');
});

test('a full queue turns new deliveries into dead letters instead of growing without end', async () => {
  const letters: DeadLetterRecord[] = [];
  let answer!: () => void;
  const notifier = new Notifier([{ name: 'ops', type: 'slack', urlFrom: { env: 'U' }, events: ['SyncFailed'] }], {
    secrets: { env: { U: 'http://127.0.0.1:9/x' } },
    maxQueue: 2,
    deadLetters: { addDeadLetter: (l) => letters.push(l) },
    fetch: () => new Promise((resolve) => (answer = () => resolve({ status: 200, statusText: 'OK', headers: { get: () => null }, text: async () => '' }))),
  });
  for (let i = 0; i < 5; i++) notifier.notify({ type: 'SyncFailed', time: i, cluster: 'c', release: 'r' });
  assert.deepEqual(letters.map((l) => l.event.time), [3, 4], 'the first is in flight, two wait, two overflow');
  while (notifier.stats().delivered < 3) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    answer?.();
  }
  await notifier.idle();
});

// The hub's HTTP surface over real sockets: server-sent events, a restart on the same data
// directory, a second hub refused by the lock, and a shutdown with streams still open. The reconcile
// loop is not part of these tests: its ports are fed directly, as the loop will feed them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createHubLogger, createHubServer, HubEventLog, RecordedHubState, type HubActions } from '../../src/api/index.js';
import { FlotillaError } from '../../src/core/index.js';
import { HubMetrics } from '../../src/metrics/index.js';
import type { RolloutState } from '../../src/rollout/index.js';
import { SqliteHubStore } from '../../src/store/index.js';
import { TokenSource } from '../../src/api/index.js';

const viewer = 'viewer-token-abcdef';
const operator = 'operator-token-abcdef';
const admin = 'admin-token-abcdef';

const rollout: RolloutState = {
  release: 'web',
  revision: 'r2',
  failurePolicy: 'rollback',
  phase: 'WaitingApproval',
  paused: false,
  currentWave: 1,
  waves: [
    { name: 'staging', clusters: ['staging-1'], maxParallel: 1, soak: 0, approval: false, approved: false, phase: 'Complete' },
    { name: 'production', clusters: ['prod-1'], maxParallel: 1, soak: 0, approval: true, approved: false, phase: 'WaitingApproval' },
  ],
  targets: {
    'staging-1': { cluster: 'staging-1', wave: 0, status: 'Healthy', pinned: 'r2', lastHealthy: 'r2' },
    'prod-1': { cluster: 'prod-1', wave: 1, status: 'Pending', pinned: 'r1', lastHealthy: 'r1' },
  },
  startedAt: 1,
};

async function openHub(dataDir: string, tokensFile: string, logLines: string[] = [], format: 'json' | 'text' = 'json') {
  const store = SqliteHubStore.open(dataDir);
  const state = new RecordedHubState(store);
  const events = new HubEventLog(store);
  const metrics = new HubMetrics({ defaultMetrics: false });
  const actions: HubActions = {
    requestSync: async (req) => ({ targets: [{ cluster: req.cluster ?? 'prod-1', release: 'web' }] }),
    rolloutAction: async (release, command) => {
      const current = state.rollouts().find((r) => r.release === release);
      if (!current) throw new FlotillaError('API_NOT_FOUND', `release ${release} has no rollout`);
      const next: RolloutState = command.type === 'approve' ? { ...current, phase: 'Progressing', waves: current.waves.map((w, i) => (i === current.currentWave ? { ...w, approved: true, phase: 'Progressing' } : w)) } : current;
      state.setRollout(next);
      return next;
    },
    gitPush: async () => ({ triggered: true }),
    agentReport: async () => {},
  };
  const logger = createHubLogger({ format, level: 'info', destination: new Writable({ write: (chunk, _e, cb) => (logLines.push(String(chunk)), cb()) }) });
  const server = await createHubServer({ state, actions, events, audit: store, deadLetters: store, tokens: TokenSource.open({ file: tokensFile }), metrics, logger, sseHeartbeatMs: 50 });
  const { url } = await server.listen({ port: 0 });
  return {
    url,
    store,
    state,
    events,
    server,
    async close() {
      await server.close();
      store.close();
    },
  };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-hub-'));
  const tokensFile = join(dir, 'tokens.yaml');
  writeFileSync(tokensFile, `- {name: vera, role: viewer, token: ${viewer}}\n- {name: otto, role: operator, token: ${operator}}\n- {name: ada, role: admin, token: ${admin}}\n`);
  return { dataDir: join(dir, 'data'), tokensFile };
}

async function api(url: string, path: string, token: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { [k: string]: any } };
}

interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** openStream connects to the event stream and collects its events as they come. */
function openStream(url: string, token: string, headers: Record<string, string> = {}, query = '') {
  const events: SseEvent[] = [];
  let comments = 0;
  let response: IncomingMessage | undefined;
  let ended = false;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const req = httpRequest(`${url}/api/v1/events${query}`, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}`, ...headers } }, (res) => {
    response = res;
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event: SseEvent = { data: '' };
        let isEvent = false;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments++;
          else if (line.startsWith('id: ')) event.id = line.slice(4);
          else if (line.startsWith('event: ')) event.event = line.slice(7);
          else if (line.startsWith('data: ')) ((event.data = line.slice(6)), (isEvent = true));
        }
        if (isEvent) events.push(event);
      }
      wake();
    });
    res.on('end', () => ((ended = true), wake()));
    wake();
  });
  req.on('error', () => ((ended = true), wake()));
  req.end();
  const until = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 5000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return {
    events,
    get comments() {
      return comments;
    },
    get ended() {
      return ended;
    },
    response: () => response,
    until,
    close: () => req.destroy(),
  };
}

test('GET /api/v1/events as server-sent events: live events, filters, heartbeats, and a resume from Last-Event-ID', async () => {
  const { dataDir, tokensFile } = setup();
  const hub = await openHub(dataDir, tokensFile);
  hub.events.publish({ type: 'SyncSucceeded', time: 1, cluster: 'prod-1', release: 'web', revision: 'r1' });
  const all = openStream(hub.url, viewer);
  const drifts = openStream(hub.url, viewer, {}, '?type=DriftDetected&cluster=prod-1');
  await all.until(() => all.response() !== undefined && drifts.response() !== undefined && hub.events.subscribers === 2, 'both streams to subscribe');
  assert.equal(all.response()!.headers['content-type'], 'text/event-stream; charset=utf-8');
  hub.events.publish({ type: 'DriftDetected', time: 2, cluster: 'prod-1', release: 'web', object: 'Deployment/web/api', fields: ['/spec/replicas'] });
  hub.events.publish({ type: 'DriftCorrected', time: 3, cluster: 'prod-1', release: 'web', object: 'Deployment/web/api', fields: ['/spec/replicas'], latencyMs: 40 });
  await all.until(() => all.events.length === 2, 'two live events');
  assert.deepEqual(all.events.map((e) => [e.id, e.event]), [['2', 'DriftDetected'], ['3', 'DriftCorrected']], 'live events only: the one before connecting is in the history');
  assert.deepEqual(JSON.parse(all.events[0]!.data), { id: 2, type: 'DriftDetected', time: 2, cluster: 'prod-1', release: 'web', object: 'Deployment/web/api', fields: ['/spec/replicas'] });
  await drifts.until(() => drifts.events.length === 1, 'the filtered event');
  await all.until(() => all.comments >= 2, 'heartbeat comments');
  assert.deepEqual(drifts.events.map((e) => e.event), ['DriftDetected']);
  all.close();
  drifts.close();

  const resumed = openStream(hub.url, viewer, { 'last-event-id': '1' });
  await resumed.until(() => resumed.events.length === 2, 'the missed events');
  assert.deepEqual(resumed.events.map((e) => e.id), ['2', '3']);
  hub.events.publish({ type: 'ClusterUnreachable', time: 4, cluster: 'prod-1', message: 'connection refused' });
  await resumed.until(() => resumed.events.length === 3, 'the next live event');
  assert.equal(resumed.events[2]!.event, 'ClusterUnreachable');

  const denied = await fetch(`${hub.url}/api/v1/events`, { headers: { accept: 'text/event-stream' } });
  assert.equal(denied.status, 401);
  // Shutdown must not wait for the open stream: the server ends it.
  await hub.close();
  await resumed.until(() => resumed.ended, 'the stream to end at shutdown');
});

test('after a hub restart on the same data directory, the history, the audit log, target status and rollout state are all there', async () => {
  const { dataDir, tokensFile } = setup();
  const first = await openHub(dataDir, tokensFile);
  first.state.setTarget({ cluster: 'prod-1', release: 'web', revision: 'r1', desiredRevision: 'r1', sync: 'Drifted', health: 'Healthy', drift: 1, message: '1 object differs', updatedAt: 5 });
  first.state.setRollout(rollout);
  first.events.publish({ type: 'DriftDetected', time: Date.now(), cluster: 'prod-1', release: 'web', object: 'Deployment/web/api', fields: ['/spec/replicas'] });
  assert.equal((await api(first.url, '/api/v1/rollouts/web/approve', operator, { method: 'POST', body: {} })).status, 200);
  assert.equal((await api(first.url, '/api/v1/sync', viewer, { method: 'POST', body: { cluster: 'prod-1' } })).status, 403);

  const second = SqliteHubStore.open.bind(SqliteHubStore);
  assert.throws(() => second(dataDir), (e: unknown) => e instanceof FlotillaError && e.code === 'HUB_DATA_LOCKED', 'one hub per data directory');
  await first.close();

  const again = await openHub(dataDir, tokensFile);
  again.state.setReady(true);
  const targets = await api(again.url, '/api/v1/targets', viewer);
  assert.deepEqual(targets.body.targets, [{ cluster: 'prod-1', release: 'web', revision: 'r1', desiredRevision: 'r1', sync: 'Drifted', health: 'Healthy', drift: 1, message: '1 object differs', updatedAt: 5 }]);
  const rollouts = await api(again.url, '/api/v1/rollouts/web', viewer);
  assert.equal(rollouts.body.rollout.phase, 'Progressing');
  assert.equal(rollouts.body.rollout.waves[1].approved, true, 'the approval given before the restart is kept');
  assert.deepEqual(rollouts.body.rollout.targets['prod-1'], rollout.targets['prod-1']);
  const events = await api(again.url, '/api/v1/events', viewer);
  assert.deepEqual(events.body.events.map((e: { type: string }) => e.type), ['DriftDetected']);
  const audit = await api(again.url, '/api/v1/audit', admin);
  assert.deepEqual(audit.body.audit.map((a: { actor: string; outcome: string; path: string }) => [a.actor, a.outcome, a.path]), [
    ['vera', 'denied', '/api/v1/sync'],
    ['otto', 'succeeded', '/api/v1/rollouts/web/approve'],
  ]);
  await again.close();
});

test('logs are JSON lines or text, name the actor, and never hold a token', async () => {
  const { dataDir, tokensFile } = setup();
  const lines: string[] = [];
  const hub = await openHub(dataDir, tokensFile, lines, 'json');
  await api(hub.url, '/api/v1/sync', operator, { method: 'POST', body: {} });
  await api(hub.url, '/api/v1/sync', 'wrong-token-value', { method: 'POST', body: {} });
  await hub.close();
  const records = lines.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const request = records.find((r) => r.msg === 'request' && r.status === 202)!;
  assert.deepEqual([request.method, request.path, request.actor, request.level], ['POST', '/api/v1/sync', 'otto', 30]);
  assert.ok(records.some((r) => r.msg === 'request denied' && r.reason === 'the bearer token is not known to the hub'));
  const text = lines.join('');
  assert.ok(!text.includes(operator) && !text.includes('wrong-token-value'), 'tokens never reach the logs');

  const textLines: string[] = [];
  const { dataDir: other, tokensFile: otherTokens } = setup();
  const textHub = await openHub(other, otherTokens, textLines, 'text');
  await api(textHub.url, '/api/v1/sync', operator, { method: 'POST', body: {} });
  await textHub.close();
  assert.match(textLines.join(''), /INFO: request/);
  assert.doesNotMatch(textLines.join(''), /^\{/m);
});

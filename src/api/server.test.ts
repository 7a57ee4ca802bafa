import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { FlotillaError } from '../core/index.js';
import { HubMetrics } from '../metrics/index.js';
import type { RolloutCommand, RolloutState } from '../rollout/index.js';
import { SqliteHubStore } from '../store/index.js';
import { HubEventLog } from './event-log.js';
import { DeliveryLog } from './git-webhook.js';
import { createHubLogger } from './logger.js';
import type { AgentReport, GitPush, HubActions, SyncRequest } from './ports.js';
import { RecordedHubState } from './recorded-state.js';
import type { Principal } from './roles.js';
import { hubRoutes } from './routes.js';
import { createHubServer } from './server.js';
import { sha256Hex, TokenSource } from './tokens.js';

const tokens = {
  viewer: 'viewer-token-0123456789',
  operator: 'operator-token-0123456789',
  admin: 'admin-token-0123456789',
  agentC1: 'agent-c1-token-0123456789',
  agentC2: 'agent-c2-token-0123456789',
};

const rollout: RolloutState = {
  release: 'web',
  revision: 'abc',
  failurePolicy: 'halt',
  phase: 'WaitingApproval',
  paused: false,
  currentWave: 0,
  waves: [{ name: 'prod', clusters: ['c1'], maxParallel: 1, soak: 0, approval: true, approved: false, phase: 'WaitingApproval' }],
  targets: { c1: { cluster: 'c1', wave: 0, status: 'Pending' } },
  startedAt: 1,
};

/** Calls records what the API asked the hub to do (the hub wiring implements these ports). */
interface Calls {
  syncs: [SyncRequest, Principal][];
  rollouts: [string, RolloutCommand, Principal][];
  pushes: GitPush[];
  reports: [string, AgentReport][];
}

async function startHub(options: { webhookSecret?: string; hooksLimit?: number; logLines?: string[] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-api-'));
  const tokensFile = join(dir, 'tokens.yaml');
  writeFileSync(
    tokensFile,
    [
      `- {name: vera, role: viewer, token: ${tokens.viewer}}`,
      `- {name: otto, role: operator, sha256: "${sha256Hex(tokens.operator)}"}`,
      `- {name: ada, role: admin, token: ${tokens.admin}}`,
      `- {name: agent-c1, role: agent, cluster: c1, token: ${tokens.agentC1}}`,
      `- {name: agent-c2, role: agent, cluster: c2, token: ${tokens.agentC2}}`,
    ].join('\n'),
  );
  const store = SqliteHubStore.open(join(dir, 'data'));
  const state = new RecordedHubState(store);
  state.setFleet({ name: 'acme', revision: 'abc', releases: [{ name: 'web', targets: 1, rollout: true }], clusters: 2 });
  state.setClusters([
    { name: 'c1', labels: { env: 'prod' }, mode: 'push', reachable: true },
    { name: 'c2', labels: { env: 'dev' }, mode: 'pull' },
  ]);
  state.setTarget({ cluster: 'c1', release: 'web', revision: 'abc', desiredRevision: 'abc', sync: 'Synced', health: 'Healthy', drift: 0, message: 'in sync', updatedAt: 1 });
  state.setRollout(rollout);
  state.setReady(true);
  const events = new HubEventLog(store);
  const calls: Calls = { syncs: [], rollouts: [], pushes: [], reports: [] };
  const actions: HubActions = {
    requestSync: async (request, actor) => {
      calls.syncs.push([request, actor]);
      if (request.cluster === 'nowhere') throw new FlotillaError('API_NOT_FOUND', 'the fleet has no cluster nowhere');
      return { targets: [{ cluster: request.cluster ?? 'c1', release: 'web' }] };
    },
    rolloutAction: async (release, command, actor) => {
      calls.rollouts.push([release, command, actor]);
      if (release !== 'web') throw new FlotillaError('API_NOT_FOUND', `release ${release} has no rollout`);
      return { ...rollout, phase: command.type === 'pause' ? rollout.phase : 'Progressing', paused: command.type === 'pause' };
    },
    gitPush: async (push) => {
      calls.pushes.push(push);
      return push.branch === 'main' ? { triggered: true } : { triggered: false, reason: `branch ${push.branch} is not the hub's branch main` };
    },
    agentReport: async (cluster, report) => {
      calls.reports.push([cluster, report]);
    },
  };
  const lines = options.logLines ?? [];
  const logger = createHubLogger({ format: 'json', level: 'debug', destination: new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }) });
  const metrics = new HubMetrics({ defaultMetrics: false });
  metrics.setTarget({ cluster: 'c1', release: 'web', revision: 'abc', sync: 'Synced', health: 'Healthy' });
  const server = await createHubServer({
    state,
    actions,
    events,
    audit: store,
    deadLetters: store,
    tokens: TokenSource.open({ file: tokensFile }),
    metrics,
    webhookSecret: () => options.webhookSecret,
    logger,
    limits: options.hooksLimit ? { hooks: options.hooksLimit } : {},
    deliveries: new DeliveryLog(),
  });
  const close = async () => {
    await server.close();
    store.close();
  };
  return { server, store, state, events, calls, tokensFile, lines, close };
}

const auth = (token: string | undefined) => (token ? { authorization: `Bearer ${token}` } : {});

function requestFor(url: string): { url: string; body?: unknown } {
  const concrete = url.replace(':name', 'c1').replace(':release', 'web').replace(':cluster', 'c1');
  if (url === '/api/v1/sync') return { url: concrete, body: {} };
  if (url.startsWith('/api/v1/rollouts/:release/')) return { url: concrete, body: {} };
  if (url.endsWith('/report')) return { url: concrete, body: { targets: [] } };
  return { url: concrete };
}

test('every route answers each role as the route table says (401 without a token, 403 below the role)', async () => {
  const hub = await startHub();
  const callers: [string, string | undefined][] = [
    ['anonymous', undefined],
    ['viewer', tokens.viewer],
    ['operator', tokens.operator],
    ['admin', tokens.admin],
    ['agent of c1', tokens.agentC1],
    ['agent of c2', tokens.agentC2],
  ];
  const expected = (access: string, caller: string): 'ok' | 401 | 403 => {
    if (access === 'none') return 'ok';
    if (access === 'signature') return 401;
    if (caller === 'anonymous') return 401;
    if (access === 'agent') return caller === 'agent of c1' || caller === 'admin' ? 'ok' : 403;
    if (caller.startsWith('agent')) return 403;
    const rank = { viewer: 1, operator: 2, admin: 3 } as Record<string, number>;
    return rank[caller]! >= rank[access]! ? 'ok' : 403;
  };
  const failures: string[] = [];
  for (const route of hubRoutes) {
    for (const [caller, token] of callers) {
      const { url, body } = requestFor(route.url);
      const response = await hub.server.app.inject({ method: route.method, url, headers: auth(token), ...(body !== undefined ? { payload: body as object } : {}) });
      const want = expected(route.access, caller);
      const got = response.statusCode === 401 || response.statusCode === 403 ? response.statusCode : response.statusCode < 400 ? 'ok' : response.statusCode;
      if (got !== want) failures.push(`${route.method} ${route.url} as ${caller}: ${response.statusCode} ${response.body.slice(0, 200)}, expected ${want}`);
    }
  }
  assert.deepEqual(failures, []);
  await hub.close();
});

test('a viewer cannot sync (403) and the attempt is in the audit log; an operator can, and that is audited too', async () => {
  const hub = await startHub();
  const denied = await hub.server.app.inject({ method: 'POST', url: '/api/v1/sync', headers: auth(tokens.viewer), payload: { cluster: 'c1' } });
  assert.equal(denied.statusCode, 403);
  assert.equal(denied.json().error.code, 'API_FORBIDDEN');
  assert.equal(hub.calls.syncs.length, 0);
  const allowed = await hub.server.app.inject({ method: 'POST', url: '/api/v1/sync', headers: auth(tokens.operator), payload: { cluster: 'c1' } });
  assert.equal(allowed.statusCode, 202);
  assert.deepEqual(allowed.json(), { targets: [{ cluster: 'c1', release: 'web' }] });
  assert.deepEqual(hub.calls.syncs.map(([r, p]) => [r, p.name, p.role]), [[{ cluster: 'c1' }, 'otto', 'operator']]);
  const anonymous = await hub.server.app.inject({ method: 'POST', url: '/api/v1/rollouts/web/approve', headers: auth('not-a-token') });
  assert.equal(anonymous.statusCode, 401);
  assert.equal(anonymous.headers['www-authenticate'], 'Bearer realm="flotilla"');
  const failed = await hub.server.app.inject({ method: 'POST', url: '/api/v1/sync', headers: auth(tokens.admin), payload: { cluster: 'nowhere' } });
  assert.equal(failed.statusCode, 404);

  const audit = (await hub.server.app.inject({ method: 'GET', url: '/api/v1/audit', headers: auth(tokens.admin) })).json().audit;
  const rows = audit.map((a: Record<string, unknown>) => [a.actor, a.role, a.method, a.path, a.outcome, a.status, a.request, a.message]);
  assert.deepEqual(rows, [
    ['ada', 'admin', 'POST', '/api/v1/sync', 'failed', 404, { cluster: 'nowhere' }, 'the fleet has no cluster nowhere'],
    ['anonymous', undefined, 'POST', '/api/v1/rollouts/web/approve', 'denied', 401, { release: 'web' }, 'the bearer token is not known to the hub'],
    ['otto', 'operator', 'POST', '/api/v1/sync', 'succeeded', 202, { cluster: 'c1' }, undefined],
    ['vera', 'viewer', 'POST', '/api/v1/sync', 'denied', 403, undefined, 'role viewer may not do this; it needs operator'],
  ]);
  assert.ok(audit.every((a: { time: number; remoteAddress: string }) => a.time > 0 && a.remoteAddress === '127.0.0.1'));
  const onlyDenied = (await hub.server.app.inject({ method: 'GET', url: '/api/v1/audit?outcome=denied', headers: auth(tokens.admin) })).json().audit;
  assert.equal(onlyDenied.length, 2);
  assert.equal((await hub.server.app.inject({ method: 'GET', url: '/api/v1/audit', headers: auth(tokens.operator) })).statusCode, 403);
  await hub.close();
});

test('a misspelt or extra field is a 400, never a wider sync; rollout actions reach the port', async () => {
  const hub = await startHub();
  const typo = await hub.server.app.inject({ method: 'POST', url: '/api/v1/sync', headers: auth(tokens.operator), payload: { clustr: 'c1' } });
  assert.equal(typo.statusCode, 400);
  assert.equal(typo.json().error.code, 'USAGE');
  assert.match(typo.json().error.message, /must NOT have additional properties/);
  assert.equal(hub.calls.syncs.length, 0);
  const badJson = await hub.server.app.inject({ method: 'POST', url: '/api/v1/sync', headers: { ...auth(tokens.operator), 'content-type': 'application/json' }, payload: '{"cluster":' });
  assert.equal(badJson.statusCode, 400);
  const approve = await hub.server.app.inject({ method: 'POST', url: '/api/v1/rollouts/web/approve', headers: auth(tokens.operator), payload: { wave: 'prod' } });
  assert.equal(approve.statusCode, 200);
  assert.equal(approve.json().rollout.phase, 'Progressing');
  const pause = await hub.server.app.inject({ method: 'POST', url: '/api/v1/rollouts/web/pause', headers: auth(tokens.operator) });
  assert.equal(pause.json().rollout.paused, true);
  assert.deepEqual(hub.calls.rollouts.map(([r, c]) => [r, c]), [['web', { type: 'approve', wave: 'prod' }], ['web', { type: 'pause' }]]);
  assert.equal((await hub.server.app.inject({ method: 'POST', url: '/api/v1/rollouts/web/explode', headers: auth(tokens.operator) })).statusCode, 404);
  assert.equal((await hub.server.app.inject({ method: 'POST', url: '/api/v1/rollouts/api/abort', headers: auth(tokens.operator) })).json().error.code, 'API_NOT_FOUND');
  await hub.close();
});

test('the read routes serve the hub state, events with filters, health and metrics', async () => {
  const hub = await startHub();
  hub.events.publish({ type: 'DriftDetected', time: 10, cluster: 'c1', release: 'web', object: 'Deployment/web/api', fields: ['/spec/replicas'] });
  hub.events.publish({ type: 'SyncSucceeded', time: 11, cluster: 'c2', release: 'web' });
  const get = async (url: string) => (await hub.server.app.inject({ method: 'GET', url, headers: auth(tokens.viewer) })).json();
  assert.equal((await get('/api/v1/fleet')).name, 'acme');
  assert.deepEqual((await get('/api/v1/clusters')).clusters.map((c: { name: string; targets: number; sync: object }) => [c.name, c.targets, c.sync]), [['c1', 1, { Synced: 1 }], ['c2', 0, {}]]);
  assert.equal((await get('/api/v1/clusters/c1')).targets[0].sync, 'Synced');
  assert.equal((await hub.server.app.inject({ method: 'GET', url: '/api/v1/clusters/zz', headers: auth(tokens.viewer) })).statusCode, 404);
  assert.equal((await get('/api/v1/targets?sync=Drifted,Failed')).targets.length, 0);
  assert.equal((await get('/api/v1/targets?cluster=c1')).targets.length, 1);
  assert.equal((await get('/api/v1/rollouts')).rollouts[0].release, 'web');
  assert.deepEqual((await get('/api/v1/events')).events.map((e: { id: number; type: string }) => [e.id, e.type]), [[2, 'SyncSucceeded'], [1, 'DriftDetected']]);
  assert.deepEqual((await get('/api/v1/events?type=DriftDetected')).events[0].fields, ['/spec/replicas']);
  assert.deepEqual((await get('/api/v1/events?after=1')).events.map((e: { id: number }) => e.id), [2]);
  assert.equal((await hub.server.app.inject({ method: 'GET', url: '/api/v1/events?after=x', headers: auth(tokens.viewer) })).statusCode, 400);
  assert.deepEqual((await hub.server.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
  assert.equal((await hub.server.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  hub.state.setReady(false, 'fetching');
  const notReady = await hub.server.app.inject({ method: 'GET', url: '/readyz' });
  assert.deepEqual([notReady.statusCode, notReady.json()], [503, { ready: false, reason: 'fetching' }]);
  const metrics = await hub.server.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.headers['content-type'] as string, /^text\/plain/);
  assert.match(metrics.body, /flotilla_target_info\{cluster="c1",release="web",revision="abc",sync_status="Synced",health_status="Healthy"\} 1/);
  const missing = await hub.server.app.inject({ method: 'GET', url: '/api/v2/nothing', headers: auth(tokens.viewer) });
  assert.deepEqual([missing.statusCode, missing.json().error.code], [404, 'API_NOT_FOUND']);
  await hub.close();
});

function githubHeaders(secret: string, body: string, delivery: string, event = 'push') {
  return { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` };
}

const pushBody = JSON.stringify({ ref: 'refs/heads/main', after: 'f00d', repository: { clone_url: 'https://github.com/acme/fleet.git', full_name: 'acme/fleet' }, commits: [{ message: 'SECRET-PAYLOAD-MARKER' }] });

test('a GitHub push with a valid signature triggers a fetch; a bad one is 401, audited and logged without the payload; a replay is 409', async () => {
  const lines: string[] = [];
  const hub = await startHub({ webhookSecret: 'hook-secret', logLines: lines });
  const good = await hub.server.app.inject({ method: 'POST', url: '/hooks/git', headers: githubHeaders('hook-secret', pushBody, 'd-1'), payload: pushBody });
  assert.equal(good.statusCode, 202);
  assert.deepEqual(hub.calls.pushes, [{ provider: 'github', deliveryId: 'd-1', ref: 'refs/heads/main', branch: 'main', after: 'f00d', repository: ['https://github.com/acme/fleet.git', 'acme/fleet'] }]);
  const replay = await hub.server.app.inject({ method: 'POST', url: '/hooks/git', headers: githubHeaders('hook-secret', pushBody, 'd-1'), payload: pushBody });
  assert.deepEqual([replay.statusCode, replay.json().error.code], [409, 'WEBHOOK_DUPLICATE_DELIVERY']);
  const bad = await hub.server.app.inject({ method: 'POST', url: '/hooks/git', headers: githubHeaders('wrong-secret', pushBody, 'd-2'), payload: pushBody });
  assert.deepEqual([bad.statusCode, bad.json().error.code], [401, 'WEBHOOK_SIGNATURE_INVALID']);
  const unsigned = await hub.server.app.inject({ method: 'POST', url: '/hooks/git', headers: { 'content-type': 'application/json' }, payload: pushBody });
  assert.equal(unsigned.statusCode, 401);
  assert.equal(hub.calls.pushes.length, 1);
  const ping = await hub.server.app.inject({ method: 'POST', url: '/hooks/git', headers: githubHeaders('hook-secret', '{"zen":"x"}', 'd-3', 'ping'), payload: '{"zen":"x"}' });
  assert.deepEqual(ping.json(), { pong: true });
  const other = JSON.stringify({ ref: 'refs/heads/feature', after: 'beef', repository: { full_name: 'acme/fleet' } });
  const notOurs = await hub.server.app.inject({ method: 'POST', url: '/hooks/git', headers: githubHeaders('hook-secret', other, 'd-4'), payload: other });
  assert.deepEqual([notOurs.statusCode, notOurs.json()], [200, { triggered: false, reason: "branch feature is not the hub's branch main" }]);

  const audit = hub.store.listAudit({ limit: 10 }).reverse();
  assert.deepEqual(audit.map((a) => [a.actor, a.outcome, a.status]), [
    ['webhook:github', 'succeeded', 202],
    ['webhook:github', 'failed', 409],
    ['webhook:github', 'denied', 401],
    ['webhook:unknown', 'denied', 401],
    ['webhook:github', 'succeeded', 200],
    ['webhook:github', 'succeeded', 200],
  ]);
  assert.deepEqual(audit[0]!.request, { provider: 'github', deliveryId: 'd-1', event: 'push', ref: 'refs/heads/main', after: 'f00d' });
  const rejected = lines.filter((l) => l.includes('git webhook rejected'));
  assert.equal(rejected.length, 2);
  assert.match(rejected[0]!, /"deliveryId":"d-2"/);
  assert.ok(!lines.join('').includes('SECRET-PAYLOAD-MARKER'), 'no payload in the logs');
  assert.ok(!lines.join('').includes('hook-secret'), 'no secret in the logs');
  await hub.close();
});

test('GitLab pushes are checked by X-Gitlab-Token; a hub without a secret refuses every webhook', async () => {
  const hub = await startHub({ webhookSecret: 'gl-secret' });
  const body = JSON.stringify({ object_kind: 'push', ref: 'refs/heads/main', checkout_sha: 'c0ffee', project: { git_http_url: 'https://gitlab.example/acme/fleet.git', path_with_namespace: 'acme/fleet' } });
  const headers = { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': 'u-1' };
  const good = await hub.server.app.inject({ method: 'POST', url: '/hooks/git', headers: { ...headers, 'x-gitlab-token': 'gl-secret' }, payload: body });
  assert.equal(good.statusCode, 202);
  assert.deepEqual(hub.calls.pushes[0], { provider: 'gitlab', deliveryId: 'u-1', ref: 'refs/heads/main', branch: 'main', after: 'c0ffee', repository: ['https://gitlab.example/acme/fleet.git', 'acme/fleet'] });
  const bad = await hub.server.app.inject({ method: 'POST', url: '/hooks/git', headers: { ...headers, 'x-gitlab-event-uuid': 'u-2', 'x-gitlab-token': 'gl-secreT' }, payload: body });
  assert.equal(bad.statusCode, 401);
  await hub.close();

  const bare = await startHub();
  const none = await bare.server.app.inject({ method: 'POST', url: '/hooks/git', headers: { ...headers, 'x-gitlab-token': '' }, payload: body });
  assert.deepEqual([none.statusCode, none.json().error.message], [401, 'the hub has no webhook secret (--webhook-secret-file or FLOTILLA_WEBHOOK_SECRET)']);
  await bare.close();
});

test('a body over the route limit is refused with 413 before any signature work', async () => {
  const hub = await startHub({ webhookSecret: 's', hooksLimit: 4096 });
  const huge = JSON.stringify({ ref: 'refs/heads/main', padding: 'x'.repeat(10_000) });
  const response = await hub.server.app.inject({ method: 'POST', url: '/hooks/git', headers: githubHeaders('s', huge, 'd-big'), payload: huge });
  assert.deepEqual([response.statusCode, response.json().error.code], [413, 'API_BODY_TOO_LARGE']);
  assert.equal(hub.calls.pushes.length, 0);
  const bigSync = await hub.server.app.inject({ method: 'POST', url: '/api/v1/sync', headers: auth(tokens.operator), payload: { selector: 'x'.repeat(100_000) } });
  assert.equal(bigSync.statusCode, 413);
  assert.equal(hub.store.listAudit({ limit: 1 })[0]!.status, 413);
  await hub.close();
});

test('an agent reports only for its own cluster, with a validated body', async () => {
  const hub = await startHub();
  const report = { agentId: 'a-1', revision: 'abc', targets: [{ release: 'web', sync: 'Synced', health: 'Healthy', drift: 0, message: 'in sync' }], events: [{ seq: 1, type: 'DriftDetected', time: 5, cluster: 'c1', release: 'web', object: 'ConfigMap/web/a', fields: ['/data/x'] }], dropped: 0 };
  const ok = await hub.server.app.inject({ method: 'POST', url: '/api/v1/agents/c1/report', headers: auth(tokens.agentC1), payload: report });
  assert.equal(ok.statusCode, 202);
  assert.deepEqual(hub.calls.reports, [['c1', report]]);
  const other = await hub.server.app.inject({ method: 'POST', url: '/api/v1/agents/c2/report', headers: auth(tokens.agentC1), payload: report });
  assert.deepEqual([other.statusCode, other.json().error.message], [403, 'agent token agent-c1 reports for cluster c1, not c2']);
  const bad = await hub.server.app.inject({ method: 'POST', url: '/api/v1/agents/c1/report', headers: auth(tokens.agentC1), payload: { targets: [{ release: 'web', sync: 'Fine', health: 'Healthy' }] } });
  assert.equal(bad.statusCode, 400);
  const reading = await hub.server.app.inject({ method: 'GET', url: '/api/v1/fleet', headers: auth(tokens.agentC1) });
  assert.equal(reading.statusCode, 403);
  assert.deepEqual(hub.store.listAudit({ outcome: 'succeeded' }), [], 'accepted reports are not audited (they come every few seconds)');
  assert.deepEqual(hub.store.listAudit({ outcome: 'denied' }).map((a) => [a.actor, a.status]), [['agent-c1', 403]]);
  assert.deepEqual(hub.store.listAudit({ outcome: 'failed' }).map((a) => [a.actor, a.status, a.request]), [['agent-c1', 400, { cluster: 'c1' }]]);
  await hub.close();
});

test('the tokens file is re-read when it changes; a broken file refuses everyone until fixed', async () => {
  const hub = await startHub();
  const fleet = (token: string) => hub.server.app.inject({ method: 'GET', url: '/api/v1/fleet', headers: auth(token) }).then((r) => r.statusCode);
  assert.equal(await fleet(tokens.viewer), 200);
  writeFileSync(hub.tokensFile, '- {name: newcomer, role: viewer, token: brand-new-token-0000}\n');
  assert.equal(await fleet('brand-new-token-0000'), 200);
  assert.equal(await fleet(tokens.viewer), 401, 'a token removed from the file is revoked');
  writeFileSync(hub.tokensFile, '- {name: newcomer, role: wizard, token: brand-new-token-0000}\n# broken\n');
  assert.equal(await fleet('brand-new-token-0000'), 401);
  writeFileSync(hub.tokensFile, '- {name: newcomer, role: viewer, token: brand-new-token-0000}\n');
  assert.equal(await fleet('brand-new-token-0000'), 200);
  await hub.close();
});

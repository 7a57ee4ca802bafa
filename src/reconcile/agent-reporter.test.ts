import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentReporter, type AgentReportBody, type ReportOutcome } from './agent-reporter.js';
import { classifyReportAnswer, reportUrl } from './agent-hub-client.js';
import type { ReconcileEvent } from './events.js';
import type { Clock } from './ports.js';

function fakeClock(): Clock & { slept: number[]; advance(ms: number): void } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    advance: (ms) => (now += ms),
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
      await new Promise((r) => setImmediate(r));
    },
  };
}

/** hub is a scripted transport: it answers with the outcomes given, then accepts; it keeps every body. */
function hub(script: ReportOutcome[] = []) {
  const bodies: AgentReportBody[] = [];
  const accepted: AgentReportBody[] = [];
  return {
    bodies,
    accepted,
    transport: async (body: AgentReportBody): Promise<ReportOutcome> => {
      bodies.push(structuredClone(body));
      const outcome = script.shift() ?? { kind: 'accepted' };
      if (outcome.kind === 'accepted') accepted.push(structuredClone(body));
      return outcome;
    },
  };
}

const down: ReportOutcome = { kind: 'retry', message: 'hub http://127.0.0.1:1 does not answer: ECONNREFUSED' };

function synced(n: number): ReconcileEvent {
  return { type: 'SyncSucceeded', time: n, cluster: 'a', release: `r${n}`, revision: 'c1', changes: { created: 0, configured: 0, unchanged: 0, deleted: 0, skipped: 0 }, health: 'Healthy' };
}

test('a report carries the latest status and the events in order; accepted events leave the buffer', async () => {
  const h = hub();
  const reporter = new AgentReporter({ transport: h.transport, clock: fakeClock(), agentId: 'agent-1', agentVersion: '0.1.0' });
  reporter.setStatus('c1', [{ release: 'web', revision: 'c1', sync: 'Synced', health: 'Healthy', drift: 0, message: 'ok' }]);
  reporter.record(synced(1));
  reporter.record(synced(2));
  assert.equal(await reporter.sendOnce(), 'accepted');
  assert.equal(h.bodies.length, 1);
  const body = h.bodies[0]!;
  assert.equal(body.agentId, 'agent-1');
  assert.equal(body.revision, 'c1');
  assert.deepEqual(body.targets.map((t) => t.release), ['web']);
  assert.deepEqual(body.events.map((e) => [e.seq, e.type, e.time]), [[1, 'SyncSucceeded', 1], [2, 'SyncSucceeded', 2]]);
  assert.equal(body.dropped, 0);
  assert.equal(reporter.stats().buffered, 0);
  assert.equal(reporter.stats().connected, true);
  assert.equal(await reporter.sendOnce(), 'idle', 'nothing new and the heartbeat is not due');
});

test('while the hub is down events stay buffered; when it is back they arrive once, in order', async () => {
  const h = hub([down, down, down]);
  const clock = fakeClock();
  const reporter = new AgentReporter({ transport: h.transport, clock, agentId: 'x', random: () => 1, backoff: { baseMs: 1000, maxMs: 8000 } });
  reporter.record(synced(1));
  const delays: number[] = [];
  for (let i = 0; i < 3; i++) {
    assert.equal(await reporter.sendOnce(), 'failed');
    delays.push(reporter.retryDelayMs);
    reporter.record(synced(i + 2));
  }
  assert.deepEqual(delays, [1000, 2000, 4000], 'exponential backoff between attempts');
  assert.equal(reporter.stats().buffered, 4);
  assert.equal(reporter.stats().connected, false);
  assert.match(reporter.stats().lastError ?? '', /ECONNREFUSED/);
  assert.equal(await reporter.sendOnce(), 'accepted');
  assert.deepEqual(h.accepted.flatMap((b) => b.events.map((e) => e.seq)), [1, 2, 3, 4]);
  assert.deepEqual(h.bodies.map((b) => b.events.length), [1, 2, 3, 4], 'every retry sent everything buffered so far');
  assert.equal(reporter.stats().failures, 0);
});

test('a full buffer drops the oldest events and the next report says how many', async () => {
  const h = hub([down]);
  const reporter = new AgentReporter({ transport: h.transport, clock: fakeClock(), agentId: 'x', capacity: 3 });
  for (let i = 1; i <= 3; i++) reporter.record(synced(i));
  assert.equal(await reporter.sendOnce(), 'failed');
  for (let i = 4; i <= 8; i++) reporter.record(synced(i));
  assert.equal(reporter.stats().buffered, 3);
  assert.equal(reporter.stats().droppedTotal, 5);
  assert.equal(await reporter.sendOnce(), 'accepted');
  const body = h.accepted[0]!;
  assert.deepEqual(body.events.map((e) => e.time), [6, 7, 8], 'the newest survive');
  assert.equal(body.dropped, 5);
  reporter.record(synced(9));
  await reporter.sendOnce();
  assert.equal(h.accepted[1]!.dropped, 0, 'a drop count is reported once');
});

test('large backlogs go in batches, oldest first', async () => {
  const h = hub();
  const reporter = new AgentReporter({ transport: h.transport, clock: fakeClock(), agentId: 'x', batchSize: 2 });
  for (let i = 1; i <= 5; i++) reporter.record(synced(i));
  while ((await reporter.sendOnce()) === 'accepted' && reporter.pending());
  assert.deepEqual(h.accepted.map((b) => b.events.map((e) => e.seq)), [[1, 2], [3, 4], [5]]);
});

test('a report the hub finds too large is split; one event alone too large is dropped and counted', async () => {
  const big: ReportOutcome = { kind: 'tooLarge', message: 'API_BODY_TOO_LARGE' };
  const h = hub([big, big, big]);
  const reporter = new AgentReporter({ transport: h.transport, clock: fakeClock(), agentId: 'x', batchSize: 4 });
  for (let i = 1; i <= 4; i++) reporter.record(synced(i));
  assert.equal(await reporter.sendOnce(), 'failed');
  assert.equal(reporter.retryDelayMs, 0, 'a smaller report goes at once');
  assert.equal(await reporter.sendOnce(), 'failed');
  assert.equal(await reporter.sendOnce(), 'failed');
  assert.deepEqual(h.bodies.map((b) => b.events.length), [4, 2, 1]);
  assert.equal(reporter.stats().droppedTotal, 1);
  assert.equal(await reporter.sendOnce(), 'accepted');
  assert.deepEqual(h.accepted[0]!.events.map((e) => e.seq), [2]);
  assert.equal(h.accepted[0]!.dropped, 1);
});

test('a report the hub rejects as invalid is not sent again: its events count as dropped', async () => {
  const h = hub([{ kind: 'rejected', status: 400, message: 'USAGE: body/events/0 is invalid' }]);
  const reporter = new AgentReporter({ transport: h.transport, clock: fakeClock(), agentId: 'x' });
  reporter.record(synced(1));
  reporter.record(synced(2));
  assert.equal(await reporter.sendOnce(), 'failed');
  assert.equal(reporter.stats().buffered, 0);
  assert.equal(await reporter.sendOnce(), 'accepted');
  assert.deepEqual(h.accepted[0]!.events, []);
  assert.equal(h.accepted[0]!.dropped, 2);
});

test('a heartbeat report goes out when nothing changed for heartbeatMs; a status change goes at once', async () => {
  const h = hub();
  const clock = fakeClock();
  const reporter = new AgentReporter({ transport: h.transport, clock, agentId: 'x', heartbeatMs: 30_000 });
  assert.equal(await reporter.sendOnce(), 'accepted', 'the first report announces the agent');
  clock.advance(10_000);
  assert.equal(await reporter.sendOnce(), 'idle');
  reporter.setStatus('c2', [{ release: 'web', sync: 'OutOfSync', health: 'Unknown', drift: 0, message: '' }]);
  assert.equal(await reporter.sendOnce(), 'accepted');
  reporter.setStatus('c2', [{ release: 'web', sync: 'OutOfSync', health: 'Unknown', drift: 0, message: '' }]);
  assert.equal(await reporter.sendOnce(), 'idle', 'the same status is not news');
  clock.advance(30_000);
  assert.equal(await reporter.sendOnce(), 'accepted');
  assert.equal(h.bodies.length, 3);
});

test('the loop delivers with backoff after failures and stops when asked', async () => {
  const h = hub([down, down]);
  const clock = fakeClock();
  const reporter = new AgentReporter({ transport: h.transport, clock, agentId: 'x', random: () => 0, backoff: { baseMs: 1000, maxMs: 60_000 }, heartbeatMs: 30_000 });
  for (let i = 1; i <= 3; i++) reporter.record(synced(i));
  reporter.start();
  for (let i = 0; i < 1000 && h.accepted.length === 0; i++) await new Promise((r) => setImmediate(r));
  await reporter.stop();
  assert.deepEqual(h.accepted[0]!.events.map((e) => e.seq), [1, 2, 3]);
  assert.deepEqual(clock.slept.slice(0, 2), [500, 1000], 'equal jitter with random 0: half of 1 s, then half of 2 s');
});

test('classifyReportAnswer retries what may get better and drops only what cannot', () => {
  assert.equal(classifyReportAnswer(202, '').kind, 'accepted');
  assert.equal(classifyReportAnswer(413, '').kind, 'tooLarge');
  assert.equal(classifyReportAnswer(400, '').kind, 'rejected');
  for (const status of [401, 403, 404, 429, 500, 502, 503]) assert.equal(classifyReportAnswer(status, '').kind, 'retry', String(status));
});

test('reportUrl puts the cluster in the path, escaped, below any base path', () => {
  assert.equal(reportUrl('http://hub:8080', 'prod-eu').href, 'http://hub:8080/api/v1/agents/prod-eu/report');
  assert.equal(reportUrl('https://x.example/flotilla/', 'a/b').href, 'https://x.example/flotilla/api/v1/agents/a%2Fb/report');
});

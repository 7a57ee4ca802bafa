// Cluster faults (issue 12): a cluster down during a one-shot sync and during a rollout, and
// clusters answering 5xx and slowly. What is checked each time: the others go on, the faulty one is
// reported, nothing is pruned or rolled back by mistake, and once the fault is gone the fleet converges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connections, syncOnce } from '../support/sync-fleet.js';
import { api, configMap, fleetFiles, fleetRepo, greetings, sandboxFor, startHub, waitFor, type ClusterSpec } from './fixture.js';

const fastFailing = { timeoutMs: 500, retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 100 } };

test('a cluster down during a one-shot sync: the others sync, it is Unreachable and keeps every object; the next sync converges it', { timeout: 45_000 }, async (t) => {
  const clusters: ClusterSpec[] = [{ name: 'c1', env: 'dev' }, { name: 'c2', env: 'dev' }];
  const repo = fleetRepo({ clusters, extra: { keep: 'stay' } });
  const sandbox = await sandboxFor(clusters);
  try {
    const first = await syncOnce(repo.work.dir, connections(sandbox, fastFailing).connect);
    assert.deepEqual(first.clusters.map((c) => c.state), ['Synced', 'Synced']);

    repo.work.write('apps/web/config.yaml', fleetFiles({ clusters, greeting: 'bonjour' })['apps/web/config.yaml']!);
    await sandbox.faults('c2').set({ down: true });
    const during = await syncOnce(repo.work.dir, connections(sandbox, fastFailing).connect);
    const state = Object.fromEntries(during.clusters.map((c) => [c.cluster, c]));
    assert.equal(state.c1!.state, 'Synced');
    assert.equal(state.c2!.state, 'Unreachable');
    assert.match(state.c2!.message, /ECONNREFUSED/);

    const back = Date.now();
    await sandbox.faults('c2').set({ down: false });
    assert.deepEqual(await greetings(sandbox, clusters), { c1: 'bonjour', c2: 'hello' }, 'c2 kept its objects while it was down');
    assert.equal((await configMap(sandbox, 'c2', 'keep'))?.greeting, 'stay');
    const after = await syncOnce(repo.work.dir, connections(sandbox, fastFailing).connect);
    assert.deepEqual(after.clusters.map((c) => c.state), ['Synced', 'Synced']);
    assert.deepEqual(await greetings(sandbox, clusters), { c1: 'bonjour', c2: 'bonjour' });
    for (const c of ['c1', 'c2']) assert.equal((await configMap(sandbox, c, 'keep'))?.greeting, 'stay', `${c}: nothing pruned`);
    t.diagnostic(`one-shot sync: c2 converged ${Date.now() - back} ms after it came back (one sync run)`);
  } finally {
    await sandbox.stop();
  }
});

test('a production cluster down during a rollout: the wave waits (no halt, no rollback) and completes once it is back', { timeout: 50_000 }, async (t) => {
  const clusters: ClusterSpec[] = [{ name: 'dev-1', env: 'dev' }, { name: 'prod-1', env: 'prod' }];
  const repo = fleetRepo({ clusters, rollout: { failurePolicy: 'rollback' }, extra: { keep: 'stay' } });
  const sandbox = await sandboxFor(clusters);
  const { hub } = await startHub(repo, sandbox);
  try {
    await waitFor('rev 1 everywhere', async () => Object.values(await greetings(sandbox, clusters)).every((g) => g === 'hello'));
    await sandbox.faults('prod-1').set({ down: true });
    const rev2 = repo.commit({ 'apps/web/config.yaml': fleetFiles({ clusters, greeting: 'bonjour' })['apps/web/config.yaml']! }, 'bonjour');
    await waitFor('dev-1 at rev 2', async () => (await configMap(sandbox, 'dev-1', 'web-config'))?.greeting === 'bonjour');
    const rollout = async () => (await api(hub.url, '/api/v1/rollouts/web')).json().rollout as { phase: string; revision: string; targets: Record<string, { status: string; pinned?: string }> };
    await waitFor('the rollout to reach the prod wave and prod-1 to be reported Unreachable', async () => {
      const targets = (await api(hub.url, '/api/v1/targets?cluster=prod-1')).json().targets as { sync: string }[];
      return (await rollout()).revision === rev2 && targets.some((x) => x.sync === 'Unreachable');
    });
    // Let it fail a few retries: the rollout must stay in progress, not halt, not roll back.
    await new Promise((r) => setTimeout(r, 3000));
    const waiting = await rollout();
    assert.equal(waiting.phase, 'Progressing', JSON.stringify(waiting));
    const events = (await api(hub.url, '/api/v1/events?limit=500')).json().events as { type: string; cluster?: string }[];
    assert.ok(!events.some((e) => e.type === 'RolledBack' || e.type === 'RolloutHalted' || e.type === 'TargetFailed'), events.map((e) => e.type).join(','));
    assert.ok(events.some((e) => e.type === 'ClusterUnreachable' && e.cluster === 'prod-1'));

    const back = Date.now();
    await sandbox.faults('prod-1').set({ down: false });
    await waitFor('the rollout to complete', async () => (await rollout()).phase === 'Completed', 30_000);
    const recovery = Date.now() - back;
    assert.deepEqual(await greetings(sandbox, clusters), { 'dev-1': 'bonjour', 'prod-1': 'bonjour' });
    for (const c of clusters) assert.equal((await configMap(sandbox, c.name, 'keep'))?.greeting, 'stay', `${c.name}: nothing pruned`);
    t.diagnostic(`rollout: completed ${recovery} ms after prod-1 came back`);
  } finally {
    await hub.close();
    await sandbox.stop();
  }
});

test('30% of requests answered 503 and 100 ms latency on every cluster: retries converge the fleet and nothing is pruned', { timeout: 50_000 }, async (t) => {
  const clusters: ClusterSpec[] = [{ name: 'c1', env: 'dev' }, { name: 'c2', env: 'dev' }, { name: 'c3', env: 'dev' }];
  const repo = fleetRepo({ clusters, extra: { keep: 'stay' } });
  const sandbox = await sandboxFor(clusters);
  const { hub } = await startHub(repo, sandbox, { requestTimeoutMs: 3000 });
  try {
    await waitFor('rev 1 everywhere', async () => Object.values(await greetings(sandbox, clusters)).every((g) => g === 'hello'));
    for (const c of clusters) await sandbox.faults(c.name).set({ errorRate: 0.3, errorStatus: 503, latencyMs: 100 });
    const started = Date.now();
    const rev2 = repo.commit({ 'apps/web/config.yaml': fleetFiles({ clusters, greeting: 'bonjour' })['apps/web/config.yaml']! }, 'bonjour');
    await waitFor(
      'every target Synced at rev 2 through the faults',
      async () => {
        const targets = (await api(hub.url, '/api/v1/targets')).json().targets as { revision?: string; sync: string }[];
        return targets.length === 3 && targets.every((x) => x.revision === rev2 && x.sync === 'Synced');
      },
      40_000,
    );
    const converged = Date.now() - started;
    for (const c of clusters) await sandbox.faults(c.name).clear();
    assert.deepEqual(await greetings(sandbox, clusters), { c1: 'bonjour', c2: 'bonjour', c3: 'bonjour' });
    for (const c of clusters) assert.equal((await configMap(sandbox, c.name, 'keep'))?.greeting, 'stay', `${c.name}: nothing pruned`);
    const metrics = (await api(hub.url, '/metrics', undefined)).text;
    t.diagnostic(`5xx + latency: converged ${converged} ms after the commit; apply results: ${metrics.split('\n').filter((l) => l.startsWith('flotilla_apply_total')).join('; ')}`);
  } finally {
    await hub.close();
    await sandbox.stop();
  }
});

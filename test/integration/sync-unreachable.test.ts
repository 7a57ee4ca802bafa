// Per-cluster isolation: with one sandbox cluster down and one answering too slowly, the other
// clusters converge and those two are Unreachable; the continuous loop retries a down cluster with
// backoff and, once it is back, converges it within one backoff step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/kube/index.js';
import { Reconciler, type ReconcileEvent } from '../../src/reconcile/index.js';
import { connections, exampleClusters, exampleFleet, loadFleetOrThrow, renderOnce, startClusters, syncOnce } from '../support/sync-fleet.js';

const fastFailing = { timeoutMs: 400, retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 100 } };

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a down cluster and a slow one are Unreachable while the other four converge', async () => {
  const sandbox = await startClusters();
  try {
    await sandbox.faults('prod-us-east').set({ down: true });
    await sandbox.faults('staging-eu-west').set({ latencyMs: 2000 });
    const { connect } = connections(sandbox, fastFailing);
    const result = await syncOnce(exampleFleet, connect, {}, { concurrency: 2 });
    for (const c of result.clusters) {
      if (c.cluster === 'prod-us-east' || c.cluster === 'staging-eu-west') {
        assert.equal(c.state, 'Unreachable', c.cluster);
        assert.match(c.message, c.cluster === 'prod-us-east' ? /unreachable: ECONNREFUSED/ : /unreachable: the request timed out/);
        for (const t of c.targets) assert.equal(t.sync, 'Unreachable');
      } else {
        assert.equal(c.state, 'Synced', `${c.cluster}: ${c.message}`);
        // Two slots and two bad clusters: the good ones never queued behind more than a bounded wait.
        assert.ok(c.targets.every((t) => t.sync === 'Synced'));
      }
    }
  } finally {
    await sandbox.stop();
  }
});

test('the loop retries a down cluster with backoff and converges it within one backoff step once it is back', async () => {
  const sandbox = await startClusters();
  const events: ReconcileEvent[] = [];
  const fleet = loadFleetOrThrow(exampleFleet);
  const backoff = { baseMs: 200, maxMs: 800 };
  const reconciler = new Reconciler({ connect: connections(sandbox, fastFailing).connect, clock: systemClock, backoff, waitIntervalMs: 20, onEvent: (e) => events.push(e), driftWatch: false });
  try {
    await sandbox.faults('dev-us-east').set({ down: true });
    reconciler.setDesired({ fleet, revision: 'r1', targets: renderOnce(exampleFleet).map((r) => ({ target: r.target, render: r.result })) });
    reconciler.start();
    const state = (name: string) => reconciler.clusterStates().find((c) => c.cluster === name)!;
    await until('the five reachable clusters are synced', () => exampleClusters.filter((c) => c !== 'dev-us-east').every((c) => state(c).state === 'Synced'));
    await until('dev-us-east failed twice', () => state('dev-us-east').failures >= 2);
    assert.equal(state('dev-us-east').state, 'Unreachable');
    const unreachable = events.filter((e): e is Extract<ReconcileEvent, { type: 'ClusterUnreachable' }> => e.type === 'ClusterUnreachable');
    assert.ok(unreachable.length >= 2);
    for (const e of unreachable) {
      assert.equal(e.cluster, 'dev-us-east');
      assert.ok(e.retryInMs! >= backoff.baseMs / 2 && e.retryInMs! <= backoff.maxMs, String(e.retryInMs));
    }
    for (const t of reconciler.targets().filter((x) => x.cluster === 'dev-us-east')) assert.equal(t.sync, 'Unreachable');

    await sandbox.faults('dev-us-east').set({ down: false });
    const back = Date.now();
    await until('dev-us-east is synced', () => state('dev-us-east').state === 'Synced', 5000);
    const took = Date.now() - back;
    // One backoff step at most (the cap), plus the sync itself.
    assert.ok(took < backoff.maxMs + 1500, `converged ${took} ms after coming back`);
    assert.ok(events.some((e) => e.type === 'ClusterReachable' && e.cluster === 'dev-us-east'));
    for (const t of reconciler.targets()) assert.equal(t.sync, 'Synced', `${t.key}: ${t.message}`);
  } finally {
    await reconciler.stop();
    await sandbox.stop();
  }
});

// Progressive rollouts over sandbox clusters and the example fleet (SPEC §7): a base change moves
// dev → staging → production; production waits for approval; a new driver on the same store
// resumes there without writing to any cluster; after approval, maxParallel: 1 lets one production
// cluster change at a time, as client-node watches on the Deployments show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonFileRolloutStore, type ReconcileEvent } from '../../src/reconcile/index.js';
import { copyFleet, exampleClusters, startClusters } from '../support/sync-fleet.js';
import { desiredAt, setBaseImage, shortenFleet, startDriver, waitFor, watchWebDeployment, webDeployment, webImage, type DriverRun } from '../support/rollout-fleet.js';

const rolloutTypes = new Set(['RolloutStarted', 'WaveStarted', 'WaveCompleted', 'WaitingForApproval', 'RolloutCompleted', 'RolloutHalted', 'RolledBack', 'TargetFailed', 'RolloutAborted']);
const story = (events: readonly ReconcileEvent[]) =>
  events.filter((e) => rolloutTypes.has(e.type) && 'release' in e && e.release === 'web').map((e) => `${e.type}${'wave' in e && e.wave ? ` ${e.wave}` : ''}`);

test('a base change moves dev → staging → production, waits for approval, survives a restart and updates one production cluster at a time', { timeout: 60_000 }, async () => {
  const fleet = copyFleet();
  shortenFleet(fleet.dir);
  const storeDir = mkdtempSync(join(tmpdir(), 'flotilla-rollout-store-'));
  const sandbox = await startClusters(exampleClusters, { controllers: { readyDelayMs: 150 } });
  let run: DriverRun | undefined;
  const watches: Awaited<ReturnType<typeof watchWebDeployment>>[] = [];
  try {
    // The first revision: no cluster ran anything, so every target is pinned at once (no rollout).
    run = await startDriver(sandbox, new JsonFileRolloutStore(storeDir));
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-1'));
    assert.deepEqual(run.driver.list(), [], 'nothing ran before: nothing to roll out');
    await waitFor('every cluster synced at rev-1', () => run!.driver.reconciler.clusterStates().length === 6 && run!.driver.reconciler.clusterStates().every((c) => c.state === 'Synced'));
    for (const cluster of exampleClusters) assert.equal(await webImage(sandbox, cluster), 'nginx:1.27');

    for (const cluster of ['prod-eu-west', 'prod-us-east']) watches.push(await watchWebDeployment(sandbox, cluster));

    // The base change.
    setBaseImage(fleet.dir, 'nginx:1.28');
    const changedAt = Date.now();
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-2'));
    const started = run.events.find((e) => e.type === 'RolloutStarted');
    assert.ok(started && started.type === 'RolloutStarted');
    assert.equal(started.release, 'web', 'only web renders differently');
    assert.deepEqual(started.waves, [
      { name: 'dev', clusters: ['dev-eu-west', 'dev-us-east'] },
      { name: 'staging', clusters: ['staging-eu-west', 'staging-us-east'] },
      { name: 'production', clusters: ['prod-eu-west', 'prod-us-east'] },
    ]);
    await waitFor('production to wait for approval', () => run!.driver.get('web')?.phase === 'WaitingApproval');
    assert.deepEqual(story(run.events), ['RolloutStarted', 'WaveStarted dev', 'WaveCompleted dev', 'WaveStarted staging', 'WaveCompleted staging', 'WaitingForApproval production']);
    const waveTime = (type: string, wave: string) => run!.events.find((e) => e.type === type && 'wave' in e && e.wave === wave)!.time;
    assert.ok(waveTime('WaveStarted', 'staging') >= waveTime('WaveCompleted', 'dev'));
    assert.ok(waveTime('WaveCompleted', 'staging') - waveTime('WaveStarted', 'staging') >= 1000, 'staging soaks for 1 s');
    for (const cluster of ['dev-eu-west', 'dev-us-east', 'staging-eu-west', 'staging-us-east']) assert.equal(await webImage(sandbox, cluster), 'nginx:1.28', cluster);
    for (const cluster of ['prod-eu-west', 'prod-us-east']) assert.equal(await webImage(sandbox, cluster), 'nginx:1.27', cluster);
    assert.equal(run.driver.pinnedRevision('web', 'prod-eu-west'), 'rev-1');
    assert.equal(run.driver.pinnedRevision('web', 'staging-eu-west'), 'rev-2');
    assert.equal(run.driver.pinnedRevision('cluster-config', 'prod-eu-west'), 'rev-2', 'unchanged content follows the newest revision name');
    assert.ok(Date.now() - changedAt < 20_000);
    // Snapshots kept: each dev and staging cluster's rev-2 content, and each production cluster's
    // rev-1 (pinned) and rev-2 (to come) content — nothing older.
    const snapshots = () => readdirSync(join(storeDir, 'snapshots', 'web')).filter((n) => !n.startsWith('.')).length;
    assert.equal(snapshots(), 8);

    // Restart: a new driver on the same store resumes at the approval and writes nothing anywhere.
    await run.driver.stop();
    const before = new Map<string, string | undefined>();
    for (const cluster of exampleClusters) before.set(cluster, (await webDeployment(sandbox, cluster)).metadata?.resourceVersion);
    run = await startDriver(sandbox, new JsonFileRolloutStore(storeDir));
    assert.equal(run.driver.get('web')?.phase, 'WaitingApproval', 'the stored rollout is served before the first render');
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-2'));
    await waitFor('every cluster synced again', () => new Set(run!.synced.map((r) => r.cluster)).size === 6);
    assert.deepEqual(story(run.events), [], 'no wave starts again');
    assert.deepEqual(run.synced.map((r) => [r.cluster, r.state, r.requests.writes]).sort(), exampleClusters.map((c) => [c, 'Synced', 0]), 'finished waves are not applied again');
    for (const cluster of exampleClusters) assert.equal((await webDeployment(sandbox, cluster)).metadata?.resourceVersion, before.get(cluster), cluster);
    assert.equal(await webImage(sandbox, 'prod-eu-west'), 'nginx:1.27', 'production stays at its pinned revision');

    // Approval: production moves, one cluster at a time.
    const approved = await run.driver.command('web', 'approve', 'tester');
    assert.equal(approved.waves[2]!.approved, true);
    await waitFor('the rollout to complete', () => run!.driver.get('web')?.phase === 'Completed', 20_000);
    assert.deepEqual(story(run.events), ['WaveStarted production', 'WaveCompleted production', 'RolloutCompleted']);
    for (const cluster of exampleClusters) assert.equal(await webImage(sandbox, cluster), 'nginx:1.28', cluster);
    await waitFor('both watches to see the new image available', () => watches.every((w) => w.availableAt('nginx:1.28') !== undefined), 5000);
    const [eu, us] = watches as [Awaited<ReturnType<typeof watchWebDeployment>>, Awaited<ReturnType<typeof watchWebDeployment>>];
    assert.ok(eu.changedAt('nginx:1.28')! < us.changedAt('nginx:1.28')!, 'clusters in name order');
    assert.ok(eu.availableAt('nginx:1.28')! <= us.changedAt('nginx:1.28')!, `prod-us-east changed at ${us.changedAt('nginx:1.28')}, before prod-eu-west was available at ${eu.availableAt('nginx:1.28')}`);
    assert.equal(snapshots(), 6, 'once every cluster is at rev-2, only its content is kept');
    const state = run.driver.get('web')!;
    assert.deepEqual(Object.values(state.targets).map((t) => [t.cluster, t.pinned, t.lastHealthy]).sort(), exampleClusters.map((c) => [c, 'rev-2', 'rev-2']));
    const wave = run.events.find((e) => e.type === 'WaveStarted' && e.wave === 'production')!;
    assert.equal(wave.type === 'WaveStarted' && wave.actor, 'tester');
  } finally {
    for (const w of watches) w.stop();
    await run?.driver.stop();
    await sandbox.stop();
    fleet.remove();
    rmSync(storeDir, { recursive: true, force: true });
  }
});

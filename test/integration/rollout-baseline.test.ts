// How a driver judges targets it has never seen (a hub with an empty store) and content that changes
// while a rollout runs: targets whose cluster runs exactly the rendered content are pinned at once,
// others wait for their wave unpinned (nothing is applied to them before); new content supersedes
// the running rollout, and the new one starts from where the old one left every target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRolloutStore, type ReconcileEvent } from '../../src/reconcile/index.js';
import { copyFleet, startClusters } from '../support/sync-fleet.js';
import { desiredAt, keepClusters, setBaseImage, shortenFleet, startDriver, waitFor, webImage, type DriverRun } from '../support/rollout-fleet.js';

const story = (events: readonly ReconcileEvent[], from = 0) =>
  events
    .slice(from)
    .filter((e) => e.type.startsWith('Rollout') || e.type.startsWith('Wave') || e.type === 'WaitingForApproval')
    .map((e) => `${e.type}${'wave' in e && e.wave ? ` ${e.wave}` : ''}${'revision' in e && e.type.startsWith('Rollout') ? ` ${e.revision}` : ''}`);

test('a hub with an empty store pins what clusters already run, rolls out the rest, and new content supersedes a running rollout', { timeout: 60_000 }, async () => {
  const fleet = copyFleet();
  const clusters = ['dev-eu-west', 'prod-eu-west', 'staging-eu-west'];
  keepClusters(fleet.dir, clusters);
  shortenFleet(fleet.dir);
  const sandbox = await startClusters(clusters, { controllers: { readyDelayMs: 100 } });
  let run: DriverRun | undefined;
  try {
    run = await startDriver(sandbox, new MemoryRolloutStore());
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-1'));
    await waitFor('every cluster synced at rev-1', () => run!.driver.reconciler.clusterStates().length === 3 && run!.driver.reconciler.clusterStates().every((c) => c.state === 'Synced'));
    await run.driver.stop();

    // A new hub with nothing stored meets rev-2: cluster-config's content is what every cluster
    // runs (pinned at once); web's is not (a rollout, production unpinned until its wave).
    setBaseImage(fleet.dir, 'nginx:1.28');
    run = await startDriver(sandbox, new MemoryRolloutStore());
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-2'));
    assert.deepEqual(run.driver.list().map((r) => r.release), ['web']);
    assert.deepEqual(clusters.map((c) => run!.driver.pinnedRevision('cluster-config', c)), ['rev-2', 'rev-2', 'rev-2']);
    assert.equal(run.driver.pinnedRevision('web', 'prod-eu-west'), undefined, 'content this hub does not have is not pinned');
    await waitFor('production to wait for approval', () => run!.driver.get('web')?.phase === 'WaitingApproval');
    assert.deepEqual(story(run.events), ['RolloutStarted rev-2', 'WaveStarted dev', 'WaveCompleted dev', 'WaveStarted staging', 'WaveCompleted staging', 'WaitingForApproval production']);
    assert.ok(
      run.synced.filter((r) => r.cluster === 'prod-eu-west').every((r) => r.targets.every((t) => t.release !== 'web')),
      'web is not synced in production before its wave',
    );
    assert.equal(await webImage(sandbox, 'prod-eu-west'), 'nginx:1.27');

    // rev-3 changes the image again while production waits: the rev-2 rollout is superseded.
    setBaseImage(fleet.dir, 'nginx:1.29');
    const mark = run.events.length;
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-3'));
    await waitFor('production to wait for approval of rev-3', () => run!.driver.get('web')?.revision === 'rev-3' && run!.driver.get('web')?.phase === 'WaitingApproval');
    assert.deepEqual(story(run.events, mark), ['RolloutAborted rev-2', 'RolloutStarted rev-3', 'WaveStarted dev', 'WaveCompleted dev', 'WaveStarted staging', 'WaveCompleted staging', 'WaitingForApproval production']);
    const aborted = run.events.slice(mark).find((e) => e.type === 'RolloutAborted')!;
    assert.match(aborted.type === 'RolloutAborted' ? aborted.message : '', /superseded by rev-3/);
    const state = run.driver.get('web')!;
    assert.deepEqual(
      Object.values(state.targets).map((t) => [t.cluster, t.status, t.pinned ?? '-', t.lastHealthy ?? '-']).sort(),
      [['dev-eu-west', 'Healthy', 'rev-3', 'rev-3'], ['prod-eu-west', 'Pending', '-', '-'], ['staging-eu-west', 'Healthy', 'rev-3', 'rev-3']],
    );
    for (const cluster of ['dev-eu-west', 'staging-eu-west']) assert.equal(await webImage(sandbox, cluster), 'nginx:1.29');

    await run.driver.command('web', 'approve', 'otto');
    await waitFor('the rollout to complete', () => run!.driver.get('web')?.phase === 'Completed', 15_000);
    assert.equal(await webImage(sandbox, 'prod-eu-west'), 'nginx:1.29');
    assert.equal(run.driver.pinnedRevision('web', 'prod-eu-west'), 'rev-3');
  } finally {
    await run?.driver.stop();
    await sandbox.stop();
    fleet.remove();
  }
});

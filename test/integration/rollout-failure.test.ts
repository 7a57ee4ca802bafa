// A rollout that meets an image that never becomes ready (SPEC §7): staging fails its health wait,
// the rollout halts, production keeps the old revision; with failurePolicy rollback staging goes back
// to its last healthy revision, with halt it stays pinned where it failed until resumed or aborted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlotillaError } from '../../src/core/index.js';
import { MemoryRolloutStore, type ReconcileEvent } from '../../src/reconcile/index.js';
import { copyFleet, kubectl, startClusters } from '../support/sync-fleet.js';
import { desiredAt, keepClusters, rolloutBlock, setBaseImage, setOverlayImageTag, shortenFleet, startDriver, waitFor, webImage, type DriverRun } from '../support/rollout-fleet.js';

const rolloutTypes = new Set(['RolloutStarted', 'WaveStarted', 'WaveCompleted', 'WaitingForApproval', 'RolloutCompleted', 'RolloutHalted', 'RolledBack', 'TargetFailed', 'RolloutAborted', 'RolloutResumed']);
const story = (events: readonly ReconcileEvent[]) =>
  events.filter((e) => rolloutTypes.has(e.type)).map((e) => `${e.type}${'wave' in e && e.wave ? ` ${e.wave}` : ''}${e.type === 'TargetFailed' || e.type === 'RolledBack' ? ` ${e.cluster}` : ''}`);

test('an image that never becomes ready in staging halts the rollout; production keeps the old revision and staging rolls back', { timeout: 60_000 }, async () => {
  const fleet = copyFleet();
  shortenFleet(fleet.dir, rolloutBlock({ failurePolicy: 'rollback' }), '2s');
  const sandbox = await startClusters(undefined, { controllers: { readyDelayMs: 100 } });
  let run: DriverRun | undefined;
  try {
    run = await startDriver(sandbox, new MemoryRolloutStore());
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-1'));
    await waitFor('every cluster synced at rev-1', () => run!.driver.reconciler.clusterStates().length === 6 && run!.driver.reconciler.clusterStates().every((c) => c.state === 'Synced'));

    // Every environment gets a new image; staging's overlay pins a tag that never becomes ready.
    setBaseImage(fleet.dir, 'nginx:1.28');
    setOverlayImageTag(fleet.dir, 'staging', 'fail');
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-2'));
    await waitFor('the rollout to halt', () => run!.driver.get('web')?.phase === 'Halted', 20_000);
    await waitFor('both staging clusters rolled back', () => run!.events.filter((e) => e.type === 'RolledBack').length === 2);
    // The two staging clusters fail in whichever order their waits end; each failure is followed
    // by its rollback, and the first one halts the rollout.
    const told = story(run.events);
    assert.deepEqual(told.slice(0, 4), ['RolloutStarted', 'WaveStarted dev', 'WaveCompleted dev', 'WaveStarted staging']);
    const first = told[4]!.endsWith('us-east') ? 'staging-us-east' : 'staging-eu-west';
    const second = first === 'staging-us-east' ? 'staging-eu-west' : 'staging-us-east';
    assert.deepEqual(told.slice(4), [`TargetFailed staging ${first}`, `RolledBack ${first}`, 'RolloutHalted staging', `TargetFailed staging ${second}`, `RolledBack ${second}`]);
    const halted = run.events.find((e) => e.type === 'RolloutHalted')!;
    assert.match(halted.type === 'RolloutHalted' ? halted.message : '', new RegExp(`${first} failed: .*web/web`));
    const state = run.driver.get('web')!;
    assert.deepEqual([state.targets['staging-eu-west']!.status, state.targets['staging-eu-west']!.pinned], ['RolledBack', 'rev-1']);
    assert.equal(run.driver.pinnedRevision('web', 'staging-us-east'), 'rev-1');

    // Staging is back at its last healthy revision, and healthy there; production never moved.
    for (const cluster of ['staging-eu-west', 'staging-us-east']) {
      const rolledBackAt = run.events.find((e) => e.type === 'RolledBack' && e.cluster === cluster)!.time;
      await waitFor(`${cluster} synced and healthy at rev-1 again`, () =>
        run!.synced.some((r) => r.at >= rolledBackAt && r.cluster === cluster && r.targets.some((t) => t.release === 'web' && t.revision === 'rev-1' && t.sync === 'Synced' && t.health === 'Healthy')),
      );
      assert.equal(await webImage(sandbox, cluster), 'nginx:1.27', cluster);
    }
    for (const cluster of ['prod-eu-west', 'prod-us-east']) {
      assert.equal(await webImage(sandbox, cluster), 'nginx:1.27', cluster);
      assert.equal(run.driver.pinnedRevision('web', cluster), 'rev-1');
    }
    for (const cluster of ['dev-eu-west', 'dev-us-east']) assert.equal(await webImage(sandbox, cluster), 'nginx:1.28', `${cluster} completed its wave and keeps the new revision`);
    assert.ok(!run.events.some((e) => e.type === 'SyncSucceeded' && e.release === 'web' && e.revision === 'rev-2' && e.cluster.startsWith('prod-')), 'nothing of rev-2 reached production');
  } finally {
    await run?.driver.stop();
    await sandbox.stop();
    fleet.remove();
  }
});

test('with failurePolicy halt the failed cluster keeps the failing revision until resume retries it or abort ends the rollout', { timeout: 60_000 }, async () => {
  const fleet = copyFleet();
  const clusters = ['dev-eu-west', 'prod-eu-west', 'staging-eu-west'];
  keepClusters(fleet.dir, clusters);
  shortenFleet(fleet.dir, rolloutBlock({ failurePolicy: 'halt' }), '1500ms');
  const sandbox = await startClusters(clusters, { controllers: { readyDelayMs: 100 } });
  let run: DriverRun | undefined;
  try {
    run = await startDriver(sandbox, new MemoryRolloutStore());
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-1'));
    await waitFor('every cluster synced at rev-1', () => run!.driver.reconciler.clusterStates().length === 3 && run!.driver.reconciler.clusterStates().every((c) => c.state === 'Synced'));

    setOverlayImageTag(fleet.dir, 'staging', 'fail');
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-2'));
    await waitFor('the rollout to halt', () => run!.driver.get('web')?.phase === 'Halted', 20_000);
    assert.deepEqual(story(run.events), ['RolloutStarted', 'WaveStarted staging', 'TargetFailed staging staging-eu-west', 'RolloutHalted staging']);
    assert.equal(run.driver.pinnedRevision('web', 'staging-eu-west'), 'rev-2', 'halt leaves the failed target where it failed');
    assert.equal(await webImage(sandbox, 'staging-eu-west'), 'nginx:fail');
    assert.equal(await webImage(sandbox, 'prod-eu-west'), 'nginx:1.27');

    // resume sends the failed target to sync again (and it fails again: nothing changed).
    const failures = () => run!.events.filter((e) => e.type === 'TargetFailed').length;
    const resumed = await run.driver.command('web', 'resume', 'otto');
    assert.equal(resumed.phase, 'Progressing');
    await waitFor('the retried target to fail again', () => failures() === 2, 20_000);
    assert.equal(run.driver.get('web')?.phase, 'Halted');

    // abort ends it where it stands; a command to a finished rollout is refused.
    const aborted = await run.driver.command('web', 'abort', 'otto');
    assert.equal(aborted.phase, 'Aborted');
    const event = run.events.find((e) => e.type === 'RolloutAborted')!;
    assert.equal(event.type === 'RolloutAborted' && event.actor, 'otto');
    await assert.rejects(run.driver.command('web', 'approve', 'otto'), (error: unknown) => error instanceof FlotillaError && error.code === 'ROLLOUT_COMMAND_IGNORED' && /aborted/.test(error.message));
    await assert.rejects(run.driver.command('nope', 'pause'), (error: unknown) => error instanceof FlotillaError && error.code === 'API_NOT_FOUND');
    assert.equal(run.driver.pinnedRevision('web', 'staging-eu-west'), 'rev-2');
    assert.equal(run.driver.pinnedRevision('web', 'prod-eu-west'), 'rev-1');

    // A later revision with the same content starts nothing; pins whose content it is take its name.
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-3'));
    assert.deepEqual([run.driver.get('web')?.revision, run.driver.get('web')?.phase], ['rev-2', 'Aborted']);
    assert.equal(run.events.filter((e) => e.type === 'RolloutStarted').length, 1);
    assert.equal(run.driver.pinnedRevision('web', 'staging-eu-west'), 'rev-3');
    assert.equal(run.driver.pinnedRevision('web', 'prod-eu-west'), 'rev-3');
  } finally {
    await run?.driver.stop();
    await sandbox.stop();
    fleet.remove();
  }
});

test('a target that turns Degraded while its wave soaks fails the wave: health is read again during the soak', { timeout: 60_000 }, async () => {
  const fleet = copyFleet();
  const clusters = ['dev-eu-west', 'prod-eu-west', 'staging-eu-west'];
  keepClusters(fleet.dir, clusters);
  shortenFleet(fleet.dir, rolloutBlock({ stagingSoak: '20s', failurePolicy: 'rollback' }));
  const sandbox = await startClusters(clusters, { controllers: { readyDelayMs: 100 } });
  let run: DriverRun | undefined;
  try {
    run = await startDriver(sandbox, new MemoryRolloutStore());
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-1'));
    await waitFor('every cluster synced at rev-1', () => run!.driver.reconciler.clusterStates().length === 3 && run!.driver.reconciler.clusterStates().every((c) => c.state === 'Synced'));

    setBaseImage(fleet.dir, 'nginx:1.28');
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-2'));
    await waitFor('staging to soak', () => run!.driver.get('web')?.waves[1]?.phase === 'Soaking');
    // The Deployment's controller gives up on it (as after a progress deadline); its spec is untouched.
    await kubectl(sandbox, 'staging-eu-west', [
      'patch', 'deployment', 'web', '-n', 'web', '--subresource=status', '--type', 'merge',
      '-p', JSON.stringify({ status: { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'gave up' }] } }),
    ]);
    const patched = Date.now();
    await waitFor('the soak to fail', () => run!.driver.get('web')?.phase === 'Halted', 5000);
    assert.ok(Date.now() - patched < 3000, 'noticed within a few health readings, long before the 20 s soak ends');
    assert.deepEqual(story(run.events), ['RolloutStarted', 'WaveStarted dev', 'WaveCompleted dev', 'WaveStarted staging', 'TargetFailed staging staging-eu-west', 'RolledBack staging-eu-west', 'RolloutHalted staging']);
    assert.match(run.driver.get('web')!.targets['staging-eu-west']!.failure ?? '', /became Degraded after it was healthy/);
    const rolledBackAt = run.events.find((e) => e.type === 'RolledBack')!.time;
    await waitFor('staging synced and healthy at rev-1 again', () =>
      run!.synced.some((r) => r.at >= rolledBackAt && r.cluster === 'staging-eu-west' && r.targets.some((t) => t.release === 'web' && t.revision === 'rev-1' && t.health === 'Healthy')),
    );
    assert.equal(await webImage(sandbox, 'staging-eu-west'), 'nginx:1.27');
    assert.equal(await webImage(sandbox, 'prod-eu-west'), 'nginx:1.27');
  } finally {
    await run?.driver.stop();
    await sandbox.stop();
    fleet.remove();
  }
});

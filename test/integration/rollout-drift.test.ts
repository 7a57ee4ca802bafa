// Pins keep self-heal working in waves a rollout has not reached (SPEC §7): while the rollout of a
// base change stands paused at staging, a manual edit in production is corrected back to
// production's pinned (old) revision and one in staging back to the new one; the soak does not
// complete while paused, resume goes on to the approval, and abort leaves every pin as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRolloutStore, type ReconcileEvent } from '../../src/reconcile/index.js';
import { copyFleet, kubectl, startClusters } from '../support/sync-fleet.js';
import { desiredAt, keepClusters, setBaseImage, shortenFleet, startDriver, waitFor, webImage, type DriverRun } from '../support/rollout-fleet.js';

type Corrected = Extract<ReconcileEvent, { type: 'DriftCorrected' }>;

test('a manual edit in production while the rollout waits at staging is corrected back to production\'s pinned revision', { timeout: 60_000 }, async () => {
  const fleet = copyFleet();
  const clusters = ['dev-eu-west', 'prod-eu-west', 'staging-eu-west'];
  keepClusters(fleet.dir, clusters);
  shortenFleet(fleet.dir);
  const sandbox = await startClusters(clusters, { controllers: { readyDelayMs: 100 } });
  let run: DriverRun | undefined;
  const correction = (cluster: string, after: number) =>
    run!.events.find((e): e is Corrected => e.type === 'DriftCorrected' && e.cluster === cluster && e.object === 'Deployment/web/web' && e.time >= after);
  try {
    run = await startDriver(sandbox, new MemoryRolloutStore());
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-1'));
    await waitFor('every cluster synced at rev-1', () => run!.driver.reconciler.clusterStates().length === 3 && run!.driver.reconciler.clusterStates().every((c) => c.state === 'Synced'));

    setBaseImage(fleet.dir, 'nginx:1.28');
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-2'));
    await waitFor('the staging wave to start', () => run!.events.some((e) => e.type === 'WaveStarted' && e.wave === 'staging'));
    const paused = await run.driver.command('web', 'pause', 'otto');
    assert.equal(paused.phase, 'Paused');
    assert.equal(paused.currentWave, 1, 'paused at staging');

    // Someone "promotes" production by hand: corrected back to production's pin, rev-1.
    let edited = Date.now();
    await kubectl(sandbox, 'prod-eu-west', ['set', 'image', 'deployment/web', '-n', 'web', 'web=nginx:1.28']);
    const prod = await waitFor('the production edit to be corrected', () => correction('prod-eu-west', edited), 5000);
    assert.equal(prod.revision, 'rev-1');
    assert.deepEqual(prod.fields, ['/spec/template/spec/containers/0/image']);
    assert.equal(await webImage(sandbox, 'prod-eu-west'), 'nginx:1.27');
    assert.ok(Date.now() - edited < 5000);

    // Someone rolls staging back by hand: corrected to staging's pin, rev-2.
    await waitFor('staging synced at rev-2', () => run!.synced.some((r) => r.cluster === 'staging-eu-west' && r.targets.some((t) => t.release === 'web' && t.revision === 'rev-2' && t.sync === 'Synced')));
    edited = Date.now();
    await kubectl(sandbox, 'staging-eu-west', ['set', 'image', 'deployment/web', '-n', 'web', 'web=nginx:1.27']);
    const staging = await waitFor('the staging edit to be corrected', () => correction('staging-eu-west', edited), 5000);
    assert.equal(staging.revision, 'rev-2');
    assert.equal(await webImage(sandbox, 'staging-eu-west'), 'nginx:1.28');

    // Paused: the 1 s soak passes, the wave does not complete.
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(!run.events.some((e) => e.type === 'WaveCompleted' && e.wave === 'staging'));
    assert.equal(run.driver.get('web')?.phase, 'Paused');

    // resume: staging completes after its soak and production waits for approval.
    await run.driver.command('web', 'resume', 'otto');
    await waitFor('production to wait for approval', () => run!.driver.get('web')?.phase === 'WaitingApproval', 10_000);

    // abort: production keeps rev-1, and its drift is still corrected to it.
    const aborted = await run.driver.command('web', 'abort', 'otto');
    assert.equal(aborted.phase, 'Aborted');
    edited = Date.now();
    await kubectl(sandbox, 'prod-eu-west', ['scale', 'deployment/web', '-n', 'web', '--replicas=9']);
    const after = await waitFor('the edit after the abort to be corrected', () => correction('prod-eu-west', edited), 5000);
    assert.equal(after.revision, 'rev-1');
    assert.equal(await webImage(sandbox, 'prod-eu-west'), 'nginx:1.27');
    assert.deepEqual(
      run.events.filter((e) => ['RolloutPaused', 'RolloutResumed', 'RolloutAborted'].includes(e.type)).map((e) => [e.type, 'actor' in e ? e.actor : undefined]),
      [['RolloutPaused', 'otto'], ['RolloutResumed', 'otto'], ['RolloutAborted', 'otto']],
    );

    // The aborted content is not rolled out again by itself: a later revision that renders the same
    // starts nothing, and production stays at rev-1.
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-3'));
    assert.deepEqual([run.driver.get('web')?.revision, run.driver.get('web')?.phase], ['rev-2', 'Aborted']);
    assert.equal(run.events.filter((e) => e.type === 'RolloutStarted').length, 1);
    assert.equal(run.driver.pinnedRevision('web', 'prod-eu-west'), 'rev-1');
    assert.equal(run.driver.pinnedRevision('web', 'staging-eu-west'), 'rev-3', 'same content, newest name');
  } finally {
    await run?.driver.stop();
    await sandbox.stop();
    fleet.remove();
  }
});

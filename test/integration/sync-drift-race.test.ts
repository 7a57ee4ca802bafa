// An edit that lands while a cluster syncs is still drift: the drift monitor is paused for the
// sync (its own applies are not drift), so a manual scale made right after the sync applied the
// Deployment, while the sync still waits for health, arrives as a watch event during the pause.
// Once the sync ends the edit must be reverted within 2 s, not left until the resync backstop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { MemoryRolloutStore, type ReconcileEvent } from '../../src/reconcile/index.js';
import { copyFleet, startClusters } from '../support/sync-fleet.js';
import { desiredAt, keepClusters, kubeConfigFor, setBaseImage, shortenFleet, startDriver, waitFor, webDeployment, type DriverRun } from '../support/rollout-fleet.js';

type Corrected = Extract<ReconcileEvent, { type: 'DriftCorrected' }>;

test('a scale made right after a rollout\'s sync applied the Deployment is reverted within 2 s', { timeout: 60_000 }, async () => {
  const fleet = copyFleet();
  const cluster = 'dev-eu-west';
  keepClusters(fleet.dir, [cluster]);
  shortenFleet(fleet.dir);
  // The sync waits for the Deployment to become available: 400 ms in which an edit meets a paused monitor.
  const sandbox = await startClusters([cluster], { controllers: { readyDelayMs: 400 } });
  let run: DriverRun | undefined;
  let stopWatch: (() => void) | undefined;
  try {
    run = await startDriver(sandbox, new MemoryRolloutStore());
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-1'));
    await waitFor('the cluster synced at rev-1', () => run!.synced.some((r) => r.state === 'Synced'));

    // Scale the Deployment (another field manager, merge patch) the moment the rev-2 apply shows up.
    const apps = kubeConfigFor(sandbox, cluster).makeApiClient(AppsV1Api);
    let edit: Promise<number> | undefined;
    const controller = await new Watch(kubeConfigFor(sandbox, cluster)).watch(
      '/apis/apps/v1/namespaces/web/deployments',
      { fieldSelector: 'metadata.name=web' },
      (_type, object: { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } }) => {
        if (edit || object.spec?.template?.spec?.containers?.[0]?.image !== 'nginx:1.28') return;
        edit = apps
          .patchNamespacedDeployment({ name: 'web', namespace: 'web', body: { spec: { replicas: 5 } }, fieldManager: 'someone' }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
          .then(() => Date.now());
      },
      () => undefined,
    );
    stopWatch = () => controller.abort();

    setBaseImage(fleet.dir, 'nginx:1.28');
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-2'));
    await waitFor('the edit', () => edit);
    const editedAt = await edit!;
    const synced = await waitFor('the sync of web at rev-2 to end', () => run!.synced.find((r) => r.targets.some((t) => t.release === 'web' && t.revision === 'rev-2')));
    // The race this test is about: the edit landed while that sync still ran.
    assert.ok(synced.at >= editedAt, `the edit landed ${editedAt - synced.at} ms after the sync ended`);

    const corrected = await waitFor('the scale to be reverted', () => run!.events.find((e): e is Corrected => e.type === 'DriftCorrected' && e.cluster === cluster && e.object === 'Deployment/web/web'), 2000);
    assert.deepEqual(corrected.fields, ['/spec/replicas']);
    assert.equal(corrected.revision, 'rev-2');
    assert.equal((await webDeployment(sandbox, cluster)).spec?.replicas, 1);
    assert.ok(Date.now() - editedAt < 2000, `reverted ${Date.now() - editedAt} ms after the edit`);
  } finally {
    stopWatch?.();
    await run?.driver.stop();
    await sandbox.stop();
    fleet.remove();
  }
});

// dependsOn inside a wave (SPEC §2.2, §7): web dependsOn cluster-config. While cluster-config is not
// healthy on a staging cluster, web is not applied there; web's staging wave waits (it does not
// fail or roll back) and goes on once cluster-config is healthy on that cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryRolloutStore } from '../../src/reconcile/index.js';
import { copyFleet, startClusters } from '../support/sync-fleet.js';
import { desiredAt, keepClusters, setBaseImage, shortenFleet, startDriver, waitFor, webImage, type DriverRun } from '../support/rollout-fleet.js';

const blocker = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: blocker
  namespace: kube-system
spec:
  replicas: 1
  selector:
    matchLabels: {app: blocker}
  template:
    metadata:
      labels: {app: blocker}
    spec:
      containers:
      - name: blocker
        image: registry.example/blocker:fail
`;

test("web's staging wave waits while cluster-config, which web dependsOn, is not healthy on the staging cluster", { timeout: 60_000 }, async () => {
  const fleet = copyFleet();
  const clusters = ['dev-eu-west', 'prod-eu-west', 'staging-eu-west'];
  keepClusters(fleet.dir, clusters);
  shortenFleet(fleet.dir);
  // cluster-config is judged unhealthy after 1 s instead of 5 minutes.
  const fleetFile = join(fleet.dir, 'flotilla.yaml');
  writeFileSync(fleetFile, readFileSync(fleetFile, 'utf8').replace('    prune: true\n', '    prune: true\n    timeout: 1s\n'));
  const overlay = join(fleet.dir, 'clusters/staging-eu-west/kustomization.yaml');
  const original = readFileSync(overlay, 'utf8');
  const sandbox = await startClusters(clusters, { controllers: { readyDelayMs: 100 } });
  let run: DriverRun | undefined;
  try {
    run = await startDriver(sandbox, new MemoryRolloutStore(), { reconciler: { waitIntervalMs: 20, backoff: { baseMs: 300, maxMs: 1000 } } });
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-1'));
    await waitFor('every cluster synced at rev-1', () => run!.driver.reconciler.clusterStates().length === 3 && run!.driver.reconciler.clusterStates().every((c) => c.state === 'Synced'));

    // rev-2: a new web image everywhere, and staging's cluster-config gains a Deployment that never gets ready.
    setBaseImage(fleet.dir, 'nginx:1.28');
    writeFileSync(join(fleet.dir, 'clusters/staging-eu-west/blocker.yaml'), blocker);
    writeFileSync(overlay, original.replace('- ../../environments/staging\n', '- ../../environments/staging\n- blocker.yaml\n'));
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-2'));
    assert.deepEqual(run.driver.list().map((r) => [r.release, Object.keys(r.targets).sort()]), [['cluster-config', ['staging-eu-west']], ['web', clusters]]);
    await waitFor('web to be held back on staging by its dependency', () =>
      run!.synced.some((r) => r.cluster === 'staging-eu-west' && r.targets.some((t) => t.release === 'web' && t.sync === 'OutOfSync' && t.errors.some((e) => 'code' in e && e.code === 'SYNC_DEPENDENCY_NOT_READY'))),
    );
    // A few retries later the wave still waits: no failure, no rollback, nothing of web applied.
    const held = run.synced.length;
    await waitFor('two more tries', () => run!.synced.filter((r, i) => i >= held && r.cluster === 'staging-eu-west').length >= 2, 10_000);
    const web = run.driver.get('web')!;
    assert.deepEqual([web.phase, web.waves[0]!.phase, web.waves[1]!.phase, web.targets['staging-eu-west']!.status], ['Progressing', 'Complete', 'Progressing', 'Updating']);
    assert.ok(!run.events.some((e) => e.type === 'TargetFailed' || e.type === 'RolledBack'));
    assert.equal(await webImage(sandbox, 'staging-eu-west'), 'nginx:1.27');
    assert.equal(await webImage(sandbox, 'dev-eu-west'), 'nginx:1.28');

    // rev-3 takes the blocker out: cluster-config is healthy again and web's wave goes on.
    writeFileSync(overlay, original);
    await run.driver.setDesired(desiredAt(fleet.dir, 'rev-3'));
    await waitFor('web to wait for approval at production', () => run!.driver.get('web')?.phase === 'WaitingApproval', 15_000);
    assert.equal(run.driver.get('web')?.revision, 'rev-2', "web's content did not change: its rollout went on");
    assert.equal(await webImage(sandbox, 'staging-eu-west'), 'nginx:1.28');
  } finally {
    await run?.driver.stop();
    await sandbox.stop();
    fleet.remove();
  }
});

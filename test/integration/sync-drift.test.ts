// Drift through watches, in-process against a sandbox cluster: a manual edit of a field Flotilla
// applies is reverted within 2 s (and a deleted object recreated) with DriftDetected and
// DriftCorrected naming the object and the fields; an edit of a field nobody applies is left
// alone; with selfHeal: false the drift is only reported; the resync backstop catches what
// happened while events were not handled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeConnector, loadKubeconfig, systemClock } from '../../src/kube/index.js';
import { DriftMonitor, Reconciler, pinTargets, type ReconcileEvent } from '../../src/reconcile/index.js';
import { copyFleet, kubectl, kubectlJson, loadFleetOrThrow, renderOnce, startClusters, syncOnce } from '../support/sync-fleet.js';

type DriftEvent = Extract<ReconcileEvent, { type: 'DriftDetected' | 'DriftCorrected' }>;

async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 3000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('manual edits are reverted within 2 s, other managers\' fields are left alone, and selfHeal: false only reports', async () => {
  const fleet = copyFleet();
  // cluster-config does not heal itself; web does (the default).
  const fleetFile = join(fleet.dir, 'flotilla.yaml');
  writeFileSync(fleetFile, readFileSync(fleetFile, 'utf8').replace('    prune: true\n', '    prune: true\n    selfHeal: false\n'));
  const sandbox = await startClusters(['dev-eu-west']);
  const session = kubeConnector(loadKubeconfig({ text: sandbox.kubeconfig() }))({ name: 'dev-eu-west', connection: { context: 'dev-eu-west' } });
  const events: DriftEvent[] = [];
  const monitor = new DriftMonitor({ cluster: session, clock: systemClock, onEvent: (e) => (e.type === 'DriftDetected' || e.type === 'DriftCorrected') && events.push(e) });
  try {
    const synced = await syncOnce(fleet.dir, kubeConnector(loadKubeconfig({ text: sandbox.kubeconfig() })), { cluster: 'dev-eu-west' }, {}, 'rev-1');
    assert.ok(synced.targets.every((t) => t.sync === 'Synced'));
    monitor.setTargets(pinTargets(synced.targets, loadFleetOrThrow(fleet.dir).releases));
    monitor.start();
    await monitor.ready();
    assert.equal(events.length, 0, 'a fresh sync is not drift');

    // A field Flotilla applies (the dev overlay sets replicas: 1).
    await kubectl(sandbox, 'dev-eu-west', ['scale', 'deployment', 'web', '-n', 'web', '--replicas=5']);
    const edited = Date.now();
    const corrected = await waitFor('the replicas to be corrected', () => events.find((e) => e.type === 'DriftCorrected' && e.object === 'Deployment/web/web'));
    const took = Date.now() - edited;
    assert.ok(took < 2000, `corrected after ${took} ms`);
    const detected = events.find((e) => e.type === 'DriftDetected' && e.object === 'Deployment/web/web')!;
    assert.deepEqual(detected.fields, ['/spec/replicas']);
    assert.equal(detected.release, 'web');
    assert.equal(detected.revision, 'rev-1');
    assert.deepEqual(corrected.fields, ['/spec/replicas']);
    assert.equal(((await kubectlJson(sandbox, 'dev-eu-west', ['get', 'deployment', 'web', '-n', 'web'])).spec as { replicas: number }).replicas, 1);

    // A deleted object comes back.
    events.length = 0;
    await kubectl(sandbox, 'dev-eu-west', ['delete', 'service', 'web', '-n', 'web']);
    const deleted = Date.now();
    await waitFor('the Service to be recreated', () => events.find((e) => e.type === 'DriftCorrected' && e.object === 'Service/web/web'));
    assert.ok(Date.now() - deleted < 2000);
    assert.equal((events.find((e) => e.type === 'DriftDetected') as Extract<DriftEvent, { type: 'DriftDetected' }>).missing, true);
    await kubectlJson(sandbox, 'dev-eu-west', ['get', 'service', 'web', '-n', 'web']);

    // Fields nobody in the manifest sets: another manager's business, not drift.
    events.length = 0;
    await kubectl(sandbox, 'dev-eu-west', ['annotate', 'deployment', 'web', '-n', 'web', 'team.example/owner=payments']);
    await kubectl(sandbox, 'dev-eu-west', ['patch', 'deployment', 'web', '-n', 'web', '--type', 'merge', '-p', '{"spec":{"minReadySeconds":5}}']);
    await sleep(500);
    assert.equal(events.length, 0, JSON.stringify(events));
    const web = await kubectlJson(sandbox, 'dev-eu-west', ['get', 'deployment', 'web', '-n', 'web']);
    assert.equal((web.metadata as { annotations: Record<string, string> }).annotations['team.example/owner'], 'payments');
    assert.equal((web.spec as { minReadySeconds: number }).minReadySeconds, 5);

    // selfHeal: false — reported, not corrected.
    await kubectl(sandbox, 'dev-eu-west', ['patch', 'configmap', 'cluster-identity', '-n', 'kube-system', '--type', 'merge', '-p', '{"data":{"REGION":"moon-1"}}']);
    const reported = await waitFor('the identity drift', () => events.find((e) => e.type === 'DriftDetected' && e.object === 'ConfigMap/kube-system/cluster-identity'));
    assert.equal(reported.type === 'DriftDetected' && reported.selfHeal, false);
    assert.deepEqual(reported.fields, ['/data/REGION']);
    await sleep(500);
    assert.equal(events.filter((e) => e.type === 'DriftCorrected').length, 0);
    assert.equal(((await kubectlJson(sandbox, 'dev-eu-west', ['get', 'configmap', 'cluster-identity', '-n', 'kube-system'])).data as Record<string, string>).REGION, 'moon-1');
    assert.deepEqual(monitor.drift().map((d) => [d.release, d.object, d.fields.map((f) => f.path)]), [['cluster-config', 'ConfigMap/kube-system/cluster-identity', ['/data/REGION']]]);

    // The resync backstop: a change made while events were not handled is found by checkAll.
    monitor.pause();
    await kubectl(sandbox, 'dev-eu-west', ['scale', 'deployment', 'web', '-n', 'web', '--replicas=3']);
    await sleep(200);
    events.length = 0;
    monitor.resume();
    await monitor.checkAll();
    assert.ok(events.some((e) => e.type === 'DriftCorrected' && e.object === 'Deployment/web/web'));
    assert.equal(((await kubectlJson(sandbox, 'dev-eu-west', ['get', 'deployment', 'web', '-n', 'web'])).spec as { replicas: number }).replicas, 1);
  } finally {
    await monitor.stop();
    session.close();
    await sandbox.stop();
    fleet.remove();
  }
});

test('the reconciler runs the drift watches after each sync: drift is corrected, and a target without selfHeal reads Drifted', async () => {
  const fleet = copyFleet();
  const fleetFile = join(fleet.dir, 'flotilla.yaml');
  writeFileSync(fleetFile, readFileSync(fleetFile, 'utf8').replace('    prune: true\n', '    prune: true\n    selfHeal: false\n'));
  const sandbox = await startClusters(['dev-us-east']);
  const events: ReconcileEvent[] = [];
  const reconciler = new Reconciler({ connect: kubeConnector(loadKubeconfig({ text: sandbox.kubeconfig() })), clock: systemClock, onEvent: (e) => events.push(e), waitIntervalMs: 20 });
  try {
    const loaded = loadFleetOrThrow(fleet.dir);
    reconciler.setDesired({ fleet: loaded, revision: 'rev-7', targets: renderOnce(fleet.dir, { cluster: 'dev-us-east' }).map((r) => ({ target: r.target, render: r.result })) });
    reconciler.start();
    await waitFor('the first sync', () => (reconciler.clusterStates()[0]?.state === 'Synced' ? true : undefined), 10_000);
    assert.deepEqual(reconciler.targets().map((t) => [t.release, t.sync]), [['cluster-config', 'Synced'], ['web', 'Synced']]);

    await kubectl(sandbox, 'dev-us-east', ['scale', 'deployment', 'web', '-n', 'web', '--replicas=4']);
    const corrected = await waitFor('the correction', () => events.find((e) => e.type === 'DriftCorrected'));
    assert.equal(corrected.type === 'DriftCorrected' && corrected.revision, 'rev-7');

    await kubectl(sandbox, 'dev-us-east', ['label', 'configmap', 'cluster-identity', '-n', 'kube-system', 'flotilla.dev/release=someone-else', '--overwrite']);
    await waitFor('the identity drift', () => events.find((e) => e.type === 'DriftDetected' && e.object === 'ConfigMap/kube-system/cluster-identity'));
    assert.deepEqual(reconciler.targets().map((t) => [t.release, t.sync]), [['cluster-config', 'Drifted'], ['web', 'Synced']]);
    assert.deepEqual(reconciler.drift()[0]?.objects.map((o) => o.fields.map((f) => f.path)), [['/metadata/labels/flotilla.dev~1release']]);
  } finally {
    await reconciler.stop();
    await sandbox.stop();
    fleet.remove();
  }
});

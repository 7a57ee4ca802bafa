// flotilla sync, diff and status as a user runs them, against sandbox clusters: the fingerprint
// guard writes nothing to a cluster that is not the recorded one (exit 3), diff shows a manual edit
// per object and field (exit 2 with --detailed-exitcode), status reads the clusters' inventories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFlotilla } from '../support/git-fleet.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFleet, kubectl, kubectlJson, startClusters } from '../support/sync-fleet.js';

function setFingerprint(dir: string, cluster: string, fingerprint: string): void {
  const file = join(dir, 'clusters', cluster, 'cluster.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/\n  connection:/, `\n  fingerprint: "${fingerprint}"\n  connection:`));
}

test('sync writes nothing to a cluster whose kube-system uid is not the recorded fingerprint, and exits 3', async () => {
  const fleet = copyFleet();
  const sandbox = await startClusters();
  try {
    setFingerprint(fleet.dir, 'prod-eu-west', '00000000-0000-4000-8000-000000000000');
    setFingerprint(fleet.dir, 'dev-eu-west', sandbox.cluster('dev-eu-west').fingerprint);
    const result = await runFlotilla(['sync', '--fleet', fleet.dir, '--kubeconfig', sandbox.kubeconfigPath!, '-o', 'json']);
    assert.equal(result.status, 3, result.stderr + result.stdout);
    const json = JSON.parse(result.stdout) as {
      clusters: { cluster: string; state: string; requests: { writes: number } }[];
      targets: { cluster: string; release: string; sync: string; guards: { guard: string; message: string }[] }[];
    };
    for (const t of json.targets) {
      if (t.cluster === 'prod-eu-west') {
        assert.equal(t.sync, 'Blocked');
        assert.equal(t.guards[0]?.guard, 'identity');
        assert.match(t.guards[0]?.message ?? '', /kube-system namespace has uid .* but the record of cluster prod-eu-west has fingerprint 00000000/);
      } else assert.equal(t.sync, 'Synced', `${t.cluster}/${t.release}`);
    }
    const blocked = json.clusters.find((c) => c.cluster === 'prod-eu-west')!;
    assert.equal(blocked.state, 'Blocked');
    assert.equal(blocked.requests.writes, 0);
    const namespaces = await kubectlJson(sandbox, 'prod-eu-west', ['get', 'namespaces']);
    assert.deepEqual(
      (namespaces.items as { metadata: { name: string } }[]).map((n) => n.metadata.name).filter((n) => ['web', 'monitoring', 'flotilla-system'].includes(n)),
      [],
    );
  } finally {
    await sandbox.stop();
    fleet.remove();
  }
});

test('diff shows a manual edit per object and field, and status reads clusters × releases from the clusters', async () => {
  const fleet = copyFleet();
  const sandbox = await startClusters(['dev-eu-west', 'dev-us-east']);
  const k = ['--fleet', fleet.dir, '--kubeconfig', sandbox.kubeconfigPath!, '--selector', 'env=dev'];
  try {
    const synced = await runFlotilla(['sync', ...k]);
    assert.equal(synced.status, 0, synced.stderr);
    assert.match(synced.stderr, /^cluster dev-eu-west: Synced \(2 releases; \d+ created\)/m);
    assert.match(synced.stdout, /^dev-us-east\/web: Synced, Healthy, \d+ created\n {2}Namespace\/web created\n/m);

    const clean = await runFlotilla(['diff', ...k, '--detailed-exitcode']);
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.match(clean.stderr, /no drift in 4 targets/);

    await kubectl(sandbox, 'dev-eu-west', ['scale', 'deployment', 'web', '-n', 'web', '--replicas=7']);
    await kubectl(sandbox, 'dev-us-east', ['delete', 'service', 'web', '-n', 'web']);
    const drift = await runFlotilla(['diff', ...k, '--detailed-exitcode']);
    assert.equal(drift.status, 2, drift.stderr);
    assert.match(drift.stdout, /^dev-eu-west\/web: drifted\n {2}~ Deployment\/web\/web\n {6}\/spec\/replicas: live 7, desired \d+\n/m);
    assert.match(drift.stdout, /^dev-us-east\/web: drifted\n {2}\+ Service\/web\/web: missing from the cluster\n/m);
    assert.doesNotMatch(drift.stdout, /cluster-config/);

    const json = await runFlotilla(['diff', ...k, '-o', 'json']);
    const parsed = JSON.parse(json.stdout) as { summary: { drifted: number }; targets: { cluster: string; release: string; objects: { object: string; fields: { path: string; live: number }[] }[] }[] };
    assert.equal(parsed.summary.drifted, 2);
    const web = parsed.targets.find((t) => t.cluster === 'dev-eu-west' && t.release === 'web')!;
    assert.deepEqual(web.objects.map((o) => [o.object, o.fields.map((f) => [f.path, f.live])]), [['Deployment/web/web', [['/spec/replicas', 7]]]]);

    const status = await runFlotilla(['status', ...k]);
    assert.equal(status.status, 0, status.stderr);
    const rows = status.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
    assert.deepEqual(rows[0], ['CLUSTER', 'RELEASE', 'REVISION', 'SYNC', 'HEALTH', 'DRIFT', 'MESSAGE']);
    const byTarget = new Map(rows.slice(1).map((r) => [`${r[0]}/${r[1]}`, r]));
    assert.equal(byTarget.get('dev-eu-west/cluster-config')?.[3], 'Synced');
    assert.equal(byTarget.get('dev-eu-west/web')?.[3], 'Drifted');
    assert.equal(byTarget.get('dev-eu-west/web')?.[5], '1');
    assert.equal(byTarget.get('dev-us-east/web')?.[3], 'Drifted');

    // The fleet changes in Git: the clusters are now behind.
    const dev = join(fleet.dir, 'apps', 'web', 'overlays', 'dev', 'kustomization.yaml');
    writeFileSync(dev, readFileSync(dev, 'utf8') + 'commonAnnotations:\n  changed: "yes"\n');
    const behind = await runFlotilla(['status', ...k, '-o', 'json']);
    const targets = (JSON.parse(behind.stdout) as { targets: { cluster: string; release: string; sync: string }[] }).targets;
    assert.deepEqual(targets.filter((t) => t.release === 'web').map((t) => t.sync), ['OutOfSync', 'OutOfSync']);

    const resynced = await runFlotilla(['sync', ...k]);
    assert.equal(resynced.status, 0, resynced.stderr);
    assert.match(resynced.stdout, /^ {2}Deployment\/web\/web configured$/m);
    assert.match(resynced.stdout, /^ {2}Service\/web\/web created$/m);
    const after = await runFlotilla(['status', ...k, '-o', 'json']);
    assert.deepEqual((JSON.parse(after.stdout) as { targets: { sync: string }[] }).targets.map((t) => t.sync), ['Synced', 'Synced', 'Synced', 'Synced']);
  } finally {
    await sandbox.stop();
    fleet.remove();
  }
});

// flotilla bootstrap as a user runs it, against sandbox clusters: a seventh cluster joins the
// example fleet with one command and the next `flotilla sync` deploys every release whose selector
// matches it (bootstrap-hub.test.ts shows the hub doing the same on its next fetch), and every
// refusal writes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFlotilla } from '../support/git-fleet.js';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../../src/cli/program.js';
import { copyFleet, exampleClusters, kubectlJson, startClusters } from '../support/sync-fleet.js';

function sink(): NodeJS.WritableStream & { text: string } {
  const out = { text: '', write(chunk: string) { out.text += chunk; return true; } };
  return out as unknown as NodeJS.WritableStream & { text: string };
}

function git(dir: string, args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
}

// A repository with its own committer, so that bootstrap's commit works on machines without a
// global git identity.
function gitRepo(dir: string): void {
  git(dir, ['init', '--quiet', '--initial-branch=main']);
  git(dir, ['config', 'user.name', 'test']);
  git(dir, ['config', 'user.email', 'test@example.com']);
  git(dir, ['add', '.']);
  git(dir, ['commit', '--quiet', '-m', 'the fleet']);
}

type SyncJson = { clusters: { cluster: string; state: string }[]; targets: { cluster: string; release: string; sync: string; health: string; changes: { action: string }[] }[] };

test('a seventh cluster bootstrapped into the example fleet is synced by the next fleet sync, with no other step', async () => {
  const fleet = copyFleet();
  const newCluster = 'dev-ap-south';
  const sandbox = await startClusters([...exampleClusters, newCluster]);
  try {
    gitRepo(fleet.dir);
    const k = ['--fleet', fleet.dir, '--kubeconfig', sandbox.kubeconfigPath!];
    const first = await runFlotilla(['sync', ...k, '-o', 'json']);
    assert.equal(first.status, 0, first.stderr + first.stdout);
    assert.deepEqual((JSON.parse(first.stdout) as SyncJson).clusters.map((c) => c.cluster), exampleClusters);

    // Some work is staged already: bootstrap commits its own files only.
    git(fleet.dir, ['rm', '--quiet', '--cached', 'base/default-deny.yaml']);
    const boot = await runFlotilla(['bootstrap', newCluster, '--label', 'env=dev', '--label', 'region=ap-south', '--identity', 'REGION=ap-south-1', '--identity', 'ENVIRONMENT=dev', '--context', newCluster, '--commit', ...k]);
    assert.equal(boot.status, 0, boot.stderr);
    assert.match(boot.stdout, new RegExp(`^bootstrapped cluster ${newCluster}: context ${newCluster}, fingerprint ${sandbox.cluster(newCluster).fingerprint}\n`));
    assert.match(boot.stdout, /^ {2}releases that select it: cluster-config, web$/m);
    assert.equal(boot.stderr, '', 'no progress lines when stderr is not a terminal');

    const record = parse(readFileSync(join(fleet.dir, 'clusters', newCluster, 'cluster.yaml'), 'utf8')) as { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> };
    assert.deepEqual(record.metadata.labels, { env: 'dev', region: 'ap-south' });
    assert.deepEqual(record.spec, {
      identity: { CLUSTER_NAME: newCluster, REGION: 'ap-south-1', ENVIRONMENT: 'dev' },
      connection: { context: newCluster },
      fingerprint: sandbox.cluster(newCluster).fingerprint,
    });
    assert.match(readFileSync(join(fleet.dir, 'clusters', newCluster, 'kustomization.yaml'), 'utf8'), /- \.\.\/\.\.\/environments\/dev\n[\s\S]*cluster: "dev-ap-south"[\s\S]*- REGION=ap-south-1\n/);
    assert.equal(git(fleet.dir, ['log', '-1', '--format=%s']), `Bootstrap cluster ${newCluster} (env=dev, region=ap-south)`);
    assert.deepEqual(git(fleet.dir, ['show', '--name-only', '--format=', 'HEAD']).split('\n'), [`clusters/${newCluster}/cluster.yaml`, `clusters/${newCluster}/kustomization.yaml`]);
    assert.equal(git(fleet.dir, ['diff', '--cached', '--name-only']), 'base/default-deny.yaml', "the user's staged change is still staged, not committed");
    git(fleet.dir, ['reset', '--quiet', 'HEAD', 'base/default-deny.yaml']);

    const next = await runFlotilla(['sync', ...k, '-o', 'json']);
    assert.equal(next.status, 0, next.stderr + next.stdout);
    const result = JSON.parse(next.stdout) as SyncJson;
    assert.deepEqual(result.clusters.map((c) => c.cluster), [newCluster, ...exampleClusters]);
    for (const t of result.targets) {
      assert.equal(t.sync, 'Synced', `${t.cluster}/${t.release}`);
      assert.equal(t.health, 'Healthy', `${t.cluster}/${t.release}`);
      const actions = new Set(t.changes.map((c) => c.action));
      if (t.cluster === newCluster) assert.deepEqual([...actions], ['created'], `${t.cluster}/${t.release}`);
      else assert.deepEqual([...actions], ['unchanged'], `${t.cluster}/${t.release}: the other clusters have nothing to do`);
    }
    assert.deepEqual(result.targets.filter((t) => t.cluster === newCluster).map((t) => t.release), ['cluster-config', 'web']);
    const identity = await kubectlJson(sandbox, newCluster, ['get', 'configmap', 'cluster-identity', '-n', 'kube-system']);
    assert.deepEqual(identity.data, { CLUSTER_NAME: newCluster, ENVIRONMENT: 'dev', REGION: 'ap-south-1' });
    const web = await kubectlJson(sandbox, newCluster, ['get', 'deployment', 'web', '-n', 'web']);
    assert.equal((web.metadata as { labels: Record<string, string> }).labels['flotilla.dev/release'], 'web');
  } finally {
    await sandbox.stop();
    fleet.remove();
  }
});

test('bootstrap refuses, writing nothing: a name or a live cluster already in the fleet, a template key the cluster lacks, an environment with no overlay, an overlay the identity guard blocks, an unreachable cluster, --commit outside Git', async () => {
  const fleet = copyFleet();
  const sandbox = await startClusters(['dev-us-east', 'edge-1', 'edge-2']);
  const k = ['--fleet', fleet.dir, '--kubeconfig', sandbox.kubeconfigPath!];
  const full = ['--label', 'env=dev', '--label', 'region=eu-central', '--identity', 'REGION=eu-central-1', '--identity', 'ENVIRONMENT=dev'];
  const listing = () => readdirSync(join(fleet.dir, 'clusters')).sort();
  const before = listing();
  try {
    const taken = await runFlotilla(['bootstrap', 'prod-eu-west', ...full, '--context', 'edge-1', ...k]);
    assert.equal(taken.status, 1);
    assert.match(taken.stderr, /^error \[BOOTSTRAP_CLUSTER_EXISTS\]: cluster prod-eu-west is already in the fleet \(clusters\/prod-eu-west\/cluster\.yaml\); nothing was written\n/);

    const identity = await runFlotilla(['bootstrap', 'edge-1', '--label', 'env=dev', '--label', 'region=eu-central', '--context', 'edge-1', ...k]);
    assert.equal(identity.status, 1);
    assert.match(identity.stderr, /error \[FLEET_TEMPLATE_UNDEFINED\]: templates\/cluster\/kustomization\.yaml:24: \{\{cluster\.identity\.REGION\}\}: cluster edge-1 has no identity key "REGION" \(it has: CLUSTER_NAME\)/);
    assert.match(identity.stderr, /kustomization\.yaml:25: \{\{cluster\.identity\.ENVIRONMENT\}\}/, 'every missing key at once');

    const noOverlay = await runFlotilla(['bootstrap', 'edge-1', '--label', 'env=qa', '--label', 'region=eu-central', '--identity', 'REGION=eu-central-1', '--identity', 'ENVIRONMENT=qa', '--context', 'edge-1', ...k, '-o', 'json']);
    assert.equal(noOverlay.status, 1);
    const errors = (JSON.parse(noOverlay.stdout) as { errors: { code: string; message: string }[] }).errors;
    assert.ok(errors.some((e) => e.code === 'RENDER_RESOURCE_NOT_FOUND' && /edge-1\/cluster-config: .*environments\/qa/.test(e.message)), JSON.stringify(errors));

    const twin = await runFlotilla(['bootstrap', 'edge-2', ...full, '--context', 'dev-us-east', ...k]);
    assert.equal(twin.status, 0, twin.stderr);
    const again = await runFlotilla(['bootstrap', 'edge-3', ...full, '--context', 'dev-us-east', ...k]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /^error \[BOOTSTRAP_CLUSTER_EXISTS\]: context dev-us-east reaches the cluster already recorded as edge-2 \(clusters\/edge-2\/cluster\.yaml\): both have kube-system uid [0-9a-f-]+; nothing was written/);

    await sandbox.faults('edge-1').set({ down: true });
    const down = await runFlotilla(['bootstrap', 'edge-1', ...full, '--context', 'edge-1', '--request-timeout', '2s', ...k]);
    assert.equal(down.status, 1);
    assert.match(down.stderr, /^error \[KUBE_UNREACHABLE\]: .*edge-1/m);

    // A template whose overlay would fail the identity guard blocks the bootstrap itself (exit 3).
    const template = join(fleet.dir, 'templates', 'cluster', 'kustomization.yaml');
    const original = readFileSync(template, 'utf8');
    writeFileSync(template, original.replace('- CLUSTER_NAME={{cluster.name}}', '- CLUSTER_NAME=prod-eu-west'));
    const blocked = await runFlotilla(['bootstrap', 'edge-3', ...full, '--context', 'edge-1', ...k]);
    writeFileSync(template, original);
    assert.equal(blocked.status, 3, blocked.stderr);
    assert.match(blocked.stderr, /^blocked \[identity\] edge-3\/cluster-config: ConfigMap\/kube-system\/cluster-identity says CLUSTER_NAME=prod-eu-west, but the target cluster is edge-3$/m);
    assert.match(blocked.stderr, /^cluster edge-3 would not sync; nothing was written$/m);

    const noGit = await runFlotilla(['bootstrap', 'edge-1', ...full, '--context', 'edge-1', '--commit', ...k]);
    assert.equal(noGit.status, 1);
    assert.match(noGit.stderr, /^error \[GIT_FAILED\]: git rev-parse --show-toplevel in /);

    assert.deepEqual(listing(), [...before, 'edge-2'].sort(), 'only the one successful bootstrap wrote anything');
    assert.ok(!existsSync(join(fleet.dir, 'clusters', 'edge-1')));
  } finally {
    await sandbox.stop();
    fleet.remove();
  }
});

test('bootstrap --dry-run reads the fingerprint and prints the files without writing them, with progress on a terminal; a fleet without a cluster template gets the record only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bootstrap-'));
  const sandbox = await startClusters(['edge-1']);
  try {
    const init = await runFlotilla(['init', dir, '--envs', 'dev', '--regions', 'eu']);
    assert.equal(init.status, 0, init.stderr);
    const k = ['--fleet', dir, '--kubeconfig', sandbox.kubeconfigPath!];
    const dry = await runFlotilla(['bootstrap', 'edge-1', '--label', 'env=dev', '--label', 'region=eu', '--context', 'edge-1', '--dry-run', ...k]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^# clusters\/edge-1\/cluster\.yaml\n# Written by flotilla bootstrap\.\n/);
    assert.match(dry.stdout, new RegExp(`fingerprint: ${sandbox.cluster('edge-1').fingerprint}\n`));
    assert.match(dry.stdout, /^# clusters\/edge-1\/kustomization\.yaml\n/m);
    assert.match(dry.stderr, /^dry run: cluster edge-1 .* 2 files not written\n$/);

    // On a terminal, the checks and the network read show progress on stderr.
    const tty = Object.assign(sink(), { isTTY: true });
    const onTerminal = await runCli(['bootstrap', 'edge-1', '--label', 'env=dev', '--label', 'region=eu', '--context', 'edge-1', '--dry-run', ...k], { stdout: sink(), stderr: tty });
    assert.equal(onTerminal, 0, tty.text);
    assert.match(tty.text, /checking the fleet with edge-1…/);
    assert.match(tty.text, /\r\x1b\[Kreading the fingerprint of edge-1 through context edge-1…/);
    assert.ok(!existsSync(join(dir, 'clusters', 'edge-1')));

    // Without spec.clusterTemplate only the record is written, and a release that expects an
    // overlay per cluster says so before anything is written.
    const fleetFile = join(dir, 'flotilla.yaml');
    const text = readFileSync(fleetFile, 'utf8');
    writeFileSync(fleetFile, text.replace(/ {2}clusterTemplate:\n {4}path: templates\/cluster\n/, ''));
    const bare = await runFlotilla(['bootstrap', 'edge-1', '--label', 'env=dev', '--label', 'region=eu', '--context', 'edge-1', ...k]);
    assert.equal(bare.status, 1);
    assert.match(bare.stderr, /error \[RENDER_KUSTOMIZATION_NOT_FOUND\]: edge-1\/cluster-config: clusters\/edge-1: no kustomization file/);
    assert.match(bare.stderr, /^note: the fleet has no spec\.clusterTemplate, so bootstrap writes no overlay into clusters\/edge-1\//m);
    assert.ok(!existsSync(join(dir, 'clusters', 'edge-1')));
  } finally {
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

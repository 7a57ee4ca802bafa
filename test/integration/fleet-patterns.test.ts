// The fleet files of docs/fleet-patterns.md, loaded against the example fleet's six clusters:
// each must be valid and reach exactly the clusters the page says it does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFleet, renderFleet, selectTargets, type Fleet } from '../../src/fleet/index.js';
import { localRepoResolver } from '../../src/cli/commands/render.js';
import { releaseRenderer } from '../../src/render/index.js';
import { memoryFs } from '../../src/render/kustomize/memory-fs.js';
import { localFs } from '../../src/source/index.js';

const root = new URL('../../', import.meta.url).pathname;
const example = join(root, 'examples/fleet');

function snippets(): Map<string, string> {
  const text = readFileSync(join(root, 'docs/fleet-patterns.md'), 'utf8');
  const out = new Map<string, string>();
  for (const match of text.matchAll(/<!-- pattern: ([a-z-]+) -->\n```yaml\n([\s\S]*?)```/g)) out.set(match[1]!, match[2]!);
  return out;
}

function clusterFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(join(example, 'clusters'))) {
    files[`/repo/clusters/${name}/cluster.yaml`] = readFileSync(join(example, 'clusters', name, 'cluster.yaml'), 'utf8');
  }
  return files;
}

function loadPattern(name: string): Fleet {
  const text = snippets().get(name);
  assert.ok(text, `docs/fleet-patterns.md has no pattern ${name}`);
  const loaded = loadFleet(memoryFs({ ...clusterFiles(), '/repo/flotilla.yaml': text }), '/repo');
  assert.ok(loaded.ok, `${name}: ${loaded.ok ? '' : loaded.issues.map((i) => i.message).join('\n')}`);
  for (const target of selectTargets(loaded.value)) assert.deepEqual(target.issues, [], `${name}: ${target.key}`);
  return loaded.value;
}

const reach = (fleet: Fleet, release: string) => selectTargets(fleet, { release }).map((t) => t.cluster.name);

test('the page shows every pattern', () => {
  assert.deepEqual([...snippets().keys()], ['path-per-cluster', 'path-per-environment', 'matrix', 'matrix-templated', 'repo-per-environment', 'explicit', 'residency']);
});

test('one path per cluster, and one path per environment', () => {
  const perCluster = selectTargets(loadPattern('path-per-cluster'));
  assert.equal(perCluster.length, 6);
  assert.ok(perCluster.every((t) => t.path === `clusters/${t.cluster.name}`));
  const perEnv = selectTargets(loadPattern('path-per-environment'));
  assert.deepEqual(perEnv.map((t) => `${t.cluster.name}:${t.path}`), [
    'dev-eu-west:apps/web/overlays/dev',
    'dev-us-east:apps/web/overlays/dev',
    'prod-eu-west:apps/web/overlays/production',
    'prod-us-east:apps/web/overlays/production',
    'staging-eu-west:apps/web/overlays/staging',
    'staging-us-east:apps/web/overlays/staging',
  ]);
});

test('the matrix: US and EU production get their own configuration, GDPR only in the EU', () => {
  const fleet = loadPattern('matrix');
  assert.deepEqual(reach(fleet, 'payments-us'), ['prod-us-east']);
  assert.deepEqual(reach(fleet, 'payments-eu'), ['prod-eu-west']);
  const [eu] = selectTargets(fleet, { release: 'payments-eu' });
  assert.equal(eu!.path, 'apps/payments/overlays/production-gdpr');
  assert.equal(eu!.variables.STORAGE_BUCKET, 'payments-eu-west-1');
  assert.equal(eu!.variables.DATA_RETENTION_DAYS, '30');
  const [us] = selectTargets(fleet, { release: 'payments-us' });
  assert.equal(us!.variables.STORAGE_BUCKET, 'payments-us-east-1');
  const templated = selectTargets(loadPattern('matrix-templated'));
  assert.deepEqual(templated.map((t) => t.path), [
    'apps/payments/overlays/production-eu-west',
    'apps/payments/overlays/production-us-east',
    'apps/payments/overlays/staging-eu-west',
    'apps/payments/overlays/staging-us-east',
  ]);
});

test('one repository per environment names the repository per cluster', () => {
  const targets = selectTargets(loadPattern('repo-per-environment'));
  assert.equal(targets.length, 6);
  assert.deepEqual(targets.find((t) => t.cluster.name === 'staging-eu-west')!.repo, { url: 'https://git.example.com/acme/platform-staging.git', branch: 'main' });
});

test('explicit clusters, exclusions and dependsOn order', () => {
  const fleet = loadPattern('explicit');
  assert.deepEqual(reach(fleet, 'monitoring'), ['dev-us-east', 'prod-eu-west', 'prod-us-east', 'staging-us-east']);
  assert.deepEqual(reach(fleet, 'canary-tools'), ['dev-eu-west']);
  assert.deepEqual(selectTargets(fleet, { cluster: 'prod-eu-west' }).map((t) => t.release.name), ['cluster-config', 'monitoring']);
});

test('the residency guard loads', () => {
  const fleet = loadPattern('residency');
  assert.deepEqual(fleet.guards.map((g) => g.name), ['identity', 'gdpr-residency']);
});

test('a branch per environment: each cluster renders its environment branch of another local repository', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-repos-'));
  try {
    const envRepo = join(dir, 'platform');
    mkdirSync(join(envRepo, 'app'), { recursive: true });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd: envRepo, stdio: 'pipe' });
    git('init', '-q');
    writeFileSync(join(envRepo, 'app/kustomization.yaml'), 'resources: [settings.yaml]\n');
    for (const env of ['dev', 'staging', 'production']) {
      git('checkout', '-q', '-B', env);
      writeFileSync(join(envRepo, 'app/settings.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {ENVIRONMENT: ${env}, CLUSTER: "\${CLUSTER_NAME}"}\n`);
      git('add', '-A');
      git('commit', '-q', '-m', env);
    }
    // The working tree holds production's file; dev and staging must come from their branches.
    const fleetDir = join(dir, 'fleet');
    cpSync(join(example, 'clusters'), join(fleetDir, 'clusters'), { recursive: true });
    writeFileSync(
      join(fleetDir, 'flotilla.yaml'),
      'apiVersion: flotilla.dev/v1alpha1\nkind: Fleet\nmetadata: {name: t}\nspec:\n  releases:\n  - name: platform\n    repo: {url: ../platform, branch: "{{cluster.labels.env}}"}\n    path: app\n    targets: {selector: {}}\n',
    );
    const loaded = loadFleet(localFs, fleetDir);
    assert.ok(loaded.ok);
    const results = renderFleet(loaded.value, { fs: localFs, root: fleetDir, renderer: releaseRenderer, resolveRepo: localRepoResolver(fleetDir) });
    const data = Object.fromEntries(
      results.map(({ target, result }) => {
        assert.ok(result.ok, result.ok ? '' : result.issues.map((i) => i.message).join('\n'));
        return [target.cluster.name, result.value.objects[0]!.object.data];
      }),
    );
    assert.deepEqual(data['dev-us-east'], { ENVIRONMENT: 'dev', CLUSTER: 'dev-us-east' });
    assert.deepEqual(data['staging-eu-west'], { ENVIRONMENT: 'staging', CLUSTER: 'staging-eu-west' });
    assert.deepEqual(data['prod-eu-west'], { ENVIRONMENT: 'production', CLUSTER: 'prod-eu-west' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

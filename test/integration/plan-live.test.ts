// flotilla plan --live against six sandbox clusters that the sync engine has brought in step with
// the example fleet: the plan is what a sync of the working tree would create, change and prune,
// read through the real client against the sandbox's HTTPS ports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gitFleet, runFlotilla, type GitFleet } from '../support/git-fleet.js';
import { connections, exampleClusters, kubectl, kubectlJson, startClusters, syncOnce } from '../support/sync-fleet.js';

type Sandbox = Awaited<ReturnType<typeof startClusters>>;

interface PlanJson {
  summary: { clusters: number; objects: number; blocked: number; errors: number };
  base: string;
  targets: { cluster: string; release: string; changes: { action: string; object: string; fields: { path: string; before?: unknown; after?: unknown }[] }[] }[];
  errors: { cluster: string; revision: string; code: string }[];
}

let sandbox: Sandbox;
let repo: GitFleet;

before(async () => {
  sandbox = await startClusters();
  repo = gitFleet();
  const synced = await syncOnce(repo.dir, connections(sandbox).connect);
  for (const t of synced.targets) assert.equal(t.sync, 'Synced', `${t.key}: ${t.message}`);
});

after(async () => {
  await sandbox?.stop();
  repo?.remove();
});

async function planLive(...args: string[]): Promise<{ status: number; json: PlanJson; stderr: string }> {
  const run = await runFlotilla(['--fleet', repo.dir, '--kubeconfig', sandbox.kubeconfigPath!, 'plan', '--live', '--output', 'json', ...args]);
  assert.ok(run.stdout.startsWith('{'), run.stdout + run.stderr);
  return { status: run.status, json: JSON.parse(run.stdout) as PlanJson, stderr: run.stderr };
}

test('right after a sync, a live plan finds nothing to do', async () => {
  const { status, json } = await planLive('--detailed-exitcode');
  assert.equal(status, 0, JSON.stringify(json));
  assert.equal(json.base, 'live');
  assert.deepEqual(json.summary, { clusters: 0, objects: 0, blocked: 0, errors: 0 });
});

test('a one-line base change, and a resource removed from base, show as what a sync would change and prune', async () => {
  repo.replace('base/monitoring-namespace.yaml', 'purpose: observability', 'purpose: metrics');
  repo.replace('base/kustomization.yaml', '- default-deny.yaml\n', '');
  try {
    const { status, json } = await planLive('--detailed-exitcode');
    assert.equal(status, 2, JSON.stringify(json.errors));
    assert.deepEqual(json.summary, { clusters: 6, objects: 12, blocked: 0, errors: 0 });
    assert.deepEqual(json.targets.map((t) => t.cluster), exampleClusters);
    for (const t of json.targets) {
      assert.equal(t.release, 'cluster-config');
      const byObject = new Map(t.changes.map((c) => [c.object, c]));
      assert.deepEqual(byObject.get('Namespace/monitoring')!.fields.filter((f) => f.path === '/metadata/labels/purpose'), [{ path: '/metadata/labels/purpose', action: 'change', before: 'observability', after: 'metrics' }]);
      assert.equal(byObject.get('NetworkPolicy/monitoring/default-deny')!.action, 'remove');
    }
  } finally {
    repo.git('checkout', '--', 'base');
  }
});

test('drift made by hand on one cluster shows as a change back to the desired value', async () => {
  const live = await kubectlJson(sandbox, 'staging-us-east', ['get', 'namespace', 'monitoring']);
  assert.equal((live.metadata as { labels: Record<string, string> }).labels.purpose, 'observability');
  // kubectl runs as a child process that must not block: the sandbox answers from this process.
  const label = (value: string) => kubectl(sandbox, 'staging-us-east', ['label', '--overwrite', 'namespace', 'monitoring', `purpose=${value}`]);
  await label('by-hand');
  try {
    const { json } = await planLive();
    assert.deepEqual(json.targets.map((t) => `${t.cluster}/${t.release}`), ['staging-us-east/cluster-config']);
    assert.deepEqual(json.targets[0]!.changes[0]!.fields, [{ path: '/metadata/labels/purpose', action: 'change', before: 'by-hand', after: 'observability' }]);
  } finally {
    await label('observability');
  }
});

test('an unreachable cluster is an error for its targets; the others are still planned', async () => {
  await sandbox.faults('dev-eu-west').set({ down: true });
  try {
    const { status, json } = await planLive();
    assert.equal(status, 1);
    assert.deepEqual([...new Set(json.errors.map((e) => `${e.cluster}/${e.revision}`))], ['dev-eu-west/base']);
    assert.equal(json.summary.errors, 2);
    assert.ok(!json.targets.some((t) => t.cluster === 'dev-eu-west'));
  } finally {
    await sandbox.faults('dev-eu-west').clear();
  }
});

test('--live takes no --base', async () => {
  const run = await runFlotilla(['--fleet', repo.dir, 'plan', '--live', '--base', 'main']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /error \[USAGE\]: --live compares head with the clusters themselves; it takes no --base/);
});

// flotilla plan over a real Git repository holding the example fleet: the real loader, renderer,
// guards, Git revisions and planner, driven through the CLI in-process.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { gitFleet, runFlotilla, type GitFleet } from '../support/git-fleet.js';

const clusters = ['dev-eu-west', 'dev-us-east', 'prod-eu-west', 'prod-us-east', 'staging-eu-west', 'staging-us-east'];

interface PlanJson {
  summary: { clusters: number; objects: number; blocked: number; errors: number };
  base: string;
  head: string;
  targets: {
    cluster: string;
    release: string;
    selection: string;
    changes: { action: string; object: string; fields: { path: string; action: string; before?: unknown; after?: unknown; masked?: boolean }[] }[];
    guards: { guard: string; object: string | null; message: string }[];
  }[];
  errors: { cluster: string; release: string | null; revision: string; code: string; message: string }[];
}

const repos: GitFleet[] = [];
after(() => repos.forEach((r) => r.remove()));
function fleet(): GitFleet {
  const r = gitFleet();
  repos.push(r);
  return r;
}

async function planJson(dir: string, ...args: string[]): Promise<{ status: number; json: PlanJson; stderr: string }> {
  const run = await runFlotilla(['--fleet', dir, 'plan', '--output', 'json', ...args]);
  return { status: run.status, json: JSON.parse(run.stdout) as PlanJson, stderr: run.stderr };
}

test('a one-line change in base shows in the plan for all six clusters and nothing else', async () => {
  const repo = fleet();
  repo.replace('base/monitoring-namespace.yaml', 'purpose: observability', 'purpose: metrics');
  const { status, json } = await planJson(repo.dir);
  assert.equal(status, 0);
  assert.deepEqual(json.summary, { clusters: 6, objects: 6, blocked: 0, errors: 0 });
  assert.match(json.base, /^[0-9a-f]{7} \(merge-base with main\)$/);
  assert.equal(json.head, 'working tree');
  assert.deepEqual(json.targets.map((t) => `${t.cluster}/${t.release}`), clusters.map((c) => `${c}/cluster-config`));
  for (const target of json.targets) {
    assert.equal(target.selection, 'unchanged');
    assert.deepEqual(target.guards, []);
    assert.deepEqual(target.changes, [
      { action: 'change', object: 'Namespace/monitoring', apiVersion: 'v1', fields: [{ path: '/metadata/labels/purpose', action: 'change', before: 'observability', after: 'metrics' }] },
    ]);
  }
});

test('an unchanged working tree plans nothing; --detailed-exitcode says 2 only when something changes', async () => {
  const repo = fleet();
  const none = await runFlotilla(['--fleet', repo.dir, 'plan', '--detailed-exitcode']);
  assert.equal(none.status, 0, none.stderr);
  assert.match(none.stdout, /No changes/);
  assert.match(none.stdout, /\n0 objects change in 0 clusters\n$/);
  repo.replace('base/monitoring-namespace.yaml', 'purpose: observability', 'purpose: metrics');
  const changed = await runFlotilla(['--fleet', repo.dir, 'plan', '--detailed-exitcode']);
  assert.equal(changed.status, 2, changed.stderr);
  assert.match(changed.stdout, /\n6 objects change in 6 clusters\n$/);
  assert.match(changed.stdout, /prod-eu-west · cluster-config\n {2}~ Namespace\/monitoring\n {6}~ \/metadata\/labels\/purpose: "observability" → "metrics"\n/);
  const plain = await runFlotilla(['--fleet', repo.dir, 'plan']);
  assert.equal(plain.status, 0);
});

test('--base and --head compare two commits, wherever the working tree is', async () => {
  const repo = fleet();
  const first = repo.git('rev-parse', 'HEAD');
  repo.replace('apps/web/overlays/production/kustomization.yaml', 'count: 4', 'count: 6');
  const second = repo.commit('more replicas in production');
  // An uncommitted change that --head must not see.
  repo.replace('base/monitoring-namespace.yaml', 'purpose: observability', 'purpose: metrics');
  const { status, json } = await planJson(repo.dir, '--base', first, '--head', 'main');
  assert.equal(status, 0);
  assert.equal(json.base, first.slice(0, 7));
  assert.equal(json.head, `main (${second.slice(0, 7)})`);
  assert.deepEqual(json.targets.map((t) => `${t.cluster}/${t.release}`), ['prod-eu-west/web', 'prod-us-east/web']);
  assert.deepEqual(json.targets[0]!.changes[0]!.fields, [{ path: '/spec/replicas', action: 'change', before: 4, after: 6 }]);
  assert.equal(json.targets[0]!.changes[0]!.object, 'Deployment/web/web');
});

test('the default base is where the branch forked from main, not main today', async () => {
  const repo = fleet();
  repo.git('checkout', '-q', '-b', 'feature');
  repo.replace('base/monitoring-namespace.yaml', 'purpose: observability', 'purpose: metrics');
  repo.commit('feature change');
  repo.git('checkout', '-q', 'main');
  repo.replace('apps/web/overlays/production/kustomization.yaml', 'count: 4', 'count: 6');
  repo.commit('an unrelated change on main');
  repo.git('checkout', '-q', 'feature');
  const { json } = await planJson(repo.dir);
  // Only the feature's change: main's later commit is not the branch's doing.
  assert.deepEqual([...new Set(json.targets.map((t) => t.release))], ['cluster-config']);
  assert.equal(json.summary.objects, 6);
});

test('a label change on a cluster record that deselects a release shows the target removed', async () => {
  const repo = fleet();
  repo.replace('clusters/dev-us-east/cluster.yaml', 'env: dev', 'env: sandbox');
  const { status, json } = await planJson(repo.dir);
  assert.equal(status, 0);
  assert.deepEqual(json.targets.map((t) => `${t.cluster}/${t.release}/${t.selection}`), ['dev-us-east/web/removed']);
  const [target] = json.targets;
  assert.ok(target!.changes.length >= 3);
  assert.ok(target!.changes.every((c) => c.action === 'remove'));
  assert.ok(target!.changes.some((c) => c.object === 'Deployment/web/web'));
  assert.equal(json.summary.clusters, 1);
  assert.equal(json.summary.objects, target!.changes.length);
});

test('a label change that selects a cluster shows the target added', async () => {
  const repo = fleet();
  repo.replace('flotilla.yaml', 'values: [dev, staging, production]', 'values: [staging, production]');
  const { json } = await planJson(repo.dir);
  assert.deepEqual(json.targets.map((t) => `${t.cluster}/${t.release}/${t.selection}`), ['dev-eu-west/web/removed', 'dev-us-east/web/removed']);
  repo.commit('no web on dev');
  repo.replace('flotilla.yaml', 'values: [staging, production]', 'values: [dev, staging, production]');
  const back = await planJson(repo.dir, '--base', 'HEAD');
  assert.deepEqual(back.json.targets.map((t) => `${t.cluster}/${t.release}/${t.selection}`), ['dev-eu-west/web/added', 'dev-us-east/web/added']);
  assert.ok(back.json.targets[0]!.changes.every((c) => c.action === 'add'));
});

test('a guard verdict at head blocks the target: exit 3, the guard and the offending object in the plan', async () => {
  const repo = fleet();
  // prod-eu-west's overlay labels its objects for another cluster: the identity guard must stop it.
  repo.replace('clusters/prod-eu-west/kustomization.yaml', '    cluster: prod-eu-west', '    cluster: prod-us-east');
  const { status, json } = await planJson(repo.dir, '--detailed-exitcode');
  assert.equal(status, 3);
  assert.equal(json.summary.blocked, 1);
  const target = json.targets.find((t) => t.cluster === 'prod-eu-west' && t.release === 'cluster-config')!;
  assert.ok(target.guards.length > 0);
  assert.ok(target.guards.every((g) => g.guard === 'identity'));
  assert.ok(target.guards.some((g) => g.object === 'Namespace/monitoring' && /prod-us-east/.test(g.message)));
  assert.ok(target.changes.some((c) => c.object === 'Namespace/monitoring' && c.fields.some((f) => f.path === '/metadata/labels/cluster' && f.after === 'prod-us-east')));
  const text = await runFlotilla(['--fleet', repo.dir, 'plan']);
  assert.equal(text.status, 3);
  assert.match(text.stdout, /✗ blocked by guard identity: Namespace\/monitoring carries the label cluster=prod-us-east/);
  assert.match(text.stdout, /1 target blocked by a guard\n$/);
});

test('a target that fails to render is an error (exit 1) and every other target is still planned', async () => {
  const repo = fleet();
  repo.replace('base/monitoring-namespace.yaml', 'purpose: observability', 'purpose: metrics');
  repo.replace('clusters/dev-eu-west/kustomization.yaml', '- ../../environments/dev', '- ../../environments/dev\n- missing.yaml');
  const { status, json } = await planJson(repo.dir, '--detailed-exitcode');
  assert.equal(status, 1);
  assert.equal(json.summary.errors, 1);
  assert.deepEqual(json.errors.map((e) => `${e.cluster}/${e.release}/${e.revision}`), ['dev-eu-west/cluster-config/head']);
  assert.match(json.errors[0]!.message, /missing\.yaml/);
  assert.deepEqual(json.targets.map((t) => t.cluster), clusters.filter((c) => c !== 'dev-eu-west'));
  const text = await runFlotilla(['--fleet', repo.dir, 'plan']);
  assert.equal(text.status, 1);
  assert.match(text.stdout, /Failed to render \(not planned\):\n {2}dev-eu-west · cluster-config at head working tree: \[\w+\] .*missing\.yaml/);
  assert.match(text.stdout, /5 objects change in 5 clusters; 1 target failed to render\n$/);
});

test('Secret values never reach the plan, in any format', async () => {
  const repo = fleet();
  repo.write('base/db-secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: monitoring\ntype: Opaque\nstringData:\n  password: hunter2-before\n');
  repo.replace('base/kustomization.yaml', '- default-deny.yaml', '- default-deny.yaml\n- db-secret.yaml');
  repo.commit('a secret');
  repo.replace('base/db-secret.yaml', 'hunter2-before', 'swordfish-after');
  for (const output of ['json', 'text', 'markdown']) {
    const run = await runFlotilla(['--fleet', repo.dir, 'plan', '--output', output]);
    assert.equal(run.status, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /hunter2|swordfish/, output);
    assert.match(run.stdout, output === 'json' ? /"masked": true/ : /\(secret value changed\)/, output);
  }
});

test('the markdown comment: bold summary, identical clusters in one section with a table, collapsible field diffs', async () => {
  const repo = fleet();
  repo.replace('base/monitoring-namespace.yaml', 'purpose: observability', 'purpose: metrics');
  const run = await runFlotilla(['--fleet', repo.dir, 'plan', '--output', 'markdown']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^### Flotilla plan\n\n\*\*6 objects change in 6 clusters\*\*\n/);
  assert.match(run.stdout, /#### `dev-eu-west`, `dev-us-east`, `prod-eu-west`, `prod-us-east`, `staging-eu-west`, `staging-us-east` \(6 clusters, same plan\)/);
  assert.match(run.stdout, /\| cluster-config \| unchanged \| 0 \| 1 \| 0 \| {2}\|/);
  assert.match(run.stdout, /<details>\n<summary><code>~ Namespace\/monitoring<\/code> · cluster-config · change, 1 field<\/summary>\n\n```diff\n@@ \/metadata\/labels\/purpose @@\n- "observability"\n\+ "metrics"\n```\n\n<\/details>/);
});

test('an unknown revision and a directory outside Git are clear errors', async () => {
  const repo = fleet();
  const unknown = await runFlotilla(['--fleet', repo.dir, 'plan', '--base', 'no-such-branch']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /error \[GIT_REVISION_NOT_FOUND\]: revision no-such-branch does not exist/);
  repo.git('branch', '-m', 'main', 'trunk');
  const noDefault = await runFlotilla(['--fleet', repo.dir, 'plan']);
  assert.equal(noDefault.status, 1);
  assert.match(noDefault.stderr, /no origin\/HEAD, main or master branch to compare with/);
  assert.match(noDefault.stderr, /hint: Name the base revision with --base REV/);
});

test('a base without flotilla.yaml (the pull request that adds the fleet) plans everything as added', async () => {
  const repo = fleet();
  repo.git('rm', '-q', '-r', '--cached', '.');
  repo.git('commit', '-q', '-m', 'empty');
  const { status, json } = await planJson(repo.dir, '--base', 'HEAD');
  assert.equal(status, 0);
  assert.equal(json.targets.length, 12);
  assert.ok(json.targets.every((t) => t.selection === 'added'));
});

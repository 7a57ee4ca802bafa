// `flotilla render` driven as a user drives it: the command line, its output, files and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFlotilla } from '../support/git-fleet.js';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../../src/cli/program.js';

const root = new URL('../../', import.meta.url).pathname;
const example = join(root, 'examples/fleet');
const clusters = ['dev-eu-west', 'dev-us-east', 'prod-eu-west', 'prod-us-east', 'staging-eu-west', 'staging-us-east'];

function flotilla(args: string[], cwd = root): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd });
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'flotilla-render-'));
}

// A copy of the example fleet in which prod-eu-west's overlay points at the US cluster's.
function misdirectedFleet(dir: string): string {
  const fleet = join(dir, 'fleet');
  cpSync(example, fleet, { recursive: true });
  writeFileSync(join(fleet, 'clusters/prod-eu-west/kustomization.yaml'), 'resources:\n- ../prod-us-east\n');
  return fleet;
}

test('flotilla render prints every target under a "# cluster/release" header as one YAML stream', () => {
  const result = flotilla(['render'], example);
  assert.equal(result.status, 0, result.stderr);
  const headers = [...result.stdout.matchAll(/^# (\S+)$/gm)].map((m) => m[1]);
  assert.deepEqual(headers, clusters.flatMap((c) => [`${c}/cluster-config`, `${c}/web`]));
  const docs = parseAllDocuments(result.stdout);
  assert.ok(Array.isArray(docs) && docs.every((d) => d.errors.length === 0));
  assert.match(result.stderr, /^rendered 12 of 12 targets in 6 clusters\n$/);
  assert.doesNotMatch(result.stderr, /\r/, 'no progress line when stderr is not a terminal');
});

test('--cluster and --release choose the targets; an unknown name is a usage error listing the known ones', async () => {
  const one = await runFlotilla(['--fleet', example, 'render', '--cluster', 'prod-eu-west', '--release', 'cluster-config']);
  assert.equal(one.status, 0, one.stderr);
  assert.match(one.stdout, /^# prod-eu-west\/cluster-config\n/);
  assert.match(one.stdout, /COMPLIANCE: gdpr/);
  assert.match(one.stdout, /security\.policy\/level: strict/);
  const unknown = await runFlotilla(['--fleet', example, 'render', '--cluster', 'prod-eu-central']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /error \[USAGE\]: --cluster prod-eu-central: the fleet has no such cluster; clusters: dev-eu-west, dev-us-east,/);
});

test('--out DIR writes DIR/<cluster>/<release>.yaml for every target', async () => {
  const dir = scratch();
  try {
    const out = join(dir, 'out');
    const result = await runFlotilla(['--fleet', example, 'render', '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.deepEqual(readdirSync(out).sort(), clusters);
    for (const cluster of clusters) {
      assert.deepEqual(readdirSync(join(out, cluster)).sort(), ['cluster-config.yaml', 'web.yaml']);
    }
    assert.match(readFileSync(join(out, 'dev-us-east/web.yaml'), 'utf8'), /replicas: 1\n/);
    assert.match(readFileSync(join(out, 'prod-us-east/web.yaml'), 'utf8'), /value: us-east-1\n/);
    assert.match(result.stderr, /rendered 12 of 12 targets in 6 clusters, wrote 12 files under /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a target blocked by the identity guard exits 3, names the guard and the object, and the other targets are still written', async () => {
  const dir = scratch();
  try {
    const fleet = misdirectedFleet(dir);
    const out = join(dir, 'out');
    const result = flotilla(['--fleet', fleet, 'render', '--out', out]);
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /blocked \[identity\] prod-eu-west\/cluster-config: ConfigMap\/kube-system\/cluster-identity says CLUSTER_NAME=prod-us-east, but the target cluster is prod-eu-west/);
    assert.match(result.stderr, /blocked \[gdpr-residency\] prod-eu-west\/cluster-config: /);
    assert.match(result.stderr, /rendered 11 of 12 targets in 6 clusters, wrote 11 files under .*; 1 blocked by a guard/);
    assert.equal(existsSync(join(out, 'prod-eu-west/cluster-config.yaml')), false);
    assert.equal(existsSync(join(out, 'prod-eu-west/web.yaml')), true);
    assert.equal(existsSync(join(out, 'prod-us-east/cluster-config.yaml')), true);

    const printed = await runFlotilla(['--fleet', fleet, 'render']);
    assert.equal(printed.status, 3);
    assert.doesNotMatch(printed.stdout, /^# prod-eu-west\/cluster-config$/m, 'a blocked target is not printed');
    assert.match(printed.stdout, /^# prod-eu-west\/web$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--output json reports each target with its status, objects, guard verdicts and errors', async () => {
  const dir = scratch();
  try {
    const fleet = misdirectedFleet(dir);
    const result = await runFlotilla(['--fleet', fleet, '--output', 'json', 'render', '--cluster', 'prod-eu-west']);
    assert.equal(result.status, 3);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(report.summary, { targets: 2, rendered: 1, blocked: 1, failed: 0 });
    const [config, web] = report.targets;
    assert.equal(config.status, 'blocked');
    assert.equal(config.objects, undefined);
    assert.ok(config.guards.some((g: { guard: string; object: string }) => g.guard === 'identity' && g.object === 'ConfigMap/kube-system/cluster-identity'));
    assert.equal(web.status, 'rendered');
    assert.ok(web.objects.some((o: { kind: string }) => o.kind === 'Deployment'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a target that fails to render exits 1 with the error while the others render', async () => {
  const dir = scratch();
  try {
    const fleet = join(dir, 'fleet');
    cpSync(example, fleet, { recursive: true });
    writeFileSync(join(fleet, 'apps/web/base/service.yaml'), readFileSync(join(example, 'apps/web/base/service.yaml'), 'utf8').replace('port: 80', 'port: ${HTTP_PORT}'));
    const result = await runFlotilla(['--fleet', fleet, 'render', '--cluster', 'dev-us-east']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /error \[RENDER_SUBSTITUTION_UNDEFINED\]: dev-us-east\/web: Service\/web\/web: spec\.ports\[0\]\.port: variable HTTP_PORT is not defined and has no default/);
    assert.match(result.stderr, /hint: Define the variable/);
    assert.match(result.stdout, /^# dev-us-east\/cluster-config$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an invalid fleet file reports every problem with file, line and field, and exits 1', async () => {
  const dir = scratch();
  try {
    const fleet = join(dir, 'fleet');
    cpSync(example, fleet, { recursive: true });
    const text = readFileSync(join(fleet, 'flotilla.yaml'), 'utf8').replace('wait: true', 'wait: "yes"').replace('prune: true', 'prun: true');
    writeFileSync(join(fleet, 'flotilla.yaml'), text);
    const result = await runFlotilla(['--fleet', fleet, 'render']);
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /error \[FLEET_INVALID\]: flotilla\.yaml:\d+: spec\.releases\[0\]\.prun: unknown field "prun" \(did you mean "prune"\?\)/);
    assert.match(result.stderr, /error \[FLEET_INVALID\]: flotilla\.yaml:\d+: spec\.releases\[1\]\.wait: must be true or false, not the string "yes"/);
    assert.match(result.stderr, /2 problems\n$/);
    const json = await runFlotilla(['--fleet', fleet, '-o', 'json', 'render']);
    assert.equal(json.status, 1);
    assert.equal(JSON.parse(json.stdout).errors[0].field, 'spec.releases[0].prun');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a progress line goes to stderr only when stderr is a terminal', async () => {
  const run = async (tty: boolean) => {
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: tty });
    let err = '';
    stderr.on('data', (c) => (err += c));
    stdout.resume();
    const code = await runCli(['--fleet', example, 'render', '--release', 'cluster-config'], { stdout, stderr });
    return { code, err };
  };
  const terminal = await run(true);
  assert.equal(terminal.code, 0);
  assert.match(terminal.err, /\r\x1b\[Krendering 6\/6 staging-us-east\/cluster-config/);
  const piped = await run(false);
  assert.doesNotMatch(piped.err, /rendering \d/);
});

test('a release in another repository renders from a local clone at its branch; a remote one fails with FLEET_REPO_UNAVAILABLE and says what to do', async () => {
  const dir = scratch();
  try {
    const git = (cwd: string, ...args: string[]) => {
      const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@flotilla.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@flotilla.invalid' } });
      assert.equal(r.status, 0, r.stderr);
    };
    const apps = join(dir, 'apps');
    mkdirSync(join(apps, 'web'), { recursive: true });
    writeFileSync(join(apps, 'web/kustomization.yaml'), 'resources:\n- note.yaml\n');
    writeFileSync(join(apps, 'web/note.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: note}\ndata: {from: committed}\n');
    git(apps, 'init', '-q', '-b', 'main');
    git(apps, 'add', '-A');
    git(apps, 'commit', '-q', '-m', 'apps');
    // What is only in the working tree is not what Git holds at the branch: it must not be rendered.
    writeFileSync(join(apps, 'web/note.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: note}\ndata: {from: uncommitted}\n');
    const fleet = join(dir, 'fleet');
    cpSync(example, fleet, { recursive: true });
    const file = join(fleet, 'flotilla.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '  releases:\n',
        '  releases:\n  - name: shared\n    path: web\n    repo: {url: ../apps, branch: main}\n    namespace: shared\n    targets: {clusters: [dev-us-east]}\n  - name: remote\n    path: web\n    repo: {url: https://git.example.invalid/apps.git}\n    namespace: remote\n    targets: {clusters: [dev-us-east]}\n',
      ),
    );
    const result = await runFlotilla(['--fleet', fleet, 'render', '--cluster', 'dev-us-east']);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /^# dev-us-east\/shared$/m, result.stderr);
    assert.match(result.stdout, /from: committed/);
    assert.doesNotMatch(result.stdout, /uncommitted/);
    assert.doesNotMatch(result.stdout, /^# dev-us-east\/remote$/m);
    assert.match(result.stderr, /error \[FLEET_REPO_UNAVAILABLE\]: .*https:\/\/git\.example\.invalid\/apps\.git: releases of other repositories are read only from local clones; this one is remote/);
    assert.match(result.stderr, /hint: Clone it and name the clone by path \(relative to the fleet\) or as a file:\/\/ URL/);
    assert.match(result.stdout, /^# dev-us-east\/web$/m, 'the other targets still render');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// `flotilla demo` as a person runs it, as a process with its output piped: it creates the demo
// repository (one commit), six sandbox clusters and the hub with the dashboard, prints the URL and
// the tokens, and its printed things to try work as written: a commit rolls out to the dev wave,
// a live edit is put back. SIGTERM stops it cleanly. Piped, it prints no progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolPath } from '../../scripts/tools.js';
import { demoClusters, demoListening, exampleClusterNames, quiet, startDemoProcess, waitFor } from '../support/demo.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('flotilla demo --dir: a one-commit repository, six clusters, the hub and dashboard; the things to try work as printed; SIGTERM stops it', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-demo-test-'));
  const demo = startDemoProcess(`node --import tsx src/cli/main.ts demo --dir ${dir} --port 0`, root);
  try {
    const { url, admin, operator, viewer } = await demoListening(demo, 40_000);
    const fleet = join(dir, 'fleet');

    assert.equal(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: fleet, encoding: 'utf8' }).trim(), '1');
    assert.equal(execFileSync('git', ['status', '--porcelain'], { cwd: fleet, encoding: 'utf8' }), '');
    assert.equal(execFileSync('git', ['branch', '--show-current'], { cwd: fleet, encoding: 'utf8' }).trim(), 'main');
    assert.equal(statSync(join(dir, 'tokens.yaml')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(dir, 'tokens.yaml'), 'utf8'), new RegExp(`role: operator, token: ${operator}`));
    const kubectl = toolPath('kubectl');
    const contexts = execFileSync(kubectl, ['--kubeconfig', join(dir, 'kubeconfig'), 'config', 'get-contexts', '-o', 'name'], { encoding: 'utf8' }).trim().split('\n').sort();
    assert.deepEqual(contexts, exampleClusterNames);

    assert.equal(demo.stderr(), '', 'piped (and before any denied request is logged), the demo prints no progress and no log lines below warn');
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<!doctype html>/i);
    assert.equal((await fetch(`${url}/api/v1/clusters`)).status, 401);
    assert.deepEqual(await demoClusters(url, viewer, 30_000), exampleClusterNames);
    assert.deepEqual(await demoClusters(url, admin, 1_000), exampleClusterNames);

    // The first revision is synced everywhere before the change, so the change is a rollout.
    await waitFor(
      'the first revision to be synced to all twelve targets',
      async () => {
        const body = (await (await fetch(`${url}/api/v1/targets`, { headers: { authorization: `Bearer ${viewer}` } })).json()) as { targets: Array<{ sync: string }> };
        return body.targets.length === 12 && body.targets.every((t) => t.sync === 'Synced') ? true : undefined;
      },
      30_000,
    );

    const printed = demo.stdout().split('\n');
    // Thing to try 2, as printed (with the test's kubectl): a scaled Deployment is put back. (It runs
    // before the commit: a scale right after a rollout applied the Deployment was seen to stay.)
    const scale = printed.find((l) => / scale deployment web --replicas=5$/.test(l))?.trim() ?? '';
    assert.ok(scale.startsWith(`kubectl --kubeconfig ${join(dir, 'kubeconfig')} --context dev-us-east -n web`), `the demo prints a live edit:\n${demo.stdout()}`);
    execFileSync(kubectl, scale.split(/\s+/).slice(1));
    const replicas = () => quiet(() => execFileSync(kubectl, ['--kubeconfig', join(dir, 'kubeconfig'), '--context', 'dev-us-east', '-n', 'web', 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'], { encoding: 'utf8', stdio: 'pipe' }));
    await waitFor('the hub to put the replicas back', () => (replicas() === '1' ? true : undefined), 20_000, replicas);

    // Thing to try 1, exactly as printed: a commit reaches the dev wave.
    const change = printed.find((l) => l.trim().startsWith(`cd ${fleet} && sed -i`))?.trim();
    assert.ok(change, `the demo prints a change to commit:\n${demo.stdout()}`);
    execFileSync('bash', ['-c', change], { cwd: dir });
    assert.equal(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: fleet, encoding: 'utf8' }).trim(), '2');
    const image = () => quiet(() => execFileSync(kubectl, ['--kubeconfig', join(dir, 'kubeconfig'), '--context', 'dev-us-east', '-n', 'web', 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'], { encoding: 'utf8', stdio: 'pipe' }));
    await waitFor('the commit to reach dev-us-east', () => (image() === 'nginx:1.28' ? true : undefined), 30_000, image);

    // Thing to try 3: the approve command names this hub and a token the hub accepts for writes.
    assert.ok(printed.some((l) => l.trim().endsWith(`rollout approve web --hub ${url} --token ${operator}`)), demo.stdout());

    demo.child.kill('SIGTERM');
    const code = await Promise.race([demo.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
    assert.equal(code, 0, `the demo stops cleanly on SIGTERM\nstderr:\n${demo.stderr()}`);
    await assert.rejects(fetch(`${url}/healthz`), 'the hub no longer listens');
  } finally {
    if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flotilla demo on a machine without git says so and how to install it, and starts nothing', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-demo-nogit-'));
  try {
    // A PATH with node and nothing else: no git.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--dir', join(dir, 'demo'), '--port', '0'], { cwd: root, encoding: 'utf8', env: { PATH: bin, HOME: dir } });
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /GIT_FAILED.*flotilla demo needs git, and there is no git command on this machine/);
    assert.match(run.stderr, /apt-get install git/);
    assert.equal(existsSync(join(dir, 'demo', 'kubeconfig')), false, 'no sandbox was started');
    assert.equal(existsSync(join(dir, 'demo', 'fleet')), false, 'no half repository is left to trip the next start');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

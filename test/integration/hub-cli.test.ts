// `flotilla serve` as a process: it prints `listening on http://HOST:PORT` when ready, a second hub
// on the same data directory stops with HUB_DATA_LOCKED, and SIGTERM shuts it down cleanly (exit 0,
// lock released) with JSON log lines on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitFleet } from '../support/git-fleet.js';
import { startClusters } from '../support/sync-fleet.js';
import { waitForLine } from '../support/process.js';

const root = new URL('../..', import.meta.url).pathname;
const tsx = import.meta.resolve('tsx');

function serveArgs(repo: string, data: string, kubeconfig: string): string[] {
  return ['--import', tsx, join(root, 'src/cli/main.ts'), 'serve', '--repo', repo, '--port', '0', '--data', data, '--log-format', 'json', '--kubeconfig', kubeconfig, '--interval', '1m'];
}

test('flotilla serve prints where it listens, refuses a second hub on its data directory, and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
  const sandbox = await startClusters(['solo']);
  const fleetDir = mkdtempSync(join(tmpdir(), 'flotilla-clifleet-'));
  writeFileSync(join(fleetDir, 'flotilla.yaml'), 'apiVersion: flotilla.dev/v1alpha1\nkind: Fleet\nmetadata: {name: cli}\nspec:\n  releases:\n  - {name: config, path: config, targets: {selector: {}}}\n');
  const work = gitFleet(fleetDir);
  work.write('clusters/solo/cluster.yaml', 'apiVersion: flotilla.dev/v1alpha1\nkind: Cluster\nmetadata: {name: solo, labels: {env: dev}}\nspec:\n  connection: {context: solo}\n');
  work.write('config/kustomization.yaml', 'resources: [cm.yaml]\n');
  work.write('config/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello, namespace: default}\ndata: {a: b}\n');
  work.commit('A cluster and a release');
  const data = join(mkdtempSync(join(tmpdir(), 'flotilla-clidata-')), 'data');
  const child = spawn(process.execPath, serveArgs(work.dir, data, sandbox.kubeconfigPath!), { cwd: work.dir, env: { ...process.env, FLOTILLA_TOKENS: '[{name: ci, role: viewer, token: cli-viewer-token}]' } });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    const line = await waitForLine(child, /^listening on http:\/\/127\.0\.0\.1:(\d+)\n/m, 'the hub');
    const url = line.trim().replace('listening on ', '');
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const targets = async () => (await (await fetch(`${url}/api/v1/targets`, { headers: { authorization: 'Bearer cli-viewer-token' } })).json()) as { targets: { sync: string }[] };
    for (let i = 0; i < 200 && (await targets()).targets[0]?.sync !== 'Synced'; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual((await targets()).targets.map((t) => t.sync), ['Synced']);

    const second = spawnSync(process.execPath, serveArgs(work.dir, data, sandbox.kubeconfigPath!), { encoding: 'utf8', timeout: 30_000 });
    assert.equal(second.status, 1);
    assert.match(second.stderr, /error \[HUB_DATA_LOCKED\]: .*hub\.lock: the data directory is in use by hub process \d+/);

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.equal(existsSync(join(data, 'hub.lock')), false, 'the lock is released');
    const records = stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
    assert.ok(records.some((r) => r.msg === 'fetched a new revision'));
    assert.equal(records.at(-1)!.msg, 'stopped');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await sandbox.stop();
    work.remove();
  }
});

// `flotilla sandbox up` in its own process, used through the files it writes (kubeconfig,
// kubeconfig-viewer, sandbox.json), then stopped by `flotilla sandbox down`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { runCli } from '../../src/cli/program.js';

const root = new URL('../..', import.meta.url).pathname;

function sink(): NodeJS.WritableStream & { text: string } {
  const out = { text: '', write(chunk: string) { out.text += chunk; return true; } };
  return out as unknown as NodeJS.WritableStream & { text: string };
}

test('sandbox up serves the named clusters until sandbox down stops it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-sandbox-cli-'));
  const up = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sandbox', 'up', '--names', 'eu,us', '--dir', dir, '--ready-delay', '50'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  up.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  up.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => up.on('exit', (code) => resolve(code)));
  try {
    for (let i = 0; i < 200 && !stdout.includes('sandbox ready'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(stdout, /^cluster eu https:\/\/127\.0\.0\.1:\d+\ncluster us https:\/\/127\.0\.0\.1:\d+\n/, stderr);
    const state = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as { pid: number; clusters: Array<{ name: string; fingerprint: string }> };
    assert.equal(state.pid, up.pid);
    assert.deepEqual(state.clusters.map((c) => c.name), ['eu', 'us']);

    for (const [file, user] of [['kubeconfig', 'admin'], ['kubeconfig-viewer', 'viewer']] as const) {
      const kc = new KubeConfig();
      kc.loadFromFile(join(dir, file));
      assert.deepEqual(kc.getContexts().map((c) => c.name), ['eu', 'us']);
      assert.equal(kc.getCurrentUser()?.name, `sandbox-${user}`);
      kc.setCurrentContext('us');
      const ns = await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'kube-system' });
      assert.equal(ns.metadata?.uid, state.clusters[1]!.fingerprint);
    }

    const again = sink();
    assert.equal(await runCli(['sandbox', 'up', '--dir', dir], { stdout: again, stderr: again }), 1);
    assert.match(again.text, /a sandbox already runs/);

    const out = sink();
    const err = sink();
    assert.equal(await runCli(['sandbox', 'down', '--dir', dir], { stdout: out, stderr: err }), 0, err.text);
    assert.equal(out.text, `sandbox stopped (pid ${up.pid})\n`);
    assert.equal(await exited, 0);
    assert.match(stdout, /sandbox stopped\n$/);
    assert.equal(existsSync(join(dir, 'sandbox.json')), false);

    const none = sink();
    assert.equal(await runCli(['sandbox', 'down', '--dir', dir], { stdout: none, stderr: none }), 1);
    assert.match(none.text, /SANDBOX_NOT_RUNNING/);
  } finally {
    if (up.exitCode === null) up.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});

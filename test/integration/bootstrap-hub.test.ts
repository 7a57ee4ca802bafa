// Issue 11's promise with the hub running: a seventh cluster bootstrapped (and committed) into the
// example fleet that a hub follows is deployed by the hub's next fetch, with no other command —
// no sync, no webhook, no restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { createHubLogger, HubRuntime } from '../../src/api/index.js';
import { runCli } from '../../src/cli/program.js';
import { copyFleet, exampleClusters, kubectlJson, startClusters } from '../support/sync-fleet.js';

const viewer = 'viewer-token-bootstrap-hub-01';

function sink(): NodeJS.WritableStream & { text: string } {
  const out = { text: '', write(chunk: string) { out.text += chunk; return true; } };
  return out as unknown as NodeJS.WritableStream & { text: string };
}

function git(dir: string, args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
}

async function waitFor<T>(what: string, find: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const found = await find();
      if (found !== undefined && found !== false) return found;
    } catch (error) {
      last = error;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Targets = { targets: { cluster: string; release: string; sync: string; health: string; revision?: string }[] };

test('a seventh cluster bootstrapped into a fleet the hub follows is synced by the hub with no other command', { timeout: 60_000 }, async (t) => {
  const fleet = copyFleet();
  const newCluster = 'dev-ap-south';
  const sandbox = await startClusters([...exampleClusters, newCluster]);
  const data = mkdtempSync(join(tmpdir(), 'flotilla-bootstrap-hub-'));
  let hub: HubRuntime | undefined;
  try {
    git(fleet.dir, ['init', '--quiet', '--initial-branch=main']);
    git(fleet.dir, ['config', 'user.name', 'test']);
    git(fleet.dir, ['config', 'user.email', 'test@example.com']);
    git(fleet.dir, ['add', '.']);
    git(fleet.dir, ['commit', '--quiet', '-m', 'the fleet']);

    hub = await HubRuntime.start({
      repo: pathToFileURL(fleet.dir).href,
      branch: 'main',
      intervalMs: 1000,
      dataDir: join(data, 'hub'),
      port: 0,
      tokensText: `- {name: vera, role: viewer, token: ${viewer}}\n`,
      kubeconfig: { path: sandbox.kubeconfigPath! },
      rolloutStepMs: 50,
      waitIntervalMs: 50,
      logger: createHubLogger({ format: 'json', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
    });
    const running = hub;
    const targets = async (cluster?: string) => {
      const response = await fetch(`${running.url}/api/v1/targets${cluster ? `?cluster=${cluster}` : ''}`, { headers: { authorization: `Bearer ${viewer}` } });
      assert.equal(response.status, 200);
      return ((await response.json()) as Targets).targets;
    };
    const allGood = (list: Targets['targets']) => list.length > 0 && list.every((x) => x.sync === 'Synced' && x.health === 'Healthy');

    const started = Date.now();
    await waitFor('the six clusters to be Synced and Healthy', async () => {
      const list = await targets();
      return allGood(list) && new Set(list.map((x) => x.cluster)).size === exampleClusters.length;
    }, 25_000);
    t.diagnostic(`the hub synced the six clusters in ${Date.now() - started} ms`);
    assert.deepEqual(await targets(newCluster), [], 'the seventh cluster is not in the fleet yet');

    // The one command: bootstrap with --commit, in the repository the hub follows.
    const stdout = sink();
    const stderr = sink();
    const code = await runCli(['bootstrap', newCluster, '--label', 'env=dev', '--label', 'region=ap-south', '--identity', 'REGION=ap-south-1', '--identity', 'ENVIRONMENT=dev', '--context', newCluster, '--commit', '--fleet', fleet.dir, '--kubeconfig', sandbox.kubeconfigPath!], { stdout, stderr });
    assert.equal(code, 0, stderr.text);
    assert.match(stdout.text, /^ {2}releases that select it: cluster-config, web$/m);
    const commit = git(fleet.dir, ['rev-parse', 'HEAD']);

    const booted = Date.now();
    const joined = await waitFor('the hub to sync the seventh cluster', async () => {
      const list = await targets(newCluster);
      return list.length === 2 && allGood(list) ? list : undefined;
    }, 20_000);
    t.diagnostic(`bootstrap commit to the seventh cluster Synced and Healthy in the hub: ${Date.now() - booted} ms`);
    assert.deepEqual(joined.map((x) => [x.release, x.revision]).sort(), [['cluster-config', commit], ['web', commit]]);

    const identity = await kubectlJson(sandbox, newCluster, ['get', 'configmap', 'cluster-identity', '-n', 'kube-system']);
    assert.deepEqual(identity.data, { CLUSTER_NAME: newCluster, ENVIRONMENT: 'dev', REGION: 'ap-south-1' });
    const web = await kubectlJson(sandbox, newCluster, ['get', 'deployment', 'web', '-n', 'web']);
    assert.equal((web.metadata as { labels: Record<string, string> }).labels['flotilla.dev/release'], 'web');
    assert.ok(allGood(await targets()), 'the six others stay Synced and Healthy');
  } finally {
    await hub?.close();
    await sandbox.stop();
    fleet.remove();
    rmSync(data, { recursive: true, force: true });
  }
});

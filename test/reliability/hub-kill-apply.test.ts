// The hub killed with SIGKILL in the middle of an apply (issue 12): `flotilla serve` runs as a real
// child process, is killed while it applies a revision, and is started again on the same data
// directory. It resumes: the half-applied revision is applied whole and nothing is pruned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlJson } from '../support/sync-fleet.js';
import { api, configMap, fleetFiles, fleetRepo, greetings, sandboxFor, spawnHub, tokensFile, waitFor, type ChildHub, type ClusterSpec } from './fixture.js';

async function kill(hub: ChildHub): Promise<void> {
  hub.child.kill('SIGKILL');
  await hub.exited;
}

test('SIGKILL in the middle of an apply: the restarted hub applies the revision whole and prunes nothing', { timeout: 55_000 }, async (t) => {
  const clusters: ClusterSpec[] = [{ name: 'c1', env: 'dev' }];
  const repo = fleetRepo({ clusters, extra: { keep: 'stay' } });
  const sandbox = await sandboxFor(clusters);
  const base = mkdtempSync(join(tmpdir(), 'flotilla-rel-kill-'));
  const kubeconfig = join(base, 'kubeconfig');
  writeFileSync(kubeconfig, sandbox.kubeconfig());
  const args = { repo: repo.bare, data: join(base, 'data'), kubeconfig, tokens: tokensFile(base) };
  let hub = await spawnHub(args);
  try {
    await waitFor('rev 1', async () => (await configMap(sandbox, 'c1', 'web-config'))?.greeting === 'hello', 30_000);
    // Thirty more ConfigMaps, applied one request each, slowly: the kill lands in the middle.
    const many: Record<string, string> = { keep: 'stay' };
    for (let i = 0; i < 30; i++) many[`bulk-${String(i).padStart(2, '0')}`] = `v${i}`;
    const files = fleetFiles({ clusters, extra: many, greeting: 'bonjour' });
    await sandbox.faults('c1').set({ latencyMs: 120 });
    repo.commit(files, 'thirty more');
    const count = async () => ((await kubectlJson(sandbox, 'c1', ['get', 'configmaps', '-n', 'web'])).items ?? []).filter((i) => String((i as { metadata: { name: string } }).metadata.name).startsWith('bulk-')).length;
    const partial = await waitFor('some of the new objects applied', async () => {
      const n = await count();
      return n >= 3 ? n : undefined;
    }, 30_000);
    await kill(hub);
    const atKill = await count();
    assert.ok(atKill < 30, `the kill came mid-apply (${partial} then ${atKill} of 30 applied)`);
    await sandbox.faults('c1').set({ latencyMs: 0 });

    const restarted = Date.now();
    hub = await spawnHub(args);
    await waitFor('all thirty applied after the restart', async () => (await count()) === 30, 30_000);
    await waitFor('the target Synced', async () => ((await api(hub.url, '/api/v1/targets')).json().targets as { sync: string }[]).every((x) => x.sync === 'Synced'));
    assert.equal((await configMap(sandbox, 'c1', 'web-config'))?.greeting, 'bonjour');
    assert.equal((await configMap(sandbox, 'c1', 'keep'))?.greeting, 'stay', 'nothing pruned');
    t.diagnostic(`kill mid-apply: ${atKill}/30 applied at the kill; converged ${Date.now() - restarted} ms after the restart (process start included)`);
  } finally {
    hub.child.kill('SIGKILL');
    await hub.exited;
    await sandbox.stop();
  }
});

// The hub killed with SIGKILL in the middle of a rollout (issue 12): `flotilla serve` runs as a real
// child process, is killed while a wave soaks, and is started again on the same data
// directory. It resumes: the completed wave is not applied again, the rollout goes on from where
// it stood, and nothing is pruned.
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

test('SIGKILL in the middle of a rollout: the restarted hub goes on from the soak, the completed wave is not applied again, and approval finishes it', { timeout: 55_000 }, async (t) => {
  const clusters: ClusterSpec[] = [{ name: 'dev-1', env: 'dev' }, { name: 'prod-1', env: 'prod' }];
  const repo = fleetRepo({ clusters, rollout: { soak: '3s', approval: true, failurePolicy: 'rollback' }, extra: { keep: 'stay' } });
  const sandbox = await sandboxFor(clusters);
  const base = mkdtempSync(join(tmpdir(), 'flotilla-rel-kill-'));
  const kubeconfig = join(base, 'kubeconfig');
  writeFileSync(kubeconfig, sandbox.kubeconfig());
  const args = { repo: repo.bare, data: join(base, 'data'), kubeconfig, tokens: tokensFile(base) };
  let hub = await spawnHub(args);
  try {
    await waitFor('rev 1 everywhere', async () => Object.values(await greetings(sandbox, clusters)).every((g) => g === 'hello'), 30_000);
    const rev2 = repo.commit({ 'apps/web/config.yaml': fleetFiles({ clusters, greeting: 'bonjour' })['apps/web/config.yaml']! }, 'bonjour');
    await waitFor('dev-1 at rev 2 (the dev wave soaks)', async () => (await configMap(sandbox, 'dev-1', 'web-config'))?.greeting === 'bonjour', 30_000);
    const devVersion = (await kubectlJson(sandbox, 'dev-1', ['get', 'configmap', 'web-config', '-n', 'web'])).metadata as { resourceVersion: string };
    const lastEvent = ((await api(hub.url, '/api/v1/events?limit=1000')).json().events as { id: number }[]).reduce((m, e) => Math.max(m, e.id), 0);
    await kill(hub);

    const restarted = Date.now();
    hub = await spawnHub(args);
    const rollout = async () => (await api(hub.url, '/api/v1/rollouts/web')).json().rollout as { phase: string; revision: string; currentWave: number; waves: { name: string }[] };
    await waitFor('the rollout to wait for the prod approval after the restart', async () => {
      const r = await rollout();
      return r?.revision === rev2 && r.currentWave === 1 && r.phase !== 'Completed' ? r : undefined;
    }, 30_000);
    assert.equal((await configMap(sandbox, 'prod-1', 'web-config'))?.greeting, 'hello', 'prod waits for its approval');
    const approved = await api(hub.url, '/api/v1/rollouts/web/approve', undefined, { method: 'POST', body: {}, headers: { authorization: 'Bearer rel-operator-token-2b8e1d' } });
    assert.equal(approved.status, 200, approved.text);
    await waitFor('the rollout to complete', async () => (await rollout()).phase === 'Completed', 30_000);
    assert.deepEqual(await greetings(sandbox, clusters), { 'dev-1': 'bonjour', 'prod-1': 'bonjour' });
    const devAfter = (await kubectlJson(sandbox, 'dev-1', ['get', 'configmap', 'web-config', '-n', 'web'])).metadata as { resourceVersion: string };
    assert.equal(devAfter.resourceVersion, devVersion.resourceVersion, 'the completed dev wave was not applied again');
    const after = ((await api(hub.url, `/api/v1/events?after=${lastEvent}&limit=1000`)).json().events as { type: string; wave?: string; cluster?: string }[]);
    assert.ok(!after.some((e) => e.type === 'RolloutStarted' || (e.type === 'WaveStarted' && e.wave === 'dev')), `no restart from scratch: ${after.map((e) => `${e.type}${e.wave ? ` ${e.wave}` : ''}`).join(', ')}`);
    assert.ok(!after.some((e) => e.type === 'RolledBack' || e.type === 'RolloutHalted'));
    for (const c of clusters) assert.equal((await configMap(sandbox, c.name, 'keep'))?.greeting, 'stay', `${c.name}: nothing pruned`);
    t.diagnostic(`kill mid-rollout: rollout resumed and completed ${Date.now() - restarted} ms after the restart (process start and approval included)`);
  } finally {
    hub.child.kill('SIGKILL');
    await hub.exited;
    await sandbox.stop();
  }
});

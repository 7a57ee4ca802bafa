// Watch and Git faults (issue 12): a cluster's watches cut (the port closes and opens again) and
// drift is still corrected afterwards, within seconds, long before the 10-minute resync; the Git
// remote unreachable (the last good revision stays, the failure is reported, the hub stays ready,
// and the next commit converges once it is back); a force-pushed branch (the hub follows the new
// tip: objects of the abandoned commits are pruned as any removal is, everything the new tip holds stays).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { kubectl } from '../support/sync-fleet.js';
import { api, configMap, fleetFiles, fleetRepo, greetings, sandboxFor, startHub, waitFor, type ClusterSpec } from './fixture.js';

test('a watch that breaks: after the cluster comes back the watches reconnect and a manual edit is corrected in seconds', { timeout: 45_000 }, async (t) => {
  const clusters: ClusterSpec[] = [{ name: 'c1', env: 'dev' }, { name: 'c2', env: 'dev' }];
  const repo = fleetRepo({ clusters });
  const sandbox = await sandboxFor(clusters);
  // The full resync is far away: only a working watch can notice the edit.
  const { hub } = await startHub(repo, sandbox, { resyncMs: 600_000 });
  try {
    await waitFor('rev 1 everywhere', async () => Object.values(await greetings(sandbox, clusters)).every((g) => g === 'hello'));
    // A first edit proves the watch works before the fault.
    await kubectl(sandbox, 'c1', ['patch', 'configmap', 'web-config', '-n', 'web', '--type', 'merge', '-p', '{"data":{"greeting":"tampered"}}']);
    await waitFor('the first edit corrected', async () => (await configMap(sandbox, 'c1', 'web-config'))?.greeting === 'hello');

    await sandbox.faults('c1').set({ down: true });
    await new Promise((r) => setTimeout(r, 1500));
    const back = Date.now();
    await sandbox.faults('c1').set({ down: false });
    // Edit until the correction arrives: an edit made before the watch is back is caught by the
    // resumed watch (from its resourceVersion) or by the re-list; either way within seconds.
    await kubectl(sandbox, 'c1', ['patch', 'configmap', 'web-config', '-n', 'web', '--type', 'merge', '-p', '{"data":{"greeting":"tampered-again"}}']);
    await waitFor('the edit after the break corrected', async () => (await configMap(sandbox, 'c1', 'web-config'))?.greeting === 'hello', 20_000);
    const recovered = Date.now() - back;
    // And a later one too: the watch is really re-established, not a one-off re-list.
    await kubectl(sandbox, 'c1', ['patch', 'configmap', 'web-config', '-n', 'web', '--type', 'merge', '-p', '{"data":{"greeting":"third"}}']);
    await waitFor('a later edit corrected', async () => (await configMap(sandbox, 'c1', 'web-config'))?.greeting === 'hello', 10_000);
    const metrics = (await api(hub.url, '/metrics', undefined)).text;
    const corrected = metrics.split('\n').find((l) => l.startsWith('flotilla_drift_corrected_total{cluster="c1"'));
    assert.ok(corrected && Number(corrected.split(' ').pop()) >= 3, corrected);
    t.diagnostic(`watch break: drift corrected ${recovered} ms after the cluster came back`);
  } finally {
    await hub.close();
    await sandbox.stop();
  }
});

test('the Git remote unreachable: the last good revision stays, the failure is reported, the hub stays ready; it converges once back', { timeout: 45_000 }, async (t) => {
  const clusters: ClusterSpec[] = [{ name: 'c1', env: 'dev' }];
  const repo = fleetRepo({ clusters, extra: { keep: 'stay' } });
  const sandbox = await sandboxFor(clusters);
  const { hub, logs } = await startHub(repo, sandbox);
  try {
    await waitFor('rev 1', async () => (await configMap(sandbox, 'c1', 'web-config'))?.greeting === 'hello');
    const rev1 = (await api(hub.url, '/api/v1/fleet')).json().revision as string;
    const hidden = `${repo.bare}.gone`;
    renameSync(repo.bare, hidden);
    const fleet = await waitFor('the fetch failure reported', async () => {
      const f = (await api(hub.url, '/api/v1/fleet')).json();
      return f.error ? f : undefined;
    });
    assert.equal(fleet.revision, rev1, 'the last good revision stays');
    assert.match(fleet.error.message, /fleet\.git|repository|fetch/i);
    assert.equal((await api(hub.url, '/readyz', undefined)).status, 200, 'a hub that has a revision stays ready');
    assert.ok(logs.some((l) => l.includes('fetch failed; the last good revision stays')));
    // Meanwhile the clusters keep being reconciled at the last good revision: drift is still healed.
    await kubectl(sandbox, 'c1', ['patch', 'configmap', 'web-config', '-n', 'web', '--type', 'merge', '-p', '{"data":{"greeting":"tampered"}}']);
    await waitFor('drift healed at the last good revision while Git is away', async () => (await configMap(sandbox, 'c1', 'web-config'))?.greeting === 'hello');
    assert.equal((await configMap(sandbox, 'c1', 'keep'))?.greeting, 'stay', 'nothing pruned while Git is away');

    renameSync(hidden, repo.bare);
    const back = Date.now();
    const rev2 = repo.commit({ 'apps/web/config.yaml': fleetFiles({ clusters, greeting: 'bonjour' })['apps/web/config.yaml']! }, 'bonjour');
    await waitFor('rev 2 applied', async () => (await configMap(sandbox, 'c1', 'web-config'))?.greeting === 'bonjour');
    const after = (await api(hub.url, '/api/v1/fleet')).json();
    assert.equal(after.revision, rev2);
    assert.equal(after.error, undefined, 'the error is cleared by a good fetch');
    t.diagnostic(`git unreachable: new commit applied ${Date.now() - back} ms after the remote came back`);
  } finally {
    await hub.close();
    await sandbox.stop();
  }
});

test('a force-pushed branch: the hub follows the new tip; what the abandoned commit added is pruned, everything the new tip holds stays', { timeout: 45_000 }, async (t) => {
  const clusters: ClusterSpec[] = [{ name: 'c1', env: 'dev' }];
  const repo = fleetRepo({ clusters, extra: { keep: 'stay' } });
  const sandbox = await sandboxFor(clusters);
  const { hub } = await startHub(repo, sandbox);
  try {
    await waitFor('rev 1', async () => (await configMap(sandbox, 'c1', 'web-config'))?.greeting === 'hello');
    const rev1 = repo.work.git('rev-parse', 'HEAD');
    const withFeature = fleetFiles({ clusters, extra: { keep: 'stay', feature: 'new' } });
    const abandoned = repo.commit({ 'apps/web/kustomization.yaml': withFeature['apps/web/kustomization.yaml']!, 'apps/web/feature.yaml': withFeature['apps/web/feature.yaml']! }, 'feature');
    await waitFor('the feature ConfigMap applied', async () => (await configMap(sandbox, 'c1', 'feature'))?.greeting === 'new');

    // Rewrite history: back to rev 1, a different commit on top, pushed with --force.
    repo.work.git('reset', '--hard', rev1);
    repo.work.write('apps/web/config.yaml', fleetFiles({ clusters, greeting: 'rewritten' })['apps/web/config.yaml']!);
    const rewritten = repo.work.commit('rewritten');
    const pushed = Date.now();
    repo.work.git('push', '--quiet', '--force', 'origin', 'main');
    await waitFor('the new tip applied', async () => (await configMap(sandbox, 'c1', 'web-config'))?.greeting === 'rewritten');
    await waitFor('the abandoned ConfigMap pruned', async () => (await configMap(sandbox, 'c1', 'feature')) === undefined);
    assert.equal((await configMap(sandbox, 'c1', 'keep'))?.greeting, 'stay', 'objects of the new tip are kept');
    assert.equal((await api(hub.url, '/api/v1/fleet')).json().revision, rewritten);
    const target = ((await api(hub.url, '/api/v1/targets')).json().targets as { revision: string; sync: string }[])[0]!;
    assert.deepEqual([target.revision, target.sync], [rewritten, 'Synced']);
    assert.notEqual(target.revision, abandoned);
    t.diagnostic(`force push: new tip applied and the abandoned object pruned ${Date.now() - pushed} ms after the push`);
  } finally {
    await hub.close();
    await sandbox.stop();
  }
});

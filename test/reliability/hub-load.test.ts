// The hub-load benchmark's stream of commits and live edits at CI size: what it proves is that
// nothing is lost (every commit ends up on every target, every edit is put back), not how fast;
// the figures for 200 clusters are in docs/reliability.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configFile, generationOf, loadFleetFiles, tamper } from '../support/load-fleet.js';
import { api, fleetRepo, sandboxFor, startHub, waitFor, type ClusterSpec } from './fixture.js';

const releases = ['r0', 'r1', 'r2', 'r3', 'r4'];

test('under a stream of commits and live edits the hub loses nothing: the last commit is on every target, every edit is put back, every target Synced', { timeout: 180_000 }, async (t) => {
  const clusters: ClusterSpec[] = Array.from({ length: 20 }, (_, i) => ({ name: `c${String(i).padStart(2, '0')}`, env: 'dev' }));
  const generation: Record<string, number> = Object.fromEntries(releases.map((r) => [r, 0]));
  const repo = fleetRepo({ clusters }, loadFleetFiles(clusters.map((c) => c.name), releases, generation));
  const sandbox = await sandboxFor(clusters);
  const { hub } = await startHub(repo, sandbox, { concurrency: 8, requestTimeoutMs: 10_000 });
  t.after(async () => {
    await hub.close();
    await sandbox.stop();
    repo.work.remove();
  });
  const token = sandbox.adminToken;
  const everywhere = (want: (gen: string | undefined, release: string) => boolean) => sandbox.clusters.every((c) => releases.every((r) => want(generationOf(c, token, r), r)));
  await waitFor('the first sync of 20 clusters × 5 releases', () => everywhere((gen) => gen === '0'), 90_000);

  // Ten commits, each changing one release everywhere, with live edits on random clusters in between.
  let edits = 0;
  let head = '';
  for (let seq = 1; seq <= 10; seq++) {
    const release = releases[seq % releases.length]!;
    generation[release] = seq;
    head = repo.commit({ [`apps/${release}/config.yaml`]: configFile(seq) }, `gen ${seq}`);
    for (let k = 0; k < 3; k++) {
      const cluster = sandbox.clusters[Math.floor(Math.random() * sandbox.clusters.length)]!;
      if (tamper(cluster, token, releases[Math.floor(Math.random() * releases.length)]!)) edits++;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.ok(edits >= 20, `the edits were made (${edits})`);

  // Read from the clusters themselves: each release at its last generation, no edit left.
  await waitFor('every release on every cluster at its last generation, with no edit left', () => everywhere((gen, r) => gen === String(generation[r])), 120_000);
  let last: unknown[] = [];
  const views = await waitFor(
    'every target Synced at the last commit in the API',
    async () => {
      const targets = (await api(hub.url, '/api/v1/targets')).json().targets as { cluster: string; release: string; sync: string; revision?: string }[];
      last = targets.filter((v) => v.sync !== 'Synced' || v.revision !== head);
      return targets.length === clusters.length * releases.length && targets.every((v) => v.sync === 'Synced' && v.revision === head) && targets;
    },
    60_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; not there yet: ${JSON.stringify(last.slice(0, 5))}`);
  });
  assert.equal(new Set(views.map((v) => `${v.cluster}/${v.release}`)).size, 100);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlotillaError } from '../../src/core/index.js';
import { createHelmRenderer } from '../../src/source/helm/index.js';
import { gitFleet } from '../support/git-fleet.js';
import { renderRevision } from '../../src/api/revision-render.js';
import { RevisionWorker } from '../../src/api/revision-worker.js';

test('the render worker answers what rendering on the hub thread answers: every target, its objects, and failures as FlotillaErrors', async (t) => {
  const repo = gitFleet();
  const worker = new RevisionWorker({ env: {} });
  t.after(async () => {
    await worker.close();
    repo.remove();
  });
  const good = repo.git('rev-parse', 'HEAD');
  const inThread = renderRevision(repo.dir, good, createHelmRenderer({ env: {} }));
  const viaWorker = await worker.render(repo.dir, good);
  assert.equal(viaWorker.commit, good);
  assert.deepEqual([...viaWorker.targets.keys()].sort(), [...inThread.targets.keys()].sort());
  assert.ok(viaWorker.targets.size >= 6);
  for (const [key, rendered] of inThread.targets) {
    const other = viaWorker.targets.get(key)!;
    assert.equal(other.result.ok, rendered.result.ok, key);
    if (rendered.result.ok && other.result.ok) assert.deepEqual(other.result.value.objects.map((o) => o.object), rendered.result.value.objects.map((o) => o.object), key);
    // A target's cluster is the fleet's record, as the hub's lookups expect.
    assert.equal(other.target.cluster, viaWorker.fleet.clusters.find((c) => c.name === other.target.cluster.name), key);
  }

  // One cluster's overlay names a file that is not there: only that cluster's target fails, with its code and file.
  repo.replace('clusters/dev-eu-west/kustomization.yaml', '- ../../environments/dev', '- ../../environments/dev\n- missing.yaml');
  const broken = await worker.render(repo.dir, repo.commit('a missing file'));
  const failed = [...broken.targets.values()].filter((r) => !r.result.ok);
  assert.deepEqual(failed.map((r) => r.target.key), ['dev-eu-west/cluster-config']);
  const issue = !failed[0]!.result.ok ? failed[0]!.result.issues[0]! : undefined;
  assert.ok(issue instanceof FlotillaError);
  assert.match(issue.code, /^RENDER_/);
  assert.match(issue.message, /missing\.yaml/);

  // A fleet file that does not parse: the render is refused with the file named, and the worker keeps serving.
  repo.write('flotilla.yaml', 'apiVersion: flotilla.dev/v1alpha1\nkind: Fleet\nspec: [unclosed\n');
  const unloadable = repo.commit('a broken fleet file');
  const refused = await worker.render(repo.dir, unloadable).then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(refused instanceof FlotillaError, String(refused));
  assert.equal(refused.file, 'flotilla.yaml');
  assert.equal((await worker.render(repo.dir, good)).targets.size, viaWorker.targets.size);
});

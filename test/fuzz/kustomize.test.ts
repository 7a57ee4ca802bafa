// Fuzzing the kustomize-compatible renderer with generated kustomization trees (test/fuzz/
// kustomize-tree.ts): every tree ends in objects or clear errors, within the time budget, and
// builds the same twice over a shared cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildKustomization, createBuildCache, memoryFs } from '../../src/render/index.js';
import { checkOutcome, fuzzParameters, FuzzStats, measure } from './harness.js';
import { cleanKustomizeTree, describeTree, kustomizeTree } from './kustomize-tree.js';

test('generated kustomization trees build to Kubernetes objects or clear errors, never a crash or a hang', (t) => {
  const stats = new FuzzStats('kustomization trees');
  fc.assert(
    fc.property(kustomizeTree, fc.boolean(), (tree, withRoot) => {
      const fs = memoryFs(tree.files);
      const outcome = measure(stats, () => describeTree(tree), () => buildKustomization(tree.dir, { fs, ...(withRoot ? { root: tree.root } : {}) }));
      checkOutcome(stats, outcome);
    }),
    fuzzParameters(400, ([tree]) => describeTree(tree)),
  );
  stats.report(t);
});

test('plausible kustomization trees get through every transformer to Kubernetes objects or clear errors', (t) => {
  const stats = new FuzzStats('plausible kustomization trees');
  fc.assert(
    fc.property(cleanKustomizeTree, (tree) => {
      const fs = memoryFs(tree.files);
      checkOutcome(stats, measure(stats, () => describeTree(tree), () => buildKustomization(tree.dir, { fs, root: tree.root })));
    }),
    fuzzParameters(300, ([tree]) => describeTree(tree)),
  );
  stats.report(t);
});

test('a generated tree builds the same twice over one shared cache', (t) => {
  const stats = new FuzzStats('kustomization trees, cached twice');
  fc.assert(
    fc.property(kustomizeTree, (tree) => {
      const fs = memoryFs(tree.files);
      const cache = createBuildCache();
      const first = measure(stats, () => describeTree(tree), () => buildKustomization(tree.dir, { fs, cache, root: tree.root }));
      const second = measure(stats, () => describeTree(tree), () => buildKustomization(tree.dir, { fs, cache, root: tree.root }));
      checkOutcome(stats, first);
      checkOutcome(stats, second);
      const view = (r: typeof first.result) => (r.ok ? r.value.objects.map((o) => o.object) : r.issues.map((i) => `${i.code} ${i.message}`));
      assert.deepEqual(view(second.result), view(first.result));
    }),
    fuzzParameters(100, ([tree]) => describeTree(tree)),
  );
  stats.report(t);
});

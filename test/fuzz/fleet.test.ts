// Fuzzing the fleet model with generated fleet repositories (test/fuzz/fleet-tree.ts): loading
// the fleet file and cluster records, choosing targets and rendering each (kustomize build,
// namespace defaulting, substitution) ends in objects or clear errors, never a crash or a hang.
import { test } from 'node:test';
import fc from 'fast-check';
import { ok } from '../../src/core/index.js';
import { loadFleet, renderFleet } from '../../src/fleet/index.js';
import { memoryFs, releaseRenderer } from '../../src/render/index.js';
import { checkIssues, checkOutcome, fuzzParameters, FuzzStats, measure } from './harness.js';
import { describeFleet, fleetTree } from './fleet-tree.js';

test('generated fleet repositories load and render to Kubernetes objects or clear errors, never a crash or a hang', (t) => {
  const fleets = new FuzzStats('fleet repositories (load)', 'targets');
  const targets = new FuzzStats('fleet targets (render)');
  fc.assert(
    fc.property(fleetTree, (tree) => {
      const fs = memoryFs(tree.files);
      const outcome = measure(fleets, () => describeFleet(tree), () => {
        const loaded = loadFleet(fs, tree.root);
        if (!loaded.ok) return loaded;
        return ok(renderFleet(loaded.value, { fs, root: tree.root, renderer: releaseRenderer, cache: releaseRenderer.createCache() }));
      });
      if (!outcome.result.ok) checkIssues(outcome.result.issues);
      fleets.count(outcome.result, outcome.ms, outcome.result.ok ? outcome.result.value.length : 0);
      if (!outcome.result.ok) return;
      const each = outcome.ms / Math.max(1, outcome.result.value.length);
      for (const { result } of outcome.result.value) checkOutcome(targets, { result, ms: each });
    }),
    fuzzParameters(120, ([tree]) => describeFleet(tree)),
  );
  targets.maxHeap = fleets.maxHeap;
  fleets.report(t);
  targets.report(t);
});

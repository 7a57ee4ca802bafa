// Fuzzing every file a render reads with raw contents (test/fuzz/raw-input.ts): random bytes,
// invalid UTF-8, NUL, byte order marks, UTF-16, odd line ends, deep nesting and alias chains in a
// kustomization, a resource, a patch (file and inline), the fleet file, a cluster record and a
// Helm values file. Each ends in objects or clear errors, never a crash or a hang.
import { test } from 'node:test';
import fc from 'fast-check';
import { ok } from '../../src/core/index.js';
import { loadFleet, renderFleet } from '../../src/fleet/index.js';
import { buildKustomization, memoryFs, releaseRenderer } from '../../src/render/index.js';
import { helmReleaseRenderer, type HelmRenderer } from '../../src/render/helm/index.js';
import { checkIssues, checkOutcome, fuzzParameters, FuzzStats, measure } from './harness.js';
import { fleetRoot } from './fleet-tree.js';
import { abbreviate } from './kustomize-tree.js';
import { entryPoint, fleetBase, inlinePatchKustomization, kustomizeBase, rawContent, type EntryPoint } from './raw-input.js';

// A stand-in for the helm binary: the values files are what is fuzzed here, not the chart.
const helm: HelmRenderer = {
  loadChart: () => ok({ name: 'web', version: '1.0.0', digest: 'sha256:00', origin: 'charts/web', defaultValues: 'replicas: 1\n', handle: 'web', notes: [] }),
  template: (_chart, request) => ok(`---\n# Source: web/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  keys: "${Object.keys(request.values).length}"\n`),
};

function describe(entry: EntryPoint, content: Uint8Array): string {
  return abbreviate(`${entry}: ${Buffer.from(content).toString('hex').slice(0, 4000)}\n${Buffer.from(content).toString('utf8')}`);
}

test('raw contents in every file a render reads end in objects or clear errors, never a crash or a hang', (t) => {
  const stats = new FuzzStats('raw file contents');
  fc.assert(
    fc.property(entryPoint, rawContent, (entry, content) => {
      const label = () => describe(entry, content);
      if (entry === 'fleet' || entry === 'cluster') {
        const tree = fleetBase();
        tree.files[`${fleetRoot}/${entry === 'fleet' ? 'flotilla.yaml' : 'clusters/dev-eu-west/cluster.yaml'}`] = content;
        const fs = memoryFs(tree.files);
        const outcome = measure(stats, label, () => {
          const loaded = loadFleet(fs, fleetRoot);
          if (!loaded.ok) return loaded;
          return ok(renderFleet(loaded.value, { fs, root: fleetRoot, renderer: releaseRenderer }));
        });
        if (!outcome.result.ok) {
          checkIssues(outcome.result.issues);
          stats.count(outcome.result, outcome.ms);
          return;
        }
        for (const { result } of outcome.result.value) checkOutcome(stats, { result, ms: outcome.ms });
        return;
      }
      if (entry === 'values') {
        const fs = memoryFs({ '/repo/charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n', '/repo/values/v.yaml': content });
        const target = { key: 'c/web', release: { name: 'web', index: 0 }, cluster: { name: 'c', file: 'clusters/c/cluster.yaml' }, helm: { chart: 'charts/web', valuesFiles: ['values/v.yaml'] } };
        checkOutcome(stats, measure(stats, label, () => helmReleaseRenderer(helm).render(target, { fs, root: '/repo' })));
        return;
      }
      const tree = kustomizeBase();
      if (entry === 'kustomization') tree.files['/repo/app/kustomization.yaml'] = content;
      if (entry === 'resource') tree.files['/repo/app/cm.yaml'] = content;
      if (entry === 'patch') tree.files['/repo/app/patch.yaml'] = content;
      if (entry === 'inline-patch') tree.files['/repo/app/kustomization.yaml'] = inlinePatchKustomization(content);
      const fs = memoryFs(tree.files);
      checkOutcome(stats, measure(stats, label, () => buildKustomization(tree.dir, { fs, root: tree.root })));
    }),
    fuzzParameters(400, ([entry, content]) => describe(entry, content)),
  );
  stats.report(t);
});

// A Helm release synced to sandbox clusters through `flotilla sync`, as any other release: applied
// with the release label (CRDs included, hooks not), waited for until healthy, and pruned when the
// values stop rendering an object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolPath } from '../../scripts/tools.js';
import { copyFleet, kubectlJson, startClusters } from '../support/sync-fleet.js';
import { runFlotilla } from '../support/git-fleet.js';

const fixture = new URL('./testdata/helm-fleet', import.meta.url).pathname;
const helm = toolPath('helm');

interface Item {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { replicas?: number };
}

test('flotilla sync applies a Helm release per cluster with its values, and prunes what the values turn off', async () => {
  const fleet = copyFleet(fixture);
  const sandbox = await startClusters(['dev-a', 'prod-a', 'prod-b']);
  process.env.FLOTILLA_HELM_CACHE = join(fleet.dir, '.helm-cache');
  try {
    // The web release after a kustomize release that creates its namespace (charts, like helm
    // install, do not); the broken chart is tested in helm-render.test.ts.
    const fleetFile = join(fleet.dir, 'flotilla.yaml');
    const releases = readFileSync(fleetFile, 'utf8')
      .replace(/  - name: broken[\s\S]*$/, '')
      .replace('  releases:\n', '  releases:\n  - name: namespaces\n    path: namespaces\n    targets: {selector: {}}\n')
      .replace('    namespace: web\n', '    namespace: web\n    dependsOn: [namespaces]\n    wait: true\n    timeout: 30s\n');
    writeFileSync(fleetFile, releases);
    mkdirSync(join(fleet.dir, 'namespaces'));
    writeFileSync(join(fleet.dir, 'namespaces/kustomization.yaml'), 'resources: [web.yaml]\n');
    writeFileSync(join(fleet.dir, 'namespaces/web.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n');
    const sync = () => runFlotilla(['sync', '--fleet', fleet.dir, '--kubeconfig', sandbox.kubeconfigPath!, '--helm', helm, '-o', 'json']);
    const first = await sync();
    assert.equal(first.status, 0, first.stderr + first.stdout);
    const json = JSON.parse(first.stdout) as { targets: { cluster: string; release: string; sync: string }[] };
    assert.deepEqual(
      json.targets.filter((t) => t.release === 'web').map((t) => `${t.cluster}/${t.release}:${t.sync}`),
      ['dev-a/web:Synced', 'prod-a/web:Synced', 'prod-b/web:Synced'],
    );

    const get = async (cluster: string, kind: string, namespace?: string) =>
      ((await kubectlJson(sandbox, cluster, ['get', kind, ...(namespace ? ['-n', namespace] : [])])).items as Item[]);
    const deployments = await Promise.all(['dev-a', 'prod-a', 'prod-b'].map((c) => get(c, 'deployments', 'web')));
    assert.deepEqual(deployments.map((items) => items.map((d) => [d.metadata.name, d.spec?.replicas, d.metadata.labels?.['flotilla.dev/release']])), [
      [['web-web', 1, 'web']],
      [['web-web', 3, 'web']],
      [['web-web', 5, 'web']],
    ]);
    assert.ok((await get('prod-a', 'customresourcedefinitions')).some((c) => c.metadata.name === 'widgets.web.example.com'));
    assert.deepEqual((await get('prod-a', 'jobs', 'web')).map((j) => j.metadata.name), []);
    assert.deepEqual((await get('prod-a', 'configmaps', 'web')).map((c) => c.metadata.name).filter((n) => n.startsWith('web-')).sort(), ['web-cache', 'web-web-config']);

    // Production turns the cache dependency off: its ConfigMap is pruned there, nowhere else changes.
    const production = join(fleet.dir, 'values/production.yaml');
    writeFileSync(production, readFileSync(production, 'utf8').replace('cache:\n  size: large\n', 'cache:\n  enabled: false\n'));
    const second = await sync();
    assert.equal(second.status, 0, second.stderr + second.stdout);
    for (const cluster of ['prod-a', 'prod-b']) {
      assert.deepEqual((await get(cluster, 'configmaps', 'web')).map((c) => c.metadata.name).filter((n) => n.startsWith('web-')), ['web-web-config'], cluster);
    }
    assert.equal((await get('prod-b', 'deployments', 'web'))[0]?.spec?.replicas, 5);
  } finally {
    await sandbox.stop();
    fleet.remove();
  }
});

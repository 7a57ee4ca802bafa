import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs } from '../render/kustomize/memory-fs.js';
import { releaseRenderer } from '../render/index.js';
import { loadFleet } from './load.js';
import { renderFleet, renderTarget } from './render.js';
import { selectTargets } from './targets.js';
import type { Fleet } from './types.js';

const fleetYaml = `apiVersion: flotilla.dev/v1alpha1
kind: Fleet
metadata: {name: t}
spec:
  releases:
  - name: app
    path: apps/{{cluster.labels.env}}
    namespace: web
    substitute: {LOG_LEVEL: "{{cluster.labels.env}}-debug"}
    targets: {selector: {}}
  - name: chart
    helm: {chart: charts/app}
    targets: {clusters: [a]}
  - name: other-repo
    path: config
    repo: {url: "https://git.example.com/{{cluster.name}}.git", branch: main}
    targets: {clusters: [a]}
`;

const cluster = (name: string, env: string) => `apiVersion: flotilla.dev/v1alpha1\nkind: Cluster\nmetadata: {name: ${name}, labels: {env: ${env}}}\nspec: {identity: {REGION: r-${name}}}\n`;

const files: Record<string, string> = {
  '/repo/flotilla.yaml': fleetYaml,
  '/repo/clusters/a/cluster.yaml': cluster('a', 'prod'),
  '/repo/clusters/b/cluster.yaml': cluster('b', 'prod'),
  '/repo/clusters/c/cluster.yaml': cluster('c', 'broken'),
  '/repo/clusters/d/cluster.yaml': cluster('d', 'missing'),
  '/repo/base/kustomization.yaml': 'resources: [app.yaml, crd.yaml]\n',
  '/repo/base/app.yaml': [
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {LOG_LEVEL: "${LOG_LEVEL}", REGION: "${REGION}", CLUSTER: "${CLUSTER_NAME}"}',
    'apiVersion: v1\nkind: Namespace\nmetadata: {name: web}',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: []',
    'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}',
    'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: pinned, namespace: other}',
  ].join('\n---\n') + '\n',
  '/repo/base/crd.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec: {group: example.com, scope: Cluster, names: {kind: Widget, plural: widgets}, versions: []}\n',
  '/repo/apps/prod/kustomization.yaml': 'resources: [../../base]\n',
  '/repo/apps/broken/kustomization.yaml': 'resources: [../../base, extra.yaml]\n',
  '/repo/apps/broken/extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {X: "${UNDEFINED_VAR}"}\n',
};

const fs = memoryFs(files);

function fleet(): Fleet {
  const result = loadFleet(fs, '/repo');
  assert.ok(result.ok, result.ok ? '' : result.issues.map((i) => i.message).join('\n'));
  return result.value;
}

test('renderTarget builds the expanded path, defaults the namespace of namespaced objects and substitutes variables', () => {
  const f = fleet();
  const [target] = selectTargets(f, { cluster: 'a', release: 'app' });
  const result = renderTarget(target!, { fs, root: '/repo', renderer: releaseRenderer }, f);
  assert.ok(result.ok, result.ok ? '' : result.issues.map((i) => i.message).join('\n'));
  const byName = Object.fromEntries(result.value.objects.map((o) => [`${o.object.kind}/${o.object.metadata.name}`, o]));
  assert.equal(byName['ConfigMap/settings']!.object.metadata.namespace, 'web');
  assert.deepEqual(byName['ConfigMap/settings']!.object.data, { LOG_LEVEL: 'prod-debug', REGION: 'r-a', CLUSTER: 'a' });
  assert.equal(byName['Namespace/web']!.object.metadata.namespace, undefined, 'cluster-scoped kinds get no namespace');
  assert.equal(byName['ClusterRole/reader']!.object.metadata.namespace, undefined);
  assert.equal(byName['Widget/w']!.object.metadata.namespace, undefined, 'the CRD in the render says Widget is cluster-scoped');
  assert.equal(byName['Gadget/g']!.object.metadata.namespace, 'web', 'undeclared custom kinds are taken as namespaced');
  assert.equal(byName['ConfigMap/pinned']!.object.metadata.namespace, 'other', 'an explicit namespace is kept');
  const provenance = byName['ConfigMap/settings']!.provenance;
  assert.deepEqual(provenance.get('/metadata/namespace'), { file: 'flotilla.yaml', layer: 'transformer', step: 'spec.releases[0].namespace' });
  assert.deepEqual(provenance.get('/data/REGION'), { file: 'clusters/a/cluster.yaml', layer: 'substitution', step: '${REGION} from spec.identity.REGION' });
  assert.deepEqual(provenance.get('/data/LOG_LEVEL'), { file: 'flotilla.yaml', layer: 'substitution', step: '${LOG_LEVEL} from spec.releases[0].substitute.LOG_LEVEL' });
  assert.equal(provenance.get('/data/CLUSTER')!.step, '${CLUSTER_NAME} from metadata.name');
  assert.equal(byName['ClusterRole/reader']!.provenance.get('')!.file, 'base/app.yaml', 'files are named relative to the repository');
});

test('renderFleet renders every target with one cache; failures stay with their target and name cluster and release', () => {
  const f = fleet();
  const cache = releaseRenderer.createCache();
  const progress: string[] = [];
  const results = renderFleet(f, { fs, root: '/repo', renderer: releaseRenderer, cache, onProgress: (done, total, t) => progress.push(`${done}/${total} ${t.key}`) });
  assert.deepEqual(results.map((r) => r.target.key), ['a/app', 'a/chart', 'a/other-repo', 'b/app', 'c/app', 'd/app']);
  assert.deepEqual(progress, ['1/6 a/app', '2/6 a/chart', '3/6 a/other-repo', '4/6 b/app', '5/6 c/app', '6/6 d/app']);
  const outcome = Object.fromEntries(results.map((r) => [r.target.key, r.result.ok ? 'ok' : r.result.issues.map((i) => i.code).join(',')]));
  assert.deepEqual(outcome, {
    'a/app': 'ok',
    'a/chart': 'RENDER_UNSUPPORTED',
    'a/other-repo': 'FLEET_REPO_UNAVAILABLE',
    'b/app': 'ok',
    'c/app': 'RENDER_SUBSTITUTION_UNDEFINED',
    'd/app': 'FLEET_RELEASE_PATH_NOT_FOUND',
  });
  const message = (key: string) => {
    const r = results.find((x) => x.target.key === key)!.result;
    return r.ok ? '' : r.issues[0]!.message;
  };
  assert.match(message('a/chart'), /^flotilla\.yaml: spec\.releases\[1\]\.helm: release chart: Helm releases are not rendered yet \(for cluster a\)$/);
  assert.match(message('a/other-repo'), /release other-repo lives in https:\/\/git\.example\.com\/a\.git \(branch main\), which this command does not fetch/);
  assert.match(message('c/app'), /^c\/app: ConfigMap\/web\/extra: data\.X: variable UNDEFINED_VAR is not defined/);
  assert.match(message('d/app'), /spec\.releases\[0\]\.path: release app: apps\/missing does not exist \(for cluster d\)/);
  assert.ok(cache.stats.directoryHits > 0, 'the shared base is built once and reused');
});

test('a release in another repository renders from the checkout resolveRepo gives', () => {
  const f = fleet();
  const [target] = selectTargets(f, { cluster: 'a', release: 'other-repo' });
  const other = memoryFs({ '/checkouts/a/config/kustomization.yaml': 'resources: [cm.yaml]\n', '/checkouts/a/config/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-other-repo}\n' });
  const seen: string[] = [];
  const result = renderTarget(target!, {
    fs,
    root: '/repo',
    renderer: releaseRenderer,
    resolveRepo: (repo) => {
      seen.push(`${repo.url}#${repo.branch}`);
      return { ok: true, value: { fs: other, root: '/checkouts/a' } };
    },
  });
  assert.deepEqual(seen, ['https://git.example.com/a.git#main']);
  assert.ok(result.ok);
  assert.deepEqual(result.value.objects.map((o) => o.object.metadata.name), ['from-other-repo']);
});

test('a release path that reaches outside the repository through a symbolic link is refused', () => {
  const linked = memoryFs({ ...files, '/repo/apps/prod': { symlink: '/elsewhere/app' }, '/elsewhere/app/kustomization.yaml': 'resources: []\n' } as Record<string, string | { symlink: string }>);
  const loaded = loadFleet(linked, '/repo');
  assert.ok(loaded.ok);
  const [target] = selectTargets(loaded.value, { cluster: 'a', release: 'app' });
  const result = renderTarget(target!, { fs: linked, root: '/repo', renderer: releaseRenderer }, loaded.value);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.issues[0]!.code, 'FLEET_PATH_OUTSIDE_REPOSITORY');
});

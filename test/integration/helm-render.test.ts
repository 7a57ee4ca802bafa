// Helm releases with a chart in the fleet repository, rendered per cluster through the real
// helm 4 (toolPath) and compared with `helm template` run by hand with the same values.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from '../../scripts/tools.js';
import { loadFleet, renderFleet, selectTargets, type TargetRenderResult } from '../../src/fleet/index.js';
import { releaseRenderer } from '../../src/render/index.js';
import { parseHelmYaml } from '../../src/render/helm/index.js';
import { createHelmRenderer } from '../../src/source/helm/index.js';
import { localFs } from '../../src/source/index.js';
import { gitFleet, runFlotilla, type GitFleet } from '../support/git-fleet.js';

const fixture = new URL('./testdata/helm-fleet', import.meta.url).pathname;
const helm = toolPath('helm');
const scratch = mkdtempSync(join(tmpdir(), 'flotilla-helm-render-'));
const cacheDir = join(scratch, 'cache');
// The CLI runs in-process and reads its chart cache from here.
process.env.FLOTILLA_HELM_CACHE = cacheDir;
const repos: GitFleet[] = [];
after(() => {
  repos.forEach((r) => r.remove());
  rmSync(scratch, { recursive: true, force: true });
});
function fleetRepo(): GitFleet {
  const repo = gitFleet(fixture);
  repos.push(repo);
  return repo;
}

function renderRelease(root: string, release: string, traceValues = false): TargetRenderResult[] {
  const loaded = loadFleet(localFs, root);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.issues.map((i) => i.message).join('\n'));
  return renderFleet(loaded.value, {
    fs: localFs,
    root,
    renderer: releaseRenderer,
    targets: selectTargets(loaded.value, { release }),
    helm: createHelmRenderer({ helm, cacheDir, traceValues }),
  });
}

function helmByHand(args: string[]): unknown[] {
  const out = execFileSync(helm, ['template', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: scratch } });
  const parsed = parseHelmYaml(out, 'helm template');
  assert.ok(parsed.ok);
  return parsed.value.map((d) => d.value);
}

const kubeVersions: Record<string, string> = { 'dev-a': '1.30.0', 'prod-a': 'v1.31.2', 'prod-b': '1.32' };

test('a chart in the repository renders per cluster exactly as helm template does by hand with the same values files', () => {
  const results = renderRelease(fixture, 'web');
  assert.deepEqual(results.map((r) => r.target.key), ['dev-a/web', 'prod-a/web', 'prod-b/web']);
  for (const { target, result } of results) {
    assert.ok(result.ok, result.ok ? '' : result.issues.map((i) => i.message).join('\n'));
    const cluster = target.cluster.name;
    const env = target.cluster.labels.env!;
    const release = join(scratch, `${cluster}-release-values.yaml`);
    writeFileSync(release, `config:\n  clusterName: ${cluster}\n`);
    const files = ['values/common.yaml', `values/${env}.yaml`, `values/clusters/${cluster}.yaml`].filter((f) => existsSync(join(fixture, f)));
    const expected = helmByHand([
      'web',
      join(fixture, 'charts/web'),
      '--namespace',
      'web',
      '--include-crds',
      '--no-hooks',
      '--kube-version',
      kubeVersions[cluster]!,
      ...files.flatMap((f) => ['-f', join(fixture, f)]),
      '-f',
      release,
    ]);
    assert.deepEqual(
      result.value.objects.map((o) => o.object),
      expected,
      cluster,
    );
  }
  const byCluster = Object.fromEntries(results.map((r) => [r.target.cluster.name, r.result.ok ? r.result.value.objects.map((o) => o.object) : []]));
  const find = (cluster: string, kind: string, name: string) => byCluster[cluster]!.find((o) => o.kind === kind && o.metadata.name === name) as Record<string, any> | undefined;
  // The values differ per cluster: environment files, a cluster's own optional file, templated release values.
  assert.deepEqual(['dev-a', 'prod-a', 'prod-b'].map((c) => find(c, 'Deployment', 'web-web')!.spec.replicas), [1, 3, 5]);
  assert.deepEqual(['dev-a', 'prod-a', 'prod-b'].map((c) => find(c, 'ConfigMap', 'web-web-config')!.data.clusterName), ['dev-a', 'prod-a', 'prod-b']);
  // `enabled: no` (YAML 1.1, as helm reads it) turns the cache dependency off in dev; production sets its size.
  assert.equal(find('dev-a', 'ConfigMap', 'web-cache'), undefined);
  assert.deepEqual(find('prod-a', 'ConfigMap', 'web-cache')!.data, { size: 'large', memory: '64Mi' });
  // A null in a values file deletes the chart default; lists are replaced, not merged.
  assert.deepEqual(find('prod-a', 'ConfigMap', 'web-web-config')!.data, { logLevel: 'info', featureFlags: 'search,checkout', 'start.sh': 'exec web --log-level "${LOG_LEVEL}" --home "${HOME:-/srv}"', clusterName: 'prod-a' });
  assert.equal(find('dev-a', 'ConfigMap', 'web-web-config')!.data.debug, 'false');
  // The cluster record's kubernetesVersion reaches the chart; CRDs from crds/ are included.
  assert.equal(find('prod-a', 'Deployment', 'web-web')!.metadata.annotations['web.example.com/kube-version'], 'v1.31.2');
  assert.ok(find('dev-a', 'CustomResourceDefinition', 'widgets.web.example.com'));
});

test('the merge equals one merged values file written by hand', () => {
  const [prodB] = renderRelease(fixture, 'web').filter((r) => r.target.cluster.name === 'prod-b');
  assert.ok(prodB?.result.ok);
  const merged = join(scratch, 'prod-b-merged.yaml');
  writeFileSync(
    merged,
    [
      'replicaCount: 5',
      'image: {tag: "1.27.3"}',
      'podAnnotations: {team: platform, region: us-east}',
      'config: {debug: null, featureFlags: [search, checkout], clusterName: prod-b}',
      'cache: {size: large}',
      '',
    ].join('\n'),
  );
  const expected = helmByHand(['web', join(fixture, 'charts/web'), '--namespace', 'web', '--include-crds', '--no-hooks', '--kube-version', '1.32', '-f', merged]);
  assert.deepEqual(
    prodB.result.value.objects.map((o) => o.object),
    expected,
  );
});

test('render: hooks are skipped with a note, and a chart that fails blocks only its own target with helm\'s message', async () => {
  const run = await runFlotilla(['--fleet', fixture, 'render', '--helm', helm]);
  assert.equal(run.status, 1);
  assert.deepEqual(
    run.stdout.split('\n').filter((l) => l.startsWith('# ')),
    ['# dev-a/web', '# prod-a/web', '# prod-b/web'],
  );
  assert.match(run.stderr, /note: prod-b\/web: skipped 2 Helm hooks of chart web 1\.0\.0, which Flotilla does not run: Pod\/web\/web-web-test \[test\], Job\/web\/web-web-migrate \[pre-install,pre-upgrade\]/);
  assert.match(
    run.stderr,
    /error \[HELM_TEMPLATE_FAILED\]: prod-b\/broken: helm template of chart broken 0\.1\.0 \(charts\/broken\) failed: execution error at \(broken\/templates\/configmap\.yaml:6:12\): values\.owner is required: name the team that owns this release\n/,
  );
  assert.doesNotMatch(run.stdout, /kind: Job|helm\.sh\/hook/);
  assert.match(run.stderr, /rendered 3 of 4 targets in 3 clusters; 1 failed/);
});

test('a missing values file is an error for that cluster unless it is optional', async () => {
  const repo = fleetRepo();
  repo.replace('flotilla.yaml', '      optionalValuesFiles:\n      - values/clusters/{{cluster.name}}.yaml\n', '');
  const run = await runFlotilla(['--fleet', repo.dir, 'render', '--release', 'web', '--output', 'json', '--helm', helm]);
  assert.equal(run.status, 1);
  const json = JSON.parse(run.stdout) as { targets: { cluster: string; status: string; errors: { code: string; message: string; field?: string }[] }[] };
  assert.deepEqual(json.targets.map((t) => `${t.cluster}:${t.status}`), ['dev-a:failed', 'prod-a:failed', 'prod-b:rendered']);
  assert.equal(json.targets[0]!.errors[0]!.code, 'HELM_VALUES_NOT_FOUND');
  assert.equal(json.targets[0]!.errors[0]!.field, 'spec.releases[0].helm.valuesFiles[2]');
  assert.match(json.targets[0]!.errors[0]!.message, /^dev-a\/web: flotilla\.yaml: spec\.releases\[0\]\.helm\.valuesFiles\[2\]: the values file values\/clusters\/dev-a\.yaml does not exist$/);
});

test('without helm, a Helm release fails with HELM_NOT_FOUND saying how to get helm', async () => {
  const run = await runFlotilla(['--fleet', fixture, 'render', '--release', 'web', '--cluster', 'dev-a', '--helm', join(scratch, 'no-such-helm')]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /error \[HELM_NOT_FOUND\]: dev-a\/web: Helm releases are rendered with helm, and ".*no-such-helm" was not found\n  hint: Helm releases need the helm command: install helm 3 or 4 \(https:\/\/helm\.sh\/docs\/intro\/install\/\), or give its path with --helm PATH or FLOTILLA_HELM\./);
});

test('explain names the values file that set each field, and the chart template for the rest', async () => {
  const run = await runFlotilla(['--fleet', fixture, 'explain', '--cluster', 'prod-b', 'Deployment/web/web-web', '--output', 'json', '--helm', helm]);
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { release: string; fields: { path: string; value: unknown; file: string; layer: string; step: string }[] };
  assert.equal(json.release, 'web');
  const field = (path: string) => json.fields.find((f) => f.path === path)!;
  assert.deepEqual(field('spec.replicas'), { path: 'spec.replicas', pointer: '/spec/replicas', role: 'field', value: 5, file: 'values/clusters/prod-b.yaml', layer: 'values', step: 'replicaCount' });
  assert.deepEqual(
    [field('spec.template.spec.containers[0].image').file, field('spec.template.spec.containers[0].image').step],
    ['values/common.yaml', 'image.tag (with image.repository from charts/web/values.yaml)'],
  );
  assert.deepEqual([field('spec.template.metadata.annotations.region').file, field('spec.template.metadata.annotations.team').file], ['values/clusters/prod-b.yaml', 'values/common.yaml']);
  assert.deepEqual([field('spec.template.spec.containers[0].env[0].value').file, field('spec.template.spec.containers[0].env[0].value').step], ['charts/web/values.yaml', 'config.logLevel']);
  assert.deepEqual([field('metadata.name').file, field('metadata.name').layer], ['charts/web/templates/deployment.yaml', 'resource']);
  const configMap = await runFlotilla(['--fleet', fixture, 'explain', '--cluster', 'prod-b', 'ConfigMap/web/web-web-config', '--field', 'data.clusterName', '--output', 'json', '--helm', helm]);
  const cm = JSON.parse(configMap.stdout) as { fields: { role: string; file: string; layer: string; step: string }[] };
  // The object's own entry (its template) comes first, as an ancestor of the field.
  assert.deepEqual(
    cm.fields.map((f) => [f.role, f.file, f.layer, f.step]),
    [
      ['ancestor', 'charts/web/templates/configmap.yaml', 'resource', 'helm template (chart web 1.0.0)'],
      ['field', 'flotilla.yaml', 'values', 'spec.releases[0].helm.values.config.clusterName'],
    ],
  );
});

test('plan: a changed values file shows for exactly the clusters whose values it drives', async () => {
  const repo = fleetRepo();
  // prod-b sets its own replicaCount, so only prod-a follows production's.
  repo.replace('values/production.yaml', 'replicaCount: 3', 'replicaCount: 4');
  const run = await runFlotilla(['--fleet', repo.dir, 'plan', '--base', 'HEAD', '--output', 'json', '--helm', helm]);
  const json = JSON.parse(run.stdout) as { targets: { cluster: string; release: string; changes: { action: string; object: string; fields: { path: string; before?: unknown; after?: unknown }[] }[] }[] };
  assert.deepEqual(
    json.targets.map((t) => ({ target: `${t.cluster}/${t.release}`, changes: t.changes.map((c) => ({ object: c.object, fields: c.fields.map((f) => [f.path, f.before, f.after]) })) })),
    [{ target: 'prod-a/web', changes: [{ object: 'Deployment/web/web-web', fields: [['/spec/replicas', 3, 4]] }] }],
  );
});

test("a chart's own ${VAR} is left alone unless the release asks for substitution", async () => {
  const [plain] = renderRelease(fixture, 'web').filter((r) => r.target.cluster.name === 'dev-a');
  assert.ok(plain?.result.ok);
  const data = (r: TargetRenderResult) => (r.result.ok ? (r.result.value.objects.find((o) => o.object.metadata.name === 'web-web-config')!.object.data as Record<string, string>) : {});
  assert.equal(data(plain)['start.sh'], 'exec web --log-level "${LOG_LEVEL}" --home "${HOME:-/srv}"');
  const repo = fleetRepo();
  repo.replace('flotilla.yaml', '    namespace: web\n', '    namespace: web\n    substitute: {LOG_LEVEL: warn}\n');
  const [substituted] = renderRelease(repo.dir, 'web').filter((r) => r.target.cluster.name === 'dev-a');
  assert.equal(data(substituted!)['start.sh'], 'exec web --log-level "warn" --home "/srv"');
  const explained = substituted!.result.ok ? substituted!.result.value.objects.find((o) => o.object.metadata.name === 'web-web-config')!.provenance.get('/data/start.sh') : undefined;
  assert.deepEqual(explained, { file: 'flotilla.yaml', layer: 'substitution', step: '${LOG_LEVEL} from spec.releases[0].substitute.LOG_LEVEL' });
});

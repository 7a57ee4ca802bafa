import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ok, type Result } from '../../core/index.js';
import { memoryFs } from '../kustomize/memory-fs.js';
import { helmReleaseRenderer, type HelmReleaseTarget } from './release.js';
import type { HelmChart, HelmChartSource, HelmRenderer, HelmTemplateRequest } from './types.js';

// A HelmRenderer that prints a fixed manifest: the pure side's checks, without helm.
function fakeHelm(manifest: string, version = '1.0.0'): HelmRenderer & { requests: HelmTemplateRequest[] } {
  const requests: HelmTemplateRequest[] = [];
  return {
    requests,
    loadChart(source: HelmChartSource): Result<HelmChart> {
      const files = source.type === 'directory' ? source.files : new Map<string, Uint8Array>();
      const values = files.get('values.yaml');
      return ok({ name: 'app', version, digest: 'sha256:x', origin: source.type === 'directory' ? source.path : 'remote', defaultValues: values ? Buffer.from(values).toString() : '', handle: 'h', notes: [] });
    },
    template(_chart, request) {
      requests.push(request);
      return ok(manifest);
    },
  };
}

const fs = memoryFs({
  '/repo/charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.0.0\n',
  '/repo/charts/app/values.yaml': 'replicas: 1\nname: base\n',
  '/repo/values/a.yaml': 'replicas: 2\n',
});

const target = (helm: HelmReleaseTarget['helm']): HelmReleaseTarget => ({ key: 'c1/app', release: { name: 'app', index: 0, namespace: 'apps' }, cluster: { name: 'c1', file: 'clusters/c1.yaml', kubernetesVersion: '1.31' }, helm });

test('helm is given the release name, namespace, Kubernetes version and the merged user values', () => {
  const helm = fakeHelm('---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
  const out = helmReleaseRenderer(helm).render(target({ chart: 'charts/app', valuesFiles: ['values/a.yaml'], values: { name: 'fleet' } }), { fs, root: '/repo' });
  assert.ok(out.ok);
  assert.deepEqual(helm.requests, [{ releaseName: 'app', namespace: 'apps', kubeVersion: '1.31', values: { replicas: 2, name: 'fleet' } }]);
  assert.deepEqual(out.value.objects[0]!.provenance.get(''), { file: 'charts/app/templates/cm.yaml', layer: 'resource', step: 'helm template (chart app 1.0.0)' });
  assert.deepEqual(out.value.values, [
    { path: 'name', value: 'fleet', file: 'flotilla.yaml' },
    { path: 'replicas', value: 2, file: 'values/a.yaml' },
  ]);
});

test('an optional values file that valuesFiles does not list, and a chart outside the version range, are errors of the target', () => {
  const helm = fakeHelm('');
  const optional = helmReleaseRenderer(helm).render(target({ chart: 'charts/app', optionalValuesFiles: ['values/b.yaml'] }), { fs, root: '/repo' });
  assert.deepEqual(optional.ok ? [] : optional.issues.map((i) => [i.code, i.message]), [
    ['HELM_VALUES_INVALID', 'c1/app: flotilla.yaml: spec.releases[0].helm.optionalValuesFiles[0]: values/b.yaml is not in valuesFiles, so it has no place in the merge order'],
  ]);
  const range = helmReleaseRenderer(helm).render(target({ chart: 'charts/app', version: '>=2.0.0' }), { fs, root: '/repo' });
  assert.deepEqual(range.ok ? [] : range.issues.map((i) => [i.code, i.field]), [['HELM_CHART_NOT_FOUND', 'spec.releases[0].helm.version']]);
  assert.equal(helm.requests.length, 0);
});

test('a template that prints something other than a Kubernetes object fails the target, naming the template', () => {
  const out = helmReleaseRenderer(fakeHelm('---\n# Source: app/templates/notes.yaml\njust: text\n')).render(target({ chart: 'charts/app' }), { fs, root: '/repo' });
  assert.match(out.ok ? '' : out.issues[0]!.message, /^c1\/app: chart app 1\.0\.0: app\/templates\/notes\.yaml printed a document that is not a Kubernetes object/);
});

test('a chart directory that is missing, or has no Chart.yaml, is HELM_CHART_NOT_FOUND', () => {
  for (const chart of ['charts/none', 'values']) {
    const out = helmReleaseRenderer(fakeHelm('')).render(target({ chart }), { fs, root: '/repo' });
    assert.equal(out.ok ? '' : out.issues[0]!.code, 'HELM_CHART_NOT_FOUND', chart);
  }
});

// Found by the fuzz suite (test/fuzz): values files were decoded leniently (invalid bytes became
// U+FFFD) and control characters were read as text, so targets rendered where helm 4.1 refuses
// the file ("invalid leading UTF-8 octet", "control characters are not allowed").
test('a values file that is not UTF-8, or holds control characters, is FILE_NOT_TEXT as helm refuses it', () => {
  const helm = fakeHelm('---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
  for (const [content, pattern] of [
    [new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0x0a]), /^c1\/app: values\/bad\.yaml: the values file is not valid UTF-8 text/],
    ['a: "x\u0001y"\n', /^c1\/app: values\/bad\.yaml: line 1, column 6 holds the control character U\+0001/],
  ] as const) {
    const badFs = memoryFs({ '/repo/charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.0.0\n', '/repo/values/bad.yaml': content });
    const out = helmReleaseRenderer(helm).render(target({ chart: 'charts/app', valuesFiles: ['values/bad.yaml'] }), { fs: badFs, root: '/repo' });
    assert.equal(out.ok, false);
    if (out.ok) continue;
    assert.equal(out.issues[0]!.code, 'FILE_NOT_TEXT');
    assert.match(out.issues[0]!.message, pattern);
  }
});

// Found while fuzzing bad input (test/fuzz): a values file or chart file that could not be read
// (a FIFO, a device, a permission) threw out of the renderer.
test('a values file that cannot be read is FILE_UNREADABLE naming it', () => {
  const base = memoryFs({ '/repo/charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.0.0\n', '/repo/values/fifo.yaml': '' });
  const fifoFs = { ...base, readFile: (path: string) => (path.endsWith('fifo.yaml') ? (() => { throw Object.assign(new Error(`${path} is a FIFO, not a regular file`), { code: 'ENOTREG' }); })() : base.readFile(path)) };
  const out = helmReleaseRenderer(fakeHelm('')).render(target({ chart: 'charts/app', valuesFiles: ['values/fifo.yaml'] }), { fs: fifoFs, root: '/repo' });
  assert.equal(out.ok, false);
  if (out.ok) return;
  assert.equal(out.issues[0]!.code, 'FILE_UNREADABLE');
  assert.match(out.issues[0]!.message, /values\/fifo\.yaml: cannot be read: .*is a FIFO/);
});

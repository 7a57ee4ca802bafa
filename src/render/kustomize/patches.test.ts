import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import type { KubeObject } from '../../manifest/index.js';
import type { Kustomization } from './kustomization.js';
import { legacyJson6902Step, legacyStrategicMergeStep, patchesStep } from './patches.js';
import type { Resource } from './resource.js';
import type { BuildStep, StepContext } from './step.js';

function context(files: Record<string, string> = {}): StepContext {
  return {
    file: 'overlay/kustomization.yaml',
    dir: '/repo/overlay',
    readText(relPath: string, field: string): Result<string> {
      if (relPath.startsWith('../')) return fail(new FlotillaError('PATH_OUTSIDE_ROOT', `overlay/kustomization.yaml: ${field}: ${relPath} leaves the kustomization root`, { field }));
      const text = files[relPath];
      if (text === undefined) return fail(new FlotillaError('RENDER_RESOURCE_NOT_FOUND', `overlay/kustomization.yaml: ${field}: ${relPath} does not exist`, { field }));
      return ok(text);
    },
    displayPath: (relPath: string) => `overlay/${relPath}`,
  };
}

function resource(object: Record<string, unknown>, history: Resource['history'] = []): Resource {
  return { object: object as KubeObject, provenance: new Map([['', { file: 'base/app.yaml', layer: 'resource' }]]), history, origin: 'base/app.yaml' };
}

function deployment(name: string, extra: Record<string, unknown> = {}): Resource {
  return resource({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, ...extra }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'app', image: 'app:1' }] } } } });
}

function run(step: BuildStep, resources: Resource[], k: Kustomization, files?: Record<string, string>): Resource[] {
  const result = step(resources, k, context(files));
  if (!result.ok) throw result.issues[0];
  return result.value;
}

function failure(step: BuildStep, resources: Resource[], k: Kustomization, files?: Record<string, string>): FlotillaError {
  const result = step(resources, k, context(files));
  assert.equal(result.ok, false, 'the step should fail');
  return (result as { ok: false; issues: FlotillaError[] }).issues[0]!;
}

const obj = (r: Resource) => r.object as Record<string, any>;

test('patches: an inline strategic merge patch without target finds its resource by kind and name', () => {
  const [a, b] = [deployment('a'), deployment('b')];
  run(patchesStep, [a, b], { patches: [{ patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\nspec:\n  replicas: 3\n' }] });
  assert.equal(obj(a).spec.replicas, 1);
  assert.equal(obj(b).spec.replicas, 3);
  assert.deepEqual(b.provenance.get('/spec/replicas'), { file: 'overlay/kustomization.yaml', layer: 'patch', step: 'patches[0]' });
});

test('patches: a patch file is read through the load restrictor and named in provenance', () => {
  const d = deployment('a');
  run(patchesStep, [d], { patches: [{ path: 'replicas.yaml' }] }, { 'replicas.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: 4\n' });
  assert.equal(obj(d).spec.replicas, 4);
  assert.equal(d.provenance.get('/spec/replicas')?.file, 'overlay/replicas.yaml');
  assert.equal(failure(patchesStep, [d], { patches: [{ path: '../outside.yaml' }] }).code, 'PATH_OUTSIDE_ROOT');
  assert.equal(failure(patchesStep, [d], { patches: [{ path: 'missing.yaml' }] }).code, 'RENDER_RESOURCE_NOT_FOUND');
});

test('patches: a strategic merge patch without target that matches nothing is an error', () => {
  const error = failure(patchesStep, [deployment('a')], { patches: [{ patch: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: a\n' }] });
  assert.equal(error.code, 'RENDER_PATCH_TARGET_NOT_FOUND');
  assert.match(error.message, /overlay\/kustomization\.yaml: patches\[0\]: no resource in the build is StatefulSet\/a \(apps\/v1\)/);
  assert.deepEqual(error.object, { kind: 'StatefulSet', namespace: undefined, name: 'a' });
  // The apiVersion is part of the id: a patch without one names nothing.
  assert.equal(failure(patchesStep, [deployment('a')], { patches: [{ patch: 'kind: Deployment\nmetadata:\n  name: a\n' }] }).code, 'RENDER_PATCH_TARGET_NOT_FOUND');
});

test('patches: with a target, a strategic merge patch applies to every match whatever name it gives', () => {
  const resources = [deployment('a'), deployment('b'), resource({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } })];
  run(patchesStep, resources, { patches: [{ target: { kind: 'Deployment' }, patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: placeholder\n  labels: {patched: "yes"}\n' }] });
  assert.deepEqual(resources.map((r) => obj(r).metadata), [
    { name: 'a', labels: { patched: 'yes' } },
    { name: 'b', labels: { patched: 'yes' } },
    { name: 'a' },
  ]);
});

test('patches: a target that selects nothing is a no-op', () => {
  const resources = [deployment('a')];
  const before = structuredClone(resources[0]!.object);
  const out = run(patchesStep, resources, {
    patches: [
      { target: { kind: 'CronJob' }, patch: '- op: add\n  path: /x\n  value: 1\n' },
      { target: { name: 'nothing' }, patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: 0\n' },
    ],
  });
  assert.equal(out.length, 1);
  assert.deepEqual(out[0]!.object, before);
});

test('patches: JSON 6902 is detected from a list of operations, in YAML or JSON, and needs a target', () => {
  const d = deployment('a');
  run(patchesStep, [d], {
    patches: [
      { target: { name: 'a' }, patch: '- op: replace\n  path: /spec/replicas\n  value: 5\n' },
      { target: { name: 'a' }, path: 'ops.json' },
    ],
  }, { 'ops.json': '[{"op": "add", "path": "/metadata/labels", "value": {"tier": "web"}}]' });
  assert.equal(obj(d).spec.replicas, 5);
  assert.deepEqual(obj(d).metadata.labels, { tier: 'web' });
  assert.equal(d.provenance.get('/metadata/labels')?.file, 'overlay/ops.json');
  const error = failure(patchesStep, [d], { patches: [{ patch: '- op: add\n  path: /x\n  value: 1\n' }] });
  assert.equal(error.code, 'RENDER_PATCH_INVALID');
  assert.match(error.message, /JSON 6902 patch without a target/);
});

test('patches: a failing operation names the file, the operation and the resource', () => {
  const error = failure(patchesStep, [deployment('a')], { patches: [{ target: { kind: 'Deployment' }, path: 'ops.yaml' }] }, { 'ops.yaml': '- op: test\n  path: /spec/replicas\n  value: 1\n- op: remove\n  path: /spec/paused\n' });
  assert.equal(error.code, 'RENDER_PATCH_INVALID');
  assert.equal(error.file, 'overlay/ops.yaml');
  assert.match(error.message, /^overlay\/ops\.yaml: patches\[0\]: operation 1 \(remove \/spec\/paused\): .* \(on Deployment\/a \(apps\/v1\)\)$/);
  assert.deepEqual(error.object, { kind: 'Deployment', namespace: undefined, name: 'a' });
});

test('patches: malformed entries are errors', () => {
  const d = deployment('a');
  assert.match(failure(patchesStep, [d], { patches: [{ patch: 'x: 1', path: 'p.yaml' }] }).message, /both patch and path/);
  assert.match(failure(patchesStep, [d], { patches: [{}] }).message, /neither patch nor path/);
  assert.match(failure(patchesStep, [d], { patches: [{ target: { kind: 'Deployment' }, patch: 'spec:\n  replicas: 5\n' }] }).message, /neither a strategic merge patch nor a JSON 6902 patch/);
  assert.equal(failure(patchesStep, [d], { patches: [{ target: { name: '(' }, patch: '- op: add\n  path: /x\n  value: 1\n' }] }).code, 'RENDER_PATCH_INVALID');
  assert.equal(failure(patchesStep, [d], { patches: [{ patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: {no: way}\n' }] }).code, 'RENDER_PATCH_INVALID');
});

test('patches: $patch delete removes the resource from the build', () => {
  const [a, b] = [deployment('a'), deployment('b')];
  const out = run(patchesStep, [a, b], { patches: [{ patch: '$patch: delete\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n' }] });
  assert.deepEqual(out, [b]);
  const none = run(patchesStep, [deployment('a'), deployment('b')], { patches: [{ target: { kind: 'Deployment' }, patch: '$patch: delete\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n' }] });
  assert.deepEqual(none, []);
});

test('patches: several documents in one patch each find their resource', () => {
  const [a, b] = [deployment('a'), deployment('b')];
  run(patchesStep, [a, b], { patches: [{ patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: 2\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\nspec:\n  replicas: 3\n' }] });
  assert.deepEqual([obj(a).spec.replicas, obj(b).spec.replicas], [2, 3]);
});

test('patches: name, kind and namespace stay unless the options allow a change', () => {
  const d = deployment('a', { namespace: 'team' });
  run(patchesStep, [d], { patches: [{ target: { name: 'a' }, patch: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: b\n  namespace: other\n' }] });
  assert.deepEqual([obj(d).kind, obj(d).metadata], ['Deployment', { name: 'a', namespace: 'team' }]);
  run(patchesStep, [d], { patches: [{ target: { name: 'a' }, options: { allowNameChange: true, allowKindChange: true }, patch: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: b\n' }] });
  assert.deepEqual([obj(d).kind, obj(d).metadata.name, obj(d).metadata.namespace], ['StatefulSet', 'b', 'team']);
  assert.deepEqual(d.history, [{ kind: 'Deployment', namespace: 'team', name: 'a' }]);
});

test('patches: a resource renamed by a JSON patch is still found by its earlier name', () => {
  const d = deployment('a');
  run(patchesStep, [d], {
    patches: [
      { target: { name: 'a' }, patch: '- op: replace\n  path: /metadata/name\n  value: a2\n' },
      { target: { name: 'a' }, patch: '- op: add\n  path: /metadata/labels\n  value: {by: original}\n' },
      { target: { name: 'a2' }, patch: '- op: add\n  path: /metadata/annotations\n  value: {by: current}\n' },
      { patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: 4\n' },
    ],
  });
  assert.deepEqual(obj(d).metadata, { name: 'a2', labels: { by: 'original' }, annotations: { by: 'current' } });
  assert.equal(obj(d).spec.replicas, 4);
  assert.deepEqual(d.history, [{ kind: 'Deployment', namespace: undefined, name: 'a' }]);
});

test('patchesStrategicMerge: inline texts and files, each naming its resource', () => {
  const [d, s] = [deployment('a'), resource({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { ports: [{ port: 80 }] } })];
  run(legacyStrategicMergeStep, [d, s], { patchesStrategicMerge: ['patch.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - port: 443\n'] }, {
    'patch.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:2\n',
  });
  assert.deepEqual(obj(d).spec.template.spec.containers, [{ name: 'app', image: 'app:2' }]);
  assert.deepEqual(obj(s).spec.ports, [{ port: 443 }, { port: 80 }]);
  assert.deepEqual(d.provenance.get('/spec/template/spec/containers/0/image'), { file: 'overlay/patch.yaml', layer: 'patch', step: 'patchesStrategicMerge[0]' });
  assert.deepEqual(s.provenance.get('/spec/ports/0'), { file: 'overlay/kustomization.yaml', layer: 'patch', step: 'patchesStrategicMerge[1]' });
});

test('patchesStrategicMerge: a patch naming no resource, or a missing file, is an error', () => {
  const error = failure(legacyStrategicMergeStep, [deployment('recommendations')], { patchesStrategicMerge: ['patch.yaml'] }, { 'patch.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: recommendation\nspec:\n  replicas: 2\n' });
  assert.equal(error.code, 'RENDER_PATCH_TARGET_NOT_FOUND');
  assert.equal(error.file, 'overlay/patch.yaml');
  assert.equal(failure(legacyStrategicMergeStep, [deployment('a')], { patchesStrategicMerge: ['nope.yaml'] }).code, 'RENDER_RESOURCE_NOT_FOUND');
});

test('patchesStrategicMerge: names given before a prefix still match, and $patch delete removes', () => {
  const d = resource({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'eu1-tracking' }, spec: { replicas: 1 } }, [{ kind: 'Deployment', name: 'tracking' }]);
  const gone = deployment('debug');
  const out = run(legacyStrategicMergeStep, [d, gone], {
    patchesStrategicMerge: ['apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: tracking\nspec:\n  replicas: 3\n', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: debug\n$patch: delete\n'],
  });
  assert.deepEqual(out, [d]);
  assert.deepEqual(obj(d).metadata, { name: 'eu1-tracking' });
  assert.equal(obj(d).spec.replicas, 3);
});

test('patchesJson6902: a target is required, a missing resource is skipped, paths and inline patches work', () => {
  const d = deployment('a');
  assert.match(failure(legacyJson6902Step, [d], { patchesJson6902: [{ patch: '- op: add\n  path: /x\n  value: 1\n' }] }).message, /has no target/);
  const out = run(legacyJson6902Step, [d], {
    patchesJson6902: [
      { target: { version: 'v1', kind: 'Service', name: 'a' }, patch: '- op: replace\n  path: /spec/type\n  value: NodePort\n' },
      { target: { group: 'apps', version: 'v1', kind: 'Deployment', name: 'a' }, path: 'ops.yaml' },
      { target: { kind: 'Deployment', name: 'a' }, patch: '[{"op": "add", "path": "/spec/paused", "value": true}]' },
    ],
  }, { 'ops.yaml': '- op: replace\n  path: /spec/replicas\n  value: 7\n' });
  assert.deepEqual(out, [d]);
  assert.equal(obj(d).spec.replicas, 7);
  assert.equal(obj(d).spec.paused, true);
  assert.equal(d.provenance.get('/spec/replicas')?.step, 'patchesJson6902[1]');
  assert.match(failure(legacyJson6902Step, [d], { patchesJson6902: [{ target: { name: 'a' }, patch: 'apiVersion: v1\nkind: X\n' }] }).message, /not a JSON 6902 patch/);
});

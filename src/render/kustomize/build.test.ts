import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKustomization } from './build.js';
import { createBuildCache } from './cache.js';
import { memoryFs } from './memory-fs.js';
import type { BuildOutput } from '../types.js';
import type { Result } from '../../core/index.js';

const cm = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;

function names(result: Result<BuildOutput>): string[] {
  assert.ok(result.ok, result.ok ? '' : `${result.issues[0]!.code}: ${result.issues[0]!.message}`);
  return result.value.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`);
}

function issue(result: Result<BuildOutput>): { code: string; message: string; file?: string; field?: string; hint?: string } {
  assert.equal(result.ok, false, 'the build should fail');
  if (result.ok) throw new Error('unreachable');
  return result.issues[0]!;
}

test('resources: files, multi-document files, Lists and nested directories in fifo order', () => {
  const fs = memoryFs({
    '/r/kustomization.yaml': 'sortOptions: {order: fifo}\nresources:\n- list.yaml\n- sub\n- multi.yaml\n',
    '/r/list.yaml': `apiVersion: v1\nkind: ConfigMapList\nitems:\n- ${cm('l1').replace(/\n/g, '\n  ')}\n- ${cm('l2').replace(/\n/g, '\n  ')}\n`,
    '/r/multi.yaml': `---\n${cm('m1')}---\n---\n${cm('m2')}`,
    '/r/sub/kustomization.yml': 'resources: [a.yaml]\n',
    '/r/sub/a.yaml': cm('a'),
  });
  assert.deepEqual(names(buildKustomization('/r', { fs })), ['ConfigMap/l1', 'ConfigMap/l2', 'ConfigMap/a', 'ConfigMap/m1', 'ConfigMap/m2']);
});

test('the items of a List come after the other documents of its file', () => {
  const fs = memoryFs({
    '/r/kustomization.yaml': 'sortOptions: {order: fifo}\nresources: [f.yaml]\n',
    '/r/f.yaml': `apiVersion: v1\nkind: List\nitems:\n- ${cm('item').replace(/\n/g, '\n  ')}\n---\n${cm('after')}`,
  });
  assert.deepEqual(names(buildKustomization('/r', { fs })), ['ConfigMap/after', 'ConfigMap/item']);
});

test('the deprecated bases field and the Kustomization file name are read', () => {
  const fs = memoryFs({
    '/r/Kustomization': 'bases: [../b]\nresources: [own.yaml]\n',
    '/r/own.yaml': cm('own'),
    '/b/kustomization.yaml': 'resources: [b.yaml]\n',
    '/b/b.yaml': cm('base'),
  });
  assert.deepEqual(names(buildKustomization('/r', { fs })), ['ConfigMap/base', 'ConfigMap/own']);
});

test('two kustomization files in one directory are an error', () => {
  const fs = memoryFs({ '/r/kustomization.yaml': '', '/r/kustomization.yml': '' });
  assert.equal(issue(buildKustomization('/r', { fs })).code, 'RENDER_KUSTOMIZATION_INVALID');
});

test('a directory without a kustomization is an error naming the directory', () => {
  const fs = memoryFs({ '/r/kustomization.yaml': 'resources: [plain]\n', '/r/plain/x.yaml': cm('x') });
  const e = issue(buildKustomization('/r', { fs }));
  assert.equal(e.code, 'RENDER_KUSTOMIZATION_NOT_FOUND');
  assert.match(e.message, /plain/);
});

test('remote resources are RENDER_UNSUPPORTED with the entry named', () => {
  const fs = memoryFs({ '/r/kustomization.yaml': 'resources:\n- https://github.com/org/repo//deploy?ref=v1\n' });
  const e = issue(buildKustomization('/r', { fs }));
  assert.equal(e.code, 'RENDER_UNSUPPORTED');
  assert.equal(e.field, 'resources[0]');
});

test('plugins, helm charts and vars are RENDER_UNSUPPORTED naming the field', () => {
  for (const field of ['transformers: [t.yaml]', 'helmCharts: [{name: x}]', 'vars: [{name: X}]']) {
    const fs = memoryFs({ '/r/kustomization.yaml': `${field}\n` });
    const e = issue(buildKustomization('/r', { fs }));
    assert.equal(e.code, 'RENDER_UNSUPPORTED');
    assert.match(e.message, new RegExp(field.split(':')[0]!));
  }
});

test('duplicate ids are an error naming both origins; the same name in two namespaces is not', () => {
  const dup = memoryFs({ '/r/kustomization.yaml': 'resources: [a.yaml, b.yaml]\n', '/r/a.yaml': cm('x'), '/r/b.yaml': cm('x') });
  const e = issue(buildKustomization('/r', { fs: dup }));
  assert.equal(e.code, 'RENDER_DUPLICATE_ID');
  assert.match(e.message, /a\.yaml/);
  assert.match(e.message, /b\.yaml/);
  const distinct = memoryFs({
    '/r/kustomization.yaml': 'resources: [a.yaml, b.yaml]\n',
    '/r/a.yaml': cm('x', ''),
    '/r/b.yaml': cm('x').replace('name: x', 'name: x\n  namespace: other'),
  });
  assert.equal(names(buildKustomization('/r', { fs: distinct })).length, 2);
});

test('a namespace-less object and one in "default" have the same id', () => {
  const fs = memoryFs({
    '/r/kustomization.yaml': 'resources: [a.yaml, b.yaml]\n',
    '/r/a.yaml': cm('x'),
    '/r/b.yaml': cm('x').replace('name: x', 'name: x\n  namespace: default'),
  });
  assert.equal(issue(buildKustomization('/r', { fs })).code, 'RENDER_DUPLICATE_ID');
});

test('objects marked config.kubernetes.io/local-config are dropped', () => {
  const fs = memoryFs({
    '/r/kustomization.yaml': 'resources: [a.yaml, b.yaml]\n',
    '/r/a.yaml': cm('keep'),
    '/r/b.yaml': cm('local').replace('name: local', 'name: local\n  annotations:\n    config.kubernetes.io/local-config: "true"'),
  });
  assert.deepEqual(names(buildKustomization('/r', { fs })), ['ConfigMap/keep']);
});

test('components apply to the resources accumulated before them, and must be Components', () => {
  const fs = memoryFs({
    '/r/kustomization.yaml': 'resources: [a.yaml]\ncomponents: [../c]\nconfigMapGenerator:\n- name: gen\n  behavior: merge\n  literals: [FROM_OVERLAY=1]\n',
    '/r/a.yaml': cm('a'),
    '/c/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nconfigMapGenerator:\n- name: gen\n  literals: [FROM_COMPONENT=1]\n',
  });
  const result = buildKustomization('/r', { fs });
  assert.ok(result.ok);
  const gen = result.value.objects.find((o) => o.object.metadata.name.startsWith('gen-'));
  assert.deepEqual(gen?.object.data, { FROM_COMPONENT: '1', FROM_OVERLAY: '1' });
  const notComponent = memoryFs({ '/r/kustomization.yaml': 'components: [../c]\n', '/c/kustomization.yaml': 'resources: []\n' });
  assert.equal(issue(buildKustomization('/r', { fs: notComponent })).code, 'RENDER_KUSTOMIZATION_INVALID');
  const asResource = memoryFs({ '/r/kustomization.yaml': 'resources: [../c]\n', '/c/kustomization.yaml': 'kind: Component\napiVersion: kustomize.config.k8s.io/v1alpha1\n' });
  assert.equal(issue(buildKustomization('/r', { fs: asResource })).code, 'RENDER_COMPONENT_AS_RESOURCE');
});

test('generator behaviors across overlays: merge keeps base keys and name, replace drops them, create collides', () => {
  const base = {
    '/b/kustomization.yaml': 'configMapGenerator:\n- name: settings\n  literals: [A=1, B=2]\n  options: {labels: {from: base}}\n',
  };
  const merge = memoryFs({ ...base, '/o/kustomization.yaml': 'resources: [../b]\nconfigMapGenerator:\n- name: settings\n  behavior: merge\n  literals: [B=3, C=4]\n' });
  const merged = buildKustomization('/o', { fs: merge });
  assert.ok(merged.ok);
  assert.deepEqual(merged.value.objects[0]!.object.data, { A: '1', B: '3', C: '4' });
  assert.deepEqual(merged.value.objects[0]!.object.metadata.labels, { from: 'base' });
  const replace = memoryFs({ ...base, '/o/kustomization.yaml': 'resources: [../b]\nconfigMapGenerator:\n- name: settings\n  behavior: replace\n  literals: [C=4]\n' });
  const replaced = buildKustomization('/o', { fs: replace });
  assert.ok(replaced.ok);
  assert.deepEqual(replaced.value.objects[0]!.object.data, { C: '4' });
  const create = memoryFs({ ...base, '/o/kustomization.yaml': 'resources: [../b]\nconfigMapGenerator:\n- name: settings\n  literals: [C=4]\n' });
  assert.equal(issue(buildKustomization('/o', { fs: create })).code, 'RENDER_GENERATOR_INVALID');
});

test('generated names get the content hash once, at the top, after everything merged', () => {
  const fs = memoryFs({
    '/b/kustomization.yaml': 'configMapGenerator:\n- name: app\n  literals: [A=1]\n',
    '/o/kustomization.yaml': 'resources: [../b]\nconfigMapGenerator:\n- name: app\n  behavior: merge\n  literals: [B=2]\n',
  });
  const result = buildKustomization('/o', { fs });
  assert.ok(result.ok);
  const object = result.value.objects[0]!.object;
  assert.match(object.metadata.name, /^app-[a-z0-9]{10}$/);
  const provenance = result.value.objects[0]!.provenance;
  assert.equal(provenance.get('/data/A')?.file, '../b/kustomization.yaml');
  assert.equal(provenance.get('/data/B')?.file, 'kustomization.yaml');
});

test('a shared cache builds each base once and hands out independent copies', () => {
  const files: Record<string, string> = {
    '/repo/base/kustomization.yaml': 'resources: [cm.yaml]\n',
    '/repo/base/cm.yaml': cm('shared', 'data:\n  k: v\n'),
  };
  for (const c of ['one', 'two', 'three']) {
    files[`/repo/clusters/${c}/kustomization.yaml`] = `resources: [../../base]\nconfigMapGenerator:\n- name: ${c}\n  literals: [C=${c}]\n`;
  }
  const fs = memoryFs(files);
  const cache = createBuildCache();
  const outputs = ['one', 'two', 'three'].map((c) => buildKustomization(`/repo/clusters/${c}`, { fs, cache, root: '/repo' }));
  assert.equal(cache.stats.directoryBuilds, 1);
  assert.equal(cache.stats.directoryHits, 2);
  assert.equal(cache.stats.fileReads, 1);
  const [first, second] = outputs;
  assert.ok(first?.ok && second?.ok);
  const shared1 = first.value.objects.find((o) => o.object.metadata.name === 'shared')!;
  const shared2 = second.value.objects.find((o) => o.object.metadata.name === 'shared')!;
  assert.notEqual(shared1.object, shared2.object);
  (shared1.object.data as Record<string, string>).k = 'changed';
  assert.equal((shared2.object.data as Record<string, string>).k, 'v');
  assert.equal(shared1.provenance.get('')?.file, 'base/cm.yaml');
});

test('a cached build gives the same output as an uncached one', () => {
  const files = {
    '/repo/base/kustomization.yaml': 'resources: [cm.yaml]\nconfigMapGenerator:\n- name: g\n  literals: [A=1]\n',
    '/repo/base/cm.yaml': cm('plain'),
    '/repo/o/kustomization.yaml': 'resources: [../base]\n',
  };
  const fs = memoryFs(files);
  const cache = createBuildCache();
  for (let i = 0; i < 2; i++) {
    const cached = buildKustomization('/repo/o', { fs, cache, root: '/repo' });
    const plain = buildKustomization('/repo/o', { fs, root: '/repo' });
    assert.ok(cached.ok && plain.ok);
    assert.deepEqual(cached.value, plain.value);
  }
});

test('with a root, a base outside it is refused', () => {
  const fs = memoryFs({ '/repo/o/kustomization.yaml': 'resources: [../../elsewhere]\n', '/elsewhere/kustomization.yaml': '' });
  const e = issue(buildKustomization('/repo/o', { fs, root: '/repo' }));
  assert.equal(e.code, 'PATH_OUTSIDE_ROOT');
  assert.equal(e.field, 'resources[0]');
});

test('files reached through a symlink are checked where the link leads', () => {
  const fs = memoryFs({
    '/r/kustomization.yaml': 'resources: [link.yaml, inside-link.yaml]\n',
    '/r/real.yaml': cm('inside'),
    '/r/inside-link.yaml': { symlink: '/r/real2.yaml' },
    '/r/real2.yaml': cm('inside2'),
    '/r/link.yaml': { symlink: '/secret/x.yaml' },
    '/secret/x.yaml': cm('secret'),
  });
  const e = issue(buildKustomization('/r', { fs }));
  assert.equal(e.code, 'PATH_OUTSIDE_ROOT');
  const ok = memoryFs({ '/r/kustomization.yaml': 'resources: [inside-link.yaml]\n', '/r/inside-link.yaml': { symlink: '/r/real2.yaml' }, '/r/real2.yaml': cm('inside2') });
  assert.deepEqual(names(buildKustomization('/r', { fs: ok })), ['ConfigMap/inside2']);
});

test('resource documents must be Kubernetes objects', () => {
  for (const [text, want] of [
    ['- a\n- b\n', /list/],
    ['apiVersion: v1\nmetadata: {name: x}\n', /missing kind/],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n', /metadata\.name/],
  ] as const) {
    const fs = memoryFs({ '/r/kustomization.yaml': 'resources: [x.yaml]\n', '/r/x.yaml': text });
    const e = issue(buildKustomization('/r', { fs }));
    assert.equal(e.code, 'YAML_NOT_OBJECT');
    assert.match(e.message, want);
    assert.match(e.message, /x\.yaml/);
  }
});

test('a Kustomization of the wrong apiVersion or kind is invalid', () => {
  const fs = memoryFs({ '/r/kustomization.yaml': 'apiVersion: v2\nkind: Kustomization\n' });
  assert.equal(issue(buildKustomization('/r', { fs })).code, 'RENDER_KUSTOMIZATION_INVALID');
});

test('a merge into a plain ConfigMap keeps its name without a hash; disabling the hash in an overlay drops it', () => {
  const plain = memoryFs({
    '/b/kustomization.yaml': 'resources: [cm.yaml]\n',
    '/b/cm.yaml': cm('plain', 'data: {A: "1"}\n'),
    '/o/kustomization.yaml': 'resources: [../b]\nnamePrefix: p-\nconfigMapGenerator:\n- name: plain\n  behavior: merge\n  literals: [B=2]\n',
  });
  assert.deepEqual(names(buildKustomization('/o', { fs: plain })), ['ConfigMap/p-plain']);
  const disabled = memoryFs({
    '/b/kustomization.yaml': 'configMapGenerator:\n- name: g\n  literals: [A=1]\n',
    '/o/kustomization.yaml': 'resources: [../b]\nconfigMapGenerator:\n- name: g\n  behavior: merge\n  literals: [B=2]\n  options: {disableNameSuffixHash: true}\n',
  });
  assert.deepEqual(names(buildKustomization('/o', { fs: disabled })), ['ConfigMap/g']);
});

// Found by the fuzz suite (test/fuzz): a Deployment without apiVersion crashed the name-reference
// fix and patch targets ("Cannot read properties of undefined (reading 'indexOf')"). kubectl
// kustomize v5.7.1 keeps such an object, renames it and fixes references to renamed ConfigMaps.
test('an object without apiVersion is built as kustomize builds it: prefixed, patched by target, references fixed', () => {
  const fs = memoryFs({
    '/r/kustomization.yaml': 'resources:\n- r.yaml\nnamePrefix: p-\npatches:\n- target:\n    kind: Deployment\n    namespace: default\n  patch: |\n    - op: add\n      path: /metadata/labels\n      value: {x: z}\n',
    '/r/r.yaml': `${cm('web')}---\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      volumes:\n      - name: web\n        configMap:\n          name: web\n`,
  });
  const result = buildKustomization('/r', { fs });
  assert.deepEqual(names(result), ['ConfigMap/p-web', 'Deployment/p-web']);
  if (!result.ok) return;
  const deployment = result.value.objects[1]!.object as unknown as { apiVersion?: string; metadata: { labels?: Record<string, string> }; spec: { template: { spec: { volumes: { configMap: { name: string } }[] } } } };
  assert.equal(deployment.apiVersion, undefined);
  assert.deepEqual(deployment.metadata.labels, { x: 'z' });
  assert.equal(deployment.spec.template.spec.volumes[0]!.configMap.name, 'p-web');
});

// Found by the fuzz suite (test/fuzz): a Deployment whose spec.template.spec was a list of
// booleans failed the name-reference fix with a message naming the object but no file.
test('a transformer error about what a resource holds names the resource file', () => {
  const fs = memoryFs({
    '/r/kustomization.yaml': 'resources:\n- app/deploy.yaml\n',
    '/r/app/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n    - false\n',
  });
  const found = issue(buildKustomization('/r', { fs }));
  assert.equal(found.code, 'RENDER_TRANSFORMER_INVALID');
  assert.equal(found.file, 'app/deploy.yaml');
  assert.match(found.message, /^app\/deploy\.yaml: Deployment\/web: field spec path "spec\/template\/spec\/volumes\/configMap\/name" reaches "spec\.template\.spec\.0", which is boolean/);
});

// Found while testing FIFOs (test/fuzz): a generator or patch file that could not be read or
// decoded named only itself, not the kustomization entry that listed it.
test('a file a kustomization entry names that cannot be decoded names the kustomization and the entry', () => {
  const fs = memoryFs({
    '/r/kustomization.yaml': 'configMapGenerator:\n- name: x\n  envs:\n  - vars.env\n',
    '/r/vars.env': new Uint8Array([0x41, 0x3d, 0xff]),
  });
  const found = issue(buildKustomization('/r', { fs }));
  assert.equal(found.code, 'FILE_NOT_TEXT');
  assert.equal(found.message, 'kustomization.yaml: configMapGenerator[0].envs[0]: vars.env: the file is not valid UTF-8 text');
});

// Found while collecting bad-input examples (test/fuzz): building the repository root itself (a
// release with path ".") was refused as "outside the repository root".
test('the repository root itself builds when it is given as the root', () => {
  const fs = memoryFs({ '/r/kustomization.yaml': 'resources:\n- cm.yaml\n', '/r/cm.yaml': cm('x') });
  assert.deepEqual(names(buildKustomization('/r', { fs, root: '/r' })), ['ConfigMap/x']);
});

// Found while comparing bad input with kubectl kustomize (test/fuzz): kustomize decodes a UTF-16
// file that starts with a byte order mark (what PowerShell 5 redirection writes); Flotilla reads
// UTF-8 only, and now says what the file is instead of "not valid UTF-8".
test('a UTF-16 resource file is FILE_NOT_TEXT saying it is UTF-16', () => {
  const fs = memoryFs({
    '/r/kustomization.yaml': 'resources:\n- cm.yaml\n',
    '/r/cm.yaml': new Uint8Array([0xff, 0xfe, ...Buffer.from(cm('x'), 'utf16le')]),
  });
  const found = issue(buildKustomization('/r', { fs }));
  assert.equal(found.code, 'FILE_NOT_TEXT');
  assert.equal(found.message, 'kustomization.yaml: resources[0]: cm.yaml: the file is UTF-16LE text (it starts with a byte order mark); Flotilla reads UTF-8');
  assert.match(found.hint ?? '', /Save the file as UTF-8/);
});

// Found by the fuzz suite (test/fuzz): a YAML error in an inline patch named the kustomization
// file with a line and column counted in the patch text, and no field.
test('a YAML error in a patch names the field, and says the position is in the inline patch', () => {
  const fs = memoryFs({ '/r/kustomization.yaml': 'resources:\n- cm.yaml\npatches:\n- patch: "a: [1"\n- path: p.yaml\n', '/r/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n', '/r/p.yaml': 'a: [1\n' });
  const result = buildKustomization('/r', { fs });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.issues[0]!.code, 'YAML_PARSE');
  assert.match(result.issues[0]!.message, /^kustomization\.yaml: patches\[0\] \(inline patch\): invalid YAML \(line 1, column \d+\)/);
  assert.equal(result.issues[0]!.field, 'patches[0]');
});

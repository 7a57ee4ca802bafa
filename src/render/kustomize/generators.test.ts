import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKustomization } from './build.js';
import { memoryFs } from './memory-fs.js';
import { mergeOptions, wrappedBase64 } from './generators.js';

function generate(kustomization: string, files: Record<string, string | Uint8Array> = {}) {
  const tree: Record<string, string | Uint8Array> = { '/g/kustomization.yaml': kustomization };
  for (const [k, v] of Object.entries(files)) tree[`/g/${k}`] = v;
  const result = buildKustomization('/g', { fs: memoryFs(tree) });
  return result;
}

test('env files: comments and blank lines skipped, values kept verbatim, a key without = is empty', () => {
  const result = generate('configMapGenerator:\n- name: e\n  envs: [a.env]\n  options: {disableNameSuffixHash: true}\n', {
    'a.env': '\ufeff# comment\n\n  A=1\r\nQ="quoted"\nEMPTY\nURL=http://x/?a=b\n',
  });
  assert.ok(result.ok);
  assert.deepEqual(result.value.objects[0]!.object.data, { A: '1', EMPTY: '', Q: '"quoted"', URL: 'http://x/?a=b' });
});

test('literals lose matching surrounding quotes only; files take their base name or a given key', () => {
  const result = generate("configMapGenerator:\n- name: l\n  literals: ['A=\"x\"', \"B='y\", C=a=b]\n  files: [dir/f.txt, key=dir/f.txt]\n", { 'dir/f.txt': 'hello\n' });
  assert.ok(result.ok);
  assert.deepEqual(result.value.objects[0]!.object.data, { A: 'x', B: "'y", C: 'a=b', 'f.txt': 'hello\n', key: 'hello\n' });
});

test('binary files go to binaryData; Secrets are base64, Opaque unless a type is given', () => {
  const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x01]);
  const result = generate('configMapGenerator:\n- name: b\n  files: [bin]\nsecretGenerator:\n- name: s\n  literals: [P=pw]\n- name: t\n  type: kubernetes.io/tls\n  literals: [tls.crt=c]\n', { bin: bytes });
  assert.ok(result.ok);
  const [cm, s, t] = result.value.objects.map((o) => o.object);
  assert.deepEqual(cm!.binaryData, { bin: '//4AAQ==' });
  assert.equal(cm!.data, undefined);
  assert.deepEqual(s!.data, { P: 'cHc=' });
  assert.equal(s!.type, 'Opaque');
  assert.equal(t!.type, 'kubernetes.io/tls');
});

test('bad sources are RENDER_GENERATOR_INVALID naming the entry', () => {
  for (const [k, field] of [
    ['configMapGenerator:\n- name: x\n  literals: [NOEQUALS]\n', 'configMapGenerator[0].literals[0]'],
    ['configMapGenerator:\n- name: x\n  literals: [A=1, A=2]\n', 'configMapGenerator[0].literals[1]'],
    ['configMapGenerator:\n- name: x\n  literals: ["bad key=1"]\n', 'configMapGenerator[0].literals[0]'],
    ['configMapGenerator:\n- literals: [A=1]\n', 'configMapGenerator[0].name'],
    ['secretGenerator:\n- name: x\n  files: [a=b=c]\n', 'secretGenerator[0].files[0]'],
  ]) {
    const result = generate(k!);
    assert.equal(result.ok, false, k);
    if (!result.ok) {
      assert.equal(result.issues[0]!.code, 'RENDER_GENERATOR_INVALID', k);
      assert.equal(result.issues[0]!.field, field);
    }
  }
});

test('generatorOptions: the generator wins for labels and annotations; either level disables the hash', () => {
  const merged = mergeOptions({ labels: { a: 'local' }, disableNameSuffixHash: false }, { labels: { a: 'global', b: 'global' }, disableNameSuffixHash: true, immutable: true });
  assert.deepEqual(merged, { labels: { a: 'local', b: 'global' }, annotations: {}, disableNameSuffixHash: true, immutable: true });
  const result = generate('generatorOptions: {immutable: true, labels: {x: web, on: "on"}}\nconfigMapGenerator:\n- name: i\n  literals: [A=1]\n');
  assert.ok(result.ok);
  const object = result.value.objects[0]!.object;
  assert.equal(object.immutable, true);
  // kustomization files are YAML 1.1 to kustomize (go-yaml v2): an unquoted key on is true.
  assert.deepEqual(object.metadata.labels, { x: 'web', true: 'on' });
  assert.match(object.metadata.name, /^i-/);
});

test('wrappedBase64 breaks long values into 70-character lines, each ending in a newline', () => {
  assert.equal(wrappedBase64(new TextEncoder().encode('short')), 'c2hvcnQ=');
  const long = wrappedBase64(new Uint8Array(60));
  assert.deepEqual(long.split('\n').map((l) => l.length), [70, 10, 0]);
});

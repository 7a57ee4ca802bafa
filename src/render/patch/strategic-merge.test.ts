import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { toolPath } from '../../../scripts/tools.js';
import { strategicMerge } from './strategic-merge.js';

type Doc = Record<string, any>;

function merge(original: unknown, patch: unknown, flavor: 'kustomize' | 'apiserver' = 'kustomize'): any {
  const o = original as Doc;
  const result = strategicMerge(original, patch, { apiVersion: o.apiVersion, kind: o.kind }, { flavor });
  if (!result.ok) throw result.issues[0];
  return result.value;
}

const deployment = (spec: Doc): Doc => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec } } });
const names = (list: Doc[]) => list.map((x) => x.name);

test('every case in testdata/smp-cases.yaml merges exactly as kustomize build does', () => {
  const cases = parseAllDocuments(readFileSync(new URL('./testdata/smp-cases.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as Doc);
  assert.ok(cases.length >= 40);
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-smp-'));
  try {
    const resources: Doc[] = [];
    const ours = new Map<string, unknown>();
    cases.forEach((c, i) => {
      const name = `case-${i}`;
      const resource = { ...c.resource, metadata: { ...c.resource.metadata, name } };
      const patch = { apiVersion: resource.apiVersion, kind: resource.kind, ...c.patch, metadata: { ...c.patch.metadata, name } };
      resources.push(resource);
      writeFileSync(join(dir, `patch-${i}.yaml`), stringify(patch));
      const merged = merge(resource, patch);
      if (merged !== null) {
        // kustomize keeps the resource's kind, name and namespace whatever the patch says.
        merged.kind = resource.kind;
        merged.metadata = { ...merged.metadata, name };
        if (resource.metadata.namespace) merged.metadata.namespace = resource.metadata.namespace;
        else delete merged.metadata.namespace;
      }
      ours.set(name, merged);
    });
    writeFileSync(join(dir, 'resources.yaml'), resources.map((r) => stringify(r)).join('---\n'));
    writeFileSync(join(dir, 'kustomization.yaml'), stringify({ resources: ['resources.yaml'], patches: cases.map((_, i) => ({ path: `patch-${i}.yaml` })) }));
    const output = execFileSync(toolPath('kubectl'), ['kustomize', dir], { encoding: 'utf8' });
    const theirs = new Map<string, unknown>();
    for (const doc of parseAllDocuments(output, { version: '1.1' })) {
      const value = doc.toJS() as Doc;
      theirs.set(value.metadata.name, value);
    }
    cases.forEach((c, i) => {
      const name = `case-${i}`;
      assert.deepEqual(ours.get(name), theirs.get(name) ?? null, `case ${i}: ${c.name}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kustomize flavour: merged lists list the patch elements first', () => {
  const merged = merge(deployment({ containers: [{ name: 'a' }, { name: 'b' }] }), { spec: { template: { spec: { containers: [{ name: 'c' }, { name: 'b', image: 'b2' }] } } } });
  assert.deepEqual(merged.spec.template.spec.containers, [{ name: 'c' }, { name: 'b', image: 'b2' }, { name: 'a' }]);
});

test('$patch: delete removes elements, maps, and the whole object', () => {
  const original = deployment({ containers: [{ name: 'a', env: [{ name: 'A' }, { name: 'B' }] }], nodeSelector: { x: 'y' } });
  const merged = merge(original, { spec: { template: { spec: { nodeSelector: { $patch: 'delete' }, containers: [{ name: 'a', env: [{ name: 'A', $patch: 'delete' }] }] } } } });
  assert.equal(merged.spec.template.spec.nodeSelector, undefined);
  assert.deepEqual(merged.spec.template.spec.containers[0].env, [{ name: 'B' }]);
  assert.equal(merge(original, { $patch: 'delete' }), null);
});

test('$patch: replace swaps lists and maps; merge merges', () => {
  const original = deployment({ containers: [{ name: 'a' }, { name: 'b' }], nodeSelector: { x: '1' } });
  const merged = merge(original, { spec: { template: { spec: { nodeSelector: { $patch: 'replace', y: '2' }, containers: [{ $patch: 'replace' }, { name: 'c' }] } } } });
  assert.deepEqual(merged.spec.template.spec.nodeSelector, { y: '2' });
  assert.deepEqual(names(merged.spec.template.spec.containers), ['c']);
  const kept = merge(original, { spec: { template: { spec: { nodeSelector: { $patch: 'merge', y: '2' } } } } });
  assert.deepEqual(kept.spec.template.spec.nodeSelector, { x: '1', y: '2' });
});

test('null removes a field; lists without merge keys and custom resources are replaced', () => {
  const merged = merge(deployment({ tolerations: [{ key: 'a' }], containers: [{ name: 'a', args: ['x'], image: 'i' }] }), {
    spec: { template: { spec: { tolerations: [{ key: 'b' }], containers: [{ name: 'a', args: ['y'], image: null }] } } },
  });
  assert.deepEqual(merged.spec.template.spec.tolerations, [{ key: 'b' }]);
  assert.deepEqual(merged.spec.template.spec.containers, [{ name: 'a', args: ['y'] }]);
  const custom = merge({ apiVersion: 'x.io/v1', kind: 'Thing', metadata: { name: 't' }, spec: { m: { a: 1 }, l: [{ name: 'a' }] } }, { spec: { m: { b: 2 }, l: [{ name: 'b' }] } });
  assert.deepEqual(custom.spec, { m: { a: 1, b: 2 }, l: [{ name: 'b' }] });
});

test('a clash of shapes or an unknown directive is an error naming the field', () => {
  const result = strategicMerge(deployment({ containers: [] }), { spec: { template: { spec: { containers: { name: 'a' } } } } }, { apiVersion: 'apps/v1', kind: 'Deployment' }, { file: 'p.yaml', field: 'patches[0]' });
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.equal(result.issues[0]!.code, 'RENDER_PATCH_INVALID');
    assert.match(result.issues[0]!.message, /^p\.yaml: patches\[0\]: .* at spec\.template\.spec\.containers: the resource has a list where the patch has a map/);
  }
  const unknown = strategicMerge(deployment({}), { spec: { $patch: 'foo' } }, { apiVersion: 'apps/v1', kind: 'Deployment' });
  assert.equal(unknown.ok, false);
});

test('the inputs are not changed', () => {
  const original = deployment({ containers: [{ name: 'a' }] });
  const patch = { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'b' }] } } } };
  const before = structuredClone([original, patch]);
  merge(original, patch);
  merge(original, patch, 'apiserver');
  assert.deepEqual([original, patch], before);
});

test('apiserver flavour: every case in testdata/apiserver-smp-cases.yaml merges as apimachinery does', () => {
  const cases = parseAllDocuments(readFileSync(new URL('./testdata/apiserver-smp-cases.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as Doc);
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-smp-api-'));
  try {
    cases.forEach((c, i) => {
      // `kubectl patch --local` runs apimachinery's strategic merge without a server.
      writeFileSync(join(dir, 'object.json'), JSON.stringify(c.resource));
      const output = execFileSync(toolPath('kubectl'), ['patch', '--local', '-f', join(dir, 'object.json'), '--type', 'strategic', '-p', JSON.stringify(c.patch), '-o', 'json'], { encoding: 'utf8' });
      assert.deepEqual(merge(c.resource, c.patch, 'apiserver'), JSON.parse(output), `case ${i}: ${c.name}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('apiserver flavour: patch elements in patch order, the others in original order, interleaved', () => {
  const merged = merge(deployment({ containers: [{ name: 'a' }, { name: 'b' }] }), { spec: { template: { spec: { containers: [{ name: 'c' }, { name: 'b', image: 'b2' }] } } } }, 'apiserver');
  assert.deepEqual(merged.spec.template.spec.containers, [{ name: 'c' }, { name: 'a' }, { name: 'b', image: 'b2' }]);
});

test('apiserver flavour honours $setElementOrder, $deleteFromPrimitiveList and $retainKeys', () => {
  const original = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', finalizers: ['x', 'y', 'z'] },
    spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], volumes: [{ name: 'v', emptyDir: {} }] } } },
  };
  const merged = merge(
    original,
    {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['x'], finalizers: ['w'] },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }],
            containers: [{ name: 'c', image: 'c2' }],
            volumes: [{ name: 'v', $retainKeys: ['name', 'configMap'], configMap: { name: 'cm' } }],
          },
        },
      },
    },
    'apiserver',
  );
  assert.deepEqual(merged.metadata.finalizers, ['w', 'y', 'z']);
  assert.deepEqual(names(merged.spec.template.spec.containers), ['c', 'a', 'b']);
  assert.equal(merged.spec.template.spec.containers[0].image, 'c2');
  assert.deepEqual(merged.spec.template.spec.volumes, [{ name: 'v', configMap: { name: 'cm' } }]);
  assert.equal(JSON.stringify(merged).includes('$'), false);
});

test('apiserver flavour: errors the API server would answer with', () => {
  const original = deployment({ containers: [{ name: 'a' }] });
  const bad = (patch: unknown) => strategicMerge(original, patch, { apiVersion: 'apps/v1', kind: 'Deployment' }, { flavor: 'apiserver' });
  assert.equal(bad({ spec: { template: { spec: { containers: [{ image: 'no-name' }] } } } }).ok, false);
  assert.equal(bad({ spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } } }).ok, false);
  assert.equal(bad({ spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } }).ok, false);
  assert.equal(bad({ spec: { template: { $patch: 'merge' } } }).ok, false);
  assert.equal(bad({ spec: { template: { spec: { volumes: [{ name: 'v', $retainKeys: ['name'], emptyDir: {} }] } } } }).ok, true);
  assert.equal(bad({ spec: { template: { spec: { containers: [{ name: 'a', $retainKeys: ['name'], image: 'x' }] } } } }).ok, false);
  assert.equal(merge(original, { $patch: 'delete' }, 'apiserver'), null);
});

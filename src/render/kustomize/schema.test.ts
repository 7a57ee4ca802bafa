import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKustomization } from './schema.js';

test('deprecated spellings move to their current fields', () => {
  const r = decodeKustomization(
    { bases: ['../b'], resources: ['a.yaml'], imageTags: [{ name: 'x', newTag: '1' }], patches: ['p.yaml'], configMapGenerator: [{ name: 'c', env: 'x.env' }] },
    'k.yaml',
  );
  assert.ok(r.ok);
  assert.deepEqual(r.value.resources, ['a.yaml', '../b']);
  assert.deepEqual(r.value.images, [{ name: 'x', newTag: '1' }]);
  assert.deepEqual(r.value.patchesStrategicMerge, ['p.yaml']);
  assert.deepEqual(r.value.configMapGenerator, [{ name: 'c', envs: ['x.env'] }]);
});

test('numbers and booleans are not strings, as in kustomize; nulls are absent, or empty in maps', () => {
  const r = decodeKustomization({ commonLabels: { enabled: null }, namePrefix: null, resources: null }, 'k.yaml');
  assert.ok(r.ok);
  assert.deepEqual(r.value, { commonLabels: { enabled: '' } });
  for (const value of [{ commonLabels: { port: 8080 } }, { namePrefix: true }, { resources: [1] }]) {
    const bad = decodeKustomization(value, 'k.yaml');
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.issues[0]!.message, /expected a string \(quote the value\)/);
  }
});

test('unknown fields and wrong types name the field path and suggest the near name', () => {
  const cases: [unknown, string, RegExp][] = [
    [{ commonLabel: {} }, 'commonLabel', /did you mean "commonLabels"/],
    [{ patches: [{ target: { kindd: 'X' } }] }, 'patches[0].target.kindd', /unknown field/],
    [{ replicas: [{ name: 'x', count: 'three' }] }, 'replicas[0].count', /expected an integer/],
    [{ generatorOptions: { disableNameSuffixHash: 'yes' } }, 'generatorOptions.disableNameSuffixHash', /true or false/],
    [{ sortOptions: { order: 'random' } }, 'sortOptions.order', /fifo, legacy/],
    [{ configMapGenerator: [{ name: 'x', behavior: 'upsert' }] }, 'configMapGenerator[0].behavior', /unknown generation behavior/],
  ];
  for (const [value, field, message] of cases) {
    const r = decodeKustomization(value, 'k.yaml');
    assert.equal(r.ok, false, field);
    if (r.ok) continue;
    assert.equal(r.issues[0]!.code, 'RENDER_KUSTOMIZATION_INVALID');
    assert.equal(r.issues[0]!.field, field);
    assert.match(r.issues[0]!.message, message);
    assert.match(r.issues[0]!.message, /^k\.yaml: /);
  }
});

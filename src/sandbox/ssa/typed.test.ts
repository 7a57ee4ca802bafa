import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { schemaFor } from './schema.js';
import { compareObjects, mergeValues, removeItems } from './typed.js';
import { FieldSet } from './field-set.js';
import { fieldElement as f, keyElement } from './path-element.js';

const pod = schemaFor({ group: '', version: 'v1', kind: 'Pod' });
const c = (name: string, image = name) => ({ name, image });
const spec = (containers: unknown[]) => ({ spec: { containers } });

describe('merge', () => {
  it('merges list-map items by key in structured-merge-diff order', () => {
    const merged = (live: string[], applied: string[]) =>
      ((mergeValues(spec(live.map((n) => c(n))), spec(applied.map((n) => c(n, `${n}2`))), pod) as { spec: { containers: Array<{ name: string }> } }).spec.containers).map((x) => x.name);
    assert.deepEqual(merged(['a', 'b'], ['a', 'x', 'b']), ['a', 'x', 'b']);
    assert.deepEqual(merged(['a', 'b', 'c'], ['c', 'a']), ['b', 'c', 'a']);
    assert.deepEqual(merged(['a', 'b'], ['z']), ['a', 'b', 'z']);
  });

  it('keeps live fields the configuration does not mention and replaces atomic lists', () => {
    const live = { spec: { containers: [{ name: 'a', image: 'i', args: ['1', '2'], imagePullPolicy: 'Always' }], restartPolicy: 'Always' } };
    const applied = { spec: { containers: [{ name: 'a', image: 'j', args: ['3'] }] } };
    assert.deepEqual(mergeValues(live, applied, pod), { spec: { containers: [{ name: 'a', image: 'j', args: ['3'], imagePullPolicy: 'Always' }], restartPolicy: 'Always' } });
  });
});

describe('compare', () => {
  it('marks leaves added, modified and removed, and containers that appear as added themselves', () => {
    const cmp = compareObjects({ spec: { containers: [c('a')] } }, { spec: { containers: [c('b')], nodeSelector: { z: '1' } } }, pod);
    assert.deepEqual(cmp.added.toFieldsV1(), { 'f:spec': { 'f:containers': { 'k:{"name":"b"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:nodeSelector': { '.': {}, 'f:z': {} } } });
    assert.deepEqual(cmp.removed.toFieldsV1(), { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } });
    assert.ok(cmp.modified.isEmpty());
  });
});

describe('removeItems', () => {
  it('removes members with their subtree and drops what becomes empty', () => {
    const set = FieldSet.fromPaths([[f('spec'), f('containers'), keyElement([['name', 'a']])], [f('spec'), f('nodeSelector'), f('z')]]);
    assert.deepEqual(removeItems({ spec: { containers: [c('a'), c('b')], nodeSelector: { z: '1' } } }, set, pod), { spec: { containers: [c('b')] } });
  });
});

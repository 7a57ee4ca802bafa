import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FieldSet } from './field-set.js';
import { fieldElement as f, keyElement } from './path-element.js';

const k = (name: string) => keyElement([['name', name]]);

describe('FieldSet', () => {
  it('prints FieldsV1 with "." first and elements in the server order', () => {
    const set = FieldSet.fromPaths([
      [f('spec'), f('containers'), k('web'), f('name')],
      [f('spec'), f('containers'), k('web')],
      [f('spec'), f('containers'), k('side')],
      [f('spec'), f('containers'), k('side'), f('image')],
      [f('spec'), f('replicas')],
      [f('metadata'), f('labels'), f('app')],
    ]);
    const json = JSON.stringify(set.toFieldsV1());
    assert.equal(json, '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"side\\"}":{".":{},"f:image":{}},"k:{\\"name\\":\\"web\\"}":{".":{},"f:name":{}}},"f:replicas":{}}}');
    assert.ok(FieldSet.fromFieldsV1(set.toFieldsV1()).equals(set));
  });

  it('reads a leaf as a member and a node with "." as member with children', () => {
    const set = FieldSet.fromFieldsV1({ 'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Ready"}': { '.': {}, 'f:status': {} } } } });
    assert.ok(set.has([f('status'), f('conditions')]));
    assert.ok(set.has([f('status'), f('conditions'), keyElement([['type', 'Ready']])]));
    assert.ok(!set.has([f('status')]));
  });

  it('has per-path difference and intersection, and a recursive difference', () => {
    const a = FieldSet.fromPaths([[f('data'), f('a')], [f('data'), f('b')], [f('x')], [f('x'), f('y')]]);
    const b = FieldSet.fromPaths([[f('data'), f('a')], [f('x')]]);
    assert.deepEqual(a.difference(b).toFieldsV1(), { 'f:data': { 'f:b': {} }, 'f:x': { 'f:y': {} } });
    assert.deepEqual(a.recursiveDifference(b).toFieldsV1(), { 'f:data': { 'f:b': {} } });
    assert.deepEqual(a.intersection(b).toFieldsV1(), { 'f:data': { 'f:a': {} }, 'f:x': {} });
    assert.deepEqual(b.union(FieldSet.fromPaths([[f('data'), f('c')]])).toFieldsV1(), { 'f:data': { 'f:a': {}, 'f:c': {} }, 'f:x': {} });
    assert.ok(a.difference(a).isEmpty());
  });

  it('iterates members before children, as conflicts are listed', () => {
    const set = FieldSet.fromPaths([[f('spec'), f('template'), f('x')], [f('spec'), f('replicas')]]);
    assert.deepEqual(set.paths().map((p) => p.map((e) => (e.kind === 'field' ? e.name : '?')).join('.')), ['spec.replicas', 'spec.template.x']);
  });
});

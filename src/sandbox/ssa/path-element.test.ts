import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { comparePathElements, fieldElement, formatFieldPath, goJson, keyElement, parsePathElement, serializePathElement, type PathElement } from './path-element.js';

describe('path elements', () => {
  it('serialises list-map keys sorted by field name, as the server prints them', () => {
    assert.equal(serializePathElement(keyElement([['protocol', 'TCP'], ['containerPort', 80]])), 'k:{"containerPort":80,"protocol":"TCP"}');
    assert.equal(serializePathElement(keyElement([['name', 'web']])), 'k:{"name":"web"}');
    assert.equal(serializePathElement(fieldElement('kubectl.kubernetes.io/last-applied-configuration')), 'f:kubectl.kubernetes.io/last-applied-configuration');
    assert.equal(serializePathElement({ kind: 'value', value: 'kubernetes' }), 'v:"kubernetes"');
    assert.equal(serializePathElement({ kind: 'index', index: 3 }), 'i:3');
  });

  it('escapes JSON as Go does (HTML characters too)', () => {
    assert.equal(serializePathElement(keyElement([['name', 'a<b>&"c"']])), 'k:{"name":"a\\u003cb\\u003e\\u0026\\"c\\""}');
    assert.equal(goJson({ b: 1, a: [true, null] }), '{"a":[true,null],"b":1}');
  });

  it('parses what it serialises', () => {
    const elements: PathElement[] = [fieldElement('data'), keyElement([['port', 443], ['protocol', 'UDP']]), { kind: 'value', value: 42 }, { kind: 'index', index: 0 }];
    for (const pe of elements) assert.deepEqual(parsePathElement(serializePathElement(pe)), pe);
    assert.deepEqual(parsePathElement('k:{"protocol":"TCP","containerPort":80}'), keyElement([['containerPort', 80], ['protocol', 'TCP']]));
    assert.equal(parsePathElement('x:unknown'), undefined);
  });

  it('orders fields, then keys, then values, then indexes; fields by bytes', () => {
    const list: PathElement[] = [{ kind: 'index', index: 1 }, { kind: 'value', value: 'a' }, keyElement([['name', 'b']]), fieldElement('b'), fieldElement('B'), keyElement([['name', 'a']])];
    const sorted = [...list].sort(comparePathElements).map(serializePathElement);
    assert.deepEqual(sorted, ['f:B', 'f:b', 'k:{"name":"a"}', 'k:{"name":"b"}', 'v:"a"', 'i:1']);
    // numbers sort before strings, as value.Compare orders them
    assert.ok(comparePathElements({ kind: 'value', value: 9 }, { kind: 'value', value: '1' }) < 0);
  });

  it('prints paths as conflict messages do', () => {
    assert.equal(formatFieldPath([fieldElement('data'), fieldElement('a')]), '.data.a');
    assert.equal(
      formatFieldPath([fieldElement('spec'), fieldElement('containers'), keyElement([['name', 'web']]), fieldElement('ports'), keyElement([['protocol', 'TCP'], ['containerPort', 80]])]),
      '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]',
    );
    assert.equal(formatFieldPath([fieldElement('metadata'), fieldElement('finalizers'), { kind: 'value', value: 'x' }]), '.metadata.finalizers[="x"]');
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { toolPath } from '../../../scripts/tools.js';
import { applyJsonPatch, parseJsonPatch, parsePointer, validateOperations, type JsonPatchOperation } from './json6902.js';

type Doc = Record<string, any>;

function apply(doc: unknown, operations: JsonPatchOperation[]): any {
  const result = applyJsonPatch(doc, operations, { file: 'ops.yaml', field: 'patches[0]' });
  if (!result.ok) throw result.issues[0];
  return result.value;
}

function failure(doc: unknown, operations: JsonPatchOperation[]): string {
  const result = applyJsonPatch(doc, operations, { file: 'ops.yaml', field: 'patches[0]' });
  assert.equal(result.ok, false, 'the patch should fail');
  if (result.ok) return '';
  assert.equal(result.issues[0]!.code, 'RENDER_PATCH_INVALID');
  assert.equal(result.issues[0]!.file, 'ops.yaml');
  return result.issues[0]!.message;
}

test('every case in testdata/json6902-cases.yaml patches exactly as kustomize build does', () => {
  const cases = parseAllDocuments(readFileSync(new URL('./testdata/json6902-cases.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as Doc);
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-json6902-'));
  try {
    const resources: Doc[] = [];
    const ours = new Map<string, unknown>();
    cases.forEach((c, i) => {
      const name = `case-${i}`;
      const resource = { ...c.resource, metadata: { ...c.resource.metadata, name } };
      resources.push(resource);
      ours.set(name, apply(resource, c.ops));
    });
    writeFileSync(join(dir, 'resources.yaml'), resources.map((r) => stringify(r)).join('---\n'));
    const patches = cases.map((c, i) => ({ target: { name: `case-${i}` }, patch: JSON.stringify(c.ops) }));
    writeFileSync(join(dir, 'kustomization.yaml'), stringify({ resources: ['resources.yaml'], patches }));
    const output = execFileSync(toolPath('kubectl'), ['kustomize', dir], { encoding: 'utf8' });
    const theirs = new Map<string, unknown>();
    for (const doc of parseAllDocuments(output, { version: '1.1' })) {
      const value = doc.toJS() as Doc;
      theirs.set(value.metadata.name, value);
    }
    cases.forEach((c, i) => assert.deepEqual(ours.get(`case-${i}`), theirs.get(`case-${i}`), `case ${i}: ${c.name}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('patches are read from YAML or JSON text', () => {
  const yaml = parseJsonPatch('- op: add\n  path: /a\n  value: 1\n');
  const json = parseJsonPatch('[{"op": "add", "path": "/a", "value": 1}]');
  assert.ok(yaml.ok && json.ok);
  if (yaml.ok && json.ok) assert.deepEqual(yaml.value, json.value);
  assert.equal(parseJsonPatch('op: add').ok, false);
});

test('operations are validated with their index', () => {
  const cases: [unknown[], RegExp][] = [
    [[{ op: 'frobnicate', path: '/a' }], /operation 0 has op "frobnicate"/],
    [[{ op: 'add', path: '/a', value: 1 }, { op: 'add', value: 1 }], /operation 1 \(add\) has no path/],
    [[{ op: 'move', path: '/a' }], /operation 0 \(move\) has no from/],
    [[{ op: 'replace', path: '/a' }], /operation 0 \(replace \/a\) has no value/],
    [['add'], /operation 0 is not a map/],
  ];
  for (const [ops, message] of cases) {
    const result = validateOperations(ops, { file: 'p.yaml' });
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.issues[0]!.message, message);
  }
});

test('pointers unescape ~1 and ~0', () => {
  assert.deepEqual(parsePointer('/metadata/annotations/a~1b~0c'), ['metadata', 'annotations', 'a/b~c']);
  assert.deepEqual(parsePointer(''), []);
  assert.equal(parsePointer('metadata'), undefined);
  assert.deepEqual(parsePointer('/a/~01'), ['a', '~1']);
});

test('failures name the operation index and path', () => {
  const doc = { spec: { replicas: 2, list: ['a'] } };
  assert.match(failure(doc, [{ op: 'remove', path: '/spec/externalTrafficPolicy' }]), /^ops\.yaml: patches\[0\]: operation 0 \(remove \/spec\/externalTrafficPolicy\): there is nothing/);
  assert.match(failure(doc, [{ op: 'add', path: '/spec/x', value: 1 }, { op: 'test', path: '/spec/replicas', value: 3 }]), /operation 1 \(test \/spec\/replicas\): test failed: \/spec\/replicas is 2, not 3/);
  assert.match(failure(doc, [{ op: 'test', path: '/spec/replicas', value: '2' }]), /test failed/);
  assert.match(failure(doc, [{ op: 'add', path: '/missing/x', value: 1 }]), /the document has no \/missing\/x/);
  assert.match(failure(doc, [{ op: 'add', path: '/spec/list/2', value: 1 }]), /index 2 is out of range/);
  assert.match(failure(doc, [{ op: 'remove', path: '/spec/list/1' }]), /index 1 is out of range/);
  assert.match(failure(doc, [{ op: 'replace', path: '/spec/list/-', value: 1 }]), /"-" is not an array index/);
  assert.match(failure(doc, [{ op: 'move', from: '/spec', path: '/spec/inner' }]), /the document has no \/spec\/inner/);
  assert.match(failure(doc, [{ op: 'copy', from: '/nothing', path: '/x' }]), /nothing at \/nothing to copy/);
  assert.match(failure(doc, [{ op: 'add', path: 'spec', value: 1 }]), /not a JSON pointer/);
  assert.match(failure(doc, [{ op: 'add', path: '', value: {} }]), /whole document/);
  assert.match(failure(doc, [{ op: 'add', path: '/spec/replicas/x', value: 1 }]), /the document has no/);
});

test('the input is not changed and later operations see earlier ones', () => {
  const doc = { a: { b: 1 } };
  const out = apply(doc, [
    { op: 'add', path: '/a/c', value: { d: 1 } },
    { op: 'add', path: '/a/c/e', value: 2 },
    { op: 'test', path: '/a/c', value: { e: 2, d: 1 } },
  ]);
  assert.deepEqual(out, { a: { b: 1, c: { d: 1, e: 2 } } });
  assert.deepEqual(doc, { a: { b: 1 } });
});

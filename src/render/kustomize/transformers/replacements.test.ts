import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kustomization } from '../kustomization.js';
import { provenanceOf } from '../resource.js';
import { prefixStep } from './name-affix.js';
import { replacementsStep, resolveScalar, splitReplacementPath } from './replacements.js';
import { resourcesFromYaml, stepContext } from './testing.js';

// Expected values were checked against kustomize v5.7.1.
const input = `
apiVersion: v1
kind: ConfigMap
metadata: {name: src}
data: {version: "7", image: "nginx:1.2", domain: preview.example.org}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, labels: {tier: web}}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: c1
        image: registry.example.com/cart:latest
        env: [{name: A, value: "1"}]
      - name: c2
        image: "y"
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: other, labels: {tier: batch}}
spec:
  template:
    spec:
      containers: [{name: c1, image: z}]
`;

function run(replacements: Kustomization['replacements'], files: Record<string, string> = {}) {
  const resources = resourcesFromYaml(input);
  const result = replacementsStep(resources, { replacements }, stepContext(files));
  return { resources, result, objects: resources.map((r) => r.object as Record<string, any>) };
}

test('splitReplacementPath honours escaped dots and bracketed keys', () => {
  assert.deepEqual(splitReplacementPath('spec.template.spec.containers.[name=a.b].image'), ['spec', 'template', 'spec', 'containers', '[name=a.b]', 'image']);
  assert.deepEqual(splitReplacementPath('metadata.annotations.eks\\.amazonaws\\.com/cluster'), ['metadata', 'annotations', 'eks.amazonaws.com/cluster']);
  assert.deepEqual(splitReplacementPath('metadata.annotations.[example.com/x]'), ['metadata', 'annotations', 'example.com/x']);
});

test('a replacement copies a value into list elements chosen by name, keeping the target type', () => {
  const { result, objects, resources } = run([
    {
      source: { kind: 'ConfigMap', name: 'src', fieldPath: 'data.version' },
      targets: [{ select: { kind: 'Deployment', name: 'cart' }, fieldPaths: ['spec.replicas', 'spec.template.spec.containers.[name=c1].env.[name=A].value'] }],
    },
  ]);
  assert.ok(result.ok);
  assert.equal(objects[1]!.spec.replicas, 7, 'an integer field stays an integer');
  assert.equal(objects[1]!.spec.template.spec.containers[0].env[0].value, '7', 'a string field stays a string');
  assert.equal(objects[2]!.spec.replicas, undefined);
  assert.deepEqual(provenanceOf(resources[1]!.provenance, '/spec/replicas'), { file: 'kustomization.yaml', layer: 'transformer', step: 'replacements[0]' });
});

test('list selectors are anchored regular expressions; * takes every element', () => {
  const { objects } = run([
    {
      source: { kind: 'ConfigMap', name: 'src', fieldPath: 'data.version' },
      targets: [{ select: { kind: 'Deployment', name: 'cart' }, fieldPaths: ['spec.template.spec.containers.[name=c.*].image', 'spec.template.spec.containers.*.name'] }],
    },
  ]);
  assert.deepEqual(objects[1]!.spec.template.spec.containers.map((c: { image: string; name: string }) => [c.name, c.image]), [
    ['7', '7'],
    ['7', '7'],
  ]);
});

test('delimiter and index read one segment of the source and write one segment of the target', () => {
  const { objects } = run([
    {
      source: { kind: 'ConfigMap', name: 'src', fieldPath: 'data.version' },
      targets: [{ select: { kind: 'Deployment', name: 'cart' }, fieldPaths: ['spec.template.spec.containers.0.image'], options: { delimiter: ':', index: 1 } }],
    },
    {
      source: { kind: 'ConfigMap', name: 'src', fieldPath: 'data.domain', options: { delimiter: '.', index: 0 } },
      targets: [{ select: { kind: 'Deployment', name: 'cart' }, fieldPaths: ['metadata.labels.tier'], options: { delimiter: '-', index: 5 } }],
    },
  ]);
  assert.equal(objects[1]!.spec.template.spec.containers[0].image, 'registry.example.com/cart:7');
  assert.equal(objects[1]!.metadata.labels.tier, 'web-preview', 'an index past the end appends');
});

test('create adds missing fields and list elements; without it a missing field is an error', () => {
  const { objects } = run([
    {
      source: { kind: 'ConfigMap', name: 'src', fieldPath: 'data.image' },
      targets: [
        {
          select: { kind: 'Deployment', name: 'cart' },
          fieldPaths: ['metadata.annotations.example\\.com/image', 'spec.template.spec.containers.[name=c3].image'],
          options: { create: true },
        },
      ],
    },
  ]);
  assert.equal(objects[1]!.metadata.annotations['example.com/image'], 'nginx:1.2');
  assert.deepEqual(objects[1]!.spec.template.spec.containers[2], { name: 'c3', image: 'nginx:1.2' });
  const { result } = run([{ source: { kind: 'ConfigMap', name: 'src', fieldPath: 'data.version' }, targets: [{ select: { kind: 'Deployment' }, fieldPaths: ['spec.replicas'] }] }]);
  assert.equal(result.ok, false, "the Deployment named other has no spec.replicas");
  if (!result.ok) assert.match(result.issues[0]!.message, /Deployment\/other: unable to find field "spec.replicas"/);
});

test('a created field takes the type its text reads as; annotations stay strings', () => {
  const { objects } = run([
    {
      source: { kind: 'ConfigMap', name: 'src', fieldPath: 'data.version' },
      targets: [{ select: { kind: 'Deployment', name: 'other' }, fieldPaths: ['spec.minReadySeconds', 'metadata.annotations.version'], options: { create: true } }],
    },
  ]);
  assert.equal(objects[2]!.spec.minReadySeconds, 7);
  assert.equal(objects[2]!.metadata.annotations.version, '7');
  assert.deepEqual([resolveScalar('true'), resolveScalar('yes'), resolveScalar('0x10'), resolveScalar(''), resolveScalar('1.50')], [true, 'yes', 16, null, 1.5]);
});

test('select and reject narrow the targets by kind, name, labels and any earlier name', () => {
  const resources = resourcesFromYaml(input);
  prefixStep(resources, { namePrefix: 'p-' }, stepContext());
  const result = replacementsStep(
    resources,
    {
      replacements: [
        {
          source: { kind: 'ConfigMap', name: 'src', fieldPath: 'data.version' },
          targets: [{ select: { labelSelector: 'tier' }, reject: [{ name: 'cart' }], fieldPaths: ['metadata.annotations.v'], options: { create: true } }],
        },
      ],
    },
    stepContext(),
  );
  assert.ok(result.ok);
  assert.deepEqual(
    resources.map((r) => r.object.metadata.annotations?.v),
    [undefined, undefined, '7'],
    'p-cart is rejected by its name before the prefix; the ConfigMap has no tier label',
  );
});

test('replacement selectors are exact names, not regular expressions', () => {
  const { objects } = run([{ source: { kind: 'ConfigMap', name: 'src' }, targets: [{ select: { kind: 'Deployment', name: 'cart|other' }, fieldPaths: ['spec.replicas'] }] }]);
  assert.equal(objects[1]!.spec.replicas, 1);
});

test('a value that does not fit a typed target field is an error', () => {
  const { result } = run([{ source: { kind: 'ConfigMap', name: 'src', fieldPath: 'data.image' }, targets: [{ select: { kind: 'Deployment', name: 'cart' }, fieldPaths: ['spec.replicas'] }] }]);
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.issues[0]!.message, /cannot write "nginx:1.2" into spec.replicas, which holds a number/);
});

test('replacements can come from a file, and a missing source is RENDER_REPLACEMENT_SOURCE_NOT_FOUND', () => {
  const file = '- source: {kind: ConfigMap, name: src, fieldPath: data.image}\n  targets:\n  - select: {kind: Deployment, name: other}\n    fieldPaths: [spec.template.spec.containers.0.image]\n';
  const { objects, result } = run([{ path: 'replacements/images.yaml' }], { 'replacements/images.yaml': file });
  assert.ok(result.ok);
  assert.equal(objects[2]!.spec.template.spec.containers[0].image, 'nginx:1.2');
  const missing = run([{ source: { kind: 'ConfigMap', name: 'build-info', fieldPath: 'data.sha' }, targets: [{ select: { kind: 'Deployment' } }] }]);
  assert.equal(missing.result.ok, false);
  if (!missing.result.ok) assert.equal(missing.result.issues[0]!.code, 'RENDER_REPLACEMENT_SOURCE_NOT_FOUND');
  const noField = run([{ source: { kind: 'ConfigMap', name: 'src', fieldPath: 'data.nothing' }, targets: [{ select: { kind: 'Deployment' } }] }]);
  assert.equal(noField.result.ok, false);
  if (!noField.result.ok) assert.equal(noField.result.issues[0]!.code, 'RENDER_REPLACEMENT_SOURCE_NOT_FOUND');
});

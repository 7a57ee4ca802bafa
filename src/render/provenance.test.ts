import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainFields, formatProvenance } from './provenance.js';
import type { RenderedObject } from './types.js';

const rendered: RenderedObject = {
  object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p-x', namespace: 'ns', labels: { 'app.kubernetes.io/name': 'x' } }, data: { a: '1' }, list: [] },
  provenance: new Map([
    ['', { file: 'base/cm.yaml', layer: 'resource' }],
    ['/metadata/name', { file: 'overlay/kustomization.yaml', layer: 'transformer', step: 'namePrefix' }],
    ['/metadata/labels', { file: 'overlay/kustomization.yaml', layer: 'transformer', step: 'labels[0]' }],
  ]),
};

test('explainFields lists every leaf with its own entry or its nearest ancestor’s', () => {
  const fields = explainFields(rendered);
  const byPath = Object.fromEntries(fields.map((f) => [f.path, f.source?.step ?? f.source?.file]));
  assert.deepEqual(byPath, {
    apiVersion: 'base/cm.yaml',
    'data.a': 'base/cm.yaml',
    kind: 'base/cm.yaml',
    list: 'base/cm.yaml',
    'metadata.labels["app.kubernetes.io/name"]': 'labels[0]',
    'metadata.name': 'namePrefix',
    'metadata.namespace': 'base/cm.yaml',
  });
  assert.equal(fields.find((f) => f.path === 'metadata.labels["app.kubernetes.io/name"]')?.pointer, '/metadata/labels/app.kubernetes.io~1name');
});

test('formatProvenance heads the object with Kind/namespace/name and names file, step and layer per field', () => {
  const text = formatProvenance(rendered);
  assert.match(text, /^# ConfigMap\/ns\/p-x\n/);
  assert.match(text, /metadata\.name\s+"p-x"\s+← overlay\/kustomization\.yaml namePrefix \(transformer\)/);
  assert.match(text, /data\.a\s+"1"\s+← base\/cm\.yaml \(resource\)/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../manifest/index.js';
import { mergeFieldSpecs, splitFieldPath, visitFieldSpec } from './field-spec.js';

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } } },
  };
}

test('splitFieldPath keeps escaped slashes inside one field name', () => {
  assert.deepEqual(splitFieldPath('spec/template/metadata/labels'), ['spec', 'template', 'metadata', 'labels']);
  assert.deepEqual(splitFieldPath('metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret'), ['metadata', 'annotations', 'nginx.ingress.kubernetes.io/auth-secret']);
});

test('visitFieldSpec enters every element of a list met on the way', () => {
  const seen: string[] = [];
  const result = visitFieldSpec(deployment(), { path: 'spec/template/spec/containers[]/image' }, (f) => void seen.push(`${f.path.join('.')}=${String(f.value)}`));
  assert.ok(result.ok);
  assert.deepEqual(seen, ['spec.template.spec.containers.0.image=x', 'spec.template.spec.containers.1.image=y']);
});

test('visitFieldSpec only applies to the group, version and kind it names', () => {
  let calls = 0;
  visitFieldSpec(deployment(), { path: 'metadata/name', kind: 'StatefulSet' }, () => void calls++);
  visitFieldSpec(deployment(), { path: 'metadata/name', group: 'batch', kind: 'Deployment' }, () => void calls++);
  assert.equal(calls, 0);
  visitFieldSpec(deployment(), { path: 'metadata/name', group: 'apps', version: 'v1', kind: 'Deployment' }, () => void calls++);
  assert.equal(calls, 1);
});

test('visitFieldSpec creates missing maps only when the spec says create and never through a [] list', () => {
  const object = deployment();
  visitFieldSpec(object, { path: 'spec/template/metadata/labels', create: true }, (f) => f.set({ ...(f.value as object), a: 'b' }), { createKind: 'map' });
  assert.deepEqual((object.spec as { template: { metadata: unknown } }).template.metadata, { labels: { a: 'b' } });
  const untouched = deployment();
  visitFieldSpec(untouched, { path: 'spec/selector/matchLabels' }, () => assert.fail('nothing to visit'), { createKind: 'map' });
  visitFieldSpec(untouched, { path: 'spec/volumeClaimTemplates[]/metadata/labels', create: true }, () => assert.fail('no list, nothing to create'), { createKind: 'map' });
  assert.deepEqual(untouched, deployment());
});

test('visitFieldSpec reports a scalar where the path needs a map', () => {
  const object = deployment();
  (object.spec as Record<string, unknown>).selector = 'app=web';
  const result = visitFieldSpec(object, { path: 'spec/selector/matchLabels', create: true }, () => undefined, { createKind: 'map' });
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.issues[0]!.message, /Deployment\/web: field spec path "spec\/selector\/matchLabels" reaches "spec.selector"/);
});

test('mergeFieldSpecs drops duplicates and rejects two specs that disagree on create', () => {
  const merged = mergeFieldSpecs([{ path: 'metadata/labels', create: true }], [{ path: 'metadata/labels', create: true }, { path: 'spec/x', kind: 'Thing' }]);
  assert.ok(merged.ok);
  if (merged.ok) assert.equal(merged.value.length, 2);
  const conflict = mergeFieldSpecs([{ path: 'metadata/labels', create: true }], [{ path: 'metadata/labels' }]);
  assert.equal(conflict.ok, false);
});

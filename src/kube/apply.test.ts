import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest/index.js';
import { sameAfterApply } from './apply.js';

const live: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'settings',
    namespace: 'web',
    resourceVersion: '41',
    labels: { 'flotilla.dev/release': 'web' },
    managedFields: [
      { manager: 'flotilla', operation: 'Apply', apiVersion: 'v1', time: '2025-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:mode': {} } } },
      { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'v1', time: '2025-01-02T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:extra': {} } } },
    ],
  },
  data: { mode: 'fast', extra: 'x' },
};

function changed(change: (o: KubeObject) => void): KubeObject {
  const copy = structuredClone(live);
  change(copy);
  return copy;
}

test('sameAfterApply ignores what an apply does not change: resourceVersion, status, times, other managers', () => {
  assert.ok(sameAfterApply(live, live));
  assert.ok(sameAfterApply(changed((o) => {
    o.metadata.resourceVersion = '42';
    (o.metadata.managedFields as { time: string }[])[0]!.time = '2026-01-01T00:00:00Z';
    (o.metadata.managedFields as { time: string }[])[1]!.time = '2026-01-01T00:00:00Z';
    o.status = { anything: true };
  }), live));
});

test('sameAfterApply sees value changes, fields changing hands and removed fields', () => {
  assert.equal(sameAfterApply(changed((o) => ((o.data as Record<string, string>).mode = 'slow')), live), false);
  assert.equal(sameAfterApply(changed((o) => ((o.metadata.managedFields as { fieldsV1: unknown }[])[0]!.fieldsV1 = { 'f:data': { 'f:mode': {}, 'f:extra': {} } })), live), false);
  assert.equal(sameAfterApply(changed((o) => delete (o.metadata.labels as Record<string, string>)['flotilla.dev/release']), live), false);
});

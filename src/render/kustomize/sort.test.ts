import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../manifest/index.js';
import { sortResources } from './sort.js';
import type { Resource } from './resource.js';

const r = (apiVersion: string, kind: string, name: string, namespace?: string): Resource => ({
  object: { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } } as KubeObject,
  provenance: new Map(),
  history: [],
});
const names = (list: Resource[]) => list.map((x) => `${x.object.kind}/${x.object.metadata.namespace ?? ''}/${x.object.metadata.name}`);

test('legacy order: kind priority, then group/version/kind with the core group last, then namespace and name', () => {
  const input = [
    r('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'v'),
    r('v1', 'Pod', 'p'),
    r('apps/v1', 'DaemonSet', 'd'),
    r('apps/v1', 'Deployment', 'b', 'z'),
    r('apps/v1', 'Deployment', 'a', 'z'),
    r('apps/v1', 'Deployment', 'c'),
    r('v1', 'Namespace', 'z'),
  ];
  assert.deepEqual(names(sortResources(input, undefined)), [
    'Namespace//z',
    'Deployment/z/a',
    'Deployment/z/b',
    'Deployment//c',
    'DaemonSet//d',
    'Pod//p',
    'ValidatingWebhookConfiguration//v',
  ]);
});

test('fifo keeps the order; custom orderFirst/orderLast replace the default lists', () => {
  const input = [r('v1', 'Service', 's'), r('v1', 'ConfigMap', 'c'), r('v1', 'Namespace', 'n')];
  assert.deepEqual(names(sortResources([...input], { order: 'fifo' })), ['Service//s', 'ConfigMap//c', 'Namespace//n']);
  assert.deepEqual(names(sortResources([...input], { order: 'legacy', legacySortOptions: { orderFirst: ['Service'], orderLast: ['Namespace'] } })), [
    'Service//s',
    'ConfigMap//c',
    'Namespace//n',
  ]);
});

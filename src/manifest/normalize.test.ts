import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeForApply } from './normalize.js';
import type { KubeObject } from './types.js';

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'shop' },
  spec: {
    template: {
      spec: {
        initContainers: [{ name: 'wait', image: 'busybox', ports: [{ containerPort: 9000 }] }],
        containers: [
          { name: 'api', image: 'api:1', ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 53, protocol: 'UDP' }] },
          { name: 'sidecar', image: 'proxy:1' },
        ],
      },
    },
  },
};

test('fills protocol TCP on container and init container ports that have none, and records where', () => {
  const { object, filled } = normalizeForApply(deployment);
  const podSpec = (object.spec as any).template.spec;
  assert.deepEqual(podSpec.containers[0].ports, [{ containerPort: 8080, name: 'http', protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }]);
  assert.deepEqual(podSpec.initContainers[0].ports, [{ containerPort: 9000, protocol: 'TCP' }]);
  assert.deepEqual(filled.map((f) => f.path), ['/spec/template/spec/initContainers/0/ports/0/protocol', '/spec/template/spec/containers/0/ports/0/protocol']);
  assert.ok(filled.every((f) => f.value === 'TCP' && f.reason.includes('merge key')));
});

test('does not change its input', () => {
  const before = structuredClone(deployment);
  normalizeForApply(deployment);
  assert.deepEqual(deployment, before);
});

test('fills Service ports and the pod spec of a CronJob', () => {
  const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 53, protocol: 'UDP' }] } };
  const result = normalizeForApply(service);
  assert.deepEqual((result.object.spec as any).ports, [{ port: 80, targetPort: 8080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }]);
  assert.deepEqual(result.filled.map((f) => f.path), ['/spec/ports/0/protocol']);

  const cronJob: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 1 }] }] } } } } },
  };
  assert.deepEqual(normalizeForApply(cronJob).filled.map((f) => f.path), ['/spec/jobTemplate/spec/template/spec/containers/0/ports/0/protocol']);
});

test('leaves custom resources and objects without ports alone', () => {
  const custom: KubeObject = { apiVersion: 'example.org/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 1 }] }] } } } };
  assert.deepEqual(normalizeForApply(custom), { object: custom, filled: [] });
  const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
  assert.deepEqual(normalizeForApply(configMap).filled, []);
});

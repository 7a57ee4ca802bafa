import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IgnoreRule } from '../fleet/types.js';
import { parseYamlStream, type KubeObject } from '../manifest/index.js';
import { detectDrift, parseQuantity, type DriftIgnoreRule } from './drift.js';

function fixture(name: string): KubeObject {
  const parsed = parseYamlStream(readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8'), { file: name });
  assert.ok(parsed.ok);
  return parsed.value[0]!.value as KubeObject;
}

const desired = fixture('drift-deployment-desired.yaml');
const live = fixture('drift-deployment-live.yaml');

/** edit returns a copy of the live Deployment changed by `change`, as another actor would. */
function edit(change: (d: any) => void): KubeObject {
  const copy = structuredClone(live);
  change(copy);
  return copy;
}

const apiContainer = (d: any) => d.spec.template.spec.containers.find((c: any) => c.name === 'api');

test('server defaults, status, other managers\' fields, injected sidecars and another order are not drift', () => {
  assert.deepEqual(detectDrift(desired, live), { drifted: false, fields: [] });
});

test('a changed field Flotilla applies is drift, named by its JSON pointer', () => {
  const result = detectDrift(desired, edit((d) => (apiContainer(d).image = 'ghcr.io/acme/api:1.7.0')));
  assert.deepEqual(result, { drifted: true, fields: [{ path: '/spec/template/spec/containers/0/image', desired: 'ghcr.io/acme/api:1.8.2', live: 'ghcr.io/acme/api:1.7.0' }] });
});

test('a removed label, env var or volume mount is drift; keys with a slash are escaped', () => {
  const result = detectDrift(
    desired,
    edit((d) => {
      delete d.metadata.labels['app.kubernetes.io/name'];
      apiContainer(d).env = apiContainer(d).env.filter((e: any) => e.name !== 'LOG_LEVEL');
      apiContainer(d).volumeMounts = [];
    }),
  );
  assert.deepEqual(
    result.fields.map((f) => [f.path, f.desired, f.live]),
    [
      ['/metadata/labels/app.kubernetes.io~1name', 'api', undefined],
      ['/spec/template/spec/containers/0/env/0/name', 'LOG_LEVEL', undefined],
      ['/spec/template/spec/containers/0/env/0/value', 'info', undefined],
      ['/spec/template/spec/containers/0/volumeMounts/0/name', 'config', undefined],
      ['/spec/template/spec/containers/0/volumeMounts/0/mountPath', '/etc/api', undefined],
    ],
  );
});

test('a list of scalars is compared as a whole', () => {
  const result = detectDrift(desired, edit((d) => (apiContainer(d).args = ['serve', '--port=9090'])));
  assert.deepEqual(result.fields, [{ path: '/spec/template/spec/containers/0/args', desired: ['serve', '--port=8080'], live: ['serve', '--port=9090'] }]);
});

test('quantities compare by value', () => {
  const same = edit((d) => {
    apiContainer(d).resources.limits.cpu = '1000m';
    apiContainer(d).resources.requests.cpu = '0.5';
    apiContainer(d).resources.limits.memory = '1024Mi';
  });
  assert.equal(detectDrift(desired, same).drifted, false);
  const bigger = edit((d) => (apiContainer(d).resources.requests.memory = '512Mi'));
  assert.deepEqual(detectDrift(desired, bigger).fields, [{ path: '/spec/template/spec/containers/0/resources/requests/memory', desired: '256Mi', live: '512Mi' }]);
  assert.equal(parseQuantity('1.5Gi'), 1.5 * 2 ** 30);
  assert.equal(parseQuantity('2e3'), 2000);
  assert.equal(parseQuantity('12Q'), undefined);
});

test('ignore rules suppress drift by kind and name glob and by JSON pointer prefix', () => {
  const scaled = edit((d) => {
    d.spec.replicas = 7;
    apiContainer(d).image = 'ghcr.io/acme/api:hotfix';
    apiContainer(d).resources.limits.cpu = '2';
  });
  assert.deepEqual(detectDrift(desired, scaled).fields.map((f) => f.path), [
    '/spec/replicas',
    '/spec/template/spec/containers/0/image',
    '/spec/template/spec/containers/0/resources/limits/cpu',
  ]);
  const ignore: DriftIgnoreRule[] = [
    { kind: 'Deployment', name: '*', paths: ['/spec/replicas'] },
    { group: 'apps', namespace: 'sh*', paths: ['/spec/template/spec/containers/*/resources'] },
  ];
  assert.deepEqual(detectDrift(desired, scaled, { ignore }).fields.map((f) => f.path), ['/spec/template/spec/containers/0/image']);
  // rules for other objects do not apply
  const elsewhere: DriftIgnoreRule[] = [{ kind: 'StatefulSet', paths: ['/spec'] }, { name: 'web-*', paths: ['/spec'] }, { group: '', paths: ['/spec'] }];
  assert.equal(detectDrift(desired, scaled, { ignore: elsewhere }).fields.length, 3);
  // a prefix is a whole segment: /spec/rep does not cover /spec/replicas
  assert.equal(detectDrift(desired, scaled, { ignore: [{ paths: ['/spec/rep'] }] }).fields.length, 3);
});

test('the fleet file\'s IgnoreRule is accepted as it is', () => {
  const fromFleet: IgnoreRule = { kind: 'Deployment', name: '*', paths: ['/spec/replicas'] };
  assert.equal(detectDrift(desired, edit((d) => (d.spec.replicas = 1)), { ignore: [fromFleet] }).drifted, false);
});

test('a live object that is gone is drift', () => {
  assert.deepEqual(detectDrift(desired, undefined), { drifted: true, missing: true, fields: [] });
});

test('Service ports without protocol match the live ports the server defaulted', () => {
  const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } };
  const liveService: KubeObject = {
    ...service,
    spec: { clusterIP: '10.96.0.12', type: 'ClusterIP', sessionAffinity: 'None', selector: { app: 'api' }, ports: [{ name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9090 }, { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
  };
  assert.equal(detectDrift(service, liveService).drifted, false);
  const udp = structuredClone(liveService);
  (udp.spec as any).ports[1].protocol = 'UDP';
  assert.deepEqual(detectDrift(service, udp).fields.map((f) => f.path), ['/spec/ports/0/name', '/spec/ports/0/port', '/spec/ports/0/targetPort']);
});

test('lists of maps without merge keys compare item by item, so defaults inside items are not drift', () => {
  const desiredIngress: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' }, spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', backend: { service: { name: 'api', port: { number: 80 } } } }] } }] } };
  const liveIngress = structuredClone(desiredIngress);
  (liveIngress.spec as any).rules[0].http.paths[0].pathType = 'ImplementationSpecific';
  assert.equal(detectDrift(desiredIngress, liveIngress).drifted, false);
  (liveIngress.spec as any).rules.push({ host: 'other.example.com' });
  assert.deepEqual(detectDrift(desiredIngress, liveIngress).fields.map((f) => f.path), ['/spec/rules']);
});

test('Secret values are compared by bytes, stringData against data, and never reported', () => {
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, type: 'Opaque', data: { user: Buffer.from('admin').toString('base64') }, stringData: { password: 'hunter2' } };
  const liveSecret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, type: 'Opaque', data: { user: Buffer.from('admin').toString('base64'), password: Buffer.from('hunter2').toString('base64') } };
  assert.deepEqual(detectDrift(secret, liveSecret), { drifted: false, fields: [] });

  const changed = structuredClone(liveSecret);
  (changed.data as any).password = Buffer.from('letmein').toString('base64');
  delete (changed.data as any).user;
  const result = detectDrift(secret, changed);
  assert.deepEqual(result.fields, [
    { path: '/data/user', desired: '(secret value)', masked: true },
    { path: '/stringData/password', desired: '(secret value)', live: '(secret value)', masked: true },
  ]);
  const text = JSON.stringify(result);
  for (const leaked of ['hunter2', 'letmein', 'admin', Buffer.from('letmein').toString('base64'), Buffer.from('hunter2').toString('base64')]) {
    assert.ok(!text.includes(leaked), `the result must not contain ${leaked}`);
  }
});

test('a ConfigMap is not masked', () => {
  const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { LOG_LEVEL: 'info' } };
  assert.deepEqual(detectDrift(configMap, { ...configMap, data: { LOG_LEVEL: 'debug' } }).fields, [{ path: '/data/LOG_LEVEL', desired: 'info', live: 'debug' }]);
});

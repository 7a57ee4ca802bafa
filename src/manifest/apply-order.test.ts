import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderForApply, orderForDelete } from './apply-order.js';
import type { KubeObject } from './types.js';

function obj(apiVersion: string, kind: string, name: string, namespace?: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...extra };
}

const widgetCrd = obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.org', undefined, {
  spec: { group: 'example.org', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true }] },
});
const clusterWidgetCrd = obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'clusterwidgets.example.org', undefined, {
  spec: { group: 'example.org', names: { kind: 'ClusterWidget', plural: 'clusterwidgets' }, scope: 'Cluster', versions: [{ name: 'v1', served: true, storage: true }] },
});

// A release in the order a careless kustomization might list it.
const release: KubeObject[] = [
  obj('example.org/v1', 'Widget', 'w1', 'shop'),
  obj('apps/v1', 'Deployment', 'api', 'shop'),
  obj('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'shop-webhook'),
  obj('v1', 'Service', 'api', 'shop'),
  obj('cert-manager.io/v1', 'ClusterIssuer', 'letsencrypt'),
  obj('example.org/v1', 'ClusterWidget', 'cw'),
  obj('v1', 'ConfigMap', 'api-config', 'shop'),
  obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'shop-reader'),
  obj('v1', 'ServiceAccount', 'api', 'shop'),
  clusterWidgetCrd,
  obj('v1', 'Namespace', 'shop'),
  obj('apiregistration.k8s.io/v1', 'APIService', 'v1beta1.metrics.k8s.io'),
  obj('v1', 'Secret', 'api-secret', 'shop'),
  obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'api', 'shop'),
  widgetCrd,
  obj('v1', 'Namespace', 'billing'),
  obj('storage.k8s.io/v1', 'StorageClass', 'fast'),
];

function names(entries: { object: KubeObject }[]): string[] {
  return entries.map((e) => `${e.object.kind}/${e.object.metadata.namespace ? e.object.metadata.namespace + '/' : ''}${e.object.metadata.name}`);
}

test('applies CRDs, Namespaces, cluster-scoped, namespaced, custom resources, then registrations', () => {
  const ordered = orderForApply(release);
  assert.deepEqual(names(ordered), [
    'CustomResourceDefinition/clusterwidgets.example.org',
    'CustomResourceDefinition/widgets.example.org',
    'Namespace/billing',
    'Namespace/shop',
    'StorageClass/fast',
    'ClusterRole/shop-reader',
    'ServiceAccount/shop/api',
    'Secret/shop/api-secret',
    'ConfigMap/shop/api-config',
    'RoleBinding/shop/api',
    'Service/shop/api',
    'Deployment/shop/api',
    'ClusterIssuer/letsencrypt',
    'ClusterWidget/cw',
    'Widget/shop/w1',
    'ValidatingWebhookConfiguration/shop-webhook',
    'APIService/v1beta1.metrics.k8s.io',
  ]);
  assert.deepEqual(
    ordered.map((e) => e.phase),
    ['CustomResourceDefinition', 'CustomResourceDefinition', 'Namespace', 'Namespace', 'ClusterScoped', 'ClusterScoped', 'Namespaced', 'Namespaced', 'Namespaced', 'Namespaced', 'Namespaced', 'Namespaced', 'CustomResource', 'CustomResource', 'CustomResource', 'Registration', 'Registration'],
  );
});

test('the order does not depend on the input order', () => {
  assert.deepEqual(names(orderForApply([...release].reverse())), names(orderForApply(release)));
});

test('custom resources are flagged with the CRD that must be established, named when it is in the set', () => {
  const byName = new Map(orderForApply(release).map((e) => [e.object.metadata.name, e]));
  assert.deepEqual(byName.get('w1')!.needsEstablished, { group: 'example.org', kind: 'Widget', crd: 'widgets.example.org' });
  assert.equal(byName.get('w1')!.scope, 'Namespaced');
  assert.deepEqual(byName.get('cw')!.needsEstablished, { group: 'example.org', kind: 'ClusterWidget', crd: 'clusterwidgets.example.org' });
  assert.equal(byName.get('cw')!.scope, 'Cluster');
  // cert-manager's CRD is already in the cluster: no name to wait for, and the scope comes from discovery
  assert.deepEqual(byName.get('letsencrypt')!.needsEstablished, { group: 'cert-manager.io', kind: 'ClusterIssuer' });
  assert.equal(byName.get('letsencrypt')!.scope, undefined);
  assert.equal(byName.get('api')!.needsEstablished, undefined);
});

test('discovery scopes fill in custom kinds whose CRD is not in the set', () => {
  const ordered = orderForApply([obj('cert-manager.io/v1', 'ClusterIssuer', 'le')], { scopes: new Map([['cert-manager.io ClusterIssuer', 'Cluster']]) });
  assert.equal(ordered[0]!.scope, 'Cluster');
  assert.equal(ordered[0]!.phase, 'CustomResource');
});

test('a kind named like a built-in one in another group is a custom resource', () => {
  const [entry] = orderForApply([obj('example.org/v1', 'Deployment', 'd', 'shop')]);
  assert.equal(entry!.phase, 'CustomResource');
});

test('deletes in the reverse order: custom resources first, Namespaces and CRDs last', () => {
  const refs = release.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name }));
  const deleted = orderForDelete(refs).map((e) => `${e.object.kind}/${e.object.name}`);
  assert.deepEqual(deleted, names(orderForApply(release)).map((n) => n.split('/')[0] + '/' + n.split('/').at(-1)).reverse());
  assert.equal(deleted[0], 'APIService/v1beta1.metrics.k8s.io');
  assert.equal(deleted.at(-1), 'CustomResourceDefinition/clusterwidgets.example.org');
});

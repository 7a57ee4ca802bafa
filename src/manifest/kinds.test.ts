import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinKinds, customResourceScopes, isNamespacedKind, kubernetesScope, kustomizeClusterScopedKinds } from './kinds.js';

test('isNamespacedKind knows the cluster-scoped kinds kustomize knows, by exact apiVersion', () => {
  for (const [apiVersion, kind] of [
    ['v1', 'Namespace'],
    ['v1', 'PersistentVolume'],
    ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
    ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
    ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
    ['scheduling.k8s.io/v1', 'PriorityClass'],
    ['storage.k8s.io/v1', 'StorageClass'],
    ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'],
    ['apiregistration.k8s.io/v1', 'APIService'],
  ] as const) {
    assert.equal(isNamespacedKind(apiVersion, kind), false, `${apiVersion} ${kind}`);
  }
  for (const [apiVersion, kind] of [
    ['v1', 'ConfigMap'],
    ['apps/v1', 'Deployment'],
    ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
    // kustomize v5.7.1 does not know these versions or kinds, so it namespaces them
    ['rbac.authorization.k8s.io/v1alpha1', 'ClusterRole'],
    ['flowcontrol.apiserver.k8s.io/v1', 'FlowSchema'],
    ['admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy'],
    ['example.com/v1', 'Widget'],
  ] as const) {
    assert.equal(isNamespacedKind(apiVersion, kind), true, `${apiVersion} ${kind}`);
  }
});

test('isNamespacedKind given a bare group matches any version of it', () => {
  assert.equal(isNamespacedKind('rbac.authorization.k8s.io', 'ClusterRole'), false);
  assert.equal(isNamespacedKind('', 'Namespace'), false);
  assert.equal(isNamespacedKind('', 'Service'), true);
  assert.equal(isNamespacedKind('apps', 'Deployment'), true);
});

test('kubernetesScope gives the real scope, including kinds kustomize does not know and CRD-declared ones', () => {
  assert.equal(kubernetesScope('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy'), 'Cluster');
  assert.equal(kubernetesScope('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema'), 'Cluster');
  assert.equal(kubernetesScope('apps/v1', 'Deployment'), 'Namespaced');
  assert.equal(kubernetesScope('v1', 'Namespace'), 'Cluster');
  assert.equal(kubernetesScope('example.com/v1', 'Widget'), undefined);
  const custom = customResourceScopes([
    { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', spec: { group: 'example.com', scope: 'Cluster', names: { kind: 'Widget' } } },
    { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Gadget' } } },
    { apiVersion: 'v1', kind: 'ConfigMap' },
  ]);
  assert.equal(kubernetesScope('example.com/v1', 'Widget', custom), 'Cluster');
  assert.equal(kubernetesScope('example.com', 'Gadget', custom), 'Namespaced');
});

test('every kind kustomize calls cluster-scoped is cluster-scoped in the built-in table too', () => {
  for (const { apiVersion, kind } of kustomizeClusterScopedKinds) {
    if (kind === 'NodeProxyOptions') continue; // a subresource option type, not an object kind
    assert.equal(kubernetesScope(apiVersion, kind), 'Cluster', `${apiVersion} ${kind}`);
  }
  const keys = builtinKinds.map((k) => `${k.group} ${k.kind}`);
  assert.equal(new Set(keys).size, keys.length, 'one entry per group and kind');
});

// Found by the fuzz suite (test/fuzz): kustomize builds keep objects without apiVersion, and
// asking for their scope threw instead of answering as for the core group.
test('isNamespacedKind and kubernetesScope take a missing apiVersion as the core group', () => {
  assert.equal(isNamespacedKind(undefined as unknown as string, 'Deployment'), true);
  assert.equal(isNamespacedKind(undefined as unknown as string, 'Namespace'), false);
  assert.doesNotThrow(() => kubernetesScope(undefined as unknown as string, 'Deployment'));
});

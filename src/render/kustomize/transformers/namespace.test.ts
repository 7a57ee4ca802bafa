import { test } from 'node:test';
import assert from 'node:assert/strict';
import { provenanceOf } from '../resource.js';
import { namespaceStep } from './namespace.js';
import { resourcesFromYaml, stepContext } from './testing.js';

// Expected values below were checked against kustomize v5.7.1 (kubectl kustomize).
const input = `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: elsewhere}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: policy}
---
apiVersion: v1
kind: Namespace
metadata: {name: old}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
subjects:
- {kind: ServiceAccount, name: default, namespace: other}
- {kind: Group, name: default}
- {kind: ServiceAccount, name: unknown, namespace: other}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.example.com}
spec: {group: example.com}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  conversion:
    webhook:
      clientConfig:
        service: {name: conv, namespace: old}
`;

test('namespace goes on namespaced and unknown kinds only, replacing other values', () => {
  const resources = resourcesFromYaml(input);
  const result = namespaceStep(resources, { namespace: 'team' }, stepContext());
  assert.ok(result.ok);
  const ns = Object.fromEntries(resources.map((r) => [`${r.object.kind}/${r.object.metadata.name}`, r.object.metadata.namespace]));
  assert.equal(ns['ConfigMap/settings'], 'team');
  assert.equal(ns['Widget/w'], 'team');
  // kustomize v5.7.1 does not know this kind, so it treats it as namespaced
  assert.equal(ns['ValidatingAdmissionPolicy/policy'], 'team');
  assert.equal(ns['ClusterRole/reader'], undefined);
  assert.equal(ns['ClusterRoleBinding/crb'], undefined);
  assert.equal(ns['CustomResourceDefinition/widgets.example.com'], undefined);
});

test('namespace renames a v1 Namespace object and sets the service namespaces of APIServices and CRD conversion webhooks', () => {
  const resources = resourcesFromYaml(input);
  namespaceStep(resources, { namespace: 'team' }, stepContext());
  const byKind = (kind: string) => resources.find((r) => r.object.kind === kind)!.object as Record<string, any>;
  assert.equal(byKind('Namespace').metadata.name, 'team');
  assert.deepEqual(byKind('APIService').spec.service, { namespace: 'team' });
  assert.equal(byKind('CustomResourceDefinition').spec.conversion.webhook.clientConfig.service.namespace, 'team');
});

test('namespace sets binding subjects named default and leaves other subjects to name references', () => {
  const resources = resourcesFromYaml(input);
  namespaceStep(resources, { namespace: 'team' }, stepContext());
  const crb = resources.find((r) => r.object.kind === 'ClusterRoleBinding')!.object as Record<string, any>;
  assert.deepEqual(crb.subjects, [
    { kind: 'ServiceAccount', name: 'default', namespace: 'team' },
    { kind: 'Group', name: 'default', namespace: 'team' },
    { kind: 'ServiceAccount', name: 'unknown', namespace: 'other' },
  ]);
});

test('namespace keeps the old identity in the history and records provenance', () => {
  const resources = resourcesFromYaml(input);
  namespaceStep(resources, { namespace: 'team' }, stepContext({}, 'overlays/prod/kustomization.yaml'));
  const configMap = resources[0]!;
  assert.deepEqual(configMap.history, [{ kind: 'ConfigMap', name: 'settings', namespace: 'elsewhere' }]);
  assert.deepEqual(provenanceOf(configMap.provenance, '/metadata/namespace'), { file: 'overlays/prod/kustomization.yaml', layer: 'transformer', step: 'namespace' });
});

test('namespace fails when two resources end up with the same id', () => {
  const resources = resourcesFromYaml('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: y}\n');
  const result = namespaceStep(resources, { namespace: 'z' }, stepContext());
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.issues[0]!.code, 'RENDER_DUPLICATE_ID');
});

test('without a namespace nothing changes', () => {
  const resources = resourcesFromYaml(input);
  const before = structuredClone(resources.map((r) => r.object));
  namespaceStep(resources, {}, stepContext());
  assert.deepEqual(resources.map((r) => r.object), before);
  assert.deepEqual(resources[0]!.history, []);
});

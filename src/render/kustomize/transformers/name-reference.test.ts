import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kustomization } from '../kustomization.js';
import type { Resource } from '../resource.js';
import { prefixStep, suffixStep } from './name-affix.js';
import { fixNameReferences } from './name-reference.js';
import { namespaceStep } from './namespace.js';
import { storePreviousId } from './resource-ids.js';
import { resourcesFromYaml, stepContext } from './testing.js';

// Each scenario was built with kustomize v5.7.1 too; the expectations are its output.
function transform(resources: Resource[], k: Kustomization): Resource[] {
  for (const step of [namespaceStep, prefixStep, suffixStep]) {
    const r = step(resources, k, stepContext());
    assert.ok(r.ok);
  }
  return resources;
}

const app = `
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules:
- resources: [configmaps]
  resourceNames: [cfg, unrelated]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: to-role}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: sa}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: to-clusterrole}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: svc
  template:
    spec:
      serviceAccountName: sa
      volumes: [{name: c, configMap: {name: cfg}}]
      containers:
      - name: c
        envFrom: [{configMapRef: {name: cfg}}, {secretRef: {name: sec}}]
        env: [{name: X, valueFrom: {secretKeyRef: {name: sec, key: k}}}, {name: Y, valueFrom: {configMapKeyRef: {name: not-in-build, key: k}}}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ing}
spec:
  ingressClassName: nginx
  tls: [{secretName: sec}]
  defaultBackend: {service: {name: svc, port: {number: 80}}}
`;

function byName(resources: Resource[], kind: string, name: string): Record<string, any> {
  return resources.find((r) => r.object.kind === kind && r.object.metadata.name === name)!.object as Record<string, any>;
}

test('references follow prefixes, suffixes and namespaces into pod specs, RBAC and Ingresses', () => {
  const resources = transform(resourcesFromYaml(app), { namePrefix: 'p-', nameSuffix: '-s', namespace: 'team' });
  assert.ok(fixNameReferences(resources).ok);
  const db = byName(resources, 'StatefulSet', 'p-db-s');
  assert.equal(db.spec.serviceName, 'p-svc-s');
  assert.equal(db.spec.template.spec.serviceAccountName, 'p-sa-s');
  assert.equal(db.spec.template.spec.volumes[0].configMap.name, 'p-cfg-s');
  const container = db.spec.template.spec.containers[0];
  assert.deepEqual(container.envFrom, [{ configMapRef: { name: 'p-cfg-s' } }, { secretRef: { name: 'p-sec-s' } }]);
  assert.equal(container.env[0].valueFrom.secretKeyRef.name, 'p-sec-s');
  assert.equal(container.env[1].valueFrom.configMapKeyRef.name, 'not-in-build', 'names of nothing in the build are left alone');
  assert.deepEqual(byName(resources, 'Role', 'p-reader-s').rules[0].resourceNames, ['p-cfg-s', 'unrelated']);
  assert.equal(byName(resources, 'RoleBinding', 'p-to-role-s').roleRef.name, 'p-reader-s');
  assert.deepEqual(byName(resources, 'RoleBinding', 'p-to-role-s').subjects, [{ kind: 'ServiceAccount', name: 'p-sa-s', namespace: 'team' }]);
  assert.equal(byName(resources, 'RoleBinding', 'p-to-clusterrole-s').roleRef.name, 'p-reader-s');
  const ingress = byName(resources, 'Ingress', 'p-ing-s');
  assert.equal(ingress.spec.defaultBackend.service.name, 'p-svc-s');
  assert.equal(ingress.spec.tls[0].secretName, 'p-sec-s');
  // kustomize's table spells the IngressClass group wrongly, so this reference is never followed
  assert.equal(ingress.spec.ingressClassName, 'nginx');
});

test('a hashed generated name replaces the plain name it was generated under', () => {
  const resources = resourcesFromYaml(app);
  const cfg = resources[0]!;
  storePreviousId(cfg);
  cfg.object.metadata.name = 'cfg-5t2b8mk6h4';
  fixNameReferences(resources);
  assert.equal(byName(resources, 'StatefulSet', 'db').spec.template.spec.volumes[0].configMap.name, 'cfg-5t2b8mk6h4');
});

test('webhook and binding subjects follow a ServiceAccount or Service into its new namespace', () => {
  const resources = resourcesFromYaml(`
apiVersion: v1
kind: Service
metadata: {name: hook}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ctrl, namespace: argo}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: v}
webhooks:
- name: v.example.com
  clientConfig: {service: {name: hook, namespace: default, path: /validate}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: ServiceAccount, name: ctrl, namespace: argo}
- {kind: ServiceAccount, name: ctrl, namespace: ci}
- {kind: User, name: jane}
`);
  transform(resources, { namespace: 'system' });
  fixNameReferences(resources);
  assert.deepEqual(byName(resources, 'ValidatingWebhookConfiguration', 'v').webhooks[0].clientConfig.service, { name: 'hook', namespace: 'system', path: '/validate' });
  assert.deepEqual(byName(resources, 'ClusterRoleBinding', 'crb').subjects, [
    { kind: 'ServiceAccount', name: 'ctrl', namespace: 'system' },
    { kind: 'ServiceAccount', name: 'ctrl', namespace: 'ci' },
    { kind: 'User', name: 'jane' },
  ]);
});

test('when one template is built twice, each copy refers to the copy with the same prefixes', () => {
  const template = `
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: sa}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers: [{name: c, envFrom: [{configMapRef: {name: cfg}}]}]
`;
  const a = transform(resourcesFromYaml(template), { namePrefix: 'a-' });
  const b = transform(resourcesFromYaml(template), { namePrefix: 'b-' });
  const all = [...a, ...b];
  assert.ok(fixNameReferences(all).ok);
  assert.equal(byName(all, 'Deployment', 'a-web').spec.template.spec.containers[0].envFrom[0].configMapRef.name, 'a-cfg');
  assert.equal(byName(all, 'Deployment', 'b-web').spec.template.spec.containers[0].envFrom[0].configMapRef.name, 'b-cfg');
  assert.equal(byName(all, 'RoleBinding', 'b-rb').subjects[0].name, 'b-sa');
});

test('two copies that nothing tells apart make an ambiguous reference an error', () => {
  const template = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
`;
  const a = transform(resourcesFromYaml(template), { namespace: 'x' });
  const b = transform(resourcesFromYaml(template), { namespace: 'y' });
  const binding = resourcesFromYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: sa}]
`);
  const result = fixNameReferences([...a, ...b, ...binding]);
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.issues[0]!.message, /ClusterRoleBinding\/crb: subjects refers to "sa", which could be any of ServiceAccount\/x\/sa, ServiceAccount\/y\/sa/);
});

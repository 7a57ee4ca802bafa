import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { serverSideApply } from './apply.js';
import { schemaFor, schemaFromCrd } from './schema.js';
import { toFieldSet } from './typed.js';
import type { KubeObject, ManagedFieldsEntry } from './types.js';

const crd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.example.com' },
  spec: {
    group: 'example.com',
    names: { plural: 'gadgets', kind: 'Gadget' },
    scope: 'Namespaced',
    versions: [{
      name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: {
        size: { type: 'integer' },
        tags: { type: 'array', items: { type: 'string' } },
        owners: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'], items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' }, name: { type: 'string' } } } },
        selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
        env: { type: 'object', additionalProperties: { type: 'object', properties: { value: { type: 'string' } } } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      } } } } },
    }],
  },
};

const gvk = { group: 'example.com', version: 'v1', kind: 'Gadget' };

describe('schemas', () => {
  it('follows a CRD: lists atomic by default, sets, list-maps, atomic maps, free keys with "."', () => {
    const applied: KubeObject = {
      apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g', labels: { a: 'b' } },
      spec: { size: 3, tags: ['x'], owners: ['ann', 'bob'], ports: [{ port: 80, protocol: 'UDP', name: 'dns' }], selector: { app: 'g' }, env: { HOME: { value: '/' } }, extra: { deep: { er: 1 } } },
    };
    const r = serverSideApply({ applied, manager: 'fleet', force: false, gvk, now: 't', schema: schemaFromCrd(crd, 'v1') });
    assert.ok(r.ok, JSON.stringify(r));
    if (!r.ok) return;
    assert.deepEqual((r.object.metadata as { managedFields: ManagedFieldsEntry[] }).managedFields[0]!.fieldsV1, {
      'f:metadata': { 'f:labels': { 'f:a': {} } },
      'f:spec': {
        'f:env': { 'f:HOME': { '.': {}, 'f:value': {} } },
        'f:extra': { 'f:deep': { '.': {}, 'f:er': {} } },
        'f:owners': { 'v:"ann"': {}, 'v:"bob"': {} },
        'f:ports': { 'k:{"port":80,"protocol":"UDP"}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:protocol': {} } },
        'f:selector': {},
        'f:size': {},
        'f:tags': {},
      },
    });
  });

  it('reports a wrongly typed field of a custom resource with its path', () => {
    const r = serverSideApply({ applied: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec: { size: 'big' } }, manager: 'fleet', force: true, gvk, now: 't', schema: schemaFromCrd(crd, 'v1') });
    assert.ok(!r.ok && r.reason === 'Invalid');
    if (!r.ok) {
      assert.equal(r.message, '.spec.size: expected numeric (int or float), got string');
      assert.equal(r.field, '.spec.size');
    }
  });

  it('lists several schema errors as structured-merge-diff does', () => {
    const r = serverSideApply({ applied: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec: { size: true, tags: 'x' } }, manager: 'fleet', force: true, gvk, now: 't', schema: schemaFromCrd(crd, 'v1') });
    assert.ok(!r.ok && r.reason === 'Invalid');
    if (!r.ok) assert.equal(r.message, 'errors:\n  .spec.size: expected numeric (int or float), got bool\n  .spec.tags: expected list, got string');
  });

  it('uses CRD defaults of list-map keys only when asked to', () => {
    const applied = { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec: { ports: [{ port: 53 }] } };
    const strict = toFieldSet(applied, schemaFromCrd(crd, 'v1'), true);
    assert.equal(strict.errors.length, 1);
    const lenient = toFieldSet(applied, schemaFromCrd(crd, 'v1', { listKeyDefaults: true }), true);
    assert.deepEqual(lenient.errors, []);
    assert.deepEqual(lenient.set.toFieldsV1(), { 'f:apiVersion': {}, 'f:kind': {}, 'f:metadata': { 'f:name': {} }, 'f:spec': { 'f:ports': { 'k:{"port":53,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } });
  });

  it('knows the list types of the built-in kinds fleets use', () => {
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 's' }, ports: [{ port: 443, protocol: 'TCP', targetPort: 8443 }] } };
    assert.deepEqual(toFieldSet(svc, schemaFor({ group: '', version: 'v1', kind: 'Service' }), true).set.toFieldsV1()['f:spec'], {
      'f:ports': { 'k:{"port":443,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} } },
      'f:selector': { 'f:app': {} },
    });
    const pod: KubeObject = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ownerReferences: [{ uid: 'u1', name: 'rs' }] },
      spec: {
        containers: [{ name: 'c', env: [{ name: 'A', value: '1' }], volumeMounts: [{ mountPath: '/data', name: 'v' }], command: ['sh'] }],
        volumes: [{ name: 'v', emptyDir: {} }], tolerations: [{ key: 'k' }], imagePullSecrets: [{ name: 'reg' }],
      },
    };
    assert.deepEqual(toFieldSet(pod, schemaFor({ group: '', version: 'v1', kind: 'Pod' }), true).set.toFieldsV1(), {
      'f:apiVersion': {}, 'f:kind': {},
      'f:metadata': { 'f:name': {}, 'f:ownerReferences': { 'k:{"uid":"u1"}': { '.': {}, 'f:name': {}, 'f:uid': {} } } },
      'f:spec': {
        'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:command': {}, 'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:name': {}, 'f:volumeMounts': { 'k:{"mountPath":"/data"}': { '.': {}, 'f:mountPath': {}, 'f:name': {} } } } },
        'f:imagePullSecrets': { 'k:{"name":"reg"}': { '.': {}, 'f:name': {} } },
        'f:tolerations': {},
        'f:volumes': { 'k:{"name":"v"}': { '.': {}, 'f:name': {} } },
      },
    });
  });
});

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { serverSideApply } from './apply.js';
import { trackUpdate, zeroObject } from './update.js';
import type { KubeObject, ManagedFieldsEntry } from './types.js';

const cmGvk = { group: '', version: 'v1', kind: 'ConfigMap' };
const deployGvk = { group: 'apps', version: 'v1', kind: 'Deployment' };

function entries(obj: KubeObject): ManagedFieldsEntry[] {
  return (obj.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? [];
}

function applied(data: Record<string, string>): KubeObject {
  const r = serverSideApply({ applied: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, data }, manager: 'fleet', force: false, gvk: cmGvk, now: '2030-01-01T00:00:00Z' });
  assert.ok(r.ok);
  return r.ok ? r.object : {};
}

describe('trackUpdate', () => {
  it('gives changed and added fields to the writer and takes them from the others', () => {
    const before = applied({ x: '1', y: '2' });
    const r = trackUpdate({ before, after: { ...before, data: { x: '9', y: '2', z: '3' } }, manager: 'edit', gvk: cmGvk, now: '2030-01-01T00:00:05Z' });
    assert.deepEqual(r.managedFields.map((e) => [e.manager, e.operation, e.time, e.fieldsV1]), [
      ['fleet', 'Apply', '2030-01-01T00:00:00Z', { 'f:data': { 'f:y': {} } }],
      ['edit', 'Update', '2030-01-01T00:00:05Z', { 'f:data': { 'f:x': {}, 'f:z': {} } }],
    ]);
    assert.deepEqual(entries(r.object), r.managedFields);
  });

  it('removes a deleted field from every manager and makes no entry for a write that only removes', () => {
    const before = applied({ x: '1', y: '2' });
    const r = trackUpdate({ before, after: { ...before, data: { x: '1' } }, manager: 'edit', gvk: cmGvk, now: '2030-01-01T00:00:05Z' });
    assert.deepEqual(r.managedFields.map((e) => [e.manager, e.fieldsV1]), [['fleet', { 'f:data': { 'f:x': {} } }]]);
    assert.equal(r.managedFields[0]!.time, '2030-01-01T00:00:00Z');
  });

  it('keeps managedFields unchanged for a write that changes nothing', () => {
    const before = applied({ x: '1' });
    const r = trackUpdate({ before, after: structuredClone(before), manager: 'edit', gvk: cmGvk, now: '2031-01-01T00:00:00Z' });
    assert.deepEqual(r.managedFields, entries(before));
  });

  it('merges later writes of the same manager into its entry; status writes get their own entry', () => {
    const before = applied({ x: '1' });
    const one = trackUpdate({ before, after: { ...before, data: { x: '1', a: '1' } }, manager: 'ctl', gvk: cmGvk, now: '2030-01-01T00:00:01Z' }).object;
    const two = trackUpdate({ before: one, after: { ...one, data: { x: '1', a: '1', b: '1' } }, manager: 'ctl', gvk: cmGvk, now: '2030-01-01T00:00:02Z' }).object;
    const three = trackUpdate({ before: two, after: { ...two, status: { ok: true } }, manager: 'ctl', subresource: 'status', gvk: cmGvk, now: '2030-01-01T00:00:03Z' }).object;
    assert.deepEqual(entries(three).map((e) => [e.manager, e.operation, e.subresource ?? '', e.time, e.fieldsV1]), [
      ['fleet', 'Apply', '', '2030-01-01T00:00:00Z', { 'f:data': { 'f:x': {} } }],
      ['ctl', 'Update', '', '2030-01-01T00:00:02Z', { 'f:data': { 'f:a': {}, 'f:b': {} } }],
      ['ctl', 'Update', 'status', '2030-01-01T00:00:03Z', { 'f:status': { '.': {}, 'f:ok': {} } }],
    ]);
  });

  it('uses managedFields the client wrote, and clears them for a single empty entry', () => {
    const before = applied({ x: '1' });
    const cleared = trackUpdate({ before, after: { ...before, metadata: { name: 'app', managedFields: [{}] } }, manager: 'edit', gvk: cmGvk, now: 't' });
    assert.deepEqual(cleared.managedFields, []);
    assert.ok(!('managedFields' in (cleared.object.metadata as object)));
    const own: ManagedFieldsEntry[] = [{ manager: 'mine', operation: 'Update', apiVersion: 'v1', time: 't0', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:x': {} } } }];
    const written = trackUpdate({ before, after: { ...before, metadata: { name: 'app', managedFields: own } }, manager: 'edit', gvk: cmGvk, now: 't' });
    assert.deepEqual(written.managedFields, own);
  });

  it('folds the oldest of more than ten updaters into ancient-changes', () => {
    let obj = applied({ x: '1' });
    for (let i = 0; i < 11; i++) {
      const data = { ...(obj.data as Record<string, string>), [`k${i}`]: 'v' };
      obj = trackUpdate({ before: obj, after: { ...obj, data }, manager: `m${i}`, gvk: cmGvk, now: `2030-01-01T00:00:${String(10 + i)}Z` }).object;
    }
    const updaters = entries(obj).filter((e) => e.operation === 'Update');
    assert.equal(updaters.length, 10);
    assert.deepEqual(updaters[0], { manager: 'ancient-changes', operation: 'Update', apiVersion: 'v1', time: '2030-01-01T00:00:11Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:k0': {}, 'f:k1': {} } } });
    assert.deepEqual(updaters.slice(1).map((e) => e.manager), ['m2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10']);
  });

  it('compares a create with the zero object of a built-in kind: a new Deployment owns containers items, not the list', () => {
    const after: KubeObject = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } },
      status: {},
    };
    assert.deepEqual(zeroObject(deployGvk, after), { spec: { selector: null, strategy: {}, template: { metadata: { creationTimestamp: null }, spec: { containers: null } } }, status: {} });
    const r = trackUpdate({ after, manager: 'kubectl-create', gvk: deployGvk, now: 't' });
    assert.deepEqual(r.managedFields[0]!.fieldsV1, {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': { 'f:matchLabels': { '.': {}, 'f:app': {} } },
        'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {} }, 'f:type': {} },
        'f:template': { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
      },
    });
  });

  it('owns a custom resource created by POST from the root down, with "." on new maps', () => {
    const r = trackUpdate({ after: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } }, manager: 'kubectl-create', gvk: { group: 'example.com', version: 'v1', kind: 'Widget' }, now: 't' });
    assert.deepEqual(r.managedFields[0]!.fieldsV1, { 'f:spec': { '.': {}, 'f:size': {} } });
  });
});

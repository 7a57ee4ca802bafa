import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { serverSideApply, type ServerSideApplyOptions } from './apply.js';
import { schemaFor } from './schema.js';
import { trackUpdate } from './update.js';
import type { KubeObject, ManagedFieldsEntry } from './types.js';

const cmGvk = { group: '', version: 'v1', kind: 'ConfigMap' };
const deployGvk = { group: 'apps', version: 'v1', kind: 'Deployment' };

function cm(data?: Record<string, string>): KubeObject {
  const o: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'ns' } };
  if (data) o.data = data;
  return o;
}

function apply(live: KubeObject | undefined, applied: KubeObject, manager: string, extra: Partial<ServerSideApplyOptions> = {}) {
  const r = serverSideApply({ live, applied, manager, force: false, gvk: cmGvk, now: '2030-01-01T00:00:00Z', ...extra });
  return r;
}

function must(r: ReturnType<typeof serverSideApply>): KubeObject {
  assert.ok(r.ok, JSON.stringify(r));
  return r.ok ? r.object : {};
}

function owners(obj: KubeObject): Record<string, unknown> {
  const entries = (obj.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? [];
  return Object.fromEntries(entries.map((e) => [`${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`, e.fieldsV1]));
}

describe('serverSideApply: ownership', () => {
  it('shares a field applied with the same value, and keeps it when one applier lets go', () => {
    let obj = must(apply(undefined, cm({ x: '1', y: '2' }), 'a'));
    obj = must(apply(obj, cm({ x: '1' }), 'b'));
    assert.deepEqual(owners(obj), { 'a/Apply': { 'f:data': { 'f:x': {}, 'f:y': {} } }, 'b/Apply': { 'f:data': { 'f:x': {} } } });
    obj = must(apply(obj, cm({ y: '2' }), 'a'));
    assert.deepEqual(obj.data, { x: '1', y: '2' }, 'x is released, not removed: b still applies it');
    assert.deepEqual(owners(obj), { 'a/Apply': { 'f:data': { 'f:y': {} } }, 'b/Apply': { 'f:data': { 'f:x': {} } } });
    obj = must(apply(obj, cm(), 'b'));
    assert.deepEqual(obj.data, { y: '2' }, 'x is removed once nobody owns it');
    assert.deepEqual(owners(obj), { 'a/Apply': { 'f:data': { 'f:y': {} } } });
  });

  it('refuses a different value without force, naming the owner as the server does', () => {
    const obj = must(apply(undefined, cm({ x: '1', y: '2' }), 'a'));
    const r = apply(obj, cm({ x: '9' }), 'b');
    assert.ok(!r.ok && r.reason === 'Conflict');
    if (!r.ok && r.reason === 'Conflict') {
      assert.equal(r.message, 'Apply failed with 1 conflict: conflict with "a": .data.x');
      assert.deepEqual(r.status.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.data.x' }]);
      assert.equal(r.status.code, 409);
    }
  });

  it('with force takes the field from the other manager, whose entry disappears when empty', () => {
    let obj = must(apply(undefined, cm({ x: '1', y: '2' }), 'a'));
    obj = must(apply(obj, cm({ x: '9' }), 'b', { force: true }));
    assert.deepEqual(obj.data, { x: '9', y: '2' });
    assert.deepEqual(owners(obj), { 'a/Apply': { 'f:data': { 'f:y': {} } }, 'b/Apply': { 'f:data': { 'f:x': {} } } });
    obj = must(apply(obj, cm({ x: '9', y: '3' }), 'b', { force: true }));
    assert.deepEqual(owners(obj), { 'b/Apply': { 'f:data': { 'f:x': {}, 'f:y': {} } } });
  });

  it('lists several conflicts grouped by manager', () => {
    let obj = must(apply(undefined, cm({ x: '1', y: '1' }), 'a'));
    obj = trackUpdate({ before: obj, after: { ...obj, data: { x: '1', y: '1', z: '1' } }, manager: 'kubectl', gvk: cmGvk, now: '2030-01-01T00:00:01Z' }).object;
    const r = apply(obj, cm({ x: '2', y: '2', z: '2' }), 'c');
    assert.ok(!r.ok && r.reason === 'Conflict');
    if (!r.ok && r.reason === 'Conflict') {
      assert.equal(r.message, 'Apply failed with 3 conflicts: conflicts with "a":\n- .data.x\n- .data.y\nconflicts with "kubectl" using v1:\n- .data.z');
      assert.deepEqual(r.conflicts.map((c) => c.field), ['.data.x', '.data.y', '.data.z']);
    }
  });

  it('changes nothing when the same configuration is applied again: same object, same times', () => {
    const obj = must(apply(undefined, cm({ x: '1' }), 'a', { now: '2030-01-01T00:00:00Z' }));
    const again = apply(obj, cm({ x: '1' }), 'a', { now: '2031-01-01T00:00:00Z' });
    assert.ok(again.ok);
    if (again.ok) {
      assert.equal(again.changed, false);
      assert.equal(again.object, obj);
    }
    const changed = apply(obj, cm({ x: '2' }), 'a', { now: '2031-01-01T00:00:00Z' });
    assert.ok(changed.ok && changed.changed && changed.managedFields[0]!.time === '2031-01-01T00:00:00Z');
  });

  it('does not own identity fields, and refuses managedFields in the request', () => {
    const obj = must(apply(undefined, { ...cm({ x: '1' }), metadata: { name: 'app', namespace: 'ns', labels: { a: 'b' } } }, 'a'));
    assert.deepEqual(owners(obj), { 'a/Apply': { 'f:data': { 'f:x': {} }, 'f:metadata': { 'f:labels': { 'f:a': {} } } } });
    const bad = apply(obj, { ...cm(), metadata: { name: 'app', managedFields: [] } }, 'a');
    assert.ok(!bad.ok && bad.reason === 'BadRequest');
  });

  it('never owns the fields the endpoint resets', () => {
    const obj = must(apply(undefined, { ...cm({ x: '1' }), status: { phase: 'x' } }, 'a', { ignoredFields: [['status']] }));
    assert.deepEqual(owners(obj), { 'a/Apply': { 'f:data': { 'f:x': {} } } });
  });

  it('keeps one Apply entry per manager and subresource, and names the subresource in conflicts', () => {
    let obj = must(apply(undefined, { ...cm({ x: '1' }), status: { s: '1' } }, 'a'));
    obj = must(apply(obj, { ...cm(), status: { s: '2' } }, 'ctl', { subresource: 'status', force: true }));
    const entry = (obj.metadata as { managedFields: ManagedFieldsEntry[] }).managedFields.find((e) => e.manager === 'ctl')!;
    assert.deepEqual(Object.keys(entry), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource']);
    const r = apply(obj, { ...cm({ x: '1' }), status: { s: '3' } }, 'a');
    assert.ok(!r.ok && r.reason === 'Conflict' && r.message === 'Apply failed with 1 conflict: conflict with "ctl" with subresource "status": .status.s');
  });
});

function deployment(containers: unknown[]): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns' }, spec: { template: { spec: { containers } } } };
}

describe('serverSideApply: associative lists', () => {
  it('removes a container the applier stops applying, keeps one another applier shares', () => {
    let obj = must(serverSideApply({ applied: deployment([{ name: 'web', image: 'a' }, { name: 'side', image: 'b' }, { name: 'log', image: 'c' }]), manager: 'fleet', force: false, gvk: deployGvk, now: 't' }));
    obj = must(serverSideApply({ live: obj, applied: deployment([{ name: 'log', image: 'c' }]), manager: 'other', force: false, gvk: deployGvk, now: 't' }));
    obj = must(serverSideApply({ live: obj, applied: deployment([{ name: 'web', image: 'a2' }]), manager: 'fleet', force: false, gvk: deployGvk, now: 't' }));
    const spec = (obj.spec as { template: { spec: { containers: unknown[] } } }).template.spec;
    assert.deepEqual(spec.containers, [{ name: 'web', image: 'a2' }, { name: 'log', image: 'c' }]);
  });

  it('refuses a port without protocol as a 1.19 server does, and fills TCP in with list key defaults', () => {
    const applied = deployment([{ name: 'web', image: 'a', ports: [{ containerPort: 80 }] }]);
    const strict = serverSideApply({ applied, manager: 'fleet', force: false, gvk: deployGvk, now: 't' });
    assert.ok(!strict.ok && strict.reason === 'Invalid');
    if (!strict.ok) assert.match(strict.message, /\.spec\.template\.spec\.containers\[name="web"\]\.ports: element 0: associative list with keys has an element that omits key field "protocol"/);
    const lenient = must(serverSideApply({ applied, manager: 'fleet', force: false, gvk: deployGvk, now: 't', schema: schemaFor(deployGvk, { listKeyDefaults: true }) }));
    const fields = JSON.stringify((lenient.metadata as { managedFields: ManagedFieldsEntry[] }).managedFields[0]!.fieldsV1);
    assert.ok(fields.includes('"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}}'), fields);
  });

  it('refuses duplicate keys in the applied configuration', () => {
    const r = serverSideApply({ applied: deployment([{ name: 'web' }, { name: 'web' }]), manager: 'fleet', force: false, gvk: deployGvk, now: 't' });
    assert.ok(!r.ok && r.reason === 'Invalid' && /duplicate entries for key \[name="web"\]/.test(r.message));
  });

  it('owns finalizers item by item (a set) and args as a whole (atomic)', () => {
    const obj = must(serverSideApply({
      applied: { ...deployment([{ name: 'web', args: ['-v', '2'] }]), metadata: { name: 'web', finalizers: ['a/b', 'c'] } },
      manager: 'fleet', force: false, gvk: deployGvk, now: 't',
    }));
    assert.deepEqual((obj.metadata as { managedFields: ManagedFieldsEntry[] }).managedFields[0]!.fieldsV1, {
      'f:metadata': { 'f:finalizers': { 'v:"a/b"': {}, 'v:"c"': {} } },
      'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:args': {}, 'f:name': {} } } } } },
    });
  });
});

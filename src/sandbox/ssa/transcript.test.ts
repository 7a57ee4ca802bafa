// Replays the server-side apply and patch steps of the recorded kube-apiserver transcript: each
// step starts from the object the real server had stored, runs our functions on the request, and
// compares object and managedFields with what the real server answered (values that differ on
// every run, such as uid, resourceVersion and times, left out).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { serverSideApply, trackUpdate, schemaFromCrd, type GroupVersionKind, type KubeObject, type ManagedFieldsEntry } from './index.js';

interface Step {
  name: string;
  request: { method: string; path: string; contentType?: string | null; as: string; body: unknown };
  response: { status: number; body: unknown };
}

const transcript = JSON.parse(readFileSync(new URL('../../../../shared/kube-conformance/transcript-1.19.json', import.meta.url), 'utf8')) as { steps: Step[] };
const steps = transcript.steps;
const NOW = '2030-01-01T00:00:00Z';

function step(name: string): Step {
  const s = steps.find((x) => x.name === name);
  assert.ok(s, `transcript has step ${name}`);
  return s;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** stable drops what differs on every run. */
function stable(obj: unknown): unknown {
  const o = clone(obj) as KubeObject;
  const meta = o.metadata as Record<string, unknown> | undefined;
  if (meta) {
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'selfLink', 'deletionTimestamp', 'generation']) delete meta[k];
    if (Array.isArray(meta.managedFields)) for (const e of meta.managedFields as ManagedFieldsEntry[]) delete e.time;
  }
  return o;
}

function stableFields(entries: ManagedFieldsEntry[] | undefined): unknown {
  return (entries ?? []).map((e) => {
    const { time: _t, ...rest } = e;
    void _t;
    return rest;
  });
}

/** assertSameFields compares managedFields key order included: FieldsV1 must be byte-for-byte the server's. */
function assertSameFields(actual: ManagedFieldsEntry[] | undefined, expected: ManagedFieldsEntry[] | undefined): void {
  assert.deepEqual(stableFields(actual), stableFields(expected));
  const ours = (actual ?? []).map((e) => JSON.stringify(e.fieldsV1));
  const theirs = (expected ?? []).map((e) => JSON.stringify(e.fieldsV1));
  assert.deepEqual(ours, theirs, 'FieldsV1 printed in the same order');
  // Custom resources come back with sorted keys (the server prints unstructured objects sorted); built-in ones in struct order.
  const builtIn = (expected ?? []).every((e) => Object.keys(e)[0] === 'manager');
  if (builtIn) assert.deepEqual((actual ?? []).map((e) => Object.keys(e)), (expected ?? []).map((e) => Object.keys(e)));
}

function query(path: string): URLSearchParams {
  return new URLSearchParams(path.split('?')[1] ?? '');
}

function gvkOf(obj: KubeObject): GroupVersionKind {
  const [group, version] = String(obj.apiVersion).includes('/') ? String(obj.apiVersion).split('/') : ['', String(obj.apiVersion)];
  return { group: group!, version: version!, kind: String(obj.kind) };
}

/** mergePatch is RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** leaves lists every scalar of an object with its path. */
function leaves(v: unknown, path = ''): Array<[string, unknown]> {
  if (v !== null && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => leaves(x, `${path}/${k}`));
  }
  return [[path, v]];
}

function lookup(v: unknown, path: string): unknown {
  let cur = v;
  for (const k of path.split('/').slice(1)) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

const crd = step('create CRD').response.body as KubeObject;

function schemaOf(gvk: GroupVersionKind) {
  return gvk.group === 'example.com' ? schemaFromCrd(crd, gvk.version) : undefined;
}

/** previous gives the object the real server had stored at a path before a step (undefined if none). */
function previous(index: number, objectPath: string): KubeObject | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const s = steps[i]!;
    const p = s.request.path.split('?')[0]!;
    if (p !== objectPath && p !== `${objectPath}/status`) continue;
    if (s.request.method === 'DELETE' && s.response.status === 200) return undefined;
    if (query(s.request.path).get('dryRun')) continue;
    if (s.response.status >= 200 && s.response.status < 300 && s.request.method !== 'DELETE') return clone(s.response.body as KubeObject);
  }
  return undefined;
}

const applySteps = steps.map((s, i) => ({ s, i })).filter(({ s }) => s.request.contentType === 'application/apply-patch+yaml' && s.request.as === 'admin');
const patchSteps = steps.map((s, i) => ({ s, i })).filter(({ s }) => s.request.contentType === 'application/merge-patch+json');

describe('transcript: server-side apply steps', () => {
  for (const { s, i } of applySteps) {
    it(s.name, () => {
      const q = query(s.request.path);
      const objectPath = s.request.path.split('?')[0]!;
      const live = previous(i, objectPath);
      const applied = clone(s.request.body as KubeObject);
      const gvk = gvkOf(applied);
      const result = serverSideApply({ live, applied, manager: q.get('fieldManager')!, force: q.get('force') === 'true', gvk, now: NOW, schema: schemaOf(gvk) });
      const answer = s.response.body as KubeObject;
      if (s.response.status === 409) {
        assert.equal(result.ok, false);
        assert.ok(!result.ok && result.reason === 'Conflict');
        if (!result.ok && result.reason === 'Conflict') assert.deepEqual(result.status, answer);
        return;
      }
      if (s.response.status >= 500 || s.response.status === 422) {
        assert.ok(!result.ok && result.reason === 'Invalid', 'a wrongly typed field is refused');
        if (!result.ok) assert.match(result.message, /\.spec\.size: expected numeric \(int or float\), got string/);
        return;
      }
      assert.ok(result.ok, JSON.stringify(result));
      if (!result.ok) return;
      const answerFields = (answer.metadata as { managedFields: ManagedFieldsEntry[] }).managedFields;
      assertSameFields(result.managedFields, answerFields);
      if (live) {
        assert.deepEqual(stable(result.object), stable(answer));
      } else {
        // A create: the real server also fills defaults and identity; every field we produce must be in its answer.
        for (const [p, v] of leaves(stable(result.object))) assert.deepEqual(lookup(stable(answer), p), v, p);
      }
      if (live && stable(answer) !== undefined && JSON.stringify(stable(live)) === JSON.stringify(stable(answer)) && (live.metadata as { resourceVersion?: string }).resourceVersion === (answer.metadata as { resourceVersion?: string }).resourceVersion) {
        // The real server stored nothing: neither do we, and the answer is the live object itself.
        assert.equal(result.changed, false);
        assert.equal(result.object, live);
      } else {
        assert.equal(result.changed, true);
      }
    });
  }
});

describe('transcript: merge patches by other managers', () => {
  for (const { s, i } of patchSteps) {
    it(s.name, () => {
      const q = query(s.request.path);
      const path = s.request.path.split('?')[0]!;
      const subresource = path.endsWith('/status') ? 'status' : undefined;
      const objectPath = subresource ? path.slice(0, -'/status'.length) : path;
      const before = previous(i, objectPath)!;
      assert.ok(before);
      let patch = s.request.body;
      // The status endpoint keeps only status from the patched object; the main endpoint keeps the old status.
      if (subresource) patch = { status: (patch as KubeObject).status };
      const after = mergePatch(before, patch) as KubeObject;
      const gvk = gvkOf(before);
      const result = trackUpdate({ before, after, manager: q.get('fieldManager')!, gvk, now: NOW });
      const answer = s.response.body as KubeObject;
      assertSameFields(result.managedFields, (answer.metadata as { managedFields: ManagedFieldsEntry[] }).managedFields);
      assert.deepEqual(stable(result.object), stable(answer));
      // Entries that did not change keep their time; the writer's entry gets the request time.
      for (const e of result.managedFields) {
        if (e.manager === q.get('fieldManager')) assert.equal(e.time, NOW);
        else assert.notEqual(e.time, NOW);
      }
    });
  }
});

describe('transcript: creates by POST (operation Update)', () => {
  it('create namespace: only the defaulted status.phase is owned', () => {
    const s = step('create namespace');
    const after = { ...(clone(s.request.body) as KubeObject), spec: {}, status: { phase: 'Active' } };
    const result = trackUpdate({ after, manager: 'unknown', gvk: { group: '', version: 'v1', kind: 'Namespace' }, now: NOW });
    assertSameFields(result.managedFields, (s.response.body as { metadata: { managedFields: ManagedFieldsEntry[] } }).metadata.managedFields);
  });

  it('create CRD: pointer fields appear with ".", struct fields do not, atomic lists are leaves', () => {
    const s = step('create CRD');
    const answer = clone(s.response.body) as KubeObject;
    // The server compares the defaulted request with the Go zero CustomResourceDefinition (zeroObject).
    const after = clone(answer);
    delete (after.metadata as Record<string, unknown>).managedFields;
    const result = trackUpdate({ after, manager: 'unknown', gvk: { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' }, now: NOW });
    assertSameFields(result.managedFields, (answer.metadata as { managedFields: ManagedFieldsEntry[] }).managedFields);
  });
});

describe('watch transcript: a patch that changes nothing changes no managedFields', () => {
  const watch = JSON.parse(readFileSync(new URL('../../../../shared/kube-conformance/watch-1.19.json', import.meta.url), 'utf8')) as { steps: Step[] };
  const byName = (name: string) => watch.steps.find((s) => s.name === name)!;
  it('apply, change by another manager (which takes the only field), same patch again', () => {
    const created = byName('apply configmap a');
    const gvk = { group: '', version: 'v1', kind: 'ConfigMap' };
    const applied = serverSideApply({ applied: clone(created.request.body as KubeObject), manager: 'fleet', force: true, gvk, now: NOW });
    assert.ok(applied.ok);
    if (!applied.ok) return;
    assertSameFields(applied.managedFields, (created.response.body as { metadata: { managedFields: ManagedFieldsEntry[] } }).metadata.managedFields);
    const changed = byName('change configmap a');
    const stored = clone(created.response.body as KubeObject);
    const first = trackUpdate({ before: stored, after: mergePatch(stored, changed.request.body) as KubeObject, manager: 'other', gvk, now: NOW });
    assert.deepEqual(stable(first.object), stable(changed.response.body));
    const again = byName('same apply again (no change: no event)');
    const storedAgain = clone(changed.response.body as KubeObject);
    const second = trackUpdate({ before: storedAgain, after: mergePatch(storedAgain, again.request.body) as KubeObject, manager: 'other', gvk, now: '2040-01-01T00:00:00Z' });
    assert.equal(JSON.stringify(second.object), JSON.stringify(again.response.body), 'byte-for-byte the stored object, times included');
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../manifest/index.js';
import type { Resource, PreviousId } from '../kustomize/resource.js';
import { compileTarget, matchesTarget, selectResources } from './target.js';

function res(object: Partial<KubeObject> & { kind: string; metadata: KubeObject['metadata'] }, history: PreviousId[] = []): Resource {
  return { object: { apiVersion: 'v1', ...object } as KubeObject, provenance: new Map(), history };
}

const deploy = res({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'pay-gateway', labels: { tier: 'backend', env: 'prod' }, annotations: { 'example.com/istio': 'enabled' } } });
const sts = res({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'pay-ledger', namespace: 'pay' } });
const svc = res({ kind: 'Service', metadata: { name: 'web' } });
const role = res({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } });

test('name and kind are anchored regular expressions', () => {
  assert.equal(matchesTarget(deploy, { kind: 'Deployment|StatefulSet', name: '^pay-.*' }), true);
  assert.equal(matchesTarget(sts, { kind: 'Deployment|StatefulSet', name: 'pay-.*' }), true);
  assert.equal(matchesTarget(deploy, { name: 'pay' }), false);
  assert.equal(matchesTarget(deploy, { kind: 'Deploy' }), false);
  assert.equal(matchesTarget(svc, { kind: 'Deployment|StatefulSet' }), false);
});

test('group and version split apiVersion, with the core group empty', () => {
  assert.equal(matchesTarget(deploy, { group: 'apps', version: 'v1' }), true);
  assert.equal(matchesTarget(svc, { version: 'v1', kind: 'Service' }), true);
  assert.equal(matchesTarget(svc, { group: 'apps' }), false);
  assert.equal(matchesTarget(role, { group: 'rbac.authorization.k8s.io' }), true);
});

test('namespace defaults to default for namespaced kinds and never matches cluster-scoped ones', () => {
  assert.equal(matchesTarget(svc, { namespace: 'default' }), true);
  assert.equal(matchesTarget(sts, { namespace: 'pay' }), true);
  assert.equal(matchesTarget(sts, { namespace: 'default' }), false);
  assert.equal(matchesTarget(role, { namespace: 'default' }), false);
});

test('label and annotation selectors', () => {
  assert.equal(matchesTarget(deploy, { labelSelector: 'tier in (backend,data),env!=sandbox' }), true);
  assert.equal(matchesTarget(deploy, { labelSelector: 'tier notin (backend)' }), false);
  assert.equal(matchesTarget(deploy, { labelSelector: '!legacy' }), true);
  assert.equal(matchesTarget(deploy, { labelSelector: 'env' }), true);
  assert.equal(matchesTarget(svc, { labelSelector: 'env' }), false);
  assert.equal(matchesTarget(deploy, { annotationSelector: 'example.com/istio=enabled' }), true);
  assert.equal(matchesTarget(deploy, { annotationSelector: 'example.com/istio==disabled' }), false);
});

test('name and namespace match the original id as well as the current one', () => {
  const renamed = res({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'core-sessions-v2', namespace: 'apps' } }, [
    { kind: 'Deployment', name: 'sessions' },
    { kind: 'Deployment', name: 'core-sessions', namespace: 'apps' },
  ]);
  assert.equal(matchesTarget(renamed, { name: 'sessions' }), true);
  assert.equal(matchesTarget(renamed, { name: 'core-sessions-v2' }), true);
  // kustomize looks at the original and the current id only, not the ids in between
  assert.equal(matchesTarget(renamed, { name: 'core-sessions' }), false);
  assert.equal(matchesTarget(renamed, { namespace: 'default' }), true);
  assert.equal(matchesTarget(renamed, { namespace: 'apps' }), true);
});

test('invalid targets are reported as values naming the field', () => {
  const bad = compileTarget({ name: '(' }, { file: 'kustomization.yaml', field: 'patches[0].target' });
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.equal(bad.issues[0]!.code, 'RENDER_PATCH_INVALID');
    assert.match(bad.issues[0]!.message, /kustomization.yaml: patches\[0\].target: invalid name/);
  }
  const badSelector = selectResources([deploy], { labelSelector: 'a in b' });
  assert.equal(badSelector.ok, false);
  assert.throws(() => matchesTarget(deploy, { kind: '[' }), /invalid kind/);
});

test('selectResources keeps the resource order', () => {
  const selected = selectResources([svc, deploy, sts], { group: 'apps' });
  assert.ok(selected.ok);
  if (selected.ok) assert.deepEqual(selected.value.map((r) => r.object.metadata.name), ['pay-gateway', 'pay-ledger']);
});

// Found while fuzzing bad input (test/fuzz): target patterns ran as backtracking JavaScript
// regular expressions, so `name: (a+)+b` took 1.1 s against a 26-letter name and doubled with each
// letter more. They are Go (RE2) expressions, as in kustomize, matched in linear time.
test('target patterns are Go regular expressions matched in linear time', () => {
  const long = res({ kind: 'ConfigMap', metadata: { name: 'a'.repeat(5000) } });
  assert.equal(matchesTarget(long, { name: '(a+)+b' }), false);
  assert.equal(matchesTarget(long, { name: '(a+)+' }), true);
  assert.equal(matchesTarget(deploy, { name: '(?i)PAY-.*' }), true);
  const invalid = compileTarget({ name: '(' }, { file: 'kustomization.yaml', field: 'patches[0].target' });
  assert.equal(invalid.ok, false);
  if (!invalid.ok) assert.match(invalid.issues[0]!.message, /^kustomization\.yaml: patches\[0\]\.target: invalid name regular expression "\(": error parsing regexp: missing closing \)/);
});

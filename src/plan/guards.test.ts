import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest/index.js';
import { checkFingerprint, evaluateGuards, type GuardCluster, type GuardRule } from './guards.js';

const euCluster: GuardCluster = { name: 'prod-eu-west', labels: { env: 'production', region: 'eu-west', compliance: 'gdpr' }, identity: { CLUSTER_NAME: 'prod-eu-west', REGION: 'eu-west-1' } };
const usCluster: GuardCluster = { name: 'prod-us-east', labels: { env: 'production', region: 'us-east' }, identity: { REGION: 'us-east-1' } };

const guards: GuardRule[] = [
  { name: 'identity', builtin: 'identity' },
  {
    name: 'gdpr-residency',
    clusters: { matchLabels: { compliance: 'gdpr' } },
    denyObjects: { matchExpressions: [{ key: 'region', operator: 'Exists' }, { key: 'region', operator: 'NotIn', values: ['eu-west'] }] },
  },
];

function identityMap(name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'kube-system' }, data };
}

const verdicts = (cluster: GuardCluster, objects: KubeObject[], rules = guards) => evaluateGuards({ guards: rules }, { target: { cluster }, objects: objects.map((object) => ({ object })) });

test('a target whose objects agree with the cluster record passes', () => {
  const objects = [
    identityMap('cluster-identity', { CLUSTER_NAME: 'prod-eu-west', REGION: 'eu-west-1', COMPLIANCE: 'gdpr' }),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring', labels: { cluster: 'prod-eu-west', region: 'eu-west' } } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web' } },
  ];
  assert.deepEqual(verdicts(euCluster, objects), []);
});

test('identity: a cluster label naming another cluster blocks, naming the guard and object', () => {
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring', labels: { cluster: 'prod-us-east' } } };
  assert.deepEqual(verdicts(euCluster, [ns]), [
    { guard: 'identity', object: 'Namespace/monitoring', message: 'Namespace/monitoring carries the label cluster=prod-us-east, but the target cluster is prod-eu-west' },
  ]);
});

test('identity: the cluster-identity ConfigMap (also with a generator hash) must agree on CLUSTER_NAME and every identity key it holds', () => {
  const wrong = identityMap('cluster-identity-5m7fbk29t8', { CLUSTER_NAME: 'prod-us-east', REGION: 'us-east-1', OTHER: 'x' });
  const found = verdicts(euCluster, [wrong]);
  assert.deepEqual(
    found.map((v) => v.message),
    [
      'ConfigMap/kube-system/cluster-identity-5m7fbk29t8 says CLUSTER_NAME=prod-us-east, but the target cluster is prod-eu-west',
      'ConfigMap/kube-system/cluster-identity-5m7fbk29t8 says REGION=us-east-1, but the identity of cluster prod-eu-west says REGION=eu-west-1',
    ],
  );
  assert.deepEqual(verdicts(euCluster, [identityMap('cluster-identity-extra', { CLUSTER_NAME: 'nope' })]), [], 'other ConfigMaps are not identity maps');
  assert.deepEqual(verdicts(euCluster, [identityMap('cluster-identity', { REGION: 'eu-west-1' })]), [], 'a key the map lacks is not a mismatch');
});

test('identity runs even when the fleet does not list it', () => {
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { cluster: 'elsewhere' } } };
  assert.equal(verdicts(usCluster, [ns], []).length, 1);
});

test('denyObjects: blocks matching objects only on the clusters the guard selects', () => {
  const usObject: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'analytics', namespace: 'data', labels: { region: 'us-east' } } };
  const unlabelled: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'data' } };
  const eu = verdicts(euCluster, [usObject, unlabelled]);
  assert.deepEqual(eu, [
    {
      guard: 'gdpr-residency',
      object: 'ConfigMap/data/analytics',
      message: 'ConfigMap/data/analytics has labels matching region,region notin (eu-west), which guard gdpr-residency denies on clusters matching compliance=gdpr (cluster prod-eu-west)',
    },
  ]);
  assert.deepEqual(verdicts(usCluster, [usObject]), [], 'the guard does not apply to clusters without compliance=gdpr');
  const everywhere = verdicts(usCluster, [usObject], [{ name: 'no-us', denyObjects: { matchLabels: { region: 'us-east' } } }]);
  assert.match(everywhere[0]!.message, /denies on every cluster/);
});

test('checkFingerprint: passes without a fingerprint or with the same uid, blocks on another uid', () => {
  assert.equal(checkFingerprint({ name: 'a' }, 'uid-1'), undefined);
  assert.equal(checkFingerprint({ name: 'a', fingerprint: 'uid-1' }, 'uid-1'), undefined);
  const verdict = checkFingerprint({ name: 'a', fingerprint: 'uid-1' }, 'uid-2');
  assert.deepEqual(verdict && [verdict.guard, verdict.object], ['identity', 'Namespace/kube-system']);
  assert.match(verdict!.message, /live kube-system namespace has uid uid-2, but the record of cluster a has fingerprint uid-1/);
});

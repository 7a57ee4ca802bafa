import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRecord } from '../fleet/index.js';
import type { ObjectDriftReport, TargetSyncResult } from '../reconcile/index.js';
import { describeCluster } from './cluster-detail.js';

const record: ClusterRecord = { name: 'prod-eu-west', labels: { env: 'production' }, identity: { CLUSTER_NAME: 'prod-eu-west', REGION: 'eu-west-1' }, connection: { mode: 'push' }, fingerprint: 'uid-1', file: 'clusters/prod-eu-west/cluster.yaml' };

function result(over: Partial<TargetSyncResult>): TargetSyncResult {
  return { cluster: 'prod-eu-west', release: 'web', key: 'prod-eu-west/web', revision: 'abc', sync: 'Synced', health: 'Healthy', message: '', changes: { entries: [] }, guards: [], errors: [], objects: [], objectHealth: [], durationMs: 1, ...over };
}

test('a cluster that synced proved its fingerprint; its objects carry their health and its drift keeps the masked values masked', () => {
  const synced = result({ objectHealth: [{ object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'web' }, status: 'Progressing', message: '0 of 1 updated replicas are available' }] });
  const drift: ObjectDriftReport[] = [
    { release: 'web', object: 'Secret/web/token', missing: false, since: 5, fields: [{ path: '/data/token', desired: '(masked)', live: '(masked)', masked: true }] },
    { release: 'web', object: 'Deployment/web/web', missing: false, since: 6, fields: [{ path: '/spec/replicas', desired: 1, live: 3 }] },
  ];
  const detail = describeCluster(record, [synced], drift);
  assert.deepEqual(detail.identity, { CLUSTER_NAME: 'prod-eu-west', REGION: 'eu-west-1' });
  assert.deepEqual(detail.fingerprint, { expected: 'uid-1', status: 'match' });
  assert.deepEqual(detail.objects, [{ release: 'web', object: 'Deployment/web/web', health: 'Progressing', message: '0 of 1 updated replicas are available' }]);
  assert.deepEqual(detail.drift[0]!.fields, [{ path: '/data/token', desired: '(masked)', live: '(masked)', masked: true }]);
  assert.deepEqual(detail.drift[1], { release: 'web', object: 'Deployment/web/web', missing: false, since: 6, fields: [{ path: '/spec/replicas', desired: 1, live: 3 }] });
});

test('the fingerprint is a mismatch when the guard blocked on kube-system, unknown while the cluster does not answer, unset without a record', () => {
  const message = 'the live kube-system namespace has uid uid-2, but the record of cluster prod-eu-west has fingerprint uid-1: the connection reaches another cluster; nothing is written';
  const blocked = result({ sync: 'Blocked', guards: [{ guard: 'identity', object: 'Namespace/kube-system', message }] });
  assert.deepEqual(describeCluster(record, [blocked], []).fingerprint, { expected: 'uid-1', status: 'mismatch', message });
  assert.equal(describeCluster(record, [result({ sync: 'Unreachable' })], []).fingerprint.status, 'unknown');
  assert.equal(describeCluster(record, [], []).fingerprint.status, 'unknown');
  assert.deepEqual(describeCluster({ ...record, fingerprint: undefined }, [result({})], []).fingerprint, { status: 'unset' });
});

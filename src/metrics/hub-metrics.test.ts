import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubMetrics, metricNames, safeRepo } from './hub-metrics.js';

function series(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

test('the scrape text has every metric name of SPEC §9 with its labels', async () => {
  const m = new HubMetrics({ defaultMetrics: false });
  m.setTarget({ cluster: 'prod', release: 'web', revision: 'abc', sync: 'Synced', health: 'Healthy' });
  m.observeReconcile('prod', 0.3);
  m.observe({ type: 'DriftDetected', cluster: 'prod', release: 'web' });
  m.observe({ type: 'DriftCorrected', cluster: 'prod', release: 'web' });
  m.observe({ type: 'SyncSucceeded', cluster: 'prod', release: 'web' });
  m.observe({ type: 'GuardBlocked', cluster: 'prod', release: 'web', guard: 'identity' });
  m.setRollout({ release: 'web', currentWave: 1, waves: [{ name: 'dev' }, { name: 'prod' }] });
  m.setSourceRevision('https://git.example/acme/fleet.git', 'abc');
  const text = await m.metrics();
  for (const name of metricNames) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  assert.deepEqual(series(text, 'flotilla_target_info'), ['flotilla_target_info{cluster="prod",release="web",revision="abc",sync_status="Synced",health_status="Healthy"} 1']);
  assert.ok(text.includes('flotilla_reconcile_duration_seconds_bucket{le="0.5",cluster="prod"} 1'));
  assert.deepEqual(series(text, 'flotilla_drift_detected_total'), ['flotilla_drift_detected_total{cluster="prod",release="web"} 1']);
  assert.deepEqual(series(text, 'flotilla_drift_corrected_total'), ['flotilla_drift_corrected_total{cluster="prod",release="web"} 1']);
  assert.deepEqual(series(text, 'flotilla_apply_total'), ['flotilla_apply_total{cluster="prod",result="succeeded"} 1']);
  assert.deepEqual(series(text, 'flotilla_cluster_up'), ['flotilla_cluster_up{cluster="prod"} 1']);
  assert.deepEqual(series(text, 'flotilla_guard_blocked_total'), ['flotilla_guard_blocked_total{guard="identity",cluster="prod"} 1']);
  assert.deepEqual(series(text, 'flotilla_rollout_wave'), ['flotilla_rollout_wave{release="web",wave="prod"} 2']);
  assert.deepEqual(series(text, 'flotilla_source_revision_info'), ['flotilla_source_revision_info{repo="https://git.example/acme/fleet.git",revision="abc"} 1']);
  assert.equal(m.contentType.split(';')[0], 'text/plain');
});

test('a target changing state replaces its info series instead of adding one', async () => {
  const m = new HubMetrics({ defaultMetrics: false });
  m.setTarget({ cluster: 'prod', release: 'web', revision: 'abc', sync: 'Synced', health: 'Healthy' });
  m.setTarget({ cluster: 'prod', release: 'web', revision: 'abc', sync: 'Drifted', health: 'Healthy' });
  assert.deepEqual(series(await m.metrics(), 'flotilla_target_info'), ['flotilla_target_info{cluster="prod",release="web",revision="abc",sync_status="Drifted",health_status="Healthy"} 1']);
  m.setTarget({ cluster: 'prod', release: 'web', revision: 'abc', sync: 'Synced', health: 'Healthy' });
  m.setTarget({ cluster: 'dev', release: 'web', sync: 'OutOfSync', health: 'Unknown' });
  assert.deepEqual(series(await m.metrics(), 'flotilla_target_info'), [
    'flotilla_target_info{cluster="prod",release="web",revision="abc",sync_status="Synced",health_status="Healthy"} 1',
    'flotilla_target_info{cluster="dev",release="web",revision="",sync_status="OutOfSync",health_status="Unknown"} 1',
  ]);
  m.removeCluster('dev');
  m.removeTarget('prod', 'web');
  assert.deepEqual(series(await m.metrics(), 'flotilla_target_info'), []);
});

test('cluster_up follows reachability; failed syncs and a completed rollout read as documented', async () => {
  const m = new HubMetrics({ defaultMetrics: false });
  m.observe({ type: 'ClusterUnreachable', cluster: 'edge' });
  m.observe({ type: 'SyncFailed', cluster: 'edge', release: 'web' });
  assert.deepEqual(series(await m.metrics(), 'flotilla_cluster_up'), ['flotilla_cluster_up{cluster="edge"} 0']);
  m.observe({ type: 'ClusterReachable', cluster: 'edge' });
  m.setRollout({ release: 'web', currentWave: 2, waves: [{ name: 'dev' }, { name: 'prod' }] });
  const text = await m.metrics();
  assert.deepEqual(series(text, 'flotilla_cluster_up'), ['flotilla_cluster_up{cluster="edge"} 1']);
  assert.deepEqual(series(text, 'flotilla_apply_total'), ['flotilla_apply_total{cluster="edge",result="failed"} 1']);
  assert.deepEqual(series(text, 'flotilla_rollout_wave'), ['flotilla_rollout_wave{release="web",wave="prod"} 2']);
});

test('process metrics come with the default registry, and credentials never become a label', async () => {
  assert.match(await new HubMetrics().metrics(), /^process_cpu_user_seconds_total /m);
  assert.equal(safeRepo('https://user:tok@git.example/a.git'), 'https://git.example/a.git');
  assert.equal(safeRepo('git@github.com:acme/fleet.git'), 'git@github.com:acme/fleet.git');
  assert.equal(safeRepo('ssh://git:pw@host/x'), 'ssh://host/x');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRollout, type RolloutTarget } from './start.js';
import { isFinal, pinnedRevision, step } from './step.js';
import type { HealthState, RolloutCommand, RolloutDecision, RolloutPolicy, RolloutState, SyncState, TargetObservation } from './types.js';

const OLD = 'aaa111';
const NEW = 'bbb222';
const minute = 60_000;

const policy: RolloutPolicy = {
  failurePolicy: 'rollback',
  waves: [
    { name: 'dev', selector: { matchLabels: { env: 'dev' } } },
    { name: 'staging', selector: { matchLabels: { env: 'staging' } }, soak: 2 * minute },
    { name: 'production', selector: { matchLabels: { env: 'production' } }, maxParallel: '50%', soak: 10 * minute, approval: 'manual' },
  ],
};

const fleet: RolloutTarget[] = [
  { cluster: 'dev-us-east', labels: { env: 'dev' }, pinned: OLD, lastHealthy: OLD },
  { cluster: 'staging-eu-west', labels: { env: 'staging' }, pinned: OLD, lastHealthy: OLD },
  { cluster: 'staging-us-east', labels: { env: 'staging' }, pinned: OLD, lastHealthy: OLD },
  { cluster: 'prod-eu-west', labels: { env: 'production' }, pinned: OLD, lastHealthy: OLD },
  { cluster: 'prod-us-east', labels: { env: 'production' }, pinned: OLD, lastHealthy: OLD },
  { cluster: 'prod-ap-south', labels: { env: 'production' }, pinned: OLD, lastHealthy: OLD },
  { cluster: 'prod-eu-north', labels: { env: 'production' } }, // new cluster: never ran the release
];

type Seen = Record<string, [SyncState, HealthState, string?] | TargetObservation>;

/** World holds what the reconciler reports; each run() steps the rollout once at a given time. */
class World {
  state: RolloutState;
  seen: Record<string, TargetObservation> = {};
  constructor(targets = fleet, p: RolloutPolicy | null = policy) {
    this.state = startRollout({ release: 'shop', revision: NEW, policy: p ?? undefined, targets, now: 0 });
  }
  report(seen: Seen): this {
    for (const [cluster, v] of Object.entries(seen)) this.seen[cluster] = Array.isArray(v) ? { sync: v[0], health: v[1], revision: v[2] ?? NEW } : v;
    return this;
  }
  run(now: number, commands: RolloutCommand[] = []): RolloutDecision[] {
    const result = step(this.state, { now, targets: this.seen, commands });
    this.state = result.state;
    return result.decisions;
  }
}

const syncs = (d: RolloutDecision[]) => d.filter((x) => x.type === 'sync').map((x) => (x as { cluster: string }).cluster);
const events = (d: RolloutDecision[]) => d.filter((x) => x.type === 'event').map((x) => (x as { event: string }).event);
const healthy: [SyncState, HealthState] = ['Synced', 'Healthy'];

/** throughStaging drives the rollout until production waits for approval. */
function throughStaging(world: World): void {
  world.run(0);
  world.report({ 'dev-us-east': healthy }).run(1 * minute);
  world.report({ 'staging-eu-west': healthy, 'staging-us-east': healthy }).run(2 * minute);
  world.run(4 * minute);
}

test('start: targets in waves, pinned to what they run, nothing updated yet', () => {
  const { state } = new World();
  assert.deepEqual(state.waves.map((w) => [w.name, w.clusters, w.maxParallel, w.soak, w.approval]), [
    ['dev', ['dev-us-east'], 1, 0, false],
    ['staging', ['staging-eu-west', 'staging-us-east'], 2, 2 * minute, false],
    ['production', ['prod-ap-south', 'prod-eu-north', 'prod-eu-west', 'prod-us-east'], 2, 10 * minute, true],
  ]);
  assert.equal(state.phase, 'Progressing');
  assert.equal(pinnedRevision(state, 'prod-eu-west'), OLD);
  assert.equal(pinnedRevision(state, 'prod-eu-north'), undefined);
  assert.ok(Object.values(state.targets).every((t) => t.status === 'Pending'));
});

test('Pending wave → Progressing: the first wave starts and its targets are told to sync', () => {
  const world = new World();
  const decisions = world.run(0);
  assert.deepEqual(events(decisions), ['WaveStarted']);
  assert.deepEqual(syncs(decisions), ['dev-us-east']);
  assert.equal(world.state.targets['dev-us-east']!.status, 'Updating');
  assert.equal(pinnedRevision(world.state, 'dev-us-east'), NEW);
  assert.equal(pinnedRevision(world.state, 'staging-eu-west'), OLD, 'later waves stay pinned to the old revision, so self-heal keeps them there');
});

test('the same observations twice decide nothing new', () => {
  const world = new World();
  world.run(0);
  assert.deepEqual(world.run(10), []);
  world.report({ 'dev-us-east': ['Progressing', 'Progressing'] });
  assert.deepEqual(world.run(20), []);
});

test('Updating → Healthy completes a wave without soak, and the next wave starts in the same step', () => {
  const world = new World();
  world.run(0);
  const decisions = world.report({ 'dev-us-east': healthy }).run(minute);
  assert.deepEqual(events(decisions), ['WaveCompleted', 'WaveStarted']);
  assert.deepEqual(syncs(decisions), ['staging-eu-west', 'staging-us-east']);
  assert.equal(world.state.targets['dev-us-east']!.lastHealthy, NEW, 'a completed wave makes the revision its clusters\' last healthy one');
  assert.equal(world.state.targets['staging-eu-west']!.lastHealthy, OLD);
  assert.equal(world.state.currentWave, 1);
});

test('an observation of an older revision is not taken for this rollout', () => {
  const world = new World();
  world.run(0);
  world.report({ 'dev-us-east': ['Failed', 'Degraded', OLD] });
  assert.deepEqual(world.run(minute), []);
  assert.equal(world.state.targets['dev-us-east']!.status, 'Updating');
  world.report({ 'dev-us-east': ['Synced', 'Healthy', OLD] });
  assert.deepEqual(world.run(2 * minute), []);
});

test('Soaking: a wave completes only after every target stayed healthy for soak; a wobble restarts the clock', () => {
  const world = new World();
  world.run(0);
  world.report({ 'dev-us-east': healthy }).run(minute);
  world.report({ 'staging-eu-west': healthy, 'staging-us-east': healthy });
  assert.deepEqual(world.run(2 * minute), []);
  assert.equal(world.state.waves[1]!.phase, 'Soaking');
  assert.equal(world.state.waves[1]!.healthySince, 2 * minute);
  world.report({ 'staging-us-east': ['Synced', 'Progressing'] });
  assert.deepEqual(world.run(3 * minute), []);
  assert.equal(world.state.waves[1]!.healthySince, undefined);
  world.report({ 'staging-us-east': healthy });
  world.run(3.5 * minute);
  assert.deepEqual(world.run(5 * minute), [], 'only 1.5 minutes since the wobble');
  assert.deepEqual(events(world.run(5.5 * minute)), ['WaveCompleted', 'WaitingForApproval']);
});

test('a target that turns Degraded while soaking fails, halts the rollout and goes back to the revision before it', () => {
  const world = new World();
  world.run(0);
  world.report({ 'dev-us-east': healthy }).run(minute);
  world.report({ 'staging-eu-west': healthy, 'staging-us-east': healthy }).run(2 * minute);
  const decisions = world.report({ 'staging-eu-west': ['Synced', 'Degraded'] }).run(3 * minute);
  assert.deepEqual(events(decisions), ['TargetFailed', 'RolloutHalted']);
  assert.deepEqual(decisions.filter((d) => d.type === 'rollback'), [{ type: 'rollback', cluster: 'staging-eu-west', revision: OLD, reason: 'became Degraded after it was healthy' }]);
  assert.equal(world.state.phase, 'Halted');
  assert.equal(world.state.targets['staging-eu-west']!.failure, 'became Degraded after it was healthy');
});

test('WaitingApproval: a manual wave waits, asks once, and ignores the clock', () => {
  const world = new World();
  throughStaging(world);
  assert.equal(world.state.phase, 'WaitingApproval');
  assert.equal(world.state.waves[2]!.phase, 'WaitingApproval');
  assert.deepEqual(world.run(60 * minute), []);
  assert.equal(pinnedRevision(world.state, 'prod-eu-west'), OLD);
});

test('approve starts the waiting wave, at most maxParallel targets at a time', () => {
  const world = new World();
  throughStaging(world);
  const decisions = world.run(5 * minute, [{ type: 'approve', wave: 'production' }]);
  assert.deepEqual(events(decisions), ['WaveStarted']);
  assert.deepEqual(syncs(decisions), ['prod-ap-south', 'prod-eu-north']);
  assert.deepEqual(syncs(world.report({ 'prod-ap-south': healthy }).run(6 * minute)), ['prod-eu-west']);
  assert.deepEqual(syncs(world.report({ 'prod-eu-north': healthy, 'prod-eu-west': ['Progressing', 'Progressing'] }).run(7 * minute)), ['prod-us-east']);
});

test('approve is ignored when nothing waits for it, or for another wave', () => {
  const world = new World();
  assert.deepEqual(events(world.run(0, [{ type: 'approve' }])), ['CommandIgnored', 'WaveStarted']);
  throughStaging(world);
  assert.deepEqual(events(world.run(5 * minute, [{ type: 'approve', wave: 'staging' }])), ['CommandIgnored']);
  assert.equal(world.state.phase, 'WaitingApproval');
});

test('the last wave completing completes the rollout, once', () => {
  const world = new World();
  throughStaging(world);
  world.run(5 * minute, [{ type: 'approve' }]);
  world.report({ 'prod-ap-south': healthy, 'prod-eu-north': healthy }).run(6 * minute);
  world.report({ 'prod-eu-west': healthy, 'prod-us-east': healthy }).run(7 * minute);
  assert.deepEqual(events(world.run(17 * minute)), ['WaveCompleted', 'RolloutCompleted']);
  assert.equal(world.state.phase, 'Completed');
  assert.ok(isFinal(world.state));
  assert.deepEqual(world.run(18 * minute), []);
  assert.ok(Object.values(world.state.targets).every((t) => t.pinned === NEW && t.status === 'Healthy'));
});

test('Failed with failurePolicy rollback: halt, and send the failed cluster back to its last healthy revision', () => {
  const world = new World();
  world.run(0);
  const decisions = world.report({ 'dev-us-east': { sync: 'Failed', health: 'Degraded', revision: NEW, message: 'timed out after 5m waiting for Deployment/shop/api' } }).run(minute);
  assert.deepEqual(decisions, [
    { type: 'rollback', cluster: 'dev-us-east', revision: OLD, reason: 'timed out after 5m waiting for Deployment/shop/api' },
    { type: 'event', event: 'TargetFailed', message: `dev-us-east failed at ${NEW}: timed out after 5m waiting for Deployment/shop/api; rolling it back to ${OLD}`, cluster: 'dev-us-east', wave: 'dev' },
    { type: 'event', event: 'RolloutHalted', message: `rollout of shop at ${NEW} halted: dev-us-east failed: timed out after 5m waiting for Deployment/shop/api`, cluster: 'dev-us-east', wave: 'dev' },
  ]);
  assert.equal(world.state.phase, 'Halted');
  assert.equal(world.state.targets['dev-us-east']!.status, 'RolledBack');
  assert.equal(pinnedRevision(world.state, 'dev-us-east'), OLD);
  assert.deepEqual(world.run(2 * minute), [], 'a halted rollout starts nothing');
});

test('Failed with failurePolicy halt: halt only; a guard block counts as a failure', () => {
  const world = new World(fleet, { ...policy, failurePolicy: 'halt' });
  world.run(0);
  const decisions = world.report({ 'dev-us-east': { sync: 'Blocked', health: 'Unknown', revision: NEW, message: 'guard identity: ConfigMap/kube-system/cluster-identity says CLUSTER_NAME=prod-eu-west' } }).run(minute);
  assert.deepEqual(events(decisions), ['TargetFailed', 'RolloutHalted']);
  assert.equal(decisions.some((d) => d.type === 'rollback'), false);
  assert.equal(world.state.targets['dev-us-east']!.status, 'Failed');
  assert.equal(pinnedRevision(world.state, 'dev-us-east'), NEW);
});

test('a failed cluster with no earlier healthy revision cannot be rolled back, and says so', () => {
  const world = new World();
  throughStaging(world);
  world.run(5 * minute, [{ type: 'approve' }]);
  const decisions = world.report({ 'prod-eu-north': ['Failed', 'Unknown'] }).run(6 * minute);
  assert.equal(decisions.some((d) => d.type === 'rollback'), false);
  assert.match((decisions[0] as { message: string }).message, /prod-eu-north failed at bbb222: sync failed; it cannot be rolled back: no earlier revision was healthy on it/);
});

test('in-flight targets of a halted rollout are still observed', () => {
  const world = new World();
  throughStaging(world);
  world.run(5 * minute, [{ type: 'approve' }]);
  world.report({ 'prod-ap-south': ['Failed', 'Degraded'] }).run(6 * minute);
  world.report({ 'prod-eu-north': healthy }).run(7 * minute);
  assert.equal(world.state.targets['prod-eu-north']!.status, 'Healthy');
  assert.equal(world.state.targets['prod-eu-west']!.status, 'Pending');
});

test('resume after a halt retries the failed targets', () => {
  const world = new World();
  world.run(0);
  world.report({ 'dev-us-east': ['Failed', 'Degraded'] }).run(minute);
  const decisions = world.run(2 * minute, [{ type: 'resume' }]);
  assert.deepEqual(events(decisions), ['RolloutResumed']);
  assert.deepEqual(syncs(decisions), ['dev-us-east']);
  assert.equal(world.state.phase, 'Progressing');
  assert.equal(world.state.haltReason, undefined);
});

test('pause stops new syncs and wave changes; resume carries on', () => {
  const world = new World();
  world.run(0);
  assert.deepEqual(events(world.run(10, [{ type: 'pause' }])), ['RolloutPaused']);
  assert.equal(world.state.phase, 'Paused');
  assert.deepEqual(world.report({ 'dev-us-east': healthy }).run(minute), []);
  assert.equal(world.state.targets['dev-us-east']!.status, 'Healthy', 'targets already syncing are still observed');
  assert.equal(world.state.currentWave, 0);
  assert.deepEqual(events(world.run(minute, [{ type: 'pause' }])), ['CommandIgnored']);
  const resumed = world.run(2 * minute, [{ type: 'resume' }]);
  assert.deepEqual(events(resumed), ['RolloutResumed', 'WaveCompleted', 'WaveStarted']);
  assert.deepEqual(syncs(resumed), ['staging-eu-west', 'staging-us-east']);
});

test('abort ends the rollout where it stands; later commands are ignored', () => {
  const world = new World();
  world.run(0);
  world.report({ 'dev-us-east': healthy }).run(minute);
  assert.deepEqual(events(world.run(2 * minute, [{ type: 'abort' }])), ['RolloutAborted']);
  assert.equal(world.state.phase, 'Aborted');
  assert.equal(pinnedRevision(world.state, 'dev-us-east'), NEW);
  assert.equal(pinnedRevision(world.state, 'staging-eu-west'), NEW, 'already told to sync before the abort');
  assert.equal(pinnedRevision(world.state, 'prod-eu-west'), OLD);
  world.report({ 'staging-eu-west': healthy, 'staging-us-east': healthy });
  assert.deepEqual(events(world.run(3 * minute, [{ type: 'resume' }])), ['CommandIgnored']);
});

test('a release without rollout moves every target at once', () => {
  const world = new World(fleet, null);
  const decisions = world.run(0);
  assert.equal(syncs(decisions).length, fleet.length);
  world.report(Object.fromEntries(fleet.map((t) => [t.cluster, healthy])));
  assert.deepEqual(events(world.run(minute)), ['WaveCompleted', 'RolloutCompleted']);
});

test('targets already healthy at the revision are not synced again', () => {
  const targets = fleet.map((t) => (t.cluster.startsWith('dev') ? { ...t, pinned: NEW, lastHealthy: NEW } : t));
  const world = new World(targets);
  const decisions = world.run(0);
  assert.deepEqual(events(decisions), ['WaveCompleted', 'WaveStarted']);
  assert.deepEqual(syncs(decisions), ['staging-eu-west', 'staging-us-east']);
});

test('the state survives a restart: JSON in, the same decisions out', () => {
  const world = new World();
  throughStaging(world);
  const restored = JSON.parse(JSON.stringify(world.state)) as RolloutState;
  assert.deepEqual(restored, world.state);
  const commands: RolloutCommand[] = [{ type: 'approve' }];
  assert.deepEqual(step(restored, { now: 5 * minute, targets: world.seen, commands }), step(world.state, { now: 5 * minute, targets: world.seen, commands }));
});

test('step does not change the state it is given', () => {
  const world = new World();
  const before = structuredClone(world.state);
  step(world.state, { now: 0, targets: {} });
  assert.deepEqual(world.state, before);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlotillaError } from '../core/index.js';
import type { RolloutState } from '../rollout/index.js';
import { SqliteHubStore, databaseFileName } from './hub-store.js';
import { lockFileName } from './lock.js';
import { hubMigrations, migrate, type Migration } from './migrations.js';

const dir = () => mkdtempSync(join(tmpdir(), 'flotilla-store-'));

const rollout: RolloutState = {
  release: 'web',
  revision: 'abc123',
  failurePolicy: 'rollback',
  phase: 'WaitingApproval',
  paused: false,
  currentWave: 1,
  waves: [
    { name: 'dev', clusters: ['dev-1'], maxParallel: 1, soak: 0, approval: false, approved: false, phase: 'Complete' },
    { name: 'prod', clusters: ['prod-1', 'prod-2'], maxParallel: 1, soak: 600_000, approval: true, approved: false, phase: 'WaitingApproval' },
  ],
  targets: {
    'dev-1': { cluster: 'dev-1', wave: 0, status: 'Healthy', pinned: 'abc123', lastHealthy: 'abc123', updatedAt: 5 },
    'prod-1': { cluster: 'prod-1', wave: 1, status: 'Pending', pinned: 'old999', lastHealthy: 'old999' },
  },
  startedAt: 1,
};

test('everything written is there again after the store is closed and reopened (a hub restart)', () => {
  const d = dir();
  const now = () => 10_000;
  const store = SqliteHubStore.open(d, { now });
  const drift = store.appendEvent({ type: 'DriftDetected', time: 1000, cluster: 'prod-1', release: 'web', revision: 'abc123', object: 'Deployment/web/api', fields: ['/spec/replicas'], missing: false, selfHeal: true });
  store.appendEvent({ type: 'SyncSucceeded', time: 2000, cluster: 'prod-1', release: 'web', revision: 'abc123', changes: { created: 0, configured: 1 }, health: 'Healthy' });
  store.appendAudit({ time: 3000, actor: 'alice', role: 'operator', method: 'POST', path: '/api/v1/sync', request: { cluster: 'prod-1' }, outcome: 'succeeded', status: 202 });
  store.appendAudit({ time: 3001, actor: 'bob', role: 'viewer', method: 'POST', path: '/api/v1/sync', outcome: 'denied', status: 403, message: 'role viewer may not sync' });
  store.putTargetStatus({ cluster: 'prod-1', release: 'web', revision: 'abc123', desiredRevision: 'abc123', sync: 'Drifted', health: 'Healthy', drift: 1, message: '1 object differs', updatedAt: 1000 });
  store.putTargetStatus({ cluster: 'prod-1', release: 'web', revision: 'abc123', desiredRevision: 'abc123', sync: 'Synced', health: 'Healthy', drift: 0, message: 'in sync', updatedAt: 2000 });
  store.putRolloutState(rollout, 4000);
  store.addDeadLetter({ time: 5000, notification: 'ops-hook', provider: 'webhook', deliveryId: 'd-1', event: { type: 'DriftDetected', time: 1000, cluster: 'prod-1' }, attempts: 5, error: 'HTTP 500 from http://127.0.0.1:…' });
  store.setMeta('revision', 'abc123');
  store.close();

  const again = SqliteHubStore.open(d, { now });
  assert.deepEqual(again.migration.applied, [], 'no migration runs twice');
  const events = again.listEvents();
  assert.deepEqual(events.map((e) => e.type), ['SyncSucceeded', 'DriftDetected'], 'newest first');
  assert.deepEqual(events[1], { ...drift }, 'an event comes back with every field it was given');
  assert.deepEqual(again.listAudit().map((a) => [a.actor, a.outcome, a.status]), [['bob', 'denied', 403], ['alice', 'succeeded', 202]]);
  assert.deepEqual(again.listAudit({ outcome: 'succeeded' })[0]!.request, { cluster: 'prod-1' });
  assert.deepEqual(again.listTargetStatus(), [{ cluster: 'prod-1', release: 'web', revision: 'abc123', desiredRevision: 'abc123', sync: 'Synced', health: 'Healthy', drift: 0, message: 'in sync', updatedAt: 2000 }]);
  assert.deepEqual(again.getRolloutState('web'), { release: 'web', state: rollout, updatedAt: 4000 });
  assert.equal(again.listDeadLetters()[0]!.event.type, 'DriftDetected');
  assert.equal(again.getMeta('revision'), 'abc123');
  assert.equal(again.getMeta('missing'), undefined);
  assert.deepEqual(again.counts(), { events: 2, audit: 2, targets: 1, rollouts: 1, deadLetters: 1 });
  again.close();
});

test('rollout records and snapshots of pinned content survive a reopen; unused snapshots can be dropped', () => {
  const d = dir();
  const store = SqliteHubStore.open(d);
  store.saveRolloutRecord('web', { release: 'web', pins: { c1: { revision: 'r1', contentHash: 'h1' } } });
  store.saveRolloutRecord('api', { release: 'api', pins: {} });
  store.saveRolloutSnapshot('web', 'h1', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }]);
  store.saveRolloutSnapshot('web', 'h1', [{ changed: 'ignored: a hash names one content' }]);
  store.saveRolloutSnapshot('web', 'h2', []);
  store.close();
  const again = SqliteHubStore.open(d);
  assert.deepEqual(again.loadRolloutRecord('web'), { release: 'web', pins: { c1: { revision: 'r1', contentHash: 'h1' } } });
  assert.deepEqual(again.listRolloutRecords().map((r) => (r as { release: string }).release), ['api', 'web']);
  assert.deepEqual(again.loadRolloutSnapshot('web', 'h1'), [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }]);
  again.keepRolloutSnapshots('web', ['h1']);
  assert.equal(again.loadRolloutSnapshot('web', 'h2'), undefined);
  assert.ok(again.loadRolloutSnapshot('web', 'h1'));
  assert.equal(again.loadRolloutRecord('missing'), undefined);
  again.close();
});

test('the database runs in WAL mode and the data directory is locked while the store is open', () => {
  const d = dir();
  const store = SqliteHubStore.open(d);
  assert.throws(() => SqliteHubStore.open(d), (e: unknown) => e instanceof FlotillaError && e.code === 'HUB_DATA_LOCKED' && e.message.includes(lockFileName));
  const lock = JSON.parse(readFileSync(join(d, lockFileName), 'utf8'));
  assert.equal(lock.pid, process.pid);
  store.close();
  store.close();
  const raw = new Database(join(d, databaseFileName), { readonly: true });
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  raw.close();
  SqliteHubStore.open(d).close();
});

test('a closed store refuses reads and writes with HUB_STORE_FAILED', () => {
  const store = SqliteHubStore.open(dir());
  store.close();
  assert.throws(() => store.listEvents(), (e: unknown) => e instanceof FlotillaError && e.code === 'HUB_STORE_FAILED' && /closed/.test(e.message));
});

test('events page forward after an id and filter by cluster, release and type', () => {
  const store = SqliteHubStore.open(dir());
  for (let i = 0; i < 10; i++) store.appendEvent({ type: i % 2 ? 'DriftDetected' : 'SyncSucceeded', time: i, cluster: `c${i % 3}`, release: 'web' });
  const first = store.listEvents({ after: 0, limit: 4 });
  assert.deepEqual(first.map((e) => e.id), [1, 2, 3, 4]);
  assert.deepEqual(store.listEvents({ after: 4, limit: 3 }).map((e) => e.id), [5, 6, 7]);
  assert.deepEqual(store.listEvents({ cluster: 'c0' }).map((e) => e.time), [9, 6, 3, 0]);
  assert.deepEqual(store.listEvents({ types: ['DriftDetected'], limit: 2 }).map((e) => e.time), [9, 7]);
  assert.equal(store.listEvents({ release: 'other' }).length, 0);
  assert.equal(store.lastEventId(), 10);
  store.close();
});

test('the retention bound keeps the newest rows and drops what is too old', () => {
  let now = 1_000_000;
  const store = SqliteHubStore.open(dir(), { retention: { maxEvents: 5, maxAuditRecords: 2, maxAgeMs: 100_000 }, pruneEvery: 3, now: () => now });
  for (let i = 0; i < 12; i++) store.appendEvent({ type: 'SyncSucceeded', time: now, cluster: 'c', seq: i });
  store.enforceRetention();
  assert.deepEqual(store.listEvents({ limit: 100 }).map((e) => e.seq), [11, 10, 9, 8, 7]);
  for (let i = 0; i < 3; i++) store.appendAudit({ time: now, actor: `a${i}`, method: 'POST', path: '/x', outcome: 'succeeded', status: 200 });
  assert.deepEqual(store.listAudit().map((a) => a.actor), ['a2', 'a1'], 'pruned after pruneEvery inserts');
  now += 200_000;
  store.enforceRetention();
  assert.deepEqual(store.counts(), { events: 0, audit: 0, targets: 0, rollouts: 0, deadLetters: 0 });
  store.close();
});

test('migrations are numbered, run once each, and record themselves', () => {
  const d = dir();
  const db = new Database(join(d, 'm.db'));
  const first = migrate(db, hubMigrations, 'm.db');
  assert.deepEqual(first, { from: 0, to: 2, applied: [1, 2] });
  assert.deepEqual(migrate(db, hubMigrations, 'm.db'), { from: 2, to: 2, applied: [] }, 'idempotent');
  const next: Migration[] = [...hubMigrations, { version: 3, name: 'a label column', sql: 'ALTER TABLE events ADD COLUMN label TEXT' }];
  assert.deepEqual(migrate(db, next, 'm.db'), { from: 2, to: 3, applied: [3] });
  assert.deepEqual(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all(), [{ version: 1 }, { version: 2 }, { version: 3 }]);
  assert.throws(() => migrate(db, hubMigrations, 'm.db'), (e: unknown) => e instanceof FlotillaError && e.code === 'HUB_STORE_FAILED' && /schema version 3, newer than this Flotilla knows \(2\)/.test(e.message));
  assert.throws(() => migrate(db, [{ version: 2, name: 'gap', sql: '' }], 'm.db'), /must be numbered 1, 2, 3/);

  // A database of the first schema version is brought forward, its data kept.
  const old = new Database(join(d, 'old.db'));
  migrate(old, hubMigrations.slice(0, 1), 'old.db');
  old.prepare("INSERT INTO events (time, type) VALUES (1, 'SyncSucceeded')").run();
  assert.deepEqual(migrate(old, hubMigrations, 'old.db'), { from: 1, to: 2, applied: [2] });
  assert.deepEqual(old.prepare('SELECT type FROM events').all(), [{ type: 'SyncSucceeded' }]);
  old.close();
  db.close();
});

test('a failing migration leaves the database at the last complete step', () => {
  const db = new Database(':memory:');
  const broken: Migration[] = [...hubMigrations, { version: 3, name: 'broken', sql: 'CREATE TABLE extra (x INTEGER); THIS IS NOT SQL' }];
  assert.throws(() => migrate(db, broken, 'mem'));
  assert.equal(db.pragma('user_version', { simple: true }), 2);
  assert.deepEqual(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'extra'").get(), { n: 0 });
  db.close();
});

test('a database that is not SQLite is a clear HUB_STORE_FAILED, and the lock is released', async () => {
  const d = dir();
  const { writeFileSync, existsSync } = await import('node:fs');
  writeFileSync(join(d, databaseFileName), 'this is not a database, just text that is long enough to have a header'.repeat(20));
  assert.throws(() => SqliteHubStore.open(d), (e: unknown) => e instanceof FlotillaError && e.code === 'HUB_STORE_FAILED' && e.message.includes(databaseFileName));
  assert.equal(existsSync(join(d, lockFileName)), false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlotillaError } from '../core/index.js';
import { acquireDataDirLock, lockFileName, processAlive } from './lock.js';

const dir = () => mkdtempSync(join(tmpdir(), 'flotilla-lock-'));

test('a second hub on the same data directory gets HUB_DATA_LOCKED naming the first', () => {
  const d = dir();
  const first = acquireDataDirLock(d, { pid: 4242, hostname: 'hub-a', isAlive: () => true });
  assert.throws(
    () => acquireDataDirLock(d, { pid: 5151, hostname: 'hub-a', isAlive: () => true }),
    (e: unknown) => e instanceof FlotillaError && e.code === 'HUB_DATA_LOCKED' && /in use by hub process 4242 on hub-a/.test(e.message),
  );
  first.release();
  assert.equal(existsSync(join(d, lockFileName)), false);
  const second = acquireDataDirLock(d, { pid: 5151, hostname: 'hub-a', isAlive: () => true });
  assert.equal(JSON.parse(readFileSync(join(d, lockFileName), 'utf8')).pid, 5151);
  second.release();
});

test('a stale lock whose process no longer runs on this host is taken over', () => {
  const d = dir();
  writeFileSync(join(d, lockFileName), JSON.stringify({ pid: 999_999, hostname: 'hub-a', startedAt: 1, token: 'old' }));
  const lock = acquireDataDirLock(d, { pid: 7, hostname: 'hub-a', isAlive: (pid) => pid !== 999_999 });
  assert.equal(lock.owner.pid, 7);
  assert.equal(JSON.parse(readFileSync(join(d, lockFileName), 'utf8')).token, lock.owner.token);
  lock.release();
});

test('a lock of another host is never taken over, and the hint says what to do', () => {
  const d = dir();
  writeFileSync(join(d, lockFileName), JSON.stringify({ pid: 1, hostname: 'elsewhere', startedAt: 1, token: 'x' }));
  assert.throws(
    () => acquireDataDirLock(d, { pid: 7, hostname: 'hub-a', isAlive: () => false }),
    (e: unknown) => e instanceof FlotillaError && e.code === 'HUB_DATA_LOCKED' && /Stop the hub on elsewhere/.test(e.hint),
  );
});

test('an unreadable lock file is debris once old, and respected while young', () => {
  const d = dir();
  const path = join(d, lockFileName);
  writeFileSync(path, '');
  const now = Date.now();
  assert.throws(() => acquireDataDirLock(d, { now: () => now }), (e: unknown) => e instanceof FlotillaError && e.code === 'HUB_DATA_LOCKED');
  utimesSync(path, new Date(now - 60_000), new Date(now - 60_000));
  const lock = acquireDataDirLock(d, { now: () => now });
  lock.release();
});

test('release leaves a lock that is not ours alone', () => {
  const d = dir();
  const lock = acquireDataDirLock(d, { pid: 7, hostname: 'h', isAlive: () => false });
  writeFileSync(join(d, lockFileName), JSON.stringify({ pid: 8, hostname: 'h', startedAt: 1, token: 'theirs' }));
  lock.release();
  assert.equal(JSON.parse(readFileSync(join(d, lockFileName), 'utf8')).token, 'theirs');
});

test('processAlive tells this process from a pid that does not exist', () => {
  assert.equal(processAlive(process.pid), true);
  assert.equal(processAlive(2 ** 22 + 12345), false);
});

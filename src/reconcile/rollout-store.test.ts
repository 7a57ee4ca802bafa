import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlotillaError } from '../core/index.js';
import { startRollout } from '../rollout/index.js';
import { pinsFrom } from './rollout-driver.js';
import { JsonFileRolloutStore, MemoryRolloutStore, type RolloutRecord, type RolloutStore } from './rollout-store.js';

const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x' }, data: { k: 'v' } };

function record(): RolloutRecord {
  const rollout = startRollout({ release: 'web', revision: 'r2', targets: [{ cluster: 'a', labels: {}, pinned: 'r1', lastHealthy: 'r1' }], now: 1 });
  return { release: 'web', rollout, rolloutHashes: { a: 'sha256:22' }, pins: { a: { revision: 'r1', contentHash: 'sha256:11', lastHealthy: { revision: 'r1', contentHash: 'sha256:11' } } } };
}

async function roundTrip(store: RolloutStore): Promise<void> {
  assert.equal(await store.load('web'), undefined);
  assert.deepEqual(await store.list(), []);
  await store.save('web', record());
  await store.save('api', { release: 'api', pins: {} });
  assert.deepEqual(await store.load('web'), record());
  assert.deepEqual((await store.list()).map((r) => r.release), ['api', 'web']);

  await store.saveSnapshot('web', 'sha256:11', [object]);
  await store.saveSnapshot('web', 'sha256:22', [object, object]);
  assert.deepEqual(await store.loadSnapshot('web', 'sha256:22'), [object, object]);
  assert.equal(await store.loadSnapshot('api', 'sha256:22'), undefined, 'snapshots belong to their release');
  await store.keepSnapshots('web', ['sha256:22']);
  assert.equal(await store.loadSnapshot('web', 'sha256:11'), undefined);
  assert.deepEqual(await store.loadSnapshot('web', 'sha256:22'), [object, object]);
}

test('the memory store keeps records and snapshots, and writes a snapshot once', async () => {
  const store = new MemoryRolloutStore();
  await roundTrip(store);
  const before = store.writes.snapshots;
  await store.saveSnapshot('web', 'sha256:22', [object, object]);
  assert.equal(store.writes.snapshots, before);
  assert.deepEqual(store.snapshotHashes('web'), ['sha256:22']);
});

test('the JSON file store keeps records and snapshots in files, written whole or not at all', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-rollout-store-'));
  try {
    const store = new JsonFileRolloutStore(dir);
    await roundTrip(store);
    assert.deepEqual(readdirSync(join(dir, 'records')).sort(), ['api.json', 'web.json'], 'no temporary files are left');
    assert.deepEqual(readdirSync(join(dir, 'snapshots', 'web')), ['22.json']);
    // A second store on the same directory reads the same (a restart).
    assert.deepEqual(await new JsonFileRolloutStore(dir).load('web'), record());
    // A release name is never a path.
    await store.save('../escape', { release: '../escape', pins: {} });
    assert.deepEqual(readdirSync(dir).sort(), ['records', 'snapshots']);
    assert.equal((await store.load('../escape'))?.release, '../escape');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the JSON file store reports a damaged record or an unwritable directory as ROLLOUT_STORE_FAILED naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-rollout-store-'));
  try {
    mkdirSync(join(dir, 'records'));
    writeFileSync(join(dir, 'records', 'web.json'), '{"release": "web", "pins": {');
    const store = new JsonFileRolloutStore(dir);
    await assert.rejects(store.load('web'), (e: unknown) => e instanceof FlotillaError && e.code === 'ROLLOUT_STORE_FAILED' && e.file === join(dir, 'records', 'web.json') && /cannot parse/.test(e.message));
    if (process.getuid?.() !== 0) {
      chmodSync(join(dir, 'records'), 0o500);
      await assert.rejects(store.save('api', { release: 'api', pins: {} }), (e: unknown) => e instanceof FlotillaError && e.code === 'ROLLOUT_STORE_FAILED' && /cannot write/.test(e.message));
    } else {
      writeFileSync(join(dir, 'snapshots'), 'a file where a directory should be');
      await assert.rejects(store.saveSnapshot('web', 'sha256:1', [object]), (e: unknown) => e instanceof FlotillaError && e.code === 'ROLLOUT_STORE_FAILED' && /cannot write/.test(e.message));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pinsFrom takes pinned and last healthy revisions from the rollout state and their hashes from the record', () => {
  const state = startRollout({
    release: 'web',
    revision: 'r2',
    targets: [
      { cluster: 'a', labels: {}, pinned: 'r1', lastHealthy: 'r1' },
      { cluster: 'b', labels: {}, pinned: 'r1', lastHealthy: 'r0' },
      { cluster: 'new', labels: {} },
    ],
    now: 1,
  });
  state.targets.a!.pinned = 'r2';
  state.targets.a!.lastHealthy = 'r2';
  state.targets.b!.pinned = 'r0'; // rolled back
  const previous = {
    a: { revision: 'r1', contentHash: 'h-a1', lastHealthy: { revision: 'r1', contentHash: 'h-a1' } },
    b: { revision: 'r1', contentHash: 'h-b1', lastHealthy: { revision: 'r0', contentHash: 'h-b0' } },
    outside: { revision: 'r1', contentHash: 'h-o1' },
  };
  assert.deepEqual(pinsFrom(state, previous, { a: 'h-a2', b: 'h-b2', new: 'h-n2' }), {
    a: { revision: 'r2', contentHash: 'h-a2', lastHealthy: { revision: 'r2', contentHash: 'h-a2' } },
    b: { revision: 'r0', contentHash: 'h-b0', lastHealthy: { revision: 'r0', contentHash: 'h-b0' } },
    outside: { revision: 'r1', contentHash: 'h-o1' },
  });
});

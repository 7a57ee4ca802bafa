// A full disk for the hub's data directory (issue 12). The data directory is a 4 MiB tmpfs mounted
// for the test (the test runs as root, or with passwordless sudo, as on CI runners): a real ENOSPC
// from SQLite and git rather than an injected error, so the hub's own handling is what is tested.
// A filler file takes the last free byte while the hub runs. The hub keeps reconciling (drift is
// still healed at the last good revision), reports what it cannot write, and once space is free
// again it records history again and takes the next commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl } from '../support/sync-fleet.js';
import { api, configMap, fleetFiles, fleetRepo, sandboxFor, startHub, waitFor, type ClusterSpec } from './fixture.js';

function mountTmpfs(dir: string, size: string): () => void {
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const run = (args: string[]) => execFileSync(sudo[0] ?? args[0]!, [...sudo.slice(1), ...(sudo.length ? args : args.slice(1))], { stdio: 'pipe' });
  try {
    run(['mount', '-t', 'tmpfs', '-o', `size=${size},mode=0777`, 'tmpfs', dir]);
  } catch (error) {
    throw new Error(`this test mounts a small tmpfs and needs root or passwordless sudo: ${(error as Error).message}`);
  }
  return () => run(['umount', '-l', dir]);
}

/** fill writes zeros until the filesystem refuses with ENOSPC. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    // The last partial block.
    try {
      for (;;) writeSync(fd, Buffer.alloc(512));
    } catch {
      /* full */
    }
  } finally {
    closeSync(fd);
  }
}

test('a full data directory: the hub keeps reconciling, reports that it cannot write its history (log, metric) or fetch, and recovers when space is back', { timeout: 45_000 }, async (t) => {
  const clusters: ClusterSpec[] = [{ name: 'c1', env: 'dev' }];
  const repo = fleetRepo({ clusters, extra: { keep: 'stay' } });
  const sandbox = await sandboxFor(clusters);
  const mountPoint = mkdtempSync(join(tmpdir(), 'flotilla-rel-disk-'));
  const unmount = mountTmpfs(mountPoint, '4m');
  const dataDir = join(mountPoint, 'data');
  mkdirSync(dataDir);
  const { hub, logs } = await startHub(repo, sandbox, { dataDir });
  const filler = join(mountPoint, 'filler');
  try {
    await waitFor('rev 1', async () => (await configMap(sandbox, 'c1', 'web-config'))?.greeting === 'hello');
    const rev1 = (await api(hub.url, '/api/v1/fleet')).json().revision as string;
    fill(filler);
    const fullAt = Date.now();
    const logged = logs.length;

    // Drift is still healed: the loop does not need the disk.
    await kubectl(sandbox, 'c1', ['patch', 'configmap', 'web-config', '-n', 'web', '--type', 'merge', '-p', '{"data":{"greeting":"tampered"}}']);
    await waitFor('drift healed with a full disk', async () => (await configMap(sandbox, 'c1', 'web-config'))?.greeting === 'hello');
    // What it cannot write is reported: in the log and in the metrics. Readiness stays: the hub
    // still serves and reconciles, and a 503 would take its API and dashboard out of a Service.
    await waitFor('the history write failure logged', () => logs.slice(logged).some((l) => /HUB_STORE_FAILED|SQLITE_FULL|database or disk is full/.test(l)));
    const failures = await waitFor('the store write failures counted', async () => {
      const line = (await api(hub.url, '/metrics', undefined)).text.split('\n').find((l) => l.startsWith('flotilla_store_write_errors_total '));
      return line && Number(line.split(' ')[1]) > 0 ? line : undefined;
    });
    assert.equal((await api(hub.url, '/readyz', undefined)).status, 200);

    // A commit cannot be fetched into a full data directory: the last good revision stays.
    const rev2 = repo.commit({ 'apps/web/config.yaml': fleetFiles({ clusters, greeting: 'bonjour' })['apps/web/config.yaml']! }, 'bonjour');
    await waitFor('the fetch failure reported', async () => (await api(hub.url, '/api/v1/fleet')).json().error !== undefined);
    assert.equal((await api(hub.url, '/api/v1/fleet')).json().revision, rev1);
    assert.equal((await configMap(sandbox, 'c1', 'keep'))?.greeting, 'stay', 'nothing pruned');

    rmSync(filler);
    const freedAt = Date.now();
    await waitFor('rev 2 fetched and applied once space is back', async () => (await configMap(sandbox, 'c1', 'web-config'))?.greeting === 'bonjour', 20_000);
    assert.equal((await api(hub.url, '/api/v1/fleet')).json().revision, rev2);
    const events = (await api(hub.url, '/api/v1/events?limit=500')).json().events as { type: string; revision?: string; time: number }[];
    assert.ok(events.some((e) => e.type === 'SyncSucceeded' && e.revision === rev2), 'history is recorded again');
    t.diagnostic(`full disk (${failures}): full for ${freedAt - fullAt} ms; rev 2 applied ${Date.now() - freedAt} ms after space was freed`);
  } finally {
    await hub.close();
    await sandbox.stop();
    unmount();
    rmSync(mountPoint, { recursive: true, force: true });
  }
});

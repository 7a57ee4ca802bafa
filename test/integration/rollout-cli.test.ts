// flotilla rollout status|approve|pause|resume|abort against the hub's API server (src/api's
// createHubServer over real sockets) whose rollout routes are served by a RolloutDriver running a
// real rollout on sandbox clusters: viewer and operator tokens, the token from FLOTILLA_TOKEN, clear
// errors for 401, 403, 404, an ignored command (409) and a hub that does not answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFlotilla } from '../support/git-fleet.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHubServer, HubEventLog, TokenSource, type HubServer } from '../../src/api/index.js';
import { MemoryRolloutStore } from '../../src/reconcile/index.js';
import type { RolloutState } from '../../src/rollout/index.js';
import { SqliteHubStore } from '../../src/store/index.js';
import { copyFleet, startClusters } from '../support/sync-fleet.js';
import { desiredAt, keepClusters, setBaseImage, shortenFleet, startDriver, waitFor, type DriverRun } from '../support/rollout-fleet.js';

const viewer = 'viewer-token-rollout-cli';
const operator = 'operator-token-rollout-cli';

test('flotilla rollout talks to the hub: status for viewers, approve for operators, clear refusals', { timeout: 60_000 }, async () => {
  const fleet = copyFleet();
  const clusters = ['dev-eu-west', 'prod-eu-west', 'staging-eu-west'];
  keepClusters(fleet.dir, clusters);
  shortenFleet(fleet.dir);
  const sandbox = await startClusters(clusters, { controllers: { readyDelayMs: 100 } });
  const dataDir = mkdtempSync(join(tmpdir(), 'flotilla-rollout-hub-'));
  const store = SqliteHubStore.open(dataDir);
  const savedToken = process.env.FLOTILLA_TOKEN;
  delete process.env.FLOTILLA_TOKEN;
  let run: DriverRun | undefined;
  let server: HubServer | undefined;
  try {
    run = await startDriver(sandbox, new MemoryRolloutStore());
    const driver = run.driver;
    // The hub's wiring, reduced to the rollout routes: the state lists the driver's rollouts, the
    // actions hand commands to it with the token's name as the actor.
    server = await createHubServer({
      state: { fleet: () => ({ releases: [], clusters: 0 }), clusters: () => [], targets: () => [], rollouts: () => driver.list(), ready: () => ({ ready: true }) },
      actions: {
        requestSync: async () => ({ targets: [] }),
        rolloutAction: (release, command, actor) => driver.command(release, command, actor.name),
        gitPush: async () => ({ triggered: false }),
        agentReport: async () => {},
      },
      events: new HubEventLog(store),
      audit: store,
      tokens: TokenSource.open({ text: `- {name: vera, role: viewer, token: ${viewer}}\n- {name: otto, role: operator, token: ${operator}}\n` }),
    });
    const { url } = await server.listen({ port: 0 });

    const empty = await runFlotilla(['rollout', 'status', '--hub', url, '--token', viewer]);
    assert.equal(empty.status, 0, empty.stderr);
    assert.match(empty.stdout, /no rollouts/);

    await driver.setDesired(desiredAt(fleet.dir, 'rev-1'));
    await waitFor('every cluster synced at rev-1', () => driver.reconciler.clusterStates().length === 3 && driver.reconciler.clusterStates().every((c) => c.state === 'Synced'));
    setBaseImage(fleet.dir, 'nginx:1.28');
    await driver.setDesired(desiredAt(fleet.dir, 'rev-2'));
    await waitFor('production to wait for approval', () => driver.get('web')?.phase === 'WaitingApproval');

    const list = await runFlotilla(['rollout', 'status', '--hub', url, '--token', viewer]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^RELEASE +REVISION +PHASE +WAVE +HEALTHY +STARTED/);
    assert.match(list.stdout, /\nweb +rev-2 +WaitingApproval +production \(WaitingApproval\) +2\/3 /);

    const one = await runFlotilla(['rollout', 'status', 'web', '--hub', url, '--token', viewer]);
    assert.equal(one.status, 0, one.stderr);
    assert.match(one.stdout, /rollout of web at rev-2 is WaitingApproval, wave production \(WaitingApproval\), 2\/3 targets healthy; approve with: flotilla rollout approve web/);
    assert.match(one.stdout, /\nproduction +WaitingApproval +1 +1s +manual +prod-eu-west\n/);
    assert.match(one.stdout, /\nprod-eu-west +production +Pending +rev-1 +rev-1 *\n/);

    const json = await runFlotilla(['rollout', 'status', 'web', '--hub', url, '--token', viewer, '-o', 'json']);
    assert.equal(json.status, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { rollout: RolloutState }).rollout.phase, 'WaitingApproval');

    // Refusals, each with its code and a hint.
    const viewerApproves = await runFlotilla(['rollout', 'approve', 'web', '--hub', url, '--token', viewer]);
    assert.equal(viewerApproves.status, 1);
    assert.match(viewerApproves.stderr, /^error \[API_FORBIDDEN\]: hub http:\/\/127\.0\.0\.1:\d+: POST \/api\/v1\/rollouts\/web\/approve: the token's role may not do this \(403\)/);
    assert.match(viewerApproves.stderr, /hint: approve, pause, resume and abort need an operator or admin token/);
    const anonymous = await runFlotilla(['rollout', 'status', '--hub', url]);
    assert.match(anonymous.stderr, /^error \[API_UNAUTHORIZED\]: .*no token was given \(401\)/);
    const unknownToken = await runFlotilla(['rollout', 'status', '--hub', url, '--token', 'who-is-this']);
    assert.match(unknownToken.stderr, /^error \[API_UNAUTHORIZED\]: .*the hub does not know this token \(401\)/);
    const missing = await runFlotilla(['rollout', 'pause', 'nope', '--hub', url, '--token', operator]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^error \[API_NOT_FOUND\]: .*release nope has no rollout on this hub/);
    assert.match(missing.stderr, /hint: `flotilla rollout status --hub URL` lists/);
    const wrongWave = await runFlotilla(['rollout', 'approve', 'web', '--wave', 'staging', '--hub', url, '--token', operator]);
    assert.equal(wrongWave.status, 1);
    assert.match(wrongWave.stderr, /^error \[ROLLOUT_COMMAND_IGNORED\]: .*approve ignored: wave staging is not waiting for approval/);
    assert.equal(driver.get('web')?.phase, 'WaitingApproval', 'nothing was approved');

    // The operator's token from FLOTILLA_TOKEN.
    process.env.FLOTILLA_TOKEN = operator;
    const approved = await runFlotilla(['rollout', 'approve', 'web', '--wave', 'production', '--hub', url]);
    assert.equal(approved.status, 0, approved.stderr);
    assert.match(approved.stdout, /^approve: rollout of web at rev-2 is Progressing, wave production \(Progressing\)/);
    await waitFor('the rollout to complete', () => driver.get('web')?.phase === 'Completed', 15_000);
    const done = await runFlotilla(['rollout', 'status', 'web', '--hub', url]);
    assert.match(done.stdout, /rollout of web at rev-2 is Completed/);
    const again = await runFlotilla(['rollout', 'resume', 'web', '--hub', url]);
    assert.match(again.stderr, /^error \[ROLLOUT_COMMAND_IGNORED\]: .*resume ignored: the rollout of rev-2 is completed/);

    // Every command is in the hub's audit log with its actor; the driver's events name it too.
    const audit = store.listAudit({ limit: 20 }).map((a) => [a.actor, a.path, a.outcome]);
    assert.ok(audit.some(([actor, path, outcome]) => actor === 'otto' && path === '/api/v1/rollouts/web/approve' && outcome === 'succeeded'), JSON.stringify(audit));
    assert.ok(audit.some(([actor, path, outcome]) => actor === 'vera' && path === '/api/v1/rollouts/web/approve' && outcome === 'denied'));
    const started = run.events.find((e) => e.type === 'WaveStarted' && e.wave === 'production');
    assert.equal(started && 'actor' in started && started.actor, 'otto');

    // A hub that does not answer: a port nothing listens on any more.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await runFlotilla(['rollout', 'status', '--hub', `http://127.0.0.1:${port}`, '--token', viewer]);
    assert.equal(down.status, 1);
    assert.match(down.stderr, /^error \[HUB_UNREACHABLE\]: hub http:\/\/127\.0\.0\.1:\d+: no answer to GET \/api\/v1\/rollouts: connect ECONNREFUSED/);
    assert.match(down.stderr, /hint: Check the --hub URL and that `flotilla serve` runs there/);
  } finally {
    if (savedToken === undefined) delete process.env.FLOTILLA_TOKEN;
    else process.env.FLOTILLA_TOKEN = savedToken;
    await server?.close();
    await run?.driver.stop();
    store.close();
    await sandbox.stop();
    fleet.remove();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

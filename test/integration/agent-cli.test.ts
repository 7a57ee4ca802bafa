// `flotilla agent` as a process: with --kubeconfig and --context it syncs its cluster from a bare
// repository, prints where its endpoint listens, reports to --hub with the token of FLOTILLA_TOKEN,
// and on SIGTERM stops cleanly (exit 0) after one last report. Without any kubeconfig outside a
// pod, or with --hub but no token, it stops at once with the error that says what is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gitFleet, runFlotilla } from '../support/git-fleet.js';
import { startClusters } from '../support/sync-fleet.js';
import { waitForLine } from '../support/process.js';

const root = new URL('../..', import.meta.url).pathname;
const tsx = import.meta.resolve('tsx');
const cli = (args: string[]) => ['--import', tsx, join(root, 'src/cli/main.ts'), ...args];

test('flotilla agent syncs its cluster, reports to the hub with its token, and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
  const sandbox = await startClusters(['edge-1']);
  const source = mkdtempSync(join(tmpdir(), 'flotilla-agentcli-'));
  writeFileSync(join(source, 'README.md'), 'A fleet for the agent command test.\n');
  const work = gitFleet(source);
  work.write('flotilla.yaml', 'apiVersion: flotilla.dev/v1alpha1\nkind: Fleet\nmetadata: {name: cli}\nspec:\n  releases:\n  - {name: config, path: config, targets: {selector: {}}}\n');
  work.write('clusters/edge-1/cluster.yaml', 'apiVersion: flotilla.dev/v1alpha1\nkind: Cluster\nmetadata: {name: edge-1, labels: {env: edge}}\nspec:\n  connection: {mode: pull}\n');
  work.write('config/kustomization.yaml', 'resources: [cm.yaml]\n');
  work.write('config/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello, namespace: default}\ndata: {a: b}\n');
  work.commit('A cluster and a release');
  const bare = join(mkdtempSync(join(tmpdir(), 'flotilla-agentclibare-')), 'fleet.git');
  execFileSync('git', ['clone', '--quiet', '--bare', work.dir, bare]);
  const data = mkdtempSync(join(tmpdir(), 'flotilla-agentclidata-'));

  // A receiver standing in for the hub's report route, to see what the process sends.
  const reports: { path: string; authorization?: string; body: { agentId: string; targets: { release: string; sync: string }[]; events: { type: string }[] } }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      reports.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(body) });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hub = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const args = cli(['agent', '--cluster', 'edge-1', '--repo', `file://${bare}`, '--kubeconfig', sandbox.kubeconfigPath!, '--context', 'edge-1', '--port', '0', '--data', data, '--log-format', 'json', '--hub', hub]);
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, FLOTILLA_TOKEN: 'agent-token-edge-1' } });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    const url = (await waitForLine(child, /^listening on http:\/\/127\.0\.0\.1:\d+\n/m, 'the agent')).trim().replace('listening on ', '');
    for (let i = 0; i < 400 && (await fetch(`${url}/readyz`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 25));
    for (let i = 0; i < 400 && !reports.some((r) => r.body.targets.some((x) => x.sync === 'Synced')); i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal((sandbox.cluster('edge-1').api.store.get('/configmaps', 'default', 'hello')?.data as Record<string, string> | undefined)?.a, 'b');
    const synced = reports.find((r) => r.body.targets.some((x) => x.sync === 'Synced'));
    assert.ok(synced, `a report with the synced target; stderr:\n${stderr}`);
    assert.equal(synced.path, '/api/v1/agents/edge-1/report');
    assert.equal(synced.authorization, 'Bearer agent-token-edge-1');
    assert.ok(reports.flatMap((r) => r.body.events).some((e) => e.type === 'SyncSucceeded'));

    const before = reports.length;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    const records = stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; cluster?: string; token?: string });
    assert.ok(records.some((r) => r.msg === 'fetched a new revision' && r.cluster === 'edge-1'));
    assert.equal(records.at(-1)!.msg, 'stopped');
    assert.ok(!stderr.includes('agent-token-edge-1'), 'the token is never logged');
    assert.ok(reports.length >= before, 'the last report (if any was pending) went out before the exit');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    receiver.close();
    await sandbox.stop();
    work.remove();
    rmSync(dirname(bare), { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
    rmSync(source, { recursive: true, force: true });
  }
});

test('flotilla agent says what is missing: credentials outside a pod, a token for --hub', async () => {
  const saved = { KUBECONFIG: process.env.KUBECONFIG, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST, FLOTILLA_TOKEN: process.env.FLOTILLA_TOKEN };
  for (const name of Object.keys(saved)) delete process.env[name];
  try {
    const noCredentials = await runFlotilla(['agent', '--cluster', 'edge-1', '--repo', '/nonexistent', '--port', '0']);
    assert.equal(noCredentials.status, 1);
    assert.match(noCredentials.stderr, /error \[KUBECONFIG_INVALID\]: kubeconfig of the pod \(in-cluster service account\): KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set/);
    const noToken = await runFlotilla(['agent', '--cluster', 'edge-1', '--repo', '/nonexistent', '--hub', 'http://127.0.0.1:9', '--port', '0']);
    assert.equal(noToken.status, 1);
    assert.match(noToken.stderr, /error \[USAGE\]: --hub needs an agent token: --token, --token-file or FLOTILLA_TOKEN/);
    const badHub = await runFlotilla(['agent', '--cluster', 'edge-1', '--hub', 'hub.example:8080', '--token', 't', '--port', '0']);
    assert.match(badHub.stderr, /error \[USAGE\]: --hub hub.example:8080 is not an http\(s\) URL/);
  } finally {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
});

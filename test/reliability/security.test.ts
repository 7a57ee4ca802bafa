// Security (issue 12), beyond the route × role table of src/api/server.test.ts (every route of the
// route table × anonymous, viewer, operator, admin, the agent of the cluster in the path and the
// agent of another cluster): tokens never reach the logs, events, audit, error bodies or metrics;
// Secret values (and their base64) never reach a plan, a diff, an event or an API view; a
// notification secret or URL written literally in the fleet file is a validation error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFleet } from '../../src/fleet/index.js';
import { localFs } from '../../src/source/index.js';
import { runFlotilla } from '../support/git-fleet.js';
import { kubectl } from '../support/sync-fleet.js';
import { api, fleetFiles, fleetRepo, sandboxFor, startHub, tokens, waitFor, writeTree, type ClusterSpec } from './fixture.js';

const agentToken = 'rel-agent-c1-token-51e0b7';
const badToken = 'rel-unknown-token-c0ffee42';

test('tokens never appear in the logs, events, audit, error bodies or metrics, whatever the requests', { timeout: 40_000 }, async () => {
  const clusters: ClusterSpec[] = [{ name: 'c1', env: 'dev' }, { name: 'c2', env: 'dev' }];
  const repo = fleetRepo({ clusters });
  const sandbox = await sandboxFor(clusters);
  const base = mkdtempSync(join(tmpdir(), 'flotilla-rel-sec-'));
  const tokensPath = join(base, 'tokens.yaml');
  writeFileSync(tokensPath, `- {name: vera, role: viewer, token: ${tokens.viewer}}\n- {name: otto, role: operator, token: ${tokens.operator}}\n- {name: ada, role: admin, token: ${tokens.admin}}\n- {name: agent-c1, role: agent, cluster: c1, token: ${agentToken}}\n`);
  const { hub, logs } = await startHub(repo, sandbox, { tokensFile: tokensPath, webhookSecret: 'rel-hook-secret-9a9a' });
  try {
    await waitFor('the fleet synced', async () => ((await api(hub.url, '/api/v1/targets')).json().targets as { sync: string }[]).filter((x) => x.sync === 'Synced').length === 2);
    const bodies: string[] = [];
    const send = async (path: string, token: string | undefined, init: Parameters<typeof api>[3] = {}) => {
      const r = await api(hub.url, path, token, init);
      bodies.push(r.text);
      return r;
    };
    // Good and bad tokens, in the header, malformed, on every kind of route.
    for (const token of [badToken, tokens.viewer, tokens.operator, tokens.admin, agentToken]) {
      await send('/api/v1/fleet', token);
      await send('/api/v1/audit', token);
      await send('/api/v1/sync', token, { method: 'POST', body: { cluster: 'c1' } });
      await send('/api/v1/rollouts/web/approve', token, { method: 'POST', body: {} });
      await send('/api/v1/agents/c2/report', token, { method: 'POST', body: { targets: [] } });
      await send('/api/v1/agents/c1/report', token, { method: 'POST', body: { targets: [{ release: 'web', sync: 'Synced', health: 'Healthy' }] } });
      await send('/api/v1/fleet', undefined, { headers: { authorization: `Basic ${token}` } });
      await send('/api/v1/fleet', undefined, { headers: { authorization: `Bearer ${token} extra` } });
      await send(`/api/v1/fleet?token=${token}`, undefined);
    }
    await send('/hooks/git', undefined, { method: 'POST', body: { ref: 'refs/heads/main' }, headers: { 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=00' } });
    const audit = (await api(hub.url, '/api/v1/audit?limit=1000')).text;
    const events = (await api(hub.url, '/api/v1/events?limit=1000')).text;
    const metrics = (await api(hub.url, '/metrics', undefined)).text;
    assert.ok(audit.includes('denied') && audit.includes('anonymous'), 'the audit log did record the refusals');
    const places = { logs: logs.join(''), audit, events, metrics, bodies: bodies.join('\n') };
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(places)) {
      for (const secret of [badToken, tokens.viewer, tokens.operator, tokens.admin, agentToken, 'rel-hook-secret-9a9a']) {
        const found = text.split(secret).length - 1;
        if (found > 0) leaks.push(`${where}: ${secret} (${found}×)`);
      }
    }
    assert.deepEqual(leaks, []);
    assert.ok(logs.length > 20, 'the hub logged the requests');
  } finally {
    await hub.close();
    await sandbox.stop();
  }
});

test('a Secret value and its base64 appear in no plan, diff, event or API view', { timeout: 45_000 }, async () => {
  const value = 'hunter2-rel-Secret-VALUE';
  const changed = 'swordfish-rel-Secret-NEW';
  const tampered = 'tampered-rel-Secret-LIVE';
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const clusters: ClusterSpec[] = [{ name: 'c1', env: 'dev' }];
  const files = fleetFiles({ clusters });
  files['apps/web/kustomization.yaml'] = 'resources: [namespace.yaml, config.yaml, secret.yaml]\n';
  const secret = (v: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ntype: Opaque\ndata: {password: ${b64(v)}}\nstringData: {token: ${v}-plain}\n`;
  files['apps/web/secret.yaml'] = secret(value);
  const repo = fleetRepo({ clusters });
  const rev1 = repo.commit(files, 'a secret');
  const sandbox = await sandboxFor(clusters);
  const { hub, logs } = await startHub(repo, sandbox);
  try {
    await waitFor('the secret synced', async () => ((await api(hub.url, '/api/v1/targets')).json().targets as { revision: string; sync: string }[]).some((x) => x.revision === rev1 && x.sync === 'Synced'));
    // Drift on the Secret: a live value that differs, noticed (and healed) by the hub.
    await kubectl(sandbox, 'c1', ['patch', 'secret', 'db', '-n', 'web', '--type', 'merge', '-p', JSON.stringify({ data: { password: b64(tampered) } })]);
    await waitFor('the drift reported', async () => ((await api(hub.url, '/api/v1/events?type=DriftDetected')).json().events as unknown[]).length > 0);
    const outputs: string[] = [];

    // A change of the value between two revisions, through plan in every format.
    const rev2 = repo.commit({ 'apps/web/secret.yaml': secret(changed) }, 'rotate');
    for (const output of ['text', 'json', 'markdown']) outputs.push(JSON.stringify(await runFlotilla(['plan', '--fleet', repo.work.dir, '--base', rev1, '--head', rev2, '--output', output])));
    await waitFor('rev 2 synced', async () => ((await api(hub.url, '/api/v1/targets')).json().targets as { revision: string; sync: string }[]).some((x) => x.revision === rev2 && x.sync === 'Synced'));

    const views: string[] = [];
    for (const path of ['/api/v1/fleet', '/api/v1/clusters', '/api/v1/clusters/c1', '/api/v1/targets', '/api/v1/rollouts', '/api/v1/events?limit=1000', '/api/v1/audit?limit=1000', '/metrics']) views.push((await api(hub.url, path)).text);
    // With the hub stopped (nothing heals), the live Secret drifts: diff and plan --live show it.
    await hub.close();
    await kubectl(sandbox, 'c1', ['patch', 'secret', 'db', '-n', 'web', '--type', 'merge', '-p', JSON.stringify({ data: { password: b64(tampered) } })]);
    const kubeconfig = join(sandbox.dir, 'kc-for-diff');
    writeFileSync(kubeconfig, sandbox.kubeconfig());
    for (const output of ['text', 'json']) outputs.push(JSON.stringify(await runFlotilla(['diff', '--fleet', repo.work.dir, '--kubeconfig', kubeconfig, '--output', output])));
    outputs.push(JSON.stringify(await runFlotilla(['plan', '--fleet', repo.work.dir, '--live', '--kubeconfig', kubeconfig, '--output', 'json'])));
    for (const o of outputs) assert.match(o, /^\{"status":[02],/, `plan and diff ran: ${o.slice(0, 500)}`);
    assert.equal(outputs.filter((o) => o.includes('Secret/web/db')).length, 6, `the Secret is in every plan and diff: ${outputs.join('\n').slice(0, 3000)}`);
    const everything = { outputs: outputs.join('\n'), views: views.join('\n'), logs: logs.join('') };
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(everything)) {
      for (const v of [value, changed, tampered]) for (const form of [v, b64(v), `${v}-plain`, b64(`${v}-plain`)]) if (text.includes(form)) leaks.push(`${where}: ${form}`);
    }
    assert.deepEqual(leaks, []);
  } finally {
    await hub.close();
    await sandbox.stop();
  }
});

test('a notification URL or secret written literally in the fleet file is a validation error (only env or file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-rel-notify-'));
  const fleet = (notification: string) => `apiVersion: flotilla.dev/v1alpha1
kind: Fleet
metadata: {name: n}
spec:
  releases: []
  notifications:
  - name: ops
    type: webhook
${notification}
    events: [DriftDetected]
`;
  const cases: [string, RegExp][] = [
    ['    urlFrom: {env: HOOK_URL}\n    secretFrom: {value: s3cr3t}', /secretFrom/],
    ['    urlFrom: {env: HOOK_URL}\n    secretFrom: s3cr3t', /secretFrom/],
    ['    url: https://hooks.example/x\n    urlFrom: {env: HOOK_URL}', /url/],
    ['    urlFrom: https://hooks.example/x', /urlFrom/],
    ['    urlFrom: {env: HOOK_URL, file: /x}', /urlFrom/],
    ['    urlFrom: {env: HOOK_URL}\n    secret: s3cr3t', /secret/],
  ];
  for (const [notification, field] of cases) {
    writeTree(dir, { 'flotilla.yaml': fleet(notification) });
    const loaded = loadFleet(localFs, dir);
    assert.equal(loaded.ok, false, notification);
    if (!loaded.ok) assert.ok(loaded.issues.some((i) => field.test(`${i.message} ${(i as { field?: string }).field ?? ''}`)), `${notification}: ${loaded.issues.map((i) => i.message).join('; ')}`);
  }
  writeTree(dir, { 'flotilla.yaml': fleet('    urlFrom: {env: HOOK_URL}\n    secretFrom: {file: /run/secrets/hook}') });
  assert.equal(loadFleet(localFs, dir).ok, true, 'env and file sources are accepted');
});

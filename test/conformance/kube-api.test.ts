// Replays ../shared/kube-conformance/transcript-1.19.json (what a real kube-apiserver answered)
// against a fresh sandbox cluster and compares status codes and full bodies, apart from the
// volatile fields the transcript's README lists. A step that differs must be in knownDifferences
// (documented in docs/conformance.md), and every known difference must still differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const shared = new URL('../../../shared/kube-conformance/', import.meta.url).pathname;

interface Step {
  name: string;
  request: { method: string; path: string; contentType?: string; as?: 'admin' | 'viewer'; body?: unknown };
  response: { status: number; contentType?: string; body: unknown };
}

/**
 * knownDifferences are the steps whose answers differ on purpose, with the reason (the same list
 * is in docs/conformance.md). `check` says what the sandbox answers instead.
 */
const knownDifferences: Record<string, { reason: string; check: (status: number, body: unknown) => void }> = {
  'discovery API groups': {
    reason: 'The sandbox serves only the groups fleets use, and the versions current manifests use (batch/v1 CronJob, autoscaling/v2, policy/v1); the 1.19 server also listed apiregistration, extensions, events, authentication, authorization, certificates, admissionregistration, node and discovery, and v1beta1 versions.',
    check: (status, body) => {
      assert.equal(status, 200);
      const groups = (body as { groups: Array<{ name: string; preferredVersion: { version: string } }> }).groups;
      const preferred = Object.fromEntries(groups.map((g) => [g.name, g.preferredVersion.version]));
      assert.equal(preferred.apps, 'v1');
      assert.equal(preferred.batch, 'v1');
      assert.equal(preferred.autoscaling, 'v2');
      assert.equal(preferred.policy, 'v1');
      assert.equal(preferred['apiextensions.k8s.io'], 'v1');
    },
  },
  version: {
    reason: 'The recorded server was a development build (gitVersion v0.0.0-master, empty major and minor); the sandbox reports 1.19 with a gitVersion that names it.',
    check: (status, body) => {
      assert.equal(status, 200);
      assert.equal((body as { major: string }).major, '1');
      assert.match((body as { gitVersion: string }).gitVersion, /flotilla-sandbox/);
    },
  },
  'apply custom resource with wrong type: Invalid': {
    reason: 'The 1.19 server answered 500 (failed to create typed patch object); newer servers answer 422 Invalid with the schema error, and so does the sandbox (the transcript README says to tolerate both).',
    check: (status, body) => {
      assert.equal(status, 422);
      assert.deepEqual(body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Widget.example.com "w2" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"',
        reason: 'Invalid',
        details: {
          name: 'w2',
          group: 'example.com',
          kind: 'Widget',
          causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "string": spec.size in body must be of type integer: "string"', field: 'spec.size' }],
        },
        code: 422,
      });
    },
  },
  'delete CRD': {
    reason: "The 1.19 server owned a CRD's status.conditions as one atomic list (`f:conditions: {}`); the sandbox's field management keys them by type, as servers do since CRD conditions became a list-map. Everything else of the answer matches.",
    check: (status, body) => {
      assert.equal(status, 200);
      const crd = body as { metadata: { finalizers: string[]; deletionTimestamp: string; managedFields: Array<{ manager: string; fieldsV1: Record<string, Record<string, unknown>> }> }; status: { conditions: Array<{ type: string; status: string }> } };
      assert.deepEqual(crd.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
      assert.ok(crd.metadata.deletionTimestamp);
      assert.deepEqual(crd.status.conditions.map((c) => `${c.type}=${c.status}`), ['NamesAccepted=True', 'Established=True', 'Terminating=True']);
      const controller = crd.metadata.managedFields.find((m) => m.manager === 'kube-apiserver')!;
      assert.ok(Object.keys(controller.fieldsV1['f:status']!['f:conditions'] as object).includes('k:{"type":"Established"}'));
    },
  },
};

/** scrub removes the fields that differ on every run (README: volatile fields). */
function scrub(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => scrub(v, key));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (['uid', 'resourceVersion', 'creationTimestamp', 'selfLink', 'deletionTimestamp'].includes(k)) continue;
    if (k === 'time' && key === 'managedFields') continue;
    // The time an apiextensions controller accepted the CRD is a run time like creationTimestamp.
    if (k === 'lastTransitionTime' && key === 'conditions') continue;
    if (k === 'serverAddress' && key === 'serverAddressByClientCIDRs') continue;
    out[k] = scrub(v, k);
  }
  return out;
}

function send(sandbox: Sandbox, step: Step, ns: string, recordedNs: string): Promise<{ status: number; contentType: string; text: string }> {
  const url = new URL(sandbox.clusters[0]!.url);
  const body = step.request.body === undefined ? undefined : JSON.stringify(step.request.body).replaceAll(recordedNs, ns);
  const token = step.request.as === 'viewer' ? sandbox.viewerToken : sandbox.adminToken;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: step.request.method,
        path: step.request.path.replaceAll(recordedNs, ns),
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(step.request.contentType ? { 'content-type': step.request.contentType } : {}),
          ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

test('the sandbox answers the recorded kube-apiserver transcript step by step', async () => {
  const transcript = JSON.parse(readFileSync(`${shared}transcript-1.19.json`, 'utf8')) as { namespace: string; steps: Step[] };
  // Plain HTTP keeps the replay to the API itself; TLS is covered by the kubectl and client tests.
  const sandbox = await startSandbox({ clusters: ['conformance'], tls: false, controllers: { enabled: false } });
  const ns = `conf-${Math.random().toString(36).slice(2, 10)}`;
  const differing: string[] = [];
  const failures: string[] = [];
  try {
    for (const step of transcript.steps) {
      const answer = await send(sandbox, step, ns, transcript.namespace);
      const expectedText = JSON.stringify(step.response.body).replaceAll(transcript.namespace, ns);
      const expected = JSON.parse(expectedText) as unknown;
      const actual = answer.contentType.startsWith('application/json') ? (JSON.parse(answer.text) as unknown) : answer.text;
      const known = knownDifferences[step.name];
      let same = answer.status === step.response.status && answer.contentType.split(';')[0] === (step.response.contentType ?? '').split(';')[0];
      if (same) {
        try {
          assert.deepEqual(scrub(actual), scrub(expected));
        } catch {
          same = false;
        }
      }
      if (known) {
        assert.equal(same, false, `step "${step.name}" is listed as a known difference but now matches; remove it from the list and docs/conformance.md`);
        known.check(answer.status, actual);
        differing.push(step.name);
        continue;
      }
      if (!same) {
        // Keep going: one run reports every step that differs.
        try {
          assert.equal(answer.status, step.response.status, `status ${answer.status}, body ${answer.text}`);
          assert.equal(answer.contentType.split(';')[0], (step.response.contentType ?? '').split(';')[0], 'content type');
          assert.deepEqual(scrub(actual), scrub(expected));
        } catch (error) {
          failures.push(`step "${step.name}": ${(error as Error).message}`);
        }
      }
    }
  } finally {
    await sandbox.stop();
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(differing.sort(), Object.keys(knownDifferences).sort());
});

interface WatchTranscript {
  namespace: string;
  watch: { path: string; events: Array<{ type: string; object: Record<string, unknown> }> };
  steps: Step[];
}

/** watchLines opens a watch and collects its events until the server ends the stream. */
function watchLines(sandbox: Sandbox, path: string): Promise<{ status: number; events: Array<{ type: string; object: Record<string, unknown> }> }> {
  const url = new URL(sandbox.clusters[0]!.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: { authorization: `Bearer ${sandbox.adminToken}` } }, (res) => {
      let buffer = '';
      const events: Array<{ type: string; object: Record<string, unknown> }> = [];
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line) as { type: string; object: Record<string, unknown> });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, events }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a watch streams what the recorded watch streamed: ADDED, MODIFIED, DELETED, then bookmarks; no event for a no-op', async () => {
  const recorded = JSON.parse(readFileSync(`${shared}watch-1.19.json`, 'utf8')) as WatchTranscript;
  const sandbox = await startSandbox({ clusters: ['watch'], tls: false, controllers: { enabled: false }, watch: { bookmarkIntervalMs: 300 } });
  const ns = `watch-${Math.random().toString(36).slice(2, 10)}`;
  try {
    const [createNs, list, ...writes] = recorded.steps;
    assert.equal((await send(sandbox, createNs!, ns, recorded.namespace)).status, 201);
    const listed = await send(sandbox, list!, ns, recorded.namespace);
    const rv = (JSON.parse(listed.text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const watchPath = recorded.watch.path.replaceAll(recorded.namespace, ns).replace(/resourceVersion=\d+/, `resourceVersion=${rv}`).replace('timeoutSeconds=4', 'timeoutSeconds=1');
    const watching = watchLines(sandbox, watchPath);
    await new Promise((r) => setTimeout(r, 50));
    for (const step of writes.filter((s) => !s.request.path.includes('watch='))) {
      const answer = await send(sandbox, step, ns, recorded.namespace);
      assert.equal(answer.status, step.response.status, step.name);
      assert.deepEqual(scrub(JSON.parse(answer.text)), scrub(JSON.parse(JSON.stringify(step.response.body).replaceAll(recorded.namespace, ns))), step.name);
    }
    const { status, events } = await watching;
    assert.equal(status, 200);
    const changes = events.filter((e) => e.type !== 'BOOKMARK');
    const expected = recorded.watch.events.filter((e) => e.type !== 'BOOKMARK').map((e) => JSON.parse(JSON.stringify(e).replaceAll(recorded.namespace, ns)) as { type: string; object: unknown });
    assert.deepEqual(changes.map((e) => ({ type: e.type, object: scrub(e.object) })), expected.map((e) => ({ type: e.type, object: scrub(e.object) })));
    const rvs = changes.map((e) => Number((e.object.metadata as { resourceVersion: string }).resourceVersion));
    assert.ok(rvs.every((v, i) => i === 0 || v > rvs[i - 1]!), `resourceVersions grow: ${rvs.join(', ')}`);
    const bookmarks = events.filter((e) => e.type === 'BOOKMARK');
    assert.ok(bookmarks.length >= 1, 'bookmarks were sent');
    assert.deepEqual(Object.keys(bookmarks[0]!.object).sort(), ['apiVersion', 'kind', 'metadata']);
    assert.deepEqual(scrub(bookmarks.at(-1)!.object), scrub(recorded.watch.events.at(-1)!.object));
    assert.equal((bookmarks.at(-1)!.object.metadata as { resourceVersion: string }).resourceVersion, String(rvs.at(-1)));
    assert.equal(events.at(-1)!.type, 'BOOKMARK', 'the stream ends after a bookmark, at the timeout');

    // A resourceVersion far in the future: 200, and the stream simply waits.
    const future = await watchLines(sandbox, `/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=999999999&timeoutSeconds=1`);
    assert.deepEqual(future, { status: 200, events: [] });
  } finally {
    await sandbox.stop();
  }
});

test('a watch from a resourceVersion older than the kept history gets an ERROR event with a 410 Expired Status', async () => {
  const sandbox = await startSandbox({ clusters: ['gone'], tls: false, controllers: { enabled: false }, historySize: 5 });
  try {
    const api = sandbox.clusters[0]!.api;
    const first = api.store.resourceVersion;
    const cm = (name: string) => ({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', contentType: 'application/json', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } } });
    for (let i = 0; i < 8; i++) assert.equal((await send(sandbox, { name: 'create', request: cm(`c${i}`), response: { status: 201, body: {} } } as Step, '', 'unused')).status, 201);
    const { status, events } = await watchLines(sandbox, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${first}`);
    assert.equal(status, 200);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'ERROR');
    const object = events[0]!.object as { kind: string; code: number; reason: string; status: string; message: string };
    assert.deepEqual([object.kind, object.status, object.code, object.reason], ['Status', 'Failure', 410, 'Expired']);
    assert.match(object.message, /^too old resource version: \d+ \(\d+\)$/);
  } finally {
    await sandbox.stop();
  }
});

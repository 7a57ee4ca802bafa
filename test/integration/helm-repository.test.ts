// Helm releases whose chart comes from an HTTP chart repository: a real index.yaml and archives
// made with `helm package` / `helm repo index`, served by node:http on 127.0.0.1. The server runs
// in a worker thread because a render fetches synchronously (the main thread waits for it).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { toolPath } from '../../scripts/tools.js';
import { loadFleet, renderFleet, selectTargets, type TargetRenderResult } from '../../src/fleet/index.js';
import { releaseRenderer } from '../../src/render/index.js';
import { parseHelmYaml } from '../../src/render/helm/index.js';
import { createHelmRenderer } from '../../src/source/helm/index.js';
import { localFs } from '../../src/source/index.js';
import { gitFleet, runFlotilla, type GitFleet } from '../support/git-fleet.js';

const fixture = new URL('./testdata/helm-fleet', import.meta.url).pathname;
const helm = toolPath('helm');
const scratch = mkdtempSync(join(tmpdir(), 'flotilla-helm-repo-'));
const served = join(scratch, 'served');
const cacheDir = join(scratch, 'cache');
process.env.FLOTILLA_HELM_CACHE = cacheDir;
const helmEnv = { PATH: process.env.PATH ?? '', HOME: scratch };
let server: Worker;
let repoUrl = '';
let repo: GitFleet;

const serverCode = `
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
const { join, normalize } = require('node:path');
const { parentPort, workerData } = require('node:worker_threads');
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^\\/charts\\//, '');
  try {
    const body = readFileSync(join(workerData.dir, path));
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end('not found');
  }
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

function packageChart(version: string, edit?: (dir: string) => void): void {
  const copy = mkdtempSync(join(scratch, 'chart-'));
  cpSync(join(fixture, 'charts/web'), join(copy, 'web'), { recursive: true });
  edit?.(join(copy, 'web'));
  execFileSync(helm, ['package', join(copy, 'web'), '--version', version, '-d', served], { env: helmEnv, stdio: 'pipe' });
  execFileSync(helm, ['repo', 'index', served, '--url', repoUrl], { env: helmEnv, stdio: 'pipe' });
}

before(async () => {
  server = new Worker(serverCode, { eval: true, workerData: { dir: served } });
  const port = await new Promise<number>((resolve) => server.once('message', resolve));
  repoUrl = `http://127.0.0.1:${port}/charts`;
  packageChart('1.0.0');
  packageChart('1.1.0');
  packageChart('2.0.0-rc.1');
  repo = gitFleet(fixture);
  repo.write(
    'flotilla.yaml',
    `apiVersion: flotilla.dev/v1alpha1
kind: Fleet
metadata: {name: helm-repo-test}
spec:
  releases:
  - name: web-prod
    helm:
      chart: {repo: "${repoUrl}", name: web, version: "1.0.0"}
      valuesFiles: [values/common.yaml, values/production.yaml]
    namespace: web
    targets: {selector: {matchLabels: {env: production}}}
  - name: web-dev
    helm:
      chart: {repo: "${repoUrl}", name: web}
      version: "~1.0.0"
      valuesFiles: [values/common.yaml, values/dev.yaml]
    namespace: web
    targets: {selector: {matchLabels: {env: dev}}}
`,
  );
  repo.commit('helm releases from a chart repository');
});

after(async () => {
  await server?.terminate();
  repo?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

function render(root: string, release?: string, dir = cacheDir): TargetRenderResult[] {
  const loaded = loadFleet(localFs, root);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.issues.map((i) => i.message).join('\n'));
  return renderFleet(loaded.value, { fs: localFs, root, renderer: releaseRenderer, targets: selectTargets(loaded.value, { release }), helm: createHelmRenderer({ helm, cacheDir: dir }) });
}

test('a chart from an HTTP chart repository renders per cluster as helm template of the same archive does', () => {
  const results = render(repo.dir);
  assert.deepEqual(results.map((r) => r.target.key), ['dev-a/web-dev', 'prod-a/web-prod', 'prod-b/web-prod']);
  for (const { target, result } of results) {
    assert.ok(result.ok, result.ok ? '' : result.issues.map((i) => i.message).join('\n'));
    const env = target.cluster.labels.env;
    const out = execFileSync(
      helm,
      ['template', target.release.name, join(served, 'web-1.0.0.tgz'), '--namespace', 'web', '--include-crds', '--no-hooks', '--kube-version', target.cluster.kubernetesVersion!, '-f', join(repo.dir, 'values/common.yaml'), '-f', join(repo.dir, `values/${env}.yaml`)],
      { encoding: 'utf8', env: helmEnv },
    );
    const expected = parseHelmYaml(out, 'helm template');
    assert.ok(expected.ok);
    assert.deepEqual(result.value.objects.map((o) => o.object), expected.value.map((d) => d.value), target.key);
  }
  const replicas = results.map((r) => (r.result.ok ? (r.result.value.objects.find((o) => o.object.kind === 'Deployment')!.object.spec as { replicas: number }).replicas : 0));
  assert.deepEqual(replicas, [1, 3, 3]);
  // The archive is cached under its digest.
  const digest = createHash('sha256').update(readFileSync(join(served, 'web-1.0.0.tgz'))).digest('hex');
  assert.deepEqual(readFileSync(join(cacheDir, 'archives', `sha256-${digest}.tgz`)), readFileSync(join(served, 'web-1.0.0.tgz')));
});

test('plan: a chart version bump shows for exactly the clusters the release targets', async () => {
  repo.replace('flotilla.yaml', 'name: web, version: "1.0.0"}', 'name: web, version: "1.1.x"}');
  try {
    const run = await runFlotilla(['--fleet', repo.dir, 'plan', '--base', 'HEAD', '--output', 'json', '--helm', helm]);
    const json = JSON.parse(run.stdout) as { summary: { clusters: number }; targets: { cluster: string; release: string; changes: { object: string; fields: { path: string; before?: unknown; after?: unknown }[] }[] }[] };
    assert.deepEqual(json.targets.map((t) => `${t.cluster}/${t.release}`), ['prod-a/web-prod', 'prod-b/web-prod']);
    assert.equal(json.summary.clusters, 2);
    for (const target of json.targets) {
      assert.deepEqual(
        target.changes.map((c) => c.object),
        ['ConfigMap/web/web-prod-web-config', 'Service/web/web-prod-web', 'Deployment/web/web-prod-web'],
      );
      assert.deepEqual(target.changes[0]!.fields, [{ path: '/metadata/labels/helm.sh~1chart', action: 'change', before: 'web-1.0.0', after: 'web-1.1.0' }]);
    }
  } finally {
    repo.replace('flotilla.yaml', 'name: web, version: "1.1.x"}', 'name: web, version: "1.0.0"}');
  }
});

test('version ranges resolve with semver: the newest stable match, prereleases only when asked for', () => {
  const fleetWith = (version: string) => {
    repo.write('flotilla.yaml', repo.read('flotilla.yaml').replace(/version: "[^"]*"\}/, `version: "${version}"}`));
    const [result] = render(repo.dir, 'web-prod');
    return result!.result;
  };
  const original = repo.read('flotilla.yaml');
  try {
    const labelOf = (r: ReturnType<typeof fleetWith>) => (r.ok ? r.value.objects.find((o) => o.object.kind === 'Service')!.object.metadata.labels!['helm.sh/chart'] : r.issues[0]!.message);
    assert.equal(labelOf(fleetWith('>=1.0.0, <2.0.0')), 'web-1.1.0');
    assert.equal(labelOf(fleetWith('*')), 'web-1.1.0');
    assert.equal(labelOf(fleetWith('2.0.0-rc.1')), 'web-2.0.0-rc.1');
    assert.equal(labelOf(fleetWith('>=2.0.0-0')), 'web-2.0.0-rc.1');
    const missing = fleetWith('3.x');
    assert.equal(missing.ok ? '' : missing.issues[0]!.code, 'HELM_CHART_NOT_FOUND');
    assert.match(missing.ok ? '' : missing.issues[0]!.message, /^prod-a\/web-prod: chart repository http:\/\/127\.0\.0\.1:\d+\/charts has no version of "web" in the range "3\.x"; it lists 2\.0\.0-rc\.1, 1\.1\.0, 1\.0\.0$/);
  } finally {
    repo.write('flotilla.yaml', original);
  }
});

test('an archive that does not match the digest of the index is refused', () => {
  const indexFile = join(served, 'index.yaml');
  const index = readFileSync(indexFile, 'utf8');
  writeFileSync(indexFile, index.replace(/digest: [0-9a-f]{64}/g, `digest: ${'0'.repeat(64)}`));
  try {
    const results = render(repo.dir, 'web-prod', join(scratch, 'other-cache'));
    for (const { result } of results) {
      assert.equal(result.ok ? '' : result.issues[0]!.code, 'HELM_CHART_DIGEST_MISMATCH');
      assert.match(result.ok ? '' : result.issues[0]!.message, /web-1\.0\.0\.tgz: the archive has digest sha256:[0-9a-f]{64}, but the repository index lists sha256:0{64}$/);
    }
  } finally {
    writeFileSync(indexFile, index);
  }
});

test('a chart republished under the same version is noticed', () => {
  const dir = join(scratch, 'republish-cache');
  const changed = (results: TargetRenderResult[]) => results.flatMap((r) => (r.result.ok ? r.result.value.notes ?? [] : ['failed'])).filter((n) => !n.startsWith('skipped'));
  assert.deepEqual(changed(render(repo.dir, 'web-dev', dir)), []);
  const original = readFileSync(join(served, 'web-1.0.0.tgz'));
  const index = readFileSync(join(served, 'index.yaml'));
  packageChart('1.0.0', (chart) => writeFileSync(join(chart, 'values.yaml'), readFileSync(join(chart, 'values.yaml'), 'utf8').replace('replicaCount: 1', 'replicaCount: 2')));
  try {
    const [again] = render(repo.dir, 'web-dev', dir);
    assert.ok(again!.result.ok);
    assert.equal((again!.result.value.objects.find((o) => o.object.kind === 'Deployment')!.object.spec as { replicas: number }).replicas, 2);
    const notes = changed([again!]);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /^chart web 1\.0\.0 of http:\/\/127\.0\.0\.1:\d+\/charts changed since it was last fetched: the same version now has digest sha256:[0-9a-f]{64} \(it was sha256:[0-9a-f]{64}\)/);
  } finally {
    writeFileSync(join(served, 'web-1.0.0.tgz'), original);
    writeFileSync(join(served, 'index.yaml'), index);
  }
});

test('an unreachable chart repository fails its targets with HELM_REPO_UNAVAILABLE, retryable', async () => {
  // A port that was free a moment ago: nothing listens there.
  const probe = createServer();
  const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
  await new Promise((resolve) => probe.close(resolve));
  const original = repo.read('flotilla.yaml');
  repo.write('flotilla.yaml', original.replace(`repo: "${repoUrl}", name: web, version: "1.0.0"`, `repo: "http://127.0.0.1:${port}/charts", name: web, version: "1.0.0"`));
  try {
    const results = render(repo.dir);
    assert.deepEqual(results.map((r) => `${r.target.key}:${r.result.ok ? 'ok' : r.result.issues[0]!.code}`), ['dev-a/web-dev:ok', 'prod-a/web-prod:HELM_REPO_UNAVAILABLE', 'prod-b/web-prod:HELM_REPO_UNAVAILABLE']);
    const issue = results[1]!.result.ok ? undefined : results[1]!.result.issues[0];
    assert.equal(issue?.retryable, true);
    assert.match(issue!.message, new RegExp(`^prod-a/web-prod: http://127\\.0\\.0\\.1:${port}/charts/index\\.yaml: fetch failed: connect ECONNREFUSED`));
  } finally {
    repo.write('flotilla.yaml', original);
  }
});

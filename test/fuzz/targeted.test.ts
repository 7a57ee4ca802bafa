// Bad input the generators do not reach, on a real disk where it matters: invalid UTF-8 and
// binary data checked against kubectl kustomize v5.7.1, 10,000 levels of nesting in every file a
// render reads, huge fleet files, loops of links, a release path escaping the repository, FIFOs
// and devices. Every case ends in a clear error (or kustomize's own output) within the budget.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ok, type ErrorCode, type Result } from '../../src/core/index.js';
import { loadFleet, renderFleet } from '../../src/fleet/index.js';
import { stringifyYamlStream } from '../../src/manifest/index.js';
import { buildKustomization, memoryFs, releaseRenderer, type RenderFs } from '../../src/render/index.js';
import { helmReleaseRenderer, type HelmRenderer } from '../../src/render/helm/index.js';
import { localFs } from '../../src/source/index.js';
import { toolPath } from '../../scripts/tools.js';
import { checkIssues, checkOutcome, FuzzStats, measure } from './harness.js';
import { exampleFiles } from './fleet-tree.js';
import { deepNesting } from './raw-input.js';

let root: string;
const stats = new FuzzStats('targeted cases');

function write(rel: string, content: string | Uint8Array): string {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** fleetCopy writes the example fleet under DIR and returns its path. */
function fleetCopy(dir: string): string {
  for (const [path, text] of Object.entries(exampleFiles)) write(join(dir, path), text);
  return join(root, dir);
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'flotilla-targeted-'));
});

after(() => {
  rmSync(root, { recursive: true, force: true });
  stats.report({ diagnostic: (message) => console.log(`# ${message}`) });
});

function kubectlKustomize(dir: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(toolPath('kubectl'), ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function build(dir: string, fs: RenderFs = localFs, label = dir): Result<{ objects: { object: unknown }[] }> {
  const outcome = measure(stats, () => label, () => buildKustomization(dir, { fs, root: fs === localFs ? root : '/repo' }));
  checkOutcome(stats, outcome);
  return outcome.result;
}

function loadAndRender(dir: string, fs: RenderFs = localFs): Result<unknown> {
  const outcome = measure(stats, () => dir, () => {
    const loaded = loadFleet(fs, dir);
    if (!loaded.ok) return loaded;
    return ok(renderFleet(loaded.value, { fs, root: dir, renderer: releaseRenderer }));
  });
  if (!outcome.result.ok) checkIssues(outcome.result.issues);
  stats.count(outcome.result, outcome.ms);
  return outcome.result;
}

function expectIssue(result: Result<unknown>, code: ErrorCode, ...mentions: RegExp[]): void {
  assert.equal(result.ok, false, 'expected an error');
  if (result.ok) return;
  const issue = result.issues.find((i) => i.code === code) ?? result.issues[0]!;
  assert.equal(issue.code, code, issue.message);
  for (const m of mentions) assert.match(issue.message, m);
}

const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: "1"\n';

test('invalid UTF-8 in a resource or a kustomization is FILE_NOT_TEXT, where kubectl kustomize fails too', () => {
  write('utf8/resource/kustomization.yaml', 'resources:\n- cm.yaml\n');
  write('utf8/resource/cm.yaml', Buffer.concat([Buffer.from(cm), Buffer.from('  b: "\xff\xfe"\n', 'latin1')]));
  write('utf8/kustomization/kustomization.yaml', Buffer.concat([Buffer.from('resources:\n- cm.yaml\n# '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]));
  write('utf8/kustomization/cm.yaml', cm);
  for (const [dir, file] of [['utf8/resource', /cm\.yaml: the file is not valid UTF-8 text/], ['utf8/kustomization', /kustomization\.yaml: the file is not valid UTF-8 text/]] as const) {
    expectIssue(build(join(root, dir)), 'FILE_NOT_TEXT', file);
    const reference = kubectlKustomize(join(root, dir));
    assert.notEqual(reference.status, 0);
    assert.match(reference.stderr, /invalid (leading|trailing) UTF-8 octet/);
  }
});

test('invalid UTF-8 in the fleet file or a cluster record is FILE_NOT_TEXT naming the file', () => {
  const fleet = fleetCopy('utf8/fleet');
  write('utf8/fleet/flotilla.yaml', Buffer.concat([Buffer.from(exampleFiles['flotilla.yaml']!), Buffer.from([0xed, 0xa0, 0x80])]));
  expectIssue(loadAndRender(fleet), 'FILE_NOT_TEXT', /^flotilla\.yaml: the file is not valid UTF-8 text/);
  const records = fleetCopy('utf8/record');
  write('utf8/record/clusters/dev-eu-west/cluster.yaml', Buffer.concat([Buffer.from(exampleFiles['clusters/dev-eu-west/cluster.yaml']!), Buffer.from([0xff])]));
  expectIssue(loadAndRender(records), 'FILE_NOT_TEXT', /^clusters\/dev-eu-west\/cluster\.yaml: the file is not valid UTF-8 text/);
});

test('binary files in configMapGenerator and secretGenerator render byte for byte as kubectl kustomize renders them', () => {
  write('binary/kustomization.yaml', 'configMapGenerator:\n- name: bin\n  files:\n  - blob.bin\n  - text.txt\n  - nul.txt\n  - key=latin1.txt\nsecretGenerator:\n- name: s\n  files:\n  - blob.bin\n');
  write('binary/blob.bin', new Uint8Array([0x00, 0x01, 0xff, 0xfe, 0x80, 0x7f, ...Array.from({ length: 300 }, (_, i) => i % 256)]));
  write('binary/text.txt', 'café\nline two\n');
  write('binary/nul.txt', 'a\u0000b');
  write('binary/latin1.txt', Buffer.from('caf\xe9', 'latin1'));
  const result = build(join(root, 'binary'));
  assert.ok(result.ok, result.ok ? '' : result.issues[0]!.message);
  const reference = kubectlKustomize(join(root, 'binary'));
  assert.equal(reference.status, 0, reference.stderr);
  assert.equal(stringifyYamlStream(result.value.objects.map((o) => o.object)), reference.stdout);
  assert.match(reference.stdout, /binaryData:\n {2}blob\.bin: /);
});

test('10,000 levels of nesting end in YAML errors in every file a render reads, parse after parse', () => {
  const styles = ['flow-seq', 'flow-map', 'block-seq'] as const;
  const helm: HelmRenderer = {
    loadChart: () => ok({ name: 'web', version: '1.0.0', digest: 'sha256:00', origin: 'charts/web', defaultValues: '', handle: 'web', notes: [] }),
    template: () => ok('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n'),
  };
  for (let round = 0; round < 2; round++) {
    for (const style of styles) {
      const deep = deepNesting(10_000, style, '');
      const nested = deepNesting(10_000, style, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a:\n    ');
      const cases: [string, Record<string, string>, ErrorCode][] = [
        ['kustomization', { '/repo/app/kustomization.yaml': deep }, 'RENDER_KUSTOMIZATION_INVALID'],
        ['resource', { '/repo/app/kustomization.yaml': 'resources:\n- cm.yaml\n', '/repo/app/cm.yaml': nested }, 'YAML_PARSE'],
        ['patch file', { '/repo/app/kustomization.yaml': 'resources:\n- cm.yaml\npatches:\n- path: p.yaml\n', '/repo/app/cm.yaml': cm, '/repo/app/p.yaml': nested }, 'YAML_PARSE'],
        ['inline patch', { '/repo/app/kustomization.yaml': `resources:\n- cm.yaml\npatches:\n- patch: ${JSON.stringify(nested)}\n`, '/repo/app/cm.yaml': cm }, 'YAML_PARSE'],
      ];
      for (const [what, files, code] of cases) {
        expectIssue(build('/repo/app', memoryFs(files), `${what} ${style}`), code, /nests too deeply/);
      }
      const fleetFiles: Record<string, string> = {};
      for (const [path, text] of Object.entries(exampleFiles)) fleetFiles[`/fleet/${path}`] = text;
      expectIssue(loadAndRender('/fleet', memoryFs({ ...fleetFiles, '/fleet/flotilla.yaml': deep })), 'YAML_PARSE', /^flotilla\.yaml: line 1, column \d+: the document nests too deeply/);
      expectIssue(loadAndRender('/fleet', memoryFs({ ...fleetFiles, '/fleet/clusters/dev-eu-west/cluster.yaml': deep })), 'YAML_PARSE', /^clusters\/dev-eu-west\/cluster\.yaml: line 1/);
      const valuesFs = memoryFs({ '/repo/charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n', '/repo/values/v.yaml': deepNesting(10_000, style, 'a:\n  ') });
      const target = { key: 'c/web', release: { name: 'web', index: 0 }, cluster: { name: 'c', file: 'clusters/c/cluster.yaml' }, helm: { chart: 'charts/web', valuesFiles: ['values/v.yaml'] } };
      const values = measure(stats, () => `values ${style}`, () => helmReleaseRenderer(helm).render(target, { fs: valuesFs, root: '/repo' }));
      checkOutcome(stats, values);
      expectIssue(values.result, 'YAML_PARSE', /values\/v\.yaml: line 2, column \d+: the document nests too deeply/);
    }
  }
});

test('a fleet file over the size limit is refused before it is read; a 10,000-release fleet file loads', () => {
  const big = fleetCopy('huge/over');
  write('huge/over/flotilla.yaml', exampleFiles['flotilla.yaml']! + `# ${'x'.repeat(9 * 1024 * 1024)}\n`);
  expectIssue(loadAndRender(big), 'FILE_TOO_LARGE', /^flotilla\.yaml: \d+ bytes is more than the 8388608-byte limit/);

  const releases = Array.from({ length: 10_000 }, (_, i) => `  - name: r${i}\n    path: base\n    targets: {clusters: [dev-eu-west]}\n${i > 0 ? `    dependsOn: [r${i - 1}]\n` : ''}`).join('');
  const many = fleetCopy('huge/many');
  write('huge/many/flotilla.yaml', `apiVersion: flotilla.dev/v1alpha1\nkind: Fleet\nmetadata: {name: many}\nspec:\n  releases:\n${releases}`);
  const outcome = measure(stats, () => 'fleet file with 10,000 releases', () => loadFleet(localFs, many));
  stats.count(outcome.result, outcome.ms);
  assert.ok(outcome.result.ok, outcome.result.ok ? '' : outcome.result.issues[0]!.message);
  assert.equal(outcome.result.value.releases.length, 10_000);
});

test('loops of links: a looping resource is not found, and ** in the clusters glob does not walk a loop', () => {
  write('loops/app/kustomization.yaml', 'resources:\n- loop.yaml\n');
  symlinkSync(join(root, 'loops/app/loop-b.yaml'), join(root, 'loops/app/loop.yaml'));
  symlinkSync(join(root, 'loops/app/loop.yaml'), join(root, 'loops/app/loop-b.yaml'));
  expectIssue(build(join(root, 'loops/app')), 'RENDER_RESOURCE_NOT_FOUND', /resources\[0\]: "loop\.yaml" does not exist/);
  assert.match(kubectlKustomize(join(root, 'loops/app')).stderr, /too many links/);

  const fleet = fleetCopy('loops/fleet');
  write('loops/fleet/flotilla.yaml', exampleFiles['flotilla.yaml']!.replace('clusters: clusters/*/cluster.yaml', 'clusters: clusters/**/cluster.yaml'));
  symlinkSync(join(fleet, 'clusters'), join(fleet, 'clusters/dev-eu-west/loop'));
  symlinkSync(fleet, join(fleet, 'clusters/prod-eu-west/up'));
  const loaded = measure(stats, () => 'clusters/** with loops', () => loadFleet(localFs, fleet));
  stats.count(loaded.result, loaded.ms);
  assert.ok(loaded.result.ok, loaded.result.ok ? '' : loaded.result.issues[0]!.message);
  assert.equal(loaded.result.value.clusters.length, 6);
});

test('a release path through a directory link out of the repository is FLEET_PATH_OUTSIDE_REPOSITORY', () => {
  write('escape/outside/app/kustomization.yaml', 'resources:\n- secret.yaml\n');
  write('escape/outside/app/secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: stolen\n');
  const fleet = fleetCopy('escape/fleet');
  symlinkSync(join(root, 'escape/outside'), join(fleet, 'apps/vendor'));
  write('escape/fleet/flotilla.yaml', exampleFiles['flotilla.yaml']!.replace('path: clusters/{{cluster.name}}', 'path: apps/vendor/app'));
  const result = loadAndRender(fleet);
  assert.ok(result.ok);
  const rendered = result.value as { target: { key: string }; result: Result<unknown> }[];
  const escaped = rendered.filter((r) => r.target.key.endsWith('/cluster-config'));
  assert.equal(escaped.length, 6);
  for (const { result: r } of escaped) expectIssue(r, 'FLEET_PATH_OUTSIDE_REPOSITORY', /spec\.releases\[0\]\.path: release cluster-config: apps\/vendor\/app leads outside the repository \(through a symbolic link/);
});

test('FIFOs and devices are refused wherever a render reads a file, never waited on', () => {
  // A resource, a generator file, a patch: inside the kustomization, so only the FIFO is wrong.
  for (const [name, kustomization] of [
    ['resource', 'resources:\n- data.fifo\n'],
    ['generator', 'configMapGenerator:\n- name: x\n  files:\n  - data.fifo\n'],
    ['patch', `resources:\n- cm.yaml\npatches:\n- path: data.fifo\n`],
  ] as const) {
    write(`special/${name}/kustomization.yaml`, kustomization);
    write(`special/${name}/cm.yaml`, cm);
    execFileSync('mkfifo', [join(root, `special/${name}/data.fifo`)]);
    expectIssue(build(join(root, `special/${name}`)), 'FILE_UNREADABLE', /data\.fifo: cannot be read: .*is a FIFO, not a regular file/);
  }
  // A link to a device inside a kustomization leads outside its root.
  write('special/device/kustomization.yaml', 'resources:\n- zero.yaml\n');
  symlinkSync('/dev/zero', join(root, 'special/device/zero.yaml'));
  expectIssue(build(join(root, 'special/device')), 'PATH_OUTSIDE_ROOT', /zero\.yaml" resolves to \/dev\/zero/);

  const fleet = fleetCopy('special/fleet');
  rmSync(join(fleet, 'clusters/dev-eu-west/cluster.yaml'));
  execFileSync('mkfifo', [join(fleet, 'clusters/dev-eu-west/cluster.yaml')]);
  expectIssue(loadAndRender(fleet), 'FILE_UNREADABLE', /^clusters\/dev-eu-west\/cluster\.yaml: cannot be read: .*is a FIFO/);
  rmSync(join(fleet, 'clusters/dev-eu-west/cluster.yaml'));
  symlinkSync('/dev/zero', join(fleet, 'clusters/dev-eu-west/cluster.yaml'));
  expectIssue(loadAndRender(fleet), 'FLEET_PATH_OUTSIDE_REPOSITORY', /^clusters\/dev-eu-west\/cluster\.yaml: resolves to \/dev\/zero, outside the repository/);
  rmSync(join(fleet, 'flotilla.yaml'));
  execFileSync('mkfifo', [join(fleet, 'flotilla.yaml')]);
  expectIssue(loadAndRender(fleet), 'FILE_UNREADABLE', /^flotilla\.yaml: cannot be read: .*is a FIFO/);
});

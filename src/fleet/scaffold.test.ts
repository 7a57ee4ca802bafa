import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { memoryFs } from '../render/kustomize/memory-fs.js';
import { releaseRenderer } from '../render/index.js';
import { evaluateGuards } from '../plan/index.js';
import { loadFleet } from './load.js';
import { renderFleet } from './render.js';
import { selectTargets } from './targets.js';
import { clusterRecordFile, expandClusterTemplate, initFiles, newClusterProblems, parsePairs, readClusterTemplate, withFiles, type ScaffoldFile } from './scaffold.js';

function tree(files: readonly ScaffoldFile[], root = '/repo'): Record<string, string> {
  return Object.fromEntries(files.map((f) => [`${root}/${f.path}`, f.text]));
}

test('init scaffolds base, environments, a cluster template and a record with an overlay per environment × region', () => {
  const files = initFiles({ name: 'acme' });
  assert.ok(files.ok);
  const paths = files.value.map((f) => f.path);
  for (const p of ['flotilla.yaml', 'README.md', 'base/kustomization.yaml', 'templates/cluster/kustomization.yaml', 'environments/dev/kustomization.yaml', 'environments/production/kustomization.yaml']) {
    assert.ok(paths.includes(p), p);
  }
  const records = paths.filter((p) => p.endsWith('/cluster.yaml')).sort();
  assert.deepEqual(records, ['dev-eu-west', 'dev-us-east', 'production-eu-west', 'production-us-east', 'staging-eu-west', 'staging-us-east'].map((n) => `clusters/${n}/cluster.yaml`));
  assert.equal(new Set(paths).size, paths.length, 'no file twice');
});

test('the fleet init writes loads, renders every cluster and passes the identity guard, with no edits', () => {
  const files = initFiles({ name: 'acme', envs: ['dev', 'prod'], regions: ['us-east'] });
  assert.ok(files.ok);
  const fs = memoryFs(tree(files.value));
  const loaded = loadFleet(fs, '/repo');
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.issues.map((i) => i.message).join('\n'));
  const fleet = loaded.value;
  assert.deepEqual(fleet.clusterTemplate, { path: 'templates/cluster' });
  assert.deepEqual(fleet.rollout?.waves.map((w) => w.name), ['dev', 'prod'], 'waves follow --envs');
  assert.deepEqual(fleet.clusters.map((c) => [c.name, c.labels, c.identity]), [
    ['dev-us-east', { env: 'dev', region: 'us-east' }, { CLUSTER_NAME: 'dev-us-east' }],
    ['prod-us-east', { env: 'prod', region: 'us-east' }, { CLUSTER_NAME: 'prod-us-east' }],
  ]);
  const results = renderFleet(fleet, { fs, root: '/repo', renderer: releaseRenderer, cache: releaseRenderer.createCache(), targets: selectTargets(fleet, {}) });
  assert.equal(results.length, 2);
  for (const { target, result } of results) {
    assert.ok(result.ok, result.ok ? '' : result.issues.map((i) => i.message).join('\n'));
    assert.deepEqual(evaluateGuards(fleet, result.value), [], target.key);
    const objects = result.value.objects.map((o) => o.object as { kind: string; metadata: { name: string; labels?: Record<string, string> }; data?: Record<string, string> });
    const info = objects.find((o) => o.metadata.name === 'cluster-info')!;
    assert.equal(info.data?.cluster, target.cluster.name, 'substitution reached the base');
    assert.equal(info.metadata.labels?.env, target.cluster.labels.env, 'the environment overlay applied');
    assert.equal(info.metadata.labels?.cluster, target.cluster.name, 'the cluster overlay applied');
    const identity = objects.find((o) => o.metadata.name === 'cluster-identity')!;
    assert.deepEqual(identity.data, { CLUSTER_NAME: target.cluster.name });
  }
});

test('init refuses bad environment and region names, duplicates and too-long cluster names, all at once', () => {
  const result = initFiles({ name: 'Acme', envs: ['dev', 'dev', 'Prod'], regions: ['x'.repeat(60)] });
  assert.ok(!result.ok);
  const messages = result.issues.map((i) => `${i.code}: ${i.message}`);
  assert.ok(messages.some((m) => /^USAGE: --envs: "dev" is given twice/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /--envs: "Prod" is not a DNS label/.test(m)));
  assert.ok(messages.some((m) => /fleet name "Acme" is not a DNS label/.test(m)));
  assert.ok(messages.some((m) => /cluster name "dev-x{60}" .* is 64 characters long/.test(m)));
  assert.ok(!initFiles({ name: 'a', envs: [] }).ok, 'no environment is an error');
});

test('--label and --identity pairs are checked: syntax, label rules, variable names, conflicting repeats', () => {
  assert.deepEqual(parsePairs(['env=dev', 'region=eu-west', 'team=', 'env=dev'], 'label'), { ok: true, value: { env: 'dev', region: 'eu-west', team: '' } });
  assert.deepEqual(parsePairs(['REGION=eu-west-1', 'NOTE=a=b c'], 'identity'), { ok: true, value: { REGION: 'eu-west-1', NOTE: 'a=b c' } });
  const bad = parsePairs(['env', '=x', 'env=Not Valid', 'acme.io/tier=gold', 'tier=a', 'tier=b'], 'label');
  assert.ok(!bad.ok);
  assert.deepEqual(
    bad.issues.map((i) => i.message),
    [
      '--label env: expected KEY=VALUE',
      '--label =x: expected KEY=VALUE',
      '--label env=Not Valid: "Not Valid" is not a valid label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
      '--label tier is given twice, as "a" and as "b"',
    ],
  );
  const id = parsePairs(['region=x', '1X=y', 'A-B=z'], 'identity');
  assert.ok(!id.ok);
  assert.deepEqual(id.issues.map((i) => i.message.split(':')[0]), ['--identity 1X=y', '--identity A-B=z']);
  assert.match(id.issues[0]!.message, /"1X" is not a variable name/);
});

test('a new cluster must have a DNS-label name and, if given, CLUSTER_NAME equal to it', () => {
  assert.deepEqual(newClusterProblems({ name: 'prod-ap-south', labels: { env: 'production' }, identity: { CLUSTER_NAME: 'prod-ap-south' } }), []);
  const problems = newClusterProblems({ name: 'Prod_1', labels: {}, identity: { CLUSTER_NAME: 'other' } }).map((i) => i.message);
  assert.match(problems[0]!, /cluster name "Prod_1" is not a DNS label/);
  assert.match(problems[1]!, /CLUSTER_NAME is always the cluster's name, "Prod_1"/);
});

test('the cluster record reads back as written: CLUSTER_NAME first, context, fingerprint, values that look like other types stay strings', () => {
  const file = clusterRecordFile({ name: 'edge-1', labels: { env: 'dev', gpu: 'true', version: '1.30' }, identity: { REGION: 'ap-south-1', ACCOUNT: '0042' }, context: 'edge-ctx', fingerprint: 'c0ffee00-0000-4000-8000-000000000001' });
  assert.equal(file.path, 'clusters/edge-1/cluster.yaml');
  assert.match(file.text, /^# Written by flotilla bootstrap\.\napiVersion: flotilla\.dev\/v1alpha1\nkind: Cluster\n/);
  const value = parse(file.text) as { metadata: { labels: Record<string, string> }; spec: { identity: Record<string, string>; connection: { context: string }; fingerprint: string } };
  assert.deepEqual(value.metadata.labels, { env: 'dev', gpu: 'true', version: '1.30' });
  assert.deepEqual(Object.entries(value.spec.identity), [['CLUSTER_NAME', 'edge-1'], ['REGION', 'ap-south-1'], ['ACCOUNT', '0042']]);
  assert.equal(value.spec.connection.context, 'edge-ctx');
  assert.equal(value.spec.fingerprint, 'c0ffee00-0000-4000-8000-000000000001');
  const loaded = loadFleet(memoryFs({ '/r/flotilla.yaml': 'apiVersion: flotilla.dev/v1alpha1\nkind: Fleet\nmetadata: {name: f}\nspec: {releases: []}\n', [`/r/${file.path}`]: file.text }), '/r');
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.issues[0]!.message);
  assert.equal(loaded.value.clusters[0]!.fingerprint, 'c0ffee00-0000-4000-8000-000000000001');
  assert.equal(loaded.value.clusters[0]!.labels.gpu, 'true');
});

test('a cluster template expands name, labels and identity line by line into clusters/NAME/', () => {
  const result = expandClusterTemplate(
    'templates/cluster',
    [
      { path: 'kustomization.yaml', text: 'resources:\n- ../../environments/{{ cluster.labels.env }}\nlabels:\n- pairs: {cluster: "{{cluster.name}}"}\n' },
      { path: 'patches/region.yaml', text: 'region: {{cluster.identity.REGION}}\nname: {{cluster.identity.CLUSTER_NAME}}\n' },
      { path: 'NOTES.txt', text: 'cluster {{cluster.name}}: {{not yaml so never parsed\n'.replace('{{not yaml so never parsed', 'any text') },
    ],
    { name: 'dev-ap-south', labels: { env: 'dev' }, identity: { REGION: 'ap-south-1' } },
  );
  assert.ok(result.ok, result.ok ? '' : result.issues[0]!.message);
  assert.deepEqual(result.value, [
    { path: 'clusters/dev-ap-south/NOTES.txt', text: 'cluster dev-ap-south: any text\n' },
    { path: 'clusters/dev-ap-south/kustomization.yaml', text: 'resources:\n- ../../environments/dev\nlabels:\n- pairs: {cluster: "dev-ap-south"}\n' },
    { path: 'clusters/dev-ap-south/patches/region.yaml', text: 'region: ap-south-1\nname: dev-ap-south\n' },
  ]);
});

test('a cluster template names the file and line of a key the cluster lacks, refuses release.name and cluster.yaml, and checks the YAML it expands to', () => {
  const cluster = { name: 'c1', labels: { env: 'dev' }, identity: { NOTE: 'a: b' } };
  const result = expandClusterTemplate(
    'templates/cluster',
    [
      { path: 'kustomization.yaml', text: 'resources:\n- ../../environments/{{cluster.labels.region}}\n' },
      { path: 'a.yaml', text: 'x: {{release.name}}\n' },
      { path: 'b.yaml', text: 'x: {{cluster.labels.env | upper}}\n' },
      { path: 'c.yaml', text: 'note: {{cluster.identity.NOTE}}\n' },
      { path: 'cluster.yaml', text: 'kind: Cluster\n' },
    ],
    cluster,
  );
  assert.ok(!result.ok);
  const lines = result.issues.map((i) => `${i.code} ${i.message}`);
  assert.deepEqual(lines.map((l) => l.split(' ')[0]), ['FLEET_TEMPLATE_INVALID', 'FLEET_TEMPLATE_INVALID', 'BOOTSTRAP_TEMPLATE_INVALID', 'BOOTSTRAP_TEMPLATE_INVALID', 'FLEET_TEMPLATE_UNDEFINED'], lines.join('\n'));
  assert.match(lines[0]!, /templates\/cluster\/a\.yaml:1: \{\{release\.name\}\} has no meaning in a cluster template/);
  assert.match(lines[1]!, /templates\/cluster\/b\.yaml:1: templates hold one key, no functions/);
  assert.match(lines[2]!, /templates\/cluster\/c\.yaml: for cluster c1 the file expands to YAML that does not parse/);
  assert.match(lines[3]!, /templates\/cluster\/cluster\.yaml: a cluster template may not hold cluster\.yaml/);
  assert.match(lines[4]!, /templates\/cluster\/kustomization\.yaml:2: \{\{cluster\.labels\.region\}\}: cluster c1 has no label "region" \(it has: env\)/);
  assert.equal(result.issues[4]!.cluster, 'c1');
  assert.ok(!expandClusterTemplate('t', [], cluster).ok, 'an empty template is an error');
});

test('readClusterTemplate reads nested files; a missing directory names spec.clusterTemplate.path', () => {
  const fs = memoryFs({ '/r/templates/cluster/kustomization.yaml': 'a', '/r/templates/cluster/patches/p.yaml': 'b', '/r/other.yaml': 'c' });
  assert.deepEqual(readClusterTemplate(fs, '/r', 'templates/cluster'), {
    ok: true,
    value: [
      { path: 'kustomization.yaml', text: 'a' },
      { path: 'patches/p.yaml', text: 'b' },
    ],
  });
  const missing = readClusterTemplate(fs, '/r', 'templates/nope');
  assert.ok(!missing.ok);
  assert.equal(missing.issues[0]!.code, 'BOOTSTRAP_TEMPLATE_INVALID');
  assert.match(missing.issues[0]!.message, /spec\.clusterTemplate\.path: templates\/nope is not a directory/);
  const binary = readClusterTemplate(memoryFs({ '/r/t/x.bin': new Uint8Array([0xff, 0xfe]) }), '/r', 't');
  assert.ok(!binary.ok);
  assert.equal(binary.issues[0]!.code, 'FILE_NOT_TEXT');
});

test('withFiles shows files not yet written: a new cluster is loaded and its directory listed beside the old ones', () => {
  const base = memoryFs({
    '/r/flotilla.yaml': 'apiVersion: flotilla.dev/v1alpha1\nkind: Fleet\nmetadata: {name: f}\nspec: {releases: [{name: c, path: "clusters/{{cluster.name}}", targets: {selector: {}}}]}\n',
    '/r/clusters/a/cluster.yaml': 'apiVersion: flotilla.dev/v1alpha1\nkind: Cluster\nmetadata: {name: a}\n',
    '/r/clusters/a/kustomization.yaml': 'resources: []\n',
  });
  const fs = withFiles(base, '/r', [
    { path: 'clusters/b/cluster.yaml', text: 'apiVersion: flotilla.dev/v1alpha1\nkind: Cluster\nmetadata: {name: b}\n' },
    { path: 'clusters/b/kustomization.yaml', text: 'resources: []\n' },
  ]);
  assert.deepEqual(fs.readdir('/r/clusters'), ['a', 'b']);
  assert.deepEqual(fs.stat('/r/clusters/b'), { kind: 'directory', size: 0 });
  assert.equal(fs.realpath('/r/clusters/b/kustomization.yaml'), '/r/clusters/b/kustomization.yaml');
  const loaded = loadFleet(fs, '/r');
  assert.ok(loaded.ok);
  assert.deepEqual(loaded.value.clusters.map((c) => c.name), ['a', 'b']);
  const rendered = renderFleet(loaded.value, { fs, root: '/r', renderer: releaseRenderer, targets: selectTargets(loaded.value, { cluster: 'b' }) });
  assert.ok(rendered[0]!.result.ok);
  assert.equal(base.stat('/r/clusters/b'), undefined, 'the underlying tree is untouched');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs } from '../render/kustomize/memory-fs.js';
import { loadFleet } from './load.js';
import { selectTargets } from './targets.js';
import type { Fleet } from './types.js';

function cluster(name: string, labels: Record<string, string>, identity: Record<string, string> = {}): string {
  return `apiVersion: flotilla.dev/v1alpha1\nkind: Cluster\nmetadata: {name: ${name}, labels: ${JSON.stringify(labels)}}\nspec: {identity: ${JSON.stringify(identity)}}\n`;
}

const clusters: Record<string, string> = {
  'dev-us/cluster.yaml': cluster('dev-us', { env: 'dev', region: 'us-east' }, { REGION: 'us-east-1' }),
  'dev-eu/cluster.yaml': cluster('dev-eu', { env: 'dev', region: 'eu-west', compliance: 'gdpr' }, { REGION: 'eu-west-1' }),
  'prod-us/cluster.yaml': cluster('prod-us', { env: 'production', region: 'us-east' }, { REGION: 'us-east-1' }),
  'prod-eu/cluster.yaml': cluster('prod-eu', { env: 'production', region: 'eu-west', compliance: 'gdpr' }, { REGION: 'eu-west-1' }),
  'edge/cluster.yaml': cluster('edge', { region: 'us-east' }),
};

function fleetOf(releases: string): Fleet {
  const files: Record<string, string> = { '/repo/flotilla.yaml': `apiVersion: flotilla.dev/v1alpha1\nkind: Fleet\nmetadata: {name: t}\nspec:\n  releases:\n${releases}` };
  for (const [path, text] of Object.entries(clusters)) files[`/repo/clusters/${path}`] = text;
  const result = loadFleet(memoryFs(files), '/repo');
  assert.ok(result.ok, result.ok ? '' : result.issues.map((i) => i.message).join('\n'));
  return result.value;
}

const keys = (fleet: Fleet, filter = {}) => selectTargets(fleet, filter).map((t) => t.key);

test('an empty selector selects every cluster; clusters come sorted by name', () => {
  const fleet = fleetOf('  - {name: all, path: x, targets: {selector: {}}}\n');
  assert.deepEqual(keys(fleet), ['dev-eu/all', 'dev-us/all', 'edge/all', 'prod-eu/all', 'prod-us/all']);
});

test('matchLabels and every matchExpressions operator select as Kubernetes does', () => {
  const fleet = fleetOf(
    [
      '  - {name: prod, path: x, targets: {selector: {matchLabels: {env: production}}}}',
      '  - {name: in, path: x, targets: {selector: {matchExpressions: [{key: env, operator: In, values: [dev, staging]}]}}}',
      '  - {name: notin, path: x, targets: {selector: {matchExpressions: [{key: env, operator: NotIn, values: [dev]}]}}}',
      '  - {name: exists, path: x, targets: {selector: {matchExpressions: [{key: compliance, operator: Exists}]}}}',
      '  - {name: absent, path: x, targets: {selector: {matchExpressions: [{key: env, operator: DoesNotExist}]}}}',
      '  - {name: both, path: x, targets: {selector: {matchLabels: {region: eu-west}, matchExpressions: [{key: env, operator: In, values: [production]}]}}}',
      '',
    ].join('\n'),
  );
  const by = (release: string) => keys(fleet, { release }).map((k) => k.split('/')[0]);
  assert.deepEqual(by('prod'), ['prod-eu', 'prod-us']);
  assert.deepEqual(by('in'), ['dev-eu', 'dev-us']);
  assert.deepEqual(by('notin'), ['edge', 'prod-eu', 'prod-us'], 'NotIn also matches clusters without the label');
  assert.deepEqual(by('exists'), ['dev-eu', 'prod-eu']);
  assert.deepEqual(by('absent'), ['edge']);
  assert.deepEqual(by('both'), ['prod-eu']);
});

test('explicit clusters are added to the selection and exclude removes clusters from both', () => {
  const fleet = fleetOf('  - name: mon\n    path: x\n    targets:\n      selector: {matchLabels: {env: production}}\n      clusters: [dev-us, edge]\n      exclude: [prod-eu, edge]\n  - {name: only, path: x, targets: {clusters: [edge]}}\n');
  assert.deepEqual(keys(fleet, { release: 'mon' }), ['dev-us/mon', 'prod-us/mon']);
  assert.deepEqual(keys(fleet, { release: 'only' }), ['edge/only']);
});

test('filters narrow by cluster, release and cluster selector; releases follow dependsOn within a cluster', () => {
  const fleet = fleetOf('  - {name: app, path: x, targets: {selector: {}}, dependsOn: [config]}\n  - {name: config, path: x, targets: {selector: {}}}\n');
  assert.deepEqual(keys(fleet, { cluster: 'prod-eu' }), ['prod-eu/config', 'prod-eu/app']);
  assert.deepEqual(keys(fleet, { cluster: 'prod-eu', release: 'app' }), ['prod-eu/app']);
  assert.deepEqual(keys(fleet, { selector: { matchLabels: { compliance: 'gdpr' } }, release: 'config' }), ['dev-eu/config', 'prod-eu/config']);
  assert.deepEqual(keys(fleet, { cluster: 'nowhere' }), []);
});

test('templates expand per target in path, substitute, helm values and valuesFiles, and repo', () => {
  const fleet = fleetOf(
    [
      '  - name: cfg',
      '    path: clusters/{{cluster.name}}/{{release.name}}',
      '    repo: {url: "https://git.example.com/{{cluster.labels.env}}-config", branch: "{{cluster.labels.region}}"}',
      '    targets: {clusters: [prod-eu]}',
      '    substitute: {TIER: "{{cluster.labels.env}}-tier", ZONE: "{{cluster.identity.REGION}}a"}',
      '  - name: chart',
      '    helm:',
      '      chart: charts/app',
      '      values: {region: "{{cluster.identity.REGION}}", nested: [{env: "{{cluster.labels.env}}"}], n: 3}',
      '      valuesFiles: [values/common.yaml, "values/{{cluster.labels.env}}.yaml"]',
      '    targets: {clusters: [prod-eu]}',
      '',
    ].join('\n'),
  );
  const [cfg, chart] = selectTargets(fleet, { cluster: 'prod-eu' });
  assert.deepEqual(cfg!.issues, []);
  assert.equal(cfg!.path, 'clusters/prod-eu/cfg');
  assert.deepEqual(cfg!.repo, { url: 'https://git.example.com/production-config', branch: 'eu-west' });
  assert.deepEqual(cfg!.variables, { TIER: 'production-tier', ZONE: 'eu-west-1a', REGION: 'eu-west-1', CLUSTER_NAME: 'prod-eu' });
  assert.deepEqual(chart!.helm!.values, { region: 'eu-west-1', nested: [{ env: 'production' }], n: 3 });
  assert.deepEqual(chart!.helm!.valuesFiles, ['values/common.yaml', 'values/production.yaml']);
  assert.equal(fleet.releases[0]!.path, 'clusters/{{cluster.name}}/{{release.name}}', 'the release itself keeps its templates');
});

test('a template naming a label the cluster lacks is an issue of that target only, naming release, field and cluster', () => {
  const fleet = fleetOf('  - {name: mon, path: "apps/{{cluster.labels.env}}", targets: {selector: {}}}\n');
  const targets = selectTargets(fleet);
  const edge = targets.find((t) => t.cluster.name === 'edge')!;
  assert.equal(edge.issues.length, 1);
  const issue = edge.issues[0]!;
  assert.equal(issue.code, 'FLEET_TEMPLATE_UNDEFINED');
  assert.equal(issue.cluster, 'edge');
  assert.equal(issue.field, 'spec.releases[0].path');
  assert.match(issue.message, /^flotilla\.yaml: spec\.releases\[0\]\.path: release mon: \{\{cluster\.labels\.env\}\}: cluster edge has no label "env" \(it has: region\) \(for cluster edge\)$/);
  assert.ok(targets.filter((t) => t !== edge).every((t) => t.issues.length === 0));
});

test('a template value that leads out of the repository, and a substitute that overrides identity, are target issues', () => {
  clusters['odd/cluster.yaml'] = cluster('odd', { env: 'x' }, { DIR: '../../etc', REGION: 'r' });
  try {
    const fleet = fleetOf('  - {name: a, path: "apps/{{cluster.identity.DIR}}", targets: {clusters: [odd]}, substitute: {REGION: other}}\n');
    const [target] = selectTargets(fleet);
    const codes = target!.issues.map((i) => i.code).sort();
    assert.deepEqual(codes, ['FLEET_PATH_OUTSIDE_REPOSITORY', 'FLEET_VARIABLE_CONFLICT']);
    assert.match(target!.issues.find((i) => i.code === 'FLEET_PATH_OUTSIDE_REPOSITORY')!.message, /"apps\/\{\{cluster\.identity\.DIR\}\}" expands to "apps\/\.\.\/\.\.\/etc", which is outside the repository/);
  } finally {
    delete clusters['odd/cluster.yaml'];
  }
});

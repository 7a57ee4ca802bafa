// flotilla explain over the example fleet: the real loader and renderer record which file and
// step set each field, through base, environment overlay, cluster overlay, generator and substitution.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { exampleFleet, gitFleet, runFlotilla, type GitFleet } from '../support/git-fleet.js';

interface ExplainJson {
  cluster: string;
  release: string;
  object: string;
  fields: { path: string; pointer: string; role: string; value?: unknown; file: string | null; layer: string | null; step: string | null; inheritedFrom?: string }[];
}

const repos: GitFleet[] = [];
after(() => repos.forEach((r) => r.remove()));

async function explain(...args: string[]): Promise<ExplainJson> {
  const run = await runFlotilla(['--fleet', exampleFleet, '--output', 'json', 'explain', ...args]);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  return JSON.parse(run.stdout) as ExplainJson;
}

test('explain names the production overlay as the source of the strict annotation', async () => {
  const json = await explain('--cluster', 'prod-eu-west', 'Namespace/monitoring', '--field', 'metadata.annotations.security.policy/level');
  assert.equal(json.release, 'cluster-config');
  assert.equal(json.object, 'Namespace/monitoring');
  const field = json.fields.at(-1)!;
  assert.equal(field.role, 'field');
  assert.equal(field.path, 'metadata.annotations["security.policy/level"]');
  assert.equal(field.value, 'strict');
  assert.equal(field.file, 'environments/production/kustomization.yaml');
  assert.equal(field.layer, 'patch');
  assert.match(field.step ?? '', /^patches\[0\]/);

  const text = await runFlotilla(['--fleet', exampleFleet, 'explain', '--cluster', 'prod-eu-west', 'Namespace/monitoring']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^Namespace\/monitoring on cluster prod-eu-west \(release cluster-config\)\n\nFIELD +VALUE +SET BY\n/);
  assert.match(text.stdout, /\nmetadata\.annotations\["security\.policy\/level"\] +"strict" +environments\/production\/kustomization\.yaml patches\[0\]\S* \[patch\]\n/);
  assert.match(text.stdout, /\nmetadata\.name +"monitoring" +base\/monitoring-namespace\.yaml \[resource\]\n/);
});

test('a dev cluster has no strict annotation: the field is not found there', async () => {
  const run = await runFlotilla(['--fleet', exampleFleet, 'explain', '--cluster', 'dev-eu-west', 'Namespace/monitoring', '--field', 'metadata.annotations.security.policy/level']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /error \[EXPLAIN_FIELD_NOT_FOUND\]: field metadata\.annotations\.security\.policy\/level: /);
});

test('every layer shows: resource, transformer labels, generator literals and substitution', async () => {
  const identity = await explain('--cluster', 'prod-eu-west', 'ConfigMap/kube-system/cluster-identity');
  const byPath = new Map(identity.fields.map((f) => [f.path, f]));
  assert.equal(byPath.get('data.REGION')!.value, 'eu-west-1');
  assert.equal(byPath.get('data.REGION')!.file, 'clusters/prod-eu-west/kustomization.yaml');
  assert.equal(byPath.get('data.REGION')!.layer, 'generator');
  assert.equal(byPath.get('metadata.labels.cluster')!.layer, 'transformer');

  const web = await explain('--cluster', 'prod-eu-west', 'Deployment/web/web');
  assert.equal(web.release, 'web');
  const layers = new Set(web.fields.map((f) => f.layer));
  for (const layer of ['resource', 'transformer', 'patch']) assert.ok(layers.has(layer), `${layer} in ${[...layers].join(', ')}`);
  const replicas = web.fields.find((f) => f.path === 'spec.replicas')!;
  assert.equal(replicas.value, 4);
  assert.equal(replicas.file, 'apps/web/overlays/production/kustomization.yaml');
  const substituted = web.fields.filter((f) => f.layer === 'substitution');
  assert.ok(substituted.length > 0, 'the ${VAR} fields of the web Deployment come from substitution');
  assert.ok(substituted.every((f) => /^(flotilla\.yaml|clusters\/prod-eu-west\/cluster\.yaml)$/.test(f.file ?? '')), JSON.stringify(substituted));
});

test('an object no release renders is EXPLAIN_OBJECT_NOT_FOUND naming the cluster; an unknown cluster is a usage error', async () => {
  const missing = await runFlotilla(['--fleet', exampleFleet, 'explain', '--cluster', 'prod-eu-west', 'Deployment/web/api']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /error \[EXPLAIN_OBJECT_NOT_FOUND\]: no release renders Deployment\/web\/api for cluster prod-eu-west; objects of that kind there: Deployment\/web\/web \(release web\)/);
  const cluster = await runFlotilla(['--fleet', exampleFleet, 'explain', '--cluster', 'prod-eu-central', 'Namespace/monitoring']);
  assert.equal(cluster.status, 1);
  assert.match(cluster.stderr, /--cluster prod-eu-central: the fleet has no such cluster/);
});

test('Secret values are masked in explain', async () => {
  const repo = gitFleet();
  repos.push(repo);
  repo.write('base/db-secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: monitoring\ntype: Opaque\nstringData:\n  password: hunter2\n');
  repo.replace('base/kustomization.yaml', '- default-deny.yaml', '- default-deny.yaml\n- db-secret.yaml');
  for (const output of ['json', 'text']) {
    const run = await runFlotilla(['--fleet', repo.dir, '--output', output, 'explain', '--cluster', 'dev-us-east', 'Secret/monitoring/db']);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.doesNotMatch(run.stdout, /hunter2/);
    assert.match(run.stdout, /\(secret value\)/);
  }
});

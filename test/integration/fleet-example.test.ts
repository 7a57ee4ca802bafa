// The example fleet (examples/fleet) rendered with the real renderer, the real loader and the
// real guards: what a platform team would check before trusting the layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFleet, renderFleet, type Fleet, type RenderedTarget } from '../../src/fleet/index.js';
import { stringifyYamlStream, type KubeObject } from '../../src/manifest/index.js';
import { evaluateGuards } from '../../src/plan/index.js';
import { releaseRenderer } from '../../src/render/index.js';
import { localFs } from '../../src/source/index.js';
import { toolPath } from '../../scripts/tools.js';

const root = new URL('../../', import.meta.url).pathname;
const example = join(root, 'examples/fleet');

const clusterNames = ['dev-eu-west', 'dev-us-east', 'prod-eu-west', 'prod-us-east', 'staging-eu-west', 'staging-us-east'];
const eu = clusterNames.filter((n) => n.endsWith('eu-west'));
const us = clusterNames.filter((n) => n.endsWith('us-east'));

function load(dir: string): Fleet {
  const loaded = loadFleet(localFs, dir);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.issues.map((i) => i.message).join('\n'));
  return loaded.value;
}

function renderAll(dir: string): Map<string, RenderedTarget> {
  const fleet = load(dir);
  const out = new Map<string, RenderedTarget>();
  for (const { target, result } of renderFleet(fleet, { fs: localFs, root: dir, renderer: releaseRenderer, cache: releaseRenderer.createCache() })) {
    assert.ok(result.ok, `${target.key}: ${result.ok ? '' : result.issues.map((i) => i.message).join('\n')}`);
    out.set(target.key, result.value);
  }
  return out;
}

let rendered: Map<string, RenderedTarget> | undefined;
const renders = () => (rendered ??= renderAll(example));

function objectsOf(key: string): KubeObject[] {
  const target = renders().get(key);
  assert.ok(target, `no target ${key}`);
  return target.objects.map((o) => o.object);
}

function find(objects: KubeObject[], kind: string, name: string, namespace?: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  assert.ok(found, `${kind}/${namespace ?? ''}/${name} not rendered`);
  return found;
}

test('the example fleet loads: six clusters, two releases, twelve targets, all rendered and none blocked', () => {
  const fleet = load(example);
  assert.deepEqual(fleet.clusters.map((c) => c.name), clusterNames);
  assert.deepEqual(fleet.releases.map((r) => r.name), ['cluster-config', 'web']);
  assert.deepEqual(fleet.guards.map((g) => g.name), ['identity', 'gdpr-residency']);
  assert.deepEqual(fleet.rollout?.waves.map((w) => w.name), ['dev', 'staging', 'production']);
  assert.equal(renders().size, 12);
  for (const [key, target] of renders()) {
    assert.deepEqual(evaluateGuards(fleet, target), [], `${key} is blocked`);
  }
});

test('the base reaches every cluster: default-deny NetworkPolicy, monitoring Namespace for observability, managed-by: gitops on everything', () => {
  for (const cluster of clusterNames) {
    const objects = objectsOf(`${cluster}/cluster-config`);
    const policy = find(objects, 'NetworkPolicy', 'default-deny', 'monitoring') as KubeObject & { spec: { podSelector: unknown; policyTypes: string[] } };
    assert.deepEqual(policy.spec.podSelector, {}, 'the policy still selects every pod');
    assert.deepEqual(policy.spec.policyTypes, ['Ingress', 'Egress']);
    assert.equal(find(objects, 'Namespace', 'monitoring').metadata.labels?.purpose, 'observability');
    for (const object of [...objects, ...objectsOf(`${cluster}/web`)]) {
      assert.equal(object.metadata.labels?.['managed-by'], 'gitops', `${cluster}: ${object.kind}/${object.metadata.name}`);
    }
  }
});

test('production clusters inherit the strict annotation and the critical label on Namespaces; the others do not', () => {
  for (const cluster of clusterNames) {
    const namespace = find(objectsOf(`${cluster}/cluster-config`), 'Namespace', 'monitoring');
    const production = cluster.startsWith('prod-');
    assert.equal(namespace.metadata.annotations?.['security.policy/level'], production ? 'strict' : undefined, cluster);
    assert.equal(namespace.metadata.labels?.critical, production ? 'true' : undefined, cluster);
  }
});

test('each cluster has its own identity ConfigMap in kube-system, agreeing with its record', () => {
  const fleet = load(example);
  for (const record of fleet.clusters) {
    const identity = find(objectsOf(`${record.name}/cluster-config`), 'ConfigMap', 'cluster-identity', 'kube-system');
    const data = identity.data as Record<string, string>;
    assert.equal(data.CLUSTER_NAME, record.name);
    assert.equal(data.REGION, record.identity.REGION);
    assert.equal(data.ENVIRONMENT, record.labels.env);
    assert.deepEqual(data, record.identity, `${record.name}: the ConfigMap says exactly what the record says`);
  }
});

test('gdpr appears only in the EU clusters', () => {
  for (const cluster of eu) {
    const data = find(objectsOf(`${cluster}/cluster-config`), 'ConfigMap', 'cluster-identity', 'kube-system').data as Record<string, string>;
    assert.equal(data.COMPLIANCE, 'gdpr', cluster);
  }
  for (const cluster of us) {
    const text = stringifyYamlStream([...objectsOf(`${cluster}/cluster-config`), ...objectsOf(`${cluster}/web`)]);
    assert.doesNotMatch(text, /gdpr/i, cluster);
  }
});

test('the web release gets per-environment replicas and resources, its namespace, and the cluster identity through substitution', () => {
  const expected: Record<string, { replicas: number; cpu: string }> = { dev: { replicas: 1, cpu: '50m' }, staging: { replicas: 2, cpu: '100m' }, prod: { replicas: 4, cpu: '500m' } };
  const fleet = load(example);
  for (const record of fleet.clusters) {
    const deployment = find(objectsOf(`${record.name}/web`), 'Deployment', 'web') as any;
    const want = expected[record.name.split('-')[0]!]!;
    assert.equal(deployment.metadata.namespace, 'web');
    assert.equal(deployment.spec.replicas, want.replicas, record.name);
    const container = deployment.spec.template.spec.containers[0];
    assert.equal(container.resources.requests.cpu, want.cpu, record.name);
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    assert.deepEqual(env, { CLUSTER_NAME: record.name, REGION: record.identity.REGION, ENVIRONMENT: record.labels.env, LOG_LEVEL: 'info' });
    assert.equal(find(objectsOf(`${record.name}/web`), 'Namespace', 'web').metadata.namespace, undefined);
  }
});

test('cluster-config renders exactly what kubectl kustomize prints for each cluster overlay', () => {
  const kubectl = toolPath('kubectl');
  for (const cluster of clusterNames) {
    const expected = execFileSync(kubectl, ['kustomize', join(example, 'clusters', cluster)], { encoding: 'utf8' });
    assert.equal(stringifyYamlStream(objectsOf(`${cluster}/cluster-config`)), expected, cluster);
  }
});

test('an EU cluster pointed at a US overlay is blocked by the identity guard (and residency); the other targets go on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-fleet-'));
  try {
    cpSync(example, dir, { recursive: true });
    writeFileSync(join(dir, 'clusters/prod-eu-west/kustomization.yaml'), 'resources:\n- ../prod-us-east\n');
    const fleet = load(dir);
    const results = renderFleet(fleet, { fs: localFs, root: dir, renderer: releaseRenderer, cache: releaseRenderer.createCache() });
    const blocked = new Map<string, ReturnType<typeof evaluateGuards>>();
    for (const { target, result } of results) {
      assert.ok(result.ok, target.key);
      const verdicts = evaluateGuards(fleet, result.value);
      if (verdicts.length) blocked.set(target.key, verdicts);
    }
    assert.deepEqual([...blocked.keys()], ['prod-eu-west/cluster-config']);
    const verdicts = blocked.get('prod-eu-west/cluster-config')!;
    const identity = verdicts.filter((v) => v.guard === 'identity');
    assert.ok(identity.some((v) => v.object === 'ConfigMap/kube-system/cluster-identity' && /CLUSTER_NAME=prod-us-east, but the target cluster is prod-eu-west/.test(v.message)), JSON.stringify(verdicts, null, 2));
    assert.ok(identity.some((v) => /REGION=us-east-1, but the identity of cluster prod-eu-west says REGION=eu-west-1/.test(v.message)));
    assert.ok(identity.some((v) => v.object === 'Namespace/monitoring' && /label cluster=prod-us-east/.test(v.message)));
    assert.ok(verdicts.some((v) => v.guard === 'gdpr-residency' && v.object === 'NetworkPolicy/monitoring/default-deny'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

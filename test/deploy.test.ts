// The agent's Kubernetes manifests (deploy/): built with our own `flotilla build` (and compared with
// kubectl kustomize), then every object checked as an API server and a reviewer would: required
// fields, references that resolve, the RBAC rules, probes on the agent's endpoint, secrets by
// reference only, arguments the agent command accepts; then a server-side dry-run against a
// sandbox cluster. The container build file is checked against the package it builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { createProgram } from '../src/cli/program.js';
import { kubeConnector, loadKubeconfig } from '../src/kube/index.js';
import { toolPath } from '../scripts/tools.js';
import { runFlotilla } from './support/git-fleet.js';
import { startClusters } from './support/sync-fleet.js';

const root = new URL('..', import.meta.url).pathname;
const variants = ['deploy/agent', 'deploy/agent-namespaced'] as const;

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
  resourceNames?: string[];
}

interface Container {
  name: string;
  image: string;
  args: string[];
  env: { name: string; value?: string; valueFrom?: { configMapKeyRef?: { name: string; key: string }; secretKeyRef?: { name: string; key: string; optional?: boolean } } }[];
  ports: { name: string; containerPort: number; protocol?: string }[];
  livenessProbe: { httpGet: { path: string; port: string | number } };
  readinessProbe: { httpGet: { path: string; port: string | number } };
  securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean; capabilities: { drop: string[] } };
  volumeMounts: { name: string; mountPath: string }[];
}

function parseStream(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

async function build(dir: string): Promise<{ text: string; objects: K8sObject[] }> {
  const run = await runFlotilla(['build', join(root, dir)]);
  assert.equal(run.status, 0, run.stderr);
  return { text: run.stdout, objects: parseStream(run.stdout) };
}

const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
const one = <T extends K8sObject>(objects: K8sObject[], kind: string, name?: string): T => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.equal(found.length, 1, `exactly one ${kind}${name ? `/${name}` : ''}`);
  return found[0] as T;
};

function agentContainer(objects: K8sObject[]): { deployment: K8sObject; container: Container; pod: Record<string, unknown> } {
  const deployment = one(objects, 'Deployment', 'flotilla-agent');
  const pod = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  const containers = pod.containers as Container[];
  assert.equal(containers.length, 1);
  return { deployment, container: containers[0]!, pod };
}

for (const dir of variants) {
  test(`${dir} builds with flotilla build exactly as kubectl kustomize builds it`, async () => {
    const ours = await build(dir);
    const { stdout } = await promisify(execFile)(toolPath('kubectl'), ['kustomize', join(root, dir)], { encoding: 'utf8' });
    assert.equal(ours.text, stdout);
  });

  test(`${dir}: every object is complete, namespaced where it must be, and its references resolve`, async () => {
    const { objects } = await build(dir);
    for (const o of objects) {
      const name = `${o.kind}/${o.metadata?.name}`;
      assert.match(o.apiVersion, /^([a-z0-9.-]+\/)?v1$/, `${name}: apiVersion`);
      assert.match(o.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${name}: metadata.name`);
      if (clusterScoped.has(o.kind)) assert.equal(o.metadata.namespace, undefined, `${name} is cluster-scoped`);
      else assert.ok(o.metadata.namespace, `${name} has a namespace`);
      assert.equal(o.metadata.labels?.['app.kubernetes.io/name'], 'flotilla-agent', `${name} is labelled`);
    }
    const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
    assert.ok(namespaces.has('flotilla-system'));
    const account = one(objects, 'ServiceAccount', 'flotilla-agent');
    assert.equal(account.metadata.namespace, 'flotilla-system');

    // Every binding points at a role in the build and at the agent's service account.
    for (const binding of objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
      const ref = binding.roleRef as { apiGroup: string; kind: string; name: string };
      assert.equal(ref.apiGroup, 'rbac.authorization.k8s.io');
      const role = objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name && (ref.kind === 'ClusterRole' || o.metadata.namespace === binding.metadata.namespace));
      assert.ok(role, `${binding.kind}/${binding.metadata.name} refers to ${ref.kind}/${ref.name}, which the build has`);
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'flotilla-agent', namespace: 'flotilla-system' }]);
    }

    // The Deployment: its selector selects its pods, it runs as the service account, one replica.
    const { deployment, container, pod } = agentContainer(objects);
    const spec = deployment.spec as { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } }; strategy: { type: string } };
    assert.equal(spec.replicas, 1, 'one writer per cluster');
    assert.equal(spec.strategy.type, 'Recreate');
    for (const [k, v] of Object.entries(spec.selector.matchLabels)) assert.equal(spec.template.metadata.labels[k], v, `the pods carry the selector's ${k}`);
    assert.equal(pod.serviceAccountName, account.metadata.name);
    assert.match(container.image, /^flotilla:\d+\.\d+\.\d+$/);
    const volumes = new Set((pod.volumes as { name: string }[]).map((v) => v.name));
    for (const m of container.volumeMounts) assert.ok(volumes.has(m.name), `volume ${m.name} is declared`);
  });

  test(`${dir}: the agent runs with its probes on /healthz and /readyz, unprivileged, with arguments the command accepts`, async () => {
    const { objects } = await build(dir);
    const { container, pod } = agentContainer(objects);
    const port = container.ports.find((p) => p.name === 'metrics');
    assert.ok(port, 'a named metrics port');
    assert.equal(container.livenessProbe.httpGet.path, '/healthz');
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    for (const probe of [container.livenessProbe, container.readinessProbe]) assert.ok(probe.httpGet.port === 'metrics' || probe.httpGet.port === port.containerPort);
    const args = container.args;
    assert.equal(args[0], 'agent');
    assert.ok(args.includes(`--port=${port.containerPort}`), 'the agent listens on the port the probes use');
    assert.ok(args.includes('--host=0.0.0.0'), 'the kubelet reaches the probes on the pod address');
    assert.ok(!args.some((a) => a.startsWith('--kubeconfig') || a.startsWith('--context')), 'in-cluster credentials: no kubeconfig');
    assert.ok(!args.some((a) => /token|password/i.test(a)), 'no credential on the command line');
    const accepted = new Set(createProgram({ stdout: process.stdout, stderr: process.stderr, format: () => 'text', setExitCode: () => {} }).commands.find((c) => c.name() === 'agent')!.options.map((o) => o.long));
    for (const a of args.slice(1)) assert.ok(accepted.has(a.split('=')[0]!), `flotilla agent accepts ${a.split('=')[0]}`);
    const env = new Map(container.env.map((e) => [e.name, e]));
    for (const a of args) for (const m of a.matchAll(/\$\(([A-Z_]+)\)/g)) assert.ok(env.has(m[1]!), `$(${m[1]}) is defined in env`);
    const config = one(objects, 'ConfigMap', 'flotilla-agent');
    for (const e of container.env) {
      const ref = e.valueFrom?.configMapKeyRef;
      if (ref) {
        assert.equal(ref.name, config.metadata.name);
        assert.ok(ref.key in (config.data as Record<string, string>), `ConfigMap key ${ref.key} exists`);
      }
    }
    const security = pod.securityContext as { runAsNonRoot: boolean; runAsUser: number; seccompProfile: { type: string } };
    assert.equal(security.runAsNonRoot, true);
    assert.ok(security.runAsUser > 0);
    assert.equal(security.seccompProfile.type, 'RuntimeDefault');
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
    const writable = new Set(container.volumeMounts.map((m) => m.mountPath));
    assert.ok(writable.has('/tmp') && args.some((a) => a.startsWith('--data=') && writable.has(a.slice('--data='.length))), 'the clone and temporary files have writable volumes');
  });

  test(`${dir}: Git credentials and the hub token come from Secrets by reference; no secret literal anywhere`, async () => {
    const { text, objects } = await build(dir);
    assert.equal(objects.filter((o) => o.kind === 'Secret').length, 0, 'the build holds no Secret (it would overwrite the real one)');
    const { container } = agentContainer(objects);
    const secretRefs = container.env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom!.secretKeyRef!.name, e.valueFrom!.secretKeyRef!.key, e.valueFrom!.secretKeyRef!.optional]);
    assert.deepEqual(secretRefs, [
      ['FLOTILLA_TOKEN', 'flotilla-agent-hub', 'token', true],
      ['FLOTILLA_GIT_USERNAME', 'flotilla-agent-git', 'username', true],
      ['FLOTILLA_GIT_PASSWORD', 'flotilla-agent-git', 'password', true],
    ]);
    for (const e of container.env) if (/TOKEN|PASSWORD|SECRET|KEY/.test(e.name)) assert.equal(e.value, undefined, `${e.name} has no literal value`);
    const config = one(objects, 'ConfigMap', 'flotilla-agent');
    for (const [k, v] of Object.entries(config.data as Record<string, string>)) {
      assert.doesNotMatch(k, /token|password|secret/i, `ConfigMap key ${k}`);
      assert.doesNotMatch(v, /:\/\/[^/\s]*@/, `ConfigMap ${k} carries no userinfo`);
    }
    assert.doesNotMatch(text, /(ghp_|glpat-|xox[bp]-|-----BEGIN)/, 'nothing that looks like a real credential');

    // The Secret template matches what the Deployment refers to and holds only empty values.
    const template = parseStream(readFileSync(join(root, 'deploy/agent/secrets.example.yaml'), 'utf8'));
    for (const [, name, key] of secretRefs) {
      const secret = template.find((s) => s.kind === 'Secret' && s.metadata.name === name);
      assert.ok(secret, `the template has Secret ${name}`);
      assert.equal(secret!.metadata.namespace, 'flotilla-system');
      assert.ok(String(key) in (secret!.stringData as Record<string, string>), `Secret ${name} has key ${key}`);
    }
    for (const secret of template) {
      assert.equal(secret.data, undefined);
      for (const [k, v] of Object.entries(secret.stringData as Record<string, string>)) assert.equal(v, '', `${secret.metadata.name}.${k} is left empty in Git`);
    }
  });
}

test('deploy/agent: the RBAC lets the agent apply any kind, with explicit verbs and nothing that escalates', async () => {
  const { objects } = await build('deploy/agent');
  const role = one(objects, 'ClusterRole', 'flotilla-agent');
  const rules = role.rules as Rule[];
  const all = rules.find((r) => r.apiGroups?.includes('*') && r.resources?.includes('*'));
  assert.ok(all, 'every group and resource: a release may render any kind');
  for (const verb of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']) assert.ok(all!.verbs.includes(verb), `verb ${verb}`);
  for (const r of rules) {
    assert.ok(!r.verbs.includes('*'), 'no wildcard verb');
    for (const verb of ['escalate', 'bind', 'impersonate', 'deletecollection']) assert.ok(!r.verbs.includes(verb), `no ${verb}`);
    assert.equal(r.nonResourceURLs, undefined, 'no non-resource URLs');
  }
  assert.equal(one(objects, 'ClusterRoleBinding', 'flotilla-agent').metadata.name, 'flotilla-agent');
});

test('deploy/agent-namespaced: writes only in the named namespaces and its inventory namespace; cluster-wide it only reads', async () => {
  const { objects } = await build('deploy/agent-namespaced');
  assert.equal(objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'flotilla-agent'), undefined, 'the cluster-wide writer is not there');
  const writes = ['create', 'update', 'patch', 'delete'];
  for (const role of objects.filter((o) => o.kind === 'ClusterRole')) {
    for (const r of role.rules as Rule[]) assert.deepEqual(r.verbs.filter((v) => writes.includes(v) || v === '*'), [], `${role.metadata.name} only reads`);
    const namespaces = (role.rules as Rule[]).find((r) => r.resources?.includes('namespaces'));
    assert.deepEqual(namespaces?.verbs, ['get'], 'reads the kube-system namespace for the fingerprint');
  }
  const roles = objects.filter((o) => o.kind === 'Role');
  const inventory = roles.find((r) => r.metadata.namespace === 'flotilla-system');
  assert.ok(inventory, 'a Role for the inventories');
  assert.deepEqual((inventory!.rules as Rule[]).flatMap((r) => r.resources), ['configmaps']);
  assert.ok(roles.some((r) => r.metadata.namespace !== 'flotilla-system' && (r.rules as Rule[]).some((x) => x.resources?.includes('*') && x.verbs.includes('patch'))), 'a Role to apply in the example namespace');
  for (const r of roles) for (const rule of r.rules as Rule[]) for (const verb of ['*', 'escalate', 'bind', 'impersonate']) assert.ok(!rule.verbs.includes(verb), `${r.metadata.name}: no ${verb}`);
  const { container } = agentContainer(objects);
  assert.ok(container.args.includes('--resync=2m'), 'drift is found by the resync when watches are not allowed');
});

test('the manifests pass a server-side dry-run on a sandbox cluster', { timeout: 60_000 }, async () => {
  const sandbox = await startClusters(['deploy-1']);
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-deploy-'));
  const session = kubeConnector(loadKubeconfig({ text: sandbox.kubeconfig() }))({ name: 'deploy-1', connection: { context: 'deploy-1' } });
  try {
    // A dry-run creates nothing, so the namespaces the objects live in must exist first.
    const applied = await session.apply(['flotilla-system', 'apps'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })), {});
    assert.deepEqual(applied.errors, []);
    for (const variant of variants) {
      const file = join(dir, `${variant.replace('/', '-')}.yaml`);
      writeFileSync(file, (await build(variant)).text);
      const { stdout } = await promisify(execFile)(toolPath('kubectl'), ['--kubeconfig', sandbox.kubeconfigPath!, '--context', 'deploy-1', 'apply', '--dry-run=server', '-f', file], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, HOME: dir } });
      assert.match(stdout, /deployment\.apps\/flotilla-agent (created|configured) \(server dry run\)/, variant);
      assert.match(stdout, /(clusterrole|role)\.rbac\.authorization\.k8s\.io\/flotilla-agent[-a-z]* created \(server dry run\)/, variant);
    }
  } finally {
    session.close();
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('deploy/Containerfile builds the package: locked install, compiled output, non-root, the flotilla entry point', () => {
  const file = readFileSync(join(root, 'deploy/Containerfile'), 'utf8');
  const ignore = readFileSync(join(root, 'deploy/Containerfile.dockerignore'), 'utf8');
  const stages = [...file.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)];
  assert.equal(stages.length, 2, 'a build stage and a runtime stage');
  for (const s of stages) assert.match(s[1]!, /^node:20[-.]/, 'Node 20, as package.json engines says');
  assert.match(file, /npm ci/, 'installs from the lock file');
  assert.match(file, /npm run build/);
  assert.match(file, /npm prune --omit=dev/);
  assert.match(file, /^USER 10001:10001$/m, 'runs as the uid the Deployment expects');
  assert.match(file, /apt-get install[^\n]*\bgit\b/, 'git, which the Git source runs');
  assert.match(file, /^ENTRYPOINT \["node", "\/opt\/flotilla\/bin\/flotilla\.js"\]$/m);
  // Everything copied into the build stage exists and is let through the ignore file.
  for (const m of file.matchAll(/^COPY (?!--from)(\S+)(?: (\S+))* \S+$/gm)) {
    for (const path of m[0].split(/\s+/).slice(1, -1)) {
      assert.ok(existsSync(join(root, path)), `${path} exists`);
      assert.ok(ignore.includes(`!${path}`), `${path} is not ignored`);
    }
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.equal(pkg.bin.flotilla, 'bin/flotilla.js');
  const deployment = parseStream(readFileSync(join(root, 'deploy/agent/base/deployment.yaml'), 'utf8'))[0]!;
  const pod = (deployment.spec as { template: { spec: { securityContext: { runAsUser: number } } } }).template.spec;
  assert.equal(pod.securityContext.runAsUser, 10001);
});

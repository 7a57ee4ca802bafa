// The real kubectl against a sandbox cluster over HTTPS: discovery, server-side printing, server-side
// apply, diff (client-side and server-side dry runs), rollout status through watch-list, scale,
// the viewer's 403, and delete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from '../../scripts/tools.js';
import { startSandbox } from '../../src/sandbox/index.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(kubeconfig: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(toolPath('kubectl'), args, { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: join(kubeconfig, '..') }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const manifest = (value: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  mode: "${value}"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
          protocol: TCP
`;

test('kubectl gets, applies server-side, diffs, waits for a rollout and deletes against the sandbox', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-kubectl-'));
  const sandbox = await startSandbox({ clusters: ['east', 'west'], dir, controllers: { readyDelayMs: 100, namespaceDeleteDelayMs: 50 } });
  const admin = sandbox.kubeconfigPath!;
  const viewer = sandbox.viewerKubeconfigPath!;
  try {
    const contexts = await kubectl(admin, ['config', 'get-contexts', '-o', 'name']);
    assert.deepEqual(contexts.stdout.trim().split('\n'), ['east', 'west']);

    const namespaces = await kubectl(admin, ['--context', 'west', 'get', 'namespaces']);
    assert.equal(namespaces.code, 0, namespaces.stderr);
    assert.match(namespaces.stdout, /^NAME\s+STATUS\s+AGE\n/);
    assert.match(namespaces.stdout, /\nkube-system\s+Active\s+\d+s\n/);

    const file = join(dir, 'shop.yaml');
    writeFileSync(file, manifest('blue'));
    const applied = await kubectl(admin, ['apply', '--server-side', '-f', file]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(applied.stdout, 'namespace/shop serverside-applied\nconfigmap/settings serverside-applied\ndeployment.apps/web serverside-applied\n');

    const cm = JSON.parse((await kubectl(admin, ['get', 'configmap', 'settings', '-n', 'shop', '-o', 'json', '--show-managed-fields'])).stdout) as { data: Record<string, string>; metadata: { managedFields: Array<{ manager: string; operation: string }> } };
    assert.deepEqual(cm.data, { mode: 'blue' });
    assert.deepEqual(cm.metadata.managedFields.map((m) => `${m.manager}/${m.operation}`), ['kubectl/Apply']);

    // The Deployment's controller writes its status until the rollout is done; a diff taken
    // meanwhile can see the live object change between its read and its dry run.
    const rollout = await kubectl(admin, ['rollout', 'status', 'deployment/web', '-n', 'shop', '--timeout=10s']);
    assert.equal(rollout.code, 0, rollout.stderr);
    assert.match(rollout.stdout, /deployment "web" successfully rolled out/);

    // Nothing changed: diff exits 0. A change: both diff modes show it and exit 1.
    const unchanged = await kubectl(admin, ['diff', '--server-side', '-f', file]);
    assert.equal(unchanged.code, 0, `kubectl diff --server-side of what was applied: ${unchanged.stdout}${unchanged.stderr}`);
    writeFileSync(file, manifest('green'));
    for (const mode of [[], ['--server-side']]) {
      const diff = await kubectl(admin, ['diff', ...mode, '-f', file]);
      assert.equal(diff.code, 1, `kubectl diff ${mode.join(' ')}: ${diff.stderr}`);
      assert.match(diff.stdout, /-\s+mode: blue\n\+\s+mode: green/);
    }
    // A dry run stored nothing.
    assert.equal((await kubectl(admin, ['get', 'configmap', 'settings', '-n', 'shop', '-o', 'jsonpath={.data.mode}'])).stdout, 'blue');

    const deployments = await kubectl(admin, ['get', 'deployments', '-n', 'shop']);
    assert.match(deployments.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+2\/2\s+2\s+2\s+/);

    const scaled = await kubectl(admin, ['scale', 'deployment/web', '-n', 'shop', '--replicas=3']);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.equal((await kubectl(admin, ['get', 'deployment', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.replicas}/{.metadata.generation}'])).stdout, '3/2');

    const denied = await kubectl(viewer, ['delete', 'configmap', 'settings', '-n', 'shop']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Error from server \(Forbidden\): configmaps "settings" is forbidden: User "viewer" cannot delete resource "configmaps" in API group "" in the namespace "shop"/);
    assert.equal((await kubectl(viewer, ['get', 'configmaps', '-n', 'shop', '-o', 'name'])).stdout, 'configmap/settings\n');

    const deleted = await kubectl(admin, ['delete', '-f', file]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /namespace "shop" deleted/);
    // The namespace controller empties the namespace and removes it.
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      gone = (await kubectl(admin, ['get', 'namespace', 'shop'])).code !== 0;
      if (!gone) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(gone, 'namespace shop is gone');
    // kubectl follows a NotFound by looking for the namespace, and reports that it is gone.
    const missing = await kubectl(admin, ['get', 'deployment', 'web', '-n', 'shop']);
    assert.match(missing.stderr, /Error from server \(NotFound\): namespaces "shop" not found/);
  } finally {
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

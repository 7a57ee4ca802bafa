// The sync rules of SPEC §6 on a small fleet of one sandbox cluster: a CRD and its custom resource
// in one release (the resource waits until the CRD is Established, the CRD schema's x-kubernetes
// keys survive), ports without protocol, a Secret whose values diff never prints, ignore rules,
// a wait that times out naming every unhealthy object, dependsOn, prune: disabled and allowEmpty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { formatRef } from '../../src/core/index.js';
import { loadKubeconfig } from '../../src/kube/index.js';
import { runCli } from '../../src/cli/program.js';
import type { FleetSyncResult } from '../../src/reconcile/index.js';
import { writeTree } from '../support/fleet-files.js';
import { connections, kubectl, kubectlJson, startClusters, syncOnce } from '../support/sync-fleet.js';


const fleetFile = (appsExtra = '') => `apiVersion: flotilla.dev/v1alpha1
kind: Fleet
metadata: {name: rules}
spec:
  releases:
  - name: crds
    path: crds
    targets: {selector: {}}
  - name: apps
    path: apps
    targets: {selector: {}}
    dependsOn: [crds]
    namespace: shop
    wait: true
    timeout: 2s
    ignore:
    - {kind: ConfigMap, name: tuned, paths: [/data/level]}
${appsExtra}`;

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-preserve-unknown-fields: true
`;

const apps = (image: string, resources: string[]) => ({
  'apps/kustomization.yaml': `resources:\n${resources.map((r) => `- ${r}\n`).join('')}`,
  'apps/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
  'apps/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector: {app: api}\n  ports:\n  - port: 80\n    targetPort: 8080\n',
  'apps/deployments.yaml': ['api', 'worker']
    .map((name) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec:\n      containers:\n      - name: ${name}\n        image: ${image}\n        ports:\n        - containerPort: 8080\n`)
    .join('---\n'),
  'apps/secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2-in-git\n',
  'apps/configmaps.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tuned\ndata:\n  level: "1"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n  annotations:\n    flotilla.dev/prune: disabled\ndata:\n  a: b\n',
});

const allApps = ['namespace.yaml', 'service.yaml', 'deployments.yaml', 'secret.yaml', 'configmaps.yaml'];

function entry(result: FleetSyncResult, release: string, object: string) {
  return result.targets.find((t) => t.release === release)?.changes.entries.find((e) => formatRef(e.object) === object);
}

function sink(): NodeJS.WritableStream & { text: string } {
  const out = { text: '', write(chunk: string) { out.text += chunk; return true; } };
  return out as unknown as NodeJS.WritableStream & { text: string };
}

test('CRDs before their resources, port protocols, masked Secrets, ignore rules, wait timeouts, dependsOn, prune: disabled and allowEmpty', async () => {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-rules-'));
  const sandbox = await startClusters(['one']);
  const { connect } = connections(sandbox);
  try {
    writeTree(root, {
      'flotilla.yaml': fleetFile(),
      'clusters/one/cluster.yaml': 'apiVersion: flotilla.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: one\n  labels: {env: dev}\nspec:\n  connection: {context: one}\n',
      'crds/kustomization.yaml': 'resources:\n- crd.yaml\n- widget.yaml\n',
      'crds/crd.yaml': crd,
      'crds/widget.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gear\n  namespace: default\nspec:\n  teeth: 12\n  free: {form: true}\n',
      ...apps('registry.example/api:1', allApps),
    });

    // Objects that exist before Flotilla manages them are adopted: configured, not created.
    const core = loadKubeconfig({ text: sandbox.kubeconfig() }).makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'shop' } } });
    await core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'tuned' }, data: { level: '0' } } });
    const first = await syncOnce(root, connect);
    for (const t of first.targets) assert.equal(t.sync, 'Synced', `${t.key}: ${t.message}`);
    assert.equal(entry(first, 'apps', 'Namespace/shop')?.action, 'configured');
    assert.equal(entry(first, 'apps', 'ConfigMap/shop/tuned')?.action, 'configured');
    assert.equal(entry(first, 'apps', 'Secret/shop/db')?.action, 'created');
    const crdsOrder = first.targets.find((t) => t.release === 'crds')!.changes.entries.map((e) => [formatRef(e.object), e.action]);
    assert.deepEqual(crdsOrder, [['CustomResourceDefinition/widgets.example.com', 'created'], ['Widget/default/gear', 'created']]);
    const liveCrd = await kubectlJson(sandbox, 'one', ['get', 'crd', 'widgets.example.com']);
    const schema = (liveCrd.spec as { versions: { schema: { openAPIV3Schema: { properties: { spec: Record<string, unknown> } } } }[] }).versions[0]!.schema.openAPIV3Schema;
    assert.equal(schema.properties.spec['x-kubernetes-preserve-unknown-fields'], true);
    assert.deepEqual((await kubectlJson(sandbox, 'one', ['get', 'widget', 'gear', '-n', 'default'])).spec, { teeth: 12, free: { form: true } });
    const service = await kubectlJson(sandbox, 'one', ['get', 'service', 'api', '-n', 'shop', '--show-managed-fields']);
    assert.equal((service.spec as { ports: { protocol: string }[] }).ports[0]!.protocol, 'TCP');
    const fields = JSON.stringify((service.metadata as { managedFields: { manager: string; fieldsV1: unknown }[] }).managedFields.find((m) => m.manager === 'flotilla')!.fieldsV1);
    assert.match(fields, /"k:\{\\"port\\":80,\\"protocol\\":\\"TCP\\"\}"/);

    const second = await syncOnce(root, connect);
    assert.ok(second.targets.every((t) => t.changes.entries.every((e) => e.action === 'unchanged')));
    assert.equal(second.clusters[0]!.requests.writes, 0);

    // The Secret and the ignored ConfigMap change behind Flotilla's back.
    await kubectl(sandbox, 'one', ['patch', 'secret', 'db', '-n', 'shop', '--type', 'merge', '-p', '{"stringData":{"password":"changed-by-hand"}}']);
    await kubectl(sandbox, 'one', ['patch', 'configmap', 'tuned', '-n', 'shop', '--type', 'merge', '-p', '{"data":{"level":"9"}}']);
    const out = sink();
    const err = sink();
    const code = await runCli(['diff', '--fleet', root, '--kubeconfig', sandbox.kubeconfigPath!, '--detailed-exitcode'], { stdout: out, stderr: err });
    assert.equal(code, 2, err.text);
    assert.equal(out.text, 'one/apps: drifted\n  ~ Secret/shop/db\n      /stringData/password: live (secret value), desired (secret value)\n');
    assert.doesNotMatch(out.text + err.text, /hunter2|changed-by-hand|aHVudGVy|Y2hhbmdlZC/);

    // An image that never becomes ready: the wait names every unhealthy object at once.
    writeTree(root, apps('registry.example/api:fail', allApps));
    const failing = await syncOnce(root, connect);
    const appsResult = failing.targets.find((t) => t.release === 'apps')!;
    assert.equal(appsResult.sync, 'Failed');
    assert.equal(appsResult.errors[0]?.code, 'SYNC_HEALTH_TIMEOUT');
    assert.match(appsResult.message, /timed out after 2s waiting for 2 of \d+ objects to become healthy: Deployment\/shop\/api: Progressing \(.*\); Deployment\/shop\/worker: Progressing/);

    // dependsOn: a broken crds release holds apps back.
    writeTree(root, { 'crds/kustomization.yaml': 'resources:\n- crd.yaml\n- missing.yaml\n' });
    const held = await syncOnce(root, connect);
    assert.equal(held.targets.find((t) => t.release === 'crds')!.sync, 'Failed');
    const heldApps = held.targets.find((t) => t.release === 'apps')!;
    assert.equal(heldApps.sync, 'OutOfSync');
    assert.equal(heldApps.errors[0]?.code, 'SYNC_DEPENDENCY_NOT_READY');
    assert.deepEqual(heldApps.changes.entries, []);
    writeTree(root, { 'crds/kustomization.yaml': 'resources:\n- crd.yaml\n- widget.yaml\n' });

    // A dependency outside the run is judged in the cluster: crds is healthy there, so apps syncs alone.
    writeTree(root, apps('registry.example/api:1', allApps));
    const alone = await syncOnce(root, connect, { release: 'apps' });
    assert.deepEqual(alone.targets.map((t) => [t.release, t.sync]), [['apps', 'Synced']], alone.targets[0]?.message);

    // Leaving the release: tuned is pruned, keep stays (prune: disabled).
    writeTree(root, apps('registry.example/api:1', ['namespace.yaml', 'service.yaml', 'deployments.yaml', 'secret.yaml']));
    const pruned = await syncOnce(root, connect);
    assert.equal(entry(pruned, 'apps', 'ConfigMap/shop/tuned')?.action, 'deleted');
    assert.equal(entry(pruned, 'apps', 'ConfigMap/shop/keep')?.action, 'skipped');
    assert.match(entry(pruned, 'apps', 'ConfigMap/shop/keep')?.reason ?? '', /annotated flotilla\.dev\/prune: disabled/);
    await kubectlJson(sandbox, 'one', ['get', 'configmap', 'keep', '-n', 'shop']);

    // An empty render does not empty the cluster, unless allowEmpty says so.
    writeTree(root, { 'apps/kustomization.yaml': 'resources: []\n' });
    const empty = await syncOnce(root, connect);
    const emptyApps = empty.targets.find((t) => t.release === 'apps')!;
    assert.equal(emptyApps.sync, 'Synced', emptyApps.message);
    assert.match(emptyApps.message, /renders no objects while its inventory lists \d+; nothing is pruned/);
    assert.ok(emptyApps.changes.entries.every((e) => e.action !== 'deleted'));
    await kubectlJson(sandbox, 'one', ['get', 'deployment', 'api', '-n', 'shop']);
    writeTree(root, { 'flotilla.yaml': fleetFile('    allowEmpty: true\n') });
    const emptied = await syncOnce(root, connect);
    const deleted = emptied.targets.find((t) => t.release === 'apps')!.changes.entries.filter((e) => e.action === 'deleted').map((e) => formatRef(e.object));
    assert.deepEqual(deleted.sort(), ['Deployment/shop/api', 'Deployment/shop/worker', 'Namespace/shop', 'Secret/shop/db', 'Service/shop/api']);
  } finally {
    await sandbox.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

// Shared set-up of the rollout integration tests: a copy of the example fleet with short soaks and
// timeouts, sandbox clusters named like its records, a RolloutDriver over the real adapter, and
// client-node watches that record when each cluster's Deployment changed and became available.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppsV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { kubeConnector, loadKubeconfig, systemClock } from '../../src/kube/index.js';
import { RolloutDriver, type ClusterSyncResult, type ReconcileEvent, type RolloutDriverOptions, type RolloutStore } from '../../src/reconcile/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { loadFleetOrThrow, renderOnce } from './sync-fleet.js';

/** rolloutBlock is the example fleet's rollout block with soaks short enough for tests. */
export function rolloutBlock(options: { stagingSoak?: string; productionSoak?: string; failurePolicy?: 'halt' | 'rollback' } = {}): string {
  return `  rollout:
    waves:
    - {name: dev, selector: {matchLabels: {env: dev}}}
    - {name: staging, selector: {matchLabels: {env: staging}}, soak: ${options.stagingSoak ?? '1s'}}
    - {name: production, selector: {matchLabels: {env: production}}, maxParallel: 1, soak: ${options.productionSoak ?? '1s'}, approval: manual}
    failurePolicy: ${options.failurePolicy ?? 'rollback'}
`;
}

/** shortenFleet rewrites a copied example fleet: the given rollout block, and web's wait timeout (3 s). */
export function shortenFleet(dir: string, block = rolloutBlock(), timeout = '3s'): void {
  const file = join(dir, 'flotilla.yaml');
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('  rollout:\n');
  const end = text.indexOf('  guards:\n');
  if (start < 0 || end < start) throw new Error('the example fleet has no rollout block before its guards');
  writeFileSync(file, text.slice(0, start).replace('    timeout: 5m\n', `    timeout: ${timeout}\n`) + block + text.slice(end));
}

/** setImage replaces the web image in the base (a change every environment gets). */
export function setBaseImage(dir: string, image: string): void {
  const file = join(dir, 'apps/web/base/deployment.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/image: \S+/, `image: ${image}`));
}

/** setOverlayImageTag makes one environment's overlay set the web image's tag (kustomize `images`). */
export function setOverlayImageTag(dir: string, env: string, tag: string): void {
  const file = join(dir, `apps/web/overlays/${env}/kustomization.yaml`);
  writeFileSync(file, readFileSync(file, 'utf8').replace('resources:\n', `images:\n- name: nginx\n  newTag: "${tag}"\nresources:\n`));
}

/** desiredAt renders a fleet directory as one desired state of the given revision. */
export function desiredAt(dir: string, revision: string) {
  const fleet = loadFleetOrThrow(dir);
  return { fleet, revision, targets: renderOnce(dir).map((r) => ({ target: r.target, render: r.result })) };
}

/** DriverRun is a driver with everything it emitted. */
export interface DriverRun {
  driver: RolloutDriver;
  events: ReconcileEvent[];
  /** Every cluster sync's result, with when it was reported (ms). */
  synced: (ClusterSyncResult & { at: number })[];
}

/** startDriver starts a driver over a sandbox's clusters with fast steps and waits. */
export async function startDriver(sandbox: Sandbox, store: RolloutStore, options: Partial<RolloutDriverOptions> = {}): Promise<DriverRun> {
  const events: ReconcileEvent[] = [];
  const synced: DriverRun['synced'] = [];
  const driver = new RolloutDriver({
    connect: kubeConnector(loadKubeconfig({ text: sandbox.kubeconfig() })),
    clock: systemClock,
    store,
    onEvent: (e) => events.push(e),
    onClusterSynced: (r) => synced.push({ ...r, at: Date.now() }),
    stepMs: 50,
    healthProbeMs: 200,
    ...options,
    reconciler: { waitIntervalMs: 20, ...options.reconciler },
  });
  await driver.start();
  return { driver, events, synced };
}

/** waitFor polls until find answers something, or fails after timeoutMs. */
export async function waitFor<T>(what: string, find: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** kubeConfigFor is a client-node KubeConfig for one sandbox cluster. */
export function kubeConfigFor(sandbox: Sandbox, cluster: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfig());
  kc.setCurrentContext(cluster);
  return kc;
}

/** webDeployment reads the web Deployment of one cluster. */
export async function webDeployment(sandbox: Sandbox, cluster: string) {
  return kubeConfigFor(sandbox, cluster).makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'web', namespace: 'web' });
}

/** webImage reads the image the web Deployment of one cluster runs. */
export async function webImage(sandbox: Sandbox, cluster: string): Promise<string | undefined> {
  return (await webDeployment(sandbox, cluster)).spec?.template.spec?.containers[0]?.image;
}

/** DeploymentTimeline is what a watch saw of one Deployment: when the image changed and when it was available at it. */
export interface DeploymentTimeline {
  cluster: string;
  events: { at: number; image?: string; generation?: number; observedGeneration?: number; available: boolean }[];
  /** When the watch first saw the image (ms), undefined when never. */
  changedAt(image: string): number | undefined;
  /** When the watch first saw the Deployment available at the image, undefined when never. */
  availableAt(image: string): number | undefined;
  stop(): void;
}

/** watchWebDeployment watches the web Deployment of one cluster with client-node's Watch. */
export async function watchWebDeployment(sandbox: Sandbox, cluster: string): Promise<DeploymentTimeline> {
  const events: DeploymentTimeline['events'] = [];
  const controller = await new Watch(kubeConfigFor(sandbox, cluster)).watch(
    '/apis/apps/v1/namespaces/web/deployments',
    { fieldSelector: 'metadata.name=web' },
    (_type, object: { metadata?: { generation?: number }; spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } }; status?: { observedGeneration?: number; updatedReplicas?: number; availableReplicas?: number } }) => {
      const replicas = object.spec?.replicas ?? 1;
      const status = object.status ?? {};
      events.push({
        at: Date.now(),
        image: object.spec?.template?.spec?.containers?.[0]?.image,
        generation: object.metadata?.generation,
        observedGeneration: status.observedGeneration,
        available: status.observedGeneration === object.metadata?.generation && status.updatedReplicas === replicas && status.availableReplicas === replicas,
      });
    },
    () => undefined,
  );
  return {
    cluster,
    events,
    changedAt: (image) => events.find((e) => e.image === image)?.at,
    availableAt: (image) => events.find((e) => e.image === image && e.available)?.at,
    stop: () => controller.abort(),
  };
}

/** keepClusters removes every cluster record of a copied fleet but the named ones (smaller, faster fleets). */
export function keepClusters(dir: string, names: readonly string[]): void {
  for (const name of readdirSync(join(dir, 'clusters'))) if (!names.includes(name)) rmSync(join(dir, 'clusters', name), { recursive: true, force: true });
}

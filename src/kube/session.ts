import type { KubeConfig } from '@kubernetes/client-node';
import { ok, type Result } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';
import type { Inventory } from '../plan/index.js';
import { applyObjects, type ApplyObjectsOptions, type ApplyObjectsResult } from './apply.js';
import { KubeCluster, type KubeClusterOptions, type KubeRef } from './cluster.js';
import { decodeInventoryObject, listInventories, readInventoryObject, writeInventoryObject, type InventoryListing, type InventoryWrite } from './inventory.js';
import { pruneRelease, type PruneOptions, type PruneResult } from './prune.js';
import type { TransportStats } from './object-api.js';
import { readHealth, waitForHealth, type WaitOptions, type WaitResult } from './wait.js';
import { watchKind, type KindWatch, type KindWatchHandler } from './watch.js';

/** KubeSessionOptions tune a session: the client's options plus the applier's. */
export interface KubeSessionOptions extends Omit<KubeClusterOptions, 'name' | 'kubeConfig'> {
  apply?: Omit<ApplyObjectsOptions, 'dryRun'>;
}

/**
 * KubeSession is one cluster with every verb a sync needs, in the shape of the reconcile layer's
 * ClusterPort (src/reconcile/ports.ts): apply, inventory, prune, health, watch, fingerprint.
 */
export class KubeSession {
  readonly cluster: KubeCluster;
  private readonly applyOptions: Omit<ApplyObjectsOptions, 'dryRun'>;

  constructor(cluster: KubeCluster, options: Pick<KubeSessionOptions, 'apply'> = {}) {
    this.cluster = cluster;
    this.applyOptions = options.apply ?? {};
  }

  get name(): string {
    return this.cluster.name;
  }

  fingerprint(): Promise<string> {
    return this.cluster.fingerprint();
  }

  get(ref: KubeRef): Promise<KubeObject | undefined> {
    return this.cluster.get(ref);
  }

  apply(objects: readonly KubeObject[], options: { dryRun?: boolean } = {}): Promise<ApplyObjectsResult> {
    return applyObjects(this.cluster, objects, { ...this.applyOptions, dryRun: options.dryRun });
  }

  // The inventory ConfigMap as read or written during the current sync, so that writing it does
  // not read it again. A sync always reads before it writes, which keeps this fresh.
  private readonly inventories = new Map<string, KubeObject | null>();

  async readInventory(release: string): Promise<Result<Inventory | undefined>> {
    const live = await readInventoryObject(this.cluster, release);
    this.inventories.set(release, live ?? null);
    return decodeInventoryObject(this.cluster, release, live);
  }

  async writeInventory(inventory: Inventory, options: { dryRun?: boolean } = {}): Promise<Result<InventoryWrite>> {
    const written = await writeInventoryObject(this.cluster, inventory, { ...options, live: this.inventories.get(inventory.release) });
    if (!written.ok) return written;
    if (!options.dryRun) this.inventories.set(inventory.release, written.value.live ?? null);
    return ok(written.value.action);
  }

  listInventories(): Promise<InventoryListing[]> {
    return listInventories(this.cluster);
  }

  prune(options: PruneOptions): Promise<PruneResult> {
    return pruneRelease(this.cluster, options);
  }

  readHealth(refs: readonly KubeRef[]) {
    return readHealth(this.cluster, refs);
  }

  waitForHealth(refs: readonly KubeRef[], options: WaitOptions): Promise<WaitResult> {
    return waitForHealth(this.cluster, refs, options);
  }

  watch(options: { apiVersion: string; kind: string; labelSelector?: string }, handler: KindWatchHandler): KindWatch {
    return watchKind(this.cluster, options, handler);
  }

  stats(): TransportStats {
    return this.cluster.stats;
  }

  close(): void {
    this.cluster.close();
  }
}

/**
 * kubeConnector returns the function that opens a session per cluster record: the record's
 * context (spec.connection.context, else its name) of the shared kubeconfig. It throws
 * KUBE_CONTEXT_NOT_FOUND for a context the kubeconfig lacks.
 */
export function kubeConnector(kc: KubeConfig, options: KubeSessionOptions = {}): (cluster: { name: string; connection: { context?: string } }) => KubeSession {
  const { apply, ...client } = options;
  return (record) => new KubeSession(KubeCluster.forContext(kc, record, client), { apply });
}

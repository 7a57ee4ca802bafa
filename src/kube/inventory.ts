import { FlotillaError, fail, ok, type Result } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';
import { decodeInventory, encodeInventory, inventoryLabel, inventoryName, inventoryNamespace, type Inventory } from '../plan/index.js';
import type { KubeCluster } from './cluster.js';

// Inventory I/O: the pure format is src/plan/inventory.ts; this file reads and writes the
// ConfigMap flotilla-inv-<release> in flotilla-system. A write that would not change the data is
// not sent, so an unchanged sync stays free of writes.

/** InventoryWrite says what writing an inventory did. */
export type InventoryWrite = 'created' | 'configured' | 'unchanged';

/** readInventoryObject reads a release's inventory ConfigMap as stored; undefined when there is none. */
export function readInventoryObject(cluster: KubeCluster, release: string): Promise<KubeObject | undefined> {
  return cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: inventoryNamespace, name: inventoryName(release) });
}

/** decodeInventoryObject decodes a stored inventory ConfigMap (undefined: none yet), naming the cluster in errors. */
export function decodeInventoryObject(cluster: KubeCluster, release: string, live: KubeObject | undefined): Result<Inventory | undefined> {
  if (!live) return ok(undefined);
  const decoded = decodeInventory(live, { release });
  if (decoded.ok) return decoded;
  return fail(...decoded.issues.map((issue) => new FlotillaError(issue.code, `cluster ${cluster.name}: ${issue.message}`, { cluster: cluster.name, object: issue.object, hint: issue.hint, cause: issue })));
}

/** readInventory reads a release's inventory; undefined when there is none yet. */
export async function readInventory(cluster: KubeCluster, release: string): Promise<Result<Inventory | undefined>> {
  return decodeInventoryObject(cluster, release, await readInventoryObject(cluster, release));
}

/** InventoryWriteOptions tune writeInventory. */
export interface InventoryWriteOptions {
  dryRun?: boolean;
  /** The stored ConfigMap as just read (null: known to be absent); saves reading it again. */
  live?: KubeObject | null;
}

/**
 * writeInventoryObject stores an inventory, creating the flotilla-system namespace when needed. Nothing
 * is sent when the ConfigMap already holds the same data and labels. It answers what it did and
 * the ConfigMap as stored now.
 */
export async function writeInventoryObject(cluster: KubeCluster, inventory: Inventory, options: InventoryWriteOptions = {}): Promise<Result<{ action: InventoryWrite; live?: KubeObject }>> {
  const encoded = encodeInventory(inventory);
  if (!encoded.ok) return encoded;
  const desired = encoded.value;
  const live = options.live === undefined ? await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: inventoryNamespace, name: desired.metadata.name }) : (options.live ?? undefined);
  if (live && sameData(live, desired)) return ok({ action: 'unchanged', live });
  if (options.dryRun) return ok({ action: live ? 'configured' : 'created', ...(live ? { live } : {}) });
  if (!live) {
    const ns = await cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: inventoryNamespace });
    if (!ns) await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: inventoryNamespace, labels: { 'app.kubernetes.io/managed-by': 'flotilla' } } });
  }
  const stored = await cluster.apply(desired);
  return ok({ action: live ? 'configured' : 'created', live: stored });
}

/** writeInventory is writeInventoryObject answering only what it did. */
export async function writeInventory(cluster: KubeCluster, inventory: Inventory, options: InventoryWriteOptions = {}): Promise<Result<InventoryWrite>> {
  const written = await writeInventoryObject(cluster, inventory, options);
  return written.ok ? ok(written.value.action) : written;
}

function sameData(live: KubeObject, desired: KubeObject): boolean {
  const a = (live.data ?? {}) as Record<string, unknown>;
  const b = (desired.data ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (a[key] !== b[key]) return false;
  const labels = desired.metadata.labels ?? {};
  return Object.entries(labels).every(([k, v]) => live.metadata.labels?.[k] === v);
}

/** InventoryListing is one inventory ConfigMap found in a cluster, decoded or not. */
export interface InventoryListing {
  release: string;
  inventory: Result<Inventory>;
}

/** listInventories reads every inventory ConfigMap of a cluster (for status without a hub). */
export async function listInventories(cluster: KubeCluster): Promise<InventoryListing[]> {
  const ns = await cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: inventoryNamespace });
  if (!ns) return [];
  const list = await cluster.list('v1', 'ConfigMap', { namespace: inventoryNamespace, labelSelector: inventoryLabel });
  return list.items
    .map((cm) => {
      const release = cm.metadata.labels?.[inventoryLabel] ?? cm.metadata.name.replace(/^flotilla-inv-/, '');
      return { release, inventory: decodeInventory(cm) };
    })
    .sort((a, b) => (a.release < b.release ? -1 : a.release > b.release ? 1 : 0));
}

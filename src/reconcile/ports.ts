// The ports of the reconcile layer: what it needs from a cluster, described here and fitted by the
// Kubernetes adapter (src/kube/session.ts). Tests of the loop logic can fit them too; the
// integration tests use the real adapter against sandbox clusters.
import type { ChangeSetAction, ChangeSetEntry, FlotillaError, ObjectRef, Result } from '../core/index.js';
import type { ClusterRecord } from '../fleet/index.js';
import type { ObjectHealth, WaitStepResult } from '../health/index.js';
import type { KubeObject } from '../manifest/index.js';
import type { Inventory, PruneInput, PrunePlan } from '../plan/index.js';

/** LiveRef names a live object: apiVersion and kind always, namespace for namespaced kinds. */
export interface LiveRef extends ObjectRef {
  apiVersion: string;
}

/** PortAppliedObject is the apply result of one object. */
export interface PortAppliedObject {
  object: KubeObject;
  action: ChangeSetAction;
  live?: KubeObject;
  reason?: string;
  error?: FlotillaError;
}

/** PortApplyResult is the result of applying a set of objects in the order of SPEC §6. */
export interface PortApplyResult {
  results: PortAppliedObject[];
  entries: ChangeSetEntry[];
  errors: FlotillaError[];
  /** Set when the cluster stopped answering; the remaining objects were not tried. */
  unreachable?: FlotillaError;
}

/** PortPruneResult is what a prune did. */
export interface PortPruneResult {
  plan: PrunePlan;
  entries: ChangeSetEntry[];
  errors: FlotillaError[];
  unreachable?: FlotillaError;
}

/** PortWaitResult is the last decision of a wait for health. */
export interface PortWaitResult extends WaitStepResult {
  objects: ObjectHealth[];
}

/** PortWatchHandler receives a kind watcher's lists and events. */
export interface PortWatchHandler {
  onList(items: KubeObject[]): void;
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void;
  onError?(error: FlotillaError): void;
}

/** PortRequestStats counts the requests sent to a cluster. */
export interface PortRequestStats {
  requests: number;
  reads: number;
  writes: number;
  dryRuns: number;
}

/**
 * ClusterPort is one cluster as the reconcile layer uses it. Every method throws a FlotillaError
 * (KUBE_UNREACHABLE when the cluster does not answer) or answers a value.
 */
export interface ClusterPort {
  readonly name: string;
  /** fingerprint reads the uid of the live kube-system namespace. */
  fingerprint(): Promise<string>;
  /** get reads one object; undefined when it does not exist. */
  get(ref: LiveRef): Promise<KubeObject | undefined>;
  /** apply applies objects with server-side apply in the order of SPEC §6, one result per object. */
  apply(objects: readonly KubeObject[], options: { dryRun?: boolean }): Promise<PortApplyResult>;
  readInventory(release: string): Promise<Result<Inventory | undefined>>;
  /** writeInventory stores an inventory; nothing is written when it is unchanged. */
  writeInventory(inventory: Inventory, options: { dryRun?: boolean }): Promise<Result<'created' | 'configured' | 'unchanged'>>;
  listInventories(): Promise<{ release: string; inventory: Result<Inventory> }[]>;
  /** prune reads the candidates, lets planPrune decide and deletes what it chose. */
  prune(options: Omit<PruneInput, 'live'> & { dryRun?: boolean }): Promise<PortPruneResult>;
  /** readHealth reads and assesses objects once. */
  readHealth(refs: readonly LiveRef[]): Promise<{ objects: ObjectHealth[] }>;
  /** waitForHealth polls objects until all are healthy or the timeout passes. */
  waitForHealth(refs: readonly LiveRef[], options: { timeoutMs: number; intervalMs?: number; startedAt?: number; signal?: AbortSignal }): Promise<PortWaitResult>;
  /** watch runs a kind watcher across all namespaces until stop(). */
  watch(options: { apiVersion: string; kind: string; labelSelector?: string }, handler: PortWatchHandler): { stop(): void; ready: Promise<void> };
  stats(): PortRequestStats;
  close(): void;
}

/** ClusterConnector opens the port of a cluster record; it throws a FlotillaError when it cannot (no such context). */
export type ClusterConnector = (cluster: ClusterRecord) => ClusterPort;

/** Clock is the time source of the loop: now in milliseconds and a sleep that an abort ends early. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

import { assessHealth, waitStep, type ObjectHealth, type WaitStepResult } from '../health/index.js';
import type { KubeObject } from '../manifest/index.js';
import type { KubeCluster, KubeRef } from './cluster.js';

// Waiting for health by polling: read every object, assess it (src/health), let waitStep decide.
// Polling rather than watching keeps a wait independent of the drift watches and costs one GET
// per object per interval, only while a sync waits.

/** WaitOptions tune waitForHealth. */
export interface WaitOptions {
  /** How long to wait in total, in milliseconds. */
  timeoutMs: number;
  /** How often the objects are read again. @default 500 */
  intervalMs?: number;
  /** When the wait began, if before this call (a sync that applied first). @default now */
  startedAt?: number;
  signal?: AbortSignal;
}

/** WaitResult is waitStep's final decision and the live objects it was taken on. */
export interface WaitResult extends WaitStepResult {
  objects: ObjectHealth[];
  live: Map<string, KubeObject | undefined>;
}

/** readHealth reads and assesses every object once, in the order given. */
export async function readHealth(cluster: KubeCluster, refs: readonly KubeRef[]): Promise<{ objects: ObjectHealth[]; live: Map<string, KubeObject | undefined> }> {
  const live = new Map<string, KubeObject | undefined>();
  const objects: ObjectHealth[] = [];
  for (const ref of refs) {
    const object = await cluster.get(ref);
    live.set(keyOf(ref), object);
    objects.push({ object: ref, ...assessHealth(object) });
  }
  return { objects, live };
}

function keyOf(ref: KubeRef): string {
  return JSON.stringify([ref.apiVersion, ref.kind, ref.namespace ?? '', ref.name]);
}

/**
 * waitForHealth polls the objects until every one is Healthy or the timeout passes, and answers
 * waitStep's last decision: on a timeout its message lists every object still unhealthy, with why.
 */
export async function waitForHealth(cluster: KubeCluster, refs: readonly KubeRef[], options: WaitOptions): Promise<WaitResult> {
  const startedAt = options.startedAt ?? cluster.clock.now();
  const interval = options.intervalMs ?? 500;
  for (;;) {
    const { objects, live } = await readHealth(cluster, refs);
    const step = waitStep({ objects, startedAt, now: cluster.clock.now(), timeout: options.timeoutMs });
    if (step.done || options.signal?.aborted) return { ...step, objects, live };
    await cluster.clock.sleep(Math.min(interval, Math.max(1, step.remaining)), options.signal);
  }
}

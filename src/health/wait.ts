import { formatRef } from '../core/index.js';
import type { ObjectHealth } from './types.js';

/**
 * summarizeWait lists every object that is not Healthy in one line, in the order given (the apply
 * order), each as `Kind/namespace/name: Status (why)`, separated by `; `. It returns an empty
 * string when every object is healthy. A wait that gives up reports all of them at once, never
 * only the first (fluxcd/pkg ssa manager_wait).
 */
export function summarizeWait(objects: readonly ObjectHealth[]): string {
  return objects
    .filter((o) => o.status !== 'Healthy')
    .map((o) => `${formatRef(o.object)}: ${o.status} (${o.message})`)
    .join('; ');
}

/** WaitOutcome is where a wait stands: done and healthy, still waiting, or out of time. */
export type WaitOutcome = 'healthy' | 'waiting' | 'timed-out';

/** WaitStepInput is everything a wait decision needs; the caller owns the clock and the polling. */
export interface WaitStepInput {
  /** The latest assessment of every object waited for (missing objects assessed as Unknown). */
  objects: readonly ObjectHealth[];
  /** When the wait began, in milliseconds (any epoch, the same as `now`). */
  startedAt: number;
  now: number;
  /** How long to wait in total, in milliseconds. */
  timeout: number;
}

/** WaitStepResult is one wait decision as data. */
export interface WaitStepResult {
  done: boolean;
  outcome: WaitOutcome;
  /** One message for people: all healthy, or every object still unhealthy with its reason. */
  message: string;
  /** The objects that are not Healthy yet, in the order given. */
  unhealthy: ObjectHealth[];
  /** Milliseconds left before the wait times out (0 once it has). */
  remaining: number;
}

/**
 * waitStep decides a wait from the latest assessments: done and healthy once every object is
 * Healthy, timed out once `timeout` has passed since `startedAt` (with one message naming every
 * object still unhealthy), otherwise still waiting. Degraded objects do not end the wait early:
 * a Deployment past its progress deadline or a pod in back-off can still recover before the timeout,
 * as kstatus-based waits in Flux allow. An empty set of objects is healthy at once.
 */
export function waitStep(input: WaitStepInput): WaitStepResult {
  const unhealthy = input.objects.filter((o) => o.status !== 'Healthy');
  const elapsed = Math.max(0, input.now - input.startedAt);
  const remaining = Math.max(0, input.timeout - elapsed);
  const total = input.objects.length;
  if (unhealthy.length === 0) {
    return { done: true, outcome: 'healthy', message: `all ${total} ${total === 1 ? 'object is' : 'objects are'} healthy`, unhealthy, remaining };
  }
  const counted = `${unhealthy.length} of ${total} ${total === 1 ? 'object' : 'objects'}`;
  if (remaining === 0) {
    return { done: true, outcome: 'timed-out', message: `timed out after ${formatDuration(input.timeout)} waiting for ${counted} to become healthy: ${summarizeWait(unhealthy)}`, unhealthy, remaining };
  }
  return { done: false, outcome: 'waiting', message: `waiting for ${counted} to become healthy: ${summarizeWait(unhealthy)}`, unhealthy, remaining };
}

/** formatDuration prints milliseconds the way the fleet file writes them: `5m`, `1m30s`, `1h`, `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let seconds = Math.round(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  return [hours ? `${hours}h` : '', minutes ? `${minutes}m` : '', seconds ? `${seconds}s` : ''].join('') || '0s';
}

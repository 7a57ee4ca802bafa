import type { KubeObject } from '../manifest/index.js';

// Live objects come from API servers of many versions and from custom controllers: every status
// field may be missing or of an unexpected type. These readers never throw; a missing or malformed
// field reads as undefined and the assessor decides what that means.

/** StatusCondition is the part of a Kubernetes condition the assessors read. */
export interface StatusCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

/** recordAt returns the map at a dotted path of an object, or undefined. */
export function recordAt(object: unknown, path: string): Record<string, unknown> | undefined {
  let value: unknown = object;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** numberAt returns the number at a dotted path, or undefined when it is missing or not a number. */
export function numberAt(object: unknown, path: string): number | undefined {
  const value = valueAt(object, path);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** stringAt returns the string at a dotted path, or undefined. */
export function stringAt(object: unknown, path: string): string | undefined {
  const value = valueAt(object, path);
  return typeof value === 'string' ? value : undefined;
}

/** valueAt returns whatever sits at a dotted path, or undefined. */
export function valueAt(object: unknown, path: string): unknown {
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.length ? recordAt(object, keys.join('.')) : (object as Record<string, unknown> | undefined);
  if (parent === null || typeof parent !== 'object') return undefined;
  return parent[last];
}

/** conditionsOf returns the well-formed entries of `status.conditions`. */
export function conditionsOf(object: KubeObject): StatusCondition[] {
  const list = valueAt(object, 'status.conditions');
  if (!Array.isArray(list)) return [];
  return list.filter((c): c is StatusCondition => c !== null && typeof c === 'object' && typeof c.type === 'string' && typeof c.status === 'string');
}

/** findCondition returns the condition of the given type, or undefined. */
export function findCondition(object: KubeObject, type: string): StatusCondition | undefined {
  return conditionsOf(object).find((c) => c.type === type);
}

/** conditionText renders a condition's reason and message as `Reason: message`, whichever exist. */
export function conditionText(condition: StatusCondition): string {
  const message = condition.message?.trim();
  if (condition.reason && message) return `${condition.reason}: ${message}`;
  return condition.reason || message || `${condition.type}=${condition.status}`;
}

/**
 * staleGeneration tells whether the controller has not yet seen the latest spec: the status'
 * observedGeneration is behind metadata.generation. Built-in workload controllers always write
 * observedGeneration, so for them a missing one is stale (`missingIsStale`); many custom
 * controllers never write it, so for them only a lower number is.
 */
export function staleGeneration(object: KubeObject, missingIsStale: boolean): { generation: number; observed: number | undefined } | undefined {
  const generation = numberAt(object, 'metadata.generation');
  if (generation === undefined) return undefined;
  const observed = numberAt(object, 'status.observedGeneration');
  if (observed === undefined) return missingIsStale ? { generation, observed } : undefined;
  return observed < generation ? { generation, observed } : undefined;
}

/** staleMessage explains a stale status the same way for every kind. */
export function staleMessage(stale: { generation: number; observed: number | undefined }): string {
  const seen = stale.observed === undefined ? 'none yet' : `generation ${stale.observed}`;
  return `the controller has not yet observed generation ${stale.generation} (status is for ${seen})`;
}

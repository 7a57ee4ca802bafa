// DELETE: preconditions, finalizers, propagation policies (Orphan and Foreground add their
// finalizer; the simulated garbage collector finishes them), namespaces that turn Terminating,
// and CRDs that wait for their custom resources to go.
import { badRequest, conflict, notFound, successStatus } from '../api/status.js';
import type { ResourceType } from '../registry/resource-type.js';
import type { KubeJson } from '../store/object-store.js';
import { formatTime, resourceKey, type RestContext } from './context.js';
import { afterWrite, normalize } from './write.js';

type Json = Record<string, unknown>;

/** PropagationPolicy is DeleteOptions.propagationPolicy. */
export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

/** DeleteOptions are the parts of meta/v1 DeleteOptions the sandbox honours. */
export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

/** DeleteResult is what a delete answers: the object (still present, being finalized) or a Success Status. */
export interface DeleteResult {
  status: 200 | 202;
  body: Json;
  /** Whether the object is gone now. */
  removed: boolean;
}

/** readDeleteOptions merges DeleteOptions from the body and the query, as the server does. */
export function readDeleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const b = body !== null && typeof body === 'object' ? (body as Json) : {};
  const policy = (query.get('propagationPolicy') ?? b.propagationPolicy) as string | undefined;
  if (policy !== undefined && policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  const orphan = query.get('orphanDependents') ?? b.orphanDependents;
  const dryRunValues = [...query.getAll('dryRun'), ...(Array.isArray(b.dryRun) ? b.dryRun.map(String) : [])];
  const preconditions = b.preconditions !== null && typeof b.preconditions === 'object' ? (b.preconditions as DeleteOptions['preconditions']) : undefined;
  return {
    ...(policy ? { propagationPolicy: policy } : orphan === true || orphan === 'true' ? { propagationPolicy: 'Orphan' as const } : {}),
    ...(preconditions ? { preconditions } : {}),
    dryRun: dryRunValues.includes('All'),
  };
}

const crdCleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

/** deleteObject deletes one object, or starts its finalization. */
export function deleteObject(ctx: RestContext, type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions): DeleteResult {
  const gr = { group: type.group, resource: type.plural };
  const key = resourceKey(type);
  const ns = type.namespaced ? namespace ?? '' : '';
  const old = ctx.store.get(key, ns, name);
  if (!old) throw notFound(gr, name);
  const meta = old.metadata as Json;
  if (options.preconditions?.uid !== undefined && options.preconditions.uid !== meta.uid) {
    throw conflict(gr, name, `Precondition failed: UID in precondition: ${options.preconditions.uid}, UID in object meta: ${String(meta.uid)}`);
  }
  if (options.preconditions?.resourceVersion !== undefined && options.preconditions.resourceVersion !== meta.resourceVersion) {
    throw conflict(gr, name, `Precondition failed: ResourceVersion in precondition: ${options.preconditions.resourceVersion}, ResourceVersion in object meta: ${String(meta.resourceVersion)}`);
  }
  const now = formatTime(ctx.clock.now());
  const isNamespace = type.kind === 'Namespace' && type.group === '';
  const isCrd = type.kind === 'CustomResourceDefinition' && type.group === 'apiextensions.k8s.io';

  if (isNamespace) {
    if (meta.deletionTimestamp) {
      throw conflict(gr, name, 'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.');
    }
    const next = structuredClone(old) as Json;
    const nextMeta = next.metadata as Json;
    nextMeta.deletionTimestamp = now;
    next.status = { ...((next.status as Json | undefined) ?? {}), phase: 'Terminating' };
    return finalizing(ctx, type, next, options);
  }

  const finalizers = Array.isArray(meta.finalizers) ? [...(meta.finalizers as string[])] : [];
  if (isCrd && !finalizers.includes(crdCleanupFinalizer)) finalizers.push(crdCleanupFinalizer);
  if (options.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
  if (options.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');

  if (finalizers.length > 0) {
    if (meta.deletionTimestamp) {
      // Already being finalized: a repeated delete changes nothing (it may add the policy's finalizer).
      if (finalizers.length === (Array.isArray(meta.finalizers) ? meta.finalizers.length : 0)) return { status: 200, body: old, removed: false };
    }
    const next = structuredClone(old) as Json;
    const nextMeta = next.metadata as Json;
    if (!nextMeta.deletionTimestamp) {
      nextMeta.deletionTimestamp = now;
      // The apiextensions server's own delete sets no grace period; the generic registry sets 0.
      if (!isCrd) nextMeta.deletionGracePeriodSeconds = 0;
    }
    nextMeta.finalizers = finalizers;
    if (isCrd) {
      const status = (next.status as Json | undefined) ?? {};
      const conditions = Array.isArray(status.conditions) ? (status.conditions as Json[]).filter((c) => c.type !== 'Terminating') : [];
      conditions.push({ type: 'Terminating', status: 'True', lastTransitionTime: now, reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' });
      next.status = { ...status, conditions };
    }
    return finalizing(ctx, type, next, options);
  }

  if (options.dryRun) return { status: 200, body: successStatus(gr, name, String(meta.uid)), removed: false };
  ctx.store.remove(key, ns, name);
  afterWrite(ctx, type, undefined, name);
  return { status: 200, body: successStatus(gr, name, String(meta.uid)), removed: true };
}

function finalizing(ctx: RestContext, type: ResourceType, next: Json, options: DeleteOptions): DeleteResult {
  const normalized = normalize(type, next);
  if (options.dryRun) return { status: 200, body: normalized, removed: false };
  const stored: KubeJson = ctx.store.put(resourceKey(type), normalized);
  afterWrite(ctx, type, stored);
  return { status: 200, body: stored, removed: false };
}

import { FlotillaError, formatRef, runLimited, type ChangeSetAction, type ChangeSetEntry, type ObjectRef } from '../core/index.js';
import { assessCustomResourceDefinition } from '../health/index.js';
import { kubernetesScope, orderForApply, type ApplyOrderEntry, type KindScope, type KubeObject } from '../manifest/index.js';
import { detectDrift, releaseLabel } from '../plan/index.js';
import { fieldManager, KubeCluster } from './cluster.js';
import { isUnreachable } from './errors.js';

// The applier: server-side apply of a set of objects in the order of SPEC §6, with one result per
// object. An object is only written when it has to be:
//
// * missing from the cluster: applied, `created`;
// * present, and a field Flotilla applies has another value (detectDrift): applied, `configured`;
// * present with every applied value equal: a server-side *dry-run* apply decides. The dry-run
//   result is compared with the live object, leaving out what the apply cannot change (status,
//   resourceVersion, generation, other managers' managedFields, timestamps). Equal means the apply
//   would change nothing: `unchanged`, and no write is sent. Different means fields changed hands
//   or a field left the manifest (the server removes it from the object when Flotilla owned it):
//   applied, `configured`.
//
// The dry-run comparison is the one Flux's ssa manager makes. It costs one request per unchanged
// object (a dry-run is never persisted), and in return covers what a local comparison cannot know:
// server defaults, ownership, and fields removed from the manifest.

/** ApplyObjectsOptions tune applyObjects; every field has a default. */
export interface ApplyObjectsOptions {
  /** Compute the results with server-side dry-runs and write nothing. @default false */
  dryRun?: boolean;
  /** How long a CRD of the set may take to become Established. @default 30000 */
  crdTimeoutMs?: number;
  /** How often the CRD is read while waiting. @default 100 */
  crdPollMs?: number;
  /** How many objects of one kind are applied at the same time. @default 8 */
  concurrency?: number;
}

/** AppliedObject is the result for one object. */
export interface AppliedObject {
  /** The object as sent (the namespace filled in for namespaced kinds). */
  object: KubeObject;
  action: ChangeSetAction;
  /** The live object after the apply (or as it was, when unchanged); absent when skipped. */
  live?: KubeObject;
  reason?: string;
  error?: FlotillaError;
}

/** ApplyObjectsResult is the outcome of applying a set of objects. */
export interface ApplyObjectsResult {
  /** In apply order. */
  results: AppliedObject[];
  /** The ChangeSet entries of `results`. */
  entries: ChangeSetEntry[];
  /** Every failure, one per object that failed. */
  errors: FlotillaError[];
  /** The cluster stopped answering during the apply (the remaining objects were not tried). */
  unreachable?: FlotillaError;
}

function refOf(object: KubeObject): ObjectRef & { apiVersion: string } {
  return { apiVersion: object.apiVersion, kind: object.kind, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}), name: object.metadata.name };
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash >= 0 ? apiVersion.slice(0, slash) : '';
}

/**
 * comparable strips from an object what an apply never changes, or changes without meaning:
 * status, resourceVersion, generation, timestamps, and managedFields entries of other managers.
 */
function comparable(object: KubeObject): unknown {
  const { status: _status, metadata, ...rest } = object;
  const { resourceVersion: _rv, generation: _gen, managedFields, ...meta } = metadata as Record<string, unknown>;
  const ours = Array.isArray(managedFields)
    ? managedFields
        .filter((m) => (m as { manager?: string }).manager === fieldManager)
        .map((m) => {
          const { time: _time, ...entry } = m as Record<string, unknown>;
          return entry;
        })
    : [];
  return { ...rest, metadata: meta, managedFields: ours };
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/** sameAfterApply tells whether a dry-run result equals the live object in everything an apply can change. */
export function sameAfterApply(dryRun: KubeObject, live: KubeObject): boolean {
  return canonical(comparable(dryRun)) === canonical(comparable(live));
}

/**
 * applyObjects applies objects to one cluster in the order of SPEC §6 (orderForApply): CRDs,
 * Namespaces, other cluster-scoped kinds, namespaced kinds, custom resources (each once its CRD is
 * Established, whether that CRD is in the set or already served), then admission registrations.
 * Objects of one kind go in parallel, kinds one after the other. A phase with a failure stops the
 * phases after it (their objects are skipped with the reason); an unreachable cluster stops
 * everything. The objects are applied as given: labels and normalisation are the caller's.
 */
export async function applyObjects(cluster: KubeCluster, objects: readonly KubeObject[], options: ApplyObjectsOptions = {}): Promise<ApplyObjectsResult> {
  const results: AppliedObject[] = [];
  const errors: FlotillaError[] = [];
  const concurrency = options.concurrency ?? 8;

  // Scopes of custom kinds the set's own CRDs do not declare come from discovery.
  const declared = new Set(
    objects
      .filter((o) => o.kind === 'CustomResourceDefinition' && groupOf(o.apiVersion) === 'apiextensions.k8s.io')
      .map((o) => {
        const spec = o.spec as { group?: string; names?: { kind?: string } } | undefined;
        return `${spec?.group} ${spec?.names?.kind}`;
      }),
  );
  const scopes = new Map<string, KindScope>();
  const unserved = new Map<string, FlotillaError>();
  const customKinds = new Map<string, KubeObject>();
  for (const object of objects) {
    if (kubernetesScope(object.apiVersion, object.kind) !== undefined) continue;
    const key = `${groupOf(object.apiVersion)} ${object.kind}`;
    if (!declared.has(key) && !customKinds.has(`${object.apiVersion} ${object.kind}`)) customKinds.set(`${object.apiVersion} ${object.kind}`, object);
  }
  let unreachable: FlotillaError | undefined;
  for (const [key, object] of customKinds) {
    try {
      const found = await cluster.findResource(object.apiVersion, object.kind);
      if (found) scopes.set(`${groupOf(object.apiVersion)} ${object.kind}`, found.namespaced ? 'Namespaced' : 'Cluster');
      else {
        unserved.set(
          key,
          new FlotillaError('KUBE_KIND_NOT_SERVED', `cluster ${cluster.name}: ${formatRef(refOf(object))}: the cluster does not serve ${object.kind} in ${object.apiVersion}, and no CustomResourceDefinition of this release defines it`, {
            cluster: cluster.name,
            object: refOf(object),
          }),
        );
      }
    } catch (error) {
      if (isUnreachable(error)) {
        unreachable = error as FlotillaError;
        break;
      }
      throw error;
    }
  }

  const ordered = orderForApply(objects, { scopes });
  const skipRest = (from: number, reason: string) => {
    for (const entry of ordered.slice(from)) results.push({ object: entry.object, action: 'skipped', reason });
  };
  if (unreachable) {
    skipRest(0, `not applied: ${unreachable.message}`);
    return finish(results, errors, unreachable);
  }

  // Kind groups: consecutive entries of one phase and kind.
  const groups: ApplyOrderEntry[][] = [];
  for (const entry of ordered) {
    const last = groups.at(-1);
    const head = last?.[0];
    if (head && head.phase === entry.phase && head.object.kind === entry.object.kind && head.object.apiVersion === entry.object.apiVersion) last.push(entry);
    else groups.push([entry]);
  }

  const established = new Map<string, Promise<FlotillaError | undefined>>();
  const pendingNamespaces = new Set<string>();
  let phaseFailed: string | undefined;
  let done = 0;
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]!;
    const phase = group[0]!.phase;
    if (phaseFailed && phaseFailed !== phase) {
      skipRest(done, `not applied: an object of an earlier phase (${phaseFailed}) failed`);
      break;
    }
    // Custom resources wait for their CRD.
    const need = group[0]!.needsEstablished;
    let blocked: FlotillaError | undefined;
    if (need) {
      blocked = unserved.get(`${group[0]!.object.apiVersion} ${group[0]!.object.kind}`);
      if (!blocked && need.crd) {
        if (!established.has(need.crd)) established.set(need.crd, waitEstablished(cluster, need.crd, options));
        blocked = await established.get(need.crd);
      }
      if (blocked && isUnreachable(blocked)) {
        unreachable = blocked;
        skipRest(done, `not applied: ${blocked.message}`);
        break;
      }
    }
    // One list per kind reads what the release already has; objects it misses are read one by one.
    let listed: Map<string, KubeObject> | undefined;
    const selector = releaseSelector(objects);
    if (!blocked && selector) {
      try {
        const list = await cluster.list(group[0]!.object.apiVersion, group[0]!.object.kind, { labelSelector: selector });
        listed = new Map(list.items.map((o) => [liveKey(o), o]));
      } catch (error) {
        if (isUnreachable(error)) {
          unreachable = error as FlotillaError;
          skipRest(done, `not applied: ${unreachable.message}`);
          break;
        }
        // Anything else: read the objects one by one instead.
      }
    }
    const groupResults = await runLimited(group, concurrency, async (entry): Promise<AppliedObject> => {
      const object = withNamespace(entry.object, entry.scope);
      if (blocked) return { object, action: 'skipped', reason: `not applied: ${blocked.message}`, error: blocked };
      // A dry run cannot place an object in a namespace that only the same dry run creates.
      const ns = object.metadata.namespace;
      if (options.dryRun && ns && pendingNamespaces.has(ns)) return { object, action: 'created', reason: `dry run (namespace ${ns} is created first)` };
      return applyOne(cluster, object, options, listed?.get(liveKey(object)), listed !== undefined);
    });
    done += group.length;
    for (const result of groupResults) {
      if (options.dryRun && result.action === 'created' && result.object.kind === 'Namespace' && result.object.apiVersion === 'v1') pendingNamespaces.add(result.object.metadata.name);
      results.push(result);
      if (result.error) {
        if (isUnreachable(result.error)) unreachable ??= result.error;
        else {
          errors.push(result.error);
          phaseFailed = phase;
        }
      }
    }
    if (unreachable) {
      skipRest(done, `not applied: ${unreachable.message}`);
      break;
    }
  }
  return finish(results, errors, unreachable);
}

function finish(results: AppliedObject[], errors: FlotillaError[], unreachable: FlotillaError | undefined): ApplyObjectsResult {
  // Blocked custom resources carry their CRD's error; count each distinct error once.
  const unique = [...new Set(errors)];
  for (const r of results) if (r.error && !isUnreachable(r.error) && !unique.includes(r.error)) unique.push(r.error);
  return {
    results,
    entries: results.map((r) => ({ object: refOf(r.object), action: r.action, ...(r.reason ? { reason: r.reason } : {}) })),
    errors: unique,
    ...(unreachable ? { unreachable } : {}),
  };
}

function liveKey(object: KubeObject): string {
  return JSON.stringify([object.kind, object.metadata.namespace ?? '', object.metadata.name]);
}

/** releaseSelector is `flotilla.dev/release=<release>` when every object carries the same release label. */
function releaseSelector(objects: readonly KubeObject[]): string | undefined {
  const release = objects[0]?.metadata.labels?.[releaseLabel];
  if (!release || !objects.every((o) => o.metadata.labels?.[releaseLabel] === release)) return undefined;
  return `${releaseLabel}=${release}`;
}

/** withNamespace puts a namespaced object without a namespace in `default`, as kubectl does. */
function withNamespace(object: KubeObject, scope: KindScope | undefined): KubeObject {
  if (scope !== 'Namespaced' || object.metadata.namespace) return object;
  return { ...object, metadata: { ...object.metadata, namespace: 'default' } };
}

async function applyOne(cluster: KubeCluster, object: KubeObject, options: ApplyObjectsOptions, listed: KubeObject | undefined, wasListed: boolean): Promise<AppliedObject> {
  const ref = refOf(object);
  try {
    // Not among the release's objects: new, or not labelled for the release yet (adopted). The
    // apply itself tells which: the server answers 201 when it created the object.
    if (!listed && wasListed) {
      const { live: applied, created } = await cluster.applyReporting(object, { dryRun: options.dryRun });
      return { object, action: created ? 'created' : 'configured', live: applied, ...(options.dryRun ? { reason: 'dry run' } : {}) };
    }
    const live = listed ?? (await cluster.get(ref));
    if (!live) {
      const created = await cluster.apply(object, { dryRun: options.dryRun });
      return { object, action: 'created', live: created, ...(options.dryRun ? { reason: 'dry run' } : {}) };
    }
    if (!detectDrift(object, live).drifted) {
      const dry = await cluster.apply(object, { dryRun: true });
      if (sameAfterApply(dry, live)) return { object, action: 'unchanged', live };
      if (options.dryRun) return { object, action: 'configured', live: dry, reason: 'dry run' };
    } else if (options.dryRun) {
      const dry = await cluster.apply(object, { dryRun: true });
      return { object, action: 'configured', live: dry, reason: 'dry run' };
    }
    const applied = await cluster.apply(object);
    // The same resourceVersion means the server found nothing to change after all.
    const action: ChangeSetAction = applied.metadata?.resourceVersion === live.metadata?.resourceVersion ? 'unchanged' : 'configured';
    return { object, action, live: applied };
  } catch (error) {
    const failure =
      error instanceof FlotillaError
        ? error
        : new FlotillaError('INTERNAL', `cluster ${cluster.name}: apply ${formatRef(ref)}: ${(error as Error).message}`, { cluster: cluster.name, object: ref, cause: error });
    return { object, action: 'skipped', reason: `apply failed: ${failure.message}`, error: failure };
  }
}

/**
 * waitEstablished polls a CRD until the API server serves its kind (Established=True), then
 * refreshes discovery for the custom resources' group version. It answers the error that blocks
 * the custom resources, or undefined once they may be applied.
 */
async function waitEstablished(cluster: KubeCluster, crd: string, options: ApplyObjectsOptions): Promise<FlotillaError | undefined> {
  const timeout = options.crdTimeoutMs ?? 30_000;
  const poll = options.crdPollMs ?? 100;
  const started = cluster.clock.now();
  const ref = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: crd };
  let last = 'not found';
  try {
    for (;;) {
      const live = await cluster.get(ref);
      if (live) {
        const health = assessCustomResourceDefinition(live);
        // Discovery of the group version is looked up again on the first miss, so the kind is found.
        if (health.status === 'Healthy') return undefined;
        last = health.message;
        if (health.status === 'Degraded') break;
      } else if (options.dryRun) {
        return new FlotillaError('KUBE_CRD_NOT_ESTABLISHED', `cluster ${cluster.name}: CustomResourceDefinition/${crd} does not exist yet, so its custom resources cannot be dry-run`, { cluster: cluster.name, object: ref });
      }
      if (cluster.clock.now() - started >= timeout) break;
      await cluster.clock.sleep(poll);
    }
  } catch (error) {
    if (error instanceof FlotillaError) return error;
    throw error;
  }
  return new FlotillaError('KUBE_CRD_NOT_ESTABLISHED', `cluster ${cluster.name}: CustomResourceDefinition/${crd} is not established (${last}), so its custom resources were not applied`, { cluster: cluster.name, object: ref });
}

import { PatchStrategy, Watch, type KubeConfig } from '@kubernetes/client-node';
import { FlotillaError, type ObjectRef } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';
import { isNotFound, kubeError, KubeApiFailure } from './errors.js';
import { contextKubeConfig } from './kubeconfig.js';
import { FlotillaObjectApi, type RawRequest, type TransportStats } from './object-api.js';
import { defaultRetryPolicy, systemClock, withRetry, type KubeClock, type RetryPolicy } from './retry.js';

/** fieldManager is the server-side apply field manager of every Flotilla write. */
export const fieldManager = 'flotilla';

/** KubeRef names an object to read or delete: apiVersion and kind always, namespace for namespaced kinds. */
export interface KubeRef extends ObjectRef {
  apiVersion: string;
}

/** ResourceInfo is what discovery says about a kind: its resource (plural) name and scope. */
export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

/** KubeClusterOptions configure a cluster client; every field but name and kubeConfig has a default. */
export interface KubeClusterOptions {
  /** The cluster record's name, used in every message. */
  name: string;
  /** A KubeConfig whose current context reaches the cluster (contextKubeConfig). */
  kubeConfig: KubeConfig;
  /** Time allowed for one request. @default 10000 */
  timeoutMs?: number;
  /** Retries of each request. @default defaultRetryPolicy() */
  retry?: RetryPolicy;
  clock?: KubeClock;
  /** @default Math.random */
  random?: () => number;
}

/** KubeList is a list answer: the items and the resourceVersion to watch from. */
export interface KubeList {
  items: KubeObject[];
  resourceVersion: string;
}

/** WatchEventType is the type of one watch event. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** RawWatchOptions select what a watch stream sends. */
export interface RawWatchOptions {
  labelSelector?: string;
  resourceVersion?: string;
  /** The server ends the stream after this long, and the watcher starts a new one. @default 300 */
  timeoutSeconds?: number;
}

/** apiRoot is the path of a group version: /api/v1 for the core group, /apis/GROUP/VERSION otherwise. */
function apiRoot(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/**
 * KubeCluster is the client of one cluster: discovery-driven reads, server-side apply, deletes and
 * watches of any kind the cluster serves, each request with a timeout and retried with
 * exponential backoff and jitter when the failure is worth retrying (unreachable, 429, 5xx).
 * Every failure is a FlotillaError naming the cluster and object (src/kube/errors.ts).
 */
export class KubeCluster {
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  readonly api: FlotillaObjectApi;
  readonly clock: KubeClock;
  readonly random: () => number;
  readonly retry: RetryPolicy;

  constructor(options: KubeClusterOptions) {
    this.name = options.name;
    this.kubeConfig = options.kubeConfig;
    this.api = FlotillaObjectApi.create(options.kubeConfig, { timeoutMs: options.timeoutMs });
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.retry = options.retry ?? defaultRetryPolicy();
  }

  /** forContext builds the client of a cluster record from the shared kubeconfig and the record's context. */
  static forContext(kc: KubeConfig, cluster: { name: string; connection: { context?: string } }, options: Omit<KubeClusterOptions, 'name' | 'kubeConfig'> = {}): KubeCluster {
    const context = cluster.connection.context ?? cluster.name;
    return new KubeCluster({ ...options, name: cluster.name, kubeConfig: contextKubeConfig(kc, context, cluster.name) });
  }

  /** stats are the counts of requests sent so far (for benchmarks and metrics). */
  get stats(): TransportStats {
    return { ...this.api.stats };
  }

  /** close releases the kept-alive connections. */
  close(): void {
    this.api.close();
  }

  private async call<T>(verb: string, subject: { object?: ObjectRef; what?: string }, operation: () => Promise<T>): Promise<T> {
    return withRetry(
      async () => {
        try {
          return await operation();
        } catch (error) {
          throw kubeError(error, { cluster: this.name, verb, ...subject });
        }
      },
      { policy: this.retry, clock: this.clock, random: this.random },
    );
  }

  /** request sends one raw request with retries (errors as FlotillaError). */
  async request(verb: string, subject: { object?: ObjectRef; what?: string }, request: RawRequest): Promise<unknown> {
    return this.call(verb, subject, () => this.api.send(request));
  }

  /**
   * resource finds a kind through discovery; it throws KUBE_KIND_NOT_SERVED when the cluster does
   * not serve it. `refresh` forgets the cached discovery first (after a CRD became established).
   */
  async resource(apiVersion: string, kind: string, options: { refresh?: boolean; object?: ObjectRef } = {}): Promise<ResourceInfo> {
    const found = await this.findResource(apiVersion, kind, options);
    if (!found) {
      throw new FlotillaError('KUBE_KIND_NOT_SERVED', `cluster ${this.name}: the cluster does not serve ${kind} in ${apiVersion}${options.object ? ` (needed by ${options.object.kind}/${options.object.namespace ? options.object.namespace + '/' : ''}${options.object.name})` : ''}`, {
        cluster: this.name,
        object: options.object,
      });
    }
    return found;
  }

  /** findResource is resource() that answers undefined for a kind the cluster does not serve. */
  async findResource(apiVersion: string, kind: string, options: { refresh?: boolean } = {}): Promise<ResourceInfo | undefined> {
    if (options.refresh) this.api.forget(apiVersion);
    const found = await this.call('discovery', { what: `${kind} in ${apiVersion}` }, () => this.api.discover(apiVersion, kind));
    if (!found) return undefined;
    return { apiVersion, kind, plural: found.name, namespaced: found.namespaced };
  }

  /** pathOf is the URL path of an object (with name) or a collection (without), namespaced as discovery says. */
  async pathOf(ref: { apiVersion: string; kind: string; namespace?: string; name?: string }, options: { allNamespaces?: boolean; object?: ObjectRef } = {}): Promise<string> {
    const resource = await this.resource(ref.apiVersion, ref.kind, { object: options.object });
    let path = apiRoot(ref.apiVersion);
    if (resource.namespaced && !options.allNamespaces) path += `/namespaces/${encodeURIComponent(ref.namespace || 'default')}`;
    path += `/${resource.plural}`;
    if (ref.name !== undefined) path += `/${encodeURIComponent(ref.name)}`;
    return path;
  }

  /** namespaced tells whether a kind is namespaced (discovery). */
  async namespaced(apiVersion: string, kind: string): Promise<boolean> {
    return (await this.resource(apiVersion, kind)).namespaced;
  }

  /** get reads one object; undefined when it does not exist (or its kind is no longer served). */
  async get(ref: KubeRef): Promise<KubeObject | undefined> {
    const found = await this.findResource(ref.apiVersion, ref.kind);
    if (!found) return undefined;
    const path = await this.pathOf(ref, { object: ref });
    try {
      return (await this.request('get', { object: ref }, { method: 'GET', path })) as KubeObject;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** list lists the objects of a kind, in one namespace or all, optionally by label selector. */
  async list(apiVersion: string, kind: string, options: { namespace?: string; labelSelector?: string } = {}): Promise<KubeList> {
    const path = await this.pathOf({ apiVersion, kind, namespace: options.namespace }, { allNamespaces: options.namespace === undefined });
    const answer = (await this.request('list', { what: `${kind} in ${apiVersion}` }, { method: 'GET', path, query: { labelSelector: options.labelSelector } })) as {
      items?: KubeObject[];
      metadata?: { resourceVersion?: string };
    };
    // List items carry no apiVersion and kind; the callers need them.
    const items = (answer.items ?? []).map((item) => ({ ...item, apiVersion, kind }));
    return { items, resourceVersion: answer.metadata?.resourceVersion ?? '' };
  }

  /**
   * apply sends one object with server-side apply: field manager `flotilla`, force on conflicts,
   * content type application/apply-patch+yaml (client-node's PatchStrategy.ServerSideApply; JSON
   * is YAML). With `dryRun` the server computes the result and persists nothing.
   */
  async apply(object: KubeObject, options: { dryRun?: boolean; force?: boolean } = {}): Promise<KubeObject> {
    return (await this.applyReporting(object, options)).live;
  }

  /** applyReporting is apply() telling whether the object was created (the server answered 201). */
  async applyReporting(object: KubeObject, options: { dryRun?: boolean; force?: boolean } = {}): Promise<{ live: KubeObject; created: boolean }> {
    const ref = { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
    const path = await this.pathOf(ref, { object: ref });
    const answer = await this.call(options.dryRun ? 'dry-run apply' : 'apply', { object: ref }, () =>
      this.api.exchange({
        method: 'PATCH',
        path,
        query: { fieldManager, force: String(options.force ?? true), dryRun: options.dryRun ? 'All' : undefined },
        body: object,
        contentType: PatchStrategy.ServerSideApply,
      }),
    );
    return { live: answer.body as KubeObject, created: answer.status === 201 };
  }

  /**
   * delete deletes one object in the background (as kubectl does), only if it is still the object
   * with `uid` when one is given. It answers false when the object was already gone.
   */
  async delete(ref: KubeRef, options: { uid?: string; dryRun?: boolean } = {}): Promise<boolean> {
    const found = await this.findResource(ref.apiVersion, ref.kind);
    if (!found) return false;
    const path = await this.pathOf(ref, { object: ref });
    try {
      await this.request('delete', { object: ref }, {
        method: 'DELETE',
        path,
        query: { dryRun: options.dryRun ? 'All' : undefined },
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(options.uid ? { preconditions: { uid: options.uid } } : {}) },
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** fingerprint reads the uid of the live kube-system namespace: the cluster's identity (SPEC §5). */
  async fingerprint(): Promise<string> {
    const ns = (await this.request('read the fingerprint of', { object: { kind: 'Namespace', name: 'kube-system' } }, { method: 'GET', path: '/api/v1/namespaces/kube-system' })) as KubeObject;
    const uid = ns.metadata?.uid;
    if (typeof uid !== 'string' || !uid) throw new FlotillaError('KUBE_REQUEST_FAILED', `cluster ${this.name}: Namespace/kube-system has no uid`, { cluster: this.name });
    return uid;
  }

  /**
   * watchRaw opens one watch stream of a kind across all namespaces with client-node's Watch.
   * `onEvent` gets every event; `onEnd` is called once when the stream ends (an error, the
   * server's timeout, or stop()). It resolves once the stream is open, with a stop function.
   */
  async watchRaw(apiVersion: string, kind: string, options: RawWatchOptions, onEvent: (type: WatchEventType, object: KubeObject) => void, onEnd: (error?: FlotillaError) => void): Promise<() => void> {
    const path = await this.pathOf({ apiVersion, kind }, { allNamespaces: true });
    const watch = new Watch(this.kubeConfig);
    let stopped = false;
    this.api.stats.requests++;
    this.api.stats.reads++;
    const controller = await watch.watch(
      path,
      { labelSelector: options.labelSelector, resourceVersion: options.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: options.timeoutSeconds ?? 300 },
      (type: string, object: KubeObject) => {
        if (stopped) return;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') onEvent(type, { ...object, apiVersion: object.apiVersion ?? apiVersion, kind: object.kind ?? kind });
        else if (type === 'BOOKMARK' || type === 'ERROR') onEvent(type, object);
      },
      (error: unknown) => {
        if (stopped) return;
        stopped = true;
        if (!error) return onEnd();
        const status = (error as { statusCode?: number }).statusCode;
        const failure = status ? new KubeApiFailure(status, undefined, (error as Error).message) : error;
        onEnd(kubeError(failure, { cluster: this.name, verb: 'watch', what: `${kind} in ${apiVersion}` }));
      },
    );
    return () => {
      stopped = true;
      controller.abort();
    };
  }
}

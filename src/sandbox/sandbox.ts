// startSandbox: N clusters in this process, each an ApiServer behind its own HTTPS port, with
// simulated controllers, fault injection, kubeconfigs for an admin and a viewer, and an optional
// admin endpoint for faults from outside the process.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FlotillaError } from '../core/index.js';
import { ApiServer } from './api/api-server.js';
import { ClusterHttpServer, type Faults } from './api/http-server.js';
import { startAdminServer, type AdminServer } from './admin-server.js';
import { startControllers, type ControllerOptions, type Controllers } from './controllers/index.js';
import { renderKubeconfig } from './kubeconfig.js';
import type { Clock } from './rest/context.js';
import type { WatchOptions } from './rest/watch.js';
import { sharedTlsMaterial, type TlsMaterial } from './tls.js';

/** StartSandboxOptions configure startSandbox; every field has a default. */
export interface StartSandboxOptions {
  /** How many clusters (named cluster-1 … cluster-N), or their names. @default 1 */
  clusters?: number | string[];
  /** A directory to write `kubeconfig` and `kubeconfig-viewer` into. @default none (kubeconfigs only in memory) */
  dir?: string;
  /** Serve HTTPS with a self-signed CA written into the kubeconfig; false serves plain HTTP. @default true */
  tls?: boolean;
  /** The simulated controllers (workload rollouts, Jobs, namespace and garbage collection). */
  controllers?: ControllerOptions;
  /** The bearer tokens; random when not given. */
  tokens?: { admin?: string; viewer?: string };
  /** kube-system namespace uids by cluster name; by default a stable uid derived from the name. */
  fingerprints?: Record<string, string>;
  /** Events each cluster keeps for watches to resume from (older resourceVersions get 410 Gone). @default 1000 */
  historySize?: number;
  watch?: WatchOptions;
  /** Start the admin endpoint (fault injection over HTTP). @default false */
  adminEndpoint?: boolean;
  /** Called when the admin endpoint receives POST /shutdown (the `sandbox up` command stops then). */
  onShutdownRequest?: () => void;
  clock?: Clock;
  /** Randomness for names, IPs and injected errors; tests seed it. @default Math.random */
  random?: () => number;
  /** The largest request body accepted. @default 3 MiB */
  maxBodyBytes?: number;
  /**
   * Whether server-side apply fills a keyed list item's missing key field with its default (a
   * container or Service port without `protocol`), as servers from 1.20 on do. @default false: the
   * item is refused, as the 1.19 server of the conformance transcript refuses it.
   */
  listKeyDefaults?: boolean;
}

/** FaultControl changes one cluster's injected failures. */
export interface FaultControl {
  /** set changes some faults and returns all of them; `down: true` closes the port, `down: false` opens it again. */
  set(change: Partial<Faults>): Promise<Faults>;
  /** get returns the current faults. */
  get(): Faults;
  /** clear removes every fault (and brings the cluster up). */
  clear(): Promise<Faults>;
}

/** SandboxCluster is one running cluster. */
export interface SandboxCluster {
  name: string;
  /** The server URL, e.g. https://127.0.0.1:43121 (also the kubeconfig's cluster server). */
  url: string;
  port: number;
  /** The kubeconfig context (and cluster) name: the cluster's name. */
  context: string;
  /** The uid of the kube-system namespace, the cluster's identity fingerprint. */
  fingerprint: string;
  /** The in-process API, for tests that inspect or seed the store directly. */
  api: ApiServer;
}

/** Sandbox is a running set of clusters. */
export interface Sandbox {
  clusters: SandboxCluster[];
  /** cluster returns a cluster by name (or throws). */
  cluster(name: string): SandboxCluster;
  /** Paths of the kubeconfigs written into `dir` (undefined without one). */
  kubeconfigPath?: string;
  viewerKubeconfigPath?: string;
  /** kubeconfig returns the kubeconfig text for the admin or the viewer token. */
  kubeconfig(user?: 'admin' | 'viewer'): string;
  adminToken: string;
  viewerToken: string;
  /** PEM of the CA (undefined for plain HTTP). */
  caCert?: string;
  /** The admin endpoint's URL, when started. */
  adminUrl?: string;
  /** faults returns the fault control of one cluster. */
  faults(name: string): FaultControl;
  /** stop stops every cluster, the controllers and the admin endpoint. */
  stop(): Promise<void>;
}

/** defaultFingerprint is the stable kube-system uid of a cluster name (the same across restarts). */
export function defaultFingerprint(name: string): string {
  const h = createHash('sha256').update(`flotilla-sandbox/kube-system/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function clusterNames(clusters: number | string[] | undefined): string[] {
  if (Array.isArray(clusters)) {
    if (clusters.length === 0) throw new FlotillaError('USAGE', 'startSandbox: the cluster list is empty', { hint: 'Give at least one cluster name, or a count.' });
    const seen = new Set<string>();
    for (const name of clusters) {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new FlotillaError('USAGE', `startSandbox: cluster name "${name}" is not a DNS label`, { hint: 'Use lower-case letters, digits and dashes.' });
      if (seen.has(name)) throw new FlotillaError('USAGE', `startSandbox: cluster name "${name}" is given twice`, { hint: 'Give each cluster a different name.' });
      seen.add(name);
    }
    return clusters;
  }
  const n = clusters ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new FlotillaError('USAGE', `startSandbox: ${n} is not a cluster count`, { hint: 'Give a whole number of clusters, 1 or more.' });
  return Array.from({ length: n }, (_, i) => `cluster-${i + 1}`);
}

/**
 * startSandbox starts sandbox clusters in this process and returns when every one is listening.
 * Each answers the Kubernetes API on its own 127.0.0.1 port; `kubeconfig()` (and `dir`) give
 * kubectl and @kubernetes/client-node one context per cluster.
 */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<Sandbox> {
  const names = clusterNames(options.clusters);
  const adminToken = options.tokens?.admin ?? randomBytes(24).toString('hex');
  const viewerToken = options.tokens?.viewer ?? randomBytes(24).toString('hex');
  if (adminToken === viewerToken) throw new FlotillaError('USAGE', 'startSandbox: the admin and viewer tokens are the same', { hint: 'Give two different tokens.' });
  const tls: TlsMaterial | undefined = options.tls === false ? undefined : sharedTlsMaterial();
  const scheme = tls ? 'https' : 'http';
  const random = options.random ?? Math.random;

  const running: Array<{ cluster: SandboxCluster; http: ClusterHttpServer; controllers: Controllers }> = [];
  const stopAll = async () => {
    await Promise.all(running.map(async (r) => {
      r.controllers.stop();
      await r.http.stop();
    }));
  };
  try {
    for (const name of names) {
      let port = 0;
      const api = new ApiServer({
        clusterName: name,
        tokens: { admin: adminToken, viewer: viewerToken },
        kubeSystemUid: options.fingerprints?.[name] ?? defaultFingerprint(name),
        ...(options.clock ? { clock: options.clock } : {}),
        random,
        ...(options.historySize !== undefined ? { historySize: options.historySize } : {}),
        ...(options.watch ? { watch: options.watch } : {}),
        serverAddress: () => `127.0.0.1:${port}`,
        ...(options.listKeyDefaults !== undefined ? { listKeyDefaults: options.listKeyDefaults } : {}),
      });
      const http = new ClusterHttpServer({ api, ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}), random, ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}) });
      port = await http.start(0);
      const controllers = startControllers(api, options.controllers ?? {});
      const cluster: SandboxCluster = { name, url: `${scheme}://127.0.0.1:${port}`, port, context: name, fingerprint: api.store.get('/namespaces', '', 'kube-system')!.metadata.uid!, api };
      running.push({ cluster, http, controllers });
    }
  } catch (error) {
    await stopAll();
    throw new FlotillaError('SANDBOX_START_FAILED', `sandbox: a cluster could not start: ${(error as Error).message}`, { cause: error });
  }

  const clusters = running.map((r) => r.cluster);
  const byName = new Map(running.map((r) => [r.cluster.name, r]));
  const kubeconfig = (user: 'admin' | 'viewer' = 'admin') =>
    renderKubeconfig({ clusters: clusters.map((c) => ({ name: c.name, url: c.url })), user: `sandbox-${user}`, token: user === 'admin' ? adminToken : viewerToken, ...(tls ? { caCert: tls.caCert } : {}) });
  const faults = (name: string): FaultControl => {
    const entry = byName.get(name);
    if (!entry) throw new FlotillaError('USAGE', `sandbox: there is no cluster named "${name}"`, { cluster: name, hint: `The clusters are: ${names.join(', ')}.` });
    return {
      set: (change) => entry.http.setFaults(change),
      get: () => entry.http.faults,
      clear: () => entry.http.setFaults({ latencyMs: 0, errorRate: 0, errorStatus: 500, down: false }),
    };
  };

  let kubeconfigPath: string | undefined;
  let viewerKubeconfigPath: string | undefined;
  if (options.dir) {
    const dir = resolve(options.dir);
    try {
      mkdirSync(dir, { recursive: true });
      kubeconfigPath = join(dir, 'kubeconfig');
      viewerKubeconfigPath = join(dir, 'kubeconfig-viewer');
      writeFileSync(kubeconfigPath, kubeconfig('admin'), { mode: 0o600 });
      writeFileSync(viewerKubeconfigPath, kubeconfig('viewer'), { mode: 0o600 });
    } catch (error) {
      await stopAll();
      throw new FlotillaError('SANDBOX_START_FAILED', `sandbox: cannot write the kubeconfigs into ${dir}: ${(error as Error).message}`, { file: dir, cause: error });
    }
  }

  let admin: AdminServer | undefined;
  if (options.adminEndpoint) {
    admin = await startAdminServer({
      token: adminToken,
      clusters: () => clusters.map((c) => ({ name: c.name, url: c.url, fingerprint: c.fingerprint, faults: byName.get(c.name)!.http.faults })),
      faults,
      ...(options.onShutdownRequest ? { onShutdown: options.onShutdownRequest } : {}),
    });
  }

  let stopped = false;
  return {
    clusters,
    cluster(name) {
      const entry = byName.get(name);
      if (!entry) throw new FlotillaError('USAGE', `sandbox: there is no cluster named "${name}"`, { cluster: name, hint: `The clusters are: ${names.join(', ')}.` });
      return entry.cluster;
    },
    ...(kubeconfigPath ? { kubeconfigPath, viewerKubeconfigPath } : {}),
    kubeconfig,
    adminToken,
    viewerToken,
    ...(tls ? { caCert: tls.caCert } : {}),
    ...(admin ? { adminUrl: admin.url } : {}),
    faults,
    async stop() {
      if (stopped) return;
      stopped = true;
      await admin?.stop();
      await stopAll();
    },
  };
}

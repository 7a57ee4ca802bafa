import { KubeConfig } from '@kubernetes/client-node';
import { FlotillaError } from '../core/index.js';

// Credentials never live in the fleet repository (SPEC §2.1): a cluster record names a context of
// the hub's kubeconfig, and every cluster gets a KubeConfig of its own with that context current,
// because client-node's authentication reads the *current* context at each request.

/** LoadKubeconfigOptions say where the kubeconfig comes from. */
export interface LoadKubeconfigOptions {
  /** An explicit file (--kubeconfig); wins over the environment. */
  path?: string;
  /** The KUBECONFIG value (files separated by `:`), read by the caller. @default undefined: client-node's default lookup */
  env?: string;
  /** A kubeconfig as text (tests, the sandbox). Wins over both. */
  text?: string;
  /**
   * The pod's service account (the agent without a kubeconfig): KUBERNETES_SERVICE_HOST and _PORT,
   * and the token and CA under `pathPrefix` + /var/run/secrets/kubernetes.io/serviceaccount. Its
   * one context is `inClusterContext`. Used only when no text, path or env is given.
   */
  inCluster?: { pathPrefix?: string };
}

/**
 * loadKubeconfig reads the kubeconfig with client-node: the text, else the file, else the files of
 * KUBECONFIG, else ~/.kube/config. A file that cannot be read fails with KUBECONFIG_INVALID.
 */
export function loadKubeconfig(options: LoadKubeconfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  const source = options.text !== undefined ? 'the kubeconfig text' : options.path ?? options.env ?? (options.inCluster ? 'of the pod (in-cluster service account)' : '~/.kube/config');
  try {
    if (options.text !== undefined) kc.loadFromString(options.text);
    else if (options.path) kc.loadFromFile(options.path);
    else if (options.inCluster && !options.env) {
      if (!process.env.KUBERNETES_SERVICE_HOST || !process.env.KUBERNETES_SERVICE_PORT) throw new Error('KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set: this process does not run in a pod');
      kc.loadFromCluster(options.inCluster.pathPrefix);
    } else if (options.env) {
      const files = options.env.split(':').filter(Boolean);
      if (files.length === 1) kc.loadFromFile(files[0]!);
      else kc.loadFromDefault();
    } else kc.loadFromDefault();
  } catch (error) {
    throw new FlotillaError('KUBECONFIG_INVALID', `kubeconfig ${source}: ${(error as Error).message}`, { file: options.path, cause: error });
  }
  return kc;
}

/**
 * contextKubeConfig returns a KubeConfig whose current context is `context`, sharing nothing
 * mutable with `kc`. A missing context, or one whose cluster or user is missing, fails with
 * KUBE_CONTEXT_NOT_FOUND / KUBECONFIG_INVALID naming the cluster record.
 */
export function contextKubeConfig(kc: KubeConfig, context: string, cluster: string): KubeConfig {
  const ctx = kc.getContextObject(context);
  if (!ctx) {
    const known = kc.getContexts().map((c) => c.name);
    throw new FlotillaError('KUBE_CONTEXT_NOT_FOUND', `cluster ${cluster}: the kubeconfig has no context "${context}"; it has ${known.length ? known.join(', ') : 'none'}`, { cluster });
  }
  const clusterEntry = kc.getCluster(ctx.cluster);
  const user = kc.getUser(ctx.user);
  if (!clusterEntry) throw new FlotillaError('KUBECONFIG_INVALID', `cluster ${cluster}: context "${context}" names kubeconfig cluster "${ctx.cluster}", which is not defined`, { cluster });
  const one = new KubeConfig();
  one.loadFromOptions({
    clusters: [clusterEntry],
    users: user ? [user] : [],
    contexts: [ctx],
    currentContext: ctx.name,
  });
  return one;
}

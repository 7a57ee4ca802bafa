import { stringify } from 'yaml';

/** KubeconfigCluster is one cluster entry of a kubeconfig the sandbox writes. */
export interface KubeconfigCluster {
  name: string;
  url: string;
}

/** KubeconfigOptions say what a kubeconfig holds: the clusters (one context each), the user's token, the CA. */
export interface KubeconfigOptions {
  clusters: KubeconfigCluster[];
  user: string;
  token: string;
  /** PEM of the CA that signed the servers' certificate; absent for plain HTTP. */
  caCert?: string;
  /** The context selected by default. @default the first cluster */
  currentContext?: string;
}

/**
 * renderKubeconfig prints a kubeconfig with one context per cluster, all using one token user,
 * as kubectl and @kubernetes/client-node read it.
 */
export function renderKubeconfig(options: KubeconfigOptions): string {
  const ca = options.caCert ? Buffer.from(options.caCert).toString('base64') : undefined;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: options.clusters.map((c) => ({ name: c.name, cluster: { server: c.url, ...(ca ? { 'certificate-authority-data': ca } : {}) } })),
    users: [{ name: options.user, user: { token: options.token } }],
    contexts: options.clusters.map((c) => ({ name: c.name, context: { cluster: c.name, user: options.user } })),
    'current-context': options.currentContext ?? options.clusters[0]?.name ?? '',
  };
  return stringify(config, { lineWidth: 0 });
}

// A fleet for load: releases r0…rN, each a Namespace, a ConfigMap `cfg` whose `gen` says which
// commit wrote it, and a static ConfigMap, on every cluster. Shared by the hub-load benchmark and
// the reliability test that runs the same stream of commits and edits at CI size. Cluster state
// is read in-process (no HTTP), so the reads never load the hub's path to the clusters.
import type { SandboxCluster } from '../../src/sandbox/index.js';
import { clusterRecord } from './fleet-files.js';

/** loadFleetFiles is the fleet's file tree with each release's `gen` as given. */
export function loadFleetFiles(clusters: readonly string[], releases: readonly string[], generation: Readonly<Record<string, number>>): Record<string, string> {
  const files: Record<string, string> = {
    'flotilla.yaml': `apiVersion: flotilla.dev/v1alpha1
kind: Fleet
metadata: {name: load}
spec:
  releases:
${releases.map((r) => `  - {name: ${r}, path: apps/${r}, namespace: ${r}, targets: {selector: {}}}`).join('\n')}
`,
  };
  for (const r of releases) {
    files[`apps/${r}/kustomization.yaml`] = 'resources: [namespace.yaml, config.yaml, static.yaml]\n';
    files[`apps/${r}/namespace.yaml`] = `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${r}}\n`;
    files[`apps/${r}/config.yaml`] = configFile(generation[r] ?? 0);
    files[`apps/${r}/static.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: static}\ndata: {a: "1", b: "2"}\n`;
  }
  for (const name of clusters) files[`clusters/${name}/cluster.yaml`] = clusterRecord(name, { labels: { env: 'load' } });
  return files;
}

/** configFile is a release's `cfg` ConfigMap at a generation (the file a load commit changes). */
export function configFile(generation: number): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {gen: "${generation}", cluster: "\${CLUSTER_NAME}"}\n`;
}

/** generationOf reads `cfg`'s gen of a release on a cluster (undefined when it is not there). */
export function generationOf(cluster: SandboxCluster, token: string, release: string): string | undefined {
  const answer = cluster.api.handle({ method: 'GET', path: `/api/v1/namespaces/${release}/configmaps/cfg`, query: new URLSearchParams(), headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  if (answer.status !== 200 || !('body' in answer) || answer.body === undefined) return undefined;
  const body = typeof answer.body === 'string' ? JSON.parse(answer.body) : JSON.parse(Buffer.from(answer.body as Uint8Array).toString('utf8'));
  return (body as { data?: { gen?: string } }).data?.gen;
}

/** tamper edits `cfg`'s gen to `tampered` as a person with kubectl edit would; true when the edit was made. */
export function tamper(cluster: SandboxCluster, token: string, release: string): boolean {
  const answer = cluster.api.handle({ method: 'PATCH', path: `/api/v1/namespaces/${release}/configmaps/cfg`, query: new URLSearchParams(), headers: { authorization: `Bearer ${token}`, contentType: 'application/merge-patch+json', accept: 'application/json', userAgent: 'kubectl-edit/1' }, body: JSON.stringify({ data: { gen: 'tampered' } }) });
  return answer.status === 200;
}

// Fleet files on disk for tests and benchmarks: a tree of files written under a directory, and
// the text of a cluster record. This module loads nothing but node:fs, so benchmarks can use it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** writeTree writes files (relative path → text) under a directory, creating the directories. */
export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** ClusterRecordOptions are what varies between the cluster records of test fleets. */
export interface ClusterRecordOptions {
  labels: Record<string, string>;
  /** spec.connection, in this order. @default {context: <name>} */
  connection?: Record<string, string>;
  /** Lines appended to the record as they are (more spec fields, say). */
  extra?: string;
}

const flowMap = (map: Record<string, string>) => `{${Object.entries(map).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;

/** clusterRecord is a cluster record whose identity variable CLUSTER_NAME is its name. */
export function clusterRecord(name: string, options: ClusterRecordOptions): string {
  return `apiVersion: flotilla.dev/v1alpha1
kind: Cluster
metadata:
  name: ${name}
  labels: ${flowMap(options.labels)}
spec:
  identity: {CLUSTER_NAME: ${name}}
  connection: ${flowMap(options.connection ?? { context: name })}
${options.extra ?? ''}`;
}

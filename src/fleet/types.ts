import type { LabelSelector } from './selector-types.js';

/** ClusterRecord is a `kind: Cluster` file (SPEC §2.1). */
export interface ClusterRecord {
  name: string;
  labels: Record<string, string>;
  identity: Record<string, string>;
  connection: { context?: string; mode?: 'push' | 'pull' };
  /** The uid of the live kube-system namespace, written by `flotilla bootstrap`. */
  fingerprint?: string;
  /** The record's file, relative to the fleet root. */
  file: string;
}

/** HelmSource is a release's `helm:` block (SPEC §2.2). */
export interface HelmSource {
  chart: string | { repo: string; name: string; version?: string };
  version?: string;
  values?: Record<string, unknown>;
  valuesFiles?: string[];
  optionalValuesFiles?: string[];
}

/** ReleaseTargets is a release's `targets:` block. */
export interface ReleaseTargets {
  selector?: LabelSelector;
  clusters?: string[];
  exclude?: string[];
}

/** IgnoreRule is one `ignore:` entry: drift in these paths of these objects is expected. */
export interface IgnoreRule {
  group?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  paths: string[];
}

/** Release is one unit of deployment (SPEC §2.2), as written in the fleet file, templates unexpanded. */
export interface Release {
  name: string;
  path?: string;
  helm?: HelmSource;
  /** Another Git repository (and branch) holding the release's path, for repository-per-environment layouts. */
  repo?: { url: string; branch?: string };
  targets: ReleaseTargets;
  dependsOn: string[];
  namespace?: string;
  substitute: Record<string, string>;
  prune: boolean;
  allowEmpty: boolean;
  wait: boolean;
  /** Milliseconds. */
  timeout: number;
  selfHeal: boolean;
  ignore: IgnoreRule[];
}

/** RolloutWave is one wave of SPEC §7. */
export interface RolloutWave {
  name: string;
  selector: LabelSelector;
  maxParallel?: number | string;
  /** Milliseconds. */
  soak?: number;
  approval?: 'manual';
}

/** RolloutSpec is the fleet's `rollout:` block. */
export interface RolloutSpec {
  waves: RolloutWave[];
  failurePolicy: 'halt' | 'rollback';
}

/** GuardSpec is one `guards:` entry (SPEC §5). */
export interface GuardSpec {
  name: string;
  builtin?: 'identity';
  clusters?: LabelSelector;
  denyObjects?: LabelSelector;
}

/** NotificationSpec is one `notifications:` entry. */
export interface NotificationSpec {
  name: string;
  type: 'slack' | 'webhook';
  urlFrom: { env?: string; file?: string };
  secretFrom?: { env?: string; file?: string };
  events: string[];
}

/** Fleet is a validated fleet repository: the fleet file and every cluster record. */
export interface Fleet {
  name: string;
  /** The fleet file, relative to the root (normally `flotilla.yaml`). */
  file: string;
  clusters: ClusterRecord[];
  releases: Release[];
  rollout?: RolloutSpec;
  guards: GuardSpec[];
  notifications: NotificationSpec[];
}

/** Target is a (release, cluster) pair with the release's templates expanded for that cluster. */
export interface Target {
  release: Release;
  cluster: ClusterRecord;
  /** The release path with templates expanded, relative to the fleet root (kustomize releases). */
  path?: string;
  /** The substitution variables for this target (release substitute + identity + CLUSTER_NAME). */
  variables: Record<string, string>;
}

import type { Issue } from '../core/index.js';
import type { LabelSelector } from './selector-types.js';

/** ClusterRecord is a `kind: Cluster` file (SPEC §2.1). */
export interface ClusterRecord {
  name: string;
  labels: Record<string, string>;
  /** Facts the cluster must prove (the identity guard) and that become substitution variables. */
  identity: Record<string, string>;
  connection: { context?: string; mode: 'push' | 'pull' };
  /** The uid of the live kube-system namespace, written by `flotilla bootstrap`. */
  fingerprint?: string;
  /** The cluster's Kubernetes version (`1.31`, `v1.31.4`): Helm charts render for it (`--kube-version`). */
  kubernetesVersion?: string;
  /** The record's file, relative to the fleet root. */
  file: string;
}

/** HelmChartRef is a chart from a chart repository, as opposed to a chart directory in the fleet repository. */
export interface HelmChartRef {
  repo: string;
  name: string;
  version?: string;
}

/** HelmSource is a release's `helm:` block (SPEC §2.2). Strings may hold templates until a Target expands them. */
export interface HelmSource {
  chart: string | HelmChartRef;
  version?: string;
  values?: Record<string, unknown>;
  valuesFiles?: string[];
  /** Values files that may be missing (the others must exist). */
  optionalValuesFiles?: string[];
}

/** ReleaseTargets is a release's `targets:` block: selector ∪ clusters − exclude. */
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
  /** An object name; `*` matches every name. */
  name?: string;
  /** JSON pointers, e.g. `/spec/replicas`. */
  paths: string[];
}

/** ReleaseRepo names another Git repository (and branch) that holds a release's path. */
export interface ReleaseRepo {
  url: string;
  branch?: string;
}

/** Release is one unit of deployment (SPEC §2.2), as written in the fleet file, templates unexpanded. */
export interface Release {
  name: string;
  /** The index of the release in `spec.releases`, for messages (`spec.releases[2].path`). */
  index: number;
  path?: string;
  helm?: HelmSource;
  /** Another Git repository (and branch) holding the release's path, for repository-per-environment layouts. */
  repo?: ReleaseRepo;
  targets: ReleaseTargets;
  dependsOn: string[];
  namespace?: string;
  substitute: Record<string, string>;
  /** @default true */
  prune: boolean;
  /** Whether a render of zero objects may prune a non-empty inventory. @default false */
  allowEmpty: boolean;
  /** @default false */
  wait: boolean;
  /** Milliseconds. @default 300000 (5m) */
  timeout: number;
  /** @default true */
  selfHeal: boolean;
  ignore: IgnoreRule[];
}

/** RolloutWave is one wave of SPEC §7. */
export interface RolloutWave {
  name: string;
  selector: LabelSelector;
  /** A count of targets, or a percentage such as `"25%"`. */
  maxParallel?: number | string;
  /** Milliseconds. */
  soak?: number;
  approval?: 'manual';
}

/** RolloutSpec is the fleet's `rollout:` block. */
export interface RolloutSpec {
  waves: RolloutWave[];
  /** @default 'halt' */
  failurePolicy: 'halt' | 'rollback';
}

/** GuardSpec is one `guards:` entry (SPEC §5): the built-in identity guard, or a denyObjects guard. */
export interface GuardSpec {
  name: string;
  builtin?: 'identity';
  /** The clusters the guard applies to; absent means every cluster. */
  clusters?: LabelSelector;
  denyObjects?: LabelSelector;
}

/** SecretSource says where a secret comes from: an environment variable or a file, never Git. */
export interface SecretSource {
  env?: string;
  file?: string;
}

/** NotificationSpec is one `notifications:` entry. */
export interface NotificationSpec {
  name: string;
  type: 'slack' | 'webhook';
  urlFrom: SecretSource;
  secretFrom?: SecretSource;
  events: string[];
}

/** Fleet is a validated fleet repository: the fleet file and every cluster record. */
export interface Fleet {
  name: string;
  /** The fleet file, relative to the root (normally `flotilla.yaml`). */
  file: string;
  /** The glob of cluster records, relative to the root. @default 'clusters/*\/cluster.yaml' */
  clustersGlob: string;
  /** Sorted by name. */
  clusters: ClusterRecord[];
  /** In the order of the fleet file. */
  releases: Release[];
  /** The directory `flotilla bootstrap` copies a new cluster's overlay from (`spec.clusterTemplate.path`), relative to the root. */
  clusterTemplate?: { path: string };
  rollout?: RolloutSpec;
  /**
   * The guards, always including one with `builtin: identity`: when the fleet file does not list
   * it, it is added under the name `identity`, because a cluster must never receive another's config.
   */
  guards: GuardSpec[];
  notifications: NotificationSpec[];
}

/** Target is a (release, cluster) pair with the release's templates expanded for that cluster. */
export interface Target {
  release: Release;
  cluster: ClusterRecord;
  /** `<cluster>/<release>`, unique in a fleet. */
  key: string;
  /** The release path with templates expanded, relative to its repository root (kustomize releases). */
  path?: string;
  /** The helm block with templates expanded (helm releases). */
  helm?: HelmSource;
  /** The repository with templates expanded, when the release lives in another repository. */
  repo?: ReleaseRepo;
  /** The substitution variables for this target (release substitute + identity + CLUSTER_NAME). */
  variables: Record<string, string>;
  /**
   * What is wrong with this target before rendering (a template naming a label the cluster does
   * not have, a path leaving the repository). A target with issues does not render; others go on.
   */
  issues: Issue[];
}

import { selectorMatches, type LabelSelector } from '../manifest/index.js';
import type { Issue } from '../core/index.js';
import { pathLeavesRepository } from './load.js';
import { fieldIssue, type FieldPath } from './source-file.js';
import { expandTemplate, type TemplateContext } from './template.js';
import type { ClusterRecord, Fleet, HelmSource, Release, Target } from './types.js';

/** TargetFilter narrows selectTargets; every given field must match. */
export interface TargetFilter {
  /** A cluster name. */
  cluster?: string;
  /** A release name. */
  release?: string;
  /** Clusters whose labels match. */
  selector?: LabelSelector;
}

/** releaseSelects tells whether a release's targets choose a cluster: selector ∪ clusters − exclude. */
export function releaseSelects(release: Release, cluster: ClusterRecord): boolean {
  const { selector, clusters = [], exclude = [] } = release.targets;
  if (exclude.includes(cluster.name)) return false;
  return clusters.includes(cluster.name) || (selector !== undefined && selectorMatches(selector, cluster.labels));
}

/**
 * releaseOrder sorts releases so that each comes after the releases it depends on, keeping the
 * fleet file's order otherwise (cycles are rejected by loadFleet; any left keep file order).
 */
export function releaseOrder(releases: readonly Release[]): Release[] {
  const byName = new Map(releases.map((r) => [r.name, r]));
  const out: Release[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (release: Release) => {
    if (placed.has(release.name) || visiting.has(release.name)) return;
    visiting.add(release.name);
    for (const dep of release.dependsOn) {
      const d = byName.get(dep);
      if (d) place(d);
    }
    visiting.delete(release.name);
    placed.add(release.name);
    out.push(release);
  };
  releases.forEach(place);
  return out;
}

/**
 * selectTargets lists the (release, cluster) pairs of a fleet, clusters by name and, within a
 * cluster, releases in dependency order, with templates expanded for each. A template that
 * names a label or identity key the cluster lacks, or a path that leaves the repository once
 * expanded, is recorded in the target's `issues` (naming the release, field and cluster): that
 * target will not render, the others are unaffected.
 */
export function selectTargets(fleet: Fleet, filter: TargetFilter = {}): Target[] {
  const releases = releaseOrder(fleet.releases).filter((r) => filter.release === undefined || r.name === filter.release);
  const out: Target[] = [];
  for (const cluster of fleet.clusters) {
    if (filter.cluster !== undefined && cluster.name !== filter.cluster) continue;
    if (filter.selector !== undefined && !selectorMatches(filter.selector, cluster.labels)) continue;
    for (const release of releases) {
      if (releaseSelects(release, cluster)) out.push(expandTarget(fleet, release, cluster));
    }
  }
  return out;
}

/** expandTarget builds the target of one release on one cluster, expanding its templates. */
export function expandTarget(fleet: Fleet, release: Release, cluster: ClusterRecord): Target {
  const issues: Issue[] = [];
  const ctx: TemplateContext = { cluster, release };
  const at = (...rest: FieldPath): FieldPath => ['spec', 'releases', release.index, ...rest];
  // On a template error the text is kept as is and the issue recorded, so one target can report several.
  let failed = false;
  const expand = (text: string, path: FieldPath): string => {
    const result = expandTemplate(text, ctx);
    if ('error' in result) {
      failed = true;
      issues.push(fieldIssue('FLEET_TEMPLATE_UNDEFINED', { file: fleet.file }, path, `release ${release.name}: ${result.error}`, { cluster: cluster.name }));
      return text;
    }
    return result.value;
  };
  const repoPath = (text: string, path: FieldPath): string => {
    failed = false;
    const value = expand(text, path);
    if (!failed && pathLeavesRepository(value)) {
      issues.push(fieldIssue('FLEET_PATH_OUTSIDE_REPOSITORY', { file: fleet.file }, path, `release ${release.name}: "${text}" expands to "${value}", which is outside the repository`, { cluster: cluster.name }));
    }
    return value;
  };

  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(release.substitute)) {
    if (Object.prototype.hasOwnProperty.call(cluster.identity, name)) {
      issues.push(
        fieldIssue('FLEET_VARIABLE_CONFLICT', { file: fleet.file }, at('substitute', name), `release ${release.name} sets ${name}, which the identity of cluster ${cluster.name} (${cluster.file}) already defines`, { cluster: cluster.name }),
      );
      continue;
    }
    variables[name] = expand(value, at('substitute', name));
  }
  Object.assign(variables, cluster.identity, { CLUSTER_NAME: cluster.name });

  const target: Target = { release, cluster, key: `${cluster.name}/${release.name}`, variables, issues };
  if (release.path !== undefined) target.path = repoPath(release.path, at('path'));
  if (release.repo) {
    target.repo = { url: expand(release.repo.url, at('repo', 'url')), ...(release.repo.branch !== undefined ? { branch: expand(release.repo.branch, at('repo', 'branch')) } : {}) };
  }
  if (release.helm) target.helm = expandHelm(release.helm, expand, repoPath, at('helm'));
  return target;
}

function expandHelm(helm: HelmSource, expand: (text: string, path: FieldPath) => string, repoPath: (text: string, path: FieldPath) => string, at: FieldPath): HelmSource {
  const deep = (value: unknown, path: FieldPath): unknown => {
    if (typeof value === 'string') return expand(value, path);
    if (Array.isArray(value)) return value.map((v, i) => deep(v, [...path, i]));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v, [...path, k])]));
    return value;
  };
  return {
    ...helm,
    ...(helm.values ? { values: deep(helm.values, [...at, 'values']) as Record<string, unknown> } : {}),
    ...(helm.valuesFiles ? { valuesFiles: helm.valuesFiles.map((f, i) => repoPath(f, [...at, 'valuesFiles', i])) } : {}),
    ...(helm.optionalValuesFiles ? { optionalValuesFiles: helm.optionalValuesFiles.map((f, i) => repoPath(f, [...at, 'optionalValuesFiles', i])) } : {}),
  };
}

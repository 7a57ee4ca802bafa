import { posix } from 'node:path';
import { FlotillaError, fail, ok, type Issue, type Result } from '../core/index.js';
import { labelsProblems, maxYamlBytes, parseYamlStream, selectorProblems, type LabelSelector } from '../manifest/index.js';
import type { FleetFs } from './ports.js';
import { expandGlob, globProblem } from './glob.js';
import { closest } from './suggest.js';
import { fieldIssue, type FieldPath, type SourceFile } from './source-file.js';
import { hasTemplate, parseTemplate, templateKeys } from './template.js';
import type { ClusterRecord, Fleet, GuardSpec, HelmSource, IgnoreRule, NotificationSpec, Release, RolloutSpec } from './types.js';
import { validateDocument } from './validate.js';

/** fleetFileName is the fleet file at the root of a fleet repository. */
export const fleetFileName = 'flotilla.yaml';

/** defaultClustersGlob is where cluster records are looked for when the fleet file does not say. */
export const defaultClustersGlob = 'clusters/*/cluster.yaml';

/** defaultTimeoutMs is a release's `timeout` when it sets none: five minutes. */
export const defaultTimeoutMs = 5 * 60 * 1000;

/** identityGuardName is the name the built-in identity guard gets when the fleet file does not list it. */
export const identityGuardName = 'identity';

/** parseDuration reads a Go-style duration (`1h30m`, `45s`, `500ms`) as milliseconds. */
export function parseDuration(text: string): number {
  let ms = 0;
  for (const match of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) {
    const n = Number(match[1]);
    ms += match[2] === 'ms' ? n : match[2] === 's' ? n * 1000 : match[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  return Math.round(ms);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function readText(fs: FleetFs, root: string, abs: string, file: string): Result<string> {
  // The file's size is checked before it is read, and where it really is: a fleet file or a
  // cluster record linked from outside the repository is not read (its text would reach messages).
  const stat = fs.stat(abs);
  if (stat && stat.size > maxYamlBytes) {
    return fail(new FlotillaError('FILE_TOO_LARGE', `${file}: ${stat.size} bytes is more than the ${maxYamlBytes}-byte limit for a YAML file`, { file }));
  }
  let bytes: Uint8Array;
  try {
    const real = fs.realpath(abs);
    const realRoot = fs.realpath(root);
    if (!real.startsWith(realRoot.endsWith('/') ? realRoot : realRoot + '/')) {
      return fail(new FlotillaError('FLEET_PATH_OUTSIDE_REPOSITORY', `${file}: resolves to ${real}, outside the repository (through a symbolic link)`, { file, hint: 'Keep the fleet file and cluster records inside the repository, as regular files.' }));
    }
    bytes = fs.readFile(abs);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return fail(new FlotillaError('FILE_NOT_FOUND', `${file}: the file does not exist`, { file }));
    return fail(new FlotillaError('FILE_UNREADABLE', `${file}: cannot be read: ${(error as Error).message}`, { file, cause: error }));
  }
  try {
    return ok(decoder.decode(bytes));
  } catch {
    return fail(new FlotillaError('FILE_NOT_TEXT', `${file}: the file is not valid UTF-8 text`, { file }));
  }
}

interface Parsed {
  source: SourceFile;
  value: unknown;
}

function readDocuments(fs: FleetFs, root: string, file: string): Result<Parsed[]> {
  const text = readText(fs, root, posix.join(root, file), file);
  if (!text.ok) return text;
  const docs = parseYamlStream(text.value, { file });
  if (!docs.ok) return docs;
  return ok(docs.value.map((d) => ({ source: { file, text: text.value, doc: d.doc }, value: d.value })));
}

/**
 * loadFleet reads a fleet repository: `flotilla.yaml` at `root` and every cluster record its
 * glob names, validates them against the schema and the rules a schema cannot express
 * (duplicate names, dangling references, dependency cycles, paths leaving the repository,
 * templates, selectors), and returns every problem found, not only the first.
 */
export function loadFleet(fs: FleetFs, root: string): Result<Fleet> {
  const rootDir = root.replace(/\/+$/, '') || '/';
  if (fs.stat(posix.join(rootDir, fleetFileName))?.kind !== 'file') {
    return fail(new FlotillaError('FLEET_NOT_FOUND', `${rootDir}: no ${fleetFileName} here; this is not a fleet repository`, { file: fleetFileName }));
  }
  const issues: Issue[] = [];
  const docs = readDocuments(fs, rootDir, fleetFileName);
  if (!docs.ok) return docs;
  if (docs.value.length !== 1) {
    return fail(new FlotillaError('FLEET_INVALID', `${fleetFileName}: holds ${docs.value.length} YAML documents; the fleet file is exactly one document of kind Fleet`, { file: fleetFileName }));
  }
  const { source, value } = docs.value[0]!;
  const schemaIssues = validateDocument('fleet', value, source, 'FLEET_INVALID');
  issues.push(...schemaIssues);
  const spec = (value as { spec?: Record<string, unknown> } | null)?.spec;
  const clustersGlob = typeof spec?.clusters === 'string' ? spec.clusters : defaultClustersGlob;

  const clusters = loadClusters(fs, rootDir, clustersGlob, source, issues);
  if (schemaIssues.length > 0) return fail(...issues);

  const raw = value as RawFleet;
  const fleet: Fleet = {
    name: raw.metadata.name,
    file: fleetFileName,
    clustersGlob,
    clusters,
    releases: (raw.spec.releases ?? []).map((r, index) => toRelease(r, index)),
    ...(raw.spec.clusterTemplate ? { clusterTemplate: { path: raw.spec.clusterTemplate.path } } : {}),
    rollout: raw.spec.rollout ? toRollout(raw.spec.rollout) : undefined,
    guards: (raw.spec.guards ?? []).map((g) => ({ ...g })),
    notifications: (raw.spec.notifications ?? []) as NotificationSpec[],
  };
  checkFleet(fleet, raw, source, issues);
  if (!fleet.guards.some((g) => g.builtin === 'identity')) fleet.guards.unshift({ name: identityGuardName, builtin: 'identity' });
  return issues.length ? fail(...issues) : ok(fleet);
}

// ---- the raw shapes, as the schema guarantees them

interface RawRelease {
  name: string;
  path?: string;
  helm?: HelmSource;
  repo?: { url: string; branch?: string };
  targets: { selector?: LabelSelector; clusters?: string[]; exclude?: string[] };
  dependsOn?: string[];
  namespace?: string;
  substitute?: Record<string, string>;
  prune?: boolean;
  allowEmpty?: boolean;
  wait?: boolean;
  timeout?: string;
  selfHeal?: boolean;
  ignore?: IgnoreRule[];
}

interface RawFleet {
  metadata: { name: string };
  spec: {
    clusters?: string;
    releases?: RawRelease[];
    clusterTemplate?: { path: string };
    rollout?: { waves: { name: string; selector: LabelSelector; maxParallel?: number | string; soak?: string; approval?: 'manual' }[]; failurePolicy?: 'halt' | 'rollback' };
    guards?: GuardSpec[];
    notifications?: unknown[];
  };
}

interface RawCluster {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { identity?: Record<string, string>; connection?: { context?: string; mode?: 'push' | 'pull' }; fingerprint?: string; kubernetesVersion?: string };
}

function toRelease(r: RawRelease, index: number): Release {
  return {
    name: r.name,
    index,
    ...(r.path !== undefined ? { path: r.path } : {}),
    ...(r.helm ? { helm: r.helm } : {}),
    ...(r.repo ? { repo: r.repo } : {}),
    targets: r.targets,
    dependsOn: r.dependsOn ?? [],
    ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
    substitute: r.substitute ?? {},
    prune: r.prune ?? true,
    allowEmpty: r.allowEmpty ?? false,
    wait: r.wait ?? false,
    timeout: r.timeout !== undefined ? parseDuration(r.timeout) : defaultTimeoutMs,
    selfHeal: r.selfHeal ?? true,
    ignore: r.ignore ?? [],
  };
}

function toRollout(r: NonNullable<RawFleet['spec']['rollout']>): RolloutSpec {
  return {
    waves: r.waves.map((w) => ({
      name: w.name,
      selector: w.selector,
      ...(w.maxParallel !== undefined ? { maxParallel: w.maxParallel } : {}),
      ...(w.soak !== undefined ? { soak: parseDuration(w.soak) } : {}),
      ...(w.approval ? { approval: w.approval } : {}),
    })),
    failurePolicy: r.failurePolicy ?? 'halt',
  };
}

// ---- cluster records

function loadClusters(fs: FleetFs, root: string, glob: string, fleetSource: SourceFile, issues: Issue[]): ClusterRecord[] {
  const problem = globProblem(glob);
  if (problem) {
    issues.push(fieldIssue('FLEET_INVALID', fleetSource, ['spec', 'clusters'], `"${glob}" ${problem}`));
    return [];
  }
  const records: ClusterRecord[] = [];
  const byName = new Map<string, ClusterRecord>();
  for (const file of expandGlob(fs, root, glob)) {
    const docs = readDocuments(fs, root, file);
    if (!docs.ok) {
      issues.push(...docs.issues);
      continue;
    }
    for (const { source, value } of docs.value) {
      const schemaIssues = validateDocument('cluster', value, source, 'FLEET_CLUSTER_INVALID');
      if (schemaIssues.length) {
        issues.push(...schemaIssues);
        continue;
      }
      const raw = value as RawCluster;
      const record: ClusterRecord = {
        name: raw.metadata.name,
        labels: raw.metadata.labels ?? {},
        identity: raw.spec?.identity ?? {},
        connection: { context: raw.spec?.connection?.context ?? raw.metadata.name, mode: raw.spec?.connection?.mode ?? 'push' },
        ...(raw.spec?.fingerprint ? { fingerprint: raw.spec.fingerprint } : {}),
        ...(raw.spec?.kubernetesVersion ? { kubernetesVersion: raw.spec.kubernetesVersion } : {}),
        file,
      };
      for (const p of labelsProblems(record.labels)) {
        issues.push(fieldIssue('FLEET_CLUSTER_INVALID', source, ['metadata', 'labels', ...p.path], p.message, { atKey: true }));
      }
      const idName = record.identity.CLUSTER_NAME;
      if (idName !== undefined && idName !== record.name) {
        issues.push(fieldIssue('FLEET_CLUSTER_INVALID', source, ['spec', 'identity', 'CLUSTER_NAME'], `is "${idName}" but the cluster is named "${record.name}"; CLUSTER_NAME is always the cluster's name`));
      }
      const previous = byName.get(record.name);
      if (previous) {
        issues.push(fieldIssue('FLEET_DUPLICATE_NAME', source, ['metadata', 'name'], `cluster "${record.name}" is already defined in ${previous.file}`));
        continue;
      }
      byName.set(record.name, record);
      records.push(record);
    }
  }
  return records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// ---- rules beyond the schema

function suggest(name: string, known: string[]): string {
  const near = closest(name, known);
  return near ? ` (did you mean "${near}"?)` : '';
}

function listNames(names: string[]): string {
  return names.length ? names.join(', ') : 'none';
}

function checkFleet(fleet: Fleet, raw: RawFleet, source: SourceFile, issues: Issue[]): void {
  const clusterNames = fleet.clusters.map((c) => c.name);
  const releaseNames = fleet.releases.map((r) => r.name);
  // Sets, not lists: a fleet file may list tens of thousands of releases.
  const clusterSet = new Set(clusterNames);
  const releaseSet = new Set(releaseNames);
  const duplicates = (names: string[], at: (i: number) => FieldPath, what: string) => {
    const first = new Map<string, number>();
    names.forEach((name, i) => {
      const seen = first.get(name);
      if (seen === undefined) first.set(name, i);
      else issues.push(fieldIssue('FLEET_DUPLICATE_NAME', source, at(i), `${what} "${name}" is already defined at index ${seen}`));
    });
  };
  duplicates(releaseNames, (i) => ['spec', 'releases', i, 'name'], 'release');
  duplicates(fleet.guards.map((g) => g.name), (i) => ['spec', 'guards', i, 'name'], 'guard');
  duplicates(fleet.notifications.map((n) => n.name), (i) => ['spec', 'notifications', i, 'name'], 'notification');
  duplicates(fleet.rollout?.waves.map((w) => w.name) ?? [], (i) => ['spec', 'rollout', 'waves', i, 'name'], 'wave');

  const selector = (selector: LabelSelector | undefined, at: FieldPath) => {
    if (!selector) return;
    for (const p of selectorProblems(selector)) issues.push(fieldIssue('FLEET_SELECTOR_INVALID', source, [...at, ...p.path], p.message));
  };

  fleet.releases.forEach((release, i) => {
    const at: FieldPath = ['spec', 'releases', i];
    const rawRelease = raw.spec.releases![i]!;
    if ((release.path === undefined) === (release.helm === undefined)) {
      issues.push(fieldIssue('FLEET_INVALID', source, at, `release "${release.name}" must set exactly one of path (a kustomize directory) and helm (a chart)`));
    }
    const { targets } = release;
    if (targets.selector === undefined && (targets.clusters ?? []).length === 0) {
      issues.push(fieldIssue('FLEET_INVALID', source, [...at, 'targets'], 'selects no cluster: give a selector (selector: {} for every cluster) or a list of clusters'));
    }
    selector(targets.selector, [...at, 'targets', 'selector']);
    for (const list of ['clusters', 'exclude'] as const) {
      (targets[list] ?? []).forEach((name, j) => {
        if (!clusterSet.has(name)) {
          issues.push(fieldIssue('FLEET_UNKNOWN_REFERENCE', source, [...at, 'targets', list, j], `no cluster is named "${name}"${suggest(name, clusterNames)}; clusters: ${listNames(clusterNames)}`));
        }
      });
    }
    release.dependsOn.forEach((name, j) => {
      if (name === release.name) issues.push(fieldIssue('FLEET_DEPENDENCY_CYCLE', source, [...at, 'dependsOn', j], `release "${name}" depends on itself`));
      else if (!releaseSet.has(name)) {
        issues.push(fieldIssue('FLEET_UNKNOWN_REFERENCE', source, [...at, 'dependsOn', j], `no release is named "${name}"${suggest(name, releaseNames)}; releases: ${listNames(releaseNames)}`));
      }
    });
    if (Object.prototype.hasOwnProperty.call(release.substitute, 'CLUSTER_NAME')) {
      issues.push(fieldIssue('FLEET_VARIABLE_CONFLICT', source, [...at, 'substitute', 'CLUSTER_NAME'], 'CLUSTER_NAME is always the target cluster\'s name and cannot be set by a release', { atKey: true }));
    }
    if (release.path !== undefined) checkRepoPath(release.path, [...at, 'path'], source, issues);
    for (const list of ['valuesFiles', 'optionalValuesFiles'] as const) {
      (release.helm?.[list] ?? []).forEach((file, j) => checkRepoPath(file, [...at, 'helm', list, j], source, issues));
    }
    if (typeof release.helm?.chart === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(release.helm.chart)) {
      checkRepoPath(release.helm.chart, [...at, 'helm', 'chart'], source, issues);
    }
    checkTemplates(rawRelease, at, source, issues);
  });
  checkCycles(fleet, source, issues);
  if (fleet.clusterTemplate) checkRepoPath(fleet.clusterTemplate.path, ['spec', 'clusterTemplate', 'path'], source, issues);

  fleet.guards.forEach((guard, i) => {
    const at: FieldPath = ['spec', 'guards', i];
    if (guard.builtin === 'identity') {
      if (guard.clusters || guard.denyObjects) {
        issues.push(fieldIssue('FLEET_INVALID', source, at, 'the built-in identity guard applies to every cluster and takes no clusters or denyObjects'));
      }
      if (fleet.guards.findIndex((g) => g.builtin === 'identity') !== i) {
        issues.push(fieldIssue('FLEET_DUPLICATE_NAME', source, [...at, 'builtin'], 'the identity guard is listed twice'));
      }
      return;
    }
    if (!guard.denyObjects) {
      issues.push(fieldIssue('FLEET_INVALID', source, at, `guard "${guard.name}" must set builtin: identity or denyObjects (a label selector of objects it blocks)`));
      return;
    }
    selector(guard.clusters, [...at, 'clusters']);
    selector(guard.denyObjects, [...at, 'denyObjects']);
    if (Object.keys(guard.denyObjects.matchLabels ?? {}).length === 0 && (guard.denyObjects.matchExpressions ?? []).length === 0) {
      issues.push(fieldIssue('FLEET_SELECTOR_INVALID', source, [...at, 'denyObjects'], 'an empty selector matches every object, so the guard would block every target it applies to'));
    }
  });

  fleet.rollout?.waves.forEach((wave, i) => selector(wave.selector, ['spec', 'rollout', 'waves', i, 'selector']));
}

/**
 * pathLeavesRepository tells whether a repository-relative path (templates already expanded, or
 * replaced by a placeholder) is absolute or climbs out of the root.
 */
export function pathLeavesRepository(path: string): boolean {
  if (path.startsWith('/')) return true;
  const normal = posix.normalize(path);
  return normal === '..' || normal.startsWith('../');
}

function checkRepoPath(path: string, at: FieldPath, source: SourceFile, issues: Issue[]): void {
  // Templates may only add path segments here; what they expand to is checked per target.
  const placeholder = path.replace(/\{\{[^}]*\}\}/g, 'x');
  if (pathLeavesRepository(placeholder)) {
    issues.push(fieldIssue('FLEET_PATH_OUTSIDE_REPOSITORY', source, at, `"${path}" resolves outside the repository; paths are relative to the repository root and stay inside it`));
  }
}

// Fields whose strings are expanded per target (SPEC §2.3, plus repo for repository-per-environment).
const templated: ((path: FieldPath) => boolean)[] = [
  (p) => p.length === 1 && p[0] === 'path',
  (p) => p[0] === 'helm' && (p[1] === 'valuesFiles' || p[1] === 'optionalValuesFiles') && p.length === 3,
  (p) => p[0] === 'helm' && p[1] === 'values' && p.length >= 3,
  (p) => p[0] === 'substitute' && p.length === 2,
  (p) => p[0] === 'repo' && (p[1] === 'url' || p[1] === 'branch') && p.length === 2,
];

function checkTemplates(value: unknown, at: FieldPath, source: SourceFile, issues: Issue[], rel: FieldPath = []): void {
  if (typeof value === 'string') {
    if (!hasTemplate(value)) return;
    if (!templated.some((allowed) => allowed(rel))) {
      issues.push(fieldIssue('FLEET_TEMPLATE_INVALID', source, [...at, ...rel], `templates are not expanded in this field; they work in path, helm.valuesFiles, helm.values, substitute values and repo (${templateKeys})`));
      return;
    }
    const parsed = parseTemplate(value);
    if ('error' in parsed) issues.push(fieldIssue('FLEET_TEMPLATE_INVALID', source, [...at, ...rel], parsed.error));
    return;
  }
  if (Array.isArray(value)) value.forEach((item, i) => checkTemplates(item, at, source, issues, [...rel, i]));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (hasTemplate(key)) issues.push(fieldIssue('FLEET_TEMPLATE_INVALID', source, [...at, ...rel, key], 'templates are not expanded in keys', { atKey: true }));
      checkTemplates(item, at, source, issues, [...rel, key]);
    }
  }
}

// Depth-first over dependsOn with an explicit stack: a chain of tens of thousands of releases
// must neither overflow the call stack nor copy the path at every step.
function checkCycles(fleet: Fleet, source: SourceFile, issues: Issue[]): void {
  const byName = new Map(fleet.releases.map((r) => [r.name, r]));
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const report = (path: readonly Release[], release: Release): void => {
    const cycle = [...path.slice(path.findIndex((r) => r.name === release.name)), release];
    const key = [...cycle.slice(0, -1).map((r) => r.name)].sort().join(',');
    if (reported.has(key)) return;
    reported.add(key);
    const from = cycle[cycle.length - 2]!;
    issues.push(
      fieldIssue('FLEET_DEPENDENCY_CYCLE', source, ['spec', 'releases', from.index, 'dependsOn', from.dependsOn.indexOf(release.name)], `dependsOn forms a cycle: ${cycle.map((r) => r.name).join(' → ')}`),
    );
  };
  for (const start of fleet.releases) {
    if (state.has(start.name)) continue;
    const path: Release[] = [start];
    const next: number[] = [0];
    state.set(start.name, 'visiting');
    while (path.length > 0) {
      const release = path[path.length - 1]!;
      const i = next[next.length - 1]!;
      if (i >= release.dependsOn.length) {
        state.set(release.name, 'done');
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = i + 1;
      const dep = byName.get(release.dependsOn[i]!);
      if (!dep || dep === release) continue;
      const s = state.get(dep.name);
      if (s === 'done') continue;
      if (s === 'visiting') {
        report(path, dep);
        continue;
      }
      state.set(dep.name, 'visiting');
      path.push(dep);
      next.push(0);
    }
  }
}

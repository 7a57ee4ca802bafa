import { posix } from 'node:path';
import { FlotillaError, fail, isFlotillaError, ok, type Issue, type Result } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';
import { customResourceScopes, kubernetesScope } from '../manifest/kinds.js';
import type { FieldSource, FleetFs, FleetObject, HelmReleaseRenderer, ReleaseRenderer } from './ports.js';
import { fieldIssue } from './source-file.js';
import { selectTargets } from './targets.js';
import type { Fleet, ReleaseRepo, Target } from './types.js';

/** RenderedTarget is the desired state of one target: its objects after namespace defaulting and substitution. */
export interface RenderedTarget {
  target: Target;
  objects: FleetObject[];
  /** Things the user should know that are not errors (Helm hooks skipped, a chart changed behind its version). */
  notes?: string[];
}

/** RepoSource is a file system and root for a release that lives in another repository. */
export interface RepoSource {
  fs: FleetFs;
  root: string;
  /** A build cache for this repository and revision only (caches must not mix file-system snapshots). */
  cache?: unknown;
}

/** RenderTargetOptions say where the fleet repository is and what a render may share. */
export interface RenderTargetOptions {
  fs: FleetFs;
  /** The fleet repository root (absolute). */
  root: string;
  /** The renderer: render/'s `releaseRenderer`. */
  renderer: ReleaseRenderer;
  /** A build cache shared by the targets of one render (`releaseRenderer.createCache()`), so shared bases are built once. */
  cache?: unknown;
  /**
   * resolveRepo gives the checkout of another repository a release names (`repo:`). Without it,
   * such releases fail with FLEET_REPO_UNAVAILABLE. @default undefined
   */
  resolveRepo?: (repo: ReleaseRepo) => Result<RepoSource>;
  /**
   * helm renders Helm releases (source/helm's createHelmRenderer). Without it, Helm releases
   * fail with RENDER_UNSUPPORTED while kustomize releases render. @default undefined
   */
  helm?: HelmReleaseRenderer;
}

/** TargetRenderResult is one target and how its render went. */
export interface TargetRenderResult {
  target: Target;
  result: Result<RenderedTarget>;
}

/** RenderFleetOptions extend RenderTargetOptions with the targets to render and progress reports. */
export interface RenderFleetOptions extends RenderTargetOptions {
  /** The targets to render. @default selectTargets(fleet) */
  targets?: Target[];
  /** Called after each target with the number done and the total. */
  onProgress?: (done: number, total: number, target: Target) => void;
}

/**
 * renderFleet renders every target (or the given ones) with one shared build cache, so a base
 * used by all clusters is built once. A failing target does not stop the others: each result
 * says how its own target went. Builds are synchronous; the order of results is the order of targets.
 */
export function renderFleet(fleet: Fleet, options: RenderFleetOptions): TargetRenderResult[] {
  const targets = options.targets ?? selectTargets(fleet);
  const out: TargetRenderResult[] = [];
  for (const target of targets) {
    out.push({ target, result: renderTarget(target, options, fleet) });
    options.onProgress?.(out.length, targets.length, target);
  }
  return out;
}

/**
 * renderTarget builds one target: the release path (templates expanded) as kustomize builds
 * it, then the release namespace for namespaced objects without one, then `${VAR}`
 * substitution with the target's variables. The `flotilla.dev/release` label is not added
 * here: the sync engine adds it when it applies, so renders compare cleanly with Git.
 */
export function renderTarget(target: Target, options: RenderTargetOptions, fleet?: Pick<Fleet, 'file'>): Result<RenderedTarget> {
  if (target.issues.length) return fail(...target.issues);
  const { release, cluster } = target;
  const fleetFile = fleet?.file ?? 'flotilla.yaml';
  const at = ['spec', 'releases', release.index] as const;
  let fs = options.fs;
  let root = options.root;
  let cache = options.cache;
  if (target.repo) {
    const resolved = options.resolveRepo?.(target.repo);
    if (!resolved) {
      return fail(
        fieldIssue('FLEET_REPO_UNAVAILABLE', { file: fleetFile }, [...at, 'repo'], `release ${release.name} lives in ${target.repo.url}${target.repo.branch ? ` (branch ${target.repo.branch})` : ''}, which this command does not fetch`, { cluster: cluster.name }),
      );
    }
    if (!resolved.ok) return resolved;
    ({ fs, root, cache } = resolved.value);
  }
  if (target.helm && !options.helm) {
    return fail(
      fieldIssue('RENDER_UNSUPPORTED', { file: fleetFile }, [...at, 'helm'], `release ${release.name}: Helm releases are not rendered yet`, {
        cluster: cluster.name,
        hint: 'This caller renders without a Helm renderer (RenderTargetOptions.helm); flotilla render, plan and explain pass one, docs/helm.md says more.',
      }),
    );
  }
  const rootDir = root.replace(/\/+$/, '') || '/';
  let built: Result<{ objects: FleetObject[]; notes?: string[] }>;
  if (target.helm) {
    try {
      built = options.helm!.render(target, { fs, root: rootDir, fleetFile });
    } catch (error) {
      if (!isFlotillaError(error)) throw error;
      built = fail(error);
    }
  } else {
    const dir = posix.join(rootDir, target.path ?? '.');
    const stat = fs.stat(dir);
    if (stat?.kind !== 'directory') {
      return fail(
        fieldIssue('FLEET_RELEASE_PATH_NOT_FOUND', { file: fleetFile }, [...at, 'path'], `release ${release.name}: ${target.path} ${stat ? 'is a file, not a kustomize directory' : 'does not exist'}`, { cluster: cluster.name }),
      );
    }
    const realRoot = fs.realpath(rootDir);
    const realDir = fs.realpath(dir);
    if (realDir !== realRoot && !realDir.startsWith(realRoot.endsWith('/') ? realRoot : realRoot + '/')) {
      return fail(
        fieldIssue('FLEET_PATH_OUTSIDE_REPOSITORY', { file: fleetFile }, [...at, 'path'], `release ${release.name}: ${target.path} leads outside the repository (through a symbolic link, to ${realDir})`, { cluster: cluster.name }),
      );
    }

    try {
      built = options.renderer.build(dir, { fs, cache, root: rootDir });
    } catch (error) {
      if (!isFlotillaError(error)) throw error;
      built = fail(error);
    }
  }
  if (!built.ok) return fail(...built.issues.map((issue) => inTarget(issue, target)));

  const objects = defaultNamespace(built.value.objects, release.namespace, { file: fleetFile, layer: 'transformer', step: `spec.releases[${release.index}].namespace` });
  // A chart's output is substituted only when its release asks for it with `substitute` (as Flux's
  // postBuild is opt-in): charts often print shell scripts with ${VAR} of their own (docs/helm.md).
  const substituted =
    target.helm && Object.keys(release.substitute).length === 0
      ? ok(objects)
      : options.renderer.substitute(objects, { variables: target.variables, sources: variableSources(target, fleetFile), context: target.key });
  if (!substituted.ok) return fail(...substituted.issues.map((issue) => inTarget(issue, target)));
  const notes = built.value.notes ?? [];
  return ok({ target, objects: substituted.value, ...(notes.length ? { notes } : {}) });
}

// A build error names the file and object; the target (cluster and release) is added so that a
// fleet-wide render says which of its many builds failed.
function inTarget(issue: Issue, target: Target): Issue {
  if (issue.cluster === target.cluster.name && issue.message.startsWith(target.key)) return issue;
  const message = issue.message.startsWith(`${target.key}: `) ? issue.message : `${target.key}: ${issue.message}`;
  return new FlotillaError(issue.code, message, {
    file: issue.file,
    field: issue.field,
    object: issue.object,
    cluster: target.cluster.name,
    hint: issue.hint,
    retryable: issue.retryable,
    cause: issue,
  });
}

function variableSources(target: Target, fleetFile: string): Record<string, FieldSource> {
  const sources: Record<string, FieldSource> = {};
  for (const name of Object.keys(target.release.substitute)) {
    sources[name] = { file: fleetFile, layer: 'substitution', step: `spec.releases[${target.release.index}].substitute.${name}` };
  }
  for (const name of Object.keys(target.cluster.identity)) {
    sources[name] = { file: target.cluster.file, layer: 'substitution', step: `spec.identity.${name}` };
  }
  sources.CLUSTER_NAME = { file: target.cluster.file, layer: 'substitution', step: 'metadata.name' };
  return sources;
}

/**
 * defaultNamespace gives namespaced objects without a namespace the release's one. Scope is the
 * API server's (custom resources by the CRDs in the same render); kinds nobody declares are
 * taken as namespaced, as most custom resources are. Changed objects are copies.
 */
export function defaultNamespace(objects: readonly FleetObject[], namespace: string | undefined, entry: FieldSource): FleetObject[] {
  if (!namespace) return [...objects];
  const custom = customResourceScopes(objects.map((o) => o.object));
  return objects.map((rendered) => {
    const { object } = rendered;
    if (object.metadata.namespace) return rendered;
    if ((kubernetesScope(object.apiVersion, object.kind, custom) ?? 'Namespaced') !== 'Namespaced') return rendered;
    const copy: KubeObject = { ...object, metadata: { ...object.metadata, namespace } };
    const provenance = new Map(rendered.provenance);
    provenance.set('/metadata/namespace', entry);
    return { object: copy, provenance };
  });
}

import { posix } from 'node:path';
import semver from 'semver';
import { FlotillaError, fail, formatRef, isFlotillaError, ok, type Issue, type Result } from '../../core/index.js';
import { maxYamlBytes, type KubeObject } from '../../manifest/index.js';
import type { RenderFs } from '../fs.js';
import type { Provenance, ProvenanceEntry, RenderedObject } from '../types.js';
import { readChartDirectory } from './chart-files.js';
import { markValues, traceFields } from './trace.js';
import type { HelmChart, HelmChartSource, HelmRenderer, HelmTemplateRequest } from './types.js';
import { mergeValues, originOf, type ValuesLayer } from './values.js';
import { parseHelmYaml } from './yaml-v2.js';

/** HelmReleaseSource is a release's `helm:` block with its templates expanded for one cluster (fleet's HelmSource). */
export interface HelmReleaseSource {
  chart: string | { repo: string; name: string; version?: string };
  version?: string;
  values?: Record<string, unknown>;
  valuesFiles?: string[];
  optionalValuesFiles?: string[];
}

/** HelmReleaseTarget is what rendering a Helm release needs of a target (fleet's Target fits it as it is). */
export interface HelmReleaseTarget {
  /** `<cluster>/<release>`, prefixed to messages. */
  key: string;
  release: { name: string; index: number; namespace?: string };
  cluster: { name: string; file: string; kubernetesVersion?: string };
  helm?: HelmReleaseSource;
}

/** HelmRenderContext is where the fleet repository is read from. */
export interface HelmRenderContext {
  fs: RenderFs;
  /** The repository root (absolute). */
  root: string;
  /** The fleet file relative to the root, for messages and provenance. @default 'flotilla.yaml' */
  fleetFile?: string;
}

/** UsedValue is one value a chart was rendered with and the file that set it. */
export interface UsedValue {
  /** The value's path as people write it: `image.tag`, `ingress.hosts[0].host`. */
  path: string;
  value: unknown;
  /** The file that set it: the chart's values.yaml, a values file, or the fleet file (release values). */
  file: string;
}

/** HelmReleaseOutput is one rendered Helm release: its objects, the values used, and notes for the user. */
export interface HelmReleaseOutput {
  objects: RenderedObject[];
  /** Every leaf of the chart's effective values, with the file that set it, in path order. */
  values: UsedValue[];
  chart: { name: string; version: string; digest: string; origin: string };
  /** Skipped hooks and charts that changed behind their version, said once per target. */
  notes: string[];
}

/** HelmReleaseRendererOptions tune helmReleaseRenderer. */
export interface HelmReleaseRendererOptions {
  /**
   * Whether to render each chart a second time with marked values, so that each field a value
   * set names that value's file (explain); otherwise fields name the chart template that printed
   * them. Doubles the helm runs. @default false
   */
  traceValues?: boolean;
}

/** HelmReleaseRenderer renders the Helm release of one target; fleet's renderTarget takes it as `helm`. */
export interface HelmReleaseRenderer {
  render(target: HelmReleaseTarget, context: HelmRenderContext): Result<HelmReleaseOutput>;
}

/** helmHookAnnotation marks a chart's hook resources, which Flotilla does not apply (docs/helm.md). */
export const helmHookAnnotation = 'helm.sh/hook';

/** defaultHelmNamespace is the namespace of a release that names none, as for `helm install`. */
export const defaultHelmNamespace = 'default';

/**
 * helmReleaseRenderer renders Helm releases through a HelmRenderer (source/helm's HelmCli): it
 * loads the chart, merges the values in helm's order (chart defaults, valuesFiles in order,
 * values) recording which file set each value, runs `helm template` with the release name, the
 * release namespace and the cluster's Kubernetes version, drops hooks with a note, and gives each
 * object provenance: the chart template that printed it, and with `traceValues` the values file
 * behind each field a value set.
 */
export function helmReleaseRenderer(helm: HelmRenderer, options: HelmReleaseRendererOptions = {}): HelmReleaseRenderer {
  return {
    render(target, context) {
      try {
        const result = renderRelease(helm, options, target, context);
        return result.ok ? result : fail(...result.issues.map((i) => inTarget(i, target)));
      } catch (error) {
        if (!isFlotillaError(error)) throw error;
        return fail(inTarget(error, target));
      }
    },
  };
}

function renderRelease(helm: HelmRenderer, options: HelmReleaseRendererOptions, target: HelmReleaseTarget, context: HelmRenderContext): Result<HelmReleaseOutput> {
  const { release, cluster } = target;
  const fleetFile = context.fleetFile ?? 'flotilla.yaml';
  const at = `spec.releases[${release.index}].helm`;
  const source = target.helm;
  if (!source) return fail(new FlotillaError('INTERNAL', `release ${release.name} is not a Helm release`, { file: fleetFile, cluster: cluster.name }));
  const root = context.root.replace(/\/+$/, '') || '/';

  const chartSource = chartSourceOf(source, context, root, fleetFile, at, cluster.name);
  if (!chartSource.ok) return chartSource;
  const loaded = helm.loadChart(chartSource.value);
  if (!loaded.ok) return fail(...loaded.issues.map((i) => withLocation(i, fleetFile, `${at}.chart`, cluster.name)));
  const chart = loaded.value;
  if (chartSource.value.type === 'directory' && source.version !== undefined) {
    const range = helmRange(source.version);
    if (!semver.valid(chart.version, { loose: true }) || !semver.satisfies(chart.version, range, { loose: true, includePrerelease: /-/.test(source.version) })) {
      return fail(
        new FlotillaError('HELM_CHART_NOT_FOUND', `${fleetFile}: ${at}.version: the chart ${chart.origin} is version ${chart.version}, which is not in the range "${source.version}"`, {
          file: fleetFile,
          field: `${at}.version`,
          cluster: cluster.name,
          hint: 'Change the version range, or the version in the chart\'s Chart.yaml.',
        }),
      );
    }
  }

  const layers = loadLayers(source, chart, context, root, fleetFile, at, cluster.name);
  if (!layers.ok) return layers;
  const [defaults, ...userLayers] = layers.value;
  const merged = mergeValues(defaults!.values, userLayers.map((l) => l.values));

  const request: HelmTemplateRequest = {
    releaseName: release.name,
    namespace: release.namespace ?? defaultHelmNamespace,
    ...(cluster.kubernetesVersion ? { kubeVersion: cluster.kubernetesVersion } : {}),
    values: merged.user,
  };
  const manifest = helm.template(chart, request);
  if (!manifest.ok) return fail(...manifest.issues.map((i) => withLocation(i, fleetFile, at, cluster.name)));
  const parsed = parseManifest(manifest.value, chart);
  if (!parsed.ok) return parsed;

  const notes = [...chart.notes];
  const kept = parsed.value.filter((doc) => !isHook(doc.object));
  const hooks = parsed.value.filter((doc) => isHook(doc.object));
  if (hooks.length) {
    const names = hooks.map((h) => `${formatRef({ kind: h.object.kind, namespace: h.object.metadata.namespace, name: h.object.metadata.name })} [${h.object.metadata.annotations![helmHookAnnotation]}]`);
    notes.push(`skipped ${hooks.length} Helm ${hooks.length === 1 ? 'hook' : 'hooks'} of chart ${chart.name} ${chart.version}, which Flotilla does not run: ${names.join(', ')}`);
  }

  const objects: RenderedObject[] = kept.map((doc) => {
    const provenance: Provenance = new Map();
    provenance.set('', { file: doc.sourceFile, layer: 'resource', step: `helm template (chart ${chart.name} ${chart.version})` });
    return { object: doc.object, provenance };
  });

  if (options.traceValues) {
    const marked = markValues(merged.effective);
    const tracedManifest = helm.template(chart, { ...request, values: marked.values });
    const traced = tracedManifest.ok ? parseManifest(tracedManifest.value, chart) : undefined;
    // A chart that rejects the marked values (`required`, `fail`, a regexMatch) keeps template provenance only.
    if (traced?.ok) {
      const byPlace = new Map<string, KubeObject>();
      for (const doc of traced.value) byPlace.set(doc.place, doc.object);
      kept.forEach((doc, i) => {
        const twin = byPlace.get(doc.place);
        if (!twin || twin.kind !== doc.object.kind) return;
        for (const field of traceFields(twin, doc.object, marked)) {
          objects[i]!.provenance.set(field.pointer, valueEntry(field.values, merged.origins, layers.value));
        }
      });
    }
  }

  return ok({
    objects,
    values: usedValues(merged.effective, merged.origins, layers.value),
    chart: { name: chart.name, version: chart.version, digest: chart.digest, origin: chart.origin },
    notes,
  });
}

// Helm's constraints (Masterminds/semver) join requirements with commas; npm's semver with spaces.
function helmRange(range: string): string {
  return range.replace(/\s*,\s*/g, ' ').trim();
}

function chartSourceOf(source: HelmReleaseSource, context: HelmRenderContext, root: string, fleetFile: string, at: string, cluster: string): Result<HelmChartSource> {
  const { chart } = source;
  if (typeof chart !== 'string') {
    const version = chart.version ?? source.version;
    return ok({ type: 'repository', repo: chart.repo, name: chart.name, ...(version !== undefined ? { version } : {}) });
  }
  if (/^https?:\/\//i.test(chart)) return ok({ type: 'archive', url: chart });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(chart)) {
    return fail(
      new FlotillaError('RENDER_UNSUPPORTED', `${fleetFile}: ${at}.chart: "${chart}": only chart directories of the repository, chart repositories ({repo, name, version}) and http(s) chart archives are supported`, {
        file: fleetFile,
        field: `${at}.chart`,
        cluster,
        hint: 'Use {repo: URL, name, version} for a chart repository, or vendor the chart into the repository.',
      }),
    );
  }
  const path = posix.normalize(chart).replace(/\/+$/, '');
  const files = readChartDirectory({ fs: context.fs, root, path, file: fleetFile, field: `${at}.chart`, cluster });
  if (!files.ok) return files;
  return ok({ type: 'directory', path, files: files.value });
}

function loadLayers(source: HelmReleaseSource, chart: HelmChart, context: HelmRenderContext, root: string, fleetFile: string, at: string, cluster: string): Result<ValuesLayer[]> {
  const layers: ValuesLayer[] = [];
  const issues: Issue[] = [];
  const defaultsFile = `${chart.origin}/values.yaml`;
  const defaults = valuesOf(chart.defaultValues, defaultsFile, cluster);
  if (!defaults.ok) return defaults;
  layers.push({ file: defaultsFile, values: defaults.value });

  const files = source.valuesFiles ?? [];
  const optional = source.optionalValuesFiles ?? [];
  optional.forEach((file, i) => {
    if (!files.includes(file)) {
      issues.push(
        new FlotillaError('HELM_VALUES_INVALID', `${fleetFile}: ${at}.optionalValuesFiles[${i}]: ${file} is not in valuesFiles, so it has no place in the merge order`, {
          file: fleetFile,
          field: `${at}.optionalValuesFiles[${i}]`,
          cluster,
        }),
      );
    }
  });
  files.forEach((file, i) => {
    const abs = posix.join(root, file);
    const stat = context.fs.stat(abs);
    if (stat?.kind !== 'file') {
      if (!stat && optional.includes(file)) return;
      issues.push(
        new FlotillaError('HELM_VALUES_NOT_FOUND', `${fleetFile}: ${at}.valuesFiles[${i}]: the values file ${file} ${stat ? 'is a directory' : 'does not exist'}`, {
          file: fleetFile,
          field: `${at}.valuesFiles[${i}]`,
          cluster,
          ...(stat ? { hint: 'Name a file.' } : {}),
        }),
      );
      return;
    }
    // helm refuses a values file that is not UTF-8 ("invalid leading UTF-8 octet"); reading it
    // leniently would render what helm would not. Its size is checked before it is read.
    if (stat.size > maxYamlBytes) {
      issues.push(new FlotillaError('FILE_TOO_LARGE', `${file}: ${stat.size} bytes is more than the ${maxYamlBytes}-byte limit for a values file`, { file, cluster }));
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = context.fs.readFile(abs);
    } catch (error) {
      issues.push(new FlotillaError('FILE_UNREADABLE', `${file}: cannot be read: ${(error as Error).message}`, { file, cluster, cause: error }));
      return;
    }
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      issues.push(new FlotillaError('FILE_NOT_TEXT', `${file}: the values file is not valid UTF-8 text`, { file, cluster }));
      return;
    }
    const values = valuesOf(text, file, cluster);
    if (!values.ok) issues.push(...values.issues);
    else layers.push({ file, values: values.value });
  });
  if (source.values && Object.keys(source.values).length) layers.push({ file: fleetFile, step: `${at}.values`, values: source.values });
  return issues.length ? fail(...issues) : ok(layers);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function valuesOf(text: string, file: string, cluster: string): Result<Record<string, unknown>> {
  const docs = parseHelmYaml(text, file);
  if (!docs.ok) return fail(...docs.issues.map((i) => withLocation(i, file, undefined, cluster)));
  // Helm reads the first document of a values file only.
  const value = docs.value[0]?.value ?? {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail(new FlotillaError('HELM_VALUES_INVALID', `${file}: a values file must hold a YAML map, not ${Array.isArray(value) ? 'a list' : typeof value}`, { file, cluster }));
  }
  return ok(value as Record<string, unknown>);
}

interface ManifestDocument {
  object: KubeObject;
  /** The chart file that printed it, named as provenance names files. */
  sourceFile: string;
  /** The template and the document's rank among that template's documents: the same object in two renders. */
  place: string;
}

function parseManifest(text: string, chart: HelmChart): Result<ManifestDocument[]> {
  const file = `helm template of ${chart.origin}`;
  const docs = parseHelmYaml(text, file, 64 * 1024 * 1024);
  if (!docs.ok) return fail(...docs.issues.map((i) => new FlotillaError('HELM_TEMPLATE_FAILED', `chart ${chart.name} ${chart.version} printed YAML that does not parse: ${i.message}`, { file: chart.origin })));
  const out: ManifestDocument[] = [];
  const ranks = new Map<string, number>();
  for (const doc of docs.value) {
    const source = /^\s*Source:\s*(.+?)\s*$/m.exec(doc.comment)?.[1] ?? '';
    const value = doc.value as Partial<KubeObject>;
    const sourceFile = source ? chart.origin + source.slice(source.indexOf('/')) : chart.origin;
    if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof value.kind !== 'string' || typeof value.apiVersion !== 'string' || typeof value.metadata?.name !== 'string') {
      return fail(
        new FlotillaError('HELM_TEMPLATE_FAILED', `chart ${chart.name} ${chart.version}: ${source || 'a template'} printed a document that is not a Kubernetes object (apiVersion, kind and metadata.name are needed)`, {
          file: sourceFile,
        }),
      );
    }
    const rank = ranks.get(source) ?? 0;
    ranks.set(source, rank + 1);
    out.push({ object: value as KubeObject, sourceFile, place: `${source}#${rank}` });
  }
  return ok(out);
}

function isHook(object: KubeObject): boolean {
  return typeof object.metadata.annotations?.[helmHookAnnotation] === 'string';
}

function valueEntry(values: string[], origins: ReadonlyMap<string, number>, layers: readonly ValuesLayer[]): ProvenanceEntry {
  const found = values.map((pointer) => ({ pointer, layer: originOf(origins, pointer) ?? 0 }));
  // The field names the file of the most specific layer involved; the others are listed in the step.
  const main = found.reduce((a, b) => (b.layer > a.layer ? b : a));
  const name = (f: { pointer: string; layer: number }) => {
    const layer = layers[f.layer]!;
    const path = displayValuePath(f.pointer);
    return layer.step ? `${layer.step}.${path}` : path;
  };
  const others = found.filter((f) => f !== main).map((f) => (f.layer === main.layer ? name(f) : `${name(f)} from ${layers[f.layer]!.file}`));
  return { file: layers[main.layer]!.file, layer: 'values', step: others.length ? `${name(main)} (with ${others.join(', ')})` : name(main) };
}

function usedValues(effective: Record<string, unknown>, origins: ReadonlyMap<string, number>, layers: readonly ValuesLayer[]): UsedValue[] {
  const out: UsedValue[] = [];
  const walk = (value: unknown, segments: string[]) => {
    const isMap = value !== null && typeof value === 'object' && !Array.isArray(value);
    if (isMap && Object.keys(value).length) {
      for (const key of Object.keys(value).sort()) walk((value as Record<string, unknown>)[key], [...segments, key]);
      return;
    }
    const pointer = segments.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
    out.push({ path: displayValuePath(pointer), value, file: layers[originOf(origins, pointer) ?? 0]!.file });
  };
  walk(effective, []);
  return out;
}

function displayValuePath(pointer: string): string {
  if (pointer === '') return '(all values)';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : /^[A-Za-z_$][\w$-]*$/.test(s) ? (out ? `${out}.${s}` : s) : `${out}[${JSON.stringify(s)}]`), '');
}

// An error of the chart or of helm gets the fleet file, field and cluster when it has none.
function withLocation(issue: Issue, file: string, field: string | undefined, cluster: string): Issue {
  if (issue.file && issue.cluster) return issue;
  return new FlotillaError(issue.code, issue.message, { file: issue.file ?? file, field: issue.field ?? field, object: issue.object, cluster: issue.cluster ?? cluster, hint: issue.hint, retryable: issue.retryable, cause: issue });
}

function inTarget(issue: Issue, target: HelmReleaseTarget): Issue {
  if (issue.message.startsWith(`${target.key}: `)) return issue;
  return new FlotillaError(issue.code, `${target.key}: ${issue.message}`, {
    file: issue.file,
    field: issue.field,
    object: issue.object,
    cluster: issue.cluster ?? target.cluster.name,
    hint: issue.hint,
    retryable: issue.retryable,
    cause: issue,
  });
}

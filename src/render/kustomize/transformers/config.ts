import { parse as parseYaml } from 'yaml';
import { FlotillaError, fail, ok, type Result } from '../../../core/index.js';
import type { FieldSpec, Kustomization } from '../kustomization.js';
import type { StepContext } from '../step.js';
import { builtinFieldSpecs, type NameBackReference } from './builtin-field-specs.js';
import { mergeFieldSpecs, sameGvk } from './field-spec.js';

/** FieldSpecListName names one field-spec list of a TransformerConfig. */
export type FieldSpecListName =
  | 'namePrefix'
  | 'nameSuffix'
  | 'namespace'
  | 'commonLabels'
  | 'labels'
  | 'templateLabels'
  | 'commonAnnotations'
  | 'varReference'
  | 'images'
  | 'replicas';

const listNames: readonly FieldSpecListName[] = [
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'templateLabels',
  'commonAnnotations',
  'varReference',
  'images',
  'replicas',
];

/**
 * TransformerConfig says which fields each transformer touches (kustomize's TransformerConfig):
 * the built-in tables plus what `configurations` files and `crds` add. Kustomize merges the config
 * of every kustomization into the one that includes it, so a base's configurations also apply in
 * its overlays, and an overlay's never apply inside its base.
 */
export type TransformerConfig = { readonly [K in FieldSpecListName]: readonly FieldSpec[] } & {
  readonly nameReference: readonly NameBackReference[];
};

/** emptyTransformerConfig has no field specs at all (kustomize's MakeEmptyConfig). */
export function emptyTransformerConfig(): TransformerConfig {
  return { ...Object.fromEntries(listNames.map((n) => [n, []])), nameReference: [] } as unknown as TransformerConfig;
}

/** defaultTransformerConfig is kustomize's built-in configuration (MakeDefaultConfig). */
export function defaultTransformerConfig(): TransformerConfig {
  return builtinFieldSpecs;
}

function mergeNameReferences(list: readonly NameBackReference[], more: readonly NameBackReference[]): Result<NameBackReference[]> {
  const out = list.map((r) => ({ ...r }));
  for (const incoming of more) {
    const i = out.findIndex((r) => sameGvk(r, incoming));
    if (i < 0) {
      out.push({ ...incoming });
      continue;
    }
    const merged = mergeFieldSpecs(out[i]!.fieldSpecs, incoming.fieldSpecs);
    if (!merged.ok) return merged;
    out[i] = { ...out[i]!, fieldSpecs: merged.value };
  }
  return ok(out);
}

/**
 * mergeTransformerConfigs merges configs as kustomize's TransformerConfig.Merge does: field specs
 * are added unless already present; two specs for the same kind and path that disagree on
 * `create` are an error; name references for the same kind pool their field specs.
 */
export function mergeTransformerConfigs(...configs: TransformerConfig[]): Result<TransformerConfig> {
  let out: Record<string, unknown> = { ...emptyTransformerConfig() };
  for (const config of configs) {
    const next: Record<string, unknown> = {};
    for (const name of listNames) {
      const merged = mergeFieldSpecs(out[name] as FieldSpec[], config[name]);
      if (!merged.ok) return fail(...merged.issues.map((i) => withPrefix(i, `merging the ${name} field specs`)));
      next[name] = merged.value;
    }
    const refs = mergeNameReferences(out.nameReference as NameBackReference[], config.nameReference);
    if (!refs.ok) return fail(...refs.issues.map((i) => withPrefix(i, 'merging the nameReference field specs')));
    next.nameReference = refs.value;
    out = next;
  }
  return ok(out as unknown as TransformerConfig);
}

function withPrefix(issue: FlotillaError, what: string): FlotillaError {
  return new FlotillaError(issue.code, `${what}: ${issue.message}`, { file: issue.file, field: issue.field, hint: issue.hint });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const fieldSpecKeys = new Set(['group', 'version', 'kind', 'path', 'create']);

function readFieldSpecs(value: unknown, file: string, field: string): Result<FieldSpec[]> {
  if (value === null || value === undefined) return ok([]);
  if (!Array.isArray(value)) return fail(invalid(file, field, `${field} must be a list of field specs`));
  const out: FieldSpec[] = [];
  for (let i = 0; i < value.length; i++) {
    const entry = value[i] as unknown;
    const at = `${field}[${i}]`;
    if (!isRecord(entry)) return fail(invalid(file, at, `${at} must be a map with path and optionally group, version, kind and create`));
    for (const key of Object.keys(entry)) {
      if (!fieldSpecKeys.has(key)) return fail(invalid(file, `${at}.${key}`, `${at}: unknown field "${key}"`));
    }
    for (const key of ['group', 'version', 'kind', 'path'] as const) {
      if (entry[key] !== undefined && entry[key] !== null && typeof entry[key] !== 'string') return fail(invalid(file, `${at}.${key}`, `${at}.${key} must be a string`));
    }
    if (entry.create !== undefined && entry.create !== null && typeof entry.create !== 'boolean') return fail(invalid(file, `${at}.create`, `${at}.create must be true or false`));
    const spec: FieldSpec = { path: (entry.path as string | undefined) ?? '' };
    if (entry.group) spec.group = entry.group as string;
    if (entry.version) spec.version = entry.version as string;
    if (entry.kind) spec.kind = entry.kind as string;
    if (entry.create) spec.create = true;
    out.push(spec);
  }
  return ok(out);
}

function invalid(file: string, field: string, message: string): FlotillaError {
  return new FlotillaError('RENDER_TRANSFORMER_INVALID', `${file}: ${message}`, {
    file,
    field,
    hint: 'A configurations file holds lists of field specs (group, version, kind, path, create) under namePrefix, nameSuffix, namespace, commonLabels, labels, templateLabels, commonAnnotations, nameReference, varReference, images and replicas.',
  });
}

/**
 * parseConfigurationsFile reads one `configurations` file (kustomize's transformer configuration
 * YAML). Unknown keys are errors, as kustomize decodes these files strictly.
 */
export function parseConfigurationsFile(text: string, file: string): Result<TransformerConfig> {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    return fail(new FlotillaError('YAML_PARSE', `${file}: ${(error as Error).message.split('\n')[0]}`, { file }));
  }
  if (doc === null || doc === undefined) return ok(emptyTransformerConfig());
  if (!isRecord(doc)) return fail(invalid(file, '', 'the file must hold a map of field-spec lists'));
  const out: Record<string, unknown> = { ...emptyTransformerConfig() };
  for (const [key, value] of Object.entries(doc)) {
    if ((listNames as readonly string[]).includes(key)) {
      const read = readFieldSpecs(value, file, key);
      if (!read.ok) return read;
      out[key] = read.value;
    } else if (key === 'nameReference') {
      if (value === null) continue;
      if (!Array.isArray(value)) return fail(invalid(file, key, 'nameReference must be a list of {group, version, kind, fieldSpecs}'));
      const refs: NameBackReference[] = [];
      for (let i = 0; i < value.length; i++) {
        const entry = value[i] as unknown;
        const at = `nameReference[${i}]`;
        if (!isRecord(entry)) return fail(invalid(file, at, `${at} must be a map`));
        for (const k of Object.keys(entry)) {
          if (!['group', 'version', 'kind', 'fieldSpecs'].includes(k)) return fail(invalid(file, `${at}.${k}`, `${at}: unknown field "${k}"`));
        }
        const specs = readFieldSpecs(entry.fieldSpecs, file, `${at}.fieldSpecs`);
        if (!specs.ok) return specs;
        const ref: NameBackReference = { kind: typeof entry.kind === 'string' ? entry.kind : '', fieldSpecs: specs.value };
        if (typeof entry.group === 'string' && entry.group) ref.group = entry.group;
        if (typeof entry.version === 'string' && entry.version) ref.version = entry.version;
        refs.push(ref);
      }
      const merged = mergeNameReferences([], refs);
      if (!merged.ok) return merged;
      out.nameReference = merged.value;
    } else {
      return fail(invalid(file, key, `unknown field "${key}"`));
    }
  }
  return ok(out as unknown as TransformerConfig);
}

// OpenAPI extensions kustomize reads from `crds` files.
const xAnnotation = 'x-kubernetes-annotation';
const xLabelSelector = 'x-kubernetes-label-selector';
const xIdentity = 'x-kubernetes-identity';
const xVersion = 'x-kubernetes-object-ref-api-version';
const xKind = 'x-kubernetes-object-ref-kind';
const xNameKey = 'x-kubernetes-object-ref-name-key';

type Definitions = Record<string, { Schema?: { properties?: Record<string, Record<string, unknown>> } }>;

/**
 * parseCrdsFile turns one `crds` file, a map of OpenAPI definitions (JSON or YAML, as kustomize's
 * LoadConfigFromCRDs reads them), into field specs. Every definition with apiVersion, kind and
 * metadata properties is a kind, named by the last dot-separated part of its key (kustomize does
 * not take a group or version from it). Its properties are walked, following `$ref` to other
 * definitions of the file: x-kubernetes-label-selector adds a commonLabels spec,
 * x-kubernetes-annotation a commonAnnotations spec, x-kubernetes-identity a namePrefix spec, and
 * x-kubernetes-object-ref-api-version with -kind a name reference to that kind at
 * `<property>/<name key>` (x-kubernetes-object-ref-name-key, default `name`).
 */
export function parseCrdsFile(text: string, file: string): Result<TransformerConfig> {
  let doc: unknown;
  try {
    doc = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    return fail(new FlotillaError('YAML_PARSE', `${file}: unable to parse the OpenAPI definitions: ${(error as Error).message.split('\n')[0]}`, { file }));
  }
  if (!isRecord(doc)) {
    return fail(new FlotillaError('RENDER_TRANSFORMER_INVALID', `${file}: a crds file must be a map of OpenAPI definitions`, { file, field: 'crds' }));
  }
  const definitions = doc as Definitions;
  const out = { labels: [] as FieldSpec[], annotations: [] as FieldSpec[], prefix: [] as FieldSpec[], refs: [] as NameBackReference[] };
  for (const [name, definition] of Object.entries(definitions)) {
    const properties = definition?.Schema?.properties;
    if (!isRecord(properties) || !('kind' in properties) || !('apiVersion' in properties) || !('metadata' in properties)) continue;
    const kind = name.split('.').pop()!;
    collectCrdFields(definitions, name, kind, [], out, new Set());
  }
  let config: Record<string, unknown> = { ...emptyTransformerConfig() };
  for (const [list, specs] of [
    ['commonLabels', out.labels],
    ['commonAnnotations', out.annotations],
    ['namePrefix', out.prefix],
  ] as const) {
    const merged = mergeFieldSpecs([], specs);
    if (!merged.ok) return merged;
    config[list] = merged.value;
  }
  const refs = mergeNameReferences([], out.refs);
  if (!refs.ok) return refs;
  config = { ...config, nameReference: refs.value };
  return ok(config as unknown as TransformerConfig);
}

function collectCrdFields(
  definitions: Definitions,
  typeName: string,
  kind: string,
  path: string[],
  out: { labels: FieldSpec[]; annotations: FieldSpec[]; prefix: FieldSpec[]; refs: NameBackReference[] },
  seen: Set<string>,
): void {
  const properties = definitions[typeName]?.Schema?.properties;
  if (!isRecord(properties) || seen.has(typeName)) return;
  const inner = new Set(seen).add(typeName);
  for (const [propName, property] of Object.entries(properties)) {
    if (!isRecord(property)) continue;
    const at = [...path, propName];
    if (typeof property[xAnnotation] === 'string') out.annotations.push({ kind, path: at.join('/') });
    if (typeof property[xLabelSelector] === 'string') out.labels.push({ kind, path: at.join('/') });
    if (typeof property[xIdentity] === 'string') out.prefix.push({ kind, path: at.join('/') });
    const version = property[xVersion];
    const refKind = property[xKind];
    if (typeof version === 'string' && typeof refKind === 'string') {
      const nameKey = typeof property[xNameKey] === 'string' ? (property[xNameKey] as string) : 'name';
      out.refs.push({ kind: refKind, ...(version ? { version } : {}), fieldSpecs: [{ kind, path: [...at, nameKey].join('/') }] });
    }
    const ref = property.$ref;
    if (typeof ref === 'string' && ref !== '') collectCrdFields(definitions, ref, kind, at, out, inner);
  }
}

/**
 * loadTransformerConfig computes the transformer configuration one kustomization runs with, as
 * kustomize's accumulateTarget does: the configs inherited from the kustomizations it includes
 * (resources and components, merged by the caller, in order), then the built-in tables plus its
 * `configurations` files, then the field specs its `crds` files declare. Files are read through
 * ctx.readText, so the load restrictor applies.
 */
export function loadTransformerConfig(kustomization: Kustomization, ctx: StepContext, inherited?: TransformerConfig | readonly TransformerConfig[]): Result<TransformerConfig> {
  const parts: TransformerConfig[] = inherited === undefined ? [] : Array.isArray(inherited) ? [...(inherited as readonly TransformerConfig[])] : [inherited as TransformerConfig];
  parts.push(defaultTransformerConfig());
  for (const [i, path] of (kustomization.configurations ?? []).entries()) {
    const text = ctx.readText(path, `configurations[${i}]`);
    if (!text.ok) return text;
    const parsed = parseConfigurationsFile(text.value, ctx.displayPath(path));
    if (!parsed.ok) return parsed;
    parts.push(parsed.value);
  }
  for (const [i, path] of (kustomization.crds ?? []).entries()) {
    const text = ctx.readText(path, `crds[${i}]`);
    if (!text.ok) return text;
    const parsed = parseCrdsFile(text.value, ctx.displayPath(path));
    if (!parsed.ok) return parsed;
    parts.push(parsed.value);
  }
  const merged = mergeTransformerConfigs(...parts);
  if (!merged.ok) return fail(...merged.issues.map((issue) => new FlotillaError(issue.code, `${ctx.file}: ${issue.message}`, { file: ctx.file, field: issue.field, hint: issue.hint })));
  return merged;
}

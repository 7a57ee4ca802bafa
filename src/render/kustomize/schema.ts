import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import type { Kustomization } from './kustomization.js';

/**
 * FieldType describes the JSON shape kustomize v5 decodes a kustomization field into (its Go
 * struct). Decoding is strict: an unknown field anywhere, or a value of the wrong type, is an
 * error, as kustomize's `json: unknown field "…"` is.
 */
type FieldType =
  | 'string'
  | 'bool'
  | 'int'
  | 'stringMap'
  | 'boolMap'
  | 'any'
  | { list: FieldType }
  | { fields: Record<string, FieldType> };

const str: FieldType = 'string';
const strings: FieldType = { list: str };

const resIdFields: Record<string, FieldType> = { group: str, version: str, kind: str, name: str, namespace: str };
const selector: FieldType = { fields: { ...resIdFields, annotationSelector: str, labelSelector: str } };
const fieldSpec: FieldType = { fields: { group: str, version: str, kind: str, path: str, create: 'bool' } };
const fieldOptions: FieldType = { fields: { delimiter: str, index: 'int', encoding: str, create: 'bool' } };
const generatorOptions: FieldType = {
  fields: { labels: 'stringMap', annotations: 'stringMap', disableNameSuffixHash: 'bool', immutable: 'bool' },
};
const generatorArgs: Record<string, FieldType> = {
  name: str,
  namespace: str,
  behavior: str,
  literals: strings,
  files: strings,
  envs: strings,
  env: str,
  options: generatorOptions,
};
const patch: FieldType = { fields: { path: str, patch: str, target: selector, options: 'boolMap' } };

/** kustomizationFields is kustomize v5.7's Kustomization type, field by field. */
const kustomizationFields: Record<string, FieldType> = {
  apiVersion: str,
  kind: str,
  metadata: { fields: { name: str, namespace: str, labels: 'stringMap', annotations: 'stringMap' } },
  openapi: 'stringMap',
  namePrefix: str,
  nameSuffix: str,
  namespace: str,
  commonLabels: 'stringMap',
  labels: { list: { fields: { pairs: 'stringMap', includeSelectors: 'bool', includeTemplates: 'bool', fields: { list: fieldSpec } } } },
  commonAnnotations: 'stringMap',
  patchesStrategicMerge: strings,
  patchesJson6902: { list: patch },
  patches: { list: patch },
  images: { list: { fields: { name: str, newName: str, newTag: str, digest: str, tagSuffix: str } } },
  imageTags: { list: { fields: { name: str, newName: str, newTag: str, digest: str, tagSuffix: str } } },
  replacements: {
    list: {
      fields: {
        path: str,
        source: { fields: { ...resIdFields, fieldPath: str, options: fieldOptions } },
        targets: { list: { fields: { select: selector, reject: { list: selector }, fieldPaths: strings, options: fieldOptions } } },
      },
    },
  },
  replicas: { list: { fields: { name: str, count: 'int' } } },
  vars: { list: 'any' },
  sortOptions: { fields: { order: str, legacySortOptions: { fields: { orderFirst: strings, orderLast: strings } } } },
  resources: strings,
  crds: strings,
  components: strings,
  bases: strings,
  configMapGenerator: { list: { fields: generatorArgs } },
  secretGenerator: { list: { fields: { ...generatorArgs, type: str } } },
  helmGlobals: 'any',
  helmCharts: { list: 'any' },
  helmChartInflationGenerator: { list: 'any' },
  generatorOptions,
  configurations: strings,
  generators: strings,
  transformers: strings,
  validators: strings,
  buildMetadata: strings,
};

/**
 * decodeKustomization checks a parsed kustomization file against kustomize v5's schema and
 * returns it with kustomize's decoding applied: nulls count as absent (or empty in maps), deprecated spellings (`bases`, `imageTags`, `env`, string entries in
 * `patches`) are moved to their current fields.
 */
export function decodeKustomization(value: unknown, file: string): Result<Kustomization> {
  if (value === null || value === undefined) value = {};
  // kustomize reads a `patches` list of file names as the legacy patchesStrategicMerge field.
  if (isPlainObject(value) && Array.isArray(value.patches) && value.patches.some((p) => typeof p === 'string')) {
    const { patches, ...rest } = value;
    value = { ...rest, patchesStrategicMerge: [...(Array.isArray(rest.patchesStrategicMerge) ? rest.patchesStrategicMerge : []), ...patches] };
  }
  const checked = decode(value, { fields: kustomizationFields }, '', file);
  if (!checked.ok) return checked;
  const k = checked.value as Kustomization & { imageTags?: Kustomization['images'] };
  const invalid = (field: string, message: string) => fail<Kustomization>(new FlotillaError('RENDER_KUSTOMIZATION_INVALID', `${file}: ${field}: ${message}`, { file, field }));
  if (k.kind !== undefined && k.kind !== 'Kustomization' && k.kind !== 'Component') {
    return invalid('kind', `kind should be Kustomization or Component, not ${JSON.stringify(k.kind)}`);
  }
  const wantVersion = k.kind === 'Component' ? 'kustomize.config.k8s.io/v1alpha1' : 'kustomize.config.k8s.io/v1beta1';
  if (k.apiVersion !== undefined && k.apiVersion !== wantVersion) {
    return invalid('apiVersion', `apiVersion for ${k.kind ?? 'Kustomization'} should be ${wantVersion}, not ${JSON.stringify(k.apiVersion)}`);
  }
  if (k.imageTags) {
    k.images = [...(k.images ?? []), ...k.imageTags];
    delete k.imageTags;
  }
  if (k.bases) {
    k.resources = [...(k.resources ?? []), ...k.bases];
    delete k.bases;
  }
  for (const field of ['configMapGenerator', 'secretGenerator'] as const) {
    const list = k[field] ?? [];
    for (let i = 0; i < list.length; i++) {
      const gen = list[i]!;
      if (gen.env !== undefined) {
        if (gen.env !== '') gen.envs = [...(gen.envs ?? []), gen.env];
        delete gen.env;
      }
      if ((gen.behavior as string | undefined) === '') delete gen.behavior;
      if (gen.behavior !== undefined && !['create', 'merge', 'replace'].includes(gen.behavior)) {
        return invalid(`${field}[${i}].behavior`, `unknown generation behavior ${JSON.stringify(gen.behavior)}; use create, merge or replace`);
      }
    }
  }
  const order = k.sortOptions?.order;
  if (k.sortOptions && order !== 'legacy' && order !== 'fifo') {
    return invalid('sortOptions.order', `the field 'sortOptions.order' must be one of [fifo, legacy]`);
  }
  if (order === 'fifo' && k.sortOptions?.legacySortOptions) {
    return invalid('sortOptions.legacySortOptions', `the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'`);
  }
  return ok(k);
}

function decode(value: unknown, type: FieldType, path: string, file: string): Result<unknown> {
  const wrong = (expected: string) =>
    fail(
      new FlotillaError('RENDER_KUSTOMIZATION_INVALID', `${file}: ${path || 'the file'}: expected ${expected}, found ${describe(value)}`, {
        file,
        field: path || undefined,
      }),
    );
  if (value === null || value === undefined) return ok(undefined);
  if (type === 'any') return ok(value);
  if (type === 'string') {
    // As in kustomize, a number or a YAML 1.1 boolean (on, yes, y) is not a string: quote it.
    if (typeof value === 'string') return ok(value);
    return wrong(typeof value === 'number' || typeof value === 'boolean' ? 'a string (quote the value)' : 'a string');
  }
  if (type === 'bool') return typeof value === 'boolean' ? ok(value) : wrong('true or false');
  if (type === 'int') return typeof value === 'number' && Number.isInteger(value) ? ok(value) : wrong('an integer');
  if (type === 'stringMap' || type === 'boolMap') {
    if (!isPlainObject(value)) return wrong('a map');
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const r = decode(v, type === 'stringMap' ? 'string' : 'bool', `${path}.${key}`, file);
      if (!r.ok) return r;
      out[key] = r.value ?? (type === 'stringMap' ? '' : false);
    }
    return ok(out);
  }
  if ('list' in type) {
    if (!Array.isArray(value)) return wrong('a list');
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const r = decode(value[i], type.list, `${path}[${i}]`, file);
      if (!r.ok) return r;
      out.push(r.value ?? (type.list === 'string' ? '' : {}));
    }
    return ok(out);
  }
  if (!isPlainObject(value)) return wrong('a map');
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const fieldType = type.fields[key];
    const fieldPath = path ? `${path}.${key}` : key;
    if (!fieldType) {
      const known = Object.keys(type.fields);
      const near = known.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k, key) <= 2);
      return fail(
        new FlotillaError('RENDER_KUSTOMIZATION_INVALID', `${file}: unknown field ${JSON.stringify(fieldPath)}${near ? ` (did you mean ${JSON.stringify(path ? `${path}.${near}` : near)}?)` : ''}`, {
          file,
          field: fieldPath,
          hint: near ? `Rename it to ${near}.` : `Known fields here: ${known.join(', ')}.`,
        }),
      );
    }
    const r = decode(v, fieldType, fieldPath, file);
    if (!r.ok) return r;
    if (r.value !== undefined) out[key] = r.value;
  }
  return ok(out);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * Kustomization is a parsed kustomization file (kustomize v5, `kustomize.config.k8s.io/v1beta1`
 * Kustomization or `v1alpha1` Component). Field names are exactly kustomize's. The loader in
 * load.ts validates it: unknown fields and wrong types are errors naming the file and field.
 */
export interface Kustomization {
  apiVersion?: string;
  kind?: 'Kustomization' | 'Component';
  metadata?: { name?: string; [k: string]: unknown };
  resources?: string[];
  components?: string[];
  /** Deprecated spelling of resources, still accepted by kustomize v5. */
  bases?: string[];
  crds?: string[];
  configurations?: string[];
  namespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  commonLabels?: Record<string, string>;
  labels?: LabelEntry[];
  commonAnnotations?: Record<string, string>;
  configMapGenerator?: GeneratorArgs[];
  secretGenerator?: SecretGeneratorArgs[];
  generatorOptions?: GeneratorOptions;
  patches?: PatchEntry[];
  patchesStrategicMerge?: string[];
  patchesJson6902?: PatchEntry[];
  images?: ImageEntry[];
  replicas?: ReplicaEntry[];
  replacements?: ReplacementEntry[];
  sortOptions?: SortOptions;
  buildMetadata?: string[];
  openapi?: Record<string, unknown>;
  vars?: unknown[];
  generators?: string[];
  transformers?: string[];
  validators?: string[];
  helmCharts?: unknown[];
  helmGlobals?: unknown;
}

/** LabelEntry is one `labels:` entry. */
export interface LabelEntry {
  pairs: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
  fields?: FieldSpec[];
}

/** FieldSpec names a field of some kinds (kustomize's fieldSpec, as in configurations files). */
export interface FieldSpec {
  group?: string;
  version?: string;
  kind?: string;
  path: string;
  create?: boolean;
}

/** GeneratorOptions are kustomize's generatorOptions (global or per generator as `options`). */
export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

/** GeneratorArgs is one configMapGenerator entry. */
export interface GeneratorArgs {
  name?: string;
  namespace?: string;
  behavior?: 'create' | 'merge' | 'replace';
  literals?: string[];
  files?: string[];
  envs?: string[];
  /** Deprecated single env file. */
  env?: string;
  options?: GeneratorOptions;
}

/** SecretGeneratorArgs is one secretGenerator entry. */
export interface SecretGeneratorArgs extends GeneratorArgs {
  type?: string;
}

/** PatchTarget selects resources for a patch (regular expressions for name and namespace). */
export interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

/** PatchEntry is one `patches:` (or legacy `patchesJson6902:`) entry. */
export interface PatchEntry {
  path?: string;
  patch?: string;
  target?: PatchTarget;
  options?: { allowNameChange?: boolean; allowKindChange?: boolean };
}

/** ImageEntry is one `images:` entry. */
export interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** ReplicaEntry is one `replicas:` entry. */
export interface ReplicaEntry {
  name: string;
  count: number;
}

/** ReplacementEntry is one `replacements:` entry: inline, or `{path}` to a file of them. */
export interface ReplacementEntry {
  path?: string;
  source?: ReplacementSource;
  targets?: ReplacementTarget[];
}

/** ReplacementSource is where a replacement reads its value. */
export interface ReplacementSource extends PatchTarget {
  fieldPath?: string;
  options?: ReplacementOptions;
}

/** ReplacementTarget is where a replacement writes. */
export interface ReplacementTarget {
  select?: PatchTarget;
  reject?: PatchTarget[];
  fieldPaths?: string[];
  options?: ReplacementOptions;
}

/** ReplacementOptions are a replacement's delimiter/index/create options. */
export interface ReplacementOptions {
  delimiter?: string;
  index?: number;
  create?: boolean;
}

/** SortOptions are kustomize's sortOptions. */
export interface SortOptions {
  order?: 'legacy' | 'fifo';
  legacySortOptions?: { orderFirst?: string[]; orderLast?: string[] };
}

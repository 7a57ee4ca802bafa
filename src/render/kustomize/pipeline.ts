import { FlotillaError, fail, ok, type Issue, type Result } from '../../core/index.js';
import type { Kustomization } from './kustomization.js';
import { legacyJson6902Step, legacyStrategicMergeStep, patchesStep } from './patches.js';
import {
  annotationsStep,
  defaultTransformerConfig,
  fixNameReferences,
  imagesStep,
  labelsStep,
  loadTransformerConfig,
  mergeTransformerConfigs,
  namespaceStep,
  prefixStep,
  replacementsStep,
  replicasStep,
  suffixStep,
  type TransformerConfig,
} from './transformers/index.js';
import type { Resource } from './resource.js';
import type { BuildStep, StepContext } from './step.js';

/** NamedStep is one transformer stage and the kustomization fields that switch it on. */
export interface NamedStep {
  name: string;
  fields: readonly (keyof Kustomization)[];
  step: BuildStep;
}

type ConfiguredStep = (resources: Resource[], k: Kustomization, ctx: StepContext, config?: TransformerConfig) => Result<Resource[]>;

// The transformers take the field-spec configuration the build carries in the step context.
function withConfig(name: string, fields: readonly (keyof Kustomization)[], step: ConfiguredStep): NamedStep {
  return { name, fields, step: (resources, k, ctx) => step(resources, k, ctx, (ctx.config as TransformerConfig | undefined) ?? defaultTransformerConfig()) };
}

/**
 * transformerSteps are a kustomization's transformers in the order kustomize v5 runs them:
 * legacy patchesStrategicMerge, patches, namespace, namePrefix, nameSuffix, labels (commonLabels
 * and labels), commonAnnotations, legacy patchesJson6902, replicas, images, replacements.
 */
export const transformerSteps: readonly NamedStep[] = [
  { name: 'patchesStrategicMerge', fields: ['patchesStrategicMerge'], step: legacyStrategicMergeStep },
  { name: 'patches', fields: ['patches'], step: patchesStep },
  withConfig('namespace', ['namespace'], namespaceStep),
  withConfig('namePrefix', ['namePrefix'], prefixStep),
  withConfig('nameSuffix', ['nameSuffix'], suffixStep),
  withConfig('labels', ['commonLabels', 'labels'], labelsStep),
  withConfig('commonAnnotations', ['commonAnnotations'], annotationsStep),
  { name: 'patchesJson6902', fields: ['patchesJson6902'], step: legacyJson6902Step },
  withConfig('replicas', ['replicas'], replicasStep),
  withConfig('images', ['images'], imagesStep),
  { name: 'replacements', fields: ['replacements'], step: replacementsStep },
];

/** runTransformers runs every transformer step of one kustomization over its accumulated resources. */
export function runTransformers(resources: Resource[], k: Kustomization, ctx: StepContext): Result<Resource[]> {
  let current = resources;
  for (const { step } of transformerSteps) {
    const r = step(current, k, ctx);
    if (!r.ok) return located(r.issues, current, ctx.file);
    current = r.value;
  }
  return ok(current);
}

// Transformer errors about what a resource holds (a field spec reaching a scalar, an ambiguous
// reference) name the object; they are placed in the resource's file, others in the
// kustomization's, so that every message says which file to open.
function located(issues: readonly Issue[], resources: readonly Resource[], file: string): Result<never> {
  return fail(
    ...issues.map((issue) => {
      if (issue.file) return issue;
      const ref = issue.object;
      const owner = ref && resources.find((r) => r.object.kind === ref.kind && r.object.metadata.name === ref.name && (r.object.metadata.namespace || undefined) === (ref.namespace || undefined));
      const where = owner?.origin ?? file;
      return new FlotillaError(issue.code, `${where}: ${issue.message}`, { file: where, field: issue.field, object: issue.object, cluster: issue.cluster, hint: issue.hint, retryable: issue.retryable, cause: issue });
    }),
  );
}

/**
 * inheritConfig merges the field-spec configurations of the kustomizations one includes, in
 * order (kustomize's MergeConfig). Most trees never add configurations, so most of the time every
 * child hands up the same default object and there is nothing to merge.
 */
export function inheritConfig(configs: readonly unknown[]): Result<unknown> {
  const distinct = [...new Set(configs.filter((c) => c !== undefined))] as TransformerConfig[];
  if (distinct.length === 0) return ok(undefined);
  if (distinct.length === 1) return ok(distinct[0]);
  return mergeTransformerConfigs(...distinct);
}

/** finishConfig adds the built-in field specs and a kustomization's own configurations and crds to what it inherited. */
export function finishConfig(k: Kustomization, ctx: StepContext, inherited: unknown): Result<unknown> {
  const own = (k.configurations?.length ?? 0) > 0 || (k.crds?.length ?? 0) > 0;
  // Every config made here already holds the built-in specs, so without files of its own a
  // kustomization can keep what it inherited.
  if (!own) return ok(inherited ?? defaultTransformerConfig());
  return loadTransformerConfig(k, ctx, inherited === undefined ? [] : [inherited as TransformerConfig]);
}

/** fixReferences rewrites references to renamed resources (kustomize's name-reference fix), once, at the top. */
export function fixReferences(resources: Resource[], config: unknown, ctx: StepContext): Result<Resource[]> {
  const fixed = fixNameReferences(resources, (config as TransformerConfig | undefined) ?? defaultTransformerConfig(), { file: ctx.file });
  return fixed.ok ? fixed : located(fixed.issues, resources, ctx.file);
}

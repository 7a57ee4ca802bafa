import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import type { Kustomization } from './kustomization.js';
import type { Resource } from './resource.js';
import type { BuildStep, StepContext } from './step.js';

/** NamedStep is one transformer stage and the kustomization fields that switch it on. */
export interface NamedStep {
  name: string;
  fields: readonly (keyof Kustomization)[];
  step: BuildStep;
}

function pending(name: string, fields: readonly (keyof Kustomization)[]): NamedStep {
  return {
    name,
    fields,
    step: (resources, k, ctx) => {
      const used = fields.find((f) => {
        const v = k[f];
        return v !== undefined && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && v !== null && Object.keys(v).length === 0) && v !== '';
      });
      if (used) return fail(new FlotillaError('RENDER_UNSUPPORTED', `${ctx.file}: ${used}: not built yet`, { file: ctx.file, field: used }));
      return ok(resources);
    },
  };
}

/**
 * transformerSteps are a kustomization's transformers in the order kustomize v5 runs them:
 * legacy patchesStrategicMerge, patches, namespace, namePrefix, nameSuffix, labels (commonLabels
 * and labels), commonAnnotations, legacy patchesJson6902, replicas, images, replacements.
 */
export const transformerSteps: readonly NamedStep[] = [
  pending('patchesStrategicMerge', ['patchesStrategicMerge']),
  pending('patches', ['patches']),
  pending('namespace', ['namespace']),
  pending('namePrefix', ['namePrefix']),
  pending('nameSuffix', ['nameSuffix']),
  pending('labels', ['commonLabels', 'labels']),
  pending('commonAnnotations', ['commonAnnotations']),
  pending('patchesJson6902', ['patchesJson6902']),
  pending('replicas', ['replicas']),
  pending('images', ['images']),
  pending('replacements', ['replacements']),
];

/** runTransformers runs every transformer step of one kustomization over its accumulated resources. */
export function runTransformers(resources: Resource[], k: Kustomization, ctx: StepContext): Result<Resource[]> {
  let current = resources;
  for (const { step } of transformerSteps) {
    const r = step(current, k, ctx);
    if (!r.ok) return r;
    current = r.value;
  }
  return ok(current);
}

/** inheritConfig merges the field-spec configurations of the kustomizations one includes, in order. */
export function inheritConfig(configs: readonly unknown[]): Result<unknown> {
  return ok(configs.length > 0 ? configs[configs.length - 1] : undefined);
}

/** finishConfig adds a kustomization's own configurations and crds to what it inherited. */
export function finishConfig(k: Kustomization, ctx: StepContext, inherited: unknown): Result<unknown> {
  if ((k.configurations?.length ?? 0) > 0 || (k.crds?.length ?? 0) > 0) {
    return fail(new FlotillaError('RENDER_UNSUPPORTED', `${ctx.file}: configurations: not built yet`, { file: ctx.file }));
  }
  return ok(inherited);
}

/** fixReferences rewrites references to renamed resources (kustomize's name-reference fix), once, at the top. */
export function fixReferences(resources: Resource[], config: unknown, ctx: StepContext): Result<Resource[]> {
  void config;
  void ctx;
  return ok(resources);
}

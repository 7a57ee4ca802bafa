import { FlotillaError, formatRef, ok, type Result } from '../../../core/index.js';
import type { FieldSpec, Kustomization } from '../kustomization.js';
import { recordProvenance, type Resource } from '../resource.js';
import type { StepContext } from '../step.js';
import { defaultTransformerConfig, type TransformerConfig } from './config.js';
import { mergeFieldSpecs, visitFieldSpec } from './field-spec.js';
import { refOf, transformerEntry } from './resource-ids.js';

/**
 * setMapEntries writes `pairs` into the map at every field the specs reach (creating the maps
 * where a spec says create: true), as kustomize's label and annotation filters do. A spec that
 * reaches something other than a map is an error.
 */
export function setMapEntries(resources: Resource[], pairs: Readonly<Record<string, string>>, specs: readonly FieldSpec[], ctx: StepContext, step: string): Result<Resource[]> {
  const keys = Object.keys(pairs).sort();
  if (keys.length === 0) return ok(resources);
  const entry = transformerEntry(ctx.file, step);
  for (const resource of resources) {
    for (const spec of specs) {
      const visited = visitFieldSpec(
        resource.object,
        spec,
        (field) => {
          if (field.value === null) return;
          if (typeof field.value !== 'object' || Array.isArray(field.value)) {
            return new FlotillaError('RENDER_TRANSFORMER_INVALID', `${ctx.file}: ${step}: ${formatRef(refOf(resource.object))}: ${field.path.join('.')} is not a map, so ${step} cannot be added to it`, {
              file: ctx.file,
              field: step,
              object: refOf(resource.object),
              hint: 'Fix the field in the resource, or the field spec in the configurations file that points at it.',
            });
          }
          const map = field.value as Record<string, unknown>;
          for (const key of keys) {
            map[key] = String(pairs[key]);
            recordProvenance(resource, [...field.path, key], entry);
          }
        },
        { createKind: 'map' },
      );
      if (!visited.ok) return visited;
    }
  }
  return ok(resources);
}

/**
 * labelsStep is kustomize v5.7.1's LabelTransformer configuration for `labels:` and `commonLabels:`.
 * Each `labels` entry runs first, in order, then commonLabels:
 *
 * - commonLabels reach metadata.labels, the pod templates (and StatefulSet volume claim templates)
 *   of workloads, and the selectors that must keep matching them: Service and ReplicationController
 *   spec.selector, workload spec.selector.matchLabels (created when missing for Deployment,
 *   ReplicaSet, DaemonSet and StatefulSet, only updated for Job and CronJob), the pod affinity and
 *   topology spread selectors of Deployments and StatefulSets, PodDisruptionBudget selectors and
 *   NetworkPolicy pod selectors. The HPA scale target is not touched.
 * - a `labels` entry reaches metadata.labels only; with includeSelectors the commonLabels fields
 *   instead; with includeTemplates (and no includeSelectors) also the pod templates; plus its own
 *   `fields` and the `labels` field specs of configurations files.
 *
 * Values replace existing ones for the same key; the configured field specs (configurations
 * files, crds label-selector extensions) extend where labels go.
 */
export function labelsStep(resources: Resource[], kustomization: Kustomization, ctx: StepContext, config: TransformerConfig = defaultTransformerConfig()): Result<Resource[]> {
  let current = resources;
  for (const [i, label] of (kustomization.labels ?? []).entries()) {
    let specs = mergeFieldSpecs(label.fields ?? [], config.labels);
    if (specs.ok) {
      if (label.includeSelectors) specs = mergeFieldSpecs(specs.value, config.commonLabels);
      else {
        specs = mergeFieldSpecs(specs.value, [{ path: 'metadata/labels', create: true }]);
        if (specs.ok && label.includeTemplates) specs = mergeFieldSpecs(specs.value, config.templateLabels);
      }
    }
    if (!specs.ok) return { ok: false, issues: specs.issues.map((issue) => new FlotillaError(issue.code, `${ctx.file}: labels[${i}].fields: ${issue.message}`, { file: ctx.file, field: `labels[${i}].fields`, hint: issue.hint })) };
    const applied = setMapEntries(current, label.pairs ?? {}, specs.value, ctx, `labels[${i}]`);
    if (!applied.ok) return applied;
    current = applied.value;
  }
  if (kustomization.commonLabels) {
    const applied = setMapEntries(current, kustomization.commonLabels, config.commonLabels, ctx, 'commonLabels');
    if (!applied.ok) return applied;
    current = applied.value;
  }
  return ok(current);
}

/**
 * annotationsStep is kustomize v5.7.1's AnnotationsTransformer for `commonAnnotations:`: the
 * annotations go into metadata.annotations of every resource and the pod template annotations
 * of ReplicationControllers, Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs and CronJobs
 * (both the job template and its pod template), created when missing, replacing existing values.
 */
export function annotationsStep(resources: Resource[], kustomization: Kustomization, ctx: StepContext, config: TransformerConfig = defaultTransformerConfig()): Result<Resource[]> {
  if (!kustomization.commonAnnotations) return ok(resources);
  return setMapEntries(resources, kustomization.commonAnnotations, config.commonAnnotations, ctx, 'commonAnnotations');
}

import { FlotillaError, fail, ok, type Result } from '../../../core/index.js';
import type { Kustomization } from '../kustomization.js';
import { recordProvenance, type Resource } from '../resource.js';
import type { StepContext } from '../step.js';
import { defaultTransformerConfig, type TransformerConfig } from './config.js';
import { gvkSelects, visitFieldSpec } from './field-spec.js';
import { allIds, transformerEntry } from './resource-ids.js';

/**
 * replicasStep is kustomize v5.7.1's ReplicaCountTransformer, once per `replicas:` entry. For each
 * replicas field spec (spec/replicas of Deployment, ReplicationController, ReplicaSet and
 * StatefulSet, plus configured ones) it picks the resources of that kind whose current name or any
 * previous name (before prefixes, suffixes or namespace changes) is the entry's name, and sets the
 * count, adding the field when it is missing. An entry that matches no resource at all is an
 * error (RENDER_TRANSFORMER_INVALID), as in kustomize.
 */
export function replicasStep(resources: Resource[], kustomization: Kustomization, ctx: StepContext, config: TransformerConfig = defaultTransformerConfig()): Result<Resource[]> {
  const entries = kustomization.replicas ?? [];
  const entry = transformerEntry(ctx.file, 'replicas');
  for (const [i, replica] of entries.entries()) {
    const count = typeof replica.count === 'number' ? replica.count : Number(replica.count);
    let found = false;
    for (const spec of config.replicas) {
      const matching = resources.filter((r) =>
        allIds(r).some((id) => id.name === replica.name && gvkSelects(spec, id.group ? `${id.group}/${id.version}` : id.version, id.kind)),
      );
      if (matching.length === 0) continue;
      found = true;
      for (const resource of matching) {
        const visited = visitFieldSpec(
          resource.object,
          spec,
          (field) => {
            field.set(count);
            recordProvenance(resource, field.path, entry);
          },
          { createKind: 'scalar' },
        );
        if (!visited.ok) return visited;
      }
    }
    if (!found) {
      const kinds = [...new Set(config.replicas.map((s) => s.kind ?? '(any kind)'))].join(', ');
      return fail(
        new FlotillaError('RENDER_TRANSFORMER_INVALID', `${ctx.file}: replicas[${i}]: no ${kinds} named "${replica.name}" is in the build`, {
          file: ctx.file,
          field: `replicas[${i}].name`,
          hint: 'Use the name the resource has in its base (before this kustomization adds a prefix or suffix), and check that its kind can be scaled.',
        }),
      );
    }
  }
  return ok(resources);
}

import { FlotillaError, formatRef, ok, type Result } from '../../../core/index.js';
import type { FieldSpec, Kustomization } from '../kustomization.js';
import { recordProvenance, type Resource } from '../resource.js';
import type { StepContext } from '../step.js';
import { defaultTransformerConfig, type TransformerConfig } from './config.js';
import { gvkSelects, visitFieldSpec } from './field-spec.js';
import { originalId, refOf, storePreviousId, transformerEntry } from './resource-ids.js';

/**
 * affixSkipped says whether kustomize never renames a kind: CustomResourceDefinitions (their name
 * must be `<plural>.<group>`), APIServices of apiregistration.k8s.io (`<version>.<group>`) and
 * Namespaces. Kustomize checks the resource's original kind.
 */
function affixSkipped(resource: Resource): boolean {
  const id = originalId(resource);
  return id.kind === 'CustomResourceDefinition' || id.kind === 'Namespace' || (id.kind === 'APIService' && id.group === 'apiregistration.k8s.io');
}

function applyAffix(resources: Resource[], ctx: StepContext, which: 'prefix' | 'suffix', affix: string, specs: readonly FieldSpec[]): Result<Resource[]> {
  const entry = transformerEntry(ctx.file, which === 'prefix' ? 'namePrefix' : 'nameSuffix');
  for (const resource of resources) {
    if (affixSkipped(resource)) continue;
    const org = originalId(resource);
    for (const spec of specs) {
      if (!gvkSelects(spec, org.group ? `${org.group}/${org.version}` : org.version, org.kind)) continue;
      if (spec.path === 'metadata/name') storePreviousId(resource, { [which]: affix });
      const visited = visitFieldSpec(resource.object, spec, (field) => {
        if (field.value === null || field.value === undefined) return;
        if (typeof field.value === 'object') {
          return new FlotillaError('RENDER_TRANSFORMER_INVALID', `${ctx.file}: ${which === 'prefix' ? 'namePrefix' : 'nameSuffix'}: ${formatRef(refOf(resource.object))}: ${field.path.join('.')} is not a string`, {
            file: ctx.file,
            object: refOf(resource.object),
          });
        }
        const value = String(field.value);
        field.set(which === 'prefix' ? affix + value : value + affix);
        recordProvenance(resource, field.path, entry);
      });
      if (!visited.ok) return visited;
    }
  }
  return ok(resources);
}

/**
 * prefixStep is kustomize v5.7.1's PrefixTransformer for `namePrefix:`. For every resource except
 * CustomResourceDefinitions, apiregistration APIServices and Namespaces, it puts the current id
 * onto the history (remembering the prefix, which name references compare later) and prepends the
 * prefix to metadata.name, and to any other field the namePrefix field specs name (configurations
 * files, `x-kubernetes-identity` in crds). Field specs select on the resource's original kind.
 */
export function prefixStep(resources: Resource[], kustomization: Kustomization, ctx: StepContext, config: TransformerConfig = defaultTransformerConfig()): Result<Resource[]> {
  const prefix = kustomization.namePrefix;
  if (!prefix) return ok(resources);
  return applyAffix(resources, ctx, 'prefix', prefix, config.namePrefix);
}

/** suffixStep is prefixStep for `nameSuffix:` (kustomize's SuffixTransformer): the suffix is appended. */
export function suffixStep(resources: Resource[], kustomization: Kustomization, ctx: StepContext, config: TransformerConfig = defaultTransformerConfig()): Result<Resource[]> {
  const suffix = kustomization.nameSuffix;
  if (!suffix) return ok(resources);
  return applyAffix(resources, ctx, 'suffix', suffix, config.nameSuffix);
}

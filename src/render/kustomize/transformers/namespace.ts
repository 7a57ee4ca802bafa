import { FlotillaError, fail, formatRef, ok, type Result } from '../../../core/index.js';
import { isNamespacedKind } from '../../../manifest/kinds.js';
import type { Kustomization } from '../kustomization.js';
import { recordProvenance, type Resource } from '../resource.js';
import type { StepContext } from '../step.js';
import { defaultTransformerConfig, type TransformerConfig } from './config.js';
import { visitFieldSpec } from './field-spec.js';
import { currentId, idNamespace, refOf, storePreviousId, transformerEntry } from './resource-ids.js';

function isRoleBinding(kind: string): boolean {
  return kind === 'RoleBinding' || kind === 'ClusterRoleBinding';
}

/**
 * namespaceStep is kustomize v5.7.1's NamespaceTransformer for `namespace:` (unsetOnly false,
 * setRoleBindingSubjects defaultOnly, which is what a kustomization's `namespace` field gets):
 *
 * - every resource's current id goes onto its history, so patches, replacements and name
 *   references still find it by its old namespace;
 * - metadata.namespace is set, replacing any other value, on every kind kustomize does not know
 *   as cluster-scoped (see isNamespacedKind: custom resources are namespaced whatever their CRD
 *   says), and never on cluster-scoped kinds;
 * - in RoleBindings and ClusterRoleBindings, subjects named `default` get the namespace; other
 *   ServiceAccount subjects are left to the name-reference fix, which moves those pointing at a
 *   ServiceAccount of the build to its new namespace;
 * - the other namespace field specs apply: a `v1` Namespace object is renamed to the namespace,
 *   an APIService's spec.service.namespace is set (created if missing) and a CRD's conversion
 *   webhook service namespace is replaced (webhook configurations follow through name references);
 * - two resources ending with the same id is an error.
 */
export function namespaceStep(resources: Resource[], kustomization: Kustomization, ctx: StepContext, config: TransformerConfig = defaultTransformerConfig()): Result<Resource[]> {
  const namespace = kustomization.namespace;
  if (!namespace) return ok(resources);
  const entry = transformerEntry(ctx.file, 'namespace');
  for (const resource of resources) {
    const { object } = resource;
    storePreviousId(resource);
    if (isNamespacedKind(object.apiVersion, object.kind)) {
      object.metadata.namespace = namespace;
      recordProvenance(resource, ['metadata', 'namespace'], entry);
    }
    const specs = config.namespace.filter(
      (s) => s.path !== 'metadata/namespace' && !(s.path === 'metadata/name' && object.apiVersion !== 'v1') && !(isRoleBinding(object.kind) && isRoleBinding(s.kind ?? '') && s.path === 'subjects/namespace'),
    );
    if (isRoleBinding(object.kind) && Array.isArray(object.subjects)) {
      object.subjects.forEach((subject: unknown, i: number) => {
        if (typeof subject === 'object' && subject !== null && (subject as Record<string, unknown>).name === 'default') {
          (subject as Record<string, unknown>).namespace = namespace;
          recordProvenance(resource, ['subjects', i, 'namespace'], entry);
        }
      });
    }
    for (const spec of specs) {
      const visited = visitFieldSpec(
        object,
        spec,
        (field) => {
          if (field.value !== null && typeof field.value === 'object') {
            return new FlotillaError('RENDER_TRANSFORMER_INVALID', `${ctx.file}: namespace: ${formatRef(refOf(object))}: the namespace field ${field.path.join('.')} holds a map or list, not a namespace name`, {
              file: ctx.file,
              field: 'namespace',
              object: refOf(object),
              hint: 'Namespace field specs must point at string fields.',
            });
          }
          field.set(namespace);
          recordProvenance(resource, field.path, entry);
        },
        { createKind: 'scalar' },
      );
      if (!visited.ok) return visited;
    }
  }
  const seen = new Map<string, Resource>();
  for (const resource of resources) {
    const id = currentId(resource.object);
    const key = `${id.group}|${id.version}|${id.kind}|${idNamespace(id)}|${id.name}`;
    const other = seen.get(key);
    if (other) {
      return fail(
        new FlotillaError('RENDER_DUPLICATE_ID', `${ctx.file}: namespace: setting namespace "${namespace}" gives two resources the id ${formatRef(refOf(resource.object))}`, {
          file: ctx.file,
          field: 'namespace',
          object: refOf(resource.object),
          hint: 'Two resources that differed only by namespace now collide; rename one of them or keep them in separate kustomizations.',
        }),
      );
    }
    seen.set(key, resource);
  }
  return ok(resources);
}

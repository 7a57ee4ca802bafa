import type { SortOptions } from './kustomization.js';
import { resourceId, type Resource, type ResourceId } from './resource.js';

/**
 * defaultOrderFirst and defaultOrderLast are kustomize's legacy kind order (SortOrderTransformer):
 * kinds others depend on first, webhooks that could reject everything else last. Kinds in neither
 * list sit between them, ordered by group, version and kind.
 */
export const defaultOrderFirst: readonly string[] = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];

/** defaultOrderLast: see defaultOrderFirst. */
export const defaultOrderLast: readonly string[] = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

/**
 * sortResources puts the build output in the order of the top kustomization's sortOptions:
 * `fifo` keeps accumulation order; `legacy` (the default when sortOptions is absent, as for
 * `kustomize build`) orders by kind priority, then group/version/kind, then namespace and name.
 */
export function sortResources(resources: Resource[], options: SortOptions | undefined): Resource[] {
  const order = options?.order ?? 'legacy';
  if (order === 'fifo') return resources;
  const first = options?.legacySortOptions?.orderFirst ?? (options?.legacySortOptions ? [] : defaultOrderFirst);
  const last = options?.legacySortOptions?.orderLast ?? (options?.legacySortOptions ? [] : defaultOrderLast);
  const rank = new Map<string, number>();
  first.forEach((kind, i) => rank.set(kind, -first.length + i));
  last.forEach((kind, i) => rank.set(kind, 1 + i));
  const keyed = resources.map((resource) => {
    const id = resourceId(resource.object);
    return { resource, id, rank: rank.get(id.kind) ?? 0, gvk: gvkSortString(id), idString: idSortString(id) };
  });
  keyed.sort((a, b) => {
    if (a.gvk !== b.gvk) {
      if (a.rank !== b.rank) return a.rank - b.rank;
      // kustomize puts a core-group Namespace after one of another group (it compares these reversed).
      if (a.id.kind === 'Namespace' && b.id.kind === 'Namespace' && (a.id.group === '' || b.id.group === '')) return compare(b.gvk, a.gvk);
      return compare(a.gvk, b.gvk);
    }
    return compare(a.idString, b.idString);
  });
  return keyed.map((k) => k.resource);
}

function gvkSortString(id: ResourceId): string {
  return `${id.group || '~G'}_${id.version || '~V'}_${id.kind || '~K'}`;
}

// kyaml's ResId string: the gvk, then namespace and name; an empty namespace sorts as "~X".
function idSortString(id: ResourceId): string {
  return `${gvkSortString(id)}|${id.namespace || '~X'}|${id.name || '~N'}`;
}

// Go compares strings bytewise; for the ASCII of Kubernetes names this is code-unit order.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

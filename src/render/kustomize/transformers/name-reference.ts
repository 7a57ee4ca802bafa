import { FlotillaError, fail, formatRef, ok, type Result } from '../../../core/index.js';
import { isNamespacedKind } from '../../../manifest/kinds.js';
import { recordProvenance, type Resource } from '../resource.js';
import type { NameBackReference } from './builtin-field-specs.js';
import { defaultTransformerConfig, type TransformerConfig } from './config.js';
import { gvkSelects, visitFieldSpec, type FieldRef } from './field-spec.js';
import { effectiveNamespace, idNamespace, nameSuffixes, namePrefixes, originalId, previousIds, refOf, transformerEntry, type ResId } from './resource-ids.js';

function apiVersionOf(id: ResId): string {
  return id.group ? `${id.group}/${id.version}` : id.version;
}

function isClusterScoped(resource: Resource): boolean {
  return !isNamespacedKind(resource.object.apiVersion, resource.object.kind);
}

function currentNamespace(resource: Resource): string {
  const { apiVersion, kind, metadata } = resource.object;
  return effectiveNamespace(apiVersion, kind, metadata.namespace || undefined);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * couldBeReferencedBy is kustomize's SubsetThatCouldBeReferencedByResource, as a test: a
 * cluster-scoped referrer may refer to anything; a namespaced one to cluster-scoped objects, to
 * objects in its own namespace, and (a RoleBinding) to objects in the namespaces its
 * ServiceAccount subjects name.
 */
function couldBeReferencedBy(referrer: Resource, facts: Facts): Result<(candidate: Resource) => boolean> {
  if (facts.clusterScoped(referrer)) return ok(() => true);
  const namespaces = new Set<string>();
  if (referrer.object.kind === 'RoleBinding' && Array.isArray(referrer.object.subjects)) {
    for (const subject of referrer.object.subjects as unknown[]) {
      if (!isMap(subject) || subject.namespace === undefined || subject.kind !== 'ServiceAccount') continue;
      if (typeof subject.namespace !== 'string') {
        return fail(new FlotillaError('RENDER_TRANSFORMER_INVALID', `${formatRef(refOf(referrer.object))}: a ServiceAccount subject has a namespace that is not a string`, { object: refOf(referrer.object) }));
      }
      namespaces.add(subject.namespace);
    }
  }
  const own = currentNamespace(referrer);
  return ok((r) => facts.clusterScoped(r) || currentNamespace(r) === own || namespaces.has(r.object.metadata.namespace ?? ''));
}

/** Facts are what the fix looks up again and again, computed once per build. */
interface Facts {
  /** The resources that once had a name, by that name (kustomize only follows names that changed). */
  byPreviousName: Map<string, Resource[]>;
  clusterScoped(resource: Resource): boolean;
  previous(resource: Resource): ResId[];
}

function factsOf(resources: readonly Resource[]): Facts {
  const byPreviousName = new Map<string, Resource[]>();
  const previous = new Map<Resource, ResId[]>();
  const scope = new Map<Resource, boolean>();
  for (const resource of resources) {
    const ids = previousIds(resource);
    previous.set(resource, ids);
    for (const name of new Set(ids.map((id) => id.name))) {
      const list = byPreviousName.get(name);
      if (list) list.push(resource);
      else byPreviousName.set(name, [resource]);
    }
  }
  return {
    byPreviousName,
    clusterScoped: (r) => {
      let known = scope.get(r);
      if (known === undefined) scope.set(r, (known = isClusterScoped(r)));
      return known;
    },
    previous: (r) => previous.get(r) ?? previousIds(r),
  };
}

/** sameEndingSubSlice is kustomize's SameEndingSubSlice: the shorter list is the tail of the longer; an empty list only equals an empty one. */
function sameEndingSubSlice(a: readonly string[], b: readonly string[]): boolean {
  const [shortest, longest] = a.length <= b.length ? [a, b] : [b, a];
  const diff = longest.length - shortest.length;
  if (shortest.length === 0) return diff === 0;
  return shortest.every((s, i) => longest[i + diff] === s);
}

interface Filter {
  target: NameBackReference;
  spec: NameBackReference['fieldSpecs'][number];
}

/**
 * selectReferral is kustomize's nameref selectReferral: among the candidates, the ones that once
 * had the referenced name, as the referenced kind (and for roleRef/name, as the kind the roleRef
 * names), in the referrer's namespace unless cluster-scoped or a ServiceAccount; if that leaves
 * several, the ones given the same prefixes and suffixes as the referrer; several left that
 * disagree on the new name (and namespace, when `withNamespace`) is an error.
 */
function selectReferral(
  referrer: Resource,
  filter: Filter,
  oldName: string,
  reachable: (candidate: Resource) => boolean,
  facts: Facts,
  withNamespace: boolean,
): Result<Resource | undefined> {
  const target = filter.target;
  let list = (facts.byPreviousName.get(oldName) ?? []).filter(reachable);
  list = list.filter((c) => facts.previous(c).some((id) => gvkSelects(target, apiVersionOf(id), id.kind)));
  if (filter.spec.path.endsWith('roleRef/name')) {
    const roleRef = referrer.object.roleRef;
    if (isMap(roleRef) && typeof roleRef.apiGroup === 'string' && typeof roleRef.kind === 'string') {
      const gvk = { group: roleRef.apiGroup, kind: roleRef.kind };
      list = list.filter((c) => facts.previous(c).some((id) => gvkSelects(gvk, apiVersionOf(id), id.kind)));
    }
  }
  if (!facts.clusterScoped(referrer)) {
    const own = currentNamespace(referrer);
    list = list.filter((c) => facts.clusterScoped(c) || c.object.kind === 'ServiceAccount' || currentNamespace(c) === own);
  }
  if (list.length === 1) return ok(list[0]);
  const prefixes = namePrefixes(referrer);
  const suffixes = nameSuffixes(referrer);
  list = list.filter((c) => sameEndingSubSlice(namePrefixes(c), prefixes) && sameEndingSubSlice(nameSuffixes(c), suffixes));
  if (list.length <= 1) return ok(list[0]);
  const first = list[0]!.object.metadata;
  if (list.every((c) => c.object.metadata.name === first.name && (!withNamespace || (c.object.metadata.namespace ?? '') === (first.namespace ?? '')))) return ok(list[0]);
  return fail(
    new FlotillaError(
      'RENDER_TRANSFORMER_INVALID',
      `${formatRef(refOf(referrer.object))}: ${filter.spec.path} refers to "${oldName}", which could be any of ${list.map((c) => formatRef(refOf(c.object))).join(', ')}`,
      {
        object: refOf(referrer.object),
        field: filter.spec.path,
        hint: 'Two resources of the referenced kind were both named like this before their prefixes, suffixes or namespaces changed; give them distinct names in their bases.',
      },
    ),
  );
}

/**
 * fixNameReferences is kustomize v5.7.1's name reference transformer (FixBackReferences), run once
 * on the whole build after hash suffixes are added. For every nameReference entry (the kind
 * referred to) and each of its field specs (the referring field), every resource whose original
 * kind matches has the field updated: a name that one of the build's resources had before
 * (see selectReferral for how one is chosen) is replaced by that resource's current name.
 * Fields that hold a map (RoleBinding subjects, webhook clientConfig.service) are matched on
 * name and namespace and get both updated, so a ServiceAccount moved by `namespace:` is followed
 * into its new namespace; list fields (rules[].resourceNames) are updated element by element.
 * Names nobody had are left alone.
 */
export function fixNameReferences(resources: Resource[], config: TransformerConfig = defaultTransformerConfig(), options: { file?: string } = {}): Result<Resource[]> {
  const entry = transformerEntry(options.file ?? '', 'nameReference');
  const facts = factsOf(resources);
  // The referring field specs by the kind they apply to ('' for any kind).
  const specsByKind = new Map<string, Filter[]>();
  for (const target of config.nameReference) {
    for (const spec of target.fieldSpecs) {
      const list = specsByKind.get(spec.kind ?? '');
      if (list) list.push({ target, spec });
      else specsByKind.set(spec.kind ?? '', [{ target, spec }]);
    }
  }
  for (const referrer of resources) {
    const org = originalId(referrer);
    const apiVersion = apiVersionOf(org);
    const filters = [...(specsByKind.get(org.kind) ?? []), ...(org.kind ? (specsByKind.get('') ?? []) : [])].filter((f) => gvkSelects(f.spec, apiVersion, org.kind));
    if (filters.length === 0) continue;
    const subset = couldBeReferencedBy(referrer, facts);
    if (!subset.ok) return subset;
    const reachable = subset.value;
    // The namespaces the reachable resources had first, then have now (kustomize's
    // GroupedByOriginalNamespace and GroupedByCurrentNamespace), for map fields with a namespace.
    let namespaces: { original: Set<string>; current: Set<string> } | undefined;
    const namespacesOfReachable = () => {
      if (!namespaces) {
        namespaces = { original: new Set(), current: new Set() };
        for (const r of resources) {
          if (!reachable(r) || facts.clusterScoped(r)) continue;
          namespaces.original.add(idNamespace(originalId(r)));
          namespaces.current.add(currentNamespace(r));
        }
      }
      return namespaces;
    };
    for (const filter of filters) {
      const setScalar = (field: { path: (string | number)[]; value: unknown; set(v: unknown): void }): FlotillaError | undefined => {
        if (typeof field.value !== 'string') return undefined;
        const referral = selectReferral(referrer, filter, field.value, reachable, facts, false);
        if (!referral.ok) return referral.issues[0];
        if (!referral.value) return undefined;
        const name = referral.value.object.metadata.name;
        if (name === field.value) return undefined;
        field.set(name);
        recordProvenance(referrer, field.path, entry);
        return undefined;
      };
      const setMapping = (map: Record<string, unknown>, path: (string | number)[]): FlotillaError | undefined => {
        if (!('name' in map)) {
          return new FlotillaError('RENDER_TRANSFORMER_INVALID', `${formatRef(refOf(referrer.object))}: ${filter.spec.path} holds a map without a name field`, {
            object: refOf(referrer.object),
            field: filter.spec.path,
            hint: 'A nameReference field spec that points at a map needs the map to have name (and optionally namespace).',
          });
        }
        let pool = reachable;
        if ('namespace' in map && map.namespace !== undefined) {
          const namespace = String(map.namespace);
          const byOriginal = namespacesOfReachable().original.has(namespace);
          pool = (c) =>
            reachable(c) && !facts.clusterScoped(c) && (byOriginal ? idNamespace(originalId(c)) === namespace : currentNamespace(c) === namespace);
        }
        const oldName = String(map.name);
        const referral = selectReferral(referrer, filter, oldName, pool, facts, true);
        if (!referral.ok) return referral.issues[0];
        if (!referral.value) return undefined;
        const { name, namespace } = referral.value.object.metadata;
        if (name === oldName && !namespace) return undefined;
        map.name = name;
        recordProvenance(referrer, [...path, 'name'], entry);
        if (namespace) {
          map.namespace = namespace;
          recordProvenance(referrer, [...path, 'namespace'], entry);
        }
        return undefined;
      };
      const visited = visitFieldSpec(
        referrer.object,
        filter.spec,
        (field: FieldRef) => {
          if (field.value === null || field.value === undefined) return undefined;
          if (isMap(field.value)) return setMapping(field.value, field.path);
          if (Array.isArray(field.value)) {
            const list = field.value;
            for (let i = 0; i < list.length; i++) {
              const element = list[i];
              const problem = isMap(element)
                ? setMapping(element, [...field.path, i])
                : setScalar({ path: [...field.path, i], value: element, set: (v) => (list[i] = v) });
              if (problem) return problem;
            }
            return undefined;
          }
          return setScalar(field);
        },
        { skipGvkCheck: true },
      );
      if (!visited.ok) return visited;
    }
  }
  return ok(resources);
}


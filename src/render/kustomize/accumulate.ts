import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import type { KubeObject } from '../../manifest/index.js';
import { formatId, idKey, recordProvenance, resourceId, type ResourceId, type Resource } from './resource.js';

/**
 * appendResources adds resources to an accumulation, refusing one whose current id (group,
 * version, kind, namespace, name) is already there, as kustomize's ResMap.Append does.
 * `where` names the file and field that brought the new resources, for the message.
 */
export function appendResources(into: Resource[], more: readonly Resource[], file: string, field: string): Result<Resource[]> {
  const seen = new Map<string, Resource>();
  for (const r of into) seen.set(idKey(resourceId(r.object)), r);
  for (const r of more) {
    const id = resourceId(r.object);
    const key = idKey(id);
    const earlier = seen.get(key);
    if (earlier) {
      return fail(
        new FlotillaError(
          'RENDER_DUPLICATE_ID',
          `${file}: ${field}: ${formatId(id)} from ${r.origin ?? 'a generator'} is already in the build (from ${earlier.origin ?? 'a generator'}); two resources may not have the same kind, namespace and name`,
          { file, field, object: { kind: id.kind, namespace: id.namespace, name: id.name } },
        ),
      );
    }
    seen.set(key, r);
    into.push(r);
  }
  return ok(into);
}

/** anyIdMatches says whether a resource has, or once had, the given id (kustomize's GetMatchingResourcesByAnyId). */
export function anyIdMatches(r: Resource, id: ResourceId): boolean {
  const current = resourceId(r.object);
  const wanted = idKey(id);
  if (idKey(current) === wanted) return true;
  for (const h of r.history) {
    if (idKey({ group: current.group, version: current.version, kind: h.kind, namespace: h.namespace, name: h.name }) === wanted) return true;
  }
  return false;
}

/**
 * absorbGenerated adds a generated ConfigMap or Secret to the accumulation according to its
 * behavior (kustomize's appendReplaceOrMerge). merge and replace take the existing object's
 * name, namespace and earlier names, merge its labels and annotations under the new ones, and
 * (merge only) keep its data keys that the generator does not set.
 */
export function absorbGenerated(resources: Resource[], generated: Resource, file: string, step: string): Result<Resource[]> {
  const id = resourceId(generated.object);
  const behavior = generated.generator?.behavior ?? 'create';
  const matches = resources.filter((r) => anyIdMatches(r, id));
  const ref = { kind: id.kind, namespace: id.namespace, name: id.name };
  if (matches.length === 0) {
    if (behavior !== 'create') {
      return fail(
        new FlotillaError('RENDER_GENERATOR_INVALID', `${file}: ${step}: behavior ${behavior} needs an existing ${formatId(id)} from a base, and there is none`, {
          file,
          field: `${step}.behavior`,
          object: ref,
          hint: 'Use behavior create (the default), or check that the name and namespace match the base generator (before its prefix and hash).',
        }),
      );
    }
    return appendResources(resources, [generated], file, step);
  }
  if (matches.length > 1) {
    return fail(
      new FlotillaError('RENDER_GENERATOR_INVALID', `${file}: ${step}: ${matches.length} resources could take the ${behavior} of ${formatId(id)}: ${matches.map((m) => formatId(resourceId(m.object))).join(', ')}`, {
        file,
        field: step,
        object: ref,
      }),
    );
  }
  const old = matches[0]!;
  if (behavior === 'create') {
    return fail(
      new FlotillaError('RENDER_GENERATOR_INVALID', `${file}: ${step}: ${formatId(id)} already exists (from ${old.origin ?? 'a base'}); set behavior merge or replace to change it`, {
        file,
        field: `${step}.behavior`,
        object: ref,
      }),
    );
  }
  const merged = mergeInto(old, generated, behavior, { file, layer: 'generator', step });
  const index = resources.indexOf(old);
  resources[index] = merged;
  return ok(resources);
}

function mergeInto(old: Resource, res: Resource, behavior: 'merge' | 'replace', entry: { file: string; layer: 'generator'; step: string }): Resource {
  const o = old.object;
  const n = res.object;
  const labels = { ...o.metadata.labels, ...n.metadata.labels };
  const annotations = { ...o.metadata.annotations, ...n.metadata.annotations };
  const metadata = { ...n.metadata, name: o.metadata.name };
  if (o.metadata.namespace) metadata.namespace = o.metadata.namespace;
  else delete metadata.namespace;
  if (Object.keys(labels).length > 0) metadata.labels = labels;
  else delete metadata.labels;
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  const object: KubeObject = { ...n, metadata };
  const provenance = behavior === 'merge' ? new Map(old.provenance) : new Map(res.provenance);
  const out: Resource = {
    ...old,
    object,
    provenance,
    history: old.history.map((h) => ({ ...h })),
    // kustomize keeps the build annotations of the existing object (mergeStringMapsWithBuildAnnotations)
    // and drops the hash flag unless the new generator sets it too: merging into a plain
    // ConfigMap from a file never adds a hash suffix.
    generator: { ...res.generator!, behavior, hash: (old.generator?.hash ?? false) && res.generator!.hash },
    origin: old.origin,
  };
  if (behavior === 'merge') {
    for (const field of ['data', 'binaryData'] as const) {
      const before = o[field] as Record<string, string> | undefined;
      const after = n[field] as Record<string, string> | undefined;
      if (before || after) {
        const all: Record<string, string> = { ...before, ...after };
        const sorted: Record<string, string> = {};
        for (const key of Object.keys(all).sort()) sorted[key] = all[key]!;
        object[field] = sorted;
      }
    }
    // Keys the generator set come from it; the rest keep the provenance they had.
    for (const [path, e] of res.provenance) {
      if (path === '') continue;
      provenance.set(path, e);
    }
    for (const key of Object.keys(n.metadata.labels ?? {})) recordProvenance(out, ['metadata', 'labels', key], entry);
    for (const key of Object.keys(n.metadata.annotations ?? {})) recordProvenance(out, ['metadata', 'annotations', key], entry);
    for (const field of ['data', 'binaryData'] as const) {
      for (const key of Object.keys((n[field] as Record<string, string> | undefined) ?? {})) {
        if (!provenance.has(`/${field}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`)) recordProvenance(out, [field, key], entry);
      }
    }
  } else {
    provenance.set('', { ...entry });
  }
  return out;
}

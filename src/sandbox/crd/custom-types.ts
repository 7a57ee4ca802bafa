// CustomResourceDefinitions: their validation, the resource types an established CRD serves, and
// the status the apiextensions controllers inside kube-apiserver give them.
import { createHash } from 'node:crypto';
import type { FieldError } from '../api/status.js';
import type { CustomSchema, ResourceType, Verb } from '../registry/resource-type.js';
import { sortVersions } from '../registry/registry.js';
import { isDns1123Label, isDns1123Subdomain } from '../rest/names.js';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// Custom resources list their verbs in this order in discovery (the 1.19 server's order).
const customVerbs: Verb[] = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

/** storageVersionHash is the discovery hash of a storage version: sha256("group/version/Kind"), 8 bytes, base64. */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

/** crdVersions returns a CRD's versions, in the order they are listed. */
function versionsOf(crd: Json): Json[] {
  const spec = isObj(crd.spec) ? crd.spec : {};
  return Array.isArray(spec.versions) ? spec.versions.filter(isObj) : [];
}

/** typesFromCrd returns the resource types an established CRD serves, one per served version. */
export function typesFromCrd(crd: Json): ResourceType[] {
  const spec = crd.spec as Json;
  const names = spec.names as Json;
  const group = String(spec.group);
  const versions = versionsOf(crd);
  const storage = versions.find((v) => v.storage === true);
  const hash = storage ? storageVersionHash(group, String(storage.name), String(names.kind)) : undefined;
  const out: ResourceType[] = [];
  for (const v of versions) {
    if (v.served !== true) continue;
    const sub = isObj(v.subresources) ? v.subresources : {};
    const schema = isObj(v.schema) && isObj(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
    const scale = isObj(sub.scale) ? sub.scale : undefined;
    const custom: CustomSchema & { crdName: string } = {
      crdName: String((crd.metadata as Json).name),
      ...(schema ? { openAPIV3Schema: schema } : {}),
      statusSubresource: isObj(sub.status),
      ...(scale ? { scale: { specReplicasPath: String(scale.specReplicasPath), statusReplicasPath: String(scale.statusReplicasPath), ...(typeof scale.labelSelectorPath === 'string' ? { labelSelectorPath: scale.labelSelectorPath } : {}) } } : {}),
      ...(Array.isArray(v.additionalPrinterColumns) ? { additionalPrinterColumns: v.additionalPrinterColumns as CustomSchema['additionalPrinterColumns'] } : {}),
      crd,
    };
    out.push({
      group,
      version: String(v.name),
      kind: String(names.kind),
      listKind: String(names.listKind ?? `${String(names.kind)}List`),
      plural: String(names.plural),
      singular: String(names.singular ?? String(names.kind).toLowerCase()),
      discoverySingular: String(names.singular ?? String(names.kind).toLowerCase()),
      namespaced: spec.scope === 'Namespaced',
      verbs: customVerbs,
      shortNames: Array.isArray(names.shortNames) ? names.shortNames.map(String) : [],
      categories: Array.isArray(names.categories) ? names.categories.map(String) : [],
      ...(hash ? { storageVersionHash: hash } : {}),
      subresources: [
        ...(scale ? [{ name: 'scale', kind: 'Scale', verbs: ['get', 'patch', 'update'] as Verb[], group: 'autoscaling', version: 'v1' }] : []),
        ...(custom.statusSubresource ? [{ name: 'status', kind: String(names.kind), verbs: ['get', 'patch', 'update'] as Verb[] }] : []),
      ],
      generation: true,
      hasStatus: custom.statusSubresource,
      custom,
      genericOnly: false,
    });
  }
  // Discovery and the preferred version follow Kubernetes' version priority.
  const order = sortVersions(out.map((t) => t.version));
  return out.sort((a, b) => order.indexOf(a.version) - order.indexOf(b.version));
}

/** validateCrd checks what the apiextensions server checks first: names, group, scope, versions and schemas. */
export function validateCrd(crd: Json): FieldError[] {
  const errors: FieldError[] = [];
  const spec = isObj(crd.spec) ? crd.spec : {};
  const names = isObj(spec.names) ? spec.names : {};
  const name = String((crd.metadata as Json).name ?? '');
  const group = typeof spec.group === 'string' ? spec.group : '';
  if (group === '') errors.push({ type: 'FieldValueRequired', field: 'spec.group' });
  else {
    for (const detail of isDns1123Subdomain(group)) errors.push({ type: 'FieldValueInvalid', field: 'spec.group', value: group, detail });
    if (group.split('.').length < 2) errors.push({ type: 'FieldValueInvalid', field: 'spec.group', value: group, detail: "should be a domain with at least one dot" });
  }
  if (typeof names.plural !== 'string' || names.plural === '') errors.push({ type: 'FieldValueRequired', field: 'spec.names.plural' });
  else for (const detail of isDns1123Label(names.plural)) errors.push({ type: 'FieldValueInvalid', field: 'spec.names.plural', value: names.plural, detail });
  if (typeof names.kind !== 'string' || names.kind === '') errors.push({ type: 'FieldValueRequired', field: 'spec.names.kind' });
  if (typeof names.singular === 'string' && names.singular !== '') for (const detail of isDns1123Label(names.singular)) errors.push({ type: 'FieldValueInvalid', field: 'spec.names.singular', value: names.singular, detail });
  if (typeof names.plural === 'string' && group !== '' && name !== `${names.plural}.${group}`) {
    errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: 'must be spec.names.plural+"."+spec.group' });
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    errors.push(spec.scope === undefined ? { type: 'FieldValueRequired', field: 'spec.scope' } : { type: 'FieldValueNotSupported', field: 'spec.scope', value: spec.scope, detail: 'supported values: "Cluster", "Namespaced"' });
  }
  const versions = versionsOf(crd);
  if (versions.length === 0) errors.push({ type: 'FieldValueInvalid', field: 'spec.versions', value: [], detail: 'must have exactly one version marked as storage version' });
  else {
    const storage = versions.filter((v) => v.storage === true).length;
    if (storage !== 1) errors.push({ type: 'FieldValueInvalid', field: 'spec.versions', value: versions.map((v) => v.name), detail: 'must have exactly one version marked as storage version' });
    const seen = new Set<string>();
    versions.forEach((v, i) => {
      if (typeof v.name !== 'string' || v.name === '') errors.push({ type: 'FieldValueRequired', field: `spec.versions[${i}].name` });
      else {
        if (seen.has(v.name)) errors.push({ type: 'FieldValueInvalid', field: 'spec.versions', value: versions.map((x) => x.name), detail: 'must contain unique version names' });
        seen.add(v.name);
        for (const detail of isDns1123Label(v.name)) errors.push({ type: 'FieldValueInvalid', field: `spec.versions[${i}].name`, value: v.name, detail });
      }
      const schema = isObj(v.schema) ? v.schema.openAPIV3Schema : undefined;
      if (!isObj(schema)) errors.push({ type: 'FieldValueRequired', field: `spec.versions[${i}].schema.openAPIV3Schema`, detail: 'schemas are required' });
      else if (schema.type !== 'object') errors.push({ type: 'FieldValueInvalid', field: `spec.versions[${i}].schema.openAPIV3Schema.type`, value: schema.type ?? '', detail: 'must be object at the root' });
    });
  }
  return errors;
}

/** crdEstablishedConditions are the conditions the apiextensions controllers set on an accepted CRD. */
export function crdEstablishedConditions(now: string): Json[] {
  return [
    { type: 'NamesAccepted', status: 'True', lastTransitionTime: now, reason: 'NoConflicts', message: 'no conflicts found' },
    { type: 'Established', status: 'True', lastTransitionTime: now, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
  ];
}

/** acceptedNames is the status.acceptedNames of an established CRD: its spec.names with the defaults filled in. */
export function acceptedNames(crd: Json): Json {
  const names = (crd.spec as Json).names as Json;
  return {
    plural: names.plural,
    singular: names.singular ?? String(names.kind).toLowerCase(),
    ...(Array.isArray(names.shortNames) ? { shortNames: names.shortNames } : {}),
    kind: names.kind,
    listKind: names.listKind ?? `${String(names.kind)}List`,
    ...(Array.isArray(names.categories) ? { categories: names.categories } : {}),
  };
}

/** isEstablished tells whether a CRD object carries Established=True. */
export function isEstablished(crd: Json): boolean {
  const status = isObj(crd.status) ? crd.status : {};
  return Array.isArray(status.conditions) && status.conditions.some((c) => isObj(c) && c.type === 'Established' && c.status === 'True');
}

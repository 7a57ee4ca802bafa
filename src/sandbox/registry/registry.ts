import { builtinGroupOrder, builtinTypes } from './builtin-types.js';
import { groupVersion, type ResourceType } from './resource-type.js';

/**
 * TypeRegistry is one cluster's set of served resource types: the shared built-in table plus the
 * custom resources of its established CRDs. Discovery documents are generated from it.
 */
export class TypeRegistry {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();
  private readonly custom = new Map<string, ResourceType[]>();

  constructor() {
    for (const t of builtinTypes) this.index(t);
  }

  private index(t: ResourceType): void {
    this.byPath.set(`${t.group}/${t.version}/${t.plural}`, t);
    if (!this.byKind.has(`${t.group}/${t.version}/${t.kind}`)) this.byKind.set(`${t.group}/${t.version}/${t.kind}`, t);
  }

  /** lookup finds the type served at `/apis/group/version/plural`. */
  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** lookupKind finds the type of an apiVersion and kind, as written in an object. */
  lookupKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) as [string, string] : ['', apiVersion];
    return this.byKind.get(`${group}/${version}/${kind}`);
  }

  /** types lists every served type, built-in first. */
  types(): ResourceType[] {
    return [...builtinTypes, ...[...this.custom.values()].flat()];
  }

  /** typesOf lists the served types of one group and resource, in every version. */
  typesOfResource(group: string, plural: string): ResourceType[] {
    return this.types().filter((t) => t.group === group && t.plural === plural);
  }

  /** setCustom serves the types of one established CRD (replacing what it served before). */
  setCustom(crdName: string, types: ResourceType[]): void {
    this.removeCustom(crdName);
    this.custom.set(crdName, types);
    for (const t of types) this.index(t);
  }

  /** removeCustom stops serving the types of one CRD. */
  removeCustom(crdName: string): void {
    for (const t of this.custom.get(crdName) ?? []) {
      this.byPath.delete(`${t.group}/${t.version}/${t.plural}`);
      this.byKind.delete(`${t.group}/${t.version}/${t.kind}`);
    }
    this.custom.delete(crdName);
  }

  /** customTypesOf returns what one CRD serves. */
  customTypesOf(crdName: string): ResourceType[] {
    return this.custom.get(crdName) ?? [];
  }

  /** groups lists the served API groups (not the core group) with their versions, preferred first. */
  groups(): Array<{ name: string; versions: string[] }> {
    const versions = new Map<string, string[]>();
    for (const t of this.types()) {
      if (!t.group) continue;
      const list = versions.get(t.group) ?? [];
      if (!list.includes(t.version)) list.push(t.version);
      versions.set(t.group, list);
    }
    const names = [...versions.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    return names.map((name) => ({ name, versions: sortVersions(versions.get(name)!) }));
  }

  /** resourceList is the APIResourceList document of one group version, or undefined when it is not served. */
  resourceList(group: string, version: string): Record<string, unknown> | undefined {
    const types = this.types().filter((t) => t.group === group && t.version === version);
    if (types.length === 0) return undefined;
    const resources: Record<string, unknown>[] = [];
    for (const t of [...types].sort((a, b) => (a.plural < b.plural ? -1 : 1))) {
      resources.push({
        name: t.plural,
        singularName: t.discoverySingular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: t.verbs,
        ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
        ...(t.categories.length ? { categories: t.categories } : {}),
        ...(t.storageVersionHash ? { storageVersionHash: t.storageVersionHash } : {}),
      });
      for (const s of t.subresources) {
        resources.push({
          name: `${t.plural}/${s.name}`,
          singularName: '',
          namespaced: t.namespaced,
          ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
          kind: s.kind,
          verbs: s.verbs,
        });
      }
    }
    // The 1.19 server prints the core list without apiVersion and the group lists with it.
    return group ? { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources } : { kind: 'APIResourceList', groupVersion: version, resources };
  }
}

function rank(group: string): number {
  const i = builtinGroupOrder.indexOf(group);
  return i === -1 ? builtinGroupOrder.length : i;
}

/**
 * sortVersions orders versions as Kubernetes prefers them: GA before beta before alpha, higher
 * numbers first (v2 > v1 > v1beta2 > v1beta1 > v1alpha1), other strings last in name order.
 */
export function sortVersions(versions: string[]): string[] {
  const key = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0, v];
    const stage = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, -Number(m[1]), -Number(m[3] ?? 0), v];
  };
  return [...versions].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return (ka[i] as number) - (kb[i] as number);
    return ka[3] < kb[3] ? -1 : ka[3] > kb[3] ? 1 : 0;
  });
}

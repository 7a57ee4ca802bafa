import type { JsonValue, KubeObject } from '../manifest/index.js';
import { isSecret, maskedValue } from './mask.js';

// Drift (SPEC §6) is a difference between the desired object and the live one in a field Flotilla
// applies. With server-side apply Flotilla owns exactly the fields its manifest sets, so the
// comparison walks the desired object and looks each of its leaves up in the live one:
//
// * maps by key: a field only the live object has (set by another manager, a controller or the
//   server's defaulting) is not drift;
// * associative lists by their merge keys (containers by name, container ports by containerPort and
//   protocol, env by name, …): an element another manager added, or a different order, is not
//   drift, and defaults the server adds inside an element are not either;
// * other lists of maps element by element when the lengths agree (so that defaults inside their
//   items are not drift), as a whole when they do not; lists of scalars as a whole (atomic);
// * resource quantities by value (`1000m` is `1`), Secret stringData against the live data it
//   became, and an empty map or list in the manifest against nothing (the server drops empties).
//
// Only labels and annotations of metadata are compared; status never is.

/**
 * DriftIgnoreRule is one `ignore:` entry of a release (src/fleet IgnoreRule has the same shape; plan
 * may not import fleet, both being layer-2 areas). Each of group, kind, namespace and name is a glob
 * where `*` matches any run of characters; absent means any. `paths` are JSON pointers
 * (`/spec/replicas`); a pointer covers every field under it, and a segment `*` matches any one
 * segment (`/spec/template/spec/containers/*\/image`).
 */
export interface DriftIgnoreRule {
  group?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  paths: string[];
}

/** DriftField is one drifted leaf. `live` is absent when the live object lacks the field. */
export interface DriftField {
  /** JSON pointer into the desired object; list elements by their index in the desired list. */
  path: string;
  desired: JsonValue;
  live?: JsonValue;
  /** True when the values are a Secret's and were replaced by the marker. */
  masked?: boolean;
}

/** DriftResult says whether an object drifted, and where. */
export interface DriftResult {
  drifted: boolean;
  /** True when the live object does not exist at all (deleted behind Flotilla's back). */
  missing?: boolean;
  fields: DriftField[];
}

/** DetectDriftOptions tune detectDrift. */
export interface DetectDriftOptions {
  /** The release's ignore rules. @default [] */
  ignore?: readonly DriftIgnoreRule[];
}

type Json = JsonValue | undefined;
type Segment = string | number;

interface ListKeys {
  keys: readonly string[];
  /** Values the server fills in for a key the manifest leaves out. */
  defaults?: Readonly<Record<string, string>>;
}

const containerLists = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/**
 * Merge keys of the associative lists of the built-in API (x-kubernetes-list-map-keys), by field
 * name. The names are specific enough that CRDs embedding a pod spec (Argo Rollouts, operators)
 * mean the same thing by them.
 */
const listKeysByField: ReadonlyMap<string, ListKeys> = new Map([
  ['containers', { keys: ['name'] }],
  ['initContainers', { keys: ['name'] }],
  ['ephemeralContainers', { keys: ['name'] }],
  ['env', { keys: ['name'] }],
  ['volumes', { keys: ['name'] }],
  ['volumeMounts', { keys: ['mountPath'] }],
  ['volumeDevices', { keys: ['devicePath'] }],
  ['imagePullSecrets', { keys: ['name'] }],
  ['hostAliases', { keys: ['ip'] }],
  ['topologySpreadConstraints', { keys: ['topologyKey', 'whenUnsatisfiable'] }],
  ['resourceClaims', { keys: ['name'] }],
  ['schedulingGates', { keys: ['name'] }],
  ['resizePolicy', { keys: ['resourceName'] }],
]);

const containerPortKeys: ListKeys = { keys: ['containerPort', 'protocol'], defaults: { protocol: 'TCP' } };
const servicePortKeys: ListKeys = { keys: ['port', 'protocol'], defaults: { protocol: 'TCP' } };

/** Field names under which values are resource quantities (resources, quotas, limit ranges, volumes). */
const quantityParents = new Set(['limits', 'requests', 'hard', 'capacity', 'default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio', 'overhead']);
const quantityLeaves = new Set(['sizeLimit', 'storage']);

function isRecord(value: unknown): value is Record<string, JsonValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function pointer(path: readonly Segment[]): string {
  return path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** fieldNames is the path without list indexes: what decides a list's keys. */
function fieldNames(path: readonly Segment[]): string[] {
  return path.filter((s): s is string => typeof s === 'string');
}

function listKeysFor(path: readonly Segment[], isService: boolean): ListKeys | undefined {
  const names = fieldNames(path);
  const last = names.at(-1);
  if (last === 'ports') {
    if (containerLists.has(names.at(-2) ?? '')) return containerPortKeys;
    if (isService && names.length === 2 && names[0] === 'spec') return servicePortKeys;
    return undefined;
  }
  return last === undefined ? undefined : listKeysByField.get(last);
}

const binarySuffixes: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimalSuffixes: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** parseQuantity reads a Kubernetes resource quantity (`500m`, `1.5Gi`, `1e3`, `2`) as a number. */
export function parseQuantity(value: string | number): number | undefined {
  if (typeof value === 'number') return value;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/.exec(value.trim());
  if (!match) return undefined;
  const number = Number(match[1]);
  if (match[2]) return number * 10 ** Number(match[2].slice(1));
  const suffix = match[3] ?? '';
  return number * (binarySuffixes[suffix] ?? decimalSuffixes[suffix]!);
}

function sameQuantity(a: JsonValue, b: JsonValue): boolean {
  if ((typeof a !== 'string' && typeof a !== 'number') || (typeof b !== 'string' && typeof b !== 'number')) return false;
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) return false;
  return x === y || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

function isQuantityPath(path: readonly Segment[]): boolean {
  const names = fieldNames(path);
  return quantityLeaves.has(names.at(-1) ?? '') || quantityParents.has(names.at(-2) ?? '');
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

function isEmpty(value: JsonValue): boolean {
  return (Array.isArray(value) && value.length === 0) || (isRecord(value) && Object.keys(value).length === 0);
}

class Walker {
  readonly fields: DriftField[] = [];
  constructor(private readonly isService: boolean) {}

  compare(desired: Json, live: Json, path: Segment[]): void {
    // null in a manifest means "no opinion" to kubectl and kustomize (creationTimestamp: null …).
    if (desired === undefined || desired === null) return;
    if (live === undefined && isEmpty(desired)) return;
    if (isRecord(desired)) {
      if (!isRecord(live)) return this.mismatch(desired, live, path);
      for (const [key, value] of Object.entries(desired)) this.compare(value, live[key], [...path, key]);
      return;
    }
    if (Array.isArray(desired)) {
      if (!Array.isArray(live)) return this.mismatch(desired, live, path);
      const keys = listKeysFor(path, this.isService);
      if (keys && this.compareByKeys(desired, live, path, keys)) return;
      if (desired.every(isRecord) && desired.length === live.length) {
        desired.forEach((item, i) => this.compare(item, live[i], [...path, i]));
        return;
      }
      if (!deepEqual(desired, live)) this.fields.push({ path: pointer(path), desired, live });
      return;
    }
    if (desired === live) return;
    if (live !== undefined && isQuantityPath(path) && sameQuantity(desired, live)) return;
    this.fields.push({ path: pointer(path), desired, ...(live === undefined ? {} : { live }) });
  }

  /** compareByKeys matches elements by merge key; false when some element lacks a key (then by index). */
  private compareByKeys(desired: JsonValue[], live: JsonValue[], path: Segment[], list: ListKeys): boolean {
    const keyOf = (item: JsonValue): string | undefined => {
      if (!isRecord(item)) return undefined;
      const parts: string[] = [];
      for (const key of list.keys) {
        const value = item[key] ?? list.defaults?.[key];
        if (value === undefined || value === null || isRecord(value) || Array.isArray(value)) return undefined;
        parts.push(String(value));
      }
      return JSON.stringify(parts);
    };
    const desiredKeys = desired.map(keyOf);
    if (desiredKeys.some((k) => k === undefined)) return false;
    const liveByKey = new Map<string, JsonValue>();
    for (const item of live) {
      const key = keyOf(item);
      if (key !== undefined && !liveByKey.has(key)) liveByKey.set(key, item);
    }
    desired.forEach((item, i) => this.compare(item, liveByKey.get(desiredKeys[i]!), [...path, i]));
    return true;
  }

  /** mismatch reports a subtree the live object lacks (leaf by leaf, so ignore rules can reach in) or has in another shape. */
  private mismatch(desired: JsonValue, live: Json, path: Segment[]): void {
    if (live === undefined || live === null) {
      if (isRecord(desired) && Object.keys(desired).length > 0) {
        for (const [key, value] of Object.entries(desired)) this.compare(value, undefined, [...path, key]);
        return;
      }
      if (Array.isArray(desired) && desired.length > 0 && desired.every((d) => isRecord(d))) {
        desired.forEach((item, i) => this.compare(item, undefined, [...path, i]));
        return;
      }
      this.fields.push({ path: pointer(path), desired });
      return;
    }
    this.fields.push({ path: pointer(path), desired, live });
  }
}

function decodeBase64(value: JsonValue | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  return Buffer.from(value, 'base64').toString('utf8');
}

/** compareSecret compares a Secret's values by their bytes, stringData against the live data it became. */
function compareSecret(desired: KubeObject, live: KubeObject, fields: DriftField[]): void {
  const liveData = isRecord(live.data) ? live.data : {};
  const report = (path: string, desiredValue: string | undefined, liveValue: string | undefined) => {
    if (desiredValue === liveValue) return;
    fields.push({ path, desired: maskedValue, ...(liveValue === undefined ? {} : { live: maskedValue }), masked: true });
  };
  const stringData = isRecord(desired.stringData) ? desired.stringData : {};
  if (isRecord(desired.data)) {
    for (const [key, value] of Object.entries(desired.data)) {
      if (value === null || key in stringData) continue; // stringData wins over data on the server
      report(pointer(['data', key]), decodeBase64(value), decodeBase64(liveData[key]));
    }
  }
  for (const [key, value] of Object.entries(stringData)) {
    if (value === null) continue;
    report(pointer(['stringData', key]), String(value), decodeBase64(liveData[key]));
  }
}

function glob(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined || pattern === '*') return true;
  const regex = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return regex.test(value);
}

function splitPointer(path: string): string[] {
  if (path === '' || path === '/') return [];
  return path
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** pathCovered tells whether an ignore path covers a field path: equal, or a prefix by segments. */
function pathCovered(rule: string, field: string): boolean {
  const r = splitPointer(rule);
  const f = splitPointer(field);
  return r.length <= f.length && r.every((segment, i) => segment === '*' || segment === f[i]);
}

/** ignoreRulesFor returns the ignore paths that apply to an object. */
function ignorePathsFor(object: KubeObject, rules: readonly DriftIgnoreRule[]): string[] {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return rules
    .filter((r) => glob(r.group, group) && glob(r.kind, object.kind) && glob(r.namespace, object.metadata?.namespace ?? '') && glob(r.name, object.metadata?.name ?? ''))
    .flatMap((r) => r.paths);
}

/**
 * detectDrift compares a desired object (as Flotilla applies it) with the live one and returns every
 * drifted leaf that no ignore rule covers, in the order of the desired object (see the rules above).
 * A missing live object is drift. Secret values never leave this function: `data` and `stringData`
 * values are replaced by the marker of src/plan/mask.ts.
 */
export function detectDrift(desired: KubeObject, live: KubeObject | undefined, options: DetectDriftOptions = {}): DriftResult {
  if (live === undefined) return { drifted: true, missing: true, fields: [] };
  const secret = isSecret(desired);
  const walker = new Walker(desired.kind === 'Service' && desired.apiVersion === 'v1');
  const desiredMeta: Record<string, Json> = isRecord(desired.metadata) ? desired.metadata : {};
  const liveMeta: Record<string, Json> = isRecord(live.metadata) ? live.metadata : {};
  for (const key of ['labels', 'annotations']) walker.compare(desiredMeta[key], liveMeta[key], ['metadata', key]);
  for (const [key, value] of Object.entries(desired)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata' || key === 'status') continue;
    if (secret && (key === 'data' || key === 'stringData')) continue;
    walker.compare(value as Json, live[key] as Json, [key]);
  }
  if (secret) compareSecret(desired, live, walker.fields);

  const ignored = ignorePathsFor(desired, options.ignore ?? []);
  const fields = walker.fields.filter((f) => !ignored.some((rule) => pathCovered(rule, f.path)));
  return { drifted: fields.length > 0, fields };
}

// Helm's two merges, reproduced so that Flotilla knows, for every value a template sees, which
// layer set it:
//
// * user layers (`-f a.yaml -f b.yaml`, here valuesFiles then the release's values) merge as
//   helm's cli/values mergeMaps does: maps merge key by key, anything else (lists included)
//   replaces, and a null is kept as a null;
// * the result is coalesced with the chart's defaults as chartutil's coalesceValues does: a key
//   the user left out takes the default, maps merge, a user null deletes the key (and its default),
//   and a user value of another shape than the default wins.
import { pointerOf } from '../kustomize/resource.js';

/** ValuesLayer is one source of values, in the order helm merges them. */
export interface ValuesLayer {
  /** The file that holds the values: the chart's values.yaml, a values file, or the fleet file. */
  file: string;
  /** A prefix for the provenance step, e.g. `spec.releases[2].helm.values` for the fleet file's values. */
  step?: string;
  values: Record<string, unknown>;
}

/** MergedValues is the outcome of both merges, with the layer behind every value. */
export interface MergedValues {
  /** The user layers merged, nulls kept: what helm is given. */
  user: Record<string, unknown>;
  /** The chart defaults coalesced with the user values: the chart's `.Values`. */
  effective: Record<string, unknown>;
  /**
   * JSON pointer into `effective` → the index in the layers (0 = chart defaults) of the layer
   * that set the value there. A pointer without an entry was set with its nearest ancestor.
   */
  origins: Map<string, number>;
}

type Values = Record<string, unknown>;

function isTable(value: unknown): value is Values {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function dropBelow(origins: Map<string, number>, pointer: string): void {
  const prefix = pointer + '/';
  for (const key of [...origins.keys()]) if (key.startsWith(prefix)) origins.delete(key);
}

function mergeInto(dst: Values, src: Values, layer: number, path: string[], origins: Map<string, number>): void {
  for (const [key, value] of Object.entries(src)) {
    const at = [...path, key];
    const existing = dst[key];
    if (isTable(value) && isTable(existing)) {
      mergeInto(existing, value, layer, at, origins);
      continue;
    }
    dst[key] = isTable(value) ? deepCopy(value) : value;
    const pointer = pointerOf(at);
    dropBelow(origins, pointer);
    origins.set(pointer, layer);
  }
}

function coalesce(user: Values, defaults: Values, path: string[], origins: Map<string, number>): void {
  for (const [key, value] of Object.entries(defaults)) {
    const at = [...path, key];
    const pointer = pointerOf(at);
    if (!Object.hasOwn(user, key)) {
      user[key] = isTable(value) ? deepCopy(value) : value;
      origins.set(pointer, 0);
    } else if (user[key] === null) {
      delete user[key];
      dropBelow(origins, pointer);
      origins.delete(pointer);
    } else if (isTable(user[key]) && isTable(value)) {
      coalesce(user[key] as Values, value, at, origins);
    }
  }
}

function deepCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * mergeValues merges the chart defaults (layer 0) with the user layers (1…n, in order) as helm
 * does, recording which layer set each value. The inputs are not changed.
 */
export function mergeValues(defaults: Values, layers: readonly Values[]): MergedValues {
  const user: Values = {};
  const userOrigins = new Map<string, number>();
  layers.forEach((values, i) => mergeInto(user, values, i + 1, [], userOrigins));
  const effective = deepCopy(user);
  const origins = new Map(userOrigins);
  coalesce(effective, defaults, [], origins);
  return { user, effective, origins };
}

/** originOf finds the layer that set the value at a pointer of the effective values (its own entry or its nearest ancestor's). */
export function originOf(origins: ReadonlyMap<string, number>, pointer: string): number | undefined {
  let p = pointer;
  for (;;) {
    const found = origins.get(p);
    if (found !== undefined) return found;
    if (p === '') return undefined;
    p = p.slice(0, p.lastIndexOf('/'));
  }
}

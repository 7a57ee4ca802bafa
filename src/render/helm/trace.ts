// Which value set which field of a Helm-rendered object cannot be read from helm's output: a
// template may print a value anywhere, change it, or only test it. Flotilla finds out the way one
// would by hand: it renders the chart a second time with every non-empty string value replaced by
// a unique marker (`zfltv12vz`) and every positive integer by a unique number, and looks where the
// markers come out. A field is credited to a value only when the marker appears in that field of
// the traced object AND the real render holds the original value in the same field, so templates
// that transform a value (b64enc, trunc, arithmetic) or branch on it simply leave the field to the
// template, never to a wrong value.
import { pointerOf } from '../kustomize/resource.js';

/** ValueMarker is one value that was replaced by a marker for the tracing render. */
export interface ValueMarker {
  /** The JSON pointer of the value in the effective values. */
  pointer: string;
  original: string | number;
}

/** TraceValues is the marked copy of the values and what each marker stands for. */
export interface TraceValues {
  values: Record<string, unknown>;
  strings: Map<number, ValueMarker>;
  numbers: Map<number, ValueMarker>;
}

/** maxTracedValues bounds the markers of one render (charts with huge values still trace their first ones). */
export const maxTracedValues = 50_000;

// Numbers stay below 1e6: helm holds values as float64 and %v prints larger ones as 1e+06.
const numberBase = 700_000;
const markerPattern = /zfltv(\d+)vz/g;

/** markValues copies the values with markers in place of non-empty strings and positive integers. */
export function markValues(values: Record<string, unknown>): TraceValues {
  const strings = new Map<number, ValueMarker>();
  const numbers = new Map<number, ValueMarker>();
  let next = 0;
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (next >= maxTracedValues) return value;
    if (typeof value === 'string' && value !== '') {
      const id = next++;
      strings.set(id, { pointer: pointerOf(path), original: value });
      return `zfltv${id}vz`;
    }
    if (typeof value === 'number' && Number.isInteger(value) && value > 0 && value < numberBase) {
      const id = next++;
      numbers.set(numberBase + id, { pointer: pointerOf(path), original: value });
      return numberBase + id;
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return value;
  };
  return { values: walk(values, []) as Record<string, unknown>, strings, numbers };
}

/** TracedField is one field of a real object that a value set. */
export interface TracedField {
  /** The field, as a JSON pointer into the object. */
  pointer: string;
  /** The values (pointers into the effective values) printed into it, in the order they appear. */
  values: string[];
}

/**
 * traceFields compares one object of the tracing render with the same object of the real render
 * and lists the fields whose value came from values, as proven by the markers.
 */
export function traceFields(traced: unknown, real: unknown, markers: TraceValues): TracedField[] {
  const out: TracedField[] = [];
  const walk = (t: unknown, r: unknown, path: (string | number)[]) => {
    if (r === undefined) return;
    if (typeof t === 'string' && (typeof r === 'string' || typeof r === 'number' || typeof r === 'boolean')) {
      const found: ValueMarker[] = [];
      for (const match of t.matchAll(markerPattern)) {
        const marker = markers.strings.get(Number(match[1]));
        if (marker) found.push(marker);
      }
      const text = String(r);
      if (found.length && found.every((m) => text.includes(String(m.original)))) out.push({ pointer: pointerOf(path), values: found.map((m) => m.pointer) });
      return;
    }
    if (typeof t === 'number') {
      const marker = markers.numbers.get(t);
      if (marker && r === marker.original) out.push({ pointer: pointerOf(path), values: [marker.pointer] });
      return;
    }
    if (Array.isArray(t) && Array.isArray(r)) {
      t.forEach((item, i) => walk(item, r[i], [...path, i]));
      return;
    }
    if (t !== null && typeof t === 'object' && r !== null && typeof r === 'object' && !Array.isArray(t) && !Array.isArray(r)) {
      for (const [key, value] of Object.entries(t)) {
        if (Object.hasOwn(r, key)) walk(value, (r as Record<string, unknown>)[key], [...path, key]);
      }
    }
  };
  walk(traced, real, []);
  return out;
}

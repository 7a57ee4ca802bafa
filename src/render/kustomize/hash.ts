import { createHash } from 'node:crypto';
import type { KubeObject } from '../../manifest/index.js';

/**
 * generatedNameHash is the suffix kustomize appends to the name of a generated ConfigMap or
 * Secret (api/hasher): the SHA-256 of the Go JSON encoding of `{kind, name, data[, binaryData]}`
 * (Secrets: `{kind, name, type, data[, stringData]}`), its first ten hex digits with the
 * characters that could spell words (0, 1, 3, a, e) swapped for consonants. kustomize looks the
 * name up as the single key "metadata/name", which never exists, so `name` is always empty:
 * the hash depends on the content only, and we reproduce that.
 */
export function generatedNameHash(object: KubeObject): string {
  const value = (path: 'data' | 'binaryData' | 'stringData' | 'type'): unknown => {
    const v = object[path];
    if (v === undefined || v === null) return '';
    return v;
  };
  let encoded: Record<string, unknown>;
  if (object.kind === 'Secret') {
    encoded = { kind: 'Secret', type: value('type'), name: '', data: value('data') };
    const stringData = object.stringData;
    if (isMap(stringData)) encoded.stringData = stringData;
  } else if (object.kind === 'ConfigMap') {
    encoded = { kind: 'ConfigMap', name: '', data: value('data') };
    const binaryData = object.binaryData;
    if (isMap(binaryData)) encoded.binaryData = binaryData;
  } else {
    encoded = object as unknown as Record<string, unknown>;
  }
  return encodeHash(createHash('sha256').update(goJson(encoded), 'utf8').digest('hex'));
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** encodeHash is kubectl's hash encoding: ten hex digits, with 0 1 3 a e replaced so no words appear. */
export function encodeHash(hex: string): string {
  const swap: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  let out = '';
  for (const c of hex.slice(0, 10)) out += swap[c] ?? c;
  return out;
}

/**
 * goJson encodes a JSON value exactly as Go's encoding/json Marshal does: map keys sorted by
 * their bytes, no spaces, and `<`, `>`, `&`, U+2028 and U+2029 escaped as \u00XX. The hash must
 * match kustomize's bit for bit, so JSON.stringify is not enough.
 */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? goNumber(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return '[' + value.map(goJson).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return '{' + keys.map((k) => goString(k) + ':' + goJson(obj[k])).join(',') + '}';
}

function goNumber(n: number): string {
  // Go prints float64 in the shortest form, switching to exponents below 1e-6 and from 1e21.
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(n);
}

const hex = '0123456789abcdef';

function goString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      switch (c) {
        case 0x22:
          esc = '\\"';
          break;
        case 0x5c:
          esc = '\\\\';
          break;
        case 0x08:
          esc = '\\b';
          break;
        case 0x0c:
          esc = '\\f';
          break;
        case 0x0a:
          esc = '\\n';
          break;
        case 0x0d:
          esc = '\\r';
          break;
        case 0x09:
          esc = '\\t';
          break;
        default:
          esc = c > 0xff ? `\\u${c.toString(16)}` : `\\u00${hex[c >> 4]}${hex[c & 0xf]}`;
      }
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate is invalid UTF-8; Go writes U+FFFD in its place.
      const pair = c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
      if (pair) {
        i++;
        continue;
      }
      esc = '\\ufffd';
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

import { formatRef } from '../core/index.js';
import { pointerOf, provenanceOf } from './kustomize/resource.js';
import type { ProvenanceEntry, RenderedObject } from './types.js';

/** ExplainedField is one leaf field of an output object with the entry that set it. */
export interface ExplainedField {
  /** The field as a JSON pointer, e.g. `/spec/template/spec/containers/0/image`. */
  pointer: string;
  /** The field as people write it, e.g. `spec.template.spec.containers[0].image`. */
  path: string;
  value: unknown;
  source?: ProvenanceEntry;
}

/**
 * explainFields lists every leaf field of an object (scalars, and empty maps and lists) in
 * document order with the file and step that set it, its own provenance entry or its nearest
 * ancestor's.
 */
export function explainFields(rendered: RenderedObject): ExplainedField[] {
  const out: ExplainedField[] = [];
  const walk = (value: unknown, segments: (string | number)[], path: string) => {
    if (Array.isArray(value) && value.length > 0) {
      value.forEach((item, i) => walk(item, [...segments, i], `${path}[${i}]`));
      return;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const key of Object.keys(value).sort()) {
        const part = /^[A-Za-z_$][\w$-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
        walk((value as Record<string, unknown>)[key], [...segments, key], part);
      }
      return;
    }
    const pointer = pointerOf(segments);
    out.push({ pointer, path, value, source: provenanceOf(rendered.provenance, pointer) });
  };
  walk(rendered.object, [], '');
  return out;
}

/** formatEntry names a provenance entry: `file step (layer)`. */
export function formatEntry(entry: ProvenanceEntry | undefined): string {
  if (!entry) return 'unknown';
  return `${entry.file}${entry.step ? ` ${entry.step}` : ''} (${entry.layer})`;
}

/**
 * formatProvenance prints one object for `flotilla build --explain`: a heading with the object,
 * then every leaf field with its value and the file and step that set it, aligned in columns.
 */
export function formatProvenance(rendered: RenderedObject): string {
  const { object } = rendered;
  const fields = explainFields(rendered);
  const rows = fields.map((f) => [f.path, formatValue(f.value), formatEntry(f.source)] as const);
  const pathWidth = Math.min(60, Math.max(0, ...rows.map((r) => r[0].length)));
  const valueWidth = Math.min(50, Math.max(0, ...rows.map((r) => r[1].length)));
  const lines = [`# ${formatRef({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name })}`];
  for (const [path, value, source] of rows) {
    lines.push(`  ${path.padEnd(pathWidth)}  ${value.padEnd(valueWidth)}  ← ${source}`);
  }
  return lines.join('\n') + '\n';
}

function formatValue(value: unknown): string {
  let text = JSON.stringify(value) ?? String(value);
  if (text.length > 60) text = text.slice(0, 59) + '…';
  return text;
}

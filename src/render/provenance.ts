import { formatRef } from '../core/index.js';
import type { RenderedObject } from './types.js';

/** formatProvenance prints one object's fields with the file and step that set each. */
export function formatProvenance(rendered: RenderedObject): string {
  const { object, provenance } = rendered;
  const lines = [`# ${formatRef({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name })}`];
  for (const [path, entry] of [...provenance].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`${path}\t${entry.file}${entry.step ? ` (${entry.step})` : ''} [${entry.layer}]`);
  }
  return lines.join('\n') + '\n';
}

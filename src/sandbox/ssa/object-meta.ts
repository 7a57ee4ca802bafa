// Small helpers for the metadata.managedFields slot of an object: the merge works on objects
// without it (the server strips it before merging) and puts the new value back in the same place.
import type { KubeObject, ManagedFieldsEntry } from './types.js';

/** metadataOf gives an object's metadata map, or undefined. */
export function metadataOf(obj: KubeObject | undefined): Record<string, unknown> | undefined {
  const m = obj?.metadata;
  return m !== null && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : undefined;
}

/** managedFieldsOf reads metadata.managedFields, or undefined when absent or not a list. */
export function managedFieldsOf(obj: KubeObject | undefined): ManagedFieldsEntry[] | undefined {
  const mf = metadataOf(obj)?.managedFields;
  return Array.isArray(mf) ? (mf as ManagedFieldsEntry[]) : undefined;
}

/** withoutManagedFields copies an object (shallowly down to metadata) without metadata.managedFields. */
export function withoutManagedFields(obj: KubeObject): KubeObject {
  const meta = metadataOf(obj);
  if (!meta || !('managedFields' in meta)) return obj;
  const { managedFields: _drop, ...rest } = meta;
  void _drop;
  return { ...obj, metadata: rest };
}

/**
 * withManagedFields copies an object with metadata.managedFields set (removed when empty). The
 * entry keeps its place in metadata when it had one, else goes last, where ObjectMeta prints it.
 */
export function withManagedFields(obj: KubeObject, entries: ManagedFieldsEntry[]): KubeObject {
  const meta = metadataOf(obj) ?? {};
  const out: Record<string, unknown> = {};
  let placed = false;
  for (const [k, v] of Object.entries(meta)) {
    if (k === 'managedFields') {
      if (entries.length > 0) out.managedFields = entries;
      placed = true;
    } else out[k] = v;
  }
  if (!placed && entries.length > 0) out.managedFields = entries;
  if ('metadata' in obj) {
    const copy: KubeObject = {};
    for (const [k, v] of Object.entries(obj)) copy[k] = k === 'metadata' ? out : v;
    return copy;
  }
  return { ...obj, metadata: out };
}

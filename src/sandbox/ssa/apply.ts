import type { SchemaNode } from './schema-types.js';
import type { ApplyConflict, GroupVersionKind, KubeObject, KubeStatus, ManagedFieldsEntry } from './types.js';

/** ServerSideApplyOptions are the inputs of one server-side apply (PATCH application/apply-patch+yaml). */
export interface ServerSideApplyOptions {
  /** live is the stored object; undefined when the apply creates it. */
  live?: KubeObject;
  /** applied is the request body, parsed. */
  applied: KubeObject;
  /** manager is the fieldManager query parameter. */
  manager: string;
  /** force is the force query parameter: take conflicting fields instead of failing. */
  force: boolean;
  /** managedFields of the live object. @default live.metadata.managedFields */
  managedFields?: ManagedFieldsEntry[];
  gvk: GroupVersionKind;
  /** now is the request time, RFC 3339 with seconds (e.g. 2026-11-21T16:50:01Z). */
  now: string;
  /** subresource is set for an apply through a subresource such as "status". */
  subresource?: string;
  /** schema of the kind. @default schemaFor(gvk) (built-in table, else deduced) */
  schema?: SchemaNode;
  /** fields the server resets for this endpoint (e.g. [['status']] on the main resource): never owned. */
  ignoredFields?: string[][];
}

/** ServerSideApplyResult is the merged object, or the conflicts, or why the applied object is invalid. */
export type ServerSideApplyResult =
  | {
      ok: true;
      /** object is the merged object with its new managedFields (the live object itself when nothing changed). */
      object: KubeObject;
      managedFields: ManagedFieldsEntry[];
      /** changed is false when neither the object nor its managedFields changed: no write, no event. */
      changed: boolean;
    }
  | { ok: false; reason: 'Conflict'; conflicts: ApplyConflict[]; message: string; status: KubeStatus }
  | { ok: false; reason: 'Invalid'; message: string; field?: string };

/** serverSideApply merges an applied configuration into the live object and updates field ownership. */
export function serverSideApply(options: ServerSideApplyOptions): ServerSideApplyResult {
  void options;
  throw new Error('serverSideApply: not implemented yet');
}

import type { SchemaNode } from './schema-types.js';
import type { GroupVersionKind, KubeObject, ManagedFieldsEntry } from './types.js';

/** TrackUpdateOptions are the inputs of one non-apply write (create, update, merge/JSON/strategic patch). */
export interface TrackUpdateOptions {
  /** before is the stored object; undefined for a create. */
  before?: KubeObject;
  /** after is the object about to be stored. */
  after: KubeObject;
  /** manager is the fieldManager parameter, or the server's default (e.g. from the user agent). */
  manager: string;
  operation?: 'Update';
  subresource?: string;
  gvk: GroupVersionKind;
  now: string;
  /** managedFields to start from. @default after's when non-empty (a client may set them), else before's */
  managedFields?: ManagedFieldsEntry[];
  schema?: SchemaNode;
  ignoredFields?: string[][];
}

/** TrackUpdateResult is the after object with its managedFields brought up to date. */
export interface TrackUpdateResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/** trackUpdate gives the fields that a non-apply write changed to its manager. */
export function trackUpdate(options: TrackUpdateOptions): TrackUpdateResult {
  void options;
  throw new Error('trackUpdate: not implemented yet');
}

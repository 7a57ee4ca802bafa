// Server-side apply and managedFields for the sandbox API server: a pure reimplementation of the
// parts of structured-merge-diff that kube-apiserver uses. See docs/sandbox-ssa.md.
export type { ApplyConflict, FieldsV1, GroupVersionKind, KubeObject, KubeStatus, ManagedFieldsEntry, ManagedFieldsOperation, StatusCause } from './types.js';
export type { ListSchema, MapSchema, ScalarSchema, SchemaNode, UntypedSchema } from './schema-types.js';
export { serverSideApply, type ServerSideApplyOptions, type ServerSideApplyResult } from './apply.js';
export { trackUpdate, type TrackUpdateOptions, type TrackUpdateResult } from './update.js';

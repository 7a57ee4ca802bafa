// Server-side apply and managedFields for the sandbox API server: a pure reimplementation of the
// parts of structured-merge-diff that kube-apiserver uses. See docs/sandbox-ssa.md.
export type { ApplyConflict, FieldsV1, GroupVersionKind, KubeObject, KubeStatus, ManagedFieldsEntry, ManagedFieldsOperation, StatusCause } from './types.js';
export type { ListSchema, MapSchema, ScalarSchema, SchemaNode, UntypedSchema } from './schema-types.js';
export { serverSideApply, type ServerSideApplyOptions, type ServerSideApplyResult } from './apply.js';
export { trackUpdate, zeroObject, type TrackUpdateOptions, type TrackUpdateResult } from './update.js';
export { builtinSchemas, deducedSchema, objectMetaSchema, openSchema, schemaFor, schemaFromCrd, schemaFromOpenApiV3, type OpenApiV3Schema, type SchemaForOptions } from './schema.js';
export { conflictMessage, conflictStatus, managerSortKey, printManager, sortConflicts } from './conflict.js';
export { FieldSet } from './field-set.js';
export { comparePathElements, fieldElement, formatFieldPath, keyElement, parsePathElement, serializePathElement, type FieldPath, type PathElement } from './path-element.js';
export { compareObjects, mergeValues, removeItems, toFieldSet, type Comparison, type ValidationError } from './typed.js';
export { compareEntries, decodeManagedFields, encodeManagedFields, managerId, maxUpdateManagers, strippedFields, type ManagerState } from './managed-fields.js';

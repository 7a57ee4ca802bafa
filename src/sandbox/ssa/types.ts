// The shapes the server-side apply core shares with the sandbox API server. They follow the
// Kubernetes API (metav1.ManagedFieldsEntry, metav1.Status) field for field, so the server can
// serialise them without translation.

/** KubeObject is a Kubernetes object as parsed JSON (apiVersion, kind, metadata, …). */
export type KubeObject = Record<string, unknown>;

/** GroupVersionKind names the type of an object; group is "" for the core group. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** ManagedFieldsOperation is the kind of write that made a managedFields entry. */
export type ManagedFieldsOperation = 'Apply' | 'Update';

/**
 * FieldsV1 is the nested JSON form of a field set, as printed in managedFields: each key is
 * `f:<field>`, `k:<json of the list-map keys>`, `v:<json value>`, `i:<index>` or `.` (the node
 * itself is owned), and each value is another FieldsV1 (empty for a leaf).
 */
export interface FieldsV1 {
  [key: string]: FieldsV1;
}

/** ManagedFieldsEntry is one entry of metadata.managedFields, keys in the order the API prints them. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: ManagedFieldsOperation;
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
  /** subresource is set for writes through a subresource such as "status" (servers from 1.22 on). */
  subresource?: string;
}

/** ApplyConflict is one field that another manager owns with a different value. */
export interface ApplyConflict {
  /** manager is the other manager's name. */
  manager: string;
  operation: ManagedFieldsOperation;
  /** apiVersion is the other manager's apiVersion (printed for Update managers only). */
  apiVersion: string;
  subresource?: string;
  /** field is the path as the server prints it, e.g. `.data.a` or `.spec.template.spec.containers[name="web"].image`. */
  field: string;
}

/** StatusCause is one cause in a Status' details. */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** KubeStatus is the Status body of a failed request. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] };
  code: number;
}

/** KubeObject is one Kubernetes object as plain JSON data (what a manifest document parses to). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  [field: string]: unknown;
}

/** KubeMetadata is the part of ObjectMeta that manifests carry. */
export interface KubeMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** JsonValue is any value a YAML or JSON document may hold after parsing. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

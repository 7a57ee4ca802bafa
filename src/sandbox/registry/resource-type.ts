/** Verb is an API verb as discovery lists it. */
export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

/** SubresourceInfo is one `resource/sub` entry of discovery. */
export interface SubresourceInfo {
  name: string;
  kind: string;
  verbs: Verb[];
  /** Set when the subresource answers with another group's kind (Scale, Eviction, TokenRequest). */
  group?: string;
  version?: string;
}

/** CustomSchema is the part of a CRD version the server enforces on custom resources. */
export interface CustomSchema {
  /** The version's openAPIV3Schema, or undefined when the CRD has none (everything is kept). */
  openAPIV3Schema?: Record<string, unknown>;
  /** Whether the version has the status subresource (status is then written only through /status). */
  statusSubresource: boolean;
  /** The scale subresource's paths, when the version has one. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  additionalPrinterColumns?: Array<{ name: string; type: string; jsonPath: string; description?: string; priority?: number; format?: string }>;
  /** The CRD object the type comes from (server-side apply reads its list types and keys). */
  crd?: Record<string, unknown>;
}

/**
 * ResourceType is one served resource: its names, scope, verbs and how the server treats it.
 * Built-in types come from a data table; custom resources are added when their CRD is established.
 */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** The resource name used in paths (`deployments`). */
  plural: string;
  /** The singular name; discovery of built-in types shows "" as a 1.19 server does. */
  singular: string;
  /** What discovery prints as singularName. */
  discoverySingular: string;
  namespaced: boolean;
  verbs: Verb[];
  shortNames: string[];
  categories: string[];
  storageVersionHash?: string;
  subresources: SubresourceInfo[];
  /** Whether metadata.generation is kept and bumped when anything but metadata and status changes. */
  generation: boolean;
  /** Whether /status exists: main-resource writes then keep the stored status. */
  hasStatus: boolean;
  /** Present for custom resources. */
  custom?: CustomSchema & { crdName: string };
  /**
   * Whether the server only lists the type in discovery and stores it generically (no defaults,
   * no validation beyond metadata): kinds fleets rarely carry, such as Pods and Nodes.
   */
  genericOnly: boolean;
}

/** groupVersion prints `group/version`, or `version` for the core group. */
export function groupVersion(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** apiPathPrefix is where a group version is served: `/api/v1` or `/apis/G/V`. */
export function apiPathPrefix(t: { group: string; version: string }): string {
  return t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
}

// How each field of the built-in kinds merges, from the Kubernetes API's markers (the
// `x-kubernetes-list-type` / `x-kubernetes-list-map-keys` and `x-kubernetes-patch-strategy` /
// `x-kubernetes-patch-merge-key` extensions of its OpenAPI document; a list with a merge strategy
// and a merge key is a list-map, with a merge strategy and no key a set, with neither atomic).
// Only the fields whose merge behaviour matters are declared; every other field is an open field
// (maps granular, lists atomic), which is what the real schema says for them too.
import type { ListSchema, MapSchema, SchemaNode } from './schema-types.js';
import type { GroupVersionKind } from './types.js';

const scalar: SchemaNode = { type: 'scalar', scalar: 'untyped' };
const open: SchemaNode = { type: 'untyped', mode: 'open' };
const atomicList: ListSchema = { type: 'list', listType: 'atomic' };
const setList: ListSchema = { type: 'list', listType: 'set', elementType: scalar };
const stringMap: MapSchema = { type: 'map', elementType: scalar };

function struct(fields: Record<string, SchemaNode> = {}): MapSchema {
  return { type: 'map', fields, open: true };
}

function listMap(keys: string[], elementType: SchemaNode = struct(), keyDefaults?: Record<string, unknown>): ListSchema {
  return keyDefaults ? { type: 'list', listType: 'map', keys, elementType, keyDefaults } : { type: 'list', listType: 'map', keys, elementType };
}

const conditions = listMap(['type']);

/** objectMetaSchema is metadata of every object: labels and annotations granular, finalizers a set, ownerReferences keyed by uid. */
export const objectMetaSchema: MapSchema = struct({
  labels: stringMap,
  annotations: stringMap,
  finalizers: setList,
  ownerReferences: listMap(['uid']),
  managedFields: atomicList,
});

// protocol has a default (TCP) on newer servers only; listKeyDefaults chooses (see schemaFor).
const protocolDefault = { protocol: 'TCP' };

const labelSelector = struct({ matchLabels: stringMap, matchExpressions: atomicList });

const resources = struct({ limits: stringMap, requests: stringMap, claims: listMap(['name']) });

const container = struct({
  ports: listMap(['containerPort', 'protocol'], struct(), protocolDefault),
  env: listMap(['name']),
  envFrom: atomicList,
  volumeMounts: listMap(['mountPath']),
  volumeDevices: listMap(['devicePath']),
  resources,
  args: atomicList,
  command: atomicList,
  resizePolicy: atomicList,
});

const podSpec = struct({
  containers: listMap(['name'], container),
  initContainers: listMap(['name'], container),
  ephemeralContainers: listMap(['name'], container),
  volumes: listMap(['name']),
  imagePullSecrets: listMap(['name']),
  hostAliases: listMap(['ip']),
  tolerations: atomicList,
  topologySpreadConstraints: listMap(['topologyKey', 'whenUnsatisfiable']),
  readinessGates: atomicList,
  nodeSelector: stringMap,
  overhead: stringMap,
  resourceClaims: listMap(['name']),
  schedulingGates: listMap(['name']),
});

const podTemplate = struct({ metadata: objectMetaSchema, spec: podSpec });

const podStatus = struct({
  conditions,
  podIPs: listMap(['ip']),
  hostIPs: listMap(['ip']),
  containerStatuses: atomicList,
  initContainerStatuses: atomicList,
  ephemeralContainerStatuses: atomicList,
});

function kind(fields: Record<string, SchemaNode>): MapSchema {
  return struct({ apiVersion: scalar, kind: scalar, metadata: objectMetaSchema, ...fields });
}

function workload(extra: Record<string, SchemaNode> = {}): MapSchema {
  return kind({ spec: struct({ selector: labelSelector, template: podTemplate, ...extra }), status: struct({ conditions }) });
}

const servicePorts = listMap(['port', 'protocol'], struct(), protocolDefault);

/** builtinSchemas maps "group/Kind" (group "" for core) to the schema of that kind. */
export const builtinSchemas: Record<string, MapSchema> = {
  '/ConfigMap': kind({ data: stringMap, binaryData: stringMap }),
  '/Secret': kind({ data: stringMap, stringData: stringMap }),
  '/Namespace': kind({ spec: struct({ finalizers: atomicList }), status: struct({ conditions }) }),
  '/ServiceAccount': kind({ secrets: listMap(['name']), imagePullSecrets: atomicList }),
  '/Service': kind({
    spec: struct({ ports: servicePorts, selector: stringMap, clusterIPs: atomicList, externalIPs: atomicList, ipFamilies: atomicList, loadBalancerSourceRanges: atomicList }),
    status: struct({ conditions, loadBalancer: struct({ ingress: atomicList }) }),
  }),
  '/Pod': kind({ spec: podSpec, status: podStatus }),
  '/PodTemplate': kind({ template: podTemplate }),
  '/ReplicationController': kind({ spec: struct({ selector: stringMap, template: podTemplate }), status: struct({ conditions }) }),
  '/PersistentVolumeClaim': kind({ spec: struct({ accessModes: atomicList, resources, selector: labelSelector }), status: struct({ conditions, accessModes: atomicList, capacity: stringMap }) }),
  '/PersistentVolume': kind({ spec: struct({ accessModes: atomicList, capacity: stringMap, mountOptions: atomicList }) }),
  '/ResourceQuota': kind({ spec: struct({ hard: stringMap, scopes: atomicList }), status: struct({ hard: stringMap, used: stringMap }) }),
  '/LimitRange': kind({ spec: struct({ limits: atomicList }) }),
  '/Endpoints': kind({ subsets: atomicList }),
  '/Node': kind({ spec: struct({ taints: atomicList, podCIDRs: setList }), status: struct({ conditions, addresses: listMap(['type']), capacity: stringMap, allocatable: stringMap }) }),
  'apps/Deployment': workload(),
  'apps/ReplicaSet': workload(),
  'apps/DaemonSet': workload(),
  'apps/StatefulSet': workload({ volumeClaimTemplates: atomicList }),
  'batch/Job': kind({ spec: struct({ selector: labelSelector, template: podTemplate }), status: struct({ conditions }) }),
  'batch/CronJob': kind({ spec: struct({ jobTemplate: struct({ metadata: objectMetaSchema, spec: struct({ selector: labelSelector, template: podTemplate }) }) }), status: struct({ active: atomicList }) }),
  'autoscaling/HorizontalPodAutoscaler': kind({ spec: struct({ metrics: atomicList }), status: struct({ conditions, currentMetrics: atomicList }) }),
  'policy/PodDisruptionBudget': kind({ spec: struct({ selector: labelSelector }), status: struct({ conditions }) }),
  'networking.k8s.io/Ingress': kind({ spec: struct({ rules: atomicList, tls: atomicList }) }),
  'networking.k8s.io/NetworkPolicy': kind({ spec: struct({ podSelector: labelSelector, ingress: atomicList, egress: atomicList, policyTypes: atomicList }) }),
  'networking.k8s.io/IngressClass': kind({}),
  'rbac.authorization.k8s.io/Role': kind({ rules: atomicList }),
  'rbac.authorization.k8s.io/ClusterRole': kind({ rules: atomicList, aggregationRule: struct({ clusterRoleSelectors: atomicList }) }),
  'rbac.authorization.k8s.io/RoleBinding': kind({ subjects: atomicList }),
  'rbac.authorization.k8s.io/ClusterRoleBinding': kind({ subjects: atomicList }),
  'apiextensions.k8s.io/CustomResourceDefinition': kind({
    spec: struct({ versions: atomicList, names: struct({ shortNames: atomicList, categories: atomicList }) }),
    status: struct({ conditions, storedVersions: atomicList, acceptedNames: struct({ shortNames: atomicList, categories: atomicList }) }),
  }),
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': kind({ webhooks: listMap(['name']) }),
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': kind({ webhooks: listMap(['name']) }),
  'scheduling.k8s.io/PriorityClass': kind({}),
  'storage.k8s.io/StorageClass': kind({ parameters: stringMap, mountOptions: atomicList, allowedTopologies: atomicList }),
  'coordination.k8s.io/Lease': kind({}),
};

/** deducedSchema is the schema of an object whose kind has none: maps granular with free keys, lists atomic. */
export const deducedSchema: SchemaNode = { type: 'untyped', mode: 'deduced' };

/** SchemaForOptions tune schemaFor. */
export interface SchemaForOptions {
  /**
   * listKeyDefaults lets a list-map item omit a key field that has a default (a port's protocol).
   * Servers before 1.24-ish (like the 1.19 transcript) refuse such an apply, newer ones fill TCP in.
   * @default false
   */
  listKeyDefaults?: boolean;
}

function withoutKeyDefaults(node: SchemaNode, seen = new Map<SchemaNode, SchemaNode>()): SchemaNode {
  const done = seen.get(node);
  if (done) return done;
  if (node.type === 'list') {
    const out: ListSchema = { type: 'list', listType: node.listType };
    seen.set(node, out);
    if (node.keys) out.keys = node.keys;
    if (node.elementType) out.elementType = withoutKeyDefaults(node.elementType, seen);
    return out;
  }
  if (node.type === 'map') {
    const out: MapSchema = { ...node };
    seen.set(node, out);
    if (node.fields) out.fields = Object.fromEntries(Object.entries(node.fields).map(([k, v]) => [k, withoutKeyDefaults(v, seen)]));
    if (node.elementType) out.elementType = withoutKeyDefaults(node.elementType, seen);
    return out;
  }
  return node;
}

const strictCache = new Map<string, SchemaNode>();

/** schemaFor gives the schema of a built-in kind, or the deduced schema for a kind we do not know. */
export function schemaFor(gvk: GroupVersionKind, options: SchemaForOptions = {}): SchemaNode {
  const key = `${gvk.group}/${gvk.kind}`;
  const schema = builtinSchemas[key];
  if (!schema) return kind({}) ;
  if (options.listKeyDefaults) return schema;
  let strict = strictCache.get(key);
  if (!strict) {
    strict = withoutKeyDefaults(schema);
    strictCache.set(key, strict);
  }
  return strict;
}

/** OpenApiV3Schema is the part of a CRD's openAPIV3Schema that decides merging and types. */
export interface OpenApiV3Schema {
  type?: string;
  properties?: Record<string, OpenApiV3Schema>;
  additionalProperties?: OpenApiV3Schema | boolean;
  items?: OpenApiV3Schema;
  default?: unknown;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  [other: string]: unknown;
}

function fromOpenApi(s: OpenApiV3Schema | undefined, listKeyDefaults: boolean): SchemaNode {
  if (!s || typeof s !== 'object') return deducedSchema;
  if (s['x-kubernetes-int-or-string']) return scalar;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  switch (s.type) {
    case 'string':
      return { type: 'scalar', scalar: 'string' };
    case 'integer':
    case 'number':
      return { type: 'scalar', scalar: 'numeric' };
    case 'boolean':
      return { type: 'scalar', scalar: 'boolean' };
    case 'array': {
      const elementType = fromOpenApi(s.items, listKeyDefaults);
      const listType = s['x-kubernetes-list-type'] ?? 'atomic';
      if (listType === 'map') {
        const keys = s['x-kubernetes-list-map-keys'] ?? [];
        const out: ListSchema = { type: 'list', listType, keys, elementType };
        if (listKeyDefaults) {
          const defaults: Record<string, unknown> = {};
          for (const k of keys) {
            const d = s.items?.properties?.[k]?.default;
            if (d !== undefined) defaults[k] = d;
          }
          if (Object.keys(defaults).length > 0) out.keyDefaults = defaults;
        }
        return out;
      }
      return { type: 'list', listType, elementType };
    }
    case 'object':
    case undefined: {
      if (s.type === undefined && !s.properties && !s.additionalProperties) return preserve ? deducedSchema : { type: 'untyped', mode: 'atomic' };
      const out: MapSchema = { type: 'map' };
      if (s.properties) out.fields = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, fromOpenApi(v, listKeyDefaults)]));
      if (s.additionalProperties && typeof s.additionalProperties === 'object') out.elementType = fromOpenApi(s.additionalProperties, listKeyDefaults);
      else if (preserve || s.additionalProperties === true) out.elementType = deducedSchema;
      if (s['x-kubernetes-map-type'] === 'atomic') out.elementRelationship = 'atomic';
      if (s['x-kubernetes-embedded-resource']) out.fields = { apiVersion: scalar, kind: scalar, metadata: objectMetaSchema, ...out.fields };
      return out;
    }
    default:
      return deducedSchema;
  }
}

/**
 * schemaFromOpenApiV3 converts a custom resource's openAPIV3Schema: lists atomic unless
 * x-kubernetes-list-type says otherwise, maps granular unless x-kubernetes-map-type is atomic,
 * free keys (additionalProperties, x-kubernetes-preserve-unknown-fields) deduced. The root gets the
 * ObjectMeta schema for metadata, as the server gives every custom resource.
 */
export function schemaFromOpenApiV3(schema: OpenApiV3Schema | undefined, options: SchemaForOptions = {}): SchemaNode {
  if (!schema) return kind({ spec: deducedSchema, status: deducedSchema });
  const root = fromOpenApi({ type: 'object', ...schema }, options.listKeyDefaults ?? false) as MapSchema;
  return { ...root, fields: { ...root.fields, apiVersion: scalar, kind: scalar, metadata: objectMetaSchema } };
}

/** schemaFromCrd gives the schema of one served version of a CustomResourceDefinition (apiextensions.k8s.io/v1 object). */
export function schemaFromCrd(crd: Record<string, unknown>, version: string, options: SchemaForOptions = {}): SchemaNode {
  const spec = (crd.spec ?? {}) as { versions?: Array<{ name?: string; schema?: { openAPIV3Schema?: OpenApiV3Schema } }>; validation?: { openAPIV3Schema?: OpenApiV3Schema } };
  const v = spec.versions?.find((x) => x.name === version);
  return schemaFromOpenApiV3(v?.schema?.openAPIV3Schema ?? spec.validation?.openAPIV3Schema, options);
}

/** openSchema is the open type our tables give undeclared fields. */
export const openSchema: SchemaNode = open;

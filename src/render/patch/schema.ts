/**
 * The strategic-merge metadata of the built-in Kubernetes kinds: which lists merge by key and
 * which are replaced. It mirrors the patch metadata kustomize v5 reads from its bundled OpenAPI
 * document (Kubernetes v1.21.2): only lists whose schema says `x-kubernetes-patch-strategy: merge`
 * merge, by `x-kubernetes-list-map-keys` when present, else by `x-kubernetes-patch-merge-key`, or
 * as a set of scalars when there is no key (finalizers). Every other list is replaced whole, and
 * kinds missing from the table (custom resources, API versions that v1.21 no longer served such as
 * apps/v1beta1) have no schema at all.
 */

/** FieldSchema is what the schema says about one field: the type it holds and, for lists, how they merge. */
export interface FieldSchema {
  /** The definition of a map-valued field. */
  ref?: string;
  /** The definition of the elements of a list-valued field. */
  elem?: string;
  /** The patch strategy (`merge`, `merge,retainKeys`, `replace`); absent means replace. */
  strategy?: string;
  /** The merge keys, primary first; empty with strategy merge means a set of scalars. */
  keys?: readonly string[];
}

/** SchemaNode is the schema at one point of a walk: known (possibly without metadata) or, when undefined, unknown. */
export type SchemaNode = FieldSchema;

type Definitions = Record<string, Record<string, FieldSchema>>;

const meta = 'meta.ObjectMeta';
const labelSelector = 'meta.LabelSelector';
const podTemplate = 'core.PodTemplateSpec';
const conditions: FieldSchema = { strategy: 'merge', keys: ['type'] };

// Definitions are named by a short form of their OpenAPI names (io.k8s.api.core.v1.PodSpec is
// core.PodSpec; versions that share a shape share a definition).
const kustomizeDefinitions: Definitions = {
  [meta]: {
    finalizers: { strategy: 'merge', keys: [] },
    ownerReferences: { strategy: 'merge', keys: ['uid'] },
  },
  [labelSelector]: {},
  'core.PodTemplateSpec': { metadata: { ref: meta }, spec: { ref: 'core.PodSpec' } },
  'core.PodSpec': {
    affinity: { ref: 'core.Affinity' },
    containers: { strategy: 'merge', keys: ['name'], elem: 'core.Container' },
    ephemeralContainers: { strategy: 'merge', keys: ['name'], elem: 'core.EphemeralContainer' },
    hostAliases: { strategy: 'merge', keys: ['ip'] },
    imagePullSecrets: { strategy: 'merge', keys: ['name'] },
    initContainers: { strategy: 'merge', keys: ['name'], elem: 'core.Container' },
    topologySpreadConstraints: { strategy: 'merge', keys: ['topologyKey', 'whenUnsatisfiable'], elem: 'core.TopologySpreadConstraint' },
    volumes: { strategy: 'merge,retainKeys', keys: ['name'], elem: 'core.Volume' },
  },
  'core.Container': {
    env: { strategy: 'merge', keys: ['name'] },
    ports: { strategy: 'merge', keys: ['containerPort', 'protocol'] },
    volumeDevices: { strategy: 'merge', keys: ['devicePath'] },
    volumeMounts: { strategy: 'merge', keys: ['mountPath'] },
  },
  'core.EphemeralContainer': {
    env: { strategy: 'merge', keys: ['name'] },
    volumeDevices: { strategy: 'merge', keys: ['devicePath'] },
    volumeMounts: { strategy: 'merge', keys: ['mountPath'] },
  },
  'core.Affinity': { podAffinity: { ref: 'core.PodAffinity' }, podAntiAffinity: { ref: 'core.PodAffinity' } },
  'core.PodAffinity': {
    preferredDuringSchedulingIgnoredDuringExecution: { elem: 'core.WeightedPodAffinityTerm' },
    requiredDuringSchedulingIgnoredDuringExecution: { elem: 'core.PodAffinityTerm' },
  },
  'core.WeightedPodAffinityTerm': { podAffinityTerm: { ref: 'core.PodAffinityTerm' } },
  'core.PodAffinityTerm': { labelSelector: { ref: labelSelector }, namespaceSelector: { ref: labelSelector } },
  'core.TopologySpreadConstraint': { labelSelector: { ref: labelSelector } },
  'core.Volume': { ephemeral: { ref: 'core.EphemeralVolumeSource' } },
  'core.EphemeralVolumeSource': { volumeClaimTemplate: { ref: 'core.PersistentVolumeClaimTemplate' } },
  'core.PersistentVolumeClaimTemplate': { metadata: { ref: meta }, spec: { ref: 'core.PersistentVolumeClaimSpec' } },
  'core.PersistentVolumeClaimSpec': { selector: { ref: labelSelector } },
  'core.Pod': { metadata: { ref: meta }, spec: { ref: 'core.PodSpec' }, status: { ref: 'core.PodStatus' } },
  'core.PodStatus': { conditions, podIPs: { strategy: 'merge', keys: ['ip'] } },
  'core.PodTemplate': { metadata: { ref: meta }, template: { ref: podTemplate } },
  'core.ReplicationController': { metadata: { ref: meta }, spec: { ref: 'core.ReplicationControllerSpec' }, status: { ref: 'status.Conditions' } },
  'core.ReplicationControllerSpec': { template: { ref: podTemplate } },
  'core.Service': { metadata: { ref: meta }, spec: { ref: 'core.ServiceSpec' }, status: { ref: 'status.Conditions' } },
  'core.ServiceSpec': { ports: { strategy: 'merge', keys: ['port', 'protocol'] } },
  'core.ServiceAccount': { metadata: { ref: meta }, secrets: { strategy: 'merge', keys: ['name'] } },
  'core.Namespace': { metadata: { ref: meta }, status: { ref: 'status.Conditions' } },
  'core.Node': { metadata: { ref: meta }, spec: { ref: 'core.NodeSpec' }, status: { ref: 'core.NodeStatus' } },
  'core.NodeSpec': { podCIDRs: { strategy: 'merge', keys: [] } },
  'core.NodeStatus': { addresses: { strategy: 'merge', keys: ['type'] }, conditions },
  'core.PersistentVolumeClaim': { metadata: { ref: meta }, spec: { ref: 'core.PersistentVolumeClaimSpec' }, status: { ref: 'status.Conditions' } },
  'core.ComponentStatus': { metadata: { ref: meta }, conditions },
  // Objects whose only strategic-merge metadata is in their ObjectMeta.
  'meta.Object': { metadata: { ref: meta } },
  'status.Conditions': { conditions },
  'apps.Workload': { metadata: { ref: meta }, spec: { ref: 'apps.WorkloadSpec' }, status: { ref: 'status.Conditions' } },
  'apps.WorkloadSpec': { selector: { ref: labelSelector }, template: { ref: podTemplate } },
  'apps.StatefulSet': { metadata: { ref: meta }, spec: { ref: 'apps.StatefulSetSpec' }, status: { ref: 'status.Conditions' } },
  'apps.StatefulSetSpec': { selector: { ref: labelSelector }, template: { ref: podTemplate }, volumeClaimTemplates: { elem: 'core.PersistentVolumeClaim' } },
  'batch.Job': { metadata: { ref: meta }, spec: { ref: 'apps.WorkloadSpec' }, status: { ref: 'status.Conditions' } },
  'batch.CronJob': { metadata: { ref: meta }, spec: { ref: 'batch.CronJobSpec' } },
  'batch.CronJobSpec': { jobTemplate: { ref: 'batch.JobTemplateSpec' } },
  'batch.JobTemplateSpec': { metadata: { ref: meta }, spec: { ref: 'apps.WorkloadSpec' } },
  'admissionregistration.WebhookConfiguration': { metadata: { ref: meta }, webhooks: { strategy: 'merge', keys: ['name'], elem: 'admissionregistration.Webhook' } },
  'admissionregistration.Webhook': { namespaceSelector: { ref: labelSelector }, objectSelector: { ref: labelSelector } },
  'networking.NetworkPolicy': { metadata: { ref: meta }, spec: { ref: 'networking.NetworkPolicySpec' } },
  'networking.NetworkPolicySpec': {
    egress: { elem: 'networking.NetworkPolicyRule' },
    ingress: { elem: 'networking.NetworkPolicyRule' },
    podSelector: { ref: labelSelector },
  },
  'networking.NetworkPolicyRule': { from: { elem: 'networking.NetworkPolicyPeer' }, to: { elem: 'networking.NetworkPolicyPeer' } },
  'networking.NetworkPolicyPeer': { namespaceSelector: { ref: labelSelector }, podSelector: { ref: labelSelector } },
  'policy.PodDisruptionBudget': { metadata: { ref: meta }, spec: { ref: 'policy.PodDisruptionBudgetSpec' }, status: { ref: 'status.Conditions' } },
  'policy.PodDisruptionBudgetSpec': { selector: { ref: labelSelector } },
  'rbac.ClusterRole': { metadata: { ref: meta }, aggregationRule: { ref: 'rbac.AggregationRule' } },
  'rbac.AggregationRule': { clusterRoleSelectors: { elem: labelSelector } },
  'storage.CSINode': { metadata: { ref: meta }, spec: { ref: 'storage.CSINodeSpec' } },
  'storage.CSINodeSpec': { drivers: { strategy: 'merge', keys: ['name'] } },
  'autoscaling.HorizontalPodAutoscaler': { metadata: { ref: meta } },
  'apiregistration.APIService': { metadata: { ref: meta }, status: { ref: 'status.Conditions' } },
};

// Which definition each apiVersion/kind has in kustomize's bundled schema (Kubernetes v1.21.2).
const kustomizeRoots: Record<string, string> = {};
function roots(apiVersions: string[], kinds: string[], definition: string, into = kustomizeRoots): void {
  for (const apiVersion of apiVersions) for (const kind of kinds) into[`${apiVersion}/${kind}`] = definition;
}
roots(['admissionregistration.k8s.io/v1', 'admissionregistration.k8s.io/v1beta1'], ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], 'admissionregistration.WebhookConfiguration');
roots(['apiextensions.k8s.io/v1', 'apiextensions.k8s.io/v1beta1'], ['CustomResourceDefinition'], 'meta.Object');
roots(['apiregistration.k8s.io/v1', 'apiregistration.k8s.io/v1beta1'], ['APIService'], 'apiregistration.APIService');
roots(['apps/v1'], ['ControllerRevision'], 'meta.Object');
roots(['apps/v1'], ['DaemonSet', 'Deployment', 'ReplicaSet'], 'apps.Workload');
roots(['apps/v1'], ['StatefulSet'], 'apps.StatefulSet');
roots(['authentication.k8s.io/v1'], ['TokenRequest', 'TokenReview'], 'meta.Object');
roots(['authentication.k8s.io/v1beta1'], ['TokenReview'], 'meta.Object');
roots(['authorization.k8s.io/v1', 'authorization.k8s.io/v1beta1'], ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'], 'meta.Object');
roots(['autoscaling/v1'], ['HorizontalPodAutoscaler', 'Scale'], 'meta.Object');
roots(['autoscaling/v2beta1', 'autoscaling/v2beta2'], ['HorizontalPodAutoscaler'], 'autoscaling.HorizontalPodAutoscaler');
roots(['batch/v1'], ['Job'], 'batch.Job');
roots(['batch/v1', 'batch/v1beta1'], ['CronJob'], 'batch.CronJob');
roots(['certificates.k8s.io/v1', 'certificates.k8s.io/v1beta1'], ['CertificateSigningRequest'], 'meta.Object');
roots(['coordination.k8s.io/v1', 'coordination.k8s.io/v1beta1'], ['Lease'], 'meta.Object');
roots(['discovery.k8s.io/v1', 'discovery.k8s.io/v1beta1'], ['EndpointSlice'], 'meta.Object');
roots(['events.k8s.io/v1', 'events.k8s.io/v1beta1'], ['Event'], 'meta.Object');
roots(['extensions/v1beta1'], ['Ingress'], 'meta.Object');
roots(['flowcontrol.apiserver.k8s.io/v1beta1'], ['FlowSchema', 'PriorityLevelConfiguration'], 'meta.Object');
roots(['networking.k8s.io/v1', 'networking.k8s.io/v1beta1'], ['Ingress', 'IngressClass'], 'meta.Object');
roots(['networking.k8s.io/v1'], ['NetworkPolicy'], 'networking.NetworkPolicy');
roots(['node.k8s.io/v1', 'node.k8s.io/v1beta1'], ['RuntimeClass'], 'meta.Object');
roots(['policy/v1', 'policy/v1beta1'], ['PodDisruptionBudget'], 'policy.PodDisruptionBudget');
roots(['policy/v1beta1'], ['Eviction', 'PodSecurityPolicy'], 'meta.Object');
roots(['rbac.authorization.k8s.io/v1', 'rbac.authorization.k8s.io/v1beta1'], ['ClusterRole'], 'rbac.ClusterRole');
roots(['rbac.authorization.k8s.io/v1', 'rbac.authorization.k8s.io/v1beta1'], ['ClusterRoleBinding', 'Role', 'RoleBinding'], 'meta.Object');
roots(['scheduling.k8s.io/v1', 'scheduling.k8s.io/v1beta1'], ['PriorityClass'], 'meta.Object');
roots(['storage.k8s.io/v1', 'storage.k8s.io/v1beta1'], ['CSIDriver', 'StorageClass', 'VolumeAttachment'], 'meta.Object');
roots(['storage.k8s.io/v1', 'storage.k8s.io/v1beta1'], ['CSINode'], 'storage.CSINode');
roots(['storage.k8s.io/v1beta1'], ['CSIStorageCapacity'], 'meta.Object');
roots(['v1'], ['Binding', 'ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'PersistentVolume', 'ResourceQuota', 'Secret'], 'meta.Object');
roots(['v1'], ['ComponentStatus'], 'core.ComponentStatus');
roots(['v1'], ['Namespace'], 'core.Namespace');
roots(['v1'], ['Node'], 'core.Node');
roots(['v1'], ['PersistentVolumeClaim'], 'core.PersistentVolumeClaim');
roots(['v1'], ['Pod'], 'core.Pod');
roots(['v1'], ['PodTemplate'], 'core.PodTemplate');
roots(['v1'], ['ReplicationController'], 'core.ReplicationController');
roots(['v1'], ['Service'], 'core.Service');
roots(['v1'], ['ServiceAccount'], 'core.ServiceAccount');

/**
 * apiserverDefinitions add what newer Kubernetes versions (up to v1.35) declare on top of the
 * v1.21 metadata kustomize uses; a Kubernetes API server merges with these.
 */
const apiserverDefinitions: Definitions = {
  ...kustomizeDefinitions,
  'core.PodSpec': {
    ...kustomizeDefinitions['core.PodSpec'],
    resourceClaims: { strategy: 'merge,retainKeys', keys: ['name'] },
    schedulingGates: { strategy: 'merge', keys: ['name'] },
  },
  'core.EphemeralContainer': { ...kustomizeDefinitions['core.Container'] },
  'core.PodStatus': { ...kustomizeDefinitions['core.PodStatus'], hostIPs: { strategy: 'merge', keys: ['ip'] } },
  'autoscaling.HorizontalPodAutoscaler': { metadata: { ref: meta }, status: { ref: 'status.Conditions' } },
};
const apiserverRoots: Record<string, string> = { ...kustomizeRoots };
roots(['autoscaling/v2'], ['HorizontalPodAutoscaler'], 'autoscaling.HorizontalPodAutoscaler', apiserverRoots);
roots(['flowcontrol.apiserver.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1beta3'], ['FlowSchema', 'PriorityLevelConfiguration'], 'meta.Object', apiserverRoots);
roots(['admissionregistration.k8s.io/v1'], ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'], 'meta.Object', apiserverRoots);
roots(['networking.k8s.io/v1'], ['IPAddress', 'ServiceCIDR'], 'meta.Object', apiserverRoots);
roots(['storage.k8s.io/v1'], ['CSIStorageCapacity', 'VolumeAttributesClass'], 'meta.Object', apiserverRoots);
roots(['resource.k8s.io/v1'], ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'], 'meta.Object', apiserverRoots);

/** SchemaFlavor picks whose metadata to use: kustomize's bundled v1.21 schema or a current API server's. */
export type SchemaFlavor = 'kustomize' | 'apiserver';

interface SchemaSet {
  definitions: Definitions;
  roots: Record<string, string>;
}

const schemaSets: Record<SchemaFlavor, SchemaSet> = {
  kustomize: { definitions: kustomizeDefinitions, roots: kustomizeRoots },
  apiserver: { definitions: apiserverDefinitions, roots: apiserverRoots },
};

/** schemaForKind returns the schema of a built-in kind, or undefined for custom and unknown kinds. */
export function schemaForKind(apiVersion: string, kind: string, flavor: SchemaFlavor = 'kustomize'): SchemaNode | undefined {
  const definition = schemaSets[flavor].roots[`${apiVersion}/${kind}`];
  return definition === undefined ? undefined : { ref: definition };
}

/** fieldSchema returns the schema of one field of a map: known without metadata when the table says nothing. */
export function fieldSchema(node: SchemaNode | undefined, field: string, flavor: SchemaFlavor = 'kustomize'): SchemaNode | undefined {
  if (node === undefined) return undefined;
  if (node.ref === undefined) return {};
  return schemaSets[flavor].definitions[node.ref]?.[field] ?? {};
}

/** elementSchema returns the schema of the elements of a list. */
export function elementSchema(node: SchemaNode | undefined): SchemaNode | undefined {
  if (node === undefined) return undefined;
  return node.elem === undefined ? {} : { ref: node.elem };
}

/** isMergeList tells whether a list merges (its strategy includes `merge`) rather than being replaced. */
export function isMergeList(node: SchemaNode | undefined): boolean {
  return node?.strategy?.split(',').includes('merge') ?? false;
}

/** retainsKeys tells whether a list's elements honour `$retainKeys` (strategy `merge,retainKeys`). */
export function retainsKeys(node: SchemaNode | undefined): boolean {
  return node?.strategy?.split(',').includes('retainKeys') ?? false;
}

/** mergeKeys returns a merging list's keys, primary first; empty for a set of scalars. */
export function mergeKeys(node: SchemaNode | undefined): readonly string[] {
  return node?.keys ?? [];
}

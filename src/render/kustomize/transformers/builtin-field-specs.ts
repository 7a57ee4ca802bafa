// Kustomize v5.7.1's built-in transformer configuration (api/internal/konfig/builtinpluginconsts),
// transcribed as data: which fields of which kinds each transformer touches. Where the
// tables are surprising (a missing kind, a wrong group) they are kept as kustomize has them,
// because the output must match kustomize's; docs/renderer-transformers.md lists those cases.
import type { FieldSpec } from '../kustomization.js';

/** NameBackReference says which fields of which kinds refer to objects of one kind by name (kustomize's NameBackReferences). */
export interface NameBackReference {
  group?: string;
  version?: string;
  kind: string;
  fieldSpecs: FieldSpec[];
}

type Gvk = { group?: string; version?: string; kind?: string };

function specs(paths: readonly string[], gvk: Gvk, create?: boolean): FieldSpec[] {
  return paths.map((path) => ({ ...gvk, path, ...(create ? { create: true } : {}) }));
}

// The pod spec of each workload kind, as the tables address it (without group unless kustomize
// gives one).
const podSpecOf: readonly [string, Gvk][] = [
  ['spec', { version: 'v1', kind: 'Pod' }],
  ['template/spec', { kind: 'PodTemplate' }],
  ['spec/template/spec', { kind: 'Deployment' }],
  ['spec/template/spec', { kind: 'ReplicaSet' }],
  ['spec/template/spec', { kind: 'DaemonSet' }],
  ['spec/template/spec', { kind: 'StatefulSet' }],
  ['spec/template/spec', { kind: 'Job' }],
  ['spec/jobTemplate/spec/template/spec', { kind: 'CronJob' }],
];

/** metadataLabelsFieldSpecs are the label maps of an object and of the pod templates and claim templates inside it. */
const metadataLabelsFieldSpecs: FieldSpec[] = [
  { path: 'metadata/labels', create: true },
  { path: 'spec/template/metadata/labels', create: true, version: 'v1', kind: 'ReplicationController' },
  { path: 'spec/template/metadata/labels', create: true, kind: 'Deployment' },
  { path: 'spec/template/metadata/labels', create: true, kind: 'ReplicaSet' },
  { path: 'spec/template/metadata/labels', create: true, kind: 'DaemonSet' },
  { path: 'spec/template/metadata/labels', create: true, group: 'apps', kind: 'StatefulSet' },
  { path: 'spec/volumeClaimTemplates[]/metadata/labels', create: true, group: 'apps', kind: 'StatefulSet' },
  { path: 'spec/template/metadata/labels', create: true, group: 'batch', kind: 'Job' },
  { path: 'spec/jobTemplate/metadata/labels', create: true, group: 'batch', kind: 'CronJob' },
  { path: 'spec/jobTemplate/spec/template/metadata/labels', create: true, group: 'batch', kind: 'CronJob' },
];

const affinitySelectors = [
  'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels',
];

/** commonLabelsFieldSpecs: metadata, pod templates and the selectors that must keep matching them. */
const commonLabelsFieldSpecs: FieldSpec[] = [
  { path: 'spec/selector', create: true, version: 'v1', kind: 'Service' },
  { path: 'spec/selector', create: true, version: 'v1', kind: 'ReplicationController' },
  { path: 'spec/selector/matchLabels', create: true, kind: 'Deployment' },
  ...specs(affinitySelectors, { group: 'apps', kind: 'Deployment' }),
  { path: 'spec/selector/matchLabels', create: true, kind: 'ReplicaSet' },
  { path: 'spec/selector/matchLabels', create: true, kind: 'DaemonSet' },
  { path: 'spec/selector/matchLabels', create: true, group: 'apps', kind: 'StatefulSet' },
  { path: 'spec/volumeClaimTemplates[]/metadata/labels', create: true, group: 'apps', kind: 'StatefulSet' },
  ...specs(affinitySelectors, { group: 'apps', kind: 'StatefulSet' }),
  { path: 'spec/selector/matchLabels', group: 'batch', kind: 'Job' },
  { path: 'spec/jobTemplate/spec/selector/matchLabels', group: 'batch', kind: 'CronJob' },
  { path: 'spec/selector/matchLabels', group: 'policy', kind: 'PodDisruptionBudget' },
  { path: 'spec/podSelector/matchLabels', group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { path: 'spec/ingress/from/podSelector/matchLabels', group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { path: 'spec/egress/to/podSelector/matchLabels', group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  ...metadataLabelsFieldSpecs.filter((s) => !s.path.startsWith('spec/volumeClaimTemplates')),
];

/** commonAnnotationsFieldSpecs: metadata and the pod templates of workloads. */
const commonAnnotationsFieldSpecs: FieldSpec[] = [
  { path: 'metadata/annotations', create: true },
  { path: 'spec/template/metadata/annotations', create: true, version: 'v1', kind: 'ReplicationController' },
  { path: 'spec/template/metadata/annotations', create: true, kind: 'Deployment' },
  { path: 'spec/template/metadata/annotations', create: true, kind: 'ReplicaSet' },
  { path: 'spec/template/metadata/annotations', create: true, kind: 'DaemonSet' },
  { path: 'spec/template/metadata/annotations', create: true, kind: 'StatefulSet' },
  { path: 'spec/template/metadata/annotations', create: true, group: 'batch', kind: 'Job' },
  { path: 'spec/jobTemplate/metadata/annotations', create: true, group: 'batch', kind: 'CronJob' },
  { path: 'spec/jobTemplate/spec/template/metadata/annotations', create: true, group: 'batch', kind: 'CronJob' },
];

/**
 * namespaceFieldSpecs: besides metadata.namespace (set by the namespace step itself, for namespaced
 * kinds only), a v1 Namespace's own name, the service an APIService points to and a CRD's
 * conversion webhook service.
 */
const namespaceFieldSpecs: FieldSpec[] = [
  { path: 'metadata/name', kind: 'Namespace', create: true },
  { path: 'spec/service/namespace', group: 'apiregistration.k8s.io', kind: 'APIService', create: true },
  { path: 'spec/conversion/webhook/clientConfig/service/namespace', group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
];

/** imagesFieldSpecs: containers, init containers and image volumes of any kind with a pod spec or pod template. */
const imagesFieldSpecs: FieldSpec[] = specs(
  [
    'spec/containers[]/image',
    'spec/initContainers[]/image',
    'spec/volumes[]/image/reference',
    'spec/template/spec/containers[]/image',
    'spec/template/spec/initContainers[]/image',
    'spec/template/spec/volumes[]/image/reference',
  ],
  {},
  true,
);

const replicasFieldSpecs: FieldSpec[] = ['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].map((kind) => ({ path: 'spec/replicas', create: true, kind }));

const containerLists = ['containers', 'initContainers'];

const varReferenceFieldSpecs: FieldSpec[] = [
  ...podSpecOf
    .filter(([, gvk]) => gvk.kind !== 'PodTemplate')
    .flatMap(([pod, gvk]) => [
      ...containerLists.flatMap((list) => ['args', 'command', 'env/value', 'volumeMounts/mountPath'].map((f) => ({ path: `${pod}/${list}/${f}`, kind: gvk.kind }))),
      ...(gvk.kind === 'StatefulSet' ? [] : [{ path: `${pod}/volumes/nfs/server`, kind: gvk.kind }]),
    ]),
  { path: 'spec/rules/host', kind: 'Ingress' },
  { path: 'spec/tls/hosts', kind: 'Ingress' },
  { path: 'spec/tls/secretName', kind: 'Ingress' },
  { path: 'spec/ports/port', kind: 'Service' },
  { path: 'spec/ports/targetPort', kind: 'Service' },
  { path: 'spec/volumeClaimTemplates/spec/nfs/server', kind: 'StatefulSet' },
  { path: 'spec/nfs/server', kind: 'PersistentVolume' },
  { path: 'metadata/labels' },
  { path: 'metadata/annotations' },
];

function podRefs(fields: readonly string[], options: { withVersionOnPod?: boolean } = {}): FieldSpec[] {
  return podSpecOf.flatMap(([pod, gvk]) =>
    fields.map((field) => ({ ...(gvk.kind === 'Pod' && options.withVersionOnPod ? { version: 'v1' } : {}), kind: gvk.kind, path: `${pod}/${field}` })),
  );
}

// Order within each workload follows kustomize's table; only the set matters for the output.
const configMapRefs = podRefs(
  [
    'volumes/configMap/name',
    'containers/env/valueFrom/configMapKeyRef/name',
    'initContainers/env/valueFrom/configMapKeyRef/name',
    'containers/envFrom/configMapRef/name',
    'initContainers/envFrom/configMapRef/name',
    'volumes/projected/sources/configMap/name',
  ],
  { withVersionOnPod: true },
);

const secretRefs = podRefs(
  [
    'volumes/secret/secretName',
    'containers/env/valueFrom/secretKeyRef/name',
    'initContainers/env/valueFrom/secretKeyRef/name',
    'containers/envFrom/secretRef/name',
    'initContainers/envFrom/secretRef/name',
    'imagePullSecrets/name',
    'volumes/projected/sources/secret/name',
  ],
  { withVersionOnPod: true },
);

// Pod spec fields naming a ServiceAccount, PVC or PriorityClass; kustomize lists them for these
// workload kinds only (not PodTemplate or ReplicaSet, and ReplicationController instead).
const workloadsForScalarRefs: readonly [string, string][] = [
  ['spec', 'Pod'],
  ['spec/template/spec', 'StatefulSet'],
  ['spec/template/spec', 'Deployment'],
  ['spec/template/spec', 'ReplicationController'],
  ['spec/jobTemplate/spec/template/spec', 'CronJob'],
  ['spec/template/spec', 'Job'],
  ['spec/template/spec', 'DaemonSet'],
];

function workloadRefs(field: string): FieldSpec[] {
  return workloadsForScalarRefs.map(([pod, kind]) => ({ kind, path: `${pod}/${field}` }));
}

const nameReferenceFieldSpecs: NameBackReference[] = [
  ...['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].map((kind) => ({
    kind,
    fieldSpecs: [{ path: 'spec/scaleTargetRef/name', kind: 'HorizontalPodAutoscaler' }],
  })),
  {
    kind: 'ConfigMap',
    version: 'v1',
    fieldSpecs: [
      ...configMapRefs,
      { path: 'spec/configSource/configMap', kind: 'Node' },
      { path: 'rules/resourceNames', kind: 'Role' },
      { path: 'rules/resourceNames', kind: 'ClusterRole' },
      { path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap', kind: 'Ingress' },
    ],
  },
  {
    kind: 'Secret',
    version: 'v1',
    fieldSpecs: [
      ...secretRefs,
      { path: 'spec/tls/secretName', kind: 'Ingress' },
      { path: 'metadata/annotations/ingress.kubernetes.io\\/auth-secret', kind: 'Ingress' },
      { path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret', kind: 'Ingress' },
      { path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret', kind: 'Ingress' },
      { path: 'imagePullSecrets/name', kind: 'ServiceAccount' },
      { path: 'parameters/secretName', kind: 'StorageClass' },
      { path: 'parameters/adminSecretName', kind: 'StorageClass' },
      { path: 'parameters/userSecretName', kind: 'StorageClass' },
      { path: 'parameters/secretRef', kind: 'StorageClass' },
      { path: 'rules/resourceNames', kind: 'Role' },
      { path: 'rules/resourceNames', kind: 'ClusterRole' },
      { path: 'spec/template/spec/containers/env/valueFrom/secretKeyRef/name', kind: 'Service', group: 'serving.knative.dev', version: 'v1' },
      { path: 'spec/azureFile/secretName', kind: 'PersistentVolume' },
    ],
  },
  {
    kind: 'Service',
    version: 'v1',
    fieldSpecs: [
      { path: 'spec/serviceName', kind: 'StatefulSet', group: 'apps' },
      { path: 'spec/rules/http/paths/backend/serviceName', kind: 'Ingress' },
      { path: 'spec/backend/serviceName', kind: 'Ingress' },
      { path: 'spec/rules/http/paths/backend/service/name', kind: 'Ingress' },
      { path: 'spec/defaultBackend/service/name', kind: 'Ingress' },
      { path: 'spec/service/name', kind: 'APIService', group: 'apiregistration.k8s.io' },
      { path: 'webhooks/clientConfig/service', kind: 'ValidatingWebhookConfiguration', group: 'admissionregistration.k8s.io' },
      { path: 'webhooks/clientConfig/service', kind: 'MutatingWebhookConfiguration', group: 'admissionregistration.k8s.io' },
      // Newer kustomize releases also follow HTTPRoute backendRefs; v5.7.1 does not.
    ],
  },
  {
    kind: 'Role',
    group: 'rbac.authorization.k8s.io',
    fieldSpecs: [{ path: 'roleRef/name', kind: 'RoleBinding', group: 'rbac.authorization.k8s.io' }],
  },
  {
    kind: 'ClusterRole',
    group: 'rbac.authorization.k8s.io',
    fieldSpecs: [
      { path: 'roleRef/name', kind: 'RoleBinding', group: 'rbac.authorization.k8s.io' },
      { path: 'roleRef/name', kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io' },
    ],
  },
  {
    kind: 'ServiceAccount',
    version: 'v1',
    fieldSpecs: [
      { path: 'subjects', kind: 'RoleBinding', group: 'rbac.authorization.k8s.io' },
      { path: 'subjects', kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io' },
      ...workloadRefs('serviceAccountName'),
    ],
  },
  { kind: 'PersistentVolumeClaim', version: 'v1', fieldSpecs: workloadRefs('volumes/persistentVolumeClaim/claimName') },
  {
    kind: 'PersistentVolume',
    version: 'v1',
    fieldSpecs: [
      { path: 'spec/volumeName', kind: 'PersistentVolumeClaim' },
      { path: 'rules/resourceNames', kind: 'ClusterRole' },
    ],
  },
  {
    kind: 'StorageClass',
    version: 'v1',
    group: 'storage.k8s.io',
    fieldSpecs: [
      { path: 'spec/storageClassName', kind: 'PersistentVolume' },
      { path: 'spec/storageClassName', kind: 'PersistentVolumeClaim' },
      { path: 'spec/volumeClaimTemplates/spec/storageClassName', kind: 'StatefulSet' },
    ],
  },
  { kind: 'PriorityClass', version: 'v1', group: 'scheduling.k8s.io', fieldSpecs: workloadRefs('priorityClassName') },
  // Kustomize spells the group `networking.k8s.io/v1`, so this entry never selects anything; kept
  // as is because the output must match (an IngressClass renamed by a prefix is not followed).
  { kind: 'IngressClass', version: 'v1', group: 'networking.k8s.io/v1', fieldSpecs: [{ path: 'spec/ingressClassName', kind: 'Ingress' }] },
];

/**
 * BuiltinFieldSpecs are the default tables, one list per transformer, as kustomize's
 * GetDefaultFieldSpecs gives them. `labels` (extra fields for every `labels:` entry) is empty by
 * default; configurations files add to it.
 */
export const builtinFieldSpecs = {
  namePrefix: [{ path: 'metadata/name' }] as FieldSpec[],
  nameSuffix: [{ path: 'metadata/name' }] as FieldSpec[],
  namespace: namespaceFieldSpecs,
  commonLabels: commonLabelsFieldSpecs,
  labels: [] as FieldSpec[],
  templateLabels: metadataLabelsFieldSpecs,
  commonAnnotations: commonAnnotationsFieldSpecs,
  nameReference: nameReferenceFieldSpecs,
  varReference: varReferenceFieldSpecs,
  images: imagesFieldSpecs,
  replicas: replicasFieldSpecs,
} as const;

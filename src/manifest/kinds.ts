// Which Kubernetes kinds live in a namespace. Two questions hide behind "is it namespaced?":
//
// * What kustomize v5.7.1 believes. It decides from a built-in table keyed by the exact apiVersion
//   and kind (kyaml's precomputed openapi scopes); anything it does not find there, including every
//   custom resource and newer built-in kinds such as ValidatingAdmissionPolicy, counts as
//   namespaced. A `namespace:` transformer therefore sets metadata.namespace on them. The renderer
//   must reproduce that belief to print what `kustomize build` prints.
// * What the API server does. Apply order, pruning and plans need the real scope, which also covers
//   kinds kustomize does not know and the scope custom resource definitions declare.
//
// `isNamespacedKind` answers the first question, `kubernetesScope` the second.

/** KindScope says where objects of a kind live. */
export type KindScope = 'Namespaced' | 'Cluster';

/** BuiltinKind is one built-in Kubernetes kind: its API group, the versions that serve it, and its scope. */
export interface BuiltinKind {
  /** The API group; `''` for the core group (apiVersion `v1`). */
  group: string;
  versions: readonly string[];
  kind: string;
  scope: KindScope;
}

function kinds(group: string, scope: KindScope, entries: Record<string, readonly string[]>): BuiltinKind[] {
  return Object.entries(entries).map(([kind, versions]) => ({ group, versions, kind, scope }));
}

/**
 * builtinKinds lists the kinds a Kubernetes 1.35 API server serves (with the older versions of
 * them that manifests still use), with their real scope. Review and subresource-only kinds
 * (TokenReview, Scale, Binding, …) are included because manifests occasionally carry them.
 */
export const builtinKinds: readonly BuiltinKind[] = [
  ...kinds('', 'Namespaced', {
    Binding: ['v1'],
    ConfigMap: ['v1'],
    Endpoints: ['v1'],
    Event: ['v1'],
    LimitRange: ['v1'],
    PersistentVolumeClaim: ['v1'],
    Pod: ['v1'],
    PodTemplate: ['v1'],
    ReplicationController: ['v1'],
    ResourceQuota: ['v1'],
    Secret: ['v1'],
    Service: ['v1'],
    ServiceAccount: ['v1'],
  }),
  ...kinds('', 'Cluster', { ComponentStatus: ['v1'], Namespace: ['v1'], Node: ['v1'], PersistentVolume: ['v1'] }),
  ...kinds('admissionregistration.k8s.io', 'Cluster', {
    MutatingWebhookConfiguration: ['v1', 'v1beta1'],
    ValidatingWebhookConfiguration: ['v1', 'v1beta1'],
    ValidatingAdmissionPolicy: ['v1', 'v1beta1', 'v1alpha1'],
    ValidatingAdmissionPolicyBinding: ['v1', 'v1beta1', 'v1alpha1'],
    MutatingAdmissionPolicy: ['v1beta1', 'v1alpha1'],
    MutatingAdmissionPolicyBinding: ['v1beta1', 'v1alpha1'],
  }),
  ...kinds('apiextensions.k8s.io', 'Cluster', { CustomResourceDefinition: ['v1', 'v1beta1'] }),
  ...kinds('apiregistration.k8s.io', 'Cluster', { APIService: ['v1', 'v1beta1'] }),
  ...kinds('apps', 'Namespaced', {
    ControllerRevision: ['v1'],
    DaemonSet: ['v1', 'v1beta2'],
    Deployment: ['v1', 'v1beta2', 'v1beta1'],
    ReplicaSet: ['v1', 'v1beta2'],
    StatefulSet: ['v1', 'v1beta2', 'v1beta1'],
  }),
  ...kinds('authentication.k8s.io', 'Cluster', { TokenReview: ['v1'], SelfSubjectReview: ['v1', 'v1beta1'] }),
  ...kinds('authorization.k8s.io', 'Cluster', {
    SelfSubjectAccessReview: ['v1'],
    SelfSubjectRulesReview: ['v1'],
    SubjectAccessReview: ['v1'],
  }),
  ...kinds('authorization.k8s.io', 'Namespaced', { LocalSubjectAccessReview: ['v1'] }),
  ...kinds('autoscaling', 'Namespaced', { HorizontalPodAutoscaler: ['v2', 'v1', 'v2beta2', 'v2beta1'], Scale: ['v1'] }),
  ...kinds('batch', 'Namespaced', { CronJob: ['v1', 'v1beta1'], Job: ['v1'] }),
  ...kinds('certificates.k8s.io', 'Cluster', {
    CertificateSigningRequest: ['v1', 'v1beta1'],
    ClusterTrustBundle: ['v1beta1', 'v1alpha1'],
  }),
  ...kinds('certificates.k8s.io', 'Namespaced', { PodCertificateRequest: ['v1beta1', 'v1alpha1'] }),
  ...kinds('coordination.k8s.io', 'Namespaced', { Lease: ['v1', 'v1beta1'], LeaseCandidate: ['v1beta1', 'v1alpha2'] }),
  ...kinds('discovery.k8s.io', 'Namespaced', { EndpointSlice: ['v1', 'v1beta1'] }),
  ...kinds('events.k8s.io', 'Namespaced', { Event: ['v1', 'v1beta1'] }),
  ...kinds('extensions', 'Namespaced', {
    DaemonSet: ['v1beta1'],
    Deployment: ['v1beta1'],
    Ingress: ['v1beta1'],
    NetworkPolicy: ['v1beta1'],
    ReplicaSet: ['v1beta1'],
  }),
  ...kinds('extensions', 'Cluster', { PodSecurityPolicy: ['v1beta1'] }),
  ...kinds('flowcontrol.apiserver.k8s.io', 'Cluster', {
    FlowSchema: ['v1', 'v1beta3', 'v1beta2', 'v1beta1'],
    PriorityLevelConfiguration: ['v1', 'v1beta3', 'v1beta2', 'v1beta1'],
  }),
  ...kinds('internal.apiserver.k8s.io', 'Cluster', { StorageVersion: ['v1alpha1'] }),
  ...kinds('networking.k8s.io', 'Namespaced', { Ingress: ['v1', 'v1beta1'], NetworkPolicy: ['v1'] }),
  ...kinds('networking.k8s.io', 'Cluster', {
    IngressClass: ['v1', 'v1beta1'],
    IPAddress: ['v1', 'v1beta1'],
    ServiceCIDR: ['v1', 'v1beta1'],
  }),
  ...kinds('node.k8s.io', 'Cluster', { RuntimeClass: ['v1', 'v1beta1', 'v1alpha1'] }),
  ...kinds('policy', 'Namespaced', { PodDisruptionBudget: ['v1', 'v1beta1'], Eviction: ['v1'] }),
  ...kinds('policy', 'Cluster', { PodSecurityPolicy: ['v1beta1'] }),
  ...kinds('rbac.authorization.k8s.io', 'Namespaced', { Role: ['v1', 'v1beta1', 'v1alpha1'], RoleBinding: ['v1', 'v1beta1', 'v1alpha1'] }),
  ...kinds('rbac.authorization.k8s.io', 'Cluster', {
    ClusterRole: ['v1', 'v1beta1', 'v1alpha1'],
    ClusterRoleBinding: ['v1', 'v1beta1', 'v1alpha1'],
  }),
  ...kinds('resource.k8s.io', 'Namespaced', {
    ResourceClaim: ['v1', 'v1beta2', 'v1beta1'],
    ResourceClaimTemplate: ['v1', 'v1beta2', 'v1beta1'],
  }),
  ...kinds('resource.k8s.io', 'Cluster', {
    DeviceClass: ['v1', 'v1beta2', 'v1beta1'],
    ResourceSlice: ['v1', 'v1beta2', 'v1beta1'],
    DeviceTaintRule: ['v1alpha3'],
  }),
  ...kinds('scheduling.k8s.io', 'Cluster', { PriorityClass: ['v1', 'v1beta1', 'v1alpha1'] }),
  ...kinds('storage.k8s.io', 'Cluster', {
    CSIDriver: ['v1', 'v1beta1'],
    CSINode: ['v1', 'v1beta1'],
    StorageClass: ['v1', 'v1beta1'],
    VolumeAttachment: ['v1', 'v1beta1', 'v1alpha1'],
    VolumeAttributesClass: ['v1', 'v1beta1', 'v1alpha1'],
  }),
  ...kinds('storage.k8s.io', 'Namespaced', { CSIStorageCapacity: ['v1', 'v1beta1'] }),
  ...kinds('storagemigration.k8s.io', 'Cluster', { StorageVersionMigration: ['v1alpha1'] }),
];

/**
 * kustomizeClusterScopedKinds are the apiVersion/kind pairs kustomize v5.7.1 knows as
 * cluster-scoped (kyaml's precomputed openapi scopes). Checked against the real binary: every
 * other pair, e.g. `rbac.authorization.k8s.io/v1alpha1` ClusterRole, `flowcontrol.apiserver.k8s.io/v1`
 * FlowSchema or `admissionregistration.k8s.io/v1` ValidatingAdmissionPolicy, gets a namespace from
 * `namespace:` like any namespaced kind.
 */
export const kustomizeClusterScopedKinds: readonly { apiVersion: string; kind: string }[] = [
  ['admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration'],
  ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'],
  ['admissionregistration.k8s.io/v1beta1', 'MutatingWebhookConfiguration'],
  ['admissionregistration.k8s.io/v1beta1', 'ValidatingWebhookConfiguration'],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
  ['apiextensions.k8s.io/v1beta1', 'CustomResourceDefinition'],
  ['apiregistration.k8s.io/v1', 'APIService'],
  ['apiregistration.k8s.io/v1beta1', 'APIService'],
  ['certificates.k8s.io/v1', 'CertificateSigningRequest'],
  ['certificates.k8s.io/v1beta1', 'CertificateSigningRequest'],
  ['flowcontrol.apiserver.k8s.io/v1beta1', 'FlowSchema'],
  ['flowcontrol.apiserver.k8s.io/v1beta1', 'PriorityLevelConfiguration'],
  ['networking.k8s.io/v1', 'IngressClass'],
  ['networking.k8s.io/v1beta1', 'IngressClass'],
  ['node.k8s.io/v1', 'RuntimeClass'],
  ['node.k8s.io/v1beta1', 'RuntimeClass'],
  ['policy/v1beta1', 'PodSecurityPolicy'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  ['rbac.authorization.k8s.io/v1beta1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1beta1', 'ClusterRoleBinding'],
  ['scheduling.k8s.io/v1', 'PriorityClass'],
  ['scheduling.k8s.io/v1beta1', 'PriorityClass'],
  ['storage.k8s.io/v1', 'CSIDriver'],
  ['storage.k8s.io/v1', 'CSINode'],
  ['storage.k8s.io/v1', 'StorageClass'],
  ['storage.k8s.io/v1', 'VolumeAttachment'],
  ['storage.k8s.io/v1beta1', 'CSIDriver'],
  ['storage.k8s.io/v1beta1', 'CSINode'],
  ['storage.k8s.io/v1beta1', 'StorageClass'],
  ['storage.k8s.io/v1beta1', 'VolumeAttachment'],
  ['v1', 'ComponentStatus'],
  ['v1', 'Namespace'],
  ['v1', 'Node'],
  ['v1', 'NodeProxyOptions'],
  ['v1', 'PersistentVolume'],
].map(([apiVersion, kind]) => ({ apiVersion: apiVersion!, kind: kind! }));

const kustomizeClusterByApiVersion = new Set(kustomizeClusterScopedKinds.map((k) => `${k.apiVersion} ${k.kind}`));
const kustomizeClusterByGroup = new Set(kustomizeClusterScopedKinds.map((k) => `${groupOf(k.apiVersion)} ${k.kind}`));
const builtinByApiVersion = new Map<string, KindScope>();
const builtinByGroup = new Map<string, KindScope>();
for (const entry of builtinKinds) {
  builtinByGroup.set(`${entry.group} ${entry.kind}`, entry.scope);
  for (const version of entry.versions) builtinByApiVersion.set(`${entry.group ? entry.group + '/' : ''}${version} ${entry.kind}`, entry.scope);
}

// A bare version such as `v1` or `v2beta1` is the core group's apiVersion; anything else without a
// slash is an API group.
const versionPattern = /^v\d+((alpha|beta)\d+)?$/;

function groupOf(given: string): string {
  // Objects without apiVersion reach here from kustomize builds, which keep them.
  const apiVersion = given ?? '';
  const slash = apiVersion.indexOf('/');
  return slash >= 0 ? apiVersion.slice(0, slash) : '';
}

/** isApiVersion tells an apiVersion (`apps/v1`, `v1`) from a bare API group (`apps`, `rbac.authorization.k8s.io`). */
function isApiVersion(apiVersionOrGroup: string): boolean {
  return apiVersionOrGroup.includes('/') || versionPattern.test(apiVersionOrGroup);
}

/**
 * isNamespacedKind answers as kustomize v5.7.1 does: false only for the apiVersion/kind pairs of
 * kustomizeClusterScopedKinds, true for everything else (custom resources included, whatever
 * scope their CRD declares: kustomize does not read CRD objects for this). Given an apiVersion
 * (`rbac.authorization.k8s.io/v1`, `v1`) the match is exact, as in kustomize; given a bare group
 * (`rbac.authorization.k8s.io`, `''` for core) any version of that group counts.
 */
export function isNamespacedKind(given: string, kind: string): boolean {
  const apiVersionOrGroup = given ?? '';
  if (apiVersionOrGroup !== '' && isApiVersion(apiVersionOrGroup)) return !kustomizeClusterByApiVersion.has(`${apiVersionOrGroup} ${kind}`);
  return !kustomizeClusterByGroup.has(`${apiVersionOrGroup} ${kind}`);
}

/**
 * CustomScopes maps `group kind` (e.g. `example.com Widget`) to the scope a
 * CustomResourceDefinition declares; build it with customResourceScopes.
 */
export type CustomScopes = ReadonlyMap<string, KindScope>;

/**
 * customResourceScopes reads the scope each CustomResourceDefinition among the objects declares
 * (`spec.group`, `spec.names.kind`, `spec.scope`), for kubernetesScope.
 */
export function customResourceScopes(objects: Iterable<{ apiVersion?: unknown; kind?: unknown; spec?: unknown }>): Map<string, KindScope> {
  const out = new Map<string, KindScope>();
  for (const object of objects) {
    if (object.kind !== 'CustomResourceDefinition' || typeof object.apiVersion !== 'string' || !object.apiVersion.startsWith('apiextensions.k8s.io/')) continue;
    const spec = object.spec as { group?: unknown; scope?: unknown; names?: { kind?: unknown } } | undefined;
    if (typeof spec?.group !== 'string' || typeof spec.names?.kind !== 'string') continue;
    if (spec.scope === 'Namespaced' || spec.scope === 'Cluster') out.set(`${spec.group} ${spec.names.kind}`, spec.scope);
  }
  return out;
}

/**
 * kubernetesScope gives the scope an API server uses: from builtinKinds (by apiVersion, or by group
 * when given a group or an unlisted version), then from the custom resource definitions in
 * `custom`. It returns undefined for a kind nobody declared (an API server would reject it until
 * its CRD exists).
 */
export function kubernetesScope(given: string, kind: string, custom?: CustomScopes): KindScope | undefined {
  const apiVersionOrGroup = given ?? '';
  const byVersion = apiVersionOrGroup !== '' && isApiVersion(apiVersionOrGroup);
  const group = byVersion ? groupOf(apiVersionOrGroup) : apiVersionOrGroup;
  if (byVersion) {
    const exact = builtinByApiVersion.get(`${apiVersionOrGroup} ${kind}`);
    if (exact) return exact;
  }
  return builtinByGroup.get(`${group} ${kind}`) ?? custom?.get(`${group} ${kind}`);
}

import { customResourceScopes, kubernetesScope, type CustomScopes, type KindScope } from './kinds.js';
import type { KubeObject } from './types.js';

// The order in which a sync applies objects (SPEC §6), and the reverse in which it deletes them.
// Server-side apply is declarative, but the API server still checks references at admission time
// and controllers act on what exists: a custom resource is rejected until its CRD is established,
// a namespaced object until its Namespace exists, and pods fail to start (and back off) when their
// ServiceAccount, ConfigMap or Secret comes later. The order below avoids each of those.

/**
 * ApplyPhase is one step of the apply order, in order:
 *
 * 1. `CustomResourceDefinition`: they must be established before their custom resources exist.
 * 2. `Namespace`: every namespaced object needs its namespace first.
 * 3. `ClusterScoped`: other built-in cluster-scoped kinds (ClusterRoles, StorageClasses,
 *    PriorityClasses, …) that namespaced objects refer to.
 * 4. `Namespaced`: built-in namespaced kinds, ServiceAccounts, ConfigMaps and Secrets before the
 *    workloads that use them (kindOrder).
 * 5. `CustomResource`: kinds that are not built in (defined by a CRD in the same set or already in
 *    the cluster), each only after its CRD is Established.
 * 6. `Registration`: admission webhook configurations, admission policies and APIServices. SPEC §6
 *    lists them with the cluster-scoped kinds; Flotilla applies them last on purpose, as Flux and
 *    Helm do: they send the API server to a Service that the earlier phases create, so registering
 *    them first makes the server call a backend that is not running yet and reject (or, for an
 *    APIService, fail discovery for) the very objects that follow.
 */
export type ApplyPhase = 'CustomResourceDefinition' | 'Namespace' | 'ClusterScoped' | 'Namespaced' | 'CustomResource' | 'Registration';

/** applyPhases lists the phases in apply order. */
export const applyPhases: readonly ApplyPhase[] = ['CustomResourceDefinition', 'Namespace', 'ClusterScoped', 'Namespaced', 'CustomResource', 'Registration'];

/**
 * kindOrder orders kinds inside a phase (Helm's install order, which Flux follows too): quotas and
 * limits before what they limit, identities and configuration before the workloads that mount them,
 * claims before pods, Services before what routes to them. Kinds not listed come after the listed
 * ones of their phase, sorted by group and kind so the result never depends on the input order.
 */
export const kindOrder: readonly string[] = [
  'ResourceQuota',
  'LimitRange',
  'PriorityClass',
  'StorageClass',
  'RuntimeClass',
  'IngressClass',
  'PodSecurityPolicy',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'NetworkPolicy',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'StatefulSet',
  'HorizontalPodAutoscaler',
  'Job',
  'CronJob',
  'PodDisruptionBudget',
  'Ingress',
];

/** Built-in kinds that register a backend with the API server: the Registration phase. */
const registrationKinds = new Set([
  'admissionregistration.k8s.io MutatingWebhookConfiguration',
  'admissionregistration.k8s.io ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io MutatingAdmissionPolicy',
  'admissionregistration.k8s.io MutatingAdmissionPolicyBinding',
  'apiregistration.k8s.io APIService',
]);

const kindIndex = new Map(kindOrder.map((kind, i) => [kind, i]));
const phaseIndex = new Map(applyPhases.map((phase, i) => [phase, i]));

/** OrderRef is what ordering needs to know of an object: a manifest or an inventory reference. */
export interface OrderRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * CrdRequirement says that an object is a custom resource whose CRD must be Established before
 * it is applied. `crd` is the CRD's metadata.name when that CRD is in the same set of objects;
 * otherwise the CRD is expected in the cluster already (discovery finds it).
 */
export interface CrdRequirement {
  group: string;
  kind: string;
  crd?: string;
}

/** ApplyOrderEntry is one object with where it goes in the apply order and why. */
export interface ApplyOrderEntry<T = KubeObject> {
  object: T;
  phase: ApplyPhase;
  /** The scope the API server uses; undefined for a custom kind no CRD in the set declares. */
  scope: KindScope | undefined;
  /** Set for custom resources: what must be Established first. */
  needsEstablished?: CrdRequirement;
}

/** ApplyOrderOptions add what is known beyond the objects themselves. */
export interface ApplyOrderOptions {
  /**
   * Scopes of custom kinds already served by the cluster (from discovery), keyed `group Kind`.
   * The CRDs among the objects are read as well; those win. @default none
   */
  scopes?: CustomScopes;
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash >= 0 ? apiVersion.slice(0, slash) : '';
}

function refOfObject(object: KubeObject): OrderRef {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata?.namespace || undefined, name: object.metadata?.name ?? '' };
}

/** crdNames maps `group Kind` to the metadata.name of each CRD among the objects. */
function crdNames(objects: readonly KubeObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const object of objects) {
    if (object.kind !== 'CustomResourceDefinition' || groupOf(object.apiVersion) !== 'apiextensions.k8s.io') continue;
    const spec = object.spec as { group?: unknown; names?: { kind?: unknown } } | undefined;
    if (typeof spec?.group === 'string' && typeof spec.names?.kind === 'string') out.set(`${spec.group} ${spec.names.kind}`, object.metadata.name);
  }
  return out;
}

/**
 * classifyForApply places one object (or reference) in the apply order. `custom` are the scopes CRDs
 * declare; `crds` the names of CRDs in the same set. A kind is built in when the kind table of
 * src/manifest/kinds.ts knows its group and kind; anything else is a custom resource.
 */
export function classifyForApply<T>(object: T, ref: OrderRef, custom?: CustomScopes, crds?: ReadonlyMap<string, string>): ApplyOrderEntry<T> {
  const group = groupOf(ref.apiVersion);
  const builtin = kubernetesScope(ref.apiVersion, ref.kind);
  if (builtin === undefined) {
    // A custom resource: its scope comes from its CRD; without one we go by what the manifest says.
    const scope = custom?.get(`${group} ${ref.kind}`) ?? (ref.namespace ? 'Namespaced' : undefined);
    const crd = crds?.get(`${group} ${ref.kind}`);
    return { object, phase: 'CustomResource', scope, needsEstablished: { group, kind: ref.kind, ...(crd ? { crd } : {}) } };
  }
  let phase: ApplyPhase;
  if (group === 'apiextensions.k8s.io' && ref.kind === 'CustomResourceDefinition') phase = 'CustomResourceDefinition';
  else if (group === '' && ref.kind === 'Namespace') phase = 'Namespace';
  else if (registrationKinds.has(`${group} ${ref.kind}`)) phase = 'Registration';
  else phase = builtin === 'Cluster' ? 'ClusterScoped' : 'Namespaced';
  return { object, phase, scope: builtin };
}

/**
 * compareApplyOrder is the comparator of the apply order for two classified entries: by phase, then
 * by kindOrder (listed kinds first), then by API group, kind, namespace and name, so that the same
 * objects sort the same way whatever order they came in. Reverse it for the delete order.
 */
export function compareApplyOrder(a: ApplyOrderEntry<OrderRef>, b: ApplyOrderEntry<OrderRef>): number {
  return (
    phaseIndex.get(a.phase)! - phaseIndex.get(b.phase)! ||
    (kindIndex.get(a.object.kind) ?? kindOrder.length) - (kindIndex.get(b.object.kind) ?? kindOrder.length) ||
    compareText(groupOf(a.object.apiVersion), groupOf(b.object.apiVersion)) ||
    compareText(a.object.kind, b.object.kind) ||
    compareText(a.object.namespace ?? '', b.object.namespace ?? '') ||
    compareText(a.object.name, b.object.name)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * orderForApply sorts objects into the apply order of SPEC §6 (see ApplyPhase) and marks each custom
 * resource with the CRD that must be Established first. The input is not changed.
 */
export function orderForApply(objects: readonly KubeObject[], options: ApplyOrderOptions = {}): ApplyOrderEntry[] {
  const custom = new Map<string, KindScope>(options.scopes ?? []);
  for (const [key, scope] of customResourceScopes(objects)) custom.set(key, scope);
  const crds = crdNames(objects);
  return objects
    .map((object) => {
      const ref = refOfObject(object);
      return { entry: classifyForApply(object, ref, custom, crds), keyed: classifyForApply(ref, ref, custom, crds) };
    })
    .sort((a, b) => compareApplyOrder(a.keyed, b.keyed))
    .map(({ entry }) => entry);
}

/**
 * orderForDelete sorts references into the delete order: the apply order reversed, so that custom
 * resources go while their controllers and CRDs still exist, workloads before the ConfigMaps and
 * ServiceAccounts they use, and Namespaces and CRDs (which take everything inside them along) last.
 * `scopes` are the scopes of custom kinds from discovery, as for orderForApply.
 */
export function orderForDelete<T extends OrderRef>(refs: readonly T[], scopes?: CustomScopes): ApplyOrderEntry<T>[] {
  return refs.map((ref) => classifyForApply(ref, ref, scopes)).sort((a, b) => compareApplyOrder(b, a));
}

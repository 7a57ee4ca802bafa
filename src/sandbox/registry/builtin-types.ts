import type { ResourceType, SubresourceInfo, Verb } from './resource-type.js';

// The built-in resource types the sandbox serves. The core, apps, networking, RBAC and
// apiextensions rows are the 1.19 server's discovery documents as recorded in
// ../shared/kube-conformance (names, verbs, short names, categories, storageVersionHash and
// subresources exactly as it printed them). The batch, autoscaling, policy, storage, scheduling and
// coordination rows are the versions current manifests use (batch/v1 CronJob, policy/v1, autoscaling/v2),
// with storageVersionHash computed the way the server computes it (first 8 bytes of
// sha256("group/version/Kind"), base64).

const all: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const noCollection: Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const statusVerbs: Verb[] = ['get', 'patch', 'update'];

interface Row {
  gv: string;
  plural: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  verbs?: Verb[];
  short?: string[];
  categories?: string[];
  hash?: string;
  sub?: SubresourceInfo[];
  /** metadata.generation is kept (the type's strategy sets it). */
  generation?: boolean;
  /** Fleets carry this kind: it gets defaults and validation; the others are stored as they come. */
  fleet?: boolean;
}

const status = (kind: string): SubresourceInfo => ({ name: 'status', kind, verbs: statusVerbs });
const scale: SubresourceInfo = { name: 'scale', kind: 'Scale', verbs: statusVerbs, group: 'autoscaling', version: 'v1' };

const rows: Row[] = [
  // core/v1
  { gv: 'v1', plural: 'bindings', kind: 'Binding', singular: 'binding', namespaced: true, verbs: ['create'] },
  { gv: 'v1', plural: 'componentstatuses', kind: 'ComponentStatus', singular: 'componentstatus', namespaced: false, verbs: ['get', 'list'], short: ['cs'] },
  { gv: 'v1', plural: 'configmaps', kind: 'ConfigMap', singular: 'configmap', namespaced: true, short: ['cm'], hash: 'qFsyl6wFWjQ=', fleet: true },
  { gv: 'v1', plural: 'endpoints', kind: 'Endpoints', singular: 'endpoints', namespaced: true, short: ['ep'], hash: 'fWeeMqaN/OA=' },
  { gv: 'v1', plural: 'events', kind: 'Event', singular: 'event', namespaced: true, short: ['ev'], hash: 'r2yiGXH7wu8=', fleet: true },
  { gv: 'v1', plural: 'limitranges', kind: 'LimitRange', singular: 'limitrange', namespaced: true, short: ['limits'], hash: 'EBKMFVe6cwo=', fleet: true },
  {
    gv: 'v1', plural: 'namespaces', kind: 'Namespace', singular: 'namespace', namespaced: false, verbs: noCollection, short: ['ns'], hash: 'Q3oi5N2YM8M=', fleet: true,
    sub: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }, status('Namespace')],
  },
  {
    gv: 'v1', plural: 'nodes', kind: 'Node', singular: 'node', namespaced: false, short: ['no'], hash: 'XwShjMxG9Fs=',
    sub: [{ name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }, status('Node')],
  },
  { gv: 'v1', plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', singular: 'persistentvolumeclaim', namespaced: true, short: ['pvc'], hash: 'QWTyNDq0dC4=', sub: [status('PersistentVolumeClaim')], fleet: true },
  { gv: 'v1', plural: 'persistentvolumes', kind: 'PersistentVolume', singular: 'persistentvolume', namespaced: false, short: ['pv'], hash: 'HN/zwEC+JgM=', sub: [status('PersistentVolume')] },
  {
    gv: 'v1', plural: 'pods', kind: 'Pod', singular: 'pod', namespaced: true, short: ['po'], categories: ['all'], hash: 'xPOwRZ+Yhw8=',
    sub: [
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'eviction', kind: 'Eviction', verbs: ['create'], group: 'policy', version: 'v1beta1' },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      { name: 'proxy', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
      status('Pod'),
    ],
  },
  { gv: 'v1', plural: 'podtemplates', kind: 'PodTemplate', singular: 'podtemplate', namespaced: true, hash: 'LIXB2x4IFpk=' },
  {
    gv: 'v1', plural: 'replicationcontrollers', kind: 'ReplicationController', singular: 'replicationcontroller', namespaced: true, short: ['rc'], categories: ['all'], hash: 'Jond2If31h0=',
    sub: [scale, status('ReplicationController')], generation: true,
  },
  { gv: 'v1', plural: 'resourcequotas', kind: 'ResourceQuota', singular: 'resourcequota', namespaced: true, short: ['quota'], hash: '8uhSgffRX6w=', sub: [status('ResourceQuota')], fleet: true },
  { gv: 'v1', plural: 'secrets', kind: 'Secret', singular: 'secret', namespaced: true, hash: 'S6u1pOWzb84=', fleet: true },
  {
    gv: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', singular: 'serviceaccount', namespaced: true, short: ['sa'], hash: 'pbx9ZvyFpBE=', fleet: true,
    sub: [{ name: 'token', kind: 'TokenRequest', verbs: ['create'], group: 'authentication.k8s.io', version: 'v1' }],
  },
  {
    gv: 'v1', plural: 'services', kind: 'Service', singular: 'service', namespaced: true, verbs: noCollection, short: ['svc'], categories: ['all'], hash: '0/CO1lhkEBI=', fleet: true,
    sub: [{ name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }, status('Service')],
  },
  // apps/v1
  { gv: 'apps/v1', plural: 'controllerrevisions', kind: 'ControllerRevision', singular: 'controllerrevision', namespaced: true, hash: '85nkx63pcBU=' },
  { gv: 'apps/v1', plural: 'daemonsets', kind: 'DaemonSet', singular: 'daemonset', namespaced: true, short: ['ds'], categories: ['all'], hash: 'dd7pWHUlMKQ=', sub: [status('DaemonSet')], generation: true, fleet: true },
  { gv: 'apps/v1', plural: 'deployments', kind: 'Deployment', singular: 'deployment', namespaced: true, short: ['deploy'], categories: ['all'], hash: '8aSe+NMegvE=', sub: [scale, status('Deployment')], generation: true, fleet: true },
  { gv: 'apps/v1', plural: 'replicasets', kind: 'ReplicaSet', singular: 'replicaset', namespaced: true, short: ['rs'], categories: ['all'], hash: 'P1RzHs8/mWQ=', sub: [scale, status('ReplicaSet')], generation: true, fleet: true },
  { gv: 'apps/v1', plural: 'statefulsets', kind: 'StatefulSet', singular: 'statefulset', namespaced: true, short: ['sts'], categories: ['all'], hash: 'H+vl74LkKdo=', sub: [scale, status('StatefulSet')], generation: true, fleet: true },
  // networking.k8s.io/v1
  { gv: 'networking.k8s.io/v1', plural: 'ingressclasses', kind: 'IngressClass', singular: 'ingressclass', namespaced: false, hash: '6upRfBq0FOI=', generation: true, fleet: true },
  { gv: 'networking.k8s.io/v1', plural: 'ingresses', kind: 'Ingress', singular: 'ingress', namespaced: true, short: ['ing'], hash: 'ZOAfGflaKd0=', sub: [status('Ingress')], generation: true, fleet: true },
  { gv: 'networking.k8s.io/v1', plural: 'networkpolicies', kind: 'NetworkPolicy', singular: 'networkpolicy', namespaced: true, short: ['netpol'], hash: 'YpfwF18m1G8=', generation: true, fleet: true },
  // rbac.authorization.k8s.io/v1
  { gv: 'rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', kind: 'ClusterRoleBinding', singular: 'clusterrolebinding', namespaced: false, hash: '48tpQ8gZHFc=', fleet: true },
  { gv: 'rbac.authorization.k8s.io/v1', plural: 'clusterroles', kind: 'ClusterRole', singular: 'clusterrole', namespaced: false, hash: 'bYE5ZWDrJ44=', fleet: true },
  { gv: 'rbac.authorization.k8s.io/v1', plural: 'rolebindings', kind: 'RoleBinding', singular: 'rolebinding', namespaced: true, hash: 'eGsCzGH6b1g=', fleet: true },
  { gv: 'rbac.authorization.k8s.io/v1', plural: 'roles', kind: 'Role', singular: 'role', namespaced: true, hash: '7FuwZcIIItM=', fleet: true },
  // apiextensions.k8s.io/v1
  {
    gv: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', singular: 'customresourcedefinition', namespaced: false,
    short: ['crd', 'crds'], hash: 'jfWCUB31mvA=', sub: [status('CustomResourceDefinition')], generation: true, fleet: true,
  },
  // batch/v1
  { gv: 'batch/v1', plural: 'cronjobs', kind: 'CronJob', singular: 'cronjob', namespaced: true, short: ['cj'], categories: ['all'], hash: 'sd5LIXh4Fjs=', sub: [status('CronJob')], generation: true, fleet: true },
  { gv: 'batch/v1', plural: 'jobs', kind: 'Job', singular: 'job', namespaced: true, categories: ['all'], hash: 'mudhfqk/qZY=', sub: [status('Job')], generation: true, fleet: true },
  // autoscaling/v2
  { gv: 'autoscaling/v2', plural: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', singular: 'horizontalpodautoscaler', namespaced: true, short: ['hpa'], categories: ['all'], hash: 'qwQve8ut294=', sub: [status('HorizontalPodAutoscaler')], fleet: true },
  // policy/v1
  { gv: 'policy/v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', singular: 'poddisruptionbudget', namespaced: true, short: ['pdb'], hash: 'EVWiDmWqyJw=', sub: [status('PodDisruptionBudget')], generation: true, fleet: true },
  // storage.k8s.io/v1
  { gv: 'storage.k8s.io/v1', plural: 'storageclasses', kind: 'StorageClass', singular: 'storageclass', namespaced: false, short: ['sc'], hash: 'K+m6uJwbjGY=', fleet: true },
  // scheduling.k8s.io/v1
  { gv: 'scheduling.k8s.io/v1', plural: 'priorityclasses', kind: 'PriorityClass', singular: 'priorityclass', namespaced: false, short: ['pc'], hash: '1QwjyaZjj3Y=', fleet: true },
  // coordination.k8s.io/v1
  { gv: 'coordination.k8s.io/v1', plural: 'leases', kind: 'Lease', singular: 'lease', namespaced: true, hash: 'gqkMMb/YqFM=', fleet: true },
];

/**
 * builtinGroupOrder is the order /apis lists the built-in groups in (the 1.19 server's order,
 * restricted to the groups the sandbox serves).
 */
export const builtinGroupOrder = ['apps', 'autoscaling', 'batch', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io'];

/** builtinTypes is the table of built-in resource types, frozen and shared by every cluster. */
export const builtinTypes: readonly ResourceType[] = Object.freeze(
  rows.map((row): ResourceType => {
    const [group, version] = row.gv.includes('/') ? (row.gv.split('/') as [string, string]) : ['', row.gv];
    const sub = row.sub ?? [];
    return Object.freeze({
      group,
      version,
      kind: row.kind,
      listKind: `${row.kind}List`,
      plural: row.plural,
      singular: row.singular,
      discoverySingular: '',
      namespaced: row.namespaced,
      verbs: row.verbs ?? all,
      shortNames: row.short ?? [],
      categories: row.categories ?? [],
      ...(row.hash ? { storageVersionHash: row.hash } : {}),
      subresources: sub,
      generation: row.generation ?? false,
      hasStatus: sub.some((s) => s.name === 'status'),
      genericOnly: !row.fleet,
    });
  }),
);

// The JSON types of the built-in kinds' commonly written fields. The real server decodes a body
// into Go structs and answers 400 when a value has the wrong JSON type; this table gives the
// sandbox the same answer for the fields fleets write. Fields it does not declare are accepted as
// they come (the sandbox is a test double, not a schema authority).

/** TypeSpec is a JSON type: a scalar name, a struct (`{ fields }`), a map (`{ values }`) or a list (`[elem]`). */
export type TypeSpec =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'int-or-string'
  | 'any'
  | { fields: Record<string, TypeSpec>; goName: string }
  | { values: TypeSpec }
  | TypeSpec[];

const str: TypeSpec = 'string';
const int: TypeSpec = 'integer';
const bool: TypeSpec = 'boolean';
const strMap: TypeSpec = { values: 'string' };
const strList: TypeSpec = ['string'];
const quantityMap: TypeSpec = { values: 'int-or-string' };

function struct(goName: string, fields: Record<string, TypeSpec>): TypeSpec {
  return { fields, goName };
}

const objectMeta = struct('ObjectMeta', {
  name: str,
  generateName: str,
  namespace: str,
  uid: str,
  resourceVersion: str,
  labels: strMap,
  annotations: strMap,
  finalizers: strList,
  ownerReferences: [struct('OwnerReference', { apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool })],
  managedFields: ['any'],
});

const labelSelector = struct('LabelSelector', {
  matchLabels: strMap,
  matchExpressions: [struct('LabelSelectorRequirement', { key: str, operator: str, values: strList })],
});

const container = struct('Container', {
  name: str,
  image: str,
  imagePullPolicy: str,
  command: strList,
  args: strList,
  workingDir: str,
  ports: [struct('ContainerPort', { name: str, containerPort: int, hostPort: int, protocol: str, hostIP: str })],
  env: [struct('EnvVar', { name: str, value: str, valueFrom: 'any' })],
  resources: struct('ResourceRequirements', { limits: quantityMap, requests: quantityMap }),
  volumeMounts: [struct('VolumeMount', { name: str, mountPath: str, readOnly: bool, subPath: str })],
  terminationMessagePath: str,
  stdin: bool,
  tty: bool,
});

const podSpec = struct('PodSpec', {
  containers: [container],
  initContainers: [container],
  restartPolicy: str,
  serviceAccountName: str,
  terminationGracePeriodSeconds: int,
  nodeSelector: strMap,
  hostNetwork: bool,
  volumes: [struct('Volume', { name: str })],
  imagePullSecrets: [struct('LocalObjectReference', { name: str })],
  priorityClassName: str,
});

const podTemplate = struct('PodTemplateSpec', { metadata: objectMeta, spec: podSpec });

const workloadSpec = (goName: string, extra: Record<string, TypeSpec>) =>
  struct(goName, { replicas: int, selector: labelSelector, template: podTemplate, minReadySeconds: int, revisionHistoryLimit: int, ...extra });

const jobSpec = struct('JobSpec', { parallelism: int, completions: int, backoffLimit: int, activeDeadlineSeconds: int, ttlSecondsAfterFinished: int, suspend: bool, selector: labelSelector, template: podTemplate });

const policyRule = struct('PolicyRule', { apiGroups: strList, resources: strList, verbs: strList, resourceNames: strList, nonResourceURLs: strList });
const subject = struct('Subject', { kind: str, apiGroup: str, name: str, namespace: str });
const roleRef = struct('RoleRef', { apiGroup: str, kind: str, name: str });

/** builtinTypeSpecs maps `group/Kind` to the type of the kind's top-level fields. */
export const builtinTypeSpecs: Record<string, Record<string, TypeSpec>> = {
  '/ConfigMap': { data: strMap, binaryData: strMap, immutable: bool },
  '/Secret': { data: strMap, stringData: strMap, type: str, immutable: bool },
  '/Namespace': { spec: struct('NamespaceSpec', { finalizers: strList }) },
  '/ServiceAccount': { secrets: ['any'], imagePullSecrets: ['any'], automountServiceAccountToken: bool },
  '/Service': {
    spec: struct('ServiceSpec', {
      type: str,
      selector: strMap,
      clusterIP: str,
      ports: [struct('ServicePort', { name: str, protocol: str, port: int, targetPort: 'int-or-string', nodePort: int, appProtocol: str })],
      sessionAffinity: str,
      externalName: str,
    }),
  },
  'apps/Deployment': { spec: workloadSpec('DeploymentSpec', { paused: bool, progressDeadlineSeconds: int, strategy: struct('DeploymentStrategy', { type: str, rollingUpdate: struct('RollingUpdateDeployment', { maxUnavailable: 'int-or-string', maxSurge: 'int-or-string' }) }) }) },
  'apps/ReplicaSet': { spec: workloadSpec('ReplicaSetSpec', {}) },
  'apps/StatefulSet': { spec: workloadSpec('StatefulSetSpec', { serviceName: str, podManagementPolicy: str, volumeClaimTemplates: ['any'] }) },
  'apps/DaemonSet': { spec: workloadSpec('DaemonSetSpec', {}) },
  'batch/Job': { spec: jobSpec },
  'batch/CronJob': { spec: struct('CronJobSpec', { schedule: str, timeZone: str, suspend: bool, concurrencyPolicy: str, successfulJobsHistoryLimit: int, failedJobsHistoryLimit: int, jobTemplate: struct('JobTemplateSpec', { metadata: objectMeta, spec: jobSpec }) }) },
  'rbac.authorization.k8s.io/Role': { rules: [policyRule] },
  'rbac.authorization.k8s.io/ClusterRole': { rules: [policyRule], aggregationRule: 'any' },
  'rbac.authorization.k8s.io/RoleBinding': { subjects: [subject], roleRef },
  'rbac.authorization.k8s.io/ClusterRoleBinding': { subjects: [subject], roleRef },
  'autoscaling/HorizontalPodAutoscaler': { spec: struct('HorizontalPodAutoscalerSpec', { minReplicas: int, maxReplicas: int, scaleTargetRef: struct('CrossVersionObjectReference', { apiVersion: str, kind: str, name: str }), metrics: ['any'] }) },
  'policy/PodDisruptionBudget': { spec: struct('PodDisruptionBudgetSpec', { minAvailable: 'int-or-string', maxUnavailable: 'int-or-string', selector: labelSelector }) },
  'scheduling.k8s.io/PriorityClass': { value: int, globalDefault: bool, description: str, preemptionPolicy: str },
  'storage.k8s.io/StorageClass': { provisioner: str, parameters: strMap, reclaimPolicy: str, allowVolumeExpansion: bool, volumeBindingMode: str },
  'coordination.k8s.io/Lease': { spec: struct('LeaseSpec', { holderIdentity: str, leaseDurationSeconds: int, leaseTransitions: int }) },
};

/** TypeProblem is a value of the wrong JSON type: where, what it is, what was expected (Go's names). */
export interface TypeProblem {
  /** The field path as the server prints it (`spec.replicas`). */
  path: string;
  /** The JSON type found (`string`, `number`, `object`, `array`, `bool`). */
  found: string;
  /** The Go type expected (`int32`, `string`, `map[string]string`, `[]v1.Container`). */
  expected: string;
  /** The Go struct the field belongs to, for the decoder's message. */
  struct: string;
  value: unknown;
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

function goType(spec: TypeSpec): string {
  if (Array.isArray(spec)) return `[]${goType(spec[0]!)}`;
  if (typeof spec === 'string') return { string: 'string', integer: 'int32', number: 'float64', boolean: 'bool', 'int-or-string': 'intstr.IntOrString', any: 'interface {}' }[spec];
  if ('values' in spec) return `map[string]${goType(spec.values)}`;
  return `v1.${spec.goName}`;
}

/** findTypeProblem returns the first value of the wrong JSON type under a spec, or undefined. Null is accepted everywhere (it means unset). */
export function findTypeProblem(value: unknown, spec: TypeSpec, path: string, structName: string): TypeProblem | undefined {
  if (value === null || value === undefined || spec === 'any') return undefined;
  const problem = (): TypeProblem => ({ path, found: jsonKind(value), expected: goType(spec), struct: structName, value });
  if (Array.isArray(spec)) {
    if (!Array.isArray(value)) return problem();
    for (let i = 0; i < value.length; i++) {
      const inner = findTypeProblem(value[i], spec[0]!, `${path}[${i}]`, structName);
      if (inner) return inner;
    }
    return undefined;
  }
  switch (spec) {
    case 'string':
      return typeof value === 'string' ? undefined : problem();
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : problem();
    case 'number':
      return typeof value === 'number' ? undefined : problem();
    case 'boolean':
      return typeof value === 'boolean' ? undefined : problem();
    case 'int-or-string':
      return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)) ? undefined : problem();
  }
  if (typeof value !== 'object' || Array.isArray(value)) return problem();
  const entries = Object.entries(value as Record<string, unknown>);
  if ('values' in spec) {
    for (const [k, v] of entries) {
      const inner = findTypeProblem(v, spec.values, `${path}.${k}`, structName);
      if (inner) return inner;
    }
    return undefined;
  }
  for (const [k, v] of entries) {
    const field = spec.fields[k];
    if (!field) continue;
    const inner = findTypeProblem(v, field, path ? `${path}.${k}` : k, spec.goName);
    if (inner) return inner;
  }
  return undefined;
}

/** typeProblemOf checks a built-in object's metadata and declared fields. */
export function typeProblemOf(group: string, kind: string, object: Record<string, unknown>): TypeProblem | undefined {
  const meta = findTypeProblem(object.metadata, objectMeta, 'metadata', kind);
  if (meta) return meta;
  const fields = builtinTypeSpecs[`${group}/${kind}`];
  if (!fields) return undefined;
  return findTypeProblem(object, { fields, goName: kind }, '', kind);
}

// The defaults the apiserver fills in when it decodes a built-in object (SetDefaults_* in
// pkg/apis/*/v1/defaults.go). They run before field management, so a manager that creates or
// updates an object owns them, and they show in every answer, e.g. a Deployment's strategy and
// its containers' terminationMessagePath.

type Json = Record<string, unknown>;

function obj(parent: Json, key: string): Json | undefined {
  const v = parent[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function ensureObj(parent: Json, key: string): Json {
  const existing = obj(parent, key);
  if (existing) return existing;
  const created: Json = {};
  // A value of the wrong type is left for validation to report; defaults go to a detached object.
  if (parent[key] === undefined || parent[key] === null) parent[key] = created;
  return created;
}

function objects(parent: Json | undefined, key: string): Json[] {
  const v = parent?.[key];
  return Array.isArray(v) ? v.filter((x): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x)) : [];
}

function setDefault(target: Json, key: string, value: unknown): void {
  if (target[key] === undefined || target[key] === null) target[key] = value;
}

function imageTag(image: string): string | undefined {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(colon + 1) : undefined;
}

function defaultProbe(probe: Json | undefined): void {
  if (!probe) return;
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  const http = obj(probe, 'httpGet');
  if (http) setDefault(http, 'scheme', 'HTTP');
}

function defaultContainer(c: Json): void {
  setDefault(c, 'resources', {});
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  if (typeof c.image === 'string') {
    const tag = imageTag(c.image);
    setDefault(c, 'imagePullPolicy', tag === undefined || tag === 'latest' ? (c.image.includes('@') ? 'IfNotPresent' : 'Always') : 'IfNotPresent');
  }
  for (const port of objects(c, 'ports')) setDefault(port, 'protocol', 'TCP');
  for (const env of objects(c, 'env')) {
    const fieldRef = obj(obj(env, 'valueFrom') ?? {}, 'fieldRef');
    if (fieldRef) setDefault(fieldRef, 'apiVersion', 'v1');
  }
  defaultProbe(obj(c, 'livenessProbe'));
  defaultProbe(obj(c, 'readinessProbe'));
  defaultProbe(obj(c, 'startupProbe'));
}

/** defaultPodSpec fills a PodSpec's defaults (SetDefaults_PodSpec and its containers and volumes). */
export function defaultPodSpec(spec: Json): void {
  for (const c of [...objects(spec, 'initContainers'), ...objects(spec, 'containers')]) defaultContainer(c);
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const v of objects(spec, 'volumes')) {
    for (const source of ['configMap', 'secret']) {
      const s = obj(v, source);
      if (s) setDefault(s, 'defaultMode', 420);
    }
    const projected = obj(v, 'projected');
    if (projected) setDefault(projected, 'defaultMode', 420);
  }
  const hasSource = (v: Json) => Object.keys(v).some((k) => k !== 'name');
  for (const v of objects(spec, 'volumes')) if (!hasSource(v)) v.emptyDir = {};
}

/** defaultPodTemplate fills a pod template: its metadata prints creationTimestamp null, as Go's ObjectMeta does. */
export function defaultPodTemplate(template: Json | undefined): void {
  if (!template) return;
  const metadata = ensureObj(template, 'metadata');
  if (!('creationTimestamp' in metadata)) metadata.creationTimestamp = null;
  defaultPodSpec(ensureObj(template, 'spec'));
}

function workload(spec: Json): void {
  defaultPodTemplate(obj(spec, 'template'));
}

const defaulters: Record<string, (o: Json) => void> = {
  'apps/Deployment': (o) => {
    const spec = ensureObj(o, 'spec');
    setDefault(spec, 'replicas', 1);
    const strategy = ensureObj(spec, 'strategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = ensureObj(strategy, 'rollingUpdate');
      setDefault(ru, 'maxUnavailable', '25%');
      setDefault(ru, 'maxSurge', '25%');
    }
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'progressDeadlineSeconds', 600);
    workload(spec);
  },
  'apps/ReplicaSet': (o) => {
    const spec = ensureObj(o, 'spec');
    setDefault(spec, 'replicas', 1);
    workload(spec);
  },
  'apps/StatefulSet': (o) => {
    const spec = ensureObj(o, 'spec');
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'podManagementPolicy', 'OrderedReady');
    const strategy = ensureObj(spec, 'updateStrategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') setDefault(ensureObj(strategy, 'rollingUpdate'), 'partition', 0);
    setDefault(spec, 'revisionHistoryLimit', 10);
    const retention = ensureObj(spec, 'persistentVolumeClaimRetentionPolicy');
    setDefault(retention, 'whenDeleted', 'Retain');
    setDefault(retention, 'whenScaled', 'Retain');
    for (const claim of objects(spec, 'volumeClaimTemplates')) {
      const claimSpec = ensureObj(claim, 'spec');
      setDefault(claimSpec, 'volumeMode', 'Filesystem');
      setDefault(claim, 'status', { phase: 'Pending' });
    }
    workload(spec);
  },
  'apps/DaemonSet': (o) => {
    const spec = ensureObj(o, 'spec');
    const strategy = ensureObj(spec, 'updateStrategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = ensureObj(strategy, 'rollingUpdate');
      setDefault(ru, 'maxUnavailable', 1);
      setDefault(ru, 'maxSurge', 0);
    }
    setDefault(spec, 'revisionHistoryLimit', 10);
    workload(spec);
  },
  'batch/Job': (o) => {
    const spec = ensureObj(o, 'spec');
    setDefault(spec, 'completions', 1);
    setDefault(spec, 'parallelism', 1);
    setDefault(spec, 'backoffLimit', 6);
    setDefault(spec, 'completionMode', 'NonIndexed');
    setDefault(spec, 'suspend', false);
    workload(spec);
  },
  'batch/CronJob': (o) => {
    const spec = ensureObj(o, 'spec');
    setDefault(spec, 'concurrencyPolicy', 'Allow');
    setDefault(spec, 'suspend', false);
    setDefault(spec, 'successfulJobsHistoryLimit', 3);
    setDefault(spec, 'failedJobsHistoryLimit', 1);
    const jobTemplate = ensureObj(spec, 'jobTemplate');
    const metadata = ensureObj(jobTemplate, 'metadata');
    if (!('creationTimestamp' in metadata)) metadata.creationTimestamp = null;
    workload(ensureObj(jobTemplate, 'spec'));
  },
  '/Service': (o) => {
    const spec = ensureObj(o, 'spec');
    setDefault(spec, 'type', 'ClusterIP');
    setDefault(spec, 'sessionAffinity', 'None');
    for (const port of objects(spec, 'ports')) {
      setDefault(port, 'protocol', 'TCP');
      if (port.targetPort === undefined && port.port !== undefined) port.targetPort = port.port;
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') setDefault(spec, 'externalTrafficPolicy', 'Cluster');
    if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
    if (spec.type !== 'ExternalName') setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  },
  '/Secret': (o) => {
    setDefault(o, 'type', 'Opaque');
    // v1 → internal conversion: stringData is write-only, its values overwrite data's (base64).
    const stringData = obj(o, 'stringData');
    if (stringData) {
      const data = ensureObj(o, 'data');
      for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      delete o.stringData;
    }
  },
  '/Namespace': (o) => {
    setDefault(ensureObj(o, 'status'), 'phase', 'Active');
  },
  '/PersistentVolumeClaim': (o) => {
    setDefault(ensureObj(o, 'spec'), 'volumeMode', 'Filesystem');
    setDefault(ensureObj(o, 'status'), 'phase', 'Pending');
  },
  'networking.k8s.io/NetworkPolicy': (o) => {
    const spec = ensureObj(o, 'spec');
    if (spec.policyTypes === undefined) spec.policyTypes = spec.egress !== undefined ? ['Ingress', 'Egress'] : ['Ingress'];
    for (const rule of [...objects(spec, 'ingress'), ...objects(spec, 'egress')]) for (const port of objects(rule, 'ports')) setDefault(port, 'protocol', 'TCP');
  },
  'autoscaling/HorizontalPodAutoscaler': (o) => {
    const spec = ensureObj(o, 'spec');
    setDefault(spec, 'minReplicas', 1);
    if (spec.metrics === undefined) spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  },
  'rbac.authorization.k8s.io/RoleBinding': (o) => defaultSubjects(o),
  'rbac.authorization.k8s.io/ClusterRoleBinding': (o) => defaultSubjects(o),
  'scheduling.k8s.io/PriorityClass': (o) => setDefault(o, 'preemptionPolicy', 'PreemptLowerPriority'),
  'storage.k8s.io/StorageClass': (o) => {
    setDefault(o, 'reclaimPolicy', 'Delete');
    setDefault(o, 'volumeBindingMode', 'Immediate');
  },
  'apiextensions.k8s.io/CustomResourceDefinition': (o) => {
    const spec = ensureObj(o, 'spec');
    const names = ensureObj(spec, 'names');
    if (typeof names.kind === 'string') setDefault(names, 'listKind', `${names.kind}List`);
    setDefault(spec, 'conversion', { strategy: 'None' });
    // apiextensions/v1 defaulting records the storage version as stored.
    const status = ensureObj(o, 'status');
    if (!Array.isArray(status.storedVersions) || status.storedVersions.length === 0) {
      const versions = Array.isArray(spec.versions) ? spec.versions.filter((v): v is Json => v !== null && typeof v === 'object') : [];
      status.storedVersions = versions.filter((v) => v.storage === true).map((v) => v.name);
    }
  },
};

function defaultSubjects(o: Json): void {
  for (const s of objects(o, 'subjects')) {
    if (s.apiGroup === undefined) s.apiGroup = s.kind === 'ServiceAccount' ? '' : 'rbac.authorization.k8s.io';
    if (s.apiGroup === '') delete s.apiGroup;
  }
}

/** applyDefaults fills the decode-time defaults of a built-in kind in place (group/Kind keyed). */
export function applyDefaults(group: string, kind: string, object: Json): void {
  defaulters[`${group}/${kind}`]?.(object);
}

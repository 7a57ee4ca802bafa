// Validation of built-in objects: metadata for every kind, and the rules of the kinds fleets
// carry that a user is most likely to break (selectors, containers, ports, role references,
// CRD names and schemas). Messages follow apimachinery's field errors.
import type { FieldError } from '../api/status.js';
import type { ResourceType } from '../registry/resource-type.js';
import { isConfigMapKey, isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue, nameProblems, type NameRule } from './names.js';

type Json = Record<string, unknown>;

const nameRules: Record<string, NameRule> = {
  '/Namespace': 'label',
  '/Service': 'dns1035',
  'rbac.authorization.k8s.io/Role': 'path-segment',
  'rbac.authorization.k8s.io/ClusterRole': 'path-segment',
  'rbac.authorization.k8s.io/RoleBinding': 'path-segment',
  'rbac.authorization.k8s.io/ClusterRoleBinding': 'path-segment',
};

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function list(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

/** validateMetadata checks name, generateName, labels and annotations of any object. */
export function validateMetadata(type: ResourceType, object: Json): FieldError[] {
  const errors: FieldError[] = [];
  const meta = object.metadata as Json;
  const name = meta.name;
  const rule = type.custom ? 'subdomain' : nameRules[`${type.group}/${type.kind}`] ?? 'subdomain';
  if (typeof name !== 'string' || name === '') {
    errors.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' });
  } else {
    for (const detail of nameProblems(name, rule)) errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail });
  }
  if (type.namespaced && typeof meta.namespace === 'string' && meta.namespace !== '') {
    for (const detail of isDns1123Label(meta.namespace)) errors.push({ type: 'FieldValueInvalid', field: 'metadata.namespace', value: meta.namespace, detail });
  }
  if (isObj(meta.labels)) {
    for (const [k, v] of Object.entries(meta.labels)) {
      for (const detail of isQualifiedName(k)) errors.push({ type: 'FieldValueInvalid', field: 'metadata.labels', value: k, detail });
      if (typeof v === 'string') for (const detail of isValidLabelValue(v)) errors.push({ type: 'FieldValueInvalid', field: 'metadata.labels', value: v, detail });
    }
  }
  if (isObj(meta.annotations)) {
    let size = 0;
    for (const [k, v] of Object.entries(meta.annotations)) {
      for (const detail of isQualifiedName(k.toLowerCase())) errors.push({ type: 'FieldValueInvalid', field: 'metadata.annotations', value: k, detail });
      size += k.length + (typeof v === 'string' ? v.length : 0);
    }
    if (size > 256 * 1024) errors.push({ type: 'FieldValueTooLong', field: 'metadata.annotations', detail: 'must have at most 262144 bytes' });
  }
  for (const [i, ref] of list(meta.ownerReferences).entries()) {
    for (const f of ['apiVersion', 'kind', 'name', 'uid']) {
      if (typeof ref[f] !== 'string' || ref[f] === '') errors.push({ type: f === 'uid' ? 'FieldValueInvalid' : 'FieldValueInvalid', field: `metadata.ownerReferences[${i}].${f}`, value: ref[f] ?? '', detail: f === 'uid' ? 'uid must not be empty' : `${f} must not be empty` });
    }
  }
  return errors;
}

function selectorMatches(selector: Json | undefined, labels: Json | undefined): boolean {
  if (!selector) return false;
  const matchLabels = isObj(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(matchLabels)) if (!labels || labels[k] !== v) return false;
  for (const req of list(selector.matchExpressions)) {
    const value = labels?.[String(req.key)];
    const values = Array.isArray(req.values) ? req.values : [];
    switch (req.operator) {
      case 'In':
        if (typeof value !== 'string' || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (typeof value === 'string' && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
    }
  }
  return true;
}

function validateContainers(spec: Json, path: string, errors: FieldError[]): void {
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    errors.push({ type: 'FieldValueRequired', field: `${path}.containers` });
    return;
  }
  const seen = new Set<string>();
  for (const [key, items] of [['containers', containers], ['initContainers', Array.isArray(spec.initContainers) ? spec.initContainers : []]] as const) {
    items.forEach((c: unknown, i: number) => {
      if (!isObj(c)) return;
      const at = `${path}.${key}[${i}]`;
      if (typeof c.name !== 'string' || c.name === '') errors.push({ type: 'FieldValueRequired', field: `${at}.name` });
      else {
        for (const detail of isDns1123Label(c.name)) errors.push({ type: 'FieldValueInvalid', field: `${at}.name`, value: c.name, detail });
        if (seen.has(c.name)) errors.push({ type: 'FieldValueDuplicate', field: `${at}.name`, value: c.name });
        seen.add(c.name);
      }
      if (typeof c.image !== 'string' || c.image.trim() === '') errors.push({ type: 'FieldValueRequired', field: `${at}.image` });
      list(c.ports).forEach((p, j) => {
        if (typeof p.containerPort === 'number' && (p.containerPort < 1 || p.containerPort > 65535)) {
          errors.push({ type: 'FieldValueInvalid', field: `${at}.ports[${j}].containerPort`, value: p.containerPort, detail: 'must be between 1 and 65535, inclusive' });
        }
        if (p.containerPort === undefined) errors.push({ type: 'FieldValueRequired', field: `${at}.ports[${j}].containerPort` });
      });
      list(c.env).forEach((e, j) => {
        if (typeof e.name !== 'string' || e.name === '') errors.push({ type: 'FieldValueRequired', field: `${at}.env[${j}].name` });
      });
    });
  }
}

function validatePodTemplate(spec: Json, path: string, errors: FieldError[], restartPolicies?: string[]): void {
  const template = spec.template;
  if (!isObj(template)) {
    errors.push({ type: 'FieldValueRequired', field: `${path}.template` });
    return;
  }
  const podSpec = isObj(template.spec) ? template.spec : {};
  validateContainers(podSpec, `${path}.template.spec`, errors);
  if (restartPolicies && typeof podSpec.restartPolicy === 'string' && !restartPolicies.includes(podSpec.restartPolicy)) {
    errors.push({ type: 'FieldValueNotSupported', field: `${path}.template.spec.restartPolicy`, value: podSpec.restartPolicy, detail: `supported values: ${restartPolicies.map((p) => JSON.stringify(p)).join(', ')}` });
  }
}

function validateWorkload(object: Json, errors: FieldError[], options: { replicas: boolean }): void {
  const spec = isObj(object.spec) ? object.spec : {};
  const selector = isObj(spec.selector) ? spec.selector : undefined;
  if (!selector) errors.push({ type: 'FieldValueRequired', field: 'spec.selector' });
  else if (Object.keys(isObj(selector.matchLabels) ? selector.matchLabels : {}).length === 0 && list(selector.matchExpressions).length === 0) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.selector', value: selector, detail: 'empty selector is invalid for deployment' });
  }
  if (options.replicas && typeof spec.replicas === 'number' && spec.replicas < 0) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.replicas', value: spec.replicas, detail: 'must be greater than or equal to 0' });
  }
  const template = isObj(spec.template) ? spec.template : undefined;
  const labels = template && isObj(template.metadata) && isObj(template.metadata.labels) ? template.metadata.labels : undefined;
  if (selector && template && !selectorMatches(selector, labels)) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', value: labels ?? {}, detail: '`selector` does not match template `labels`' });
  }
  validatePodTemplate(spec, 'spec', errors, ['Always']);
}

function validateData(object: Json, errors: FieldError[]): void {
  let size = 0;
  for (const field of ['data', 'binaryData', 'stringData']) {
    const data = object[field];
    if (!isObj(data)) continue;
    for (const [k, v] of Object.entries(data)) {
      for (const detail of isConfigMapKey(k)) errors.push({ type: 'FieldValueInvalid', field: `${field}[${k}]`, value: k, detail });
      size += typeof v === 'string' ? v.length : 0;
    }
  }
  if (size > 1024 * 1024) errors.push({ type: 'FieldValueTooLong', field: '', detail: 'must have at most 1048576 bytes' });
}

function validateRoleRef(object: Json, errors: FieldError[], namespaced: boolean): void {
  const ref = isObj(object.roleRef) ? object.roleRef : undefined;
  if (!ref) {
    errors.push({ type: 'FieldValueRequired', field: 'roleRef.name' });
    return;
  }
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (ref.apiGroup !== 'rbac.authorization.k8s.io') errors.push({ type: 'FieldValueNotSupported', field: 'roleRef.apiGroup', value: ref.apiGroup ?? '', detail: 'supported values: "rbac.authorization.k8s.io"' });
  if (typeof ref.kind !== 'string' || !kinds.includes(ref.kind)) errors.push({ type: 'FieldValueNotSupported', field: 'roleRef.kind', value: ref.kind ?? '', detail: `supported values: ${kinds.map((k) => JSON.stringify(k)).join(', ')}` });
  if (typeof ref.name !== 'string' || ref.name === '') errors.push({ type: 'FieldValueRequired', field: 'roleRef.name' });
  list(object.subjects).forEach((s, i) => {
    if (!['User', 'Group', 'ServiceAccount'].includes(String(s.kind))) errors.push({ type: 'FieldValueNotSupported', field: `subjects[${i}].kind`, value: s.kind ?? '', detail: 'supported values: "ServiceAccount", "User", "Group"' });
    if (typeof s.name !== 'string' || s.name === '') errors.push({ type: 'FieldValueRequired', field: `subjects[${i}].name` });
  });
}

const validators: Record<string, (object: Json, errors: FieldError[], old?: Json) => void> = {
  'apps/Deployment': (o, e) => validateWorkload(o, e, { replicas: true }),
  'apps/ReplicaSet': (o, e) => validateWorkload(o, e, { replicas: true }),
  'apps/StatefulSet': (o, e) => validateWorkload(o, e, { replicas: true }),
  'apps/DaemonSet': (o, e) => validateWorkload(o, e, { replicas: false }),
  'batch/Job': (o, e) => validatePodTemplate(isObj(o.spec) ? o.spec : {}, 'spec', e, ['OnFailure', 'Never']),
  'batch/CronJob': (o, e) => {
    const spec = isObj(o.spec) ? o.spec : {};
    if (typeof spec.schedule !== 'string' || spec.schedule.trim() === '') e.push({ type: 'FieldValueRequired', field: 'spec.schedule' });
    else if (!/^@(yearly|annually|monthly|weekly|daily|midnight|hourly|every .+)$/.test(spec.schedule) && spec.schedule.trim().split(/\s+/).length !== 5) {
      e.push({ type: 'FieldValueInvalid', field: 'spec.schedule', value: spec.schedule, detail: `expected exactly 5 fields, found ${spec.schedule.trim().split(/\s+/).length}: ${spec.schedule}` });
    }
    const jobTemplate = isObj(spec.jobTemplate) ? spec.jobTemplate : {};
    validatePodTemplate(isObj(jobTemplate.spec) ? jobTemplate.spec : {}, 'spec.jobTemplate.spec', e, ['OnFailure', 'Never']);
  },
  '/ConfigMap': validateData,
  '/Secret': validateData,
  '/Service': (o, e) => {
    const spec = isObj(o.spec) ? o.spec : {};
    const ports = list(spec.ports);
    if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None' && ports.length === 0) e.push({ type: 'FieldValueRequired', field: 'spec.ports' });
    const names = new Set<string>();
    ports.forEach((p, i) => {
      if (ports.length > 1 && (typeof p.name !== 'string' || p.name === '')) e.push({ type: 'FieldValueRequired', field: `spec.ports[${i}].name` });
      if (typeof p.name === 'string' && p.name !== '') {
        if (names.has(p.name)) e.push({ type: 'FieldValueDuplicate', field: `spec.ports[${i}].name`, value: p.name });
        names.add(p.name);
      }
      if (typeof p.port !== 'number') e.push({ type: 'FieldValueRequired', field: `spec.ports[${i}].port` });
      else if (p.port < 1 || p.port > 65535) e.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].port`, value: p.port, detail: 'must be between 1 and 65535, inclusive' });
    });
    if (typeof spec.type === 'string' && !['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(spec.type)) {
      e.push({ type: 'FieldValueNotSupported', field: 'spec.type', value: spec.type, detail: 'supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"' });
    }
  },
  'rbac.authorization.k8s.io/RoleBinding': (o, e) => validateRoleRef(o, e, true),
  'rbac.authorization.k8s.io/ClusterRoleBinding': (o, e) => validateRoleRef(o, e, false),
  'rbac.authorization.k8s.io/Role': (o, e) => validateRules(o, e),
  'rbac.authorization.k8s.io/ClusterRole': (o, e) => validateRules(o, e),
  'networking.k8s.io/Ingress': (o, e) => {
    const spec = isObj(o.spec) ? o.spec : {};
    list(spec.rules).forEach((rule, i) => {
      const http = isObj(rule.http) ? rule.http : undefined;
      list(http?.paths).forEach((p, j) => {
        const at = `spec.rules[${i}].http.paths[${j}]`;
        if (typeof p.pathType !== 'string') e.push({ type: 'FieldValueRequired', field: `${at}.pathType`, detail: 'pathType must be specified' });
        else if (!['Exact', 'Prefix', 'ImplementationSpecific'].includes(p.pathType)) e.push({ type: 'FieldValueNotSupported', field: `${at}.pathType`, value: p.pathType, detail: 'supported values: "Exact", "ImplementationSpecific", "Prefix"' });
        if (!isObj(p.backend)) e.push({ type: 'FieldValueRequired', field: `${at}.backend` });
      });
    });
  },
  'autoscaling/HorizontalPodAutoscaler': (o, e) => {
    const spec = isObj(o.spec) ? o.spec : {};
    if (typeof spec.maxReplicas !== 'number') e.push({ type: 'FieldValueRequired', field: 'spec.maxReplicas' });
    if (!isObj(spec.scaleTargetRef)) e.push({ type: 'FieldValueRequired', field: 'spec.scaleTargetRef' });
  },
  'scheduling.k8s.io/PriorityClass': (o, e) => {
    if (typeof o.value !== 'number') e.push({ type: 'FieldValueRequired', field: 'value' });
  },
  'storage.k8s.io/StorageClass': (o, e) => {
    if (typeof o.provisioner !== 'string' || o.provisioner === '') e.push({ type: 'FieldValueRequired', field: 'provisioner' });
  },
};

function validateRules(object: Json, errors: FieldError[]): void {
  list(object.rules).forEach((r, i) => {
    if (!Array.isArray(r.verbs) || r.verbs.length === 0) errors.push({ type: 'FieldValueRequired', field: `rules[${i}].verbs`, detail: 'verbs must contain at least one value' });
    const hasResources = Array.isArray(r.resources) && r.resources.length > 0;
    const hasUrls = Array.isArray(r.nonResourceURLs) && r.nonResourceURLs.length > 0;
    if (!hasResources && !hasUrls) errors.push({ type: 'FieldValueRequired', field: `rules[${i}].resources`, detail: 'resource rules must supply at least one api group' });
  });
}

/** validateBuiltin returns the validation errors of a built-in object (metadata included). */
export function validateBuiltin(type: ResourceType, object: Json, old?: Json): FieldError[] {
  const errors = validateMetadata(type, object);
  if (type.genericOnly) return errors;
  validators[`${type.group}/${type.kind}`]?.(object, errors, old);
  if (old) validateImmutable(type, object, old, errors);
  return errors;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function validateImmutable(type: ResourceType, object: Json, old: Json, errors: FieldError[]): void {
  const key = `${type.group}/${type.kind}`;
  const spec = isObj(object.spec) ? object.spec : {};
  const oldSpec = isObj(old.spec) ? old.spec : {};
  if (['apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet'].includes(key) && !sameJson(spec.selector, oldSpec.selector)) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.selector', value: spec.selector, detail: 'field is immutable' });
  }
  if ((key === 'rbac.authorization.k8s.io/RoleBinding' || key === 'rbac.authorization.k8s.io/ClusterRoleBinding') && !sameJson(object.roleRef, old.roleRef)) {
    errors.push({ type: 'FieldValueInvalid', field: 'roleRef', value: object.roleRef, detail: 'cannot change roleRef' });
  }
  if ((key === '/ConfigMap' || key === '/Secret') && old.immutable === true) {
    if (!sameJson(object.data, old.data) || !sameJson(object.binaryData, old.binaryData)) errors.push({ type: 'FieldValueForbidden', field: 'data', detail: 'field is immutable when `immutable` is set' });
    if (object.immutable !== true) errors.push({ type: 'FieldValueForbidden', field: 'immutable', detail: 'field is immutable when `immutable` is set' });
  }
  if (key === '/Service' && typeof oldSpec.clusterIP === 'string' && oldSpec.clusterIP !== '' && spec.clusterIP !== undefined && spec.clusterIP !== oldSpec.clusterIP) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', value: spec.clusterIP, detail: 'may not change once set' });
  }
  if (key === 'batch/Job' && !sameJson((oldSpec.template as Json | undefined)?.spec, (spec.template as Json | undefined)?.spec)) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.template', value: spec.template, detail: 'field is immutable' });
  }
}

/** dnsSubdomainProblems is re-exported for CRD validation. */
export const dnsSubdomainProblems = isDns1123Subdomain;

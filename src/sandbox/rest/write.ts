// The write path shared by create, update, patch and apply: decode-time defaults, field
// management, the type's strategy (status kept or reset, generation, namespace finalizers, CRD
// status, allocated Service IPs, Job selectors), validation, optimistic concurrency, no-op
// detection and the store commit.
import { ApiError, alreadyExists, badRequest, conflict, invalid, notFound, staleResourceVersion, type FieldError } from '../api/status.js';
import { acceptedNames, validateCrd } from '../crd/custom-types.js';
import { pruneAndDefault, validateCustom } from '../crd/structural.js';
import { groupVersion, type ResourceType } from '../registry/resource-type.js';
import type { KubeJson } from '../store/object-store.js';
import { formatTime, resourceKey, type RestContext } from './context.js';
import { deepEqual } from './deep-equal.js';
import { applyDefaults } from './defaults.js';
import { managedFieldsAfterUpdate } from './field-manager.js';
import { typeProblemOf, type TypeProblem } from './types-check.js';
import { validateBuiltin, validateMetadata } from './validate.js';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** WriteRequest says who writes what where: the endpoint's type, namespace, name and subresource. */
export interface WriteRequest {
  ctx: RestContext;
  type: ResourceType;
  namespace?: string;
  /** The name in the URL (update, patch, apply). */
  name?: string;
  subresource?: string;
  manager: string;
  dryRun: boolean;
  /** The fieldValidation parameter: Strict refuses fields a custom resource's schema does not declare. @default 'Warn' (pruned) */
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

/** WriteResult is the stored (or, for a dry run, computed) object and the HTTP status to answer with. */
export interface WriteResult {
  status: 200 | 201;
  object: KubeJson;
}

// The status a type's strategy resets on create: what Go's zero status serialises to.
const emptyStatus: Record<string, () => Json> = {
  'apps/Deployment': () => ({}),
  'apps/ReplicaSet': () => ({ replicas: 0 }),
  'apps/StatefulSet': () => ({ replicas: 0, availableReplicas: 0 }),
  'apps/DaemonSet': () => ({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
  'batch/Job': () => ({}),
  'batch/CronJob': () => ({}),
  'autoscaling/HorizontalPodAutoscaler': () => ({ desiredReplicas: 0 }),
  'policy/PodDisruptionBudget': () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
  '/Service': () => ({ loadBalancer: {} }),
  'networking.k8s.io/Ingress': () => ({ loadBalancer: {} }),
  '/ResourceQuota': () => ({}),
  '/PersistentVolumeClaim': () => ({ phase: 'Pending' }),
  '/Namespace': () => ({ phase: 'Active' }),
};

const metadataOrder = ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields'];

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (!isObj(value)) return value;
  const out: Json = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeysDeep(value[key]);
  return out;
}

/**
 * normalize orders an object's keys as the server prints them: built-in kinds in Go struct order
 * (kind, apiVersion, metadata in ObjectMeta order, the rest as written), custom resources sorted,
 * as Go sorts the keys of unstructured maps.
 */
export function normalize(type: ResourceType, object: Json): KubeJson {
  if (type.custom) return sortKeysDeep(object) as KubeJson;
  const meta = object.metadata as Json;
  const orderedMeta: Json = {};
  for (const key of metadataOrder) if (meta[key] !== undefined) orderedMeta[key] = meta[key];
  for (const key of Object.keys(meta)) if (!(key in orderedMeta) && meta[key] !== undefined) orderedMeta[key] = meta[key];
  const out: Json = { kind: object.kind, apiVersion: object.apiVersion, metadata: orderedMeta };
  for (const key of Object.keys(object)) if (!(key in out) && object[key] !== undefined) out[key] = object[key];
  return out as KubeJson;
}

function kindRef(type: ResourceType): { group: string; kind: string } {
  return { group: type.group, kind: type.kind };
}

/** decodeError is the 400 the server's decoder answers for a value of the wrong JSON type. */
function decodeError(type: ResourceType, problem: TypeProblem): ApiError {
  return badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: json: cannot unmarshal ${problem.found} into Go struct field ${problem.struct}.${problem.path} of type ${problem.expected}`);
}

/** typeErrors returns the wrong-type errors of an object as field errors (custom resources: from the schema). */
export function typeErrors(type: ResourceType, object: Json): FieldError[] {
  if (type.custom) return validateCustom(object, type.custom.openAPIV3Schema).filter((e) => e.detail?.includes('in body must be of type'));
  const problem = typeProblemOf(type.group, type.kind, object);
  if (!problem) return [];
  const expected = problem.expected === 'int32' ? 'integer' : problem.expected === 'bool' ? 'boolean' : problem.expected.startsWith('[]') ? 'array' : problem.expected.startsWith('map') || problem.expected.startsWith('v1.') ? 'object' : problem.expected;
  const found = problem.found === 'number' ? (Number.isInteger(problem.value) ? 'integer' : 'number') : problem.found === 'bool' ? 'boolean' : problem.found;
  return [{ type: 'FieldValueInvalid', field: problem.path, value: found, detail: `${problem.path} in body must be of type ${expected}: ${JSON.stringify(found)}` }];
}

/** checkDecodable rejects values of the wrong type as the decoder does: 400 for built-in kinds, 422 for custom resources. */
function checkDecodable(type: ResourceType, object: Json, name: string): void {
  if (type.custom) {
    const errors = typeErrors(type, object);
    if (errors.length) throw invalid(kindRef(type), name, errors);
    return;
  }
  const problem = typeProblemOf(type.group, type.kind, object);
  if (problem) throw decodeError(type, problem);
}

/** namespaceGate answers 404 when an object's namespace does not exist and 403 when it is being deleted. */
export function namespaceGate(ctx: RestContext, type: ResourceType, namespace: string | undefined): void {
  if (!type.namespaced || namespace === undefined) return;
  const ns = ctx.store.get('/namespaces', '', namespace);
  if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
  if (ns.metadata.deletionTimestamp) {
    throw new ApiError(403, 'Forbidden', `${type.group ? `${type.plural}.${type.group}` : type.plural} "${''}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
      ...(type.group ? { group: type.group } : {}),
      kind: type.plural,
      causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
    });
  }
}

const generateNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

function specChanged(a: Json, b: Json): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (key === 'metadata' || key === 'status' || key === 'kind' || key === 'apiVersion') continue;
    if (!deepEqual(a[key], b[key])) return true;
  }
  return false;
}

function allocateClusterIp(ctx: RestContext): string {
  const n = Math.floor(ctx.random() * 65000) + 10;
  return `10.96.${Math.floor(n / 256)}.${n % 256}`;
}

/** prepareForCreate is the strategies' PrepareForCreate: what the server sets on every new object. */
function prepareForCreate(ctx: RestContext, type: ResourceType, object: Json, uid: string, now: string): void {
  const meta = object.metadata as Json;
  meta.uid = uid;
  meta.creationTimestamp = now;
  if (type.generation) meta.generation = 1;
  const key = `${type.group}/${type.kind}`;
  if (type.custom?.statusSubresource) delete object.status;
  const reset = emptyStatus[key];
  if (reset && !type.custom) object.status = key === '/Namespace' || key === '/PersistentVolumeClaim' ? { ...reset(), ...(isObj(object.status) ? pick(object.status, ['phase']) : {}) } : reset();
  if (key === '/Namespace') object.spec = { ...(isObj(object.spec) ? object.spec : {}), finalizers: ['kubernetes'] };
  if (key === '/Service') allocateServiceAddresses(ctx, object, undefined);
  if (key === 'batch/Job') labelJob(object, uid);
  if (key === 'apiextensions.k8s.io/CustomResourceDefinition') {
    const status = isObj(object.status) ? object.status : {};
    object.status = { conditions: null, acceptedNames: { plural: '', kind: '' }, storedVersions: status.storedVersions ?? [] };
  }
}

function pick(o: Json, keys: string[]): Json {
  const out: Json = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function allocateServiceAddresses(ctx: RestContext, object: Json, old: Json | undefined): void {
  const spec = isObj(object.spec) ? object.spec : undefined;
  if (!spec || spec.type === 'ExternalName') return;
  const oldSpec = old && isObj(old.spec) ? old.spec : undefined;
  if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = oldSpec?.clusterIP ?? allocateClusterIp(ctx);
  if (spec.clusterIPs === undefined) spec.clusterIPs = oldSpec?.clusterIPs ?? [spec.clusterIP];
  if (spec.ipFamilies === undefined) spec.ipFamilies = oldSpec?.ipFamilies ?? ['IPv4'];
  if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = oldSpec?.ipFamilyPolicy ?? 'SingleStack';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    const oldPorts = Array.isArray(oldSpec?.ports) ? (oldSpec.ports as Json[]) : [];
    for (const port of Array.isArray(spec.ports) ? (spec.ports as Json[]) : []) {
      if (!isObj(port) || port.nodePort !== undefined) continue;
      const previous = oldPorts.find((p) => isObj(p) && p.port === port.port && p.protocol === port.protocol);
      port.nodePort = previous?.nodePort ?? 30000 + Math.floor(ctx.random() * 2768);
    }
  }
}

function labelJob(object: Json, uid: string): void {
  const spec = isObj(object.spec) ? object.spec : undefined;
  const name = String((object.metadata as Json).name);
  if (!spec || spec.manualSelector === true) return;
  const template = isObj(spec.template) ? spec.template : undefined;
  if (!template) return;
  const tmeta = isObj(template.metadata) ? template.metadata : (template.metadata = {});
  tmeta.labels = { ...(isObj(tmeta.labels) ? tmeta.labels : {}), 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
  if (spec.selector === undefined) spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
}

/** validateObject runs the type's validation and answers 422 with every problem found. */
function validateObject(type: ResourceType, object: Json, old: Json | undefined): void {
  let errors: FieldError[];
  if (type.custom) errors = [...validateMetadata(type, object), ...validateCustom(object, type.custom.openAPIV3Schema)];
  else {
    errors = validateBuiltin(type, object, old);
    if (type.kind === 'CustomResourceDefinition' && type.group === 'apiextensions.k8s.io') errors.push(...validateCrd(object));
  }
  if (errors.length) throw invalid(kindRef(type), String((object.metadata as Json).name ?? ''), errors);
}

/** strictCheck refuses the fields pruning removed when the request asked for strict field validation. */
function strictCheck(req: WriteRequest, pruned: string[]): void {
  if (req.fieldValidation === 'Strict' && pruned.length > 0) {
    throw badRequest(`strict decoding error: ${pruned.map((p) => `unknown field "${p}"`).join(', ')}`);
  }
}

/** stripSystemMetadata removes what a client may not set on create. */
function stripSystemMetadata(meta: Json): void {
  for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink', 'managedFields']) delete meta[key];
}

/** CreateOptions steer createObject: whether field management already ran (server-side apply does it). */
export interface CreateOptions {
  /** managedFields computed by server-side apply; undefined to track the create as an Update. */
  managedFields?: unknown[];
}

/** createObject stores a new object (POST, or a server-side apply of a missing object). */
export function createObject(req: WriteRequest, input: Json, options: CreateOptions = {}): WriteResult {
  const { ctx, type } = req;
  const object = structuredClone(input);
  const meta = object.metadata as Json;
  if (req.namespace !== undefined && type.namespaced) {
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== req.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = req.namespace;
  } else if (!type.namespaced) delete meta.namespace;
  if ((meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string' && meta.generateName !== '') {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += generateNameAlphabet[Math.floor(ctx.random() * generateNameAlphabet.length)];
    meta.name = `${meta.generateName}${suffix}`;
  }
  const managedFromApply = options.managedFields;
  stripSystemMetadata(meta);
  checkDecodable(type, object, String(meta.name ?? ''));
  if (type.custom) strictCheck(req, pruneAndDefault(object, type.custom.openAPIV3Schema));
  else applyDefaults(type.group, type.kind, object);
  const now = formatTime(ctx.clock.now());
  if (managedFromApply) meta.managedFields = managedFromApply;
  else meta.managedFields = managedFieldsAfterUpdate(type, undefined, object, req.manager, now, ctx.listKeyDefaults);
  if (Array.isArray(meta.managedFields) && meta.managedFields.length === 0) delete meta.managedFields;
  prepareForCreate(ctx, type, object, ctx.newUid(), now);
  validateObject(type, object, undefined);
  const name = String(meta.name);
  namespaceGate(ctx, type, req.namespace);
  if (ctx.store.get(resourceKey(type), type.namespaced ? String(meta.namespace) : '', name)) throw alreadyExists({ group: type.group, resource: type.plural }, name);
  const normalized = normalize(type, object);
  if (req.dryRun) return { status: 201, object: normalized };
  const stored = ctx.store.put(resourceKey(type), normalized);
  afterWrite(ctx, type, stored);
  return { status: 201, object: stored };
}

/** UpdateOptions steer updateObject. */
export interface UpdateOptions {
  /** managedFields computed by server-side apply; undefined to track the write as an Update. */
  managedFields?: unknown[];
}

/**
 * updateObject replaces a stored object with a candidate (PUT, a patch result, or a server-side
 * apply result), keeping what the endpoint may not change and bumping generation on spec changes.
 */
export function updateObject(req: WriteRequest, old: KubeJson, input: Json, options: UpdateOptions = {}): WriteResult {
  const { ctx, type } = req;
  let object = structuredClone(input);
  const meta = (object.metadata = isObj(object.metadata) ? object.metadata : {}) as Json;
  const oldMeta = old.metadata as Json;
  const name = String(oldMeta.name);
  const gr = { group: type.group, resource: type.plural };
  if (meta.name !== undefined && meta.name !== name) throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
  if (type.namespaced && meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== oldMeta.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== '' && meta.resourceVersion !== oldMeta.resourceVersion) throw conflict(gr, name, staleResourceVersion);
  if (meta.uid !== undefined && meta.uid !== '' && meta.uid !== oldMeta.uid) {
    throw conflict(gr, name, `Precondition failed: UID in precondition: ${String(meta.uid)}, UID in object meta: ${String(oldMeta.uid)}`);
  }
  checkDecodable(type, object, name);
  if (type.custom) strictCheck(req, pruneAndDefault(object, type.custom.openAPIV3Schema));
  else applyDefaults(type.group, type.kind, object);

  // What the endpoint may change: the status subresource only status; the main resource all but status.
  if (req.subresource === 'status') {
    object = { ...structuredClone(old), status: object.status };
    if (object.status === undefined) delete object.status;
  } else if (type.hasStatus) {
    if (old.status === undefined) delete object.status;
    else object.status = structuredClone(old.status);
  }
  const newMeta = object.metadata as Json;
  for (const key of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'name', 'namespace']) {
    if (oldMeta[key] === undefined) delete newMeta[key];
    else newMeta[key] = oldMeta[key];
  }
  delete newMeta.selfLink;
  newMeta.resourceVersion = oldMeta.resourceVersion;
  if (type.kind === 'Namespace' && !type.group && req.subresource !== 'finalize') {
    object.spec = { ...(isObj(object.spec) ? object.spec : {}), finalizers: (old.spec as Json | undefined)?.finalizers };
  }
  if (type.kind === 'Service' && !type.group) allocateServiceAddresses(ctx, object, old);
  if (type.kind === 'CustomResourceDefinition' && req.subresource !== 'status') object.status = structuredClone(old.status);

  const now = formatTime(ctx.clock.now());
  if (options.managedFields) newMeta.managedFields = options.managedFields;
  else {
    const clientSet = Array.isArray(meta.managedFields) && meta.managedFields.length > 0 && !deepEqual(meta.managedFields, oldMeta.managedFields);
    if (clientSet) newMeta.managedFields = meta.managedFields;
    else {
      const before = structuredClone(old) as Json;
      const after = structuredClone(object);
      (after.metadata as Json).managedFields = oldMeta.managedFields;
      newMeta.managedFields = managedFieldsAfterUpdate(type, before, after, req.manager, now, ctx.listKeyDefaults);
    }
  }
  if (Array.isArray(newMeta.managedFields) && newMeta.managedFields.length === 0) delete newMeta.managedFields;
  if (type.generation && specChanged(object, old)) newMeta.generation = Number(oldMeta.generation ?? 0) + 1;
  if (type.generation && newMeta.generation === undefined) newMeta.generation = 1;
  if (oldMeta.deletionTimestamp && Array.isArray(newMeta.finalizers)) {
    const added = newMeta.finalizers.filter((f) => !(Array.isArray(oldMeta.finalizers) && oldMeta.finalizers.includes(f)));
    if (added.length) throw invalid(kindRef(type), name, [{ type: 'FieldValueForbidden', field: 'metadata.finalizers', value: added, detail: 'no new finalizers can be added if the object is being deleted' }]);
  }
  validateObject(type, object, old);
  const normalized = normalize(type, object);
  if (deepEqual(normalized, old)) return { status: 200, object: old };
  if (req.dryRun) return { status: 200, object: normalized };
  const finalizers = normalized.metadata.finalizers;
  const namespaceDone = type.kind === 'Namespace' && !type.group && !(Array.isArray((normalized.spec as Json | undefined)?.finalizers) && ((normalized.spec as Json).finalizers as unknown[]).length > 0);
  if (normalized.metadata.deletionTimestamp && !(Array.isArray(finalizers) && finalizers.length > 0) && (type.kind !== 'Namespace' || type.group || namespaceDone)) {
    // The last finalizer is gone from an object being deleted: the delete completes now.
    const stored = ctx.store.put(resourceKey(type), normalized);
    const removed = ctx.store.remove(resourceKey(type), String(stored.metadata.namespace ?? ''), name);
    afterWrite(ctx, type, undefined, name);
    return { status: 200, object: removed ?? stored };
  }
  const stored = ctx.store.put(resourceKey(type), normalized);
  afterWrite(ctx, type, stored);
  return { status: 200, object: stored };
}

/** afterWrite lets the server-internal controllers see a CRD change at once (served types follow Established). */
export function afterWrite(ctx: RestContext, type: ResourceType, stored: KubeJson | undefined, name?: string): void {
  if (type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition') ctx.onCrdChange(stored, stored ? stored.metadata.name : name!);
}

/** establishedStatus returns a CRD's status once the apiextensions controllers accepted its names. */
export function establishedStatus(crd: Json, conditions: Json[]): Json {
  const status = isObj(crd.status) ? crd.status : {};
  return { ...status, conditions, acceptedNames: acceptedNames(crd) };
}

/** outputVersion sets the apiVersion an object is served with (custom resources store one object for all versions). */
export function outputVersion(type: ResourceType, object: KubeJson): KubeJson {
  const apiVersion = groupVersion(type);
  return object.apiVersion === apiVersion ? object : ({ ...object, apiVersion } as KubeJson);
}

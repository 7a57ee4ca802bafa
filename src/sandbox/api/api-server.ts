// One sandbox cluster's Kubernetes API, independent of the transport: authentication,
// authorization, discovery, and the verbs on resources and their status and scale subresources.
// The HTTP server (http-server.ts) turns requests into ApiRequests and writes ApiResponses.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { stringify as stringifyYaml } from 'yaml';
import { acceptedNames, crdEstablishedConditions, isEstablished, typesFromCrd } from '../crd/custom-types.js';
import { pruneAndDefault } from '../crd/structural.js';
import { builtinTypes } from '../registry/builtin-types.js';
import { TypeRegistry } from '../registry/registry.js';
import { groupVersion, type ResourceType } from '../registry/resource-type.js';
import { formatTime, resourceKey, type Clock, type RestContext, type User } from '../rest/context.js';
import { checkObjectKind, decodeObject, parseDocument, patchTypeOf } from '../rest/decode.js';
import { deleteObject, readDeleteOptions } from '../rest/delete.js';
import { applyConfiguration } from '../rest/field-manager.js';
import { mergePatch } from '../rest/merge-patch.js';
import { getObject, listBody, listObjects } from '../rest/read.js';
import { partialObjectMetadata, toTable, type IncludeObject } from '../rest/table.js';
import { openWatch, type WatchOptions, type WatchStream } from '../rest/watch.js';
import { createObject, establishedStatus, typeErrors, updateObject, type WriteRequest } from '../rest/write.js';
import { ObjectStore, type KubeJson } from '../store/object-store.js';
import { jsonPatch, strategicPatch } from '../rest/strategic-patch.js';
import { ApiError, badRequest, forbidden, internalError, invalid, methodNotAllowed, notAcceptable, unauthorized } from './status.js';
import { OpenApiV3 } from './openapi.js';
import { parseRequest, type ResourceRequest } from './request-info.js';

type Json = Record<string, unknown>;

/** ApiRequest is one HTTP request, transport-free. */
export interface ApiRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: URLSearchParams;
  headers: { accept?: string; contentType?: string; userAgent?: string; authorization?: string };
  body?: string;
}

/** ApiResponse is a complete answer, or a watch stream to pump. */
export type ApiResponse = PlainResponse | { status: 200; contentType: string; watch: WatchStream; encode: (event: unknown) => string };

/** PlainResponse is a complete answer: status, content type and body. */
export interface PlainResponse {
  status: number;
  contentType: string;
  body: string;
}

/** ApiServerOptions configure one cluster's API. */
export interface ApiServerOptions {
  /** The cluster's name, for messages. */
  clusterName: string;
  /** Bearer tokens: admin may do everything, viewer may only read. */
  tokens: { admin: string; viewer: string };
  /** The uid of the kube-system namespace (the cluster's fingerprint). */
  kubeSystemUid: string;
  clock?: Clock;
  random?: () => number;
  /** Events kept for watches to resume from. @default 1000 */
  historySize?: number;
  watch?: WatchOptions;
  /** The address discovery advertises (`/api` serverAddressByClientCIDRs). */
  serverAddress?: () => string;
  /** Server-side apply fills missing list-key fields with their defaults, as servers from 1.20 on do. @default false (1.19: refused) */
  listKeyDefaults?: boolean;
  /** Called after every committed CRD change (the cluster's controllers may react). */
  onCustomTypesChanged?: () => void;
}

const readVerbs = new Set(['get', 'list', 'watch']);

/** versionInfo is what /version answers. */
export const versionInfo = {
  major: '1',
  minor: '19',
  gitVersion: 'v1.19.16-flotilla-sandbox',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '1970-01-01T00:00:00Z',
  goVersion: 'go1.19.8',
  compiler: 'gc',
  platform: 'linux/amd64',
};

interface Negotiated {
  yaml: boolean;
  as?: 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';
}

/** negotiate reads an Accept header: JSON or YAML, optionally as a Table or metadata-only. */
export function negotiate(accept: string | undefined): Negotiated {
  if (!accept || accept.trim() === '') return { yaml: false };
  for (const range of accept.split(',')) {
    const [media, ...params] = range.split(';').map((s) => s.trim());
    const p = Object.fromEntries(params.map((x) => x.split('=').map((s) => s.trim()) as [string, string]));
    const m = (media ?? '').toLowerCase();
    if (m === 'application/json' || m === 'application/yaml') {
      if (p.as) {
        if (p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1') && (p.as === 'Table' || p.as === 'PartialObjectMetadata' || p.as === 'PartialObjectMetadataList')) {
          return { yaml: m === 'application/yaml', as: p.as };
        }
        continue;
      }
      return { yaml: m === 'application/yaml' };
    }
    if (m === '*/*' || m === 'application/*') return { yaml: false };
  }
  throw notAcceptable();
}

/**
 * ApiServer answers the Kubernetes REST API for one sandbox cluster. It owns the cluster's store
 * and types; the simulated controllers write through its internal methods.
 */
export class ApiServer {
  readonly store: ObjectStore;
  readonly registry = new TypeRegistry();
  readonly ctx: RestContext;
  private readonly options: ApiServerOptions;
  private readonly clock: Clock;
  private readonly openapi = new OpenApiV3(this.registry);

  constructor(options: ApiServerOptions) {
    this.options = options;
    this.clock = options.clock ?? { now: () => new Date() };
    this.store = new ObjectStore({ historySize: options.historySize ?? 1000 });
    const random = options.random ?? Math.random;
    this.ctx = {
      store: this.store,
      registry: this.registry,
      clock: this.clock,
      newUid: () => randomUUID(),
      random,
      listKeyDefaults: options.listKeyDefaults ?? false,
      onCrdChange: (crd, name) => this.crdChanged(crd, name),
    };
    this.bootstrap();
  }

  private bootstrap(): void {
    const nsType = this.builtin('', 'Namespace');
    for (const name of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
      const ctx = name === 'kube-system' ? { ...this.ctx, newUid: () => this.options.kubeSystemUid } : this.ctx;
      createObject({ ctx, type: nsType, manager: 'kube-apiserver', dryRun: false }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
  }

  /** builtin returns a built-in type by group and kind. */
  builtin(group: string, kind: string): ResourceType {
    const t = builtinTypes.find((x) => x.group === group && x.kind === kind);
    if (!t) throw new Error(`no built-in type ${group}/${kind}`);
    return t;
  }

  // ---- internal writes (the simulated controllers)

  /** writeRequest builds the WriteRequest of a server-internal write by a manager. */
  internalRequest(type: ResourceType, manager: string, namespace?: string, subresource?: string): WriteRequest {
    return { ctx: this.ctx, type, manager, dryRun: false, ...(namespace !== undefined ? { namespace } : {}), ...(subresource ? { subresource } : {}) };
  }

  /**
   * updateInternal changes a stored object as a controller does (status through /status) and
   * returns the stored result, or undefined when the object is gone or the write conflicts.
   */
  updateInternal(type: ResourceType, current: KubeJson, change: (draft: Json) => void, manager: string, subresource?: string): KubeJson | undefined {
    const draft = structuredClone(current) as Json;
    change(draft);
    try {
      return updateObject(this.internalRequest(type, manager, current.metadata.namespace, subresource), current, draft).object;
    } catch (error) {
      if (error instanceof ApiError) return undefined;
      throw error;
    }
  }

  /** deleteInternal deletes an object as a controller does (background propagation). */
  deleteInternal(type: ResourceType, namespace: string | undefined, name: string, policy?: 'Background' | 'Foreground' | 'Orphan'): void {
    try {
      deleteObject(this.ctx, type, namespace, name, { dryRun: false, ...(policy ? { propagationPolicy: policy } : {}) });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
  }

  /** typeOfResource returns the served type of a store key's objects (any served version). */
  typeOfResource(key: string): ResourceType | undefined {
    const [group, plural] = key.split('/') as [string, string];
    return this.registry.typesOfResource(group, plural)[0];
  }

  private crdChanged(crd: KubeJson | undefined, name: string): void {
    if (!crd) {
      this.registry.removeCustom(name);
      this.options.onCustomTypesChanged?.();
      return;
    }
    if (crd.metadata.deletionTimestamp) {
      // The apiextensions finalizer: delete every custom resource, then let the CRD go.
      setImmediate(() => this.finishCrdDeletion(name));
      return;
    }
    if (!isEstablished(crd)) {
      const type = this.builtin('apiextensions.k8s.io', 'CustomResourceDefinition');
      const now = formatTime(this.clock.now());
      this.updateInternal(type, crd, (draft) => {
        draft.status = establishedStatus(draft, crdEstablishedConditions(now));
      }, 'kube-apiserver', 'status');
      return;
    }
    const status = crd.status as Json;
    if (JSON.stringify(status.acceptedNames) !== JSON.stringify(acceptedNames(crd))) {
      // Renamed (e.g. a short name added): the names controller accepts the new names first.
      const type = this.builtin('apiextensions.k8s.io', 'CustomResourceDefinition');
      this.updateInternal(type, crd, (draft) => {
        draft.status = { ...(draft.status as Json), acceptedNames: acceptedNames(draft) };
      }, 'kube-apiserver', 'status');
      return;
    }
    this.registry.setCustom(name, typesFromCrd(crd));
    this.options.onCustomTypesChanged?.();
  }

  private finishCrdDeletion(name: string): void {
    const crdType = this.builtin('apiextensions.k8s.io', 'CustomResourceDefinition');
    const crd = this.store.get(resourceKey(crdType), '', name);
    if (!crd || !crd.metadata.deletionTimestamp) return;
    const types = this.registry.customTypesOf(name);
    const spec = crd.spec as Json;
    const key = `${String(spec.group)}/${String((spec.names as Json).plural)}`;
    for (const object of this.store.list(key)) {
      const t = types[0];
      if (t) this.deleteInternal(t, object.metadata.namespace, object.metadata.name);
      else this.store.remove(key, object.metadata.namespace ?? '', object.metadata.name);
    }
    if (this.store.count(key) > 0) {
      // Custom resources with finalizers of their own: try again shortly.
      setTimeout(() => this.finishCrdDeletion(name), 50).unref();
      return;
    }
    const current = this.store.get(resourceKey(crdType), '', name);
    if (!current) return;
    this.updateInternal(crdType, current, (draft) => {
      const meta = draft.metadata as Json;
      meta.finalizers = ((meta.finalizers as string[] | undefined) ?? []).filter((f) => f !== 'customresourcecleanup.apiextensions.k8s.io');
      if ((meta.finalizers as string[]).length === 0) delete meta.finalizers;
    }, 'kube-apiserver');
  }

  // ---- HTTP

  /** authenticate maps a bearer token to a user; undefined means anonymous. */
  authenticate(authorization: string | undefined): User | undefined {
    const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    if (!m) return undefined;
    const token = m[1]!.trim();
    if (sameSecret(token, this.options.tokens.admin)) return { name: 'admin', groups: ['system:masters', 'system:authenticated'], canWrite: true };
    if (sameSecret(token, this.options.tokens.viewer)) return { name: 'viewer', groups: ['system:authenticated'], canWrite: false };
    return undefined;
  }

  /** handle answers one request. Errors become Status bodies; unexpected ones become 500s. */
  handle(req: ApiRequest): ApiResponse {
    try {
      return this.route(req);
    } catch (error) {
      if (error instanceof ApiError) return statusResponse(error);
      return statusResponse(internalError(error instanceof Error ? error.message : String(error)));
    }
  }

  private route(req: ApiRequest): ApiResponse {
    const info = parseRequest(req.method, req.path, req.query);
    const publicPath = info.type === 'other' && ['/healthz', '/livez', '/readyz', '/version'].includes(req.path.replace(/\/$/, ''));
    const user = this.authenticate(req.headers.authorization);
    if (!user && !publicPath) throw unauthorized();
    if (info.type === 'other') return this.nonResource(req);
    if (req.method !== 'GET' && req.method !== 'HEAD' && info.type === 'discovery') return pageNotFound();
    if (info.type === 'discovery') return this.discovery(info);
    return this.resource(req, info, user!);
  }

  private nonResource(req: ApiRequest): ApiResponse {
    const path = req.path.replace(/\/$/, '') || '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') return pageNotFound();
    if (path === '/version') return json(200, versionInfo);
    if (path === '/openapi/v3') return json(200, this.openapi.root());
    if (path.startsWith('/openapi/v3/')) {
      const doc = this.openapi.document(path.slice('/openapi/v3/'.length));
      return doc ? json(200, doc) : pageNotFound();
    }
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      if (req.query.has('verbose')) return { status: 200, contentType: 'text/plain; charset=utf-8', body: `[+]ping ok\n[+]etcd ok\n${path.slice(1)} check passed\n` };
      return { status: 200, contentType: 'text/plain; charset=utf-8', body: 'ok' };
    }
    return pageNotFound();
  }

  private discovery(info: { level: string; group?: string; version?: string }): ApiResponse {
    switch (info.level) {
      case 'api':
        return json(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.options.serverAddress?.() ?? '127.0.0.1:6443' }] });
      case 'apis':
        return json(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: this.registry.groups().map(groupDoc) });
      case 'group': {
        const group = this.registry.groups().find((g) => g.name === info.group);
        return group ? json(200, { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group) }) : pageNotFound();
      }
      default: {
        if (info.group === '' && info.version !== 'v1') return pageNotFound();
        const doc = this.registry.resourceList(info.group ?? '', info.version ?? '');
        return doc ? json(200, doc) : pageNotFound();
      }
    }
  }

  private resource(req: ApiRequest, info: ResourceRequest, user: User): ApiResponse {
    const type = this.registry.lookup(info.group, info.version, info.resource);
    if (!type) return pageNotFound();
    if (info.namespace !== undefined && !type.namespaced) return pageNotFound();
    const sub = info.subresource;
    if (sub !== undefined && (info.name === undefined || !type.subresources.some((s) => s.name === sub))) return pageNotFound();
    if (sub !== undefined && !['status', 'scale', 'finalize'].includes(sub)) return pageNotFound();
    const verbs = sub ? type.subresources.find((s) => s.name === sub)!.verbs : type.verbs;
    const gr = { group: type.group, resource: type.plural };
    // A namespaced object is only reachable through its namespace, except to list or watch across all.
    if (type.namespaced && info.namespace === undefined && !(info.verb === 'list' || info.verb === 'watch')) {
      throw methodNotAllowed(gr, info.verb === 'create' ? 'create' : info.verb);
    }
    if (!verbs.includes(info.verb === 'watch' ? 'watch' : info.verb)) throw methodNotAllowed(gr, info.verb);
    if (!readVerbs.has(info.verb) && !user.canWrite) {
      throw forbidden(gr, info.name ?? '', user.name, info.verb, sub ? `${type.plural}/${sub}` : type.plural, type.namespaced ? info.namespace : undefined);
    }
    const negotiated = negotiate(req.headers.accept);
    const dryRunValues = req.query.getAll('dryRun');
    for (const v of dryRunValues) if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
    const dryRun = dryRunValues.includes('All');
    const manager = managerOf(req);
    const fieldValidation = req.query.get('fieldValidation') ?? 'Warn';
    if (fieldValidation !== 'Ignore' && fieldValidation !== 'Warn' && fieldValidation !== 'Strict') {
      throw badRequest(`fieldValidation: Unsupported value: "${fieldValidation}": supported values: "Ignore", "Warn", "Strict"`);
    }
    const write: WriteRequest = { ctx: this.ctx, type, manager, dryRun, fieldValidation, ...(info.namespace !== undefined ? { namespace: info.namespace } : {}), ...(info.name !== undefined ? { name: info.name } : {}), ...(sub ? { subresource: sub } : {}) };
    const now = this.clock.now();
    const render = (object: KubeJson, status = 200): ApiResponse => respond(status, negotiated, object, type, now);

    switch (info.verb) {
      case 'get': {
        const object = getObject(this.ctx, type, info.namespace, info.name!);
        if (sub === 'scale') return encode(200, negotiated, scaleOf(type, object));
        return render(object);
      }
      case 'list': {
        const result = listObjects(this.ctx, type, info.namespace, req.query);
        if (negotiated.as === 'Table') return encode(200, negotiated, toTable(type, result.items, result.metadata, includeObject(req.query), now));
        if (negotiated.as === 'PartialObjectMetadataList') {
          return encode(200, negotiated, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: result.metadata, items: result.items.map(partialObjectMetadata) });
        }
        return encode(200, negotiated, listBody(type, result));
      }
      case 'watch': {
        const include = includeObject(req.query);
        const transform = negotiated.as === 'Table'
          ? (o: KubeJson) => toTable(type, [o], { resourceVersion: o.metadata.resourceVersion }, include, this.clock.now())
          : negotiated.as
            ? (o: KubeJson) => partialObjectMetadata(o)
            : (o: KubeJson) => o as Json;
        const watch = openWatch(this.ctx, type, info.namespace, req.query, transform, this.options.watch);
        return { status: 200, contentType: 'application/json', watch, encode: (event) => `${JSON.stringify(event)}\n` };
      }
      case 'create': {
        if (info.name !== undefined) throw methodNotAllowed(gr, 'create');
        const body = decodeObject(req.body ?? '', req.headers.contentType, type);
        const result = createObject(write, body);
        return render(result.object, result.status);
      }
      case 'update': {
        const body = decodeObject(req.body ?? '', req.headers.contentType, type);
        const old = this.store.get(resourceKey(type), type.namespaced ? info.namespace ?? '' : '', info.name!);
        if (!old) return render(getObject(this.ctx, type, info.namespace, info.name!));
        if (sub === 'scale') return encode(200, negotiated, this.writeScale(write, type, old, body));
        if (sub === 'finalize') {
          const spec = (body.spec as Json | undefined) ?? {};
          const result = updateObject(write, old, { ...structuredClone(old), spec: { ...((old.spec as Json) ?? {}), finalizers: spec.finalizers ?? [] } });
          return render(result.object, result.status);
        }
        const result = updateObject(write, old, body);
        return render(result.object, result.status);
      }
      case 'patch':
        return this.patch(req, write, type, info, negotiated, now);
      case 'delete': {
        const options = readDeleteOptions(req.body ? safeParse(req.body) : undefined, req.query);
        options.dryRun ||= dryRun;
        const result = deleteObject(this.ctx, type, info.namespace, info.name!, options);
        if (result.body.kind === 'Status') return encode(result.status, negotiated, result.body);
        return render(result.body as KubeJson, result.status);
      }
      case 'deletecollection': {
        const options = readDeleteOptions(req.body ? safeParse(req.body) : undefined, req.query);
        options.dryRun ||= dryRun;
        const result = listObjects(this.ctx, type, info.namespace, req.query);
        const deleted: KubeJson[] = [];
        for (const object of result.items) {
          const outcome = deleteObject(this.ctx, type, object.metadata.namespace, object.metadata.name, options);
          deleted.push(outcome.body.kind === 'Status' ? object : (outcome.body as KubeJson));
        }
        return encode(200, negotiated, listBody(type, { items: deleted, metadata: { resourceVersion: String(this.store.resourceVersion) } }));
      }
    }
  }

  private patch(req: ApiRequest, write: WriteRequest, type: ResourceType, info: ResourceRequest, negotiated: Negotiated, now: Date): ApiResponse {
    const patchType = patchTypeOf(req.headers.contentType, Boolean(type.custom));
    const force = req.query.get('force');
    if (force !== null && patchType !== 'apply') {
      throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch' }]);
    }
    const old = this.store.get(resourceKey(type), type.namespaced ? info.namespace ?? '' : '', info.name!);
    const render = (object: KubeJson, status: number) => respond(status, negotiated, object, type, now);
    if (patchType === 'apply') {
      if (!req.query.get('fieldManager')) {
        throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' }]);
      }
      if (write.subresource === 'scale') throw methodNotAllowed({ group: type.group, resource: `${type.plural}/scale` }, 'apply');
      const applied = checkObjectKind(parseDocument(req.body ?? '', true), type, true);
      const meta = applied.metadata as Json;
      if (meta.name === undefined) meta.name = info.name;
      if (meta.name !== info.name) throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${info.name})`);
      if (type.namespaced) {
        if (meta.namespace !== undefined && meta.namespace !== info.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      } else if (meta.namespace !== undefined && meta.namespace !== '') {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      if (!old && write.subresource) throw getObjectError(this.ctx, type, info);
      const errors = typeErrors(type, applied);
      if (errors.length) throw invalid({ group: type.group, kind: type.kind }, String(meta.name), errors);
      if (type.custom) {
        const pruned = pruneAndDefault(applied, type.custom.openAPIV3Schema, false);
        if (write.fieldValidation === 'Strict' && pruned.length > 0) {
          throw badRequest(`failed to create typed patch object (${groupVersion(type)}, Kind=${type.kind}) ${info.namespace ? `${info.namespace}/` : ''}${info.name}: ${pruned.map((p) => `.${p}: field not declared in schema`).join(', ')}`);
        }
      }
      const result = applyConfiguration(type, old, applied, write.manager, force === 'true', formatTime(now), this.ctx.listKeyDefaults);
      if (!result.ok) {
        if (result.reason === 'Conflict') return { status: 409, contentType: 'application/json', body: JSON.stringify(result.status) };
        if (result.reason === 'BadRequest') throw badRequest(result.message);
        const field = (result.field ?? '').replace(/^\./, '');
        const detail = result.message.startsWith(`${result.field}: `) ? result.message.slice(`${result.field}: `.length) : result.message;
        throw invalid({ group: type.group, kind: type.kind }, String(meta.name), [{ type: 'FieldValueInvalid', field, detail }]);
      }
      if (!old) {
        if (!write.namespace && type.namespaced) throw methodNotAllowed({ group: type.group, resource: type.plural }, 'patch');
        const created = createObject(write, result.object, { managedFields: result.managedFields });
        return render(created.object, created.status);
      }
      if (!result.changed) return render(old, 200);
      const updated = updateObject(write, old, result.object, { managedFields: result.managedFields });
      return render(updated.object, updated.status);
    }
    if (!old) throw getObjectError(this.ctx, type, info);
    const patch = parseDocument(req.body ?? '', false);
    if (write.subresource === 'scale') {
      const scale = scaleOf(type, old);
      const patched = patchType === 'json' ? jsonPatch(scale, patch) : mergePatch(scale, patch);
      return encode(200, negotiated, this.writeScale(write, type, old, patched as Json));
    }
    let patched: unknown;
    if (patchType === 'json') patched = jsonPatch(old, patch);
    else if (patchType === 'merge') {
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      patched = mergePatch(old, patch);
    } else patched = strategicPatch(old, patch, type);
    if (patched === null || typeof patched !== 'object' || Array.isArray(patched)) throw badRequest('the patch does not produce an object');
    const body = checkObjectKind(patched, type);
    const result = updateObject(write, old, body);
    return render(result.object, result.status);
  }

  private writeScale(write: WriteRequest, type: ResourceType, old: KubeJson, scale: Json): Json {
    const spec = (scale.spec as Json | undefined) ?? {};
    const replicas = spec.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid({ group: 'autoscaling', kind: 'Scale' }, old.metadata.name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas ?? null, detail: 'must be greater than or equal to 0' }]);
    }
    const scaleMeta = (scale.metadata as Json | undefined) ?? {};
    if (scaleMeta.resourceVersion !== undefined && scaleMeta.resourceVersion !== old.metadata.resourceVersion) {
      throw badRequest('the resourceVersion of the Scale does not match');
    }
    const next = structuredClone(old) as Json;
    setPath(next, specReplicasPath(type), replicas);
    const result = updateObject({ ...write, subresource: 'scale' }, old, next);
    return scaleOf(type, result.object);
  }
}

/** sameSecret compares a presented token with a secret in constant time. */
export function sameSecret(presented: string, secret: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

function specReplicasPath(type: ResourceType): string {
  return type.custom?.scale?.specReplicasPath.replace(/^\./, '') ?? 'spec.replicas';
}

function getPath(o: unknown, path: string): unknown {
  let cur = o;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[p];
  }
  return cur;
}

function setPath(o: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = o;
  for (const p of parts.slice(0, -1)) {
    if (cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p] as Json;
  }
  cur[parts[parts.length - 1]!] = value;
}

/** scaleOf presents a workload through its scale subresource (autoscaling/v1 Scale). */
function scaleOf(type: ResourceType, object: KubeJson): Json {
  const meta = object.metadata;
  const statusPath = type.custom?.scale?.statusReplicasPath.replace(/^\./, '') ?? 'status.replicas';
  const selectorPath = type.custom?.scale?.labelSelectorPath?.replace(/^\./, '');
  let selector = '';
  if (selectorPath) selector = String(getPath(object, selectorPath) ?? '');
  else {
    const matchLabels = getPath(object, 'spec.selector.matchLabels');
    if (matchLabels && typeof matchLabels === 'object') selector = Object.entries(matchLabels as Json).map(([k, v]) => `${k}=${String(v)}`).join(',');
  }
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: meta.name, ...(meta.namespace ? { namespace: meta.namespace } : {}), uid: meta.uid, resourceVersion: meta.resourceVersion, creationTimestamp: meta.creationTimestamp },
    spec: { replicas: Number(getPath(object, specReplicasPath(type)) ?? 0) },
    status: { replicas: Number(getPath(object, statusPath) ?? 0), ...(selector ? { selector } : {}) },
  };
}

function getObjectError(ctx: RestContext, type: ResourceType, info: ResourceRequest): ApiError {
  try {
    getObject(ctx, type, info.namespace, info.name!);
  } catch (error) {
    if (error instanceof ApiError) return error;
  }
  return internalError('object disappeared');
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('the body of the DeleteOptions could not be read as JSON');
  }
}

function includeObject(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function managerOf(req: ApiRequest): string {
  const explicit = req.query.get('fieldManager');
  if (explicit) return explicit;
  const agent = req.headers.userAgent ?? '';
  const prefix = agent.split('/')[0]!.trim();
  return prefix || 'unknown';
}

function groupDoc(group: { name: string; versions: string[] }): Json {
  return {
    name: group.name,
    versions: group.versions.map((v) => ({ groupVersion: `${group.name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${group.name}/${group.versions[0]}`, version: group.versions[0] },
  };
}

function json(status: number, body: unknown): ApiResponse {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

function encode(status: number, negotiated: Negotiated, body: unknown): ApiResponse {
  if (negotiated.yaml) return { status, contentType: 'application/yaml', body: stringifyYaml(body) };
  return json(status, body);
}

function respond(status: number, negotiated: Negotiated, object: KubeJson, type: ResourceType, now: Date): ApiResponse {
  if (negotiated.as === 'Table') return encode(status, negotiated, toTable(type, [object], { resourceVersion: object.metadata.resourceVersion }, 'Metadata', now));
  if (negotiated.as === 'PartialObjectMetadata') return encode(status, negotiated, partialObjectMetadata(object));
  return encode(status, negotiated, object);
}

/** statusResponse writes an ApiError as its Status body. */
export function statusResponse(error: ApiError): PlainResponse {
  return { status: error.code, contentType: 'application/json', body: JSON.stringify(error.toStatus()) };
}

/** pageNotFound is the plain-text 404 of a path no API serves. */
export function pageNotFound(): ApiResponse {
  return { status: 404, contentType: 'text/plain; charset=utf-8', body: '404 page not found\n' };
}


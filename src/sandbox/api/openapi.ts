// The OpenAPI v3 documents clients read before they write. kubectl (1.27 and later) reads
// /openapi/v3 to learn whether a kind's PATCH endpoint takes the `fieldValidation` parameter; when
// it does, kubectl leaves validation to the server instead of downloading schemas. So every group
// version gets a document with its paths, their operations tagged with
// x-kubernetes-group-version-kind and the query parameters the sandbox reads. Component schemas
// are left out: without them kubectl computes strategic merge patches from its compiled-in types,
// as it does against servers without OpenAPI v3.
import { createHash } from 'node:crypto';
import type { TypeRegistry } from '../registry/registry.js';
import { apiPathPrefix, groupVersion, type ResourceType } from '../registry/resource-type.js';

type Json = Record<string, unknown>;

function param(name: string, description: string, type = 'string'): Json {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

const writeParams = [
  param('dryRun', 'When present, indicates that modifications should not be persisted. The only valid value is All.'),
  param('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  param('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn or Strict.'),
];
const listParams = [
  param('labelSelector', 'A selector to restrict the list of returned objects by their labels.'),
  param('fieldSelector', 'A selector to restrict the list of returned objects by their fields.'),
  param('limit', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  param('continue', 'The continue option should be set when retrieving more results from the server.'),
  param('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  param('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
];

function operations(type: ResourceType): Record<string, Json> {
  const gvk = { group: type.group, version: type.version, kind: type.kind };
  const op = (action: string, parameters: Json[]): Json => ({
    description: `${action} ${type.kind}`,
    operationId: `${action}${type.kind}`,
    parameters,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  });
  const prefix = apiPathPrefix(type);
  const collection = type.namespaced ? `${prefix}/namespaces/{namespace}/${type.plural}` : `${prefix}/${type.plural}`;
  const item = `${collection}/{name}`;
  const paths: Record<string, Json> = {
    [collection]: { get: op('list', listParams), post: op('post', writeParams) },
    [item]: {
      get: op('get', []),
      put: op('put', writeParams),
      patch: op('patch', [...writeParams, param('force', 'Force is going to "force" Apply requests.', 'boolean')]),
      delete: op('delete', [param('dryRun', 'When present, indicates that modifications should not be persisted.'), param('propagationPolicy', 'Whether and how garbage collection will be performed.')]),
    },
  };
  for (const sub of type.subresources) {
    if (sub.name !== 'status' && sub.name !== 'scale') continue;
    paths[`${item}/${sub.name}`] = { get: op('get', []), put: op('put', writeParams), patch: op('patch', writeParams) };
  }
  if (type.namespaced) paths[`${prefix}/${type.plural}`] = { get: op('list', listParams) };
  return paths;
}

/** OpenApiV3 serves the v3 root and one document per group version, generated from the served types. */
export class OpenApiV3 {
  constructor(private readonly registry: TypeRegistry) {}

  private byGroupVersion(): Map<string, ResourceType[]> {
    const out = new Map<string, ResourceType[]>();
    for (const t of this.registry.types()) {
      const key = apiPathPrefix(t).slice(1);
      out.set(key, [...(out.get(key) ?? []), t]);
    }
    return out;
  }

  /** document returns the OpenAPI document of `api/v1` or `apis/G/V`, or undefined when it is not served. */
  document(path: string): Json | undefined {
    const types = this.byGroupVersion().get(path);
    if (!types) return undefined;
    const paths: Record<string, Json> = {};
    for (const t of types) Object.assign(paths, operations(t));
    return { openapi: '3.0.0', info: { title: 'Kubernetes', version: groupVersion(types[0]!) }, paths, components: { schemas: {} } };
  }

  /** root lists every group version's document with a hash of its content, as kubectl caches by it. */
  root(): Json {
    const paths: Record<string, Json> = {};
    for (const key of [...this.byGroupVersion().keys()].sort()) {
      const hash = createHash('sha512').update(JSON.stringify(this.document(key))).digest('hex').slice(0, 128).toUpperCase();
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
    return { paths };
  }
}

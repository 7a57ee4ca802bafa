// Reads a request path the way the apiserver's RequestInfoFactory does: API prefix, group,
// version, namespace, resource, name, subresource, and the verb the method means on it.

/** RequestVerb is the authorization verb of a request. */
export type RequestVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** ResourceRequest is a request for a resource path (`/api/v1/namespaces/x/configmaps/y`). */
export interface ResourceRequest {
  type: 'resource';
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  verb: RequestVerb;
}

/** DiscoveryRequest is a request for /api, /apis, /apis/G or a group version's resource list. */
export interface DiscoveryRequest {
  type: 'discovery';
  group?: string;
  version?: string;
  /** 'api': /api; 'apis': /apis; 'group': /apis/G; 'resources': /api/v1 or /apis/G/V. */
  level: 'api' | 'apis' | 'group' | 'resources';
}

/** OtherRequest is any other path (/version, /readyz, /openapi/..., unknown paths). */
export interface OtherRequest {
  type: 'other';
  path: string;
}

/** RequestInfo is what a path and method mean. */
export type RequestInfo = ResourceRequest | DiscoveryRequest | OtherRequest;

/** parseRequest reads a request's path (without query) and method. */
export function parseRequest(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  if (parts[0] === 'api') {
    if (parts.length === 1) return { type: 'discovery', level: 'api' };
    if (parts.length === 2) return { type: 'discovery', level: 'resources', group: '', version: parts[1]! };
    return resourceRequest(method, '', parts[1]!, parts.slice(2), query) ?? { type: 'other', path };
  }
  if (parts[0] === 'apis') {
    if (parts.length === 1) return { type: 'discovery', level: 'apis' };
    if (parts.length === 2) return { type: 'discovery', level: 'group', group: parts[1]! };
    if (parts.length === 3) return { type: 'discovery', level: 'resources', group: parts[1]!, version: parts[2]! };
    return resourceRequest(method, parts[1]!, parts[2]!, parts.slice(3), query) ?? { type: 'other', path };
  }
  return { type: 'other', path };
}

function resourceRequest(method: string, group: string, version: string, rest: string[], query: URLSearchParams): ResourceRequest | undefined {
  let namespace: string | undefined;
  // /namespaces/NAME/RESOURCE... is namespaced; /namespaces and /namespaces/NAME[/sub] are the namespace resource itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  const [resource, name, subresource] = rest as [string, string | undefined, string | undefined];
  const watch = ['1', 'true'].includes(query.get('watch') ?? '');
  let verb: RequestVerb;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = watch ? 'watch' : name === undefined ? 'list' : 'get';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name === undefined ? 'deletecollection' : 'delete';
      break;
    default:
      verb = 'get';
  }
  return { type: 'resource', group, version, resource, verb, ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}), ...(subresource !== undefined ? { subresource } : {}) };
}

// GET of one object and of collections: selectors, limit/continue paging with continue tokens
// shaped as the real server's, 410 Expired for a token older than the kept history.
import { badRequest, expired, notFound } from '../api/status.js';
import { groupVersion, type ResourceType } from '../registry/resource-type.js';
import type { KubeJson } from '../store/object-store.js';
import { resourceKey, type RestContext } from './context.js';
import { selectorFilter } from './selectors.js';
import { outputVersion } from './write.js';

type Json = Record<string, unknown>;

/** getObject returns one stored object (served at the type's version) or answers 404. */
export function getObject(ctx: RestContext, type: ResourceType, namespace: string | undefined, name: string): KubeJson {
  const object = ctx.store.get(resourceKey(type), type.namespaced ? namespace ?? '' : '', name);
  if (!object) throw notFound({ group: type.group, resource: type.plural }, name);
  return outputVersion(type, object);
}

/** ListResult is one page of a list: its items and the list metadata to answer with. */
export interface ListResult {
  items: KubeJson[];
  metadata: Json;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken;
    if (token.v !== 'meta.k8s.io/v1' || typeof token.rv !== 'number' || typeof token.start !== 'string') throw new Error('bad token');
    return token;
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

/** listObjects lists a collection with the request's selectors, limit and continue token. */
export function listObjects(ctx: RestContext, type: ResourceType, namespace: string | undefined, query: URLSearchParams): ListResult {
  const filter = selectorFilter(query, type);
  const limitText = query.get('limit');
  const limit = limitText === null || limitText === '' ? 0 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`limit: Invalid value: "${limitText}": must be a non-negative integer`);
  const continueText = query.get('continue');
  let start = '';
  let listRv = ctx.store.resourceVersion;
  if (continueText) {
    const token = decodeContinue(continueText);
    if (token.rv < ctx.store.compactedRevision) {
      throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
    }
    start = token.start;
    listRv = token.rv;
  }
  const all = ctx.store.list(resourceKey(type), type.namespaced ? namespace : undefined);
  const items: KubeJson[] = [];
  let next: string | undefined;
  let remaining = 0;
  for (const object of all) {
    const key = `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (start && key < start) continue;
    if (!filter(object)) continue;
    if (limit > 0 && items.length >= limit) {
      if (next === undefined) next = key;
      remaining++;
      continue;
    }
    items.push(outputVersion(type, object));
  }
  const metadata: Json = { resourceVersion: String(listRv) };
  if (next !== undefined) {
    metadata.continue = encodeContinue({ v: 'meta.k8s.io/v1', rv: listRv, start: next });
    metadata.remainingItemCount = remaining;
  }
  return { items, metadata };
}

/** listBody is a list as the server prints it: built-in items without kind and apiVersion, custom ones with. */
export function listBody(type: ResourceType, result: ListResult): Json {
  const items = type.custom
    ? result.items
    : result.items.map((o) => {
        const { kind: _kind, apiVersion: _apiVersion, ...rest } = o;
        return rest;
      });
  return { kind: type.listKind, apiVersion: groupVersion(type), metadata: result.metadata, items };
}

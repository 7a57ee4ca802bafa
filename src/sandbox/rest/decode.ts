import { parse as parseYaml } from 'yaml';
import { badRequest, unsupportedMediaType } from '../api/status.js';
import { groupVersion, type ResourceType } from '../registry/resource-type.js';

/** PatchType is the patch format a PATCH's content type names. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const patchTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** mediaType is a content type without its parameters, lower-cased. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** patchTypeOf reads a PATCH's content type; custom resources take no strategic merge patch. */
export function patchTypeOf(contentType: string | undefined, custom: boolean): PatchType {
  const type = patchTypes[mediaType(contentType)];
  if (!type || (type === 'strategic' && custom)) {
    const accepted = custom
      ? ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']
      : ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
    throw unsupportedMediaType(accepted);
  }
  return type;
}

/** parseDocument reads a JSON or YAML request body (an apply body, or a create/update body sent as YAML). */
export function parseDocument(body: string, yaml: boolean): unknown {
  if (!yaml) {
    try {
      return JSON.parse(body);
    } catch (error) {
      throw badRequest(`json: ${(error as Error).message}`);
    }
  }
  try {
    return parseYaml(body, { maxAliasCount: 100, uniqueKeys: true });
  } catch (error) {
    throw badRequest(`error converting YAML to JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * decodeObject reads the body of a create or update: JSON or YAML, one object of the endpoint's
 * kind. A missing apiVersion or kind takes the endpoint's, as the server's decoder does.
 */
export function decodeObject(body: string, contentType: string | undefined, type: ResourceType): Record<string, unknown> {
  const media = mediaType(contentType);
  if (media !== 'application/json' && media !== 'application/yaml' && media !== '' && media !== '*/*') {
    throw unsupportedMediaType(['application/json', 'application/yaml']);
  }
  const value = parseDocument(body, media === 'application/yaml');
  return checkObjectKind(value, type);
}

/** checkObjectKind makes sure a decoded value is an object of the endpoint's group, version and kind. */
export function checkObjectKind(value: unknown, type: ResourceType, required = false): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(value)}'`);
  }
  const object = value as Record<string, unknown>;
  const expected = groupVersion(type);
  if (required && (typeof object.apiVersion !== 'string' || object.apiVersion === '')) throw badRequest(`Object 'apiVersion' is missing in '${JSON.stringify(value).slice(0, 200)}'`);
  if (required && (typeof object.kind !== 'string' || object.kind === '')) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(value).slice(0, 200)}'`);
  if (object.apiVersion !== undefined && object.apiVersion !== expected) {
    throw badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${expected})`);
  }
  if (object.kind !== undefined && object.kind !== type.kind) {
    throw badRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${type.kind})`);
  }
  const metadata = object.metadata;
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: json: cannot unmarshal ${jsonTypeName(metadata)} into Go struct field ${type.kind}.metadata of type v1.ObjectMeta`);
  }
  return { ...object, apiVersion: expected, kind: type.kind, metadata: { ...((metadata as Record<string, unknown> | undefined) ?? {}) } };
}

/** jsonTypeName is how Go's JSON decoder names a value's type in errors. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

// The sandbox's seam to the server-side apply core (src/sandbox/ssa): which schema a type merges
// with and which fields an endpoint resets, in one place.
import { schemaFor, schemaFromCrd, serverSideApply, trackUpdate, type ManagedFieldsEntry, type SchemaNode, type ServerSideApplyResult } from '../ssa/index.js';
import type { ResourceType } from '../registry/resource-type.js';

type Json = Record<string, unknown>;

const crdSchemas = new WeakMap<object, { plain?: SchemaNode; defaults?: SchemaNode }>();

/** schemaOf is how a type's fields merge: the built-in table, or the CRD version's schema (cached per CRD object). */
function schemaOf(type: ResourceType, listKeyDefaults: boolean): SchemaNode {
  const crd = type.custom?.crd;
  if (!crd) return schemaFor({ group: type.group, version: type.version, kind: type.kind }, { listKeyDefaults });
  const cached = crdSchemas.get(type.custom!) ?? {};
  const key = listKeyDefaults ? 'defaults' : 'plain';
  cached[key] ??= schemaFromCrd(crd, type.version, { listKeyDefaults });
  crdSchemas.set(type.custom!, cached);
  return cached[key]!;
}

function gvkOf(type: ResourceType) {
  return { group: type.group, version: type.version, kind: type.kind };
}

/** managedFieldsAfterUpdate gives the fields a create, update or non-apply patch changed to its manager. */
// Field management follows the 1.19 server the conformance transcript records: entries carry no
// `subresource` and no endpoint has reset fields (newer servers add both). The endpoints still keep
// status and spec apart themselves (write.ts), so only a create can give status fields to a manager.
export function managedFieldsAfterUpdate(type: ResourceType, before: Json | undefined, after: Json, manager: string, now: string, listKeyDefaults = false): ManagedFieldsEntry[] {
  const result = trackUpdate({
    ...(before ? { before } : {}),
    after,
    manager,
    operation: 'Update',
    gvk: gvkOf(type),
    now,
    schema: schemaOf(type, listKeyDefaults),
  });
  return result.managedFields;
}

/** applyConfiguration runs one server-side apply against the live object (undefined when it creates). */
export function applyConfiguration(type: ResourceType, live: Json | undefined, applied: Json, manager: string, force: boolean, now: string, listKeyDefaults = false): ServerSideApplyResult {
  return serverSideApply({
    ...(live ? { live } : {}),
    applied,
    manager,
    force,
    gvk: gvkOf(type),
    now,
    schema: schemaOf(type, listKeyDefaults),
  });
}

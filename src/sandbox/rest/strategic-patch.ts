// PATCH bodies other than apply, applied to the stored object's JSON: RFC 6902 JSON patch and the
// API server's strategic merge patch (both from the renderer's patch module, which reproduces the
// same Go libraries), and RFC 7386 merge patch.
import { applyJsonPatch, strategicMerge, validateOperations } from '../../render/patch/index.js';
import { ApiError, badRequest } from '../api/status.js';
import { groupVersion, type ResourceType } from '../registry/resource-type.js';

/** strategicPatch applies a strategic merge patch with the API server's merge keys and directives. */
export function strategicPatch(original: unknown, patch: unknown, type: ResourceType): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
  const result = strategicMerge(original, patch, { apiVersion: groupVersion(type), kind: type.kind }, { flavor: 'apiserver' });
  if (!result.ok) throw new ApiError(422, 'Invalid', result.issues[0]!.message.replace(/^strategic merge patch for \S+ cannot be applied/, 'strategic merge patch cannot be applied'), {});
  if (result.value === null) throw badRequest('a strategic merge patch may not delete the whole object');
  return result.value;
}

/** jsonPatch applies an RFC 6902 patch; a failing operation answers 422, as the server does. */
export function jsonPatch(doc: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const ops = validateOperations(operations);
  if (!ops.ok) throw badRequest(ops.issues[0]!.message);
  const result = applyJsonPatch(doc, ops.value);
  if (!result.ok) throw new ApiError(422, 'Invalid', result.issues[0]!.message, {});
  return result.value;
}

import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import { ApiserverMergeError, apiserverMerge } from './apiserver-merge.js';
import { KyamlMergeError, kyamlMerge } from './kyaml-merge.js';
import { cloneJson } from '../kustomize/resource.js';
import { schemaForKind, type SchemaFlavor } from './schema.js';

/** StrategicMergeOptions choose whose strategic merge to reproduce and how to name the patch in errors. */
export interface StrategicMergeOptions {
  /**
   * `kustomize` reproduces `kustomize build` (v5.7.1): patch list elements first, only `$patch`
   * directives understood, Kubernetes v1.21 merge keys. `apiserver` reproduces a Kubernetes API
   * server's strategic-merge PATCH: original order kept, every directive honoured, current merge keys.
   * @default 'kustomize'
   */
  flavor?: SchemaFlavor;
  /** The file the patch came from, for error messages. */
  file?: string;
  /** The field that names the patch, e.g. `patches[2]`, for error messages. */
  field?: string;
}

/**
 * strategicMerge applies a strategic merge patch to an object of the given apiVersion and kind and
 * returns the merged object, or null when the patch deletes it (`$patch: delete` at the top).
 * Neither input is changed. Built-in kinds merge their lists by the Kubernetes merge keys (schema.ts);
 * for unknown kinds maps merge and lists are replaced. `null` in the patch removes a field.
 */
export function strategicMerge(original: unknown, patch: unknown, schema: { apiVersion: string; kind: string }, options: StrategicMergeOptions = {}): Result<unknown | null> {
  const flavor = options.flavor ?? 'kustomize';
  const where = [options.file, options.field].filter(Boolean).join(': ');
  try {
    if (flavor === 'apiserver') {
      return ok(apiserverMerge(cloneJson(original), cloneJson(patch), schemaForKind(schema.apiVersion, schema.kind, 'apiserver')));
    }
    const merged = kyamlMerge(cloneJson(original), cloneJson(patch), schemaForKind(schema.apiVersion, schema.kind));
    return ok(merged === undefined || merged === null ? null : merged);
  } catch (error) {
    if (!(error instanceof KyamlMergeError) && !(error instanceof ApiserverMergeError)) throw error;
    const at = error.path.length ? ` at ${error.path.join('.')}` : '';
    return fail(
      new FlotillaError('RENDER_PATCH_INVALID', `${where ? where + ': ' : ''}strategic merge patch for ${schema.kind} cannot be applied${at}: ${error.message}`, {
        file: options.file,
        field: options.field,
        hint: 'A patch must give each field the same shape (map, list or value) the resource has; $patch takes merge, replace or delete.',
      }),
    );
  }
}

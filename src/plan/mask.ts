import type { KubeObject } from '../manifest/index.js';
import type { FieldChange } from './types.js';

/** maskedValue is what is shown in place of a Secret's value. */
export const maskedValue = '(secret value)';

/** isSecret tells a core/v1 Secret from a custom kind that happens to be called Secret. */
export function isSecret(object: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return object.kind === 'Secret' && object.apiVersion === 'v1';
}

/** isSecretValuePath tells whether a JSON pointer of a Secret names its values (`data`, `stringData`). */
export function isSecretValuePath(pointer: string): boolean {
  return /^\/(data|stringData)(\/|$)/.test(pointer);
}

/**
 * maskFieldChanges drops the values of a Secret's `data` and `stringData` from field changes and
 * marks them masked: a plan is posted to pull requests and CI logs, so a Secret value must never
 * appear in it, not even hashed (a short hash of a weak password is easy to reverse).
 */
export function maskFieldChanges(object: Pick<KubeObject, 'apiVersion' | 'kind'>, fields: FieldChange[]): FieldChange[] {
  if (!isSecret(object)) return fields;
  return fields.map((f) => (isSecretValuePath(f.path) ? { path: f.path, action: f.action, masked: true } : f));
}

/** describeMasked is how people read a masked change: `(secret value changed)` and the like. */
export function describeMasked(action: FieldChange['action']): string {
  return action === 'add' ? '(secret value added)' : action === 'remove' ? '(secret value removed)' : '(secret value changed)';
}

// Fields a server resets on an endpoint (status on the main resource, spec on /status) are never
// owned through it; the server passes them as paths of field names.
import { FieldSet } from './field-set.js';
import { fieldElement } from './path-element.js';

/** ignoredSet turns paths of field names (e.g. [['status']]) into a field set. */
export function ignoredSet(paths: string[][] | undefined): FieldSet {
  return FieldSet.fromPaths((paths ?? []).filter((p) => p.length > 0).map((p) => p.map(fieldElement)));
}

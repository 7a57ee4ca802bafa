import { RE2JS } from 're2js';
import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import type { PatchTarget } from '../kustomize/kustomization.js';
import type { Resource } from '../kustomize/resource.js';
import { isNamespacedKind } from '../../manifest/kinds.js';
import { matchesLabelSelector, parseLabelSelector, type LabelSelector } from './label-selector.js';

/**
 * effectiveNamespace is kustomize's non-empty namespace of an id, used when matching targets:
 * `_non_namespaceable_` for cluster-scoped kinds (so a target namespace never selects them by
 * accident), `default` for a namespaced object without a namespace.
 */
export function effectiveNamespace(apiVersion: string, kind: string, namespace: string | undefined): string {
  if (!isNamespacedKind(apiVersion, kind)) return '_non_namespaceable_';
  return namespace ? namespace : 'default';
}

/** TargetMatcher tests one resource against a compiled target. */
export type TargetMatcher = (resource: Resource) => boolean;

/** Pattern is a compiled target pattern. */
interface Pattern {
  test(text: string): boolean;
}

// Kustomize anchors every selector pattern, so `name: web` never selects `web-canary`. Patterns
// are Go regular expressions (RE2 syntax, `(?i)` included), matched in linear time by re2js: a
// JavaScript RegExp would backtrack, and `(a+)+b` against a long name would never finish.
function anchored(pattern: string | undefined, what: string, where: { file?: string; field?: string }): Result<Pattern | undefined> {
  if (pattern === undefined || pattern === '') return ok(undefined);
  try {
    const re = RE2JS.compile(`^(?:${pattern})$`);
    return ok({ test: (text: string) => re.matches(text) });
  } catch (error) {
    const at = [where.file, where.field].filter(Boolean).join(': ');
    return fail(
      new FlotillaError('RENDER_PATCH_INVALID', `${at ? at + ': ' : ''}invalid ${what} regular expression "${pattern}": ${(error as Error).message}`, {
        file: where.file,
        field: where.field,
        hint: 'Target fields are anchored regular expressions; escape special characters such as "." and "(".',
      }),
    );
  }
}

/**
 * compileTarget turns a patch target (kustomize's Selector) into a matcher, or says which of its
 * patterns is invalid. Group, version, kind, name and namespace are anchored regular expressions;
 * labelSelector and annotationSelector use the Kubernetes label selector syntax. `where` names
 * the file and field in errors.
 */
export function compileTarget(target: PatchTarget, where: { file?: string; field?: string } = {}): Result<TargetMatcher> {
  const patterns: Partial<Record<'group' | 'version' | 'kind' | 'name' | 'namespace', Pattern>> = {};
  for (const key of ['group', 'version', 'kind', 'name', 'namespace'] as const) {
    const compiled = anchored(target[key], key, where);
    if (!compiled.ok) return compiled;
    if (compiled.value) patterns[key] = compiled.value;
  }
  let labels: LabelSelector | undefined;
  if (target.labelSelector) {
    const parsed = parseLabelSelector(target.labelSelector, where);
    if (!parsed.ok) return parsed;
    labels = parsed.value;
  }
  let annotations: LabelSelector | undefined;
  if (target.annotationSelector) {
    const parsed = parseLabelSelector(target.annotationSelector, where);
    if (!parsed.ok) return parsed;
    annotations = parsed.value;
  }
  return ok((resource) => {
    const { object } = resource;
    // kustomize keeps objects without apiVersion; they match as the empty group and version.
    const apiVersion = object.apiVersion ?? '';
    const current = { kind: object.kind, namespace: object.metadata.namespace || undefined, name: object.metadata.name };
    // Kustomize compares with the original id (the oldest previous one) and the current one.
    const original = resource.history[0] ?? current;
    const { namespace, name } = patterns;
    if (
      namespace &&
      !namespace.test(effectiveNamespace(apiVersion, original.kind, original.namespace)) &&
      !namespace.test(effectiveNamespace(apiVersion, current.kind, current.namespace))
    ) {
      return false;
    }
    if (name && !name.test(original.name) && !name.test(current.name)) return false;
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    if (patterns.group && !patterns.group.test(group!)) return false;
    if (patterns.version && !patterns.version.test(version!)) return false;
    if (patterns.kind && !patterns.kind.test(object.kind)) return false;
    if (labels && !matchesLabelSelector(labels, object.metadata.labels)) return false;
    if (annotations && !matchesLabelSelector(annotations, object.metadata.annotations)) return false;
    return true;
  });
}

const compiledTargets = new WeakMap<PatchTarget, TargetMatcher>();

/**
 * matchesTarget tells whether a resource is selected by a patch target, as kustomize's
 * `resmap.Select` decides: the name and namespace may match the resource's original id or its
 * current one. It throws a RENDER_PATCH_INVALID FlotillaError when the target itself is invalid;
 * call compileTarget first to get that as a value.
 */
export function matchesTarget(resource: Resource, target: PatchTarget): boolean {
  let matcher = compiledTargets.get(target);
  if (!matcher) {
    const compiled = compileTarget(target);
    if (!compiled.ok) throw compiled.issues[0];
    matcher = compiled.value;
    compiledTargets.set(target, matcher);
  }
  return matcher(resource);
}

/** selectResources returns the resources a target selects, in their order, or why the target is invalid. */
export function selectResources(resources: readonly Resource[], target: PatchTarget, where: { file?: string; field?: string } = {}): Result<Resource[]> {
  const compiled = compileTarget(target, where);
  if (!compiled.ok) return compiled;
  return ok(resources.filter(compiled.value));
}

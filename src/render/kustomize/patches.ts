import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import { parseYamlStream, type KubeObject } from '../../manifest/index.js';
import { recordChanges } from '../patch/changed-paths.js';
import { applyJsonPatch, validateOperations, type JsonPatchOperation } from '../patch/json6902.js';
import { strategicMerge } from '../patch/strategic-merge.js';
import { compileTarget } from '../patch/target.js';
import type { ProvenanceEntry } from '../types.js';
import { anyIdMatches } from './accumulate.js';
import type { PatchEntry, PatchTarget } from './kustomization.js';
import { parseResources } from './read-resources.js';
import { cloneJson, formatId, resourceId, type Resource, type ResourceId } from './resource.js';
import type { BuildStep, StepContext } from './step.js';

/**
 * The patch steps of a kustomization, as kustomize v5.7.1 runs them: `patchesStrategicMerge`
 * (legacy), `patches`, and `patchesJson6902` (legacy). Strategic merge follows kustomize exactly
 * (see ../patch/kyaml-merge.ts); JSON 6902 follows the json-patch library kustomize uses.
 */

/** LoadedPatch is the text of one patch and where it came from. */
interface LoadedPatch {
  text: string;
  /** The patch file, or the kustomization file for an inline patch. */
  file: string;
  /** The kustomization field, e.g. `patches[2]`. */
  field: string;
  /** Whether the text is written in the kustomization (`patch:`) rather than in a file. */
  inline?: boolean;
}

/** ParsedPatch is a patch told apart as kustomize does: a list of operations, or objects to merge. */
type ParsedPatch = { kind: 'json6902'; operations: JsonPatchOperation[] } | { kind: 'strategic'; patches: KubeObject[] };

function patchError(where: LoadedPatch, message: string, hint?: string): FlotillaError {
  return new FlotillaError('RENDER_PATCH_INVALID', `${where.file}: ${where.field}: ${message}`, { file: where.file, field: where.field, hint });
}

function loadEntry(entry: PatchEntry, field: string, ctx: StepContext): Result<LoadedPatch> {
  const inline = typeof entry.patch === 'string' ? entry.patch.trim() : '';
  const where: LoadedPatch = { text: inline, file: ctx.file, field, inline: true };
  if (inline !== '' && entry.path) return fail(patchError(where, 'sets both patch and path; use one', 'Keep either the inline patch or the path to a patch file.'));
  if (entry.path) {
    const text = ctx.readText(entry.path, `${field}.path`);
    if (!text.ok) return text;
    return ok({ text: text.value, file: ctx.displayPath(entry.path), field });
  }
  if (inline === '') return fail(patchError(where, 'has neither patch nor path', 'Give the patch inline under patch, or the file that holds it under path.'));
  return ok(where);
}

// kustomize tries the text both ways and takes the one that parses: a list of operations is a
// JSON 6902 patch, Kubernetes objects (with kind and metadata.name) are strategic merge patches.
function parsePatch(loaded: LoadedPatch): Result<ParsedPatch> {
  const docs = parseYamlStream(loaded.text, { file: loaded.file, schema: 'kubernetes', uniqueKeys: true });
  if (!docs.ok) return inPatch(docs.issues, loaded);
  if (docs.value.length === 1 && Array.isArray(docs.value[0]!.value)) {
    const operations = validateOperations(docs.value[0]!.value as unknown[], loaded);
    if (!operations.ok) return operations;
    return ok({ kind: 'json6902', operations: operations.value });
  }
  const objects = parseResources(loaded.text, loaded.file);
  if (!objects.ok) {
    return fail(
      patchError(
        loaded,
        `is neither a strategic merge patch nor a JSON 6902 patch: ${objects.issues[0]!.message}`,
        'A strategic merge patch is a Kubernetes object with kind and metadata.name; a JSON 6902 patch is a list of operations.',
      ),
    );
  }
  return ok({ kind: 'strategic', patches: objects.value.map((p) => p.object) });
}

// A YAML error in a patch names the kustomization field too; an inline patch's line and column
// count from the patch text, not from the kustomization file, so the message says so.
function inPatch(issues: readonly FlotillaError[], loaded: LoadedPatch): Result<never> {
  return fail(
    ...issues.map((i) => {
      const rest = i.message.startsWith(`${loaded.file}: `) ? i.message.slice(loaded.file.length + 2) : i.message;
      return new FlotillaError(i.code, `${loaded.file}: ${loaded.field}${loaded.inline ? ' (inline patch)' : ''}: ${rest}`, { file: loaded.file, field: loaded.field, hint: i.hint, cause: i });
    }),
  );
}

function entryOf(loaded: LoadedPatch): ProvenanceEntry {
  return { file: loaded.file, layer: 'patch', step: loaded.field };
}

function sameId(a: ResourceId, b: ResourceId): boolean {
  return a.kind === b.kind && a.name === b.name && a.group === b.group && a.version === b.version && (a.namespace ?? '') === (b.namespace ?? '');
}

// Remember the id a resource had before a patch renamed it, so later targets still find it.
function rememberId(resource: Resource, before: ResourceId): void {
  if (sameId(before, resourceId(resource.object))) return;
  resource.history.push({ kind: before.kind, namespace: before.namespace, name: before.name });
}

interface SmpOptions {
  allowNameChange?: boolean;
  allowKindChange?: boolean;
}

/**
 * applyStrategic applies one strategic merge patch to one resource as kustomize's ApplySmPatch
 * does: the patch takes the resource's apiVersion, and the resource keeps its name, kind and
 * namespace unless the options allow a change. Returns false when the patch deleted the resource.
 */
function applyStrategic(resource: Resource, patch: KubeObject, options: SmpOptions, loaded: LoadedPatch): Result<boolean> {
  const before = resourceId(resource.object);
  const patchCopy = cloneJson(patch) as KubeObject;
  patchCopy.apiVersion = resource.object.apiVersion;
  const merged = strategicMerge(resource.object, patchCopy, { apiVersion: resource.object.apiVersion, kind: resource.object.kind }, { file: loaded.file, field: loaded.field });
  if (!merged.ok) return merged;
  if (merged.value === null) return ok(false);
  const object = merged.value as KubeObject;
  if (typeof object.metadata !== 'object' || object.metadata === null || Array.isArray(object.metadata)) object.metadata = { name: before.name };
  if (!options.allowKindChange) object.kind = before.kind;
  if (!options.allowNameChange) object.metadata.name = before.name;
  if (before.namespace) object.metadata.namespace = before.namespace;
  else delete object.metadata.namespace;
  const old = resource.object;
  resource.object = object;
  rememberId(resource, before);
  recordChanges(resource, old, entryOf(loaded));
  return ok(true);
}

function applyJson(resource: Resource, operations: readonly JsonPatchOperation[], loaded: LoadedPatch): Result<void> {
  const before = resourceId(resource.object);
  const patched = applyJsonPatch(resource.object, operations, { file: loaded.file, field: loaded.field });
  if (!patched.ok) {
    const issue = patched.issues[0]!;
    return fail(new FlotillaError(issue.code, `${issue.message} (on ${formatId(before)})`, { file: loaded.file, field: loaded.field, object: { kind: before.kind, namespace: before.namespace, name: before.name }, hint: issue.hint }));
  }
  const object = patched.value;
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    return fail(patchError(loaded, `leaves ${formatId(before)} without being an object`));
  }
  const old = resource.object;
  resource.object = object as KubeObject;
  rememberId(resource, before);
  recordChanges(resource, old, entryOf(loaded));
  return ok(undefined);
}

function select(resources: readonly Resource[], target: PatchTarget, loaded: LoadedPatch): Result<Resource[]> {
  const matcher = compileTarget(target, { file: loaded.file, field: `${loaded.field}.target` });
  if (!matcher.ok) return matcher;
  return ok(resources.filter(matcher.value));
}

function patchIdOf(patch: KubeObject): ResourceId {
  return resourceId(patch);
}

// A strategic merge patch without a target names its resource by apiVersion, kind, name and
// namespace; the resource may carry that id now or have carried it before a rename.
function findByPatchId(resources: readonly Resource[], patch: KubeObject, loaded: LoadedPatch): Result<Resource> {
  const id = patchIdOf(patch);
  const matches = resources.filter((r) => anyIdMatches(r, id));
  const ref = { kind: id.kind, namespace: id.namespace, name: id.name };
  if (matches.length === 1) return ok(matches[0]!);
  if (matches.length === 0) {
    return fail(
      new FlotillaError('RENDER_PATCH_TARGET_NOT_FOUND', `${loaded.file}: ${loaded.field}: no resource in the build is ${formatId(id)}, which the strategic merge patch names`, {
        file: loaded.file,
        field: loaded.field,
        object: ref,
      }),
    );
  }
  return fail(
    new FlotillaError('RENDER_PATCH_TARGET_NOT_FOUND', `${loaded.file}: ${loaded.field}: ${matches.length} resources match ${formatId(id)}, which the strategic merge patch names: ${matches.map((m) => formatId(resourceId(m.object))).join(', ')}`, {
      file: loaded.file,
      field: loaded.field,
      object: ref,
      hint: 'Give the patch a target, or a namespace, that selects exactly one resource.',
    }),
  );
}

function without(resources: Resource[], gone: ReadonlySet<Resource>): Resource[] {
  return gone.size === 0 ? resources : resources.filter((r) => !gone.has(r));
}

/** patchesStep applies the kustomization's `patches` entries in order. */
export const patchesStep: BuildStep = (resources, kustomization, ctx) => {
  let current = resources;
  for (const [i, entry] of (kustomization.patches ?? []).entries()) {
    const field = `patches[${i}]`;
    const loaded = loadEntry(entry, field, ctx);
    if (!loaded.ok) return loaded;
    const parsed = parsePatch(loaded.value);
    if (!parsed.ok) return parsed;
    const options: SmpOptions = { allowNameChange: entry.options?.allowNameChange, allowKindChange: entry.options?.allowKindChange };
    if (parsed.value.kind === 'json6902') {
      if (!entry.target) {
        return fail(patchError(loaded.value, 'is a JSON 6902 patch without a target', 'Add a target (group, version, kind, name, namespace or selectors) saying which resources it patches.'));
      }
      const selected = select(current, entry.target, loaded.value);
      if (!selected.ok) return selected;
      for (const resource of selected.value) {
        const applied = applyJson(resource, parsed.value.operations, loaded.value);
        if (!applied.ok) return applied;
      }
      continue;
    }
    for (const patch of parsed.value.patches) {
      const gone = new Set<Resource>();
      let targets: Resource[];
      if (entry.target) {
        const selected = select(current, entry.target, loaded.value);
        if (!selected.ok) return selected;
        targets = selected.value;
      } else {
        const found = findByPatchId(current, patch, loaded.value);
        if (!found.ok) return found;
        targets = [found.value];
      }
      for (const resource of targets) {
        const kept = applyStrategic(resource, patch, options, loaded.value);
        if (!kept.ok) return kept;
        if (!kept.value) gone.add(resource);
      }
      current = without(current, gone);
    }
  }
  return ok(current);
};

// A legacy patchesStrategicMerge entry is inline patch text when it reads as Kubernetes objects,
// otherwise the path of a patch file (kustomize tries it in that order).
function loadLegacyStrategic(entry: string, field: string, ctx: StepContext): Result<{ loaded: LoadedPatch; patches: KubeObject[] }> {
  const inline = parseResources(entry, ctx.file);
  if (inline.ok && inline.value.length > 0) {
    return ok({ loaded: { text: entry, file: ctx.file, field }, patches: inline.value.map((p) => p.object) });
  }
  const text = ctx.readText(entry, field);
  if (!text.ok) return text;
  const loaded: LoadedPatch = { text: text.value, file: ctx.displayPath(entry), field };
  const objects = parseResources(text.value, loaded.file);
  if (!objects.ok) return fail(patchError(loaded, `is not a strategic merge patch: ${objects.issues[0]!.message}`));
  return ok({ loaded, patches: objects.value.map((p) => p.object) });
}

/**
 * legacyStrategicMergeStep applies `patchesStrategicMerge`: files or inline texts of strategic
 * merge patches, each naming its resource by kind, name and namespace. A patch that names no
 * resource in the build is an error.
 */
export const legacyStrategicMergeStep: BuildStep = (resources, kustomization, ctx) => {
  const loadedAll: { loaded: LoadedPatch; patches: KubeObject[] }[] = [];
  for (const [i, entry] of (kustomization.patchesStrategicMerge ?? []).entries()) {
    const loaded = loadLegacyStrategic(entry, `patchesStrategicMerge[${i}]`, ctx);
    if (!loaded.ok) return loaded;
    loadedAll.push(loaded.value);
  }
  let current = resources;
  for (const { loaded, patches } of loadedAll) {
    for (const patch of patches) {
      const found = findByPatchId(current, patch, loaded);
      if (!found.ok) return found;
      const kept = applyStrategic(found.value, patch, {}, loaded);
      if (!kept.ok) return kept;
      if (!kept.value) current = without(current, new Set([found.value]));
    }
  }
  return ok(current);
};

/**
 * legacyJson6902Step applies `patchesJson6902`: JSON 6902 patches (inline or from a file, JSON
 * or YAML) to the resources their target selects. A target that selects nothing is skipped.
 */
export const legacyJson6902Step: BuildStep = (resources, kustomization, ctx) => {
  for (const [i, entry] of (kustomization.patchesJson6902 ?? []).entries()) {
    const field = `patchesJson6902[${i}]`;
    if (!entry.target) {
      return fail(new FlotillaError('RENDER_PATCH_INVALID', `${ctx.file}: ${field}: has no target`, { file: ctx.file, field, hint: 'patchesJson6902 entries need a target naming the resource to patch.' }));
    }
    const loaded = loadEntry(entry, field, ctx);
    if (!loaded.ok) return loaded;
    const docs = parseYamlStream(loaded.value.text, { file: loaded.value.file, schema: 'kubernetes', uniqueKeys: true });
    if (!docs.ok) return inPatch(docs.issues, loaded.value);
    if (docs.value.length !== 1 || !Array.isArray(docs.value[0]!.value)) {
      return fail(patchError(loaded.value, 'is not a JSON 6902 patch (a list of operations)'));
    }
    const operations = validateOperations(docs.value[0]!.value as unknown[], loaded.value);
    if (!operations.ok) return operations;
    const selected = select(resources, entry.target, loaded.value);
    if (!selected.ok) return selected;
    for (const resource of selected.value) {
      const applied = applyJson(resource, operations.value, loaded.value);
      if (!applied.ok) return applied;
    }
  }
  return ok(resources);
};

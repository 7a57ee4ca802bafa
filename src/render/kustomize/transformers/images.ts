import { RE2JS } from 're2js';
import { FlotillaError, fail, formatRef, ok, type Result } from '../../../core/index.js';
import type { ProvenanceEntry } from '../../types.js';
import type { ImageEntry, Kustomization } from '../kustomization.js';
import { recordProvenance, type Resource } from '../resource.js';
import type { StepContext } from '../step.js';
import { defaultTransformerConfig, type TransformerConfig } from './config.js';
import { visitFieldSpec } from './field-spec.js';
import { refOf, transformerEntry } from './resource-ids.js';

/**
 * imageMatches is kustomize's IsImageMatched: the image reference must be the entry's name,
 * optionally followed by a tag and a sha256 digest. Like kustomize, the name is used as a regular
 * expression as written (so `.` matches any character); a name that is not a valid expression
 * matches nothing.
 */
export function imageMatches(image: string, name: string): boolean {
  let pattern = imagePatterns.get(name);
  if (pattern === undefined) {
    try {
      // A Go regular expression as in kustomize, matched in linear time (re2js): a backtracking
      // RegExp could hang on a name such as (a+)+.
      pattern = RE2JS.compile(`^${name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`);
    } catch {
      pattern = null;
    }
    if (imagePatterns.size < 1000) imagePatterns.set(name, pattern);
  }
  return pattern !== null && pattern.matches(image);
}

const imagePatterns = new Map<string, RE2JS | null>();

/**
 * splitImage is kustomize's image.Split: name, tag and digest of `[host[:port]/]path[:tag][@digest]`.
 * A colon before the first slash belongs to the registry's port, not to a tag.
 */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  let slash = image.indexOf('/');
  let search = image;
  if (slash > 0) search = image.slice(slash);
  else slash = 0;
  let at = search.indexOf('@');
  let colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (at < colon || colon < 0)) {
    at += slash;
    return { name: image.slice(0, at), tag: '', digest: image.slice(at + 1) };
  }
  if (at >= 0 && colon >= 0) {
    at += slash;
    colon += slash;
    return { name: image.slice(0, colon), tag: image.slice(colon + 1, at), digest: image.slice(at + 1) };
  }
  colon += slash;
  return { name: image.slice(0, colon), tag: image.slice(colon + 1), digest: '' };
}

/**
 * updateImage is kustomize's imageTagUpdater: newName replaces the name; newTag replaces the tag
 * and drops the digest; digest replaces the digest and drops the tag; both together set both.
 */
export function updateImage(image: string, entry: ImageEntry): string {
  let { name, tag, digest } = splitImage(image);
  const newTag = entry.newTag === undefined || entry.newTag === null ? '' : String(entry.newTag);
  const newDigest = entry.digest ?? '';
  if (entry.newName) name = entry.newName;
  if (newTag && newDigest) {
    tag = newTag;
    digest = newDigest;
  } else if (newTag) {
    tag = newTag;
    digest = '';
  } else if (newDigest) {
    tag = '';
    digest = newDigest;
  }
  return name + (tag ? `:${tag}` : '') + (digest ? `@${digest}` : '');
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * updateContainerImages is kustomize's legacy image filter, which runs before the field specs: it
 * searches the whole object for lists named `containers` or `initContainers`, wherever they are
 * (a CronJob's job template, a custom resource's pod template), and updates the `image` of each
 * element.
 */
function updateContainerImages(resource: Resource, image: ImageEntry, ctx: StepContext, entry: ProvenanceEntry): FlotillaError | undefined {
  // `path` is one shared stack; only a match copies it.
  const path: (string | number)[] = [];
  const walk = (node: unknown): FlotillaError | undefined => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        if (typeof node[i] !== 'object' || node[i] === null) continue;
        path.push(i);
        const problem = walk(node[i]);
        path.pop();
        if (problem) return problem;
      }
      return undefined;
    }
    if (!isMap(node)) return undefined;
    for (const key in node) {
      const value = node[key];
      if (typeof value !== 'object' || value === null) continue;
      path.push(key);
      const problem = walk(value);
      path.pop();
      if (problem) return problem;
      if ((key !== 'containers' && key !== 'initContainers') || !Array.isArray(value)) continue;
      for (let i = 0; i < value.length; i++) {
        const container = value[i];
        if (!isMap(container) || container.image === undefined || container.image === null) continue;
        if (typeof container.image === 'object') {
          return new FlotillaError('RENDER_TRANSFORMER_INVALID', `${ctx.file}: images: ${formatRef(refOf(resource.object))}: ${[...path, key, i, 'image'].join('.')} is not an image string`, {
            file: ctx.file,
            field: 'images',
            object: refOf(resource.object),
          });
        }
        const current = String(container.image);
        if (!imageMatches(current, image.name)) continue;
        const updated = updateImage(current, image);
        if (updated === container.image) continue;
        container.image = updated;
        recordProvenance(resource, [...path, key, i, 'image'], entry);
      }
    }
    return undefined;
  };
  return walk(resource.object);
}

/**
 * imagesStep is kustomize v5.7.1's ImageTagTransformer, once per `images:` entry in order (so a
 * later entry can match the name an earlier one set). It rewrites the image of every element of
 * any list named `containers` or `initContainers`, wherever it sits in any kind (pods, workloads,
 * CronJob job templates, custom resources), then every image the images field specs reach (image
 * volumes, and fields added by configurations files). An image matches an entry by name, whatever
 * its tag or digest; registries with ports are told apart from tags. CustomResourceDefinitions
 * are never touched.
 */
export function imagesStep(resources: Resource[], kustomization: Kustomization, ctx: StepContext, config: TransformerConfig = defaultTransformerConfig()): Result<Resource[]> {
  const entries = kustomization.images ?? [];
  if (entries.length === 0) return ok(resources);
  const entry = transformerEntry(ctx.file, 'images');
  for (const image of entries) {
    for (const resource of resources) {
      if (resource.object.kind === 'CustomResourceDefinition') continue;
      const legacy = updateContainerImages(resource, image, ctx, entry);
      if (legacy) return fail(legacy);
      for (const spec of config.images) {
        const visited = visitFieldSpec(resource.object, spec, (field) => {
          if (field.value === null || field.value === undefined) return;
          if (typeof field.value === 'object') {
            return new FlotillaError('RENDER_TRANSFORMER_INVALID', `${ctx.file}: images: ${formatRef(refOf(resource.object))}: ${field.path.join('.')} is not an image string`, {
              file: ctx.file,
              field: 'images',
              object: refOf(resource.object),
            });
          }
          const value = String(field.value);
          if (!imageMatches(value, image.name)) return;
          const updated = updateImage(value, image);
          if (updated === value && typeof field.value === 'string') return;
          field.set(updated);
          recordProvenance(resource, field.path, entry);
        });
        if (!visited.ok) return visited;
      }
    }
  }
  return ok(resources);
}
